//! The piecewise-linear activations (relu6, hard_sigmoid, hard_tanh,
//! sparse_sigmoid, hard_silu, sparse_plus, the shrinks, threshold and
//! Keras's relu with arguments), bit for bit as their scalar definitions in
//! src/activation/: the same operations, each rounded once in every
//! instruction set (no `mul_add`, whose rounding differs between paths, and
//! no `div`, which AVX refines from an estimate), and the same comparisons,
//! so that NaN, `±0` and the values at the kinks come out alike.
//!
//! A few compares, blends, `min`s and one or two products per register:
//! the slices stream through at memory speed. The accuracy is the scalar
//! definitions' (each activation's file gives it; the tests measure it).

use super::vector::{Elementwise, Vector, splat};

/// `v` limited to `[lo, hi]`, NaN kept: `lo` unless `v > lo` (so
/// `-0` becomes a `+0` bound), then `hi` where `hi < v`.
#[inline(always)]
fn clamp<V: Vector>(v: V, lo: V, hi: V) -> V {
    hi.min(V::select(v.gt_or_nan(lo), v, lo))
}

/// `clamp(x, lo, hi)`: relu6 (`[0, 6]`) and hard_tanh (`[-1, 1]`).
#[derive(Clone, Copy)]
pub(crate) struct Clamp<V> {
    pub(crate) lo: V,
    pub(crate) hi: V,
}

impl<V: Vector> Clamp<V> {
    pub(crate) fn new(lo: V::Scalar, hi: V::Scalar) -> Self {
        Self {
            lo: V::splat(lo),
            hi: V::splat(hi),
        }
    }
}

impl<V: Vector> Elementwise<V> for Clamp<V> {
    #[inline(always)]
    fn apply(self, x: V) -> V {
        clamp(x, self.lo, self.hi)
    }
}

/// `clamp((x + shift) · scale, lo, hi)`: hard_sigmoid (`(x + 3) · ⅙` in
/// `[0, 1]`) and sparse_sigmoid (`(x + 1) · ½` in `[0, 1]`).
#[derive(Clone, Copy)]
pub(crate) struct AffineClamp<V> {
    pub(crate) shift: V,
    pub(crate) scale: V,
    pub(crate) lo: V,
    pub(crate) hi: V,
}

impl<V: Vector> AffineClamp<V> {
    pub(crate) fn new(shift: V::Scalar, scale: V::Scalar, lo: V::Scalar, hi: V::Scalar) -> Self {
        Self {
            shift: V::splat(shift),
            scale: V::splat(scale),
            lo: V::splat(lo),
            hi: V::splat(hi),
        }
    }
}

impl<V: Vector> Elementwise<V> for AffineClamp<V> {
    #[inline(always)]
    fn apply(self, x: V) -> V {
        clamp(x.add(self.shift).mul(self.scale), self.lo, self.hi)
    }
}

/// hard_silu: `0` up to `-3`, `x · ((x + 3) · ⅙)` between, `x` from `3`.
#[derive(Clone, Copy)]
pub(crate) struct HardSilu;

impl<V: Vector> Elementwise<V> for HardSilu {
    #[inline(always)]
    fn apply(self, x: V) -> V {
        let middle = x.mul(x.add(splat(3.0)).mul(splat(1.0 / 6.0)));
        let below_3 = V::select(x.lt(splat(3.0)), middle, x);
        V::select(x.gt_or_nan(splat(-3.0)), below_3, splat(0.0))
    }
}

/// sparse_plus: `0` up to `-1`, `(x + 1) · (x + 1) · ¼` between, `x`
/// from `1`.
#[derive(Clone, Copy)]
pub(crate) struct SparsePlus;

impl<V: Vector> Elementwise<V> for SparsePlus {
    #[inline(always)]
    fn apply(self, x: V) -> V {
        let shifted = x.add(splat(1.0));
        let middle = shifted.mul(shifted).mul(splat(0.25));
        let below_1 = V::select(x.lt(splat(1.0)), middle, x);
        V::select(x.gt_or_nan(splat(-1.0)), below_1, splat(0.0))
    }
}

/// hard_shrink: `x` where `|x| > threshold` (and NaN), else `+0`.
#[derive(Clone, Copy)]
pub(crate) struct HardShrink<V> {
    pub(crate) threshold: V,
}

impl<V: Vector> HardShrink<V> {
    pub(crate) fn new(threshold: V::Scalar) -> Self {
        Self {
            threshold: V::splat(threshold),
        }
    }
}

impl<V: Vector> Elementwise<V> for HardShrink<V> {
    #[inline(always)]
    fn apply(self, x: V) -> V {
        V::select(x.abs().gt_or_nan(self.threshold), x, splat(0.0))
    }
}

/// soft_shrink: `x - clamp(x, -threshold, threshold)`.
#[derive(Clone, Copy)]
pub(crate) struct SoftShrink<V> {
    pub(crate) threshold: V,
    /// `-threshold`.
    pub(crate) negative_threshold: V,
}

impl<V: Vector> SoftShrink<V> {
    pub(crate) fn new(threshold: V::Scalar, negative_threshold: V::Scalar) -> Self {
        Self {
            threshold: V::splat(threshold),
            negative_threshold: V::splat(negative_threshold),
        }
    }
}

impl<V: Vector> Elementwise<V> for SoftShrink<V> {
    #[inline(always)]
    fn apply(self, x: V) -> V {
        x.sub(clamp(x, self.negative_threshold, self.threshold))
    }
}

/// threshold: `x` where `x > threshold` (and NaN), else `default_value`.
#[derive(Clone, Copy)]
pub(crate) struct Threshold<V> {
    pub(crate) threshold: V,
    pub(crate) default_value: V,
}

impl<V: Vector> Threshold<V> {
    pub(crate) fn new(threshold: V::Scalar, default_value: V::Scalar) -> Self {
        Self {
            threshold: V::splat(threshold),
            default_value: V::splat(default_value),
        }
    }
}

impl<V: Vector> Elementwise<V> for Threshold<V> {
    #[inline(always)]
    fn apply(self, x: V) -> V {
        V::select(x.gt_or_nan(self.threshold), x, self.default_value)
    }
}

/// Keras's relu with arguments: `x` above `threshold` (and NaN), else
/// `+0`, at most `max_value`; below `slope_from`, `slope · (x - threshold)`.
/// `slope_from` is the threshold, or `-inf` when the slope is 0 (so that
/// `0 · -inf` is never formed); `max_value` is `+inf` for no cap.
#[derive(Clone, Copy)]
pub(crate) struct ReluWith<V> {
    pub(crate) negative_slope: V,
    pub(crate) max_value: V,
    pub(crate) threshold: V,
    pub(crate) slope_from: V,
}

impl<V: Vector> ReluWith<V> {
    pub(crate) fn new(
        negative_slope: V::Scalar,
        max_value: V::Scalar,
        threshold: V::Scalar,
        slope_from: V::Scalar,
    ) -> Self {
        Self {
            negative_slope: V::splat(negative_slope),
            max_value: V::splat(max_value),
            threshold: V::splat(threshold),
            slope_from: V::splat(slope_from),
        }
    }
}

impl<V: Vector> Elementwise<V> for ReluWith<V> {
    #[inline(always)]
    fn apply(self, x: V) -> V {
        let kept = V::select(x.gt_or_nan(self.threshold), x, splat(0.0));
        let capped = self.max_value.min(kept);
        let sloped = self.negative_slope.mul(x.sub(self.threshold));
        V::select(x.lt(self.slope_from), sloped, capped)
    }
}

//! `selu(x) = scale·x` for `x > 0`, `scale·alpha·(e^x - 1)` otherwise,
//! with Keras's constants (`alpha = 1.67326324235437728481704`,
//! `scale = 1.05070098735548049341933`).
//!
//! - `e^x - 1` for `x ≤ 0` is elu.rs's
//!   [`expm1_nonpositive`](super::elu::expm1_nonpositive) (measured within
//!   1 ULP on every `f32`, 1.13 ULP on random `f64`), so `selu(-1e-8)` is
//!   `-1.758e-8`, where TensorFlow's `exp(x) - 1` gives 0.
//! - Each factor (`scale`, `scale·alpha`) is the exact product of Keras's
//!   decimal constants split in two, `hi + lo`, and applied as
//!   `hi·v + lo·v` in one fused step: the constant then contributes about
//!   2^-48 relative, where `hi` alone would add up to 0.5 ULP. `hi` is the
//!   nearest value of the type except for the `f32` `scale`, which is
//!   rounded down so that every `lo` is positive: `lo·inf` must not be
//!   `-inf`, or `selu(inf)` would be NaN.
//!
//! So the result is the rounding of `scale·x` (about 0.5 ULP), or of
//! `scale·alpha·(e^x - 1)`, within the error of `e^x - 1` plus 0.5 ULP
//! (without FMA, one more rounding: the portable path). Measured: see
//! src/kernels/tests (exhaustive `f32`, random `f64`). `selu(-inf) =
//! -scale·alpha` rounded (the constant `-hi`), `selu(-0) = -0`, NaN gives
//! NaN.

use super::elu::{ExpM1Constants, expm1_nonpositive};
use super::exp::ExpConstants;
use super::vector::{Elementwise, Vector, splat};

/// Keras's SELU constants for one float type, each as `hi + lo`.
pub(crate) trait SeluConstants: Sized + 'static {
    /// `scale`, rounded down for `f32` (so that `SCALE_LO > 0`).
    const SCALE_HI: Self;
    /// `scale - SCALE_HI`, rounded.
    const SCALE_LO: Self;
    /// `scale·alpha`, rounded.
    const SCALE_ALPHA_HI: Self;
    /// `scale·alpha - SCALE_ALPHA_HI`, rounded.
    const SCALE_ALPHA_LO: Self;
}

impl SeluConstants for f32 {
    const SCALE_HI: Self = 1.050_700_9; // 0x1.0cfabcp+0, below scale
    const SCALE_LO: Self = 8.441_664e-8;
    const SCALE_ALPHA_HI: Self = 1.758_099_3; // 0x1.c212ccp+0
    const SCALE_ALPHA_LO: Self = 2.329_671_7e-8;
}

impl SeluConstants for f64 {
    const SCALE_HI: Self = 1.050_700_987_355_480_5;
    const SCALE_LO: Self = 3.987_484_268_185_955e-17;
    const SCALE_ALPHA_HI: Self = 1.758_099_340_847_376_8;
    const SCALE_ALPHA_LO: Self = 1.415_350_789_502_188_2e-17;
}

/// `selu(x)` lane by lane.
#[derive(Clone, Copy)]
pub(crate) struct Selu;

impl<V: Vector<Scalar: ExpConstants + ExpM1Constants + SeluConstants>> Elementwise<V> for Selu {
    #[inline(always)]
    fn apply(self, x: V) -> V {
        let positive = x.gt(splat(0.0));
        let v = V::select(positive, x, expm1_nonpositive(x));
        let hi = V::select(
            positive,
            V::splat(V::Scalar::SCALE_HI),
            V::splat(V::Scalar::SCALE_ALPHA_HI),
        );
        let lo = V::select(
            positive,
            V::splat(V::Scalar::SCALE_LO),
            V::splat(V::Scalar::SCALE_ALPHA_LO),
        );
        hi.mul_add(v, lo.mul(v))
    }
}

//! The rectifiers, bit for bit as the scalar definitions in
//! `activation/relu.rs` and `activation/leaky_relu.rs`: one comparison and
//! one blend per register.

use super::vector::{Elementwise, Vector, splat};

/// `relu(x)`: `x` if `x > 0` or NaN, else `+0` (so `relu(-0) = +0`).
#[derive(Clone, Copy)]
pub(crate) struct Relu;

impl<V: Vector> Elementwise<V> for Relu {
    #[inline(always)]
    fn apply(self, x: V) -> V {
        let zero = splat::<V>(0.0);
        V::select(x.gt_or_nan(zero), x, zero)
    }
}

/// `leaky_relu(x)`: `x` if `x > 0`, else `slope · x` (NaN stays NaN).
#[derive(Clone, Copy)]
pub(crate) struct LeakyRelu<V> {
    /// The slope in every lane.
    pub(crate) slope: V,
}

impl<V: Vector> Elementwise<V> for LeakyRelu<V> {
    #[inline(always)]
    fn apply(self, x: V) -> V {
        V::select(x.gt(splat(0.0)), x, self.slope.mul(x))
    }
}

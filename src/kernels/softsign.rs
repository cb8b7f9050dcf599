//! `softsign(x) = x / (1 + |x|)`: one sum and one division
//! ([`Vector::div`]), at most 1 ULP before the last rounding.
//!
//! `|x|` is clamped to `SOFTSIGN_MAX`, beyond which the result rounds to
//! 1 (and the division's divisor stays below 2^126, as it needs), and the
//! sign of `x` is put back at the end: `softsign(±inf) = ±1` (the limits;
//! TensorFlow gives NaN), `softsign(-0) = -0`, NaN gives NaN.

use super::vector::{Elementwise, Vector, splat};

/// `softsign(x)` lane by lane.
#[derive(Clone, Copy)]
pub(crate) struct Softsign;

impl<V: Vector> Elementwise<V> for Softsign {
    #[inline(always)]
    fn apply(self, x: V) -> V {
        // 2^60: 1 - 2^-60 rounds to 1 in both types. `min` returns its
        // second operand if either is NaN.
        let a = splat::<V>(1.152_921_504_606_847e18).min(x.abs());
        a.div(splat::<V>(1.0).add(a)).or_sign(x)
    }
}

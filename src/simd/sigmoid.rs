//! `σ(x) = 1 / (1 + e^-x)` from `e = e^-|x|`, which never overflows:
//! `σ(|x|) = 1 / (1 + e)` and `σ(-|x|) = e / (1 + e)`.
//!
//! One `e^x` (exp.rs: its last rounding, 0.5 ULP, dominates), the sum
//! `1 + e` (0.5 ULP), and one division ([`Vector::div`], 0.5 ULP plus a
//! little), with no cancellation anywhere: at most 2.5 ULP before the
//! final rounding, measured at most 2 ULP from the rounded result for every
//! `f32`. For `f64` the rounding error of `1 + e` also enters the division
//! (see [`SigmoidConstants`]): at most 1.5 ULP, measured 1.47 on 10^8
//! random inputs (2.33 on the portable path, which lacks FMA and keeps the
//! short form). Below `EXP_MIN`, `e` is exactly 0, so the limits are
//! exactly 1 and 0; results in the subnormal range (`x` below about -87.3
//! for f32) come from the subnormal `e`. NaN gives NaN; `σ(±0) = 0.5`.

use super::exp::exp_up_to_max;
use super::vector::{Elementwise, Vector, splat};

/// How `σ` treats the rounding of `1 + e`, per float type.
pub(crate) trait SigmoidConstants {
    /// Whether the division also takes the rounding error of `1 + e`
    /// (three more operations, and exact residuals, so only with FMA).
    /// Without it the bound is 2.5 ULP before the final rounding; the `f32`
    /// kernels are still within 2 ULP of the rounded result on every input
    /// (tested exhaustively), while `f64`, which cannot be tested
    /// exhaustively, takes the 1.5 ULP bound where it has FMA.
    const EXACT_DENOMINATOR: bool;
}

impl SigmoidConstants for f32 {
    const EXACT_DENOMINATOR: bool = false;
}

impl SigmoidConstants for f64 {
    const EXACT_DENOMINATOR: bool = true;
}

/// `σ(x)` lane by lane.
#[derive(Clone, Copy)]
pub(crate) struct Sigmoid;

impl<V: Vector> Elementwise<V> for Sigmoid {
    #[inline(always)]
    fn apply(self, x: V) -> V {
        let one = splat::<V>(1.0);
        let minus_abs = x.or_sign(splat(-0.0));
        let e = exp_up_to_max(minus_abs);
        let numerator = V::select(x.lt(splat(0.0)), e, one);
        let denominator = one.add(e);
        if !(V::Scalar::EXACT_DENOMINATOR && V::FUSED) {
            return numerator.div(denominator);
        }
        // n / (d + d_lo) with d_lo = (1 + e) - d exactly (Fast2Sum):
        // one Newton step on the quotient with the full residual.
        let denominator_lo = e.sub(denominator.sub(one));
        let reciprocal = one.div(denominator);
        let q0 = numerator.mul(reciprocal);
        let residual = denominator_lo.neg_mul_add(q0, denominator.neg_mul_add(q0, numerator));
        residual.mul_add(reciprocal, q0)
    }
}

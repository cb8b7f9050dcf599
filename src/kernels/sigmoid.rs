//! `σ(x) = 1 / (1 + e^-x)` from `e = e^-|x|`, which never overflows:
//! `σ(|x|) = 1 / (1 + e)` and `σ(-|x|) = e / (1 + e)`.
//!
//! One `e^x` (exp.rs: its last rounding, 0.5 ULP, dominates), the sum
//! `1 + e` (0.5 ULP), and one division ([`Vector::div`], 0.5 ULP plus a
//! little), with no cancellation anywhere: at most 2.5 ULP before the
//! final rounding, measured at most 2 ULP from the rounded result for every
//! `f32`. For `f64` the rounding error of `1 + e` also enters the division
//! (see [`SigmoidConstants`]), one Newton step on the quotient from a
//! reciprocal within 2^-27 ([`Vector::reciprocal`]): at most 1.5 ULP plus
//! 2^-56 relative, and up to 0.5 ULP more for `|x| < 2^-27` (see the
//! residual below); measured 1.47 on 10^8 random inputs (2.33 on the
//! portable path, which lacks FMA and keeps the short form). Below
//! `EXP_MIN`, `e` is exactly 0, so the limits are exactly 1 and 0; results
//! in the subnormal range (`x` below about -87.3 for f32) come from the
//! subnormal `e`. NaN gives NaN; `σ(±0) = 0.5`.

use super::exp::{ExpConstants, exp_up_to_max};
use super::vector::{Elementwise, Vector, splat};

/// How `σ` treats the rounding of `1 + e` and tiny arguments, per float
/// type.
pub(crate) trait SigmoidConstants {
    /// Whether the division also takes the rounding error of `1 + e` (a
    /// Newton step on the quotient whose residual needs FMA; on AVX-512 no
    /// dearer than the division it replaces).
    /// Without it the bound is 2.5 ULP before the final rounding; the `f32`
    /// kernels are still within 2 ULP of the rounded result on every input
    /// (tested exhaustively), while `f64`, which cannot be tested
    /// exhaustively, takes the 1.5 ULP bound where it has FMA.
    const EXACT_DENOMINATOR: bool;
    /// Whether `|x|` is first raised to [`TINY`], below which `σ` rounds
    /// to 1/2 anyway: then `e^-|x|` never takes a subnormal argument, whose
    /// products cost a microcode assist of about 100 cycles per register on
    /// x86. One more operation; `f32` goes without, which keeps its speed
    /// on normal inputs.
    const RAISE_TINY: bool;
}

impl SigmoidConstants for f32 {
    const EXACT_DENOMINATOR: bool = false;
    const RAISE_TINY: bool = false;
}

impl SigmoidConstants for f64 {
    const EXACT_DENOMINATOR: bool = true;
    const RAISE_TINY: bool = true;
}

/// 2^-60: [`SigmoidConstants::RAISE_TINY`]'s floor.
const TINY: f64 = 8.673_617_379_884_035e-19;

/// `σ(x)` lane by lane.
#[derive(Clone, Copy)]
pub(crate) struct Sigmoid;

impl<V: Vector<Scalar: ExpConstants + SigmoidConstants>> Elementwise<V> for Sigmoid {
    #[inline(always)]
    fn apply(self, x: V) -> V {
        let one = splat::<V>(1.0);
        let mut minus_abs = x.or_sign(splat(-0.0));
        if V::Scalar::RAISE_TINY {
            // `min` returns its second operand if either is NaN.
            minus_abs = splat::<V>(-TINY).min(minus_abs);
        }
        let e = exp_up_to_max(minus_abs);
        let numerator = V::select(x.lt(splat(0.0)), e, one);
        let denominator = one.add(e);
        if !(V::Scalar::EXACT_DENOMINATOR && V::FUSED) {
            return numerator.div(denominator);
        }
        // n / (1 + e) by one Newton step on the quotient, whose residual
        // n - (1 + e)·q0 = (n - q0) - e·q0 takes the exact denominator.
        // q0 is within 2^-27 of n/(1 + e) ∈ [n/2, n], so n - q0 is exact
        // (Sterbenz), but where q0 < n/2 (e within 2^-27 of 1): then it
        // rounds by at most 2^-54·n.
        let reciprocal = denominator.reciprocal();
        let q0 = numerator.mul(reciprocal);
        let residual = e.neg_mul_add(q0, numerator.sub(q0));
        residual.mul_add(reciprocal, q0)
    }
}

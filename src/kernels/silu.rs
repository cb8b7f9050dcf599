//! `silu(x) = x·σ(x) = x / (1 + e^-x)`, exact down to the subnormal range.
//!
//! Two evaluations, the second only for registers that need it:
//!
//! - [`Silu`], from `CHEAP_MIN` (-16 for `f32`, -36 for `f64`) up: the
//!   quotient `x / D` with `e^-x = 2^k·(1 + ρ)` (exp.rs's reduction and
//!   polynomial, `ρ = r·P(r)` rounded once) and `D = 2^k·ρ + (1 + 2^k)` in
//!   one fused rounding, `1 + 2^k` exact (`k` up to 23 for `f32`, 52 for
//!   `f64`). So `D` carries one rounding (0.5 ULP), `ρ`'s rounding weighs
//!   at most 0.42 of a unit of `ρ`'s last place, the polynomial 2^-26.8,
//!   and the quotient rounds once more: at most 1.3 ULP from the exact
//!   value before the last rounding, within 2 ULP of the rounded result.
//!   About 23 operations per register on AVX-512. (Down to -86, where
//!   `1 + 2^k` rounds, the `f64` kernel was measured 2.46 ULP before
//!   rounding near -36.4.)
//! - [`careful`] below `CHEAP_MIN`, where `1 + e^-x` rounds (and `e^-x`
//!   overflows from -88.7 for `f32`): with `e = e^-|x| =
//!   2^k·p`, `(x·p / (1 + e))·2^k`, so that the quotient is a normal
//!   number and `2^k` comes last ([`Vector::scale_pow2_where`]): exact, or
//!   rounded once where the result is subnormal (`x` below about -87.3 for
//!   `f32`, where `x·σ(x)` computed as written loses its digits, and where
//!   TensorFlow returns 0). Below `SILU_ZERO` the result rounds to zero
//!   and is not computed; the sign of `x` is ORed in so that it is `-0`.
//!   `x·p` is kept as `a_p + δ` (`p = 1 + ρ`, `a_p = x + x·ρ` rounded once,
//!   `δ` its exact error) and `1 + e` as `d + d_lo` (Fast2Sum), and the
//!   quotient `q` of `a_p / d` ([`Vector::div`]) takes one correction step
//!   with the exact residual: under 1 ULP before the last rounding, about
//!   43 operations. The denominator takes `e = p·2^max(k, -60)`: below
//!   `k = -60`, `e` vanishes in `1 + e` anyway, and no product underflows.
//!
//! Measured: see tests/exhaustive.rs and random_f64.rs (the figures are in
//! docs/performance.md).
//!
//! Above 64, where `silu(x)` rounds to `x` in both types, the result is
//! `x`. `silu(+inf) = +inf`, `silu(-inf) = -0` (the limit; TensorFlow gives
//! NaN), NaN gives NaN, `silu(±0) = ±0`.

use super::exp::{ExpConstants, reduce};
use super::vector::{Elementwise, Vector, horner, splat};

/// The constants of silu for one float type.
pub(crate) trait SiluConstants: Sized + 'static {
    /// `-|x|` is clamped here before the reduction: below it `x·e^x`
    /// rounds to zero (and `2^k` stays within [`Vector::scale_pow2`]'s
    /// range).
    const SILU_ZERO: Self;
    /// Below this, `1 + e^-x` would round before its last step, and the
    /// careful evaluation takes over.
    const CHEAP_MIN: Self;
}

impl SiluConstants for f32 {
    // 110·e^-110 < 2^-150: rounds to 0.
    const SILU_ZERO: Self = -110.0;
    // e^16 < 2^23.5: k ≤ 23.
    const CHEAP_MIN: Self = -16.0;
}

impl SiluConstants for f64 {
    // 752·e^-752 < 2^-1075: rounds to 0 (750·e^-750 is 3·2^-1074).
    const SILU_ZERO: Self = -752.0;
    // e^36 < 2^52.5: k ≤ 52.
    const CHEAP_MIN: Self = -36.0;
}

/// `(a, ρ, p·2^k', k)` for `a = max(-|x|, SILU_ZERO)` (which is `x` for
/// negative `x` down to `SILU_ZERO`) and `e^a = p·2^k`, `p = 1 + ρ`, with
/// `ρ = r + r·(r·P₂(r))` fused (so that `a·p = a + a·ρ` can round once)
/// and `k' = max(k, -60)`, so that `1 + p·2^k'` is `1 + e^a` rounded.
/// NaN gives NaN in all four.
#[inline(always)]
pub(crate) fn exp_of_minus_abs<V: Vector<Scalar: ExpConstants + SiluConstants>>(
    x: V,
) -> (V, V, V, V) {
    // `max` returns its second operand if either is NaN.
    let a = V::splat(V::Scalar::SILU_ZERO).max(x.or_sign(splat(-0.0)));
    let (k, r) = reduce(a);
    let rho = fused_rho(r);
    let e = rho.add(splat(1.0)).scale_pow2(splat::<V>(-60.0).max(k));
    (a, rho, e, k)
}

/// `ρ = e^r - 1 = r + r·(r·P₂(r))`, the leading term added in the one
/// rounding of the last fused step.
#[inline(always)]
pub(crate) fn fused_rho<V: Vector<Scalar: ExpConstants>>(r: V) -> V {
    r.mul_add(r.mul(horner(r, &V::Scalar::EXP_POLY[1..])), r)
}

/// `silu(x)` lane by lane.
#[derive(Clone, Copy)]
pub(crate) struct Silu;

impl<V: Vector<Scalar: ExpConstants + SiluConstants>> Elementwise<V> for Silu {
    #[inline(always)]
    fn apply(self, x: V) -> V {
        let one = splat::<V>(1.0);
        // -x, raised to -64: lanes above 64 are replaced by `x` below
        // (`max` returns its second operand if either is NaN).
        let (k, r) = reduce(splat::<V>(-64.0).max(x.mul(splat(-1.0))));
        let scale = one.scale_pow2(k);
        let denominator = scale.mul_add(fused_rho(r), one.add(scale));
        let y = x.div(denominator).or_sign(x);
        let y = V::select(x.gt(splat(64.0)), x, y);
        let far = x.lt(V::splat(V::Scalar::CHEAP_MIN));
        if V::any(far) {
            V::select(far, careful(x), y)
        } else {
            y
        }
    }
}

/// `silu(x)` for every `x`, the subnormal range included (the module's
/// second evaluation).
#[inline(always)]
fn careful<V: Vector<Scalar: ExpConstants + SiluConstants>>(x: V) -> V {
    let (zero, one, two) = (splat::<V>(0.0), splat::<V>(1.0), splat::<V>(2.0));
    // The masked lanes below SILU_ZERO keep finite values (-inf·p
    // would give NaN there, and NaN·0 stays NaN off AVX-512).
    let (a, rho, e, k) = exp_of_minus_abs(x);
    let negative = x.lt(zero);
    // x·p = a_p + δ exactly for x < 0 (a - a_p is exact, Sterbenz).
    let a_p = a.mul_add(rho, a);
    let numerator = V::select(negative, a_p, x);
    let delta = V::select(negative, a.mul_add(rho, a.sub(a_p)), zero);
    // 1 + e = d + d_lo exactly (Fast2Sum, e ≤ 1).
    let d = one.add(e);
    let d_lo = e.sub(d.sub(one));
    // One correction step on the quotient with the exact residual
    // (numerator + δ) - (d + d_lo)·q, divided by d ∈ [1, 2] through
    // 1.5 - d/2 refined once (within 2 %: the step is below 2^-22·q).
    let q = numerator.div(d);
    let residual = d.neg_mul_add(q, numerator).add(delta);
    let residual = d_lo.neg_mul_add(q, residual);
    let estimate = splat::<V>(-0.5).mul_add(d, splat(1.5));
    let reciprocal = estimate.mul(d.neg_mul_add(estimate, two));
    let quotient = residual.mul_add(reciprocal, q);
    let k = V::select(negative, k, zero);
    let keep = x.gt_or_nan(V::splat(V::Scalar::SILU_ZERO));
    let y = quotient.scale_pow2_where(k, keep).or_sign(x);
    // Where silu(x) rounds to x: also inf, which the division's
    // Newton step would turn into NaN.
    V::select(x.gt(splat(64.0)), x, y)
}

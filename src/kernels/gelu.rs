//! The exact gelu, `gelu(x) = x·Φ(x)` with `Φ` the standard normal
//! distribution function, accurate in relative terms everywhere, the far
//! negative tail included (`gelu(-10) ≈ -7.6e-23`), for `f64` results;
//! `f32` results take a cheaper `f64` evaluation of the same steps
//! (gelu_f32.rs).
//!
//! With `a = |x|` and `t = a·Φ(-a)`: `gelu(x) = x - t` for `x > 0` (as
//! `Φ(x) = 1 - Φ(-a)`) and `-t` for `x ≤ 0`. For `x > 0`, `t ≤ x/2 ≤
//! gelu(x)`, so the subtraction never amplifies the error of `t`; one
//! function is approximated, on `a ≥ 0`:
//!
//! `t = a·R(a)·e^(-a²/2)`, `R(a) = Φ(-a)·e^(a²/2)` (Mills' ratio over √2π).
//!
//! - `R` is smooth and decreasing, from `1/2` at 0 to about `1/(a·√(2π))`:
//!   a rational `P(a)/Q(a)` of degrees 10/11, fitted for minimax relative
//!   error on `[0, 38.6]` (Lawson iterations on Chebyshev nodes against a
//!   60-digit reference, then the numerator refitted for the rounded
//!   denominator): within 2^-59.9 before and 2^-55.7 after rounding the
//!   coefficients. Up to `a = 8` it is evaluated in `a` (with the leading
//!   terms `a/2` and `1` added last, each in one rounding), above in
//!   `w = 1/a` as `P̃(w)/Q̃(w)`, the reversed polynomials, whose Horner
//!   sums are led by their first terms (in `a`, every step's rounding
//!   counts in full there: 3 ULP measured at `a = 27`).
//! - `-a²/2 = hi - d` exactly: `hi = a·(-a/2)` rounded, `d` its error (one
//!   FMA, or Dekker's product where `mul_add` is not fused). An error `δ`
//!   in the exponent is an error `δ` relative in the result, and `a²/2`
//!   reaches 745, so a rounded `a²/2` alone would cost up to 2^-43.
//! - `e^(hi - d)` by exp.rs's reduction, `k = round(hi/ln 2)`,
//!   `r = (hi - k·LN2_HI) - k·LN2_LO - d` (the first difference exact by
//!   Sterbenz's lemma), and exp.rs's polynomial, `e^r - 1 ≈ r·P(r)`
//!   (within 2^-56.9).
//! - The quotient, the factor `e^r` and the last rounding are fused
//!   ([`scaled_quotient`]); `2^k` is applied last, so that a result in the
//!   subnormal range rounds once.
//!
//! Error: the numerator's roundings and the Horner sums (up to about 2
//! ULP where `a ≈ 3`, by an exact-rational simulation), the quotient and
//! the last rounding: measured at most 3 ULP from the rounded `f64`
//! result on the golden inputs (and between -8 and -20 on random ones),
//! which is why `f64` results are computed by gelu_f64.rs, which takes
//! this kernel only for NaN, ±inf and beyond ±38.6.
//!
//! `a` is clamped at `A_MAX`, above which `t` rounds to 0: lanes beyond it
//! are set to 0 by the scaling's mask, so `gelu(x) = x` there for positive
//! `x` and `-0` for negative `x`. NaN gives NaN, `gelu(inf) = inf`, and
//! `gelu(-inf)` is NaN, as `x·Φ(x) = -inf·0` in TensorFlow.

use super::exp::ExpConstants;
use super::vector::{Elementwise, Lane, Vector, horner, splat};

/// The constants of the exact gelu for one float type.
pub(crate) trait GeluConstants: Sized + 'static {
    /// From here on `a·Φ(-a)` rounds to 0.
    const A_MAX: Self;
    /// `P`, lowest degree first: `R(a) ≈ P(a)/Q(a)`.
    const R_NUMERATOR: &'static [Self];
    /// `Q`, lowest degree first, `Q(0) = 1`, of one degree more than `P`.
    const R_DENOMINATOR: &'static [Self];
    /// `P` highest degree first: `P̃(w) = w^deg P·P(1/w)`.
    const R_NUMERATOR_REVERSED: &'static [Self];
    /// `Q` highest degree first.
    const R_DENOMINATOR_REVERSED: &'static [Self];
}

/// Veltkamp's split, for exact products without FMA (also used by
/// gelu_tanh.rs).
pub(crate) trait SplitConstant: Sized + 'static {
    /// `2^s + 1` for Veltkamp's split into halves of `s` bits.
    const SPLIT: Self;
}

impl SplitConstant for f32 {
    const SPLIT: Self = 4097.0; // 2^12 + 1
}

impl SplitConstant for f64 {
    const SPLIT: Self = 134_217_729.0; // 2^27 + 1
}

/// `(p, d)` with `p = a·b` rounded and `d = p - a·b` exactly: one FMA, or
/// Dekker's product from Veltkamp's split where `mul_add` rounds twice.
#[inline(always)]
pub(crate) fn product_and_error<V: Vector<Scalar: SplitConstant>>(a: V, b: V) -> (V, V) {
    let p = a.mul(b);
    if V::FUSED {
        return (p, a.neg_mul_add(b, p));
    }
    let split = |v: V| {
        let c = v.mul(V::splat(V::Scalar::SPLIT));
        let high = c.sub(c.sub(v));
        (high, v.sub(high))
    };
    let ((a_hi, a_lo), (b_hi, b_lo)) = (split(a), split(b));
    let d = p
        .sub(a_hi.mul(b_hi))
        .sub(a_hi.mul(b_lo))
        .sub(a_lo.mul(b_hi));
    (p, d.sub(a_lo.mul(b_lo)))
}

/// `n·(1 + m)/(D + e)` for `D + e > 0`, `|e| ≤ 2^-52·D`, `|m| < 1/2`:
/// with FMA, one Newton step on the quotient `q0 = n/D` whose residual
/// `n - (D + e)·q0` is exact, folded with the factor `1 + m` into one last
/// rounding: `q0 + (q0·m + ρ·(1 + m)/D)`, the bracket at most 0.41 of the
/// result, so its rounding counts for 0.2 ULP. Without FMA:
/// `(n / D)·(1 + m)`, two more roundings.
#[inline(always)]
fn scaled_quotient<V: Vector>(n: V, m: V, denominator: V, error: V) -> V {
    let one = splat::<V>(1.0);
    if !V::FUSED {
        return n.div(denominator).mul(one.add(m));
    }
    let reciprocal = denominator.reciprocal();
    let q0 = n.mul(reciprocal);
    let residual = error.neg_mul_add(q0, denominator.neg_mul_add(q0, n));
    let correction = residual.mul(reciprocal).mul_add(one.add(m), q0.mul(m));
    q0.add(correction)
}

/// The exact gelu lane by lane.
#[derive(Clone, Copy)]
pub(crate) struct Gelu;

impl<V: Vector<Scalar: ExpConstants + GeluConstants + SplitConstant>> Elementwise<V> for Gelu {
    #[inline(always)]
    fn apply(self, x: V) -> V {
        let a_max = V::splat(V::Scalar::A_MAX);
        let a = x.abs();
        // `min` returns its second operand if either is NaN: NaN stays.
        let clamped = a_max.min(a);
        // -a²/2 = hi - d exactly (halving is exact).
        let (hi, d) = product_and_error(clamped, clamped.mul(splat(-0.5)));
        let round = V::splat(V::Scalar::ROUND);
        let k = hi.mul_add(V::splat(V::Scalar::LOG2_E), round).sub(round);
        let r = k.neg_mul_add(V::splat(V::Scalar::LN2_HI), hi);
        let r = k.neg_mul_add(V::splat(V::Scalar::LN2_LO), r).sub(d);
        let e_r_minus_1 = horner(r, V::Scalar::EXP_POLY).mul(r);
        // Up to 1: a·P(a) = a/2 + a·(a·P₁(a)) and Q(a) = 1 + a·Q₁(a) =
        // D + e (Fast2Sum), each with one rounding of the leading term:
        // near 0, where t ≈ x/2 ≈ gelu(x), every rounding counts in full.
        let one = splat::<V>(1.0);
        let numerator = clamped
            .mul(horner(clamped, &V::Scalar::R_NUMERATOR[1..]))
            .mul_add(clamped, clamped.mul(splat(0.5)));
        let d = clamped.mul(horner(clamped, &V::Scalar::R_DENOMINATOR[1..]));
        let denominator = one.add(d);
        let error = one.min(d).sub(denominator.sub(one.max(d)));
        // Above 1: a·P(a)/Q(a) = P̃(w)/Q̃(w), w = 1/a, whose Horner sums
        // are led by their first terms; in `a` the rounding of every step
        // would count in full (measured 3 ULP at a = 27).
        let w = one.div(clamped);
        let large = splat::<V>(8.0).lt(clamped);
        let numerator = V::select(large, horner(w, V::Scalar::R_NUMERATOR_REVERSED), numerator);
        let denominator = V::select(
            large,
            horner(w, V::Scalar::R_DENOMINATOR_REVERSED),
            denominator,
        );
        let error = V::select(large, splat(0.0), error);
        let t = scaled_quotient(numerator, e_r_minus_1, denominator, error)
            .scale_pow2_where(k, a_max.gt_or_nan(a));
        // x - t for x > 0, -t otherwise (`max` gives 0 for NaN, and `t`
        // is NaN there); the sign of `x` makes the underflows -0.
        let gelu = splat::<V>(0.0).max(x).sub(t).or_sign(x);
        V::select(
            x.eq(V::splat(V::Scalar::NEG_INFINITY)),
            V::splat(V::Scalar::NAN),
            gelu,
        )
    }
}

/// `P` for `f64` (see [`GeluConstants::R_NUMERATOR`]).
const F64_NUMERATOR: [f64; 11] = [
    0.5,
    0.827_744_041_807_402_7,
    0.679_328_059_411_511_8,
    0.357_128_839_937_921_4,
    0.131_940_603_917_866_74,
    0.035_632_002_619_623_675,
    0.007_114_169_851_909_728,
    0.001_038_196_403_032_547_1,
    0.000_106_388_628_696_301_67,
    6.961_798_817_031_837e-6,
    2.236_468_375_426_200_6e-7,
];

/// `Q` for `f64` (see [`GeluConstants::R_DENOMINATOR`]).
const F64_DENOMINATOR: [f64; 12] = [
    1.0,
    2.453_372_644_417_671,
    2.816_164_273_699_973,
    2.000_506_872_604_566,
    0.979_475_336_708_409_8,
    0.348_030_872_845_780_05,
    0.091_883_656_719_436_12,
    0.018_098_134_837_959_603,
    0.002_619_823_100_426_883_7,
    0.000_267_237_344_272_647_6,
    1.745_064_175_709_529_5e-5,
    5.605_994_865_160_05e-7,
];

/// The coefficients in the opposite order: `P̃(w) = w^n·P(1/w)`.
const fn reversed<const N: usize>(c: [f64; N]) -> [f64; N] {
    let mut out = c;
    let mut j = 0;
    while j < N {
        out[j] = c[N - 1 - j];
        j += 1;
    }
    out
}

impl GeluConstants for f64 {
    const A_MAX: Self = 38.6; // 38.6·Φ(-38.6) < 2^-1075
    const R_NUMERATOR: &'static [Self] = &F64_NUMERATOR;
    const R_DENOMINATOR: &'static [Self] = &F64_DENOMINATOR;
    const R_NUMERATOR_REVERSED: &'static [Self] = &reversed(F64_NUMERATOR);
    const R_DENOMINATOR_REVERSED: &'static [Self] = &reversed(F64_DENOMINATOR);
}

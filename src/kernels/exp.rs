//! `e^x`: Cody–Waite range reduction and a minimax polynomial.
//!
//! - Reduction: `k = round(x / ln 2)` (by adding and subtracting
//!   `1.5 · 2^mantissa_bits`), `r = x - k·ln 2` with `ln 2` split into
//!   `LN2_HI`, whose trailing bits are zero so that `k·LN2_HI` is exact,
//!   and `LN2_LO`; then `|r| ≤ ln2/2 ≈ 0.3466` and `e^x = 2^k · e^r`.
//! - Polynomial: `e^r ≈ 1 + r·P(r)`, `P` of degree 5 for `f32` and 10 for
//!   `f64`, fitted by the Remez exchange algorithm (minimax absolute error
//!   of `P` on `[-0.3468, 0.3468]`, then rounded to the type): `P` is within
//!   2^-25.3 (f32) and 2^-55.4 (f64) of `(e^r - 1)/r`, so the relative error
//!   of `e^r` before the last rounding is below 2^-26.8 and 2^-56.9 — under
//!   0.15 ULP. The last Horner step rounds once more (0.5 ULP).
//! - Scaling by `2^k` is exact ([`Vector::scale_pow2_where`]), or rounds
//!   once into the subnormal range. `x` is clamped to `EXP_MAX`, above
//!   which `e^x` overflows, and below `EXP_MIN`, where it rounds to 0, the
//!   result is set to 0 by the scaling's mask without computing a value
//!   that underflows. So `e^-inf = 0`, `e^inf = inf`, and NaN stays NaN.
//!
//! Measured: at most 1 ULP from the rounded result on every `f32` input,
//! every path; 0.89 ULP before rounding on 10^8 random `f64` inputs (1.21
//! on the portable path).

use super::vector::{Elementwise, Vector, horner, splat};

/// The constants of `e^x` for one float type.
pub(crate) trait ExpConstants: Sized + 'static {
    /// `log2(e)`.
    const LOG2_E: Self;
    /// `ln 2` rounded to a value with trailing zero bits, so `k·LN2_HI` is
    /// exact for every `k` the reduction produces.
    const LN2_HI: Self;
    /// `ln 2 - LN2_HI`.
    const LN2_LO: Self;
    /// `1.5 · 2^mantissa_bits`: `(t + ROUND) - ROUND` rounds `t` to an
    /// integer (for `|t| < 2^(mantissa_bits - 1)`).
    const ROUND: Self;
    /// Below this `e^x` rounds to 0 (and `2^k` stays within
    /// [`Vector::scale_pow2`]'s range).
    const EXP_MIN: Self;
    /// Above this `e^x` overflows.
    const EXP_MAX: Self;
    /// `P`, lowest degree first: `e^r ≈ 1 + r·P(r)`.
    const EXP_POLY: &'static [Self];
    /// `P₂`, lowest degree first: `e^2r ≈ 1 + r·P₂(r)`, with
    /// `P₂(r) = 2·P(2r)`, the coefficients of `P` times powers of two, so
    /// that it rounds exactly as `P` at `2r`.
    const EXP_2X_POLY: &'static [Self];
}

/// `P` for `f32` (see [`ExpConstants::EXP_POLY`]).
const F32_EXP_POLY: [f32; 6] = [
    1.0e+00,
    5.0e-01,
    1.666_650_5e-1,
    4.166_624e-2,
    8.369_187e-3,
    1.394_864_3e-3,
];

/// `P` for `f64` (see [`ExpConstants::EXP_POLY`]).
const F64_EXP_POLY: [f64; 11] = [
    1.0,
    0.500_000_000_000_000_6,
    0.166_666_666_666_666_9,
    0.041_666_666_666_572_76,
    0.008_333_333_333_312_976,
    0.001_388_888_893_262_195_8,
    0.000_198_412_699_054_928_93,
    2.480_150_417_825_825_4e-5,
    2.755_722_621_925_160_2e-6,
    2.762_642_733_078_023e-7,
    2.511_493_374_505_277_6e-8,
];

/// `c[j]·2^(j+1)` for every `j`: exact.
const fn f32_doubled_argument<const N: usize>(c: [f32; N]) -> [f32; N] {
    let mut out = c;
    let (mut j, mut scale) = (0, 2.0);
    while j < N {
        out[j] = c[j] * scale;
        scale *= 2.0;
        j += 1;
    }
    out
}

/// `c[j]·2^(j+1)` for every `j`: exact.
const fn f64_doubled_argument<const N: usize>(c: [f64; N]) -> [f64; N] {
    let mut out = c;
    let (mut j, mut scale) = (0, 2.0);
    while j < N {
        out[j] = c[j] * scale;
        scale *= 2.0;
        j += 1;
    }
    out
}

impl ExpConstants for f32 {
    const LOG2_E: Self = std::f32::consts::LOG2_E;
    const LN2_HI: Self = 0.693_145_75; // 0x3f317200: 16 significant bits
    const LN2_LO: Self = 1.428_606_8e-6;
    const ROUND: Self = 12_582_912.0; // 1.5 · 2^23
    const EXP_MIN: Self = -104.0; // e^-104 < 2^-150: rounds to 0
    const EXP_MAX: Self = 89.0; // e^89 > f32::MAX
    const EXP_POLY: &'static [Self] = &F32_EXP_POLY;
    const EXP_2X_POLY: &'static [Self] = &f32_doubled_argument(F32_EXP_POLY);
}

impl ExpConstants for f64 {
    const LOG2_E: Self = std::f64::consts::LOG2_E;
    const LN2_HI: Self = 6.931_471_803_691_238_e-1; // 0x3fe62e42fee00000
    const LN2_LO: Self = 1.908_214_929_270_587_7e-10;
    const ROUND: Self = 6_755_399_441_055_744.0; // 1.5 · 2^52
    const EXP_MIN: Self = -746.0; // e^-746 < 2^-1075: rounds to 0
    const EXP_MAX: Self = 710.0; // e^710 > f64::MAX
    const EXP_POLY: &'static [Self] = &F64_EXP_POLY;
    const EXP_2X_POLY: &'static [Self] = &f64_doubled_argument(F64_EXP_POLY);
}

/// `(k, r)` with `k = round(x / ln 2)` and `r = x - k·ln 2`, `|r| ≤ 0.347`.
#[inline(always)]
pub(crate) fn reduce<V: Vector<Scalar: ExpConstants>>(x: V) -> (V, V) {
    let round = V::splat(V::Scalar::ROUND);
    let k = x.mul_add(V::splat(V::Scalar::LOG2_E), round).sub(round);
    let r = k.neg_mul_add(V::splat(V::Scalar::LN2_HI), x);
    let r = k.neg_mul_add(V::splat(V::Scalar::LN2_LO), r);
    (k, r)
}

/// `e^x` for `x ≤ EXP_MAX` or NaN: `+0` below `EXP_MIN`, where no value
/// that would underflow is computed (see [`Vector::scale_pow2_where`]).
#[inline(always)]
pub(crate) fn exp_up_to_max<V: Vector<Scalar: ExpConstants>>(x: V) -> V {
    let low = V::splat(V::Scalar::EXP_MIN);
    let (k, r) = reduce(low.max(x));
    let e_r = horner(r, V::Scalar::EXP_POLY).mul_add(r, splat(1.0));
    e_r.scale_pow2_where(k, x.gt_or_nan(low))
}

/// `e^x` lane by lane, for every `x`.
#[derive(Clone, Copy)]
pub(crate) struct Exp;

impl<V: Vector<Scalar: ExpConstants>> Elementwise<V> for Exp {
    #[inline(always)]
    fn apply(self, x: V) -> V {
        exp_up_to_max(V::splat(V::Scalar::EXP_MAX).min(x))
    }
}

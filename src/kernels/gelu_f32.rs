//! The exact gelu for `f32` results, `x·Φ(x)`, evaluated in `f64` lanes
//! with the precision an `f32` needs (2^-26 relative; gelu_f64.rs holds
//! `f64` results to 1 ULP, with scalar code): the AVX2 and portable
//! kernel. AVX-512 has one in `f32` lanes, twice as fast and within 2 ULP
//! (avx512/gelu_table.rs).
//!
//! With `a = |x|` and `t = a·Φ(-a) = a·R(a)·e^(-a²/2)` (`R` Mills' ratio over √2π),
//! `gelu(x) = x - t` for `x > 0` and `-t` otherwise, so that no step
//! cancels. In `f64`, every step is far more exact than an `f32` result
//! needs:
//!
//! - `-a²/2` is exact (`a` has 24 significant bits, `a²` 48);
//! - `e^(-a²/2) = 2^k·e^r` by exp.rs's reduction, `e^r ≈ 1 + r·E(r)`, `E`
//!   of degree 5 fitted for relative error (Lawson iterations on
//!   Chebyshev nodes): within 2^-27.4;
//! - `R(a) ≈ P(a)/Q(a)`, degrees 4/5 fitted the same way for relative error
//!   on `[0, 14.5]`: within 2^-27.3; the quotient through
//!   [`Vector::reciprocal`] (within 2^-27);
//! - the roundings of the `f64` products, a few units of 2^-53.
//!
//! So `t` is within 2^-26 relative: with the subtraction and the final
//! rounding to `f32`, at most 0.25 ULP plus the last rounding, within 1 ULP
//! of the rounded result (measured: tests/exhaustive.rs, figures in
//! docs/performance.md).
//!
//! Above `a = 14.5`, `t` rounds to 0 in `f32` (`14.5·Φ(-14.5) < 2^-151`)
//! and is set to 0 by the scaling's mask: `gelu(x) = x` for large positive
//! `x`, `-0` for large negative `x`. NaN gives NaN, `gelu(inf) = inf`, and
//! `gelu(-inf)` is NaN, as `x·Φ(x) = -inf·0` in TensorFlow.

use super::exp::reduce;
use super::vector::{Elementwise, Vector, horner, map_in_place, splat};

/// From here on `a·Φ(-a)` rounds to 0 in `f32` (`14.5·Φ(-14.5) < 2^-151`):
/// the clamp of this kernel and avx512/gelu_table.rs's.
pub(crate) const A_MAX: f32 = 14.5;

/// `E`, lowest degree first: `e^r ≈ 1 + r·E(r)` on `|r| ≤ ln2/2`.
const EXP_POLY: [f64; 6] = [
    1.0,
    0.499_999_981_535_861_84,
    0.166_665_436_261_239_7,
    0.041_667_200_051_137_41,
    0.008_366_519_626_674_883,
    0.001_388_250_566_447_546_1,
];

/// `P`, lowest degree first: `R(a) ≈ P(a)/Q(a)`.
const R_NUMERATOR: [f64; 5] = [
    0.500_000_002_942_147_5,
    0.438_289_925_595_760_5,
    0.183_230_755_341_234_12,
    0.040_631_562_345_838_56,
    0.004_116_011_823_750_001,
];

/// `Q`, lowest degree first.
const R_DENOMINATOR: [f64; 6] = [
    1.0,
    1.674_464_831_294_935,
    1.202_486_366_400_927_3,
    0.469_458_911_464_444_13,
    0.101_854_668_843_261_87,
    0.010_317_191_912_446_792,
];

/// The exact gelu of `f32` values held in `f64` lanes, within 2^-26
/// relative before the rounding to `f32`.
#[derive(Clone, Copy)]
struct GeluForF32;

impl<V: Vector<Scalar = f64>> Elementwise<V> for GeluForF32 {
    #[inline(always)]
    fn apply(self, x: V) -> V {
        let a_max = V::splat(f64::from(A_MAX));
        let a = x.abs();
        // `min` returns its second operand if either is NaN: NaN stays.
        let clamped = a_max.min(a);
        let (k, r) = reduce(clamped.mul(clamped.mul(splat(-0.5))));
        let e_r = horner(r, &EXP_POLY).mul_add(r, splat(1.0));
        let numerator = clamped.mul(horner(clamped, &R_NUMERATOR));
        let quotient = numerator.mul(horner(clamped, &R_DENOMINATOR).reciprocal());
        let t = quotient.mul(e_r).scale_pow2_where(k, a_max.gt_or_nan(a));
        // x - t for x > 0, -t otherwise (`max` gives 0 for NaN, and `t`
        // is NaN there); the sign of `x` makes the underflows -0.
        let gelu = splat::<V>(0.0).max(x).sub(t).or_sign(x);
        V::select(x.eq(V::splat(f64::NEG_INFINITY)), V::splat(f64::NAN), gelu)
    }
}

/// The `f32` gelu: [`GeluForF32`] on blocks widened to `f64` (exact),
/// rounded once to `f32` at the end.
#[inline(always)]
pub(crate) fn through_f64<V: Vector<Scalar = f64>>(xs: &mut [f32]) {
    const BLOCK: usize = 256;
    let mut wide = [0.0_f64; BLOCK];
    for chunk in xs.chunks_mut(BLOCK) {
        let wide = &mut wide[..chunk.len()];
        for (w, &x) in wide.iter_mut().zip(chunk.iter()) {
            *w = f64::from(x);
        }
        map_in_place::<V>(wide, GeluForF32);
        for (x, &w) in chunk.iter_mut().zip(wide.iter()) {
            *x = w as f32;
        }
    }
}

//! `ln(1 + x)`, as fdlibm's `log1p`, without branches:
//!
//! - `u = 1 + x` rounded, and its rounding error `c` exactly (TwoSum);
//!   `ln(1 + x) = ln(u) + ln(1 + c/u) ≈ ln(u) + c/u`.
//! - `u = 2^k · m` with `m ∈ [√½, √2)` ([`Vector::split_exponent`]),
//!   `f = m - 1` exact, so `ln(u) = k·ln 2 + ln(1 + f)`.
//! - `s = f / (2 + f)`, `|s| ≤ 0.1716`: `ln(1 + f) = 2·atanh(s)
//!   = 2s + s·R` with `R = z·P(z)`, `z = s²`. `P` has degree 2 (f32) or 6
//!   (f64), a Remez minimax fit of `(2·atanh(s) - 2s)/(s·z)` on
//!   `[0, 0.02944]` within 2^-22.3 (f32) and 2^-51.5 (f64); `R` is a
//!   correction of relative size `z/3 < 0.01` in the result, so this adds
//!   under 2^-28 / 2^-57.
//! - As fdlibm, `2s = f - s·f` is rewritten so the exact `f` leads:
//!   `ln(1 + f) = f - (h - s·(h + R))` with `h = f²/2`, and `k·ln 2` is
//!   added as `k·LN2_HI` (exact) plus `k·LN2_LO`: about 1 ULP. Measured:
//!   at most 1 ULP from the rounded result on every `f32` input, 1.2 ULP
//!   before rounding on 10^8 random `f64` inputs.
//!
//! Special values are selected at the end: `ln(1 + -1) = -inf`, `x < -1`
//! and NaN give NaN, `+inf` gives `+inf`, and the sign of `x` is ORed in so
//! that `log1p(-0) = -0` (tiny `x` give `x`).

use super::exp::ExpConstants;
use super::vector::{Elementwise, Lane, Vector, horner, splat};

/// The constants of `ln(1 + f)` for one float type.
pub(crate) trait LogConstants: Sized + 'static {
    /// `P`, lowest degree first: `2·atanh(s) ≈ 2s + s·z·P(z)`, `z = s²`.
    const LOG_POLY: &'static [Self];
}

impl LogConstants for f32 {
    const LOG_POLY: &'static [Self] = &[6.666_668_7e-1, 3.998_870_8e-1, 2.958_256_6e-1];
}

impl LogConstants for f64 {
    const LOG_POLY: &'static [Self] = &[
        0.666_666_666_666_667,
        0.399_999_999_998_981_95,
        0.285_714_286_265_115_36,
        0.222_222_110_545_575_1,
        0.181_828_945_479_707_8,
        0.153_315_528_567_536_47,
        0.146_184_169_605_929_98,
    ];
}

/// `ln(1 + x)` lane by lane.
#[derive(Clone, Copy)]
pub(crate) struct Log1p;

impl<V: Vector<Scalar: ExpConstants + LogConstants>> Elementwise<V> for Log1p {
    #[inline(always)]
    fn apply(self, x: V) -> V {
        let one = splat::<V>(1.0);
        let u = one.add(x);
        // TwoSum: 1 + x = u + c exactly.
        let x_part = u.sub(one);
        let c = one.sub(u.sub(x_part)).add(x.sub(x_part));
        let (m, k) = u.split_exponent();
        // c/u as c·(1/u): a division of a tiny c would go through
        // subnormal residuals.
        let y = ln_from_parts(m, k, c.mul(one.div(u))).or_sign(x);

        let infinity = splat::<V>(f64::INFINITY);
        let minus_one = splat::<V>(-1.0);
        let y = V::select(x.eq(infinity), infinity, y);
        let at_or_below_minus_one = V::select(
            x.eq(minus_one),
            splat(f64::NEG_INFINITY),
            V::splat(V::Scalar::NAN),
        );
        V::select(x.gt(minus_one), y, at_or_below_minus_one)
    }
}

/// `ln(m·2^k) + low` for `(m, k)` from [`Vector::split_exponent`] and a
/// `low` far below the result's ULP (a rounding error to fold in, or 0):
/// the reduction and polynomial of this file's header, shared with ln.rs.
#[inline(always)]
pub(crate) fn ln_from_parts<V: Vector<Scalar: ExpConstants + LogConstants>>(
    m: V,
    k: V,
    low: V,
) -> V {
    let one = splat::<V>(1.0);
    let f = m.sub(one);
    let s = f.div(splat::<V>(2.0).add(f));
    let z = s.mul(s);
    let r = z.mul(horner(z, V::Scalar::LOG_POLY));
    let h = splat::<V>(0.5).mul(f).mul(f);
    let low = k.mul_add(V::splat(V::Scalar::LN2_LO), low);
    let log_1_f = f.sub(h.sub(s.mul_add(h.add(r), low)));
    k.mul_add(V::splat(V::Scalar::LN2_HI), log_1_f)
}

/// `ln(1 + x)` for `x ∈ [0, 1]` or NaN (anything else gives an unspecified
/// value): [`Log1p`] without its special values, for the fused kernels
/// (softplus.rs). With `|x| ≤ 1`, Fast2Sum gives the rounding error of
/// `1 + x` exactly.
#[inline(always)]
pub(crate) fn log1p_unit<V: Vector<Scalar: ExpConstants + LogConstants>>(x: V) -> V {
    let one = splat::<V>(1.0);
    let u = one.add(x);
    let c = x.sub(u.sub(one));
    let (m, k) = u.split_exponent();
    ln_from_parts(m, k, c.mul(one.div(u)))
}

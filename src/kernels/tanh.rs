//! `tanh(x)` on `a = |x|`, with the sign of `x` put back at the end (so
//! `tanh(-0) = -0`), in two ranges split where `tanh(a) = 1/2`:
//!
//! - `a < atanh(1/2) ≈ 0.5493`: the odd polynomial `a + a³·Q(a²)`, `Q` of
//!   degree 4 (f32) or 10 (f64), a Remez minimax fit of
//!   `(tanh(a) - a)/a³` on `z = a² ∈ [0, 0.3020]` within 2^-25.6 (f32) and
//!   2^-55.6 (f64), so `a³·Q` adds under 2^-27 / 2^-57 relative error. Tiny
//!   and subnormal `a` give `a` exactly.
//! - `a ≥ 0.5493`: `1 - 2 / (1 + e^2a)`, with `e^2a` by exp.rs's method
//!   (see [`exp_2x`]) and one division. The result is at least 1/2 and
//!   the subtracted term at most 1/2, so the errors of `e^2a`, of
//!   `1 + e^2a` and of the division (0.5 ULP each, of the term) count at
//!   most half in the result's ULP: at most 2 ULP before the final
//!   rounding, 2.25 with the one-step reduction of `f64`. `a` is clamped at
//!   `TANH_MAX`, beyond which the result rounds to exactly 1 (so
//!   `tanh(±inf) = ±1`).
//!
//! Both ranges are computed for every lane and one is selected; NaN gives
//! NaN. Measured: at most 2 ULP from the rounded result on every `f32`
//! input (1 on the portable path), reached just above the split; 1.67 ULP
//! before rounding on 10^8 random `f64` inputs.
//!
//! The AVX-512 path computes the `f32` tanh otherwise, by a table of
//! polynomials (avx512/tanh_table.rs): 20 operations per register where
//! this takes 27.

use super::exp::ExpConstants;
use super::vector::{Elementwise, Lane, Vector, horner, splat};

/// The constants of `tanh` for one float type.
pub(crate) trait TanhConstants: Sized + 'static {
    /// `atanh(1/2)`: below it, the polynomial; above, the exponential.
    const TANH_SMALL: Self;
    /// Beyond this `tanh` rounds to 1.
    const TANH_MAX: Self;
    /// `Q`, lowest degree first: `tanh(a) ≈ a + a³·Q(a²)`.
    const TANH_POLY: &'static [Self];
}

impl TanhConstants for f32 {
    const TANH_SMALL: Self = 0.549_306_15;
    const TANH_MAX: Self = 10.0; // 1 - tanh(9.1) < 2^-25
    const TANH_POLY: &'static [Self] = &[
        -3.333_333e-1,
        1.333_312_2e-1,
        -5.391_101_5e-2,
        2.131_805_2e-2,
        -6.625_008e-3,
    ];
}

impl TanhConstants for f64 {
    const TANH_SMALL: Self = 0.549_306_144_334_054_9;
    const TANH_MAX: Self = 20.0; // 1 - tanh(19.1) < 2^-54
    const TANH_POLY: &'static [Self] = &[
        -0.333_333_333_333_333_3,
        0.133_333_333_333_327_53,
        -0.053_968_253_967_477_96,
        0.021_869_488_495_573_616,
        -0.008_863_234_439_806_316,
        0.003_592_110_909_660_751,
        -0.001_455_665_915_657_257_8,
        0.000_588_955_499_917_006_7,
        -0.000_234_690_660_822_645_46,
        8.520_211_860_373_911e-5,
        -2.066_291_735_149_343e-5,
    ];
}

/// `e^2a` for `a ∈ [0, TANH_MAX]`, reduced in one fused step:
/// `k = round(2a / ln 2)`, `r = a - k·(ln2 / 2)` with `ln2 / 2` rounded to
/// the type, then `2^k·(1 + r·P₂(r))` ([`ExpConstants::EXP_2X_POLY`]). The
/// rounding of `ln2 / 2` shifts `r` by `k` times 2^-30 (f32) or 2^-56
/// (f64); in `1 - 2 / (1 + e^2a)` that counts `2^(1-k)` times, so at most
/// 0.25 ULP (at `k = 2`, `f64`), and less for `f32`.
#[inline(always)]
fn exp_2x<V: Vector<Scalar: ExpConstants>>(a: V) -> V {
    let round = V::splat(V::Scalar::ROUND);
    let k = a
        .mul_add(splat(2.0 * std::f64::consts::LOG2_E), round)
        .sub(round);
    let r = k.neg_mul_add(splat(std::f64::consts::LN_2 / 2.0), a);
    let e_2r = horner(r, V::Scalar::EXP_2X_POLY).mul_add(r, splat(1.0));
    e_2r.scale_pow2(k)
}

/// `tanh(x)` lane by lane.
#[derive(Clone, Copy)]
pub(crate) struct Tanh;

impl<V: Vector<Scalar: ExpConstants + TanhConstants>> Elementwise<V> for Tanh {
    #[inline(always)]
    fn apply(self, x: V) -> V {
        let one = splat::<V>(1.0);
        let a = x.abs();
        // a + a·(z·Q(z)) with one rounding; `z` from `a` raised to 2^-30,
        // so that no product underflows (tanh(a) = a there anyway).
        let a_floor = V::splat(V::Scalar::from_f64(9.313_225_746_154_785e-10)).max(a);
        let z = a_floor.mul(a_floor);
        let small = a.mul_add(z.mul(horner(z, V::Scalar::TANH_POLY)), a);
        let clamped = V::splat(V::Scalar::TANH_MAX).min(a);
        let e_2a = exp_2x(clamped);
        let large = one.div(one.add(e_2a)).neg_mul_add(splat(2.0), one);
        V::select(a.lt(V::splat(V::Scalar::TANH_SMALL)), small, large).or_sign(x)
    }
}

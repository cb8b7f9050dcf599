//! Keras's tanh form of gelu (`approximate=True`),
//! `x/2·(1 + tanh(u))`, `u = √(2/π)·(x + 0.044715·x³)`, computed as
//! `x·σ(2u)`, which does not cancel where `tanh(u) → -1`.
//!
//! - `2u = x·(C1 + C3·x²)` (`C1 = 2√(2/π)`, `C3 = 0.044715·C1`, each as a
//!   sum of two floats) in double-word arithmetic ([`doubled_argument`]):
//!   for `x < 0`, `σ(2u) ≈ e^(2u)`, whose relative error is the absolute
//!   error of `2u`, up to 87 where the `f32` result is normal; one rounding
//!   of `2u` alone would cost 2^-18.
//! - From `TAIL` up: `x / D`, `D = 1 + e^(-2u)`, with `e^(-2u) = 2^k·(1 + ρ)`
//!   (exp.rs's reduction, the low word of `2u` folded into `r` in one
//!   rounding, and silu.rs's `ρ`) and `D = 1 + 2^k·(1 + ρ)` rounded once,
//!   as `2^k·ρ + (1 + 2^k)` up to `k = 16` and `2^k·(ρ + 2^-k) + 2^k`
//!   above (`1 + 2^k` rounds from `k = 24` on: with it, 3 ULP were
//!   measured near `x = -4.9`): the error analysis of silu.rs's main
//!   evaluation, at most 1.3 ULP before the last rounding.
//! - Below `TAIL` (-10 for `f32`, -20 for `f64`), where `1 + e^(2u)` rounds
//!   to 1 and `e^(-2u)` leaves the division's range: `x·e^(2u) = 2^k·(x +
//!   x·ρ)` from the reduction of `2u`, `2^k` applied last, so that a
//!   subnormal result rounds once; zero where `e^(2u)` rounds to 0. Only
//!   registers that hold such a lane compute it.
//!
//! Above `SATURATION` (10), where the result rounds to `x` in both types,
//! it is `x`. `gelu(inf) = inf`, `gelu(-inf)` is NaN (TensorFlow's
//! `-inf·0`), NaN gives NaN, the sign of zero is kept. Measured: see
//! tests/exhaustive.rs (figures in docs/performance.md).

use super::exp::ExpConstants;
use super::silu::fused_rho;
use super::vector::{Elementwise, Lane, Vector, splat};

/// The constants of the tanh form for one float type.
pub(crate) trait GeluTanhConstants: Sized + 'static {
    /// `2√(2/π)` as a sum of two values.
    const SLOPE: (Self, Self);
    /// `2√(2/π)·0.044715` as a sum of two values.
    const CUBIC: (Self, Self);
    /// Below this, the tail evaluation.
    const TAIL: Self;
    /// Below this `2u`, `x·e^2u` rounds to 0 for `|x| ≤ 64`.
    const TAIL_ZERO: Self;
}

impl GeluTanhConstants for f32 {
    const SLOPE: (Self, Self) = (1.595_769_2, -4.534_068e-8);
    const CUBIC: (Self, Self) = (0.071_354_814, 2.398_832_5e-9);
    // 2u(-10) = -87.31: 1 + e^2u rounds to 1, e^-2u = 2^125.96 (so `D`
    // stays below 2^126, in `Vector::div`'s range), and x/D > 2^-123 is
    // normal, rounded once. Inputs in [-10, 10], where nearly all
    // activations lie, never take the tail.
    const TAIL: Self = -10.0;
    // 64·e^-110 < 2^-150.
    const TAIL_ZERO: Self = -110.0;
}

impl GeluTanhConstants for f64 {
    const SLOPE: (Self, Self) = (1.595_769_121_605_730_8, -9.969_308_809_110_92e-17);
    const CUBIC: (Self, Self) = (0.071_354_816_272_600_25, -6.175_149_918_155_315e-19);
    // 2u(-20) = -603: 1 + e^2u rounds to 1, e^-2u < 2^870.
    const TAIL: Self = -20.0;
    // 64·e^-752 < 2^-1075.
    const TAIL_ZERO: Self = -752.0;
}

/// Veltkamp's split, for exact products without FMA.
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

/// Above this the result rounds to `x` (`e^-2u < 2^-125`).
const SATURATION: f64 = 10.0;

/// `(h, m)` with `2u = h - m` for `|x| ≤ 2^40`, within a few units of
/// 2^-2p relative (`p` the type's precision): `x²` and `C3·x²` as exact
/// products, `C1 + C3·x²` by Fast2Sum (the larger first), the small terms
/// summed in the low word, and the product by `x` exact again.
#[inline(always)]
fn doubled_argument<V: Vector<Scalar: GeluTanhConstants + SplitConstant>>(x: V) -> (V, V) {
    let (c1, c1_lo) = V::Scalar::SLOPE;
    let (c3, c3_lo) = V::Scalar::CUBIC;
    let (c1, c3) = (V::splat(c1), V::splat(c3));
    // Each product `a·b = p - d`.
    let (s, s_d) = product_and_error(x, x);
    let (c, c_d) = product_and_error(c3, s);
    let sum = c1.add(c);
    let (big, small) = (c1.max(c), c1.min(c));
    let sum_lo = small.sub(sum.sub(big));
    let low = V::splat(c3_lo).mul_add(s, V::splat(c1_lo));
    let low = c3.neg_mul_add(s_d, low).sub(c_d).add(sum_lo);
    let (h, h_d) = product_and_error(x, sum);
    (h, x.neg_mul_add(low, h_d))
}

/// `(k, r)` with `z - m = k·ln 2 + r`, `r` rounded once: `z - k·LN2_HI` is
/// exact, and `k·LN2_LO + m` is small.
#[inline(always)]
fn reduce_difference<V: Vector<Scalar: ExpConstants>>(z: V, m: V) -> (V, V) {
    let round = V::splat(V::Scalar::ROUND);
    let k = z.mul_add(V::splat(V::Scalar::LOG2_E), round).sub(round);
    let r = k.neg_mul_add(V::splat(V::Scalar::LN2_HI), z);
    (k, r.sub(k.mul_add(V::splat(V::Scalar::LN2_LO), m)))
}

/// The tanh form of gelu lane by lane.
#[derive(Clone, Copy)]
pub(crate) struct GeluTanh;

impl<V> Elementwise<V> for GeluTanh
where
    V: Vector<Scalar: ExpConstants + GeluTanhConstants + SplitConstant>,
{
    #[inline(always)]
    fn apply(self, x: V) -> V {
        let one = splat::<V>(1.0);
        // -2u, from -x (2u is odd), raised to EXP_MIN (`max` returns its
        // second operand if either is NaN): lanes above SATURATION are
        // replaced by `x` below.
        let (z, m) = doubled_argument(x.mul(splat(-1.0)));
        let (k, r) = reduce_difference(V::splat(V::Scalar::EXP_MIN).max(z), m);
        // D = 2^k·(ρ + c) + (2^k + d) in one rounding, the sum in the
        // second bracket exact: c = 0, d = 1 up to k = 16, c = 2^-k, d = 0
        // above (where 1 + 2^k would round from k = 24 on, and ρ + 2^-k
        // rounds by at most 2^-26).
        let scale = one.scale_pow2(k);
        let large = k.gt(splat(16.0));
        let inverse = one.scale_pow2_where(k.mul(splat(-1.0)), large);
        let whole = scale.add(V::select(large, splat(0.0), one));
        let denominator = scale.mul_add(fused_rho(r).add(inverse), whole);
        let y = x.div(denominator).or_sign(x);
        let y = V::select(x.gt(splat(SATURATION)), x, y);
        let tail = x.lt(V::splat(V::Scalar::TAIL));
        if V::any(tail) {
            V::select(tail, far_tail(x), y)
        } else {
            y
        }
    }
}

/// The tanh form below `TAIL` (and NaN at `-inf`): `x·e^(2u)`.
#[inline(always)]
fn far_tail<V>(x: V) -> V
where
    V: Vector<Scalar: ExpConstants + GeluTanhConstants + SplitConstant>,
{
    // Below -64 the result is 0: clamped, so that no product overflows.
    let clamped = splat::<V>(-64.0).max(x);
    let (h, m) = doubled_argument(clamped);
    let low = V::splat(V::Scalar::TAIL_ZERO);
    let (k, r) = reduce_difference(low.max(h), m);
    let y = clamped
        .mul_add(fused_rho(r), clamped)
        .scale_pow2_where(k, h.gt_or_nan(low))
        .or_sign(x);
    V::select(
        x.eq(V::splat(V::Scalar::NEG_INFINITY)),
        V::splat(V::Scalar::NAN),
        y,
    )
}

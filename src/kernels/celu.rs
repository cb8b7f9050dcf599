//! `celu(x) = x` for `x > 0`, `alpha·(e^(x/alpha) - 1)` otherwise (Keras's
//! `max(0, x) + min(0, alpha·(e^(x/alpha) - 1))`).
//!
//! - `t = x / alpha` by one division, `x` first clamped at
//!   `alpha·EXPM1_MIN`, below which the result rounds to `-alpha`. The
//!   rounding of `t` is undone to first order: with the residual
//!   `d = x - alpha·t` (exact with FMA), `alpha·(e^(x/alpha) - 1) =
//!   alpha·(e^t - 1) + d·e^t` up to `d²/alpha`, far below an ULP; both
//!   terms go into one fused step. Without FMA (the portable path) `d`
//!   carries the product's rounding, so the division error stays, at most
//!   0.5 ULP more (the condition number of `e^t - 1`,
//!   `t·e^t / (e^t - 1)`, is at most 1 for `t ≤ 0`).
//! - `e^t - 1` is elu.rs's
//!   [`expm1_nonpositive`](super::elu::expm1_nonpositive) (within 1 ULP),
//!   times `alpha` (0.5 ULP, the final rounding).
//! - Where `|t| < 2^-26` (f32) or `2^-55` (f64), `celu(x) = x·(1 + t/2 + …)`
//!   rounds to `x`, which is returned as is (without FMA, a subnormal
//!   `t` would lose bits that the product with a large `alpha` cannot
//!   bring back).
//!
//! `celu(-inf) = -alpha` exactly (the clamp of `e^t - 1` at `-1`),
//! `celu(-0) = -0`, NaN gives NaN. Accurate for `alpha` between 2^-100 and
//! 2^100 (the division's range).

use super::elu::{ExpM1Constants, expm1_nonpositive};
use super::exp::ExpConstants;
use super::vector::{Elementwise, Vector, splat};

/// The constant of `celu` for one float type.
pub(crate) trait CeluConstants: Sized + 'static {
    /// Below this `|x / alpha|`, `celu(x)` rounds to `x`.
    const CELU_TINY: Self;
}

impl CeluConstants for f32 {
    const CELU_TINY: Self = 1.490_116_1e-8; // 2^-26
}

impl CeluConstants for f64 {
    const CELU_TINY: Self = 2.775_557_561_562_891_4e-17; // 2^-55
}

/// `celu(x)` lane by lane.
#[derive(Clone, Copy)]
pub(crate) struct Celu<V> {
    /// `alpha` in every lane.
    pub(crate) alpha: V,
}

impl<V: Vector<Scalar: ExpConstants + ExpM1Constants + CeluConstants>> Elementwise<V> for Celu<V> {
    #[inline(always)]
    fn apply(self, x: V) -> V {
        // Clamped first where the result is -alpha anyway: the division
        // (a refined reciprocal on AVX) must not meet an infinity.
        let floor = self.alpha.mul(V::splat(V::Scalar::EXPM1_MIN));
        let x_clamped = floor.max(x);
        let t = x_clamped.div(self.alpha);
        // x = alpha·t + residual (exactly, with FMA), and
        // alpha·(e^(t + residual/alpha) - 1) ≈ alpha·(e^t - 1) + residual·e^t.
        let residual = t.neg_mul_add(self.alpha, x_clamped);
        let em1 = expm1_nonpositive(t);
        let negative = self.alpha.mul_add(em1, residual.mul(em1.add(splat(1.0))));
        let tiny = t.abs().lt(V::splat(V::Scalar::CELU_TINY));
        V::select(x.gt(splat(0.0)), x, V::select(tiny, x, negative))
    }
}

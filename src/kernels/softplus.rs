//! `softplus(x) = ln(1 + e^x) = max(x, 0) + ln(1 + e^-|x|)`, and
//! `log_sigmoid(x) = -softplus(-x)`, fused from exp.rs and log1p.rs.
//!
//! `e = e^-|x| ∈ [0, 1]` never overflows (below `EXP_MIN` it is exactly
//! 0) and `ln(1 + e)` ([`log1p_unit`]) never sees 0 in its logarithm:
//! `softplus(-inf) = 0`, `softplus(inf) = inf`, and for `x → -inf` the
//! result is `ln(1 + e) = e` to the last bit, subnormal below about -87.3
//! for `f32` (the only range where a value underflows, because the result
//! does). Errors: `e` within 0.65 ULP, which reaches `ln(1 + e)` scaled by
//! `e / ((1 + e)·ln(1 + e)) ≤ 1`; `ln(1 + e)` about 1 ULP; the sum with
//! `max(x, 0) ≥ 0` adds one rounding and no cancellation. Measured: see
//! tests/exhaustive.rs and random_f64.rs (figures in docs/performance.md).
//! NaN gives NaN.

use super::exp::{ExpConstants, exp_up_to_max};
use super::log1p::{LogConstants, log1p_unit};
use super::vector::{Elementwise, Vector, splat};

/// `softplus(x)` for every `x`.
#[inline(always)]
fn softplus<V: Vector<Scalar: ExpConstants + LogConstants>>(x: V) -> V {
    let log1p_e = log1p_unit(exp_up_to_max(x.or_sign(splat(-0.0))));
    // `max` returns its second operand for a NaN `x`; `log1p_e` is NaN then.
    x.max(splat(0.0)).add(log1p_e)
}

/// `softplus(x)` lane by lane.
#[derive(Clone, Copy)]
pub(crate) struct Softplus;

impl<V: Vector<Scalar: ExpConstants + LogConstants>> Elementwise<V> for Softplus {
    #[inline(always)]
    fn apply(self, x: V) -> V {
        softplus(x)
    }
}

/// `log_sigmoid(x) = -softplus(-x)` lane by lane: `-0` for large `x`.
#[derive(Clone, Copy)]
pub(crate) struct LogSigmoid;

impl<V: Vector<Scalar: ExpConstants + LogConstants>> Elementwise<V> for LogSigmoid {
    #[inline(always)]
    fn apply(self, x: V) -> V {
        let minus_zero = splat::<V>(-0.0);
        minus_zero.sub(softplus(minus_zero.sub(x)))
    }
}

//! Adam's update of one weight array (src/optimizer/adam.rs), one pass
//! over the weights, the gradient and both moments:
//!
//! ```text
//! m ← m + (g - m)·(1 - β₁)
//! v ← v + (g² - v)·(1 - β₂)
//! w ← w - m·α / (√v + ε)
//! ```
//!
//! Bit for bit the scalar loop: every operation is IEEE's, in the same
//! order, with the hardware's correctly rounded square root and division
//! and no fused multiply-add. What the vectors save is the latency of the
//! division and square root, which the scalar loop (SSE2 in the user's
//! crate, four lanes) waited on for every four weights: 22 % of the
//! digits recipe's epoch.

use super::vector::{Lane, Vector};

/// The constants of one step: `1 - β₁`, `1 - β₂`, the step size `α` with
/// the bias correction folded in, and `ε`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AdamConstants<T> {
    pub(crate) one_minus_beta_1: T,
    pub(crate) one_minus_beta_2: T,
    pub(crate) alpha: T,
    pub(crate) epsilon: T,
}

/// Updates `weights`, `m` and `v` in place from `gradient` (all of one
/// length; a longer slice's extra values are left alone).
pub(crate) type AdamStep<T> = fn(&mut [T], &[T], &mut [T], &mut [T], AdamConstants<T>);

/// [`AdamStep`] on `V`'s registers.
#[inline(always)]
pub(crate) fn adam_step<V: Vector>(
    weights: &mut [V::Scalar],
    gradient: &[V::Scalar],
    m: &mut [V::Scalar],
    v: &mut [V::Scalar],
    constants: AdamConstants<V::Scalar>,
) {
    let n = weights.len().min(gradient.len()).min(m.len()).min(v.len());
    let (weights, gradient, m, v) = (&mut weights[..n], &gradient[..n], &mut m[..n], &mut v[..n]);
    let update = Update::<V>::new(constants);
    let whole = n - n % V::LANES;
    for start in (0..whole).step_by(V::LANES) {
        let lanes = start..start + V::LANES;
        let (w, g) = (
            V::load(&weights[lanes.clone()]),
            V::load(&gradient[lanes.clone()]),
        );
        let (m_in, v_in) = (V::load(&m[lanes.clone()]), V::load(&v[lanes.clone()]));
        let (w, m_out, v_out) = update.apply(w, g, m_in, v_in);
        w.store(&mut weights[lanes.clone()]);
        m_out.store(&mut m[lanes.clone()]);
        v_out.store(&mut v[lanes]);
    }
    if whole < n {
        // Zeros in the unused lanes, which are never stored.
        let zero = V::Scalar::from_f64(0.0);
        let load = |xs: &[V::Scalar]| V::load_partial(&xs[whole..], zero);
        let (w, m_out, v_out) = update.apply(load(weights), load(gradient), load(m), load(v));
        w.store_partial(&mut weights[whole..]);
        m_out.store_partial(&mut m[whole..]);
        v_out.store_partial(&mut v[whole..]);
    }
}

/// The constants in registers.
#[derive(Clone, Copy)]
struct Update<V> {
    one_minus_beta_1: V,
    one_minus_beta_2: V,
    alpha: V,
    epsilon: V,
}

impl<V: Vector> Update<V> {
    #[inline(always)]
    fn new(constants: AdamConstants<V::Scalar>) -> Self {
        Self {
            one_minus_beta_1: V::splat(constants.one_minus_beta_1),
            one_minus_beta_2: V::splat(constants.one_minus_beta_2),
            alpha: V::splat(constants.alpha),
            epsilon: V::splat(constants.epsilon),
        }
    }

    /// The new weights and moments, in the scalar loop's order.
    #[inline(always)]
    fn apply(self, w: V, g: V, m: V, v: V) -> (V, V, V) {
        let m = m.add(g.sub(m).mul(self.one_minus_beta_1));
        let v = v.add(g.mul(g).sub(v).mul(self.one_minus_beta_2));
        let step = m.mul(self.alpha).div_exact(v.sqrt().add(self.epsilon));
        (w.sub(step), m, v)
    }
}

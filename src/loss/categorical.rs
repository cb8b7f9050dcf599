//! The categorical losses of one sample (a row of class scores): cross-
//! entropy on probabilities and on logits, its sparse and focal forms, and
//! the categorical hinge. Each has its value and its gradient, written
//! into `grad` times `scale` (the sample's share of the batch mean).
//!
//! Keras's order of operations is kept where it is a semantic choice: on
//! probabilities, categorical cross-entropy normalises the row and then
//! clips it to `[ε, 1 - ε]`, while the sparse form clips first and then
//! renormalises (a perfect prediction costs `-ln(1 - ε)` with the first
//! and about twice that with the second). Gradients pass through a clip
//! where the value lies inside its bounds, bounds included, as
//! TensorFlow's `clip_by_value` does.

use num_traits::Float;

/// The row's maximum and `Σ e^(z - max)`: `ln Σ e^z = max + ln(sum)` and
/// `softmax(z)_i = e^(z_i - max) / sum`, stable for huge logits (both
/// without rounding `z_i - ln Σ e^z` at the logits' magnitude). A row with
/// `+inf` or only `-inf` has a non-finite maximum and a NaN sum.
pub(super) fn softmax_parts<T: Float>(z: &[T]) -> (T, T) {
    let max = z.iter().fold(T::neg_infinity(), |m, &v| m.max(v));
    if !max.is_finite() {
        return (max, T::nan());
    }
    (max, z.iter().fold(T::zero(), |s, &v| s + (v - max).exp()))
}

/// Label smoothing of one label: `y·(1 - s) + s/classes`.
pub(super) fn smooth<T: Float>(y: T, s: T, classes: T) -> T {
    if s == T::zero() {
        y
    } else {
        y * (T::one() - s) + s / classes
    }
}

/// Categorical cross-entropy and its gradient on probabilities.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Probabilities<T> {
    pub(super) epsilon: T,
    pub(super) smoothing: T,
}

impl<T: Float> Probabilities<T> {
    /// `-Σ y·ln clip(p / Σp)`.
    pub(super) fn value(&self, y: &[T], p: &[T]) -> T {
        let (sum, classes) = (row_sum(p), count::<T>(y.len()));
        y.iter().zip(p).fold(T::zero(), |acc, (&y, &p)| {
            let q = self.clip(p / sum);
            acc - smooth(y, self.smoothing, classes) * q.ln()
        })
    }

    /// The gradient through the clip and the normalisation:
    /// `∂/∂p_j = (g_j - Σ g_i q_i) / Σp` with `g_i = -y_i/q_i` inside the
    /// clip bounds and 0 outside.
    pub(super) fn gradient(&self, y: &[T], p: &[T], scale: T, grad: &mut [T]) {
        let (sum, classes) = (row_sum(p), count::<T>(y.len()));
        let mut dot = T::zero();
        for ((g, &y), &p) in grad.iter_mut().zip(y).zip(p) {
            let q = p / sum;
            *g = if self.inside(q) {
                -smooth(y, self.smoothing, classes) / q
            } else {
                T::zero()
            };
            dot = dot + *g * q;
        }
        grad.iter_mut().for_each(|g| *g = (*g - dot) / sum * scale);
    }

    /// The categorical focal loss, `Σ α·(1 - q)^γ·(-y·ln q)` with `q` the
    /// normalised, clipped row.
    pub(super) fn focal_value(&self, y: &[T], p: &[T], alpha: T, gamma: T) -> T {
        let (sum, classes) = (row_sum(p), count::<T>(y.len()));
        y.iter().zip(p).fold(T::zero(), |acc, (&y, &p)| {
            let q = self.clip(p / sum);
            let y = smooth(y, self.smoothing, classes);
            acc + alpha * (T::one() - q).powf(gamma) * (-y * q.ln())
        })
    }

    /// The focal loss's gradient, through the clip and the normalisation.
    pub(super) fn focal_gradient(&self, y: &[T], p: &[T], focal: (T, T), scale: T, grad: &mut [T]) {
        let (alpha, gamma) = focal;
        let (sum, classes) = (row_sum(p), count::<T>(y.len()));
        let mut dot = T::zero();
        for ((g, &y), &p) in grad.iter_mut().zip(y).zip(p) {
            let q = p / sum;
            *g = if self.inside(q) {
                let y = smooth(y, self.smoothing, classes);
                focal_slope(y, q, alpha, gamma)
            } else {
                T::zero()
            };
            dot = dot + *g * q;
        }
        grad.iter_mut().for_each(|g| *g = (*g - dot) / sum * scale);
    }

    /// Sparse categorical cross-entropy: `-ln(c[label] / Σc)` with `c = clip(p)`.
    pub(super) fn sparse_value(&self, label: usize, p: &[T]) -> T {
        let clipped_sum = p.iter().fold(T::zero(), |s, &p| s + self.clip(p));
        clipped_sum.ln() - self.clip(p[label]).ln()
    }

    /// Its gradient: `1/Σc - [j = label]/c[label]` inside the clip bounds.
    pub(super) fn sparse_gradient(&self, label: usize, p: &[T], scale: T, grad: &mut [T]) {
        let clipped_sum = p.iter().fold(T::zero(), |s, &p| s + self.clip(p));
        for (j, (g, &p)) in grad.iter_mut().zip(p).enumerate() {
            let mut slope = T::one() / clipped_sum;
            if j == label {
                slope = slope - T::one() / self.clip(p);
            }
            *g = if self.inside(p) {
                slope * scale
            } else {
                T::zero()
            };
        }
    }

    fn clip(&self, q: T) -> T {
        q.max(self.epsilon).min(T::one() - self.epsilon)
    }

    fn inside(&self, q: T) -> bool {
        q >= self.epsilon && q <= T::one() - self.epsilon
    }
}

/// `∂/∂q` of `α·(1 - q)^γ·(-y·ln q)`.
fn focal_slope<T: Float>(y: T, q: T, alpha: T, gamma: T) -> T {
    let modulation = (T::one() - q).powf(gamma);
    let decay = if gamma == T::zero() {
        T::zero()
    } else {
        gamma * (T::one() - q).powf(gamma - T::one())
    };
    alpha * (decay * y * q.ln() - modulation * y / q)
}

/// The row's softmax in place (for the focal loss on logits).
pub(super) fn softmax_in_place<T: Float>(z: &mut [T]) {
    let (max, sum) = softmax_parts(z);
    z.iter_mut().for_each(|v| *v = (*v - max).exp() / sum);
}

/// Turns `∂/∂s` of a softmax output `s` into `∂/∂z`:
/// `s ⊙ (g - Σ g·s)`.
pub(super) fn softmax_backward<T: Float>(s: &[T], grad: &mut [T]) {
    let dot = s
        .iter()
        .zip(grad.iter())
        .fold(T::zero(), |acc, (&s, &g)| acc + s * g);
    grad.iter_mut()
        .zip(s)
        .for_each(|(g, &s)| *g = s * (*g - dot));
}

/// The categorical hinge: `max(max((1 - y)·p) - Σ y·p + 1, 0)`.
pub(super) fn hinge_value<T: Float>(y: &[T], p: &[T]) -> T {
    let (negative, positive) = hinge_parts(y, p);
    (negative - positive + T::one()).max(T::zero())
}

/// Its gradient: `-y + (1 - y)` at the maximum (shared between ties, as
/// TensorFlow's `reduce_max`) where the margin is not negative.
pub(super) fn hinge_gradient<T: Float>(y: &[T], p: &[T], scale: T, grad: &mut [T]) {
    let (negative, positive) = hinge_parts(y, p);
    if negative - positive + T::one() < T::zero() {
        grad.iter_mut().for_each(|g| *g = T::zero());
        return;
    }
    let is_max = |y: T, p: T| (T::one() - y) * p == negative;
    let ties = y.iter().zip(p).filter(|&(&y, &p)| is_max(y, p)).count();
    let share = T::one() / count(ties.max(1));
    for ((g, &y), &p) in grad.iter_mut().zip(y).zip(p) {
        let at_max = if is_max(y, p) {
            (T::one() - y) * share
        } else {
            T::zero()
        };
        *g = (at_max - y) * scale;
    }
}

fn hinge_parts<T: Float>(y: &[T], p: &[T]) -> (T, T) {
    y.iter().zip(p).fold(
        (T::neg_infinity(), T::zero()),
        |(negative, positive), (&y, &p)| (negative.max((T::one() - y) * p), positive + y * p),
    )
}

fn row_sum<T: Float>(values: &[T]) -> T {
    values.iter().fold(T::zero(), |s, &v| s + v)
}

fn count<T: Float>(n: usize) -> T {
    crate::precision::narrow(n as f64)
}

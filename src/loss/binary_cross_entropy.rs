//! Binary cross-entropy, from probabilities and from logits: the mean,
//! the loss of each sample, the gradients, and the formulas of one element
//! that every path (scalar, fused, training) shares.

use super::EPSILON;
use super::fused::{Bce, fused_mean, fused_per_sample};
use super::reduction::{elementwise_gradient, mean_of_samples, per_sample};
use crate::activation::{Activation, Sigmoid};
use crate::error::Error;
use crate::precision::narrow;
use ndarray::{Array, Array1, ArrayBase, Data, Dimension};
use num_traits::Float;

/// Mean binary cross-entropy of probabilities `y_pred` against labels
/// `y_true` (same shape), with Keras's clipping and reduction.
///
/// # Errors
///
/// [`Error::ShapeMismatch`] when the shapes differ or the arrays are 0-D,
/// [`Error::EmptyBatch`] when they are empty, [`Error::LabelOutOfRange`]
/// for a label outside `[0, 1]` or NaN.
///
/// # Example
///
/// ```
/// use ndarray::array;
/// use neurite::{loss, Error};
///
/// // A perfectly wrong prediction is clipped, not infinite.
/// let bce = loss::binary_cross_entropy(&array![0.0_f32], &array![1.0])?;
/// assert!((bce - 15.942385).abs() < 1e-5);
///
/// let bad = loss::binary_cross_entropy(&array![2.0_f32], &array![0.5]);
/// assert!(matches!(bad, Err(Error::LabelOutOfRange { index: 0, .. })));
/// # Ok::<(), Error>(())
/// ```
pub fn binary_cross_entropy<T, S1, S2, D>(
    y_true: &ArrayBase<S1, D>,
    y_pred: &ArrayBase<S2, D>,
) -> Result<T, Error>
where
    T: Float,
    S1: Data<Elem = T>,
    S2: Data<Elem = T>,
    D: Dimension,
{
    if let Some(mean) = fused_mean(y_true, y_pred, Bce::Probabilities) {
        return mean;
    }
    mean_of_samples(&binary_cross_entropy_per_sample(y_true, y_pred)?)
}

/// Mean binary cross-entropy computed from logits `z` (pre-sigmoid
/// values): `max(z, 0) - z·y + ln(1 + e^(-|z|))`, stable for every `z`.
///
/// # Errors
///
/// As [`binary_cross_entropy`].
///
/// # Example
///
/// ```
/// use ndarray::array;
/// use neurite::loss;
///
/// // z = 0 means p = 0.5 whatever the label: the loss is ln 2.
/// let bce = loss::binary_cross_entropy_with_logits(&array![[1.0_f64, 0.0]], &array![[0.0, 0.0]])?;
/// assert!((bce - 2.0_f64.ln()).abs() < 1e-15);
/// // A confident, wrong logit costs what it should, with no clipping.
/// let wrong = loss::binary_cross_entropy_with_logits(&array![1.0_f64], &array![-100.0])?;
/// assert_eq!(wrong, 100.0);
/// # Ok::<(), neurite::Error>(())
/// ```
pub fn binary_cross_entropy_with_logits<T, S1, S2, D>(
    y_true: &ArrayBase<S1, D>,
    logits: &ArrayBase<S2, D>,
) -> Result<T, Error>
where
    T: Float,
    S1: Data<Elem = T>,
    S2: Data<Elem = T>,
    D: Dimension,
{
    if let Some(mean) = fused_mean(y_true, logits, Bce::Logits) {
        return mean;
    }
    mean_of_samples(&binary_cross_entropy_with_logits_per_sample(
        y_true, logits,
    )?)
}

/// Binary cross-entropy of each sample (each lane along the last axis),
/// from probabilities: Keras's `reduction=None`.
///
/// # Errors
///
/// As [`binary_cross_entropy`].
///
/// # Example
///
/// ```
/// use ndarray::array;
/// use neurite::loss;
///
/// let per_sample = loss::binary_cross_entropy_per_sample(
///     &array![[1.0_f64, 1.0], [0.0, 0.0]],
///     &array![[0.5, 0.5], [0.5, 0.5]],
/// )?;
/// assert_eq!(per_sample.len(), 2);
/// assert!((per_sample[1] - 2.0_f64.ln()).abs() < 1e-15);
/// # Ok::<(), neurite::Error>(())
/// ```
pub fn binary_cross_entropy_per_sample<T, S1, S2, D>(
    y_true: &ArrayBase<S1, D>,
    y_pred: &ArrayBase<S2, D>,
) -> Result<Array1<T>, Error>
where
    T: Float,
    S1: Data<Elem = T>,
    S2: Data<Elem = T>,
    D: Dimension,
{
    if let Some(per_sample) = fused_per_sample(y_true, y_pred, Bce::Probabilities) {
        return per_sample;
    }
    per_sample(y_true, y_pred, clipped_loss)
}

/// Binary cross-entropy of each sample, from logits.
///
/// # Errors
///
/// As [`binary_cross_entropy`].
///
/// # Example
///
/// ```
/// use ndarray::array;
/// use neurite::loss;
///
/// let per_sample = loss::binary_cross_entropy_with_logits_per_sample(
///     &array![[1.0_f64], [0.0]],
///     &array![[50.0], [50.0]],
/// )?;
/// assert_eq!(per_sample[1], 50.0);
/// # Ok::<(), neurite::Error>(())
/// ```
pub fn binary_cross_entropy_with_logits_per_sample<T, S1, S2, D>(
    y_true: &ArrayBase<S1, D>,
    logits: &ArrayBase<S2, D>,
) -> Result<Array1<T>, Error>
where
    T: Float,
    S1: Data<Elem = T>,
    S2: Data<Elem = T>,
    D: Dimension,
{
    if let Some(per_sample) = fused_per_sample(y_true, logits, Bce::Logits) {
        return per_sample;
    }
    per_sample(y_true, logits, logit_loss)
}

/// The gradient of [`binary_cross_entropy`] (the mean over the batch) with
/// respect to each prediction: `-(y/p - (1 - y)/(1 - p)) / count`, where
/// `count` is the number of values. Where `p` lies outside `[ε, 1 - ε]` the
/// clipping holds the loss constant, so the gradient there is 0 (as
/// TensorFlow's `clip_by_value`).
///
/// # Errors
///
/// As [`binary_cross_entropy`].
///
/// # Example
///
/// ```
/// use ndarray::array;
/// use neurite::loss;
///
/// let grad = loss::binary_cross_entropy_gradient(&array![1.0_f64, 0.0], &array![0.5, 0.25])?;
/// // -(1/0.5)/2 and (1/0.75)/2
/// assert!((grad[0] + 1.0).abs() < 1e-15);
/// assert!((grad[1] - 2.0 / 3.0).abs() < 1e-15);
/// // A clipped prediction gets no gradient.
/// let clipped = loss::binary_cross_entropy_gradient(&array![1.0_f64], &array![1.0])?;
/// assert_eq!(clipped[0], 0.0);
/// # Ok::<(), neurite::Error>(())
/// ```
pub fn binary_cross_entropy_gradient<T, S1, S2, D>(
    y_true: &ArrayBase<S1, D>,
    y_pred: &ArrayBase<S2, D>,
) -> Result<Array<T, D>, Error>
where
    T: Float,
    S1: Data<Elem = T>,
    S2: Data<Elem = T>,
    D: Dimension,
{
    elementwise_gradient(y_true, y_pred, clipped_loss_derivative)
}

/// The gradient of [`binary_cross_entropy_with_logits`] (the mean over the
/// batch) with respect to each logit: `(σ(z) - y) / count`, where `count`
/// is the number of values. Stable for every `z`: a saturated sigmoid gives
/// `±1 / count`, never NaN. This is the fused gradient training uses when a
/// model ends in a sigmoid.
///
/// # Errors
///
/// As [`binary_cross_entropy`].
///
/// # Example
///
/// ```
/// use ndarray::array;
/// use neurite::loss;
///
/// let grad = loss::binary_cross_entropy_with_logits_gradient(
///     &array![[1.0_f32], [0.0]],
///     &array![[0.0], [1000.0]],
/// )?;
/// assert_eq!(grad, array![[-0.25], [0.5]]);
/// # Ok::<(), neurite::Error>(())
/// ```
pub fn binary_cross_entropy_with_logits_gradient<T, S1, S2, D>(
    y_true: &ArrayBase<S1, D>,
    logits: &ArrayBase<S2, D>,
) -> Result<Array<T, D>, Error>
where
    T: Float,
    S1: Data<Elem = T>,
    S2: Data<Elem = T>,
    D: Dimension,
{
    elementwise_gradient(y_true, logits, |y, z| Sigmoid.apply(z) - y)
}

/// The clipped probability loss of one element.
pub(crate) fn clipped_loss<T: Float>(y: T, p: T) -> T {
    let (low, high) = clip_bounds::<T>();
    // `Float::max` ignores NaN (it would clip NaN to ε): keep it NaN.
    let p = if p.is_nan() { p } else { p.max(low).min(high) };
    -(y * p.ln() + (T::one() - y) * (T::one() - p).ln())
}

/// `∂ clipped_loss / ∂p`: `(1 - y)/(1 - p) - y/p` inside `[ε, 1 - ε]`,
/// 0 outside (the clip is flat there; at the bounds the gradient passes, as
/// in TensorFlow).
pub(crate) fn clipped_loss_derivative<T: Float>(y: T, p: T) -> T {
    let (low, high) = clip_bounds::<T>();
    if p < low || p > high {
        T::zero()
    } else {
        (T::one() - y) / (T::one() - p) - y / p
    }
}

/// The from-logits loss of one element.
pub(crate) fn logit_loss<T: Float>(y: T, z: T) -> T {
    z.max(T::zero()) - z * y + (-z.abs()).exp().ln_1p()
}

/// `[ε, 1 - ε]` in `T`, rounded as Keras rounds them. In a type where
/// `1 - ε` rounds to 1 (`half::f16`, `half::bf16`), the upper bound is the
/// largest value below 1 instead (`1 - 2^-11`, `1 - 2^-8`), so that
/// `ln(1 - p)` stays finite.
pub(super) fn clip_bounds<T: Float>() -> (T, T) {
    let epsilon = narrow::<T>(EPSILON);
    let high = T::one() - epsilon;
    let below_one = T::one() - T::epsilon() / (T::one() + T::one());
    (epsilon, if high < T::one() { high } else { below_one })
}

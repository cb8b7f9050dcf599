//! Binary accuracy, the metric Keras reports next to binary
//! cross-entropy.

use super::reduction::{mean_of_samples, per_sample};
use crate::error::{Error, check_shape};
use crate::precision::Accumulator;
use crate::precision::narrow;
use ndarray::{ArrayBase, Data, Dimension, Ix1};
use num_traits::Float;

/// Fraction of predictions on the right side of 0.5: class 1 when
/// `p > 0.5` (strictly, so 0.5 is class 0), counted correct when it equals
/// the label. Soft labels such as 0.3 are never counted correct, as in
/// Keras.
///
/// # Errors
///
/// As [`binary_cross_entropy`](super::binary_cross_entropy()).
///
/// # Example
///
/// ```
/// use ndarray::array;
/// use neurite::loss;
///
/// let acc = loss::binary_accuracy(&array![1.0_f32, 0.0, 1.0, 0.0], &array![0.9, 0.5, 0.5, 0.1])?;
/// assert_eq!(acc, 0.75);
/// # Ok::<(), neurite::Error>(())
/// ```
pub fn binary_accuracy<T, S1, S2, D>(
    y_true: &ArrayBase<S1, D>,
    y_pred: &ArrayBase<S2, D>,
) -> Result<T, Error>
where
    T: Float,
    S1: Data<Elem = T>,
    S2: Data<Elem = T>,
    D: Dimension,
{
    mean_of_samples(&per_sample(y_true, y_pred, hit)?)
}

/// Binary accuracy with sample weights, as Keras's metric computes it:
/// `Σ wᵢ·accuracyᵢ / Σ wᵢ` over samples (0 when the weights sum to 0,
/// like Keras's `divide_no_nan`).
///
/// # Errors
///
/// As [`binary_cross_entropy`](super::binary_cross_entropy()), and [`Error::ShapeMismatch`] when there is
/// not one weight per sample.
///
/// # Example
///
/// ```
/// use ndarray::array;
/// use neurite::loss;
///
/// let acc = loss::binary_accuracy_weighted(
///     &array![[1.0_f64], [0.0]],
///     &array![[0.9], [0.9]],
///     &array![3.0, 1.0],
/// )?;
/// assert_eq!(acc, 0.75);
/// # Ok::<(), neurite::Error>(())
/// ```
pub fn binary_accuracy_weighted<T, S1, S2, S3, D>(
    y_true: &ArrayBase<S1, D>,
    y_pred: &ArrayBase<S2, D>,
    sample_weight: &ArrayBase<S3, Ix1>,
) -> Result<T, Error>
where
    T: Float,
    S1: Data<Elem = T>,
    S2: Data<Elem = T>,
    S3: Data<Elem = T>,
    D: Dimension,
{
    let accuracy = per_sample(y_true, y_pred, hit)?;
    check_shape("sample weights", accuracy.shape(), sample_weight.shape())?;
    let (mut hits, mut total) = (Accumulator::new(), Accumulator::new());
    for (&a, &w) in accuracy.iter().zip(sample_weight) {
        hits.add(a * w);
        total.add(w);
    }
    let (hits, total) = (hits.total(), total.total());
    Ok(if total == T::zero() {
        T::zero()
    } else {
        hits / total
    })
}

/// `1` when the thresholded prediction equals the label, else `0`.
pub(crate) fn hit<T: Float>(y: T, p: T) -> T {
    let class = if p > narrow(0.5) { T::one() } else { T::zero() };
    if y == class { T::one() } else { T::zero() }
}

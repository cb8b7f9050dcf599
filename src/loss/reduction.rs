//! Keras's reductions of element losses: over a sample (the mean along
//! the last axis), over the batch (`sum_over_batch_size`), with sample
//! weights, and the scale the mean gives each element's gradient.

use super::checks::check_pair;
use crate::error::{Error, check_shape};
use crate::precision::Accumulator;
use crate::precision::narrow;
use ndarray::{Array, Array1, ArrayBase, Axis, Data, Dimension, Ix1, Zip};
use num_traits::Float;

/// Keras's reduction of per-sample losses with sample weights:
/// `Σ wᵢ·lossᵢ / n` (the weights are not renormalised).
///
/// # Errors
///
/// [`Error::ShapeMismatch`] when the lengths differ, [`Error::EmptyBatch`]
/// when there are no samples.
///
/// # Example
///
/// ```
/// use ndarray::array;
/// use neurite::loss;
///
/// let weighted = loss::weighted_mean(&array![1.0_f64, 3.0], &array![0.0, 2.0])?;
/// assert_eq!(weighted, 3.0);
/// # Ok::<(), neurite::Error>(())
/// ```
pub fn weighted_mean<T, S1, S2>(
    per_sample: &ArrayBase<S1, Ix1>,
    sample_weight: &ArrayBase<S2, Ix1>,
) -> Result<T, Error>
where
    T: Float,
    S1: Data<Elem = T>,
    S2: Data<Elem = T>,
{
    check_shape("sample weights", per_sample.shape(), sample_weight.shape())?;
    let weighted: Array1<T> = per_sample
        .iter()
        .zip(sample_weight)
        .map(|(&loss, &w)| loss * w)
        .collect();
    mean_of_samples(&weighted)
}

/// Validates the pair and maps every element to `f(label, value)` times the
/// scale of the mean reduction.
pub(super) fn elementwise_gradient<T, S1, S2, D>(
    y_true: &ArrayBase<S1, D>,
    values: &ArrayBase<S2, D>,
    f: impl Fn(T, T) -> T,
) -> Result<Array<T, D>, Error>
where
    T: Float,
    S1: Data<Elem = T>,
    S2: Data<Elem = T>,
    D: Dimension,
{
    check_pair(y_true, values)?;
    let width = y_true.len_of(Axis(y_true.ndim() - 1));
    let scale = mean_gradient_scale::<T>(y_true.len() / width, width);
    Ok(Zip::from(y_true)
        .and(values)
        .map_collect(|&y, &v| f(y, v) * scale))
}

/// `∂ mean / ∂ value` of Keras's reduction over `samples` lanes of `width`
/// values: `(1 / samples) / width`, rounded in that order as TensorFlow's
/// chain rule does.
pub(crate) fn mean_gradient_scale<T: Float>(samples: usize, width: usize) -> T {
    T::one() / narrow(samples as f64) / narrow(width as f64)
}

/// Validates the pair and maps each sample (lane along the last axis) to the
/// mean of `f(label, prediction)` over the lane.
pub(super) fn per_sample<T, S1, S2, D>(
    y_true: &ArrayBase<S1, D>,
    y_pred: &ArrayBase<S2, D>,
    f: impl Fn(T, T) -> T,
) -> Result<Array1<T>, Error>
where
    T: Float,
    S1: Data<Elem = T>,
    S2: Data<Elem = T>,
    D: Dimension,
{
    check_pair(y_true, y_pred)?;
    let last = Axis(y_true.ndim() - 1);
    let lane = y_true.len_of(last);
    if let (Some(labels), Some(predictions)) = (y_true.as_slice(), y_pred.as_slice()) {
        // Row-major storage: samples are consecutive chunks, no lane views
        // (which cost more than the loss itself for one-unit outputs).
        return Ok(labels
            .chunks_exact(lane)
            .zip(predictions.chunks_exact(lane))
            .map(|(labels, predictions)| lane_mean(labels, predictions, &f, lane))
            .collect());
    }
    Ok(y_true
        .lanes(last)
        .into_iter()
        .zip(y_pred.lanes(last))
        .map(|(labels, predictions)| lane_mean(labels, predictions, &f, lane))
        .collect())
}

/// `Σ f(label, prediction) / width` over one sample of `width` values,
/// from slices or lane views.
pub(super) fn lane_mean<'a, T: Float + 'a>(
    labels: impl IntoIterator<Item = &'a T>,
    predictions: impl IntoIterator<Item = &'a T>,
    f: impl Fn(T, T) -> T,
    width: usize,
) -> T {
    let mut sum = Accumulator::new();
    for (&y, &p) in labels.into_iter().zip(predictions) {
        sum.add(f(y, p));
    }
    sum.mean(width)
}

/// Sum of the sample values divided by their number (Keras's
/// `sum_over_batch_size`).
pub(super) fn mean_of_samples<T: Float>(values: &Array1<T>) -> Result<T, Error> {
    if values.is_empty() {
        return Err(Error::EmptyBatch {
            what: "loss".to_owned(),
        });
    }
    let mut sum = Accumulator::new();
    values.iter().for_each(|&v| sum.add(v));
    Ok(sum.mean(values.len()))
}

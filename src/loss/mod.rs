//! Binary cross-entropy and binary accuracy, with Keras's semantics.
//!
//! For a label `y ∈ [0, 1]` and a predicted probability `p`, binary
//! cross-entropy is `-(y·ln p + (1 - y)·ln(1 - p))`. As in Keras:
//!
//! - `p` is first clipped to `[ε, 1 - ε]` with `ε = 1e-7` rounded to `T`,
//!   so a perfectly wrong prediction costs about 16 instead of infinity;
//! - a *sample* is a lane along the last axis: its loss is the mean over
//!   that lane, and the loss of a batch is the sum of the sample losses
//!   divided by the number of samples (for equal lanes, the mean over all
//!   elements). A 1-D array is one sample.
//!
//! From logits `z` (the pre-activation of a sigmoid) the loss is
//! `max(z, 0) - z·y + ln(1 + e^(-|z|))`: exact for every `z`, without
//! clipping. [`Sequential::evaluate`](crate::Sequential::evaluate) uses
//! this form when the model ends in a sigmoid, as Keras does.
//!
//! Labels outside `[0, 1]`, NaN labels, shapes that differ and empty arrays
//! are errors. A NaN prediction or logit gives a NaN loss.
//!
//! # Half precision
//!
//! For element types narrower than `f32` (`half::f16`, `half::bf16`) two
//! things differ from the letter of Keras, which would break there:
//!
//! - `1 - ε` rounds to 1 in these types, which would make a perfectly wrong
//!   prediction cost `ln 0 = ∞`; the upper clip bound is the largest value
//!   below 1 instead (`1 - 2^-11` in `f16`, `1 - 2^-8` in `bf16`), so that
//!   prediction costs `11·ln 2 ≈ 7.6` (`f16`) or `8·ln 2 ≈ 5.5` (`bf16`);
//! - sums over a sample and over the batch accumulate in `f64` and are
//!   rounded to `T` once (a running sum in `f16` stops growing at 2048
//!   ones, as Keras's own metrics avoid by accumulating in `float32`).
//!
//! # Example
//!
//! ```
//! use ndarray::array;
//! use neurite::loss;
//!
//! let y_true = array![[1.0_f64], [0.0]];
//! let y_pred = array![[0.9], [0.2]];
//! let bce = loss::binary_cross_entropy(&y_true, &y_pred)?;
//! let by_hand = -(0.9_f64.ln() + 0.8_f64.ln()) / 2.0;
//! assert!((bce - by_hand).abs() < 1e-15);
//! assert_eq!(loss::binary_accuracy(&y_true, &y_pred)?, 1.0);
//! # Ok::<(), neurite::Error>(())
//! ```

use crate::activation::{Activation, Sigmoid, constant};
use crate::error::{Error, check_shape};
use crate::precision::Accumulator;
use crate::simd::{self, RowSums};
use ndarray::{Array, Array1, ArrayBase, ArrayView2, Axis, Data, Dimension, Ix1, Zip};
use num_traits::Float;

/// Keras's `epsilon()`: predictions are clipped to `[ε, 1 - ε]`.
pub const EPSILON: f64 = 1e-7;

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

/// Fraction of predictions on the right side of 0.5: class 1 when
/// `p > 0.5` (strictly, so 0.5 is class 0), counted correct when it equals
/// the label. Soft labels such as 0.3 are never counted correct, as in
/// Keras.
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
/// As [`binary_cross_entropy`], and [`Error::ShapeMismatch`] when there is
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

/// Validates the pair and maps every element to `f(label, value)` times the
/// scale of the mean reduction.
fn elementwise_gradient<T, S1, S2, D>(
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
    T::one() / constant(samples as f64) / constant(width as f64)
}

/// Keras's reduction of the loss over a `(samples, width)` block of
/// labels already checked, without allocating: the mean over each row,
/// then the sum of those divided by the number of rows (as
/// [`binary_cross_entropy`] reduces, and fused in the same way).
pub(crate) fn mean_over_rows<T: Float>(
    y_true: ArrayView2<'_, T>,
    values: ArrayView2<'_, T>,
    loss: Bce,
) -> T {
    if let Some(Ok(mean)) = fused_mean(&y_true, &values, loss) {
        return mean;
    }
    let mut sum = Accumulator::new();
    for (labels, values) in y_true.rows().into_iter().zip(values.rows()) {
        sum.add(lane_mean(
            labels,
            values,
            |y, v| loss.element(y, v),
            y_true.ncols(),
        ));
    }
    sum.mean(y_true.nrows())
}

/// Binary cross-entropy from probabilities or from logits.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Bce {
    /// Clipped probabilities: [`clipped_loss`].
    Probabilities,
    /// Logits: [`logit_loss`].
    Logits,
}

impl Bce {
    /// The loss of one element.
    fn element<T: Float>(self, y: T, value: T) -> T {
        match self {
            Bce::Probabilities => clipped_loss(y, value),
            Bce::Logits => logit_loss(y, value),
        }
    }

    /// The fused kernel for `T` (src/simd/bce.rs), if `T` is `f32` or
    /// `f64`: the loss summed over each row, labels checked on the way.
    fn kernel<T: Float>(self) -> Option<RowSums<T>> {
        let kernels = simd::kernels::<T>()?;
        Some(match self {
            Bce::Probabilities => kernels.bce,
            Bce::Logits => kernels.bce_logits,
        })
    }
}

/// The mean loss by the fused kernel (src/simd/bce.rs), without
/// allocating: the sum over all elements divided by the width and by the
/// number of samples (Keras's mean of sample means, rounded in another
/// order). `None` where the kernels do not apply: element types other than
/// `f32` and `f64`, storage other than row-major.
fn fused_mean<T, S1, S2, D>(
    y_true: &ArrayBase<S1, D>,
    values: &ArrayBase<S2, D>,
    loss: Bce,
) -> Option<Result<T, Error>>
where
    T: Float,
    S1: Data<Elem = T>,
    S2: Data<Elem = T>,
    D: Dimension,
{
    let (labels, slice, kernel) = (y_true.as_slice()?, values.as_slice()?, loss.kernel()?);
    let mut total = [T::zero()];
    let mean = check_shapes(y_true, values)
        .and_then(|()| run_fused(kernel, labels, slice, &mut total))
        .map(|()| {
            let width = y_true.len_of(Axis(y_true.ndim() - 1));
            total[0] / constant(width as f64) / constant((labels.len() / width) as f64)
        });
    Some(mean)
}

/// The loss of each sample by the fused kernel; `None` where it does not
/// apply (as [`fused_mean`]).
fn fused_per_sample<T, S1, S2, D>(
    y_true: &ArrayBase<S1, D>,
    values: &ArrayBase<S2, D>,
    loss: Bce,
) -> Option<Result<Array1<T>, Error>>
where
    T: Float,
    S1: Data<Elem = T>,
    S2: Data<Elem = T>,
    D: Dimension,
{
    let (labels, slice, kernel) = (y_true.as_slice()?, values.as_slice()?, loss.kernel()?);
    let per_sample = check_shapes(y_true, values).and_then(|()| {
        let width = y_true.len_of(Axis(y_true.ndim() - 1));
        let mut sums = vec![T::zero(); labels.len() / width];
        run_fused(kernel, labels, slice, &mut sums)?;
        let width = constant::<T>(width as f64);
        Ok(sums.into_iter().map(|sum| sum / width).collect())
    });
    Some(per_sample)
}

/// Runs a fused kernel on row-major labels and values of the same shape,
/// one sum per row, and turns a label out of range into its error.
fn run_fused<T: Float>(
    kernel: RowSums<T>,
    labels: &[T],
    values: &[T],
    sums: &mut [T],
) -> Result<(), Error> {
    kernel(labels, values, sums).map_err(|index| label_out_of_range(index, labels.get(index)))
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

/// `1` when the thresholded prediction equals the label, else `0`.
pub(crate) fn hit<T: Float>(y: T, p: T) -> T {
    let class = if p > constant(0.5) {
        T::one()
    } else {
        T::zero()
    };
    if y == class { T::one() } else { T::zero() }
}

/// The from-logits loss of one element.
pub(crate) fn logit_loss<T: Float>(y: T, z: T) -> T {
    z.max(T::zero()) - z * y + (-z.abs()).exp().ln_1p()
}

/// `[ε, 1 - ε]` in `T`, rounded as Keras rounds them. In a type where
/// `1 - ε` rounds to 1 (`half::f16`, `half::bf16`), the upper bound is the
/// largest value below 1 instead (`1 - 2^-11`, `1 - 2^-8`), so that
/// `ln(1 - p)` stays finite.
fn clip_bounds<T: Float>() -> (T, T) {
    let epsilon = constant::<T>(EPSILON);
    let high = T::one() - epsilon;
    let below_one = T::one() - T::epsilon() / (T::one() + T::one());
    (epsilon, if high < T::one() { high } else { below_one })
}

/// Validates the pair and maps each sample (lane along the last axis) to the
/// mean of `f(label, prediction)` over the lane.
fn per_sample<T, S1, S2, D>(
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
fn lane_mean<'a, T: Float + 'a>(
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
fn mean_of_samples<T: Float>(values: &Array1<T>) -> Result<T, Error> {
    if values.is_empty() {
        return Err(Error::EmptyBatch {
            what: "loss".to_owned(),
        });
    }
    let mut sum = Accumulator::new();
    values.iter().for_each(|&v| sum.add(v));
    Ok(sum.mean(values.len()))
}

/// Same shape, at least 1-D, not empty, labels in `[0, 1]`.
pub(crate) fn check_pair<T, S1, S2, D>(
    y_true: &ArrayBase<S1, D>,
    y_pred: &ArrayBase<S2, D>,
) -> Result<(), Error>
where
    T: Float,
    S1: Data<Elem = T>,
    S2: Data<Elem = T>,
    D: Dimension,
{
    check_shapes(y_true, y_pred)?;
    check_labels(y_true)
}

/// Same shape, at least 1-D, not empty.
fn check_shapes<T, S1, S2, D>(
    y_true: &ArrayBase<S1, D>,
    y_pred: &ArrayBase<S2, D>,
) -> Result<(), Error>
where
    T: Float,
    S1: Data<Elem = T>,
    S2: Data<Elem = T>,
    D: Dimension,
{
    check_shape(
        "predictions (against the labels)",
        y_true.shape(),
        y_pred.shape(),
    )?;
    if y_true.ndim() == 0 {
        return Err(Error::ShapeMismatch {
            what: "labels".to_owned(),
            expected: vec![1],
            found: Vec::new(),
        });
    }
    if y_true.is_empty() {
        return Err(Error::EmptyBatch {
            what: "labels".to_owned(),
        });
    }
    Ok(())
}

/// Every label in `[0, 1]` (NaN is out of range).
pub(crate) fn check_labels<T, S, D>(y_true: &ArrayBase<S, D>) -> Result<(), Error>
where
    T: Float,
    S: Data<Elem = T>,
    D: Dimension,
{
    let first_bad = match (y_true.as_slice(), simd::kernels::<T>()) {
        (Some(labels), Some(kernels)) => (kernels.first_bad_label)(labels),
        _ => y_true
            .iter()
            .position(|&y| !(y >= T::zero() && y <= T::one())),
    };
    match first_bad {
        None => Ok(()),
        Some(index) => Err(label_out_of_range(index, y_true.iter().nth(index))),
    }
}

/// The error for the label at `index` (row-major) of value `label`.
fn label_out_of_range<T: Float>(index: usize, label: Option<&T>) -> Error {
    Error::LabelOutOfRange {
        index,
        value: label.and_then(|y| y.to_f64()).unwrap_or(f64::NAN),
    }
}

//! Metrics beyond the loss, with Keras's semantics: binary, categorical,
//! sparse categorical and top-k categorical accuracy, mean absolute and
//! mean squared error. Each is the mean over the batch of a per-sample
//! value (a sample is a row), as Keras's metric objects report after one
//! `update_state`.
//!
//! [`Accuracy`] is what Keras's `metrics=["accuracy"]` resolves to for a
//! loss: [`Accuracy::for_loss`] follows Keras 3's rule (by the shapes)
//! and is what [`Sequential::evaluate`](crate::Sequential::evaluate) and
//! [`Sequential::fit`](crate::Sequential::fit) report. [`Metric`] names
//! any of them, by Keras's names, for
//! [`FitOptions::metrics`](crate::FitOptions::metrics): `fit` then records
//! it in the [`History`](crate::History) for the training batches and the
//! validation data.
//!
//! # Example
//!
//! ```
//! use ndarray::array;
//! use neurite::metrics;
//!
//! let y_true = array![[0.0_f32, 1.0, 0.0], [1.0, 0.0, 0.0]];
//! let y_pred = array![[0.1, 0.7, 0.2], [0.2, 0.5, 0.3]];
//! assert_eq!(metrics::categorical_accuracy(&y_true, &y_pred)?, 0.5);
//! assert_eq!(metrics::top_k_categorical_accuracy(&y_true, &y_pred, 2)?, 0.5);
//! assert_eq!(metrics::top_k_categorical_accuracy(&y_true, &y_pred, 3)?, 1.0);
//! # Ok::<(), neurite::Error>(())
//! ```

use crate::error::{Error, check_shape};
use crate::loss::Loss;
use crate::precision::{Accumulator, narrow};
use ndarray::{ArrayBase, ArrayView2, Data, Ix2};
use num_traits::Float;

mod metric;

pub use crate::loss::binary_accuracy;
pub(crate) use metric::Resolved;
pub use metric::{Metric, MetricKind};

/// The accuracy Keras's `"accuracy"` metric resolves to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Accuracy {
    /// Each prediction `> 0.5` against labels in `{0, 1}`, averaged over
    /// the row.
    Binary,
    /// The arg-max of the prediction row against the arg-max of the label
    /// row (the first maximum wins ties, as TensorFlow's `argmax`).
    Categorical,
    /// The arg-max of the prediction row against a class index.
    SparseCategorical,
}

impl Accuracy {
    /// Keras 3's resolution of `"accuracy"` for a model with `width`
    /// outputs compiled with `loss`: sparse categorical for sparse labels;
    /// binary for one output; categorical otherwise. Binary cross-entropy
    /// keeps binary accuracy at every width (neurite's rule from before
    /// `compile` existed, Keras 2's): for a regression loss with one output
    /// the number is a binary accuracy, seldom meaningful; use
    /// [`mean_absolute_error`] there.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::loss::Loss;
    /// use neurite::metrics::Accuracy;
    ///
    /// assert_eq!(Accuracy::for_loss(&Loss::categorical_crossentropy(), 3), Accuracy::Categorical);
    /// assert_eq!(Accuracy::for_loss(&Loss::MeanSquaredError, 1), Accuracy::Binary);
    /// ```
    pub fn for_loss(loss: &Loss, width: usize) -> Self {
        match loss {
            Loss::SparseCategoricalCrossentropy { .. } => Self::SparseCategorical,
            Loss::BinaryCrossentropy { .. } | Loss::BinaryFocalCrossentropy { .. } => Self::Binary,
            _ if width == 1 => Self::Binary,
            _ => Self::Categorical,
        }
    }

    /// The accuracy of one sample: its labels (a class index for
    /// [`SparseCategorical`](Accuracy::SparseCategorical)) and predictions.
    pub(crate) fn sample<T: Float>(self, y: &[T], p: &[T]) -> T {
        let hit = |yes: bool| if yes { T::one() } else { T::zero() };
        match self {
            Self::Binary => {
                let hits = y
                    .iter()
                    .zip(p)
                    .fold(T::zero(), |s, (&y, &p)| s + crate::loss::hit(y, p));
                hits / narrow(y.len().max(1) as f64)
            }
            Self::Categorical => hit(arg_max(y) == arg_max(p)),
            Self::SparseCategorical => hit(y.first().and_then(|y| y.to_usize()) == arg_max(p)),
        }
    }

    /// The mean over the batch of [`sample`](Accuracy::sample).
    pub(crate) fn mean<T: Float>(self, y: ArrayView2<'_, T>, p: ArrayView2<'_, T>) -> T {
        let mut sum = Accumulator::new();
        for (y, p) in y.rows().into_iter().zip(p.rows()) {
            // Rows of row-major arrays are slices already: no copies.
            let sample = match (y.as_slice(), p.as_slice()) {
                (Some(y), Some(p)) => self.sample(y, p),
                _ => self.sample(&y.to_vec(), &p.to_vec()),
            };
            sum.add(sample);
        }
        sum.mean(p.nrows())
    }
}

/// The index of the first largest value (NaN never wins), `None` if empty.
fn arg_max<T: Float>(values: &[T]) -> Option<usize> {
    let first = values.iter().position(|v| !v.is_nan())?;
    // Selects, not branches: which value wins is data, and a mispredicted
    // branch per value cost more than the comparisons (digits: 10 classes).
    let (mut best, mut largest) = (first, values[first]);
    for (i, &v) in values.iter().enumerate().skip(first + 1) {
        let larger = v > largest;
        best = if larger { i } else { best };
        largest = if larger { v } else { largest };
    }
    Some(best)
}

/// Keras's `categorical_accuracy`: the share of rows whose prediction's
/// arg-max is the label row's arg-max.
///
/// # Errors
///
/// [`Error::ShapeMismatch`] for different shapes, [`Error::EmptyBatch`]
/// for no rows or columns.
///
/// # Example
///
/// ```
/// use ndarray::array;
/// use neurite::metrics;
///
/// let accuracy = metrics::categorical_accuracy(&array![[1.0_f64, 0.0]], &array![[0.4, 0.6]])?;
/// assert_eq!(accuracy, 0.0);
/// # Ok::<(), neurite::Error>(())
/// ```
pub fn categorical_accuracy<T, S1, S2>(
    y_true: &ArrayBase<S1, Ix2>,
    y_pred: &ArrayBase<S2, Ix2>,
) -> Result<T, Error>
where
    T: Float,
    S1: Data<Elem = T>,
    S2: Data<Elem = T>,
{
    check_batch(y_true.view(), y_pred.view(), y_pred.ncols())?;
    Ok(Accuracy::Categorical.mean(y_true.view(), y_pred.view()))
}

/// Keras's `sparse_categorical_accuracy`: the share of rows whose
/// prediction's arg-max is the class index in the `(batch, 1)` labels.
///
/// # Errors
///
/// As [`categorical_accuracy`], for labels of shape `(batch, 1)`.
///
/// # Example
///
/// ```
/// use ndarray::array;
/// use neurite::metrics;
///
/// let accuracy = metrics::sparse_categorical_accuracy(&array![[1.0_f32], [0.0]], &array![[0.4, 0.6], [0.4, 0.6]])?;
/// assert_eq!(accuracy, 0.5);
/// # Ok::<(), neurite::Error>(())
/// ```
pub fn sparse_categorical_accuracy<T, S1, S2>(
    y_true: &ArrayBase<S1, Ix2>,
    y_pred: &ArrayBase<S2, Ix2>,
) -> Result<T, Error>
where
    T: Float,
    S1: Data<Elem = T>,
    S2: Data<Elem = T>,
{
    check_batch(y_true.view(), y_pred.view(), 1)?;
    Ok(Accuracy::SparseCategorical.mean(y_true.view(), y_pred.view()))
}

/// Keras's `top_k_categorical_accuracy`: the share of rows whose label
/// (the label row's arg-max) is among the `k` largest predictions; a class
/// tied with the `k`-th largest counts as in, as TensorFlow's `in_top_k`.
///
/// # Errors
///
/// As [`categorical_accuracy`], and [`Error::InvalidParameter`] for
/// `k = 0`.
///
/// # Example
///
/// ```
/// use ndarray::array;
/// use neurite::metrics;
///
/// let y_true = array![[0.0_f64, 0.0, 1.0]];
/// assert_eq!(metrics::top_k_categorical_accuracy(&y_true, &array![[0.5, 0.3, 0.2]], 2)?, 0.0);
/// assert_eq!(metrics::top_k_categorical_accuracy(&y_true, &array![[0.5, 0.2, 0.3]], 2)?, 1.0);
/// # Ok::<(), neurite::Error>(())
/// ```
pub fn top_k_categorical_accuracy<T, S1, S2>(
    y_true: &ArrayBase<S1, Ix2>,
    y_pred: &ArrayBase<S2, Ix2>,
    k: usize,
) -> Result<T, Error>
where
    T: Float,
    S1: Data<Elem = T>,
    S2: Data<Elem = T>,
{
    crate::error::check_positive("k", k)?;
    check_batch(y_true.view(), y_pred.view(), y_pred.ncols())?;
    let mut sum = Accumulator::new();
    for (y, p) in y_true.rows().into_iter().zip(y_pred.rows()) {
        let hit = arg_max(&y.to_vec()).is_some_and(|label| in_top_k(&p.to_vec(), label, k));
        sum.add(if hit { T::one() } else { T::zero() });
    }
    Ok(sum.mean(y_pred.nrows()))
}

/// Whether class `label` is among the `k` largest of `p` (ties with the
/// `k`-th count as in; a NaN score never does).
fn in_top_k<T: Float>(p: &[T], label: usize, k: usize) -> bool {
    let Some(&score) = p.get(label) else {
        return false;
    };
    let above = p.iter().filter(|&&v| v > score).count();
    !score.is_nan() && above < k
}

/// Keras's `mean_absolute_error` metric: the mean of `|y - p|`.
///
/// # Errors
///
/// As [`categorical_accuracy`].
///
/// # Example
///
/// ```
/// use ndarray::array;
/// use neurite::metrics;
///
/// assert_eq!(metrics::mean_absolute_error(&array![[1.0_f32, 2.0]], &array![[2.0, 2.0]])?, 0.5);
/// # Ok::<(), neurite::Error>(())
/// ```
pub fn mean_absolute_error<T, S1, S2>(
    y_true: &ArrayBase<S1, Ix2>,
    y_pred: &ArrayBase<S2, Ix2>,
) -> Result<T, Error>
where
    T: Float,
    S1: Data<Elem = T>,
    S2: Data<Elem = T>,
{
    Loss::MeanAbsoluteError.value(y_true, y_pred)
}

/// Keras's `mean_squared_error` metric: the mean of `(y - p)²`.
///
/// # Errors
///
/// As [`categorical_accuracy`].
///
/// # Example
///
/// ```
/// use ndarray::array;
/// use neurite::metrics;
///
/// assert_eq!(metrics::mean_squared_error(&array![[1.0_f32, 2.0]], &array![[2.0, 2.0]])?, 0.5);
/// # Ok::<(), neurite::Error>(())
/// ```
pub fn mean_squared_error<T, S1, S2>(
    y_true: &ArrayBase<S1, Ix2>,
    y_pred: &ArrayBase<S2, Ix2>,
) -> Result<T, Error>
where
    T: Float,
    S1: Data<Elem = T>,
    S2: Data<Elem = T>,
{
    Loss::MeanSquaredError.value(y_true, y_pred)
}

/// Labels of `(rows, label_width)` for predictions with rows, not empty.
fn check_batch<T>(
    y: ArrayView2<'_, T>,
    p: ArrayView2<'_, T>,
    label_width: usize,
) -> Result<(), Error> {
    check_shape(
        "labels (against the predictions)",
        &[p.nrows(), label_width],
        y.shape(),
    )?;
    if p.is_empty() {
        return Err(Error::EmptyBatch {
            what: "metric".to_owned(),
        });
    }
    Ok(())
}

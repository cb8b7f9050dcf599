//! A [`Loss`] on a batch: the checks of labels and predictions, the
//! per-sample values, Keras's `sum_over_batch_size` reduction with sample
//! weights, and the gradient of the mean.

use super::Loss;
use super::checks::check_labels;
use super::elementwise::signed_labels;
use super::lanes;
use super::sample::Sample;
use super::whole_batch::Rows;
use crate::error::{Error, check_shape};
use crate::kernels;
use crate::precision::{Accumulator, narrow, widen};
use ndarray::{Array1, Array2, ArrayBase, ArrayView2, ArrayViewMut2, CowArray, Data, Ix1, Ix2};
use num_traits::Float;

impl Loss {
    /// The loss of the batch: the mean over samples (rows) of each sample's
    /// loss, Keras's default `sum_over_batch_size`. For sparse categorical
    /// cross-entropy `y_true` is a `(batch, 1)` column of class indices
    /// (stored as `T`); otherwise it has the shape of `y_pred`.
    ///
    /// NaN predictions give a NaN loss; infinities follow IEEE arithmetic.
    ///
    /// # Errors
    ///
    /// [`Error::ShapeMismatch`] for shapes that do not fit,
    /// [`Error::EmptyBatch`] for an empty batch, and for labels the loss
    /// does not take: [`Error::LabelOutOfRange`] (binary losses: outside
    /// `[0, 1]`) or [`Error::InvalidLabel`] (a class index that is not an
    /// integer in `[0, classes)`, a categorical label row that is not a
    /// probability row, a negative target for `poisson` or `msle`).
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::array;
    /// use neurite::loss::Loss;
    ///
    /// let huber = Loss::huber().delta(1.0)?;
    /// let loss = huber.value(&array![[0.0_f64], [0.0]], &array![[0.5], [3.0]])?;
    /// assert_eq!(loss, (0.125 + 2.5) / 2.0);
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn value<T, S1, S2>(
        &self,
        y_true: &ArrayBase<S1, Ix2>,
        y_pred: &ArrayBase<S2, Ix2>,
    ) -> Result<T, Error>
    where
        T: Float,
        S1: Data<Elem = T>,
        S2: Data<Elem = T>,
    {
        let [y, p] = self.checked(y_true.view(), y_pred.view())?;
        Ok(self.sample(y.view()).mean(batch(&y, &p)))
    }

    /// [`value`](Loss::value) with Keras's `sample_weight`: the weighted
    /// sum of the per-sample losses divided by the number of samples (not
    /// by the sum of the weights).
    ///
    /// # Errors
    ///
    /// As [`value`](Loss::value), and [`Error::ShapeMismatch`] when there
    /// is not one weight per sample.
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::array;
    /// use neurite::loss::Loss;
    ///
    /// let mae = Loss::MeanAbsoluteError;
    /// let loss = mae.value_weighted(&array![[0.0_f32], [0.0]], &array![[1.0], [3.0]], &array![2.0, 0.0])?;
    /// assert_eq!(loss, 1.0);
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn value_weighted<T, S1, S2, S3>(
        &self,
        y_true: &ArrayBase<S1, Ix2>,
        y_pred: &ArrayBase<S2, Ix2>,
        sample_weight: &ArrayBase<S3, Ix1>,
    ) -> Result<T, Error>
    where
        T: Float,
        S1: Data<Elem = T>,
        S2: Data<Elem = T>,
        S3: Data<Elem = T>,
    {
        let per_sample = self.per_sample(y_true, y_pred)?;
        check_shape("sample weights", per_sample.shape(), sample_weight.shape())?;
        let weighted = per_sample.iter().zip(sample_weight).map(|(&l, &w)| l * w);
        Ok(batch_mean(weighted, per_sample.len()))
    }

    /// Each sample's loss (Keras's loss function, without reduction).
    ///
    /// # Errors
    ///
    /// As [`value`](Loss::value).
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::array;
    /// use neurite::loss::Loss;
    ///
    /// let per_sample = Loss::MeanSquaredError.per_sample(&array![[0.0_f64, 0.0]], &array![[1.0, 3.0]])?;
    /// assert_eq!(per_sample, array![5.0]);
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn per_sample<T, S1, S2>(
        &self,
        y_true: &ArrayBase<S1, Ix2>,
        y_pred: &ArrayBase<S2, Ix2>,
    ) -> Result<Array1<T>, Error>
    where
        T: Float,
        S1: Data<Elem = T>,
        S2: Data<Elem = T>,
    {
        let [y, p] = self.checked(y_true.view(), y_pred.view())?;
        Ok(Array1::from(
            self.sample(y.view()).per_sample(batch(&y, &p)),
        ))
    }

    /// The gradient of [`value`](Loss::value) with respect to `y_pred` (the
    /// logits, for a loss [`from_logits`](Loss::from_logits)), the shape of
    /// `y_pred`. Where the loss has a kink the gradient follows
    /// TensorFlow's conventions (a clip passes it inside its bounds, bounds
    /// included; `|e|` has slope 0 at 0).
    ///
    /// # Errors
    ///
    /// As [`value`](Loss::value).
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::array;
    /// use neurite::loss::Loss;
    ///
    /// let grad = Loss::MeanSquaredError.gradient(&array![[0.0_f64, 0.0]], &array![[1.0, 3.0]])?;
    /// assert_eq!(grad, array![[1.0, 3.0]]); // 2·e / (1 sample · 2 values)
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn gradient<T, S1, S2>(
        &self,
        y_true: &ArrayBase<S1, Ix2>,
        y_pred: &ArrayBase<S2, Ix2>,
    ) -> Result<Array2<T>, Error>
    where
        T: Float,
        S1: Data<Elem = T>,
        S2: Data<Elem = T>,
    {
        let mut grad = crate::buffers::zeros2("loss gradient", y_pred.dim())?;
        self.gradient_into(y_true, y_pred, grad.view_mut())?;
        Ok(grad)
    }

    /// [`gradient`](Loss::gradient) written into `grad`, a buffer of
    /// `y_pred`'s shape that the caller keeps: no allocation when `grad`
    /// and the inputs are row-major (what `train_step` does with its own
    /// buffers). Every element of `grad` is overwritten.
    ///
    /// # Errors
    ///
    /// As [`value`](Loss::value), and [`Error::ShapeMismatch`] when `grad`
    /// is not of `y_pred`'s shape; `grad` is unchanged then.
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::{array, Array2};
    /// use neurite::loss::Loss;
    ///
    /// let mut grad = Array2::zeros((1, 2));
    /// Loss::MeanAbsoluteError.gradient_into(&array![[0.0_f32, 0.0]], &array![[-1.0, 3.0]], grad.view_mut())?;
    /// assert_eq!(grad, array![[-0.5, 0.5]]); // sign(e) / (1 sample · 2 values)
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn gradient_into<T, S1, S2>(
        &self,
        y_true: &ArrayBase<S1, Ix2>,
        y_pred: &ArrayBase<S2, Ix2>,
        mut grad: ArrayViewMut2<'_, T>,
    ) -> Result<(), Error>
    where
        T: Float,
        S1: Data<Elem = T>,
        S2: Data<Elem = T>,
    {
        check_shape("loss gradient buffer", y_pred.shape(), grad.shape())?;
        let [y, p] = self.checked(y_true.view(), y_pred.view())?;
        let sample = self.sample(y.view());
        let scale = T::one() / narrow(p.nrows() as f64);
        match grad.as_slice_mut() {
            Some(slice) => sample.gradient_into(batch(&y, &p), scale, slice),
            None => {
                let mut own = crate::buffers::zeros2("loss gradient", p.dim())?;
                if let Some(slice) = own.as_slice_mut() {
                    sample.gradient_into(batch(&y, &p), scale, slice);
                }
                grad.assign(&own);
            }
        }
        Ok(())
    }

    pub(crate) fn sample<T: Float>(&self, y: ArrayView2<'_, T>) -> Sample<T> {
        let signed = matches!(self, Self::Hinge | Self::SquaredHinge) && signed_labels(y.iter());
        Sample::new(self, signed)
    }

    /// The loss on the logits of an output layer whose activation is
    /// `activation`, where Keras computes it so: binary cross-entropy after
    /// a sigmoid, categorical and sparse categorical cross-entropy after a
    /// softmax (their probability forms); `None` otherwise.
    pub(crate) fn through_logits(&self, activation: &str) -> Option<Self> {
        let applies = match self {
            Self::BinaryCrossentropy { .. } => activation == "sigmoid",
            Self::CategoricalCrossentropy { .. } | Self::SparseCategoricalCrossentropy { .. } => {
                activation == "softmax"
            }
            _ => false,
        };
        (applies && !self.is_from_logits())
            .then(|| self.from_logits(true).ok())
            .flatten()
    }

    /// Whether `y_true` holds class indices (one column) rather than a row
    /// of the predictions' shape.
    pub(crate) fn is_sparse(&self) -> bool {
        matches!(self, Self::SparseCategoricalCrossentropy { .. })
    }

    /// Checks a batch (see [`check_batch`](Loss::check_batch)) and gives
    /// both arrays in row-major order.
    fn checked<'a, T: Float>(
        &self,
        y_true: ArrayView2<'a, T>,
        y_pred: ArrayView2<'a, T>,
    ) -> Result<[CowArray<'a, T, Ix2>; 2], Error> {
        self.check_batch(y_true, y_pred.dim())?;
        Ok([row_major(y_true), row_major(y_pred)])
    }

    /// Checks labels against predictions of shape `(batch, width)`: the
    /// shapes, a batch that is not empty, and each label the loss takes.
    pub(crate) fn check_batch<T: Float>(
        &self,
        y_true: ArrayView2<'_, T>,
        (batch, width): (usize, usize),
    ) -> Result<(), Error> {
        let label_width = if self.is_sparse() { 1 } else { width };
        check_shape(
            "labels (against the predictions)",
            &[batch, label_width],
            y_true.shape(),
        )?;
        if batch == 0 || width == 0 {
            return Err(Error::EmptyBatch {
                what: "loss".to_owned(),
            });
        }
        match self {
            Self::BinaryCrossentropy { .. } | Self::BinaryFocalCrossentropy { .. } => {
                check_labels(&y_true)
            }
            Self::SparseCategoricalCrossentropy { .. } => check_each(
                y_true,
                |y| {
                    // An integer below `width`: it survives the round trip
                    // through `u64` (a cast, where `fract` calls the libm).
                    let index = widen(y);
                    index >= 0.0 && index < width as f64 && (index as u64) as f64 == index
                },
                || format!("a class index, an integer in [0, {width})"),
            ),
            Self::CategoricalCrossentropy { .. } | Self::CategoricalFocalCrossentropy { .. } => {
                check_probability_rows(y_true)
            }
            Self::Poisson | Self::MeanSquaredLogarithmicError => check_each(
                y_true,
                |y| y >= T::zero(),
                || format!("a target ≥ 0 for {}", self.name()),
            ),
            _ => Ok(()),
        }
    }
}

/// The first label that fails `valid` as an error saying what was
/// `expected`.
fn check_each<T: Float>(
    y: ArrayView2<'_, T>,
    valid: impl Fn(T) -> bool,
    expected: impl Fn() -> String,
) -> Result<(), Error> {
    // A slice when it is one: ndarray's iterator over a 2-D view costs
    // more than the test.
    let first = match y.as_slice() {
        Some(labels) => labels.iter().position(|&value| !valid(value)),
        None => y.iter().position(|&value| !valid(value)),
    };
    match first {
        None => Ok(()),
        Some(index) => Err(Error::InvalidLabel {
            index,
            value: y.iter().nth(index).map_or(f64::NAN, |&value| widen(value)),
            expected: expected(),
        }),
    }
}

/// One-hot or soft labels: every value in `[0, 1]` and each row summing to
/// 1 within the rounding of its sum. Over the row-major slice: one pass
/// that finds no label out of range (the common case), then the sums.
fn check_probability_rows<T: Float>(y: ArrayView2<'_, T>) -> Result<(), Error> {
    let y = row_major(y);
    let labels = y.as_slice().unwrap_or(&[]);
    let tolerance = T::epsilon() * narrow(4.0 * y.ncols() as f64);
    // The vectorized kernel clears the common case; a row it names is
    // described (or, at the tolerance's edge, cleared) by the steps below.
    if let Some(kernels) = kernels::for_type::<T>()
        && (kernels.first_bad_probability_row)(labels, y.ncols(), tolerance).is_none()
    {
        return Ok(());
    }
    let probability = |v: T| v >= T::zero() && v <= T::one();
    if !labels.iter().fold(true, |all, &v| all & probability(v)) {
        check_each(y.view(), probability, || {
            "a probability in [0, 1] (one-hot or soft labels)".to_owned()
        })?;
    }
    for (row, labels) in labels.chunks(y.ncols().max(1)).enumerate() {
        let sum = lanes::sum(labels);
        if (sum - T::one()).abs() > tolerance {
            return Err(Error::InvalidLabel {
                index: row * y.ncols(),
                value: widen(sum),
                expected: format!("label row {row} to sum to 1 (found its sum)"),
            });
        }
    }
    Ok(())
}

/// Two row-major arrays as a batch of rows.
fn batch<'a, T>(y: &'a CowArray<'_, T, Ix2>, p: &'a CowArray<'_, T, Ix2>) -> Rows<'a, T> {
    Rows {
        labels: y.as_slice().unwrap_or(&[]),
        values: p.as_slice().unwrap_or(&[]),
        count: p.nrows(),
    }
}

/// The view as is when it is row-major, else a row-major copy.
fn row_major<T: Clone>(view: ArrayView2<'_, T>) -> CowArray<'_, T, Ix2> {
    if view.is_standard_layout() {
        CowArray::from(view)
    } else {
        CowArray::from(view.as_standard_layout().into_owned())
    }
}

/// `Σ values / count`, accumulated wide for narrow types.
fn batch_mean<T: Float>(values: impl Iterator<Item = T>, count: usize) -> T {
    let mut sum = Accumulator::new();
    values.for_each(|v| sum.add(v));
    sum.mean(count)
}

//! The glue to the fused binary cross-entropy kernels (src/kernels/bce.rs):
//! which kernel a loss takes, the clip bound it hands down, and the
//! reductions built on the kernels' row sums. Element types without
//! kernels, and arrays not stored row-major, take the scalar path instead.

use super::EPSILON;
use super::binary_cross_entropy::{clipped_loss, logit_loss};
use super::checks::{check_shapes, label_out_of_range};
use super::reduction::lane_mean;
use crate::error::Error;
use crate::kernels::{self, Kernels};
use crate::precision::Accumulator;
use crate::precision::narrow;
use ndarray::{Array1, ArrayBase, ArrayView2, Axis, Data, Dimension};
use num_traits::Float;

/// Keras's reduction of the loss over a `(samples, width)` block of
/// labels already checked, without allocating: the mean over each row,
/// then the sum of those divided by the number of rows (as
/// [`binary_cross_entropy`](super::binary_cross_entropy()) reduces, and fused in the same way).
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

    /// The fused kernel for `T` (src/kernels/bce.rs), if `T` is `f32` or
    /// `f64`.
    fn fused<'a, T: Float>(self) -> Option<Fused<'a, T>> {
        let kernels = kernels::for_type::<T>()?;
        Some(Fused {
            loss: self,
            kernels,
        })
    }
}

/// The fused kernel of one loss for one element type.
#[derive(Clone, Copy)]
struct Fused<'a, T> {
    loss: Bce,
    kernels: &'a Kernels<T>,
}

impl<T: Float> Fused<'_, T> {
    /// The loss summed over each row of row-major labels and values of the
    /// same shape, one sum per row, labels checked on the way; a label out
    /// of range becomes its error. The kernel clips probabilities to
    /// `[ε, 1 - ε]` with the loss's `ε`, handed down here.
    fn row_sums(self, labels: &[T], values: &[T], sums: &mut [T]) -> Result<(), Error> {
        match self.loss {
            Bce::Probabilities => (self.kernels.bce)(labels, values, sums, narrow(EPSILON)),
            Bce::Logits => (self.kernels.bce_logits)(labels, values, sums),
        }
        .map_err(|index| label_out_of_range(index, labels.get(index)))
    }
}

/// The mean loss by the fused kernel (src/kernels/bce.rs), without
/// allocating: the sum over all elements divided by the width and by the
/// number of samples (Keras's mean of sample means, rounded in another
/// order). `None` where the kernels do not apply: element types other than
/// `f32` and `f64`, storage other than row-major.
pub(super) fn fused_mean<T, S1, S2, D>(
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
    let (labels, slice, fused) = (y_true.as_slice()?, values.as_slice()?, loss.fused()?);
    let mut total = [T::zero()];
    let mean = check_shapes(y_true, values)
        .and_then(|()| fused.row_sums(labels, slice, &mut total))
        .map(|()| {
            let width = y_true.len_of(Axis(y_true.ndim() - 1));
            total[0] / narrow(width as f64) / narrow((labels.len() / width) as f64)
        });
    Some(mean)
}

/// The loss of each sample by the fused kernel; `None` where it does not
/// apply (as [`fused_mean`]).
pub(super) fn fused_per_sample<T, S1, S2, D>(
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
    let (labels, slice, fused) = (y_true.as_slice()?, values.as_slice()?, loss.fused()?);
    let per_sample = check_shapes(y_true, values).and_then(|()| {
        let width = y_true.len_of(Axis(y_true.ndim() - 1));
        let mut sums = vec![T::zero(); labels.len() / width];
        fused.row_sums(labels, slice, &mut sums)?;
        let width = narrow::<T>(width as f64);
        Ok(sums.into_iter().map(|sum| sum / width).collect())
    });
    Some(per_sample)
}

//! The checks every loss makes of its labels and predictions.

use crate::error::{Error, check_shape};
use crate::kernels;
use crate::precision::widen;
use ndarray::{ArrayBase, Data, Dimension};
use num_traits::Float;

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
pub(super) fn check_shapes<T, S1, S2, D>(
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
    let first_bad = match (y_true.as_slice(), kernels::for_type::<T>()) {
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
pub(super) fn label_out_of_range<T: Float>(index: usize, label: Option<&T>) -> Error {
    Error::LabelOutOfRange {
        index,
        value: label.map_or(f64::NAN, |&y| widen(y)),
    }
}

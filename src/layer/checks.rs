//! The checks of the blocks and slices callers hand a layer,
//! shared by the built-in layers and the [`Layer`] trait's defaults. Each
//! formats its message only on failure: training calls them every batch.

use super::Layer;
use crate::{Element, Error};
use ndarray::{ArrayView2, ArrayViewMut2};

/// Checks the input and output blocks handed to a layer.
pub(super) fn check_io<T: Element>(
    layer: &dyn Layer<T>,
    x: &ArrayView2<'_, T>,
    out: &ArrayViewMut2<'_, T>,
) -> Result<(), Error> {
    let what = layer.class_name();
    crate::error::check_width(what, layer.input_width(), x.ncols())?;
    let expected = [x.nrows(), layer.output_width()];
    if out.shape() == expected {
        // The common case: no message is formatted on the hot path.
        return Ok(());
    }
    crate::error::check_shape(&format!("{what} output buffer"), &expected, out.shape())
}

/// Checks that the slices handed to
/// [`forward_row_major`](Layer::forward_row_major) hold `rows` rows of the layer's
/// input and output widths.
pub(super) fn check_rows<T: Element>(
    layer: &(impl Layer<T> + ?Sized),
    rows: usize,
    x: &[T],
    out: &[T],
) -> Result<(), Error> {
    let holds = |width: usize, len: usize| rows.checked_mul(width) == Some(len);
    if holds(layer.input_width(), x.len()) && holds(layer.output_width(), out.len()) {
        return Ok(());
    }
    check_row_major(layer, "input", [rows, layer.input_width()], x.len())?;
    check_row_major(layer, "output", [rows, layer.output_width()], out.len())
}

/// Checks that a slice of `len` values holds `rows × width` of them.
#[cold]
fn check_row_major<T: Element>(
    layer: &(impl Layer<T> + ?Sized),
    slice: &str,
    [rows, width]: [usize; 2],
    len: usize,
) -> Result<(), Error> {
    if rows.checked_mul(width) == Some(len) {
        return Ok(());
    }
    Err(Error::ShapeMismatch {
        what: format!(
            "{} {slice} slice ({rows} rows of {width} values)",
            layer.class_name()
        ),
        expected: vec![rows.saturating_mul(width)],
        found: vec![len],
    })
}

/// The slices handed to [`forward_row_major`](Layer::forward_row_major) as the
/// views [`forward_into`](Layer::forward_into) takes, once checked.
pub(super) fn row_major_views<'a, T: Element>(
    layer: &(impl Layer<T> + ?Sized),
    rows: usize,
    x: &'a [T],
    out: &'a mut [T],
) -> Result<(ArrayView2<'a, T>, ArrayViewMut2<'a, T>), Error> {
    check_rows(layer, rows, x, out)?;
    let x = ArrayView2::from_shape((rows, layer.input_width()), x)
        .expect("the input slice holds rows × inputs values");
    let out = ArrayViewMut2::from_shape((rows, layer.output_width()), out)
        .expect("the output slice holds rows × outputs values");
    Ok((x, out))
}

/// Checks the shape of a buffer handed to a layer, naming it in the error
/// (and formatting the name only then: training calls this every batch).
pub(super) fn check_buffer<T: Element>(
    layer: &(impl Layer<T> + ?Sized),
    buffer: &str,
    expected: [usize; 2],
    found: &[usize],
) -> Result<(), Error> {
    if found == expected {
        return Ok(());
    }
    let what = format!("{} {buffer} buffer", layer.class_name());
    crate::error::check_shape(&what, &expected, found)
}

/// Checks the blocks of a backward pass: `x` is `(batch, inputs)`,
/// `grad_pre` `(batch, outputs)`, `weight_grads` holds
/// `trainable_param_count()` values and `grad_input`, when given, has `x`'s shape.
pub(super) fn check_backward<T: Element>(
    layer: &(impl Layer<T> + ?Sized),
    x: &ArrayView2<'_, T>,
    grad_pre: &ArrayView2<'_, T>,
    weight_grads: &[T],
    grad_input: Option<&ArrayViewMut2<'_, T>>,
) -> Result<(), Error> {
    crate::error::check_width(layer.class_name(), layer.input_width(), x.ncols())?;
    let rows = x.nrows();
    let outputs = [rows, layer.output_width()];
    check_buffer(layer, "gradient", outputs, grad_pre.shape())?;
    let count = [1, weight_grads.len()];
    check_buffer(
        layer,
        "weight gradient",
        [1, layer.trainable_param_count()],
        &count,
    )?;
    match grad_input {
        Some(grad) => check_buffer(layer, "input gradient", [rows, x.ncols()], grad.shape()),
        None => Ok(()),
    }
}

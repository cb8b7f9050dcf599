//! The affine maths of [`Dense`](super::Dense) and
//! [`Maxout`](super::Maxout)'s pieces: `x · kernel + bias`, forward on
//! views or row-major slices, and backward.

use crate::Element;
use crate::kernels::{is_tiny_on_slices, matmul, tiny_affine_rows};
use ndarray::{ArrayView1, ArrayView2, ArrayViewMut2};

/// `out = x · kernel + bias`: `out` is filled with the bias rows and the
/// product is accumulated onto them, so the bias costs no pass of its own.
pub(super) fn affine_into<T: Element>(
    x: ArrayView2<'_, T>,
    kernel: ArrayView2<'_, T>,
    bias: ArrayView1<'_, T>,
    mut out: ArrayViewMut2<'_, T>,
) {
    match (out.as_slice_mut(), bias.as_slice()) {
        (Some(rows), Some(bias)) => rows
            .chunks_exact_mut(bias.len())
            .for_each(|row| row.iter_mut().zip(bias).for_each(|(z, &b)| *z = b)),
        _ => out.assign(&bias.broadcast(out.raw_dim()).expect("one bias per unit")),
    }
    matmul(x, kernel, out, true);
}

/// [`affine_into`] for the rows of `x`, appended to the row-major `out`:
/// the bias rows are pushed and the product accumulated onto them, so the
/// new rows are written once before the product, as in `affine_into`, and
/// never zeroed. The same values, bit for bit.
pub(super) fn affine_appended<'o, T: Element>(
    x: ArrayView2<'_, T>,
    kernel: ArrayView2<'_, T>,
    bias: &[T],
    out: &'o mut Vec<T>,
) -> ArrayViewMut2<'o, T> {
    let start = out.len();
    (0..x.nrows()).for_each(|_| out.extend_from_slice(bias));
    let mut block = ArrayViewMut2::from_shape((x.nrows(), bias.len()), &mut out[start..])
        .expect("one bias row per row of x");
    matmul(x, kernel, block.view_mut(), true);
    block
}

/// [`affine_into`] on row-major slices, `shape = (rows, inputs, units)`
/// checked by the caller: the same values, bit for bit. Tiny products run
/// on the slices; the views of larger ones cost nothing next to them.
#[inline]
pub(super) fn affine_rows<T: Element>(
    x: &[T],
    kernel: &[T],
    bias: &[T],
    out: &mut [T],
    (rows, inputs, units): (usize, usize, usize),
) {
    if is_tiny_on_slices::<T>(rows, inputs, units) {
        tiny_affine_rows(x, kernel, bias, out, (rows, inputs, units));
        return;
    }
    let x = ArrayView2::from_shape((rows, inputs), x).expect("checked: rows × inputs");
    let kernel = ArrayView2::from_shape((inputs, units), kernel).expect("the kernel's shape");
    let out = ArrayViewMut2::from_shape((rows, units), out).expect("checked: rows × units");
    affine_into(x, kernel, ArrayView1::from(bias), out);
}

/// The backward pass of `z = x · kernel + bias` given `grad_z = ∂L/∂z`:
/// `∂L/∂kernel = xᵀ · grad_z` into `kernel_grad` (row-major, the kernel's
/// shape), `∂L/∂bias` = the column sums of `grad_z` into `bias_grad`, and,
/// when asked, `∂L/∂x = grad_z · kernelᵀ` into the given block (added to
/// what it holds when the flag is set). Callers check the shapes.
pub(super) fn affine_backward<T: Element>(
    x: ArrayView2<'_, T>,
    kernel: ArrayView2<'_, T>,
    grad_z: ArrayView2<'_, T>,
    kernel_grad: &mut [T],
    bias_grad: &mut [T],
    grad_input: Option<(&mut ArrayViewMut2<'_, T>, bool)>,
) {
    let kernel_grad = ArrayViewMut2::from_shape(kernel.raw_dim(), kernel_grad)
        .expect("the caller sized the kernel gradient");
    matmul(x.t(), grad_z, kernel_grad, false);
    if crate::precision::is_narrow::<T>() {
        // Column sums in f64, rounded once (src/precision.rs).
        for (b, column) in bias_grad.iter_mut().zip(grad_z.columns()) {
            let mut sum = crate::precision::Accumulator::new();
            column.iter().for_each(|&g| sum.add(g));
            *b = sum.total();
        }
    } else {
        bias_grad.iter_mut().for_each(|b| *b = T::zero());
        // On slices, not a view per row (standard layout is what training
        // passes; another layout is copied once).
        let grad_z = grad_z.as_standard_layout();
        let rows = grad_z.as_slice().expect("standard layout");
        for row in rows.chunks_exact(bias_grad.len().max(1)) {
            bias_grad
                .iter_mut()
                .zip(row)
                .for_each(|(b, &g)| *b = *b + g);
        }
    }
    if let Some((grad_x, accumulate)) = grad_input {
        matmul(grad_z, kernel.t(), grad_x.view_mut(), accumulate);
    }
}

/// The array itself when it is already stored row-major, else a row-major
/// copy.
pub(super) fn row_major<T: Element, D: ndarray::Dimension>(
    array: ndarray::Array<T, D>,
) -> ndarray::Array<T, D> {
    if array.is_standard_layout() {
        array
    } else {
        array.as_standard_layout().into_owned()
    }
}

//! Batch normalisation's training passes over a row-major batch of `f32`,
//! `f64` or a wider type, a whole row at a time, with the per-column
//! values in the step's statistics buffer. The data is read in order, once
//! per pass (the column chunks of normalization.rs, which keep their
//! per-column values on the stack, stride through it instead). Two passes
//! forward (the moments; the normalisation, writing the pre-activations and
//! the outputs together), two backward (the column sums; `∂L/∂x`): four
//! in all. The sums are in `T`, in the order of
//! [`column_moments`](super::normalization::column_moments), so both ways
//! give the same bits.

use super::normalization::Columns;
use crate::Element;
use crate::precision::{cast, widen};

/// Per-column values of a step beyond the mean and variance: the forward
/// pass's factor and offset, then the backward pass's `k`, `slope` and
/// `constant`.
pub(super) const SCRATCH_PER_COLUMN: usize = 3;

/// The columns' means and biased variances of the rows of `x` (`mean.len()`
/// wide) into `mean` and `var`: sums shifted by the first row.
pub(super) fn moments<T: Element>(x: &[T], mean: &mut [T], var: &mut [T]) {
    let cols = mean.len();
    let rows = x.len() / cols;
    let first = &x[..cols];
    mean.fill(T::zero());
    var.fill(T::zero());
    for row in x.chunks_exact(cols) {
        let sums = mean.iter_mut().zip(var.iter_mut());
        for ((s, q), (&v, &c)) in sums.zip(row.iter().zip(first)) {
            let d = v - c;
            *s = *s + d;
            *q = *q + d * d;
        }
    }
    let n: T = cast(rows);
    for ((m, v), &c) in mean.iter_mut().zip(var.iter_mut()).zip(first) {
        let mean_shift = *m / n;
        (*m, *v) = (
            c + mean_shift,
            (*v / n - mean_shift * mean_shift).max(T::zero()),
        );
    }
}

/// `y = x·inv + offset` per column into `out` and `copy`, with the
/// columns' factors and offsets written into `scratch` first.
pub(super) fn normalize<T: Element>(
    columns: &Columns<'_, T>,
    x: &[T],
    scratch: &mut [T],
    (out, copy): (&mut [T], &mut [T]),
) {
    let cols = columns.mean.len();
    let (inv, rest) = scratch.split_at_mut(cols);
    let offset = &mut rest[..cols];
    for j in 0..cols {
        (inv[j], offset[j]) = columns.affine(j);
    }
    let rows = x.chunks_exact(cols).zip(out.chunks_exact_mut(cols));
    for ((x, out), copy) in rows.zip(copy.chunks_exact_mut(cols)) {
        let factors = inv.iter().zip(&*offset);
        for ((o, c), (&v, (&a, &b))) in out.iter_mut().zip(copy).zip(x.iter().zip(factors)) {
            (*o, *c) = (v * a + b, v * a + b);
        }
    }
}

/// The backward pass of [`Columns::backward`] on whole rows: the column
/// sums, then `∂L/∂x` (when asked) with the columns' factors in `scratch`.
pub(super) fn backward<T: Element>(
    columns: &Columns<'_, T>,
    (x, grad): (&[T], &[T]),
    scratch: &mut [T],
    weight_grads: &mut [T],
    grad_x: Option<&mut [T]>,
) {
    let cols = columns.mean.len();
    let n = (x.len() / cols) as f64;
    let (k, rest) = scratch.split_at_mut(cols);
    let (slope, rest) = rest.split_at_mut(cols);
    let constant = &mut rest[..cols];
    // The sums Σg into `constant` and Σg·(x − mean) into `slope` first.
    constant.fill(T::zero());
    slope.fill(T::zero());
    for (x, g) in x.chunks_exact(cols).zip(grad.chunks_exact(cols)) {
        let sums = constant.iter_mut().zip(slope.iter_mut());
        for ((sg, sgd), ((&v, &g), &m)) in sums.zip(x.iter().zip(g).zip(columns.mean)) {
            *sg = *sg + g;
            *sgd = *sgd + g * (v - m);
        }
    }
    for j in 0..cols {
        let sums = (widen(constant[j]), widen(slope[j]));
        (k[j], slope[j], constant[j]) = columns.backward_factors(j, sums, (n, cols), weight_grads);
    }
    let Some(grad_x) = grad_x else { return };
    let rows = x.chunks_exact(cols).zip(grad.chunks_exact(cols));
    for ((x, g), out) in rows.zip(grad_x.chunks_exact_mut(cols)) {
        let factors = k.iter().zip(&*slope).zip(&*constant).zip(columns.mean);
        for ((o, (&v, &g)), (((&k, &slope), &constant), &m)) in
            out.iter_mut().zip(x.iter().zip(g)).zip(factors)
        {
            *o = k * g + slope * (v - m) + constant;
        }
    }
}

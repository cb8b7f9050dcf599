//! What the row-wise functions (softmax, log-softmax, sparsemax) share:
//! running a slice function over every row of a block.

use ndarray::ArrayViewMut2;
use num_traits::Float;

/// Runs `f` on every row of `rows`: contiguous rows in place, strided
/// ones through one buffer, reused.
pub(super) fn apply_each_row<T: Float>(mut rows: ArrayViewMut2<'_, T>, f: impl Fn(&mut [T])) {
    let mut buffer = Vec::new();
    for mut row in rows.rows_mut() {
        match row.as_slice_mut() {
            Some(values) => f(values),
            None => {
                buffer.clear();
                buffer.extend(row.iter().copied());
                f(&mut buffer);
                row.iter_mut().zip(&buffer).for_each(|(x, &v)| *x = v);
            }
        }
    }
}

/// Runs `f` on each row of `width` values stored one after the other in
/// `values` (nothing for `width = 0`; values after the last whole row are
/// left alone).
pub(super) fn apply_each_row_major<T>(values: &mut [T], width: usize, f: impl FnMut(&mut [T])) {
    if width > 0 {
        values.chunks_exact_mut(width).for_each(f);
    }
}

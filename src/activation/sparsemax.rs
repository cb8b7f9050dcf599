//! Sparsemax over the last axis.

use super::{Activation, BuiltinActivation, KerasName};
use ndarray::{ArrayView2, ArrayViewMut2};
use num_traits::Float;

/// Sparsemax over each row (Martins & Astudillo, 2016): the Euclidean
/// projection of the row onto the probability simplex,
/// `sparsemax(x)_i = max(x_i - τ, 0)` with the threshold `τ` such that the
/// outputs sum to 1. Unlike softmax it gives exact zeros: `[3, 1, 0]` gives
/// `[1, 0, 0]`, `[0.5, 0.5, -1]` gives `[0.5, 0.5, 0]`.
///
/// A row-wise function like [`Softmax`](crate::Softmax), usable as the
/// output of a `Dense` layer:
///
/// - [`apply_rows`](Activation::apply_rows) and
///   [`apply_row_major`](Activation::apply_row_major) transform every row
///   on its own; [`apply_slice`](Activation::apply_slice) treats the whole
///   slice as one row;
/// - [`apply`](Activation::apply) and [`derivative`](Activation::derivative)
///   see a row of length one: `sparsemax(x) = 1` and its derivative `0`
///   for finite `x`, NaN otherwise;
/// - [`backward_rows`](Activation::backward_rows) is the vector-Jacobian
///   product of each row: on the support `S = {i : y_i > 0}`,
///   `∂L/∂x_i = g_i - mean_{j∈S} g_j`, and 0 off it. An entry exactly at the
///   threshold (`x_i = τ`, a kink) is outside the support, as in the
///   paper's Jacobian.
///
/// # Keras's sparsemax is wrong on ties and wider supports
///
/// Keras 3.15.1 (every backend) divides the sum of all the cumulative sums
/// over the support by its size instead of the last one (keras-team/keras
/// issue 23425), so its rows do not sum to 1 once the support has two or
/// more entries: `[1, 1, 1]` gives `[0, 0, 0]` (here `[⅓, ⅓, ⅓]`),
/// `[0.5, 0.5, -1]` gives `[0.25, 0.25, 0]`. neurite computes the
/// textbook projection; on rows whose support is one entry both agree.
///
/// # Algorithm and accuracy
///
/// No sorting and no allocation: in the coordinates `z = x - max(x)`,
/// `τ ≥ -1`, so the support lies in `{z > -1}`; Michelot's iteration
/// `τ ← (Σ_{z > τ} z - 1) / |{z > τ}|` from `τ = -1` raises `τ`
/// monotonically to the exact threshold, shrinking the candidate set
/// each step (at most `n` passes, a handful in practice). The outputs are
/// within `(k + 2)·u` of the exact ones in absolute terms (`u` the unit
/// roundoff, `k` the support size: the rounding of the sum that gives `τ`).
///
/// # NaN and infinities
///
/// A row holding NaN or `+inf`, or only `-inf`, becomes all NaN (Keras
/// returns `inf` entries for `+inf` rows and a mix of NaN and `inf` for
/// NaN rows); a `-inf` entry gives 0.
///
/// # Plot
///
/// The first entry `y₀` of the two-entry row `sparsemax(x, 0)` (blue):
/// 0 up to −1, `(x + 1)/2` between, 1 from 1 on; and its derivative
/// `∂y₀/∂x` (orange), from [`backward_rows`](Activation::backward_rows)
/// with upstream gradient `(1, 0)`, over `[-5, 5]`. Drawn by
/// `cargo run --example plot_activations`:
///
#[doc = include_str!("../../docs/img/sparsemax.svg")]
///
/// # Example
///
/// ```
/// use ndarray::array;
/// use neurite::{Activation, Sparsemax};
///
/// let mut z = array![[1.0_f64, 1.0, 1.0], [0.0, 0.5, 1.0], [3.0, 1.0, 0.0]];
/// Sparsemax.apply_rows(z.view_mut());
/// let third = 1.0 / 3.0;
/// assert_eq!(z, array![[third, third, third], [0.0, 0.25, 0.75], [1.0, 0.0, 0.0]]);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Sparsemax;

/// The threshold `τ` of a row shifted by its finite maximum `max`.
fn threshold<T: Float>(row: &[T], max: T) -> T {
    let mut tau = -T::one();
    let mut candidates = usize::MAX;
    loop {
        let (count, sum) = row
            .iter()
            .map(|&x| x - max)
            .filter(|&z| z > tau)
            .fold((0, T::zero()), |(count, sum), z| (count + 1, sum + z));
        // The candidate set only shrinks; once it stays, `τ` is the fixed
        // point. (`count ≥ 1`: `τ < 0 = z` of the maximum.)
        if count >= candidates {
            return tau;
        }
        candidates = count;
        let size = T::from(count).unwrap_or_else(T::max_value);
        tau = (sum - T::one()) / size;
    }
}

/// The sparsemax of one row in place.
fn sparsemax_row<T: Float>(row: &mut [T]) {
    let mut max = T::neg_infinity();
    for &x in row.iter() {
        if x.is_nan() {
            max = x;
            break;
        }
        max = max.max(x);
    }
    if !max.is_finite() {
        // NaN, +inf, or no finite value (an empty row changes nothing).
        row.iter_mut().for_each(|x| *x = T::nan());
        return;
    }
    let tau = threshold(row, max);
    row.iter_mut()
        .for_each(|x| *x = ((*x - max) - tau).max(T::zero()));
}

impl<T: Float> Activation<T> for Sparsemax {
    fn apply(&self, x: T) -> T {
        if x.is_finite() { T::one() } else { T::nan() }
    }

    fn derivative(&self, x: T) -> T {
        if x.is_finite() { T::zero() } else { T::nan() }
    }

    fn apply_slice(&self, xs: &mut [T]) {
        sparsemax_row(xs);
    }

    /// Each row on its own, as [`apply_rows`](Activation::apply_rows).
    fn apply_row_major(&self, values: &mut [T], width: usize) {
        super::row_wise::apply_each_row_major(values, width, sparsemax_row);
    }

    fn apply_rows(&self, rows: ArrayViewMut2<'_, T>) {
        super::row_wise::apply_each_row(rows, sparsemax_row);
    }

    /// Each row's vector-Jacobian product: `grad_i ← grad_i - mean_S grad`
    /// on the support `S` (`y_i > 0` in the row of `out`), 0 off it; NaN
    /// for a NaN row.
    fn backward_rows(
        &self,
        _pre: ArrayView2<'_, T>,
        out: ArrayView2<'_, T>,
        mut grad: ArrayViewMut2<'_, T>,
    ) {
        for (y, mut g) in out.rows().into_iter().zip(grad.rows_mut()) {
            if y.iter().any(|y| y.is_nan()) {
                g.fill(T::nan());
                continue;
            }
            let (count, sum) = y
                .iter()
                .zip(g.iter())
                .filter(|&(&y, _)| y > T::zero())
                .fold((T::zero(), T::zero()), |(count, sum), (_, &g)| {
                    (count + T::one(), sum + g)
                });
            let mean = sum / count;
            g.zip_mut_with(&y, |g, &y| {
                *g = if y > T::zero() { *g - mean } else { T::zero() }
            });
        }
    }

    builtin_methods!();
}

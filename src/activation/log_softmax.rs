//! Log-softmax over the last axis.

use super::{Activation, BuiltinActivation, KerasName};
use crate::kernels::{self, Native};
use ndarray::{ArrayView2, ArrayViewMut2};
use num_traits::Float;

/// Log-softmax over each row: `log_softmax(x)_i = x_i - ln Σ_j e^(x_j)`,
/// computed as `(x_i - m) - ln Σ_j e^(x_j - m)` with `m` the row's
/// maximum, Keras's `log_softmax` (axis −1).
///
/// A row-wise function like [`Softmax`](crate::Softmax), usable as the
/// output of a `Dense` layer:
///
/// - [`apply_rows`](Activation::apply_rows) and
///   [`apply_row_major`](Activation::apply_row_major) transform every row
///   on its own; [`apply_slice`](Activation::apply_slice) treats the whole
///   slice as one row;
/// - [`apply`](Activation::apply) and [`derivative`](Activation::derivative)
///   see a row of length one: `log_softmax(x) = 0` and its derivative
///   `1 - softmax(x) = 0` for finite `x`, NaN otherwise;
/// - [`backward_rows`](Activation::backward_rows) is the vector-Jacobian
///   product of each row, `∂L/∂x_i = g_i - softmax(x)_i · Σ_j g_j` with
///   `softmax(x) = e^y` taken from the output `y`.
///
/// # Accuracy
///
/// Large and equal logits are safe: `[1000, 1000, -1000]` gives
/// `[-ln 2, -ln 2, -2000 - ln 2]`. The sum is split into the maximum's
/// term and the rest, and `ln Σ` taken as `ln(1 + rest)`, so an output near
/// 0 keeps its relative accuracy: `log_softmax([88, 89, 100])[2] =
/// -2.2845652e-5` within 1 ULP, where TensorFlow's float32 result is
/// 23 238 ULP off (`-2.2887922e-5`). Each output is the sum of two terms
/// of the same sign, `(x_i - m)` and `-ln Σ`, so nothing cancels, and each
/// term of the sum carries the exact rounding error of its `x_j - m`. The
/// results are within 2 ULP of the exact values on every row of the golden
/// file and of random rows (`f32` against `f64`); the general bound is
/// `2 ULP + (n + 2)·u·ln Σ` (`u` the unit roundoff, `n` the row length),
/// since a sum of `n` rounded terms has no fixed ULP bound (the details in
/// the kernel's notes, src/kernels/log_softmax.rs).
///
/// # NaN and infinities
///
/// As in Keras: a row holding NaN or `+inf`, or only `-inf`, becomes all
/// NaN; a `-inf` entry gives `-inf` (and a zero gradient share).
///
/// # Plot
///
/// Like softmax, log-softmax has no curve of one variable. The plot shows
/// the first entry `y₀` of the two-entry row `log_softmax(x, 0)` (blue),
/// `-ln(1 + e^-x)`, the log-sigmoid, and its derivative `∂y₀/∂x =
/// 1 - softmax(x, 0)₀` (orange), from
/// [`backward_rows`](Activation::backward_rows) with upstream gradient
/// `(1, 0)`, over `[-5, 5]`. Drawn by `cargo run --example
/// plot_activations`:
///
#[doc = include_str!("../../docs/img/log_softmax.svg")]
///
/// # Example
///
/// ```
/// use ndarray::array;
/// use neurite::{Activation, LogSoftmax};
///
/// let mut z = array![[1.0_f64, 1.0], [0.0, f64::NEG_INFINITY]];
/// LogSoftmax.apply_rows(z.view_mut());
/// let ln2 = std::f64::consts::LN_2;
/// assert_eq!(z, array![[-ln2, -ln2], [0.0, f64::NEG_INFINITY]]);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct LogSoftmax;

/// The log-softmax of one row in place, for types without a kernel: the
/// kernel's algorithm in `T`.
fn log_softmax_row<T: Float>(row: &mut [T]) {
    let max = row.iter().fold(T::neg_infinity(), |m, &x| {
        if x.is_nan() || m.is_nan() {
            T::nan()
        } else {
            m.max(x)
        }
    });
    if !max.is_finite() {
        row.iter_mut().for_each(|x| *x = T::nan());
        return;
    }
    // The maximum's own term `e^0 = 1` (one of the ties) is left out of
    // the sum and added back inside `ln_1p`.
    let (ties, below) = row
        .iter()
        .fold((T::zero(), T::zero()), |(ties, below), &x| {
            if x == max {
                (ties + T::one(), below)
            } else {
                (ties, below + (x - max).exp())
            }
        });
    let rest = (ties - T::one()) + below;
    let log_sum = rest.ln_1p();
    row.iter_mut().for_each(|x| *x = (*x - max) - log_sum);
}

impl<T: Float> Activation<T> for LogSoftmax {
    fn apply(&self, x: T) -> T {
        if x.is_finite() { T::zero() } else { T::nan() }
    }

    fn derivative(&self, x: T) -> T {
        if x.is_finite() { T::zero() } else { T::nan() }
    }

    fn apply_slice(&self, xs: &mut [T]) {
        match kernels::native(xs) {
            Native::F32(xs) => (kernels::f32_kernels().log_softmax)(xs),
            Native::F64(xs) => (kernels::f64_kernels().log_softmax)(xs),
            #[cfg(feature = "half")]
            Native::Half(xs) => xs.map_row(kernels::f32_kernels().log_softmax),
            Native::Other(xs) => log_softmax_row(xs),
        }
    }

    /// Each row on its own, as [`apply_rows`](Activation::apply_rows).
    fn apply_row_major(&self, values: &mut [T], width: usize) {
        super::row_wise::apply_each_row_major(values, width, |row| self.apply_slice(row));
    }

    fn apply_rows(&self, rows: ArrayViewMut2<'_, T>) {
        super::row_wise::apply_each_row(rows, |row| self.apply_slice(row));
    }

    /// Each row's vector-Jacobian product:
    /// `grad_i ← grad_i - e^(y_i) · Σ_j grad_j` with `y` the row of `out`.
    fn backward_rows(
        &self,
        _pre: ArrayView2<'_, T>,
        out: ArrayView2<'_, T>,
        mut grad: ArrayViewMut2<'_, T>,
    ) {
        for (y, mut g) in out.rows().into_iter().zip(grad.rows_mut()) {
            let total = g.iter().fold(T::zero(), |acc, &g| acc + g);
            g.zip_mut_with(&y, |g, &y| *g = *g - y.exp() * total);
        }
    }

    builtin_methods!();
}

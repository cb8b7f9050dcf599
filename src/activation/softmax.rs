//! Softmax over the last axis.

use super::{Activation, BuiltinActivation, KerasName};
use crate::error::{Error, check_shape};
use crate::kernels::{self, Native};
use ndarray::{ArrayView2, ArrayViewMut2};
use num_traits::Float;

/// Softmax over each row: `softmax(x)_i = e^(x_i) / Σ_j e^(x_j)`.
///
/// Softmax mixes the values of a row, so it is not an element-wise
/// function. It still implements [`Activation`], which is how
/// `Dense::new(kernel, bias, Softmax)` works like Keras's
/// `Dense(units, activation="softmax")`:
///
/// - [`apply_rows`](Activation::apply_rows), which a `Dense` layer calls on
///   its `(batch, units)` output, normalises every row on its own;
/// - [`apply_slice`](Activation::apply_slice) treats the whole slice as one
///   row;
/// - [`apply`](Activation::apply) and [`derivative`](Activation::derivative)
///   treat their argument as a row of length one: `softmax(x) = 1` and its
///   derivative `y(1 - y) = 0` for finite `x`. For the gradient of a full
///   row use [`Softmax::vjp`].
///
/// Rows are shifted by their maximum before exponentiating, so large inputs
/// do not overflow. As in Keras, a row holding NaN or `+inf` becomes all
/// NaN, `-inf` entries give `0`, and a row of only `-inf` gives NaN.
///
/// # Plot
///
/// Softmax has no curve of one variable: on a single value it is the
/// constant `1`. The plot shows the first entry `y₀` of the two-entry row
/// `softmax(x, 0)` (blue), computed by [`apply_slice`](Activation::apply_slice),
/// and its derivative `∂y₀/∂x = y₀(1 - y₀)` (orange), from [`Softmax::vjp`]
/// with upstream gradient `(1, 0)`, over `[-5, 5]`. It is the sigmoid
/// curve: softmax of two logits is the sigmoid of their difference. Drawn by
/// `cargo run --example plot_activations`:
///
#[doc = include_str!("../../docs/img/softmax.svg")]
///
/// # Example
///
/// ```
/// use ndarray::array;
/// use neurite::{Activation, Softmax};
///
/// let mut z = array![[1.0_f64, 1.0], [0.0, f64::NEG_INFINITY]];
/// Softmax.apply_rows(z.view_mut());
/// assert_eq!(z, array![[0.5, 0.5], [1.0, 0.0]]);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Softmax;

impl Softmax {
    /// The vector-Jacobian product of one row: given the softmax output `y`
    /// of the row and an upstream gradient `g = ∂L/∂y`, returns
    /// `∂L/∂x_i = y_i (g_i - Σ_j g_j y_j)` without forming the Jacobian.
    ///
    /// # Errors
    ///
    /// [`Error::ShapeMismatch`] when the two rows differ in length.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::Softmax;
    ///
    /// // Equal outputs and an upstream gradient that favours the first.
    /// let grad = Softmax::vjp(&[0.5_f64, 0.5], &[1.0, 0.0])?;
    /// assert_eq!(grad, vec![0.25, -0.25]);
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn vjp<T: Float>(y: &[T], upstream: &[T]) -> Result<Vec<T>, Error> {
        check_shape("softmax upstream gradient", &[y.len()], &[upstream.len()])?;
        let dot = y
            .iter()
            .zip(upstream)
            .fold(T::zero(), |acc, (&y, &g)| acc + y * g);
        Ok(y.iter()
            .zip(upstream)
            .map(|(&y, &g)| y * (g - dot))
            .collect())
    }
}

/// Normalises one row in place.
fn softmax_row<T: Float>(row: &mut [T]) {
    let max = row.iter().fold(T::neg_infinity(), |m, &x| {
        if x.is_nan() || m.is_nan() {
            T::nan()
        } else {
            m.max(x)
        }
    });
    if !max.is_finite() {
        // NaN, +inf or an all -inf row: Keras gives NaN for every entry.
        row.iter_mut().for_each(|x| *x = T::nan());
        return;
    }
    let mut sum = T::zero();
    for x in row.iter_mut() {
        *x = (*x - max).exp();
        sum = sum + *x;
    }
    row.iter_mut().for_each(|x| *x = *x / sum);
}

impl<T: Float> Activation<T> for Softmax {
    fn apply(&self, x: T) -> T {
        if x.is_finite() { T::one() } else { T::nan() }
    }

    fn derivative(&self, x: T) -> T {
        if x.is_finite() { T::zero() } else { T::nan() }
    }

    fn apply_slice(&self, xs: &mut [T]) {
        self.apply_row_major(xs, xs.len());
    }

    /// Each row on its own, as [`apply_rows`](Activation::apply_rows), the
    /// rows of `f32` and `f64` in one call of the kernel (narrow rows go
    /// several at a time: src/kernels/softmax.rs).
    fn apply_row_major(&self, values: &mut [T], width: usize) {
        if width == 0 {
            return;
        }
        match kernels::native(values) {
            Native::F32(xs) => (kernels::f32_kernels().softmax)(xs, width),
            Native::F64(xs) => (kernels::f64_kernels().softmax)(xs, width),
            #[cfg(feature = "half")]
            Native::Half(xs) => xs.map_row(|row| (kernels::f32_kernels().softmax)(row, width)),
            Native::Other(xs) => xs.chunks_exact_mut(width).for_each(softmax_row),
        }
    }

    fn apply_rows(&self, mut rows: ArrayViewMut2<'_, T>) {
        let width = rows.ncols();
        match rows.as_slice_mut() {
            Some(values) => self.apply_row_major(values, width),
            None => super::row_wise::apply_each_row(rows, |row| self.apply_slice(row)),
        }
    }

    /// Each row's vector-Jacobian product, as [`Softmax::vjp`]:
    /// `grad_i ← y_i (grad_i - Σ_j grad_j y_j)` with `y` the row of `out`.
    fn backward_rows(
        &self,
        _pre: ArrayView2<'_, T>,
        out: ArrayView2<'_, T>,
        mut grad: ArrayViewMut2<'_, T>,
    ) {
        for (y, mut g) in out.rows().into_iter().zip(grad.rows_mut()) {
            let dot = y
                .iter()
                .zip(g.iter())
                .fold(T::zero(), |acc, (&y, &g)| acc + y * g);
            g.zip_mut_with(&y, |g, &y| *g = y * (*g - dot));
        }
    }

    builtin_methods!();
}

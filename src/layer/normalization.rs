//! The maths [`BatchNormalization`](super::BatchNormalization) and
//! [`LayerNormalization`](super::LayerNormalization) share, on
//! `(rows, features)` blocks, and their checks of hyper-parameters.
//!
//! Keras normalises as `y = x·inv + (beta − mean·inv)` with
//! `inv = gamma·rsqrt(var + epsilon)` and the *biased* variance (divided by
//! the count), in the element type; so do these functions. Sums over the
//! batch (means, variances, the column sums of the backward pass) run in
//! `T` for `f32` and wider, in `f64` for narrow types (src/precision.rs).
//! The variance comes from one pass of sums shifted by the first row,
//! `var = Σd²/n − (Σd/n)²` with `d = x − x₀`: the shift keeps the
//! cancellation of the one-pass form small for data far from 0.
//!
//! Column-wise passes take the columns [`CHUNK`] at a time, with their
//! per-column values on the stack: no pass allocates.

use crate::Element;
use crate::error::Error;
use crate::precision::{cast, is_narrow, narrow, widen};
use ndarray::{ArrayView2, ArrayViewMut2, s};

/// Columns per chunk of a column-wise pass (their `f64` sums stay in
/// registers and L1).
pub(super) const CHUNK: usize = 64;

/// Checks an epsilon: finite and above 0 (it keeps `rsqrt(var + epsilon)`
/// finite for a constant column or row).
pub(super) fn check_epsilon(name: &'static str, epsilon: f64) -> Result<(), Error> {
    if epsilon > 0.0 && epsilon.is_finite() {
        return Ok(());
    }
    Err(Error::InvalidParameter {
        name,
        expected: "a finite epsilon > 0",
        found: epsilon.to_string(),
    })
}

/// Checks a moving-average momentum: in `[0, 1]`.
pub(super) fn check_momentum(momentum: f64) -> Result<(), Error> {
    if (0.0..=1.0).contains(&momentum) {
        return Ok(());
    }
    Err(Error::InvalidParameter {
        name: "BatchNormalization momentum",
        expected: "a momentum in [0, 1]",
        found: momentum.to_string(),
    })
}

/// Calls `f(row, values)` on each row of `x` restricted to `columns`, as a
/// slice (copied to the stack when `x` is not row-major).
fn for_each_row_chunk<T: Element>(
    x: &ArrayView2<'_, T>,
    columns: std::ops::Range<usize>,
    mut f: impl FnMut(usize, &[T]),
) {
    let width = columns.len();
    if let Some(values) = x.as_slice() {
        let cols = x.ncols();
        for row in 0..x.nrows() {
            f(
                row,
                &values[row * cols + columns.start..row * cols + columns.end],
            );
        }
        return;
    }
    let mut copy = [T::zero(); CHUNK];
    for (row, values) in x.slice(s![.., columns]).rows().into_iter().enumerate() {
        copy[..width]
            .iter_mut()
            .zip(values)
            .for_each(|(c, &v)| *c = v);
        f(row, &copy[..width]);
    }
}

/// The columns' means and biased variances into `mean` and `var`.
pub(super) fn column_moments<T: Element>(x: &ArrayView2<'_, T>, mean: &mut [T], var: &mut [T]) {
    if is_narrow::<T>() {
        moments_in::<T, f64>(x, mean, var);
    } else {
        moments_in::<T, T>(x, mean, var);
    }
}

/// [`column_moments`] with sums in `A`.
fn moments_in<T: Element, A: Element>(x: &ArrayView2<'_, T>, mean: &mut [T], var: &mut [T]) {
    let n: A = cast(x.nrows());
    for start in (0..x.ncols()).step_by(CHUNK) {
        let end = (start + CHUNK).min(x.ncols());
        let w = end - start;
        let (mut shift, mut sum, mut squares) =
            ([A::zero(); CHUNK], [A::zero(); CHUNK], [A::zero(); CHUNK]);
        let (shift, sum, squares) = (&mut shift[..w], &mut sum[..w], &mut squares[..w]);
        for_each_row_chunk(x, start..end, |row, values| {
            if row == 0 {
                shift
                    .iter_mut()
                    .zip(values)
                    .for_each(|(s, &v)| *s = cast(v));
            }
            let sums = sum.iter_mut().zip(squares.iter_mut());
            for ((s, q), (&c, &v)) in sums.zip(shift.iter().zip(values)) {
                let d = cast::<T, A>(v) - c;
                *s = *s + d;
                *q = *q + d * d;
            }
        });
        let columns = mean[start..end].iter_mut().zip(&mut var[start..end]);
        for ((m, v), ((&c, &s), &q)) in columns.zip(shift.iter().zip(&*sum).zip(&*squares)) {
            let mean_shift = s / n;
            *m = cast(c + mean_shift);
            *v = cast((q / n - mean_shift * mean_shift).max(A::zero()));
        }
    }
}

/// Keras's per-column factor and offset: `inv = gamma·rsqrt(var + ε)`,
/// `offset = beta − mean·inv` (no gamma or beta: 1 and 0).
pub(super) fn scale_and_offset<T: Element>(
    (mean, var): (T, T),
    (gamma, beta): (Option<T>, Option<T>),
    epsilon: T,
) -> (T, T) {
    let inv = (var + epsilon).sqrt().recip();
    let inv = gamma.map_or(inv, |gamma| inv * gamma);
    (inv, beta.unwrap_or_else(T::zero) - mean * inv)
}

/// Runs `f` on `out` as a row-major slice: on its own values when it is
/// row-major, else on a copy written back after (views of another layout
/// are rare: callers' own buffers).
pub(super) fn with_row_major<T: Element>(out: &mut ArrayViewMut2<'_, T>, f: impl FnOnce(&mut [T])) {
    if let Some(values) = out.as_slice_mut() {
        return f(values);
    }
    let mut copy = out.as_standard_layout().into_owned();
    f(copy.as_slice_mut().expect("a standard-layout array"));
    out.assign(&copy);
}

/// The per-column parameters of a normalisation over rows.
pub(super) struct Columns<'a, T> {
    pub(super) mean: &'a [T],
    pub(super) var: &'a [T],
    pub(super) gamma: Option<&'a [T]>,
    pub(super) beta: Option<&'a [T]>,
    pub(super) epsilon: T,
}

impl<T: Element> Columns<'_, T> {
    /// Column `j`'s factor and offset.
    pub(super) fn affine(&self, j: usize) -> (T, T) {
        let at = |values: Option<&[T]>| values.map(|v| v[j]);
        let statistics = (self.mean[j], self.var[j]);
        scale_and_offset(statistics, (at(self.gamma), at(self.beta)), self.epsilon)
    }

    /// `y = x·inv + offset` column by column into `out` (row-major, `x`'s
    /// shape), and into `copy` as well when given (the training pass writes
    /// the pre-activations and the outputs in the same sweep).
    pub(super) fn normalize(
        &self,
        x: &ArrayView2<'_, T>,
        out: &mut [T],
        mut copy: Option<&mut [T]>,
    ) {
        let cols = x.ncols();
        for start in (0..cols).step_by(CHUNK) {
            let end = (start + CHUNK).min(cols);
            let (mut inv, mut offset) = ([T::zero(); CHUNK], [T::zero(); CHUNK]);
            for j in start..end {
                (inv[j - start], offset[j - start]) = self.affine(j);
            }
            for_each_row_chunk(x, start..end, |row, values| {
                let at = row * cols + start..row * cols + end;
                let factors = inv.iter().zip(&offset);
                match copy.as_deref_mut() {
                    Some(copy) => {
                        let outs = out[at.clone()].iter_mut().zip(&mut copy[at]);
                        for ((o, c), (&v, (&a, &b))) in outs.zip(values.iter().zip(factors)) {
                            (*o, *c) = (v * a + b, v * a + b);
                        }
                    }
                    None => {
                        for (o, (&v, (&a, &b))) in
                            out[at].iter_mut().zip(values.iter().zip(factors))
                        {
                            *o = v * a + b;
                        }
                    }
                }
            });
        }
    }

    /// The backward pass of a normalisation over the rows with the batch's
    /// own statistics: from `grad = ∂L/∂y` (row-major, `x`'s shape),
    /// `∂L/∂gamma` and `∂L/∂beta` (when they exist) into `weight_grads`
    /// (gamma's first) and, when given, `∂L/∂x = k·(g − Σg/n − x̂·Σ(g·x̂)/n)`
    /// with `k = gamma·rsqrt(var + ε)`, `x̂ = (x − mean)·rsqrt(var + ε)`,
    /// into `grad_x` (row-major).
    pub(super) fn backward(
        &self,
        x: &ArrayView2<'_, T>,
        grad: &[T],
        weight_grads: &mut [T],
        grad_x: Option<&mut [T]>,
    ) {
        if is_narrow::<T>() {
            self.backward_in::<f64>(x, grad, weight_grads, grad_x);
        } else {
            self.backward_in::<T>(x, grad, weight_grads, grad_x);
        }
    }

    /// [`backward`](Self::backward) with the column sums in `A`.
    fn backward_in<A: Element>(
        &self,
        x: &ArrayView2<'_, T>,
        grad: &[T],
        weight_grads: &mut [T],
        mut grad_x: Option<&mut [T]>,
    ) {
        let n = x.nrows() as f64;
        let cols = x.ncols();
        for start in (0..cols).step_by(CHUNK) {
            let end = (start + CHUNK).min(cols);
            let w = end - start;
            let mean = &self.mean[start..end];
            let mut mean_wide = [A::zero(); CHUNK];
            let mean_wide = &mut mean_wide[..w];
            mean_wide
                .iter_mut()
                .zip(mean)
                .for_each(|(w, &m)| *w = cast(m));
            let (mut sum_g, mut sum_gd) = ([A::zero(); CHUNK], [A::zero(); CHUNK]);
            let (sum_g, sum_gd) = (&mut sum_g[..w], &mut sum_gd[..w]);
            for_each_row_chunk(x, start..end, |row, values| {
                let g = &grad[row * cols + start..row * cols + end];
                let sums = sum_g.iter_mut().zip(sum_gd.iter_mut());
                for ((sg, sgd), ((&m, &v), &g)) in sums.zip(mean_wide.iter().zip(values).zip(g)) {
                    let g = cast::<T, A>(g);
                    *sg = *sg + g;
                    *sgd = *sgd + g * (cast::<T, A>(v) - m);
                }
            });
            // Per column: ∂L/∂x = k·g + slope·(x − mean) + constant.
            let (mut k, mut slope, mut constant) =
                ([T::zero(); CHUNK], [T::zero(); CHUNK], [T::zero(); CHUNK]);
            let (k, slope, constant) = (&mut k[..w], &mut slope[..w], &mut constant[..w]);
            for j in 0..w {
                let sums = (widen(sum_g[j]), widen(sum_gd[j]));
                (k[j], slope[j], constant[j]) =
                    self.backward_factors(start + j, sums, (n, cols), weight_grads);
            }
            let Some(grad_x) = grad_x.as_deref_mut() else {
                continue;
            };
            for_each_row_chunk(x, start..end, |row, values| {
                let at = row * cols + start..row * cols + end;
                let (g, out) = (&grad[at.clone()], &mut grad_x[at]);
                let factors = k.iter().zip(&*slope).zip(&*constant).zip(mean);
                for ((o, (&v, &g)), (((&k, &slope), &constant), &m)) in
                    out.iter_mut().zip(values.iter().zip(g)).zip(factors)
                {
                    *o = k * g + slope * (v - m) + constant;
                }
            });
        }
    }

    /// Column `j`'s factors of `∂L/∂x = k·g + slope·(x − mean) + constant`
    /// from its sums `Σg` and `Σg·(x − mean)` over the `n` rows; writes its
    /// gamma and beta gradients into `weight_grads` on the way.
    pub(super) fn backward_factors(
        &self,
        j: usize,
        (sum_g, sum_gd): (f64, f64),
        (n, cols): (f64, usize),
        weight_grads: &mut [T],
    ) -> (T, T, T) {
        let rstd = 1.0 / (widen(self.var[j]) + widen(self.epsilon)).sqrt();
        self.write_weight_grads(weight_grads, cols, j, (sum_g, sum_gd * rstd));
        let k = self.gamma.map_or(1.0, |gamma| widen(gamma[j])) * rstd;
        let slope = -k * rstd * rstd * sum_gd / n;
        (narrow(k), narrow(slope), narrow(-k * sum_g / n))
    }

    /// Column `j`'s `(∂L/∂beta, ∂L/∂gamma)` into `grads`: gamma's `cols`
    /// values first, then beta's, each only if it exists.
    fn write_weight_grads(
        &self,
        grads: &mut [T],
        cols: usize,
        j: usize,
        (beta, gamma): (f64, f64),
    ) {
        let mut at = 0;
        if self.gamma.is_some() {
            grads[j] = narrow(gamma);
            at = cols;
        }
        if self.beta.is_some() {
            grads[at + j] = narrow(beta);
        }
    }
}

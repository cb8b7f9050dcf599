//! Keras's `LayerNormalization` over the features (axis −1).

use super::checks::{check_backward, check_buffer, check_io};
use super::init::filled;
use super::normalization::{check_epsilon, with_row_major};
use super::spec::LayerSpec;
use super::{Layer, weights};
use crate::Element;
use crate::error::{Error, check_positive};
use crate::precision::{narrow, widen};
use ndarray::{Array1, ArrayView2, ArrayViewMut2};

/// Layer normalisation, as Keras's `LayerNormalization()` on
/// `(batch, features)` inputs: each row normalised by its own mean and
/// biased variance, `y = x·inv + (beta − mean·inv)` with
/// `inv = gamma·rsqrt(var + epsilon)` (Keras's form). The same in training
/// and inference: it keeps no statistics. A row whose values are all equal
/// (or a single feature) gives `beta` up to rounding; NaN in a row gives NaN
/// in all of it.
///
/// Weights, in Keras's `get_weights()` order: `gamma` (with
/// [`scale`](Self::scale)) and `beta` (with [`center`](Self::center)),
/// `(features,)` each, trainable; built as gamma 1, beta 0.
///
/// # Example
///
/// ```
/// use ndarray::array;
/// use neurite::{Layer, LayerNormalization};
///
/// let layer = LayerNormalization::<f64>::new(2)?;
/// assert_eq!(layer.param_count(), 4);
/// let y = layer.forward(array![[1.0, 3.0]].view())?;
/// let expected = 1.0 / (1.0_f64 + 1e-3).sqrt(); // (3 − 2)/sqrt(1 + ε)
/// assert!((y[[0, 1]] - expected).abs() < 1e-15 && (y[[0, 0]] + expected).abs() < 1e-15);
/// # Ok::<(), neurite::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct LayerNormalization<T> {
    gamma: Array1<T>,
    beta: Array1<T>,
    epsilon: f64,
    center: bool,
    scale: bool,
}

/// The trace of a row: its mean and `rsqrt(var + epsilon)`.
const TRACE_WIDTH: usize = 2;

impl<T: Element> LayerNormalization<T> {
    /// A layer over `features` features with Keras's defaults: epsilon
    /// 1e-3, center and scale on.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for 0 features, or more than fit in
    /// memory.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::LayerNormalization;
    ///
    /// assert!(LayerNormalization::<f32>::new(0).is_err());
    /// ```
    pub fn new(features: usize) -> Result<Self, Error> {
        const WHAT: &str = "LayerNormalization features";
        check_positive(WHAT, features)?;
        Ok(Self {
            gamma: filled(WHAT, features, T::one())?,
            beta: filled(WHAT, features, T::zero())?,
            epsilon: 1e-3,
            center: true,
            scale: true,
        })
    }

    /// The epsilon added to the variance (Keras's `epsilon`, default 1e-3).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for an epsilon `≤ 0`, infinite or NaN.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::LayerNormalization;
    ///
    /// assert!(LayerNormalization::<f32>::new(2)?.epsilon(-1.0).is_err());
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn epsilon(self, epsilon: f64) -> Result<Self, Error> {
        check_epsilon("LayerNormalization epsilon", epsilon)?;
        Ok(Self { epsilon, ..self })
    }

    /// Whether the layer has the offset `beta` (Keras's `center`).
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::{Layer, LayerNormalization};
    ///
    /// assert_eq!(LayerNormalization::<f32>::new(3)?.center(false).param_count(), 3);
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn center(self, center: bool) -> Self {
        Self { center, ..self }
    }

    /// Whether the layer has the factor `gamma` (Keras's `scale`).
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::{Layer, LayerNormalization};
    ///
    /// assert_eq!(LayerNormalization::<f32>::new(3)?.scale(false).weight_shapes(), [vec![3]]);
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn scale(self, scale: bool) -> Self {
        Self { scale, ..self }
    }

    fn features(&self) -> usize {
        self.gamma.len()
    }

    /// gamma and beta as slices: without them, their initial ones and
    /// zeros (which nothing changes), so one loop serves every setting.
    fn parameters(&self) -> (&[T], &[T]) {
        let row_major = "a new 1-D array is contiguous";
        let gamma = self.gamma.as_slice().expect(row_major);
        (gamma, self.beta.as_slice().expect(row_major))
    }

    /// Normalises one row into `out`; returns its mean and
    /// `r = rsqrt(var + epsilon)` for the backward pass. The mean and
    /// variance are summed in `f64` (two passes over a row in L1).
    fn normalize_row(&self, x: &[T], out: &mut [T]) -> (T, T) {
        let n = x.len() as f64;
        let mean = x.iter().map(|&v| widen(v)).sum::<f64>() / n;
        let var = x.iter().map(|&v| (widen(v) - mean).powi(2)).sum::<f64>() / n;
        let (mean, var) = (narrow::<T>(mean), narrow::<T>(var));
        let rstd = (var + narrow::<T>(self.epsilon)).sqrt().recip();
        let (gamma, beta) = self.parameters();
        for ((o, &v), (&gamma, &beta)) in out.iter_mut().zip(x).zip(gamma.iter().zip(beta)) {
            let inv = gamma * rstd;
            *o = v * inv + (beta - mean * inv);
        }
        (mean, rstd)
    }

    /// One row's backward pass, with `x̂ = (x − mean)·r`, `d = gamma·g`:
    /// `∂L/∂x = r·(d − mean(d) − x̂·mean(d·x̂))` into `grad_x`; adds `g·x̂`
    /// and `g` to the gamma and beta gradients (empty slices without them).
    fn backward_row(
        &self,
        (x, g): (&[T], &[T]),
        (mean, rstd): (T, T),
        (gamma_grads, beta_grads): (&mut [T], &mut [T]),
        grad_x: Option<&mut [T]>,
    ) {
        let n = narrow::<T>(x.len() as f64);
        let (gamma, _) = self.parameters();
        let (mut sum_d, mut sum_dx) = (T::zero(), T::zero());
        for ((&v, &g), &gamma) in x.iter().zip(g).zip(gamma) {
            let d = gamma * g;
            sum_d = sum_d + d;
            sum_dx = sum_dx + d * (v - mean) * rstd;
        }
        let row = x.iter().zip(g);
        gamma_grads
            .iter_mut()
            .zip(row.clone())
            .for_each(|(grad, (&v, &g))| *grad = *grad + g * (v - mean) * rstd);
        beta_grads
            .iter_mut()
            .zip(g)
            .for_each(|(grad, &g)| *grad = *grad + g);
        let Some(grad_x) = grad_x else { return };
        let (mean_d, mean_dx) = (sum_d / n, sum_dx / n);
        for ((o, (&v, &g)), &gamma) in grad_x.iter_mut().zip(row).zip(gamma) {
            let x_hat = (v - mean) * rstd;
            *o = rstd * (gamma * g - mean_d - x_hat * mean_dx);
        }
    }
}

impl<T: Element> Layer<T> for LayerNormalization<T> {
    fn input_width(&self) -> usize {
        self.features()
    }

    fn output_width(&self) -> usize {
        self.features()
    }

    fn param_count(&self) -> usize {
        self.features() * (usize::from(self.center) + usize::from(self.scale))
    }

    fn trainable_param_count(&self) -> usize {
        Layer::<T>::param_count(self)
    }

    fn trainable_weight_arrays(&self) -> usize {
        usize::from(self.center) + usize::from(self.scale)
    }

    fn class_name(&self) -> &'static str {
        "LayerNormalization"
    }

    fn spec(&self) -> Option<LayerSpec> {
        Some(LayerSpec::LayerNormalization {
            features: self.features(),
            epsilon: self.epsilon,
            center: self.center,
            scale: self.scale,
        })
    }

    fn pre_activation_into(
        &self,
        x: ArrayView2<'_, T>,
        mut out: ArrayViewMut2<'_, T>,
    ) -> Result<(), Error> {
        check_io(self, &x, &out)?;
        let (f, x) = (self.features(), x.as_standard_layout());
        let x = x.as_slice().expect("a standard-layout array");
        with_row_major(&mut out, |out| {
            for (x, out) in x.chunks_exact(f).zip(out.chunks_exact_mut(f)) {
                self.normalize_row(x, out);
            }
        });
        Ok(())
    }

    fn weight_shapes(&self) -> Vec<Vec<usize>> {
        let count = usize::from(self.center) + usize::from(self.scale);
        vec![vec![self.features()]; count]
    }

    fn visit_weights(&self, f: &mut dyn FnMut(&[T])) {
        let arrays = [(self.scale, &self.gamma), (self.center, &self.beta)];
        for (_, array) in arrays.into_iter().filter(|(on, _)| *on) {
            f(array.as_slice().expect("a new 1-D array is contiguous"));
        }
    }

    fn visit_weights_mut(&mut self, f: &mut dyn FnMut(&mut [T])) {
        let arrays = [(self.scale, &mut self.gamma), (self.center, &mut self.beta)];
        for (_, array) in arrays.into_iter().filter(|(on, _)| *on) {
            f(array.as_slice_mut().expect("a new 1-D array is contiguous"));
        }
    }

    fn set_weights(&mut self, arrays: &[ndarray::ArrayD<T>]) -> Result<(), Error> {
        weights::assign(self, arrays)
    }

    fn trace_width(&self) -> usize {
        TRACE_WIDTH
    }

    fn forward_train(
        &self,
        x: ArrayView2<'_, T>,
        mut pre: ArrayViewMut2<'_, T>,
        mut trace: ArrayViewMut2<'_, T>,
        mut out: ArrayViewMut2<'_, T>,
    ) -> Result<(), Error> {
        check_io(self, &x, &pre)?;
        check_buffer(self, "trace", [x.nrows(), TRACE_WIDTH], trace.shape())?;
        check_buffer(self, "output", [x.nrows(), self.features()], out.shape())?;
        let (f, x) = (self.features(), x.as_standard_layout());
        let x = x.as_slice().expect("a standard-layout array");
        with_row_major(&mut pre, |pre| {
            with_row_major(&mut trace, |trace| {
                let rows = x.chunks_exact(f).zip(pre.chunks_exact_mut(f));
                for ((x, pre), trace) in rows.zip(trace.chunks_exact_mut(TRACE_WIDTH)) {
                    (trace[0], trace[1]) = self.normalize_row(x, pre);
                }
            });
            with_row_major(&mut out, |out| out.copy_from_slice(pre));
        });
        Ok(())
    }

    fn backward_affine(
        &self,
        x: ArrayView2<'_, T>,
        trace: ArrayViewMut2<'_, T>,
        grad_pre: ArrayView2<'_, T>,
        weight_grads: &mut [T],
        grad_input: Option<ArrayViewMut2<'_, T>>,
    ) -> Result<(), Error> {
        check_backward(self, &x, &grad_pre, weight_grads, grad_input.as_ref())?;
        check_buffer(self, "trace", [x.nrows(), TRACE_WIDTH], trace.shape())?;
        let f = self.features();
        let (x, grad, trace) = (
            x.as_standard_layout(),
            grad_pre.as_standard_layout(),
            trace.as_standard_layout(),
        );
        let row_major = "a standard-layout array";
        let (x, grad) = (
            x.as_slice().expect(row_major),
            grad.as_slice().expect(row_major),
        );
        let trace = trace.as_slice().expect(row_major);
        weight_grads.iter_mut().for_each(|w| *w = T::zero());
        let (gamma_grads, beta_grads) = weight_grads.split_at_mut(if self.scale { f } else { 0 });
        let rows = x
            .chunks_exact(f)
            .zip(grad.chunks_exact(f))
            .zip(trace.chunks_exact(TRACE_WIDTH));
        let mut backward = |((x, g), trace): ((&[T], &[T]), &[T]), grad_x: Option<&mut [T]>| {
            let sums = (&mut *gamma_grads, &mut *beta_grads);
            self.backward_row((x, g), (trace[0], trace[1]), sums, grad_x);
        };
        match grad_input {
            Some(mut grad_x) => with_row_major(&mut grad_x, |grad_x| {
                for (row, grad_x) in rows.zip(grad_x.chunks_exact_mut(f)) {
                    backward(row, Some(grad_x));
                }
            }),
            None => rows.for_each(|row| backward(row, None)),
        }
        Ok(())
    }
}

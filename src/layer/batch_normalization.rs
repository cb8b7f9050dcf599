//! Keras's `BatchNormalization` over the features (axis −1).

use super::checks::{check_backward, check_buffer, check_io};
use super::column_passes;
use super::init::filled;
use super::normalization::{
    Columns, check_epsilon, check_momentum, column_moments, with_row_major,
};
use super::spec::LayerSpec;
use super::{Layer, TrainingStep, weights};
use crate::Element;
use crate::error::{Error, check_positive};
use crate::precision::{is_narrow, narrow};
use ndarray::{Array1, ArrayD, ArrayView2, ArrayViewMut2};

/// Batch normalisation, as Keras's `BatchNormalization()` on
/// `(batch, features)` inputs: `y = gamma·(x − mean)/sqrt(var + epsilon) + beta`,
/// computed as Keras does, `x·inv + (beta − mean·inv)` with
/// `inv = gamma·rsqrt(var + epsilon)`.
///
/// In training mode ([`fit`](crate::Sequential::fit),
/// [`train_step`](crate::Sequential::train_step)) `mean` and `var` are the
/// batch's (the *biased* variance, divided by the batch size), and after
/// each successful step the moving statistics move towards them:
/// `moving = moving·momentum + batch·(1 − momentum)`. In inference mode
/// ([`forward`](crate::Sequential::forward), `evaluate`) they are the
/// moving statistics. With one row the batch variance is 0 and the
/// training output is `beta` (up to rounding, as in Keras).
///
/// Weights, in Keras's `get_weights()` order: `gamma` (with
/// [`scale`](Self::scale), trainable), `beta` (with [`center`](Self::center),
/// trainable), `moving_mean`, `moving_variance` (not trainable); each
/// `(features,)`. Built as Keras builds them: gamma 1, beta 0, moving mean
/// 0, moving variance 1. NaN in an input gives NaN in its column.
///
/// # Example
///
/// ```
/// use ndarray::array;
/// use neurite::{BatchNormalization, Layer};
///
/// let layer = BatchNormalization::<f64>::new(2)?.momentum(0.9)?.epsilon(1e-5)?;
/// assert_eq!((layer.param_count(), layer.trainable_param_count()), (8, 4));
/// // Inference: the moving statistics (0 and 1), so almost the identity.
/// let y = layer.forward(array![[1.0, -2.0]].view())?;
/// assert!((y[[0, 0]] - 1.0 / (1.0_f64 + 1e-5).sqrt()).abs() < 1e-15);
/// # Ok::<(), neurite::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct BatchNormalization<T> {
    gamma: Array1<T>,
    beta: Array1<T>,
    moving_mean: Array1<T>,
    moving_variance: Array1<T>,
    momentum: f64,
    epsilon: f64,
    center: bool,
    scale: bool,
}

impl<T: Element> BatchNormalization<T> {
    /// A layer over `features` features with Keras's defaults: momentum
    /// 0.99, epsilon 1e-3, center and scale on.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for 0 features, or more than fit in
    /// memory.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::{BatchNormalization, Layer};
    ///
    /// let layer = BatchNormalization::<f32>::new(3)?;
    /// assert_eq!((layer.weight_shapes().len(), layer.trainable_weight_arrays()), (4, 2));
    /// assert!(BatchNormalization::<f32>::new(0).is_err());
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn new(features: usize) -> Result<Self, Error> {
        const WHAT: &str = "BatchNormalization features";
        check_positive(WHAT, features)?;
        Ok(Self {
            gamma: filled(WHAT, features, T::one())?,
            beta: filled(WHAT, features, T::zero())?,
            moving_mean: filled(WHAT, features, T::zero())?,
            moving_variance: filled(WHAT, features, T::one())?,
            momentum: 0.99,
            epsilon: 1e-3,
            center: true,
            scale: true,
        })
    }

    /// The moving averages' momentum (Keras's `momentum`, default 0.99).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for a momentum outside `[0, 1]` or NaN.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::BatchNormalization;
    ///
    /// assert!(BatchNormalization::<f32>::new(2)?.momentum(1.5).is_err());
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn momentum(self, momentum: f64) -> Result<Self, Error> {
        check_momentum(momentum)?;
        Ok(Self { momentum, ..self })
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
    /// use neurite::BatchNormalization;
    ///
    /// assert!(BatchNormalization::<f32>::new(2)?.epsilon(0.0).is_err());
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn epsilon(self, epsilon: f64) -> Result<Self, Error> {
        check_epsilon("BatchNormalization epsilon", epsilon)?;
        Ok(Self { epsilon, ..self })
    }

    /// Whether the layer has the offset `beta` (Keras's `center`, default
    /// on).
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::{BatchNormalization, Layer};
    ///
    /// let layer = BatchNormalization::<f32>::new(2)?.center(false).scale(false);
    /// assert_eq!((layer.param_count(), layer.trainable_param_count()), (4, 0));
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn center(self, center: bool) -> Self {
        Self { center, ..self }
    }

    /// Whether the layer has the factor `gamma` (Keras's `scale`, default
    /// on).
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::{BatchNormalization, Layer};
    ///
    /// assert_eq!(BatchNormalization::<f32>::new(2)?.scale(false).weight_shapes().len(), 3);
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn scale(self, scale: bool) -> Self {
        Self { scale, ..self }
    }

    /// The moving mean, `(features,)`.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::BatchNormalization;
    ///
    /// assert_eq!(BatchNormalization::<f32>::new(2)?.moving_mean(), &ndarray::array![0.0, 0.0]);
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn moving_mean(&self) -> &Array1<T> {
        &self.moving_mean
    }

    /// The moving variance, `(features,)`.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::BatchNormalization;
    ///
    /// assert_eq!(BatchNormalization::<f32>::new(2)?.moving_variance(), &ndarray::array![1.0, 1.0]);
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn moving_variance(&self) -> &Array1<T> {
        &self.moving_variance
    }

    fn features(&self) -> usize {
        self.gamma.len()
    }

    /// The normalisation with the given statistics.
    fn columns<'a>(&'a self, mean: &'a [T], var: &'a [T]) -> Columns<'a, T> {
        Columns {
            mean,
            var,
            gamma: self.scale.then(|| slice(&self.gamma)),
            beta: self.center.then(|| slice(&self.beta)),
            epsilon: narrow(self.epsilon),
        }
    }

    /// Splits a step's statistics buffer into the mean, the variance and
    /// the per-column scratch of the passes, once its length is checked.
    fn split_statistics<'a>(&self, statistics: &'a mut [T]) -> Result<[&'a mut [T]; 3], Error> {
        let f = self.features();
        let len = Layer::<T>::batch_statistics_len(self);
        check_buffer(self, "statistics", [1, len], &[1, statistics.len()])?;
        let (mean, rest) = statistics.split_at_mut(f);
        let (var, scratch) = rest.split_at_mut(f);
        Ok([mean, var, scratch])
    }

    /// The training forward pass, with the batch's mean and variance (and
    /// the pass's scratch) in `statistics`: on whole rows when `x` is
    /// row-major and `T` not narrow (column_passes.rs), else by column
    /// chunks.
    fn train_into(
        &self,
        x: ArrayView2<'_, T>,
        mut pre: ArrayViewMut2<'_, T>,
        mut out: ArrayViewMut2<'_, T>,
        statistics: &mut [T],
    ) -> Result<(), Error> {
        check_io(self, &x, &pre)?;
        check_buffer(self, "output", [x.nrows(), self.features()], out.shape())?;
        let [mean, var, scratch] = self.split_statistics(statistics)?;
        match x.as_slice().filter(|_| !is_narrow::<T>()) {
            Some(rows) => {
                column_passes::moments(rows, mean, var);
                let columns = self.columns(mean, var);
                with_row_major(&mut pre, |pre| {
                    with_row_major(&mut out, |out| {
                        column_passes::normalize(&columns, rows, scratch, (pre, out));
                    });
                });
            }
            None => {
                column_moments(&x, mean, var);
                let columns = self.columns(mean, var);
                with_row_major(&mut pre, |pre| {
                    with_row_major(&mut out, |out| columns.normalize(&x, pre, Some(out)));
                });
            }
        }
        Ok(())
    }

    /// The backward pass given the batch statistics of the forward pass.
    fn backward_with(
        &self,
        x: ArrayView2<'_, T>,
        grad_pre: ArrayView2<'_, T>,
        weight_grads: &mut [T],
        mut grad_input: Option<ArrayViewMut2<'_, T>>,
        statistics: &mut [T],
    ) -> Result<(), Error> {
        check_backward(self, &x, &grad_pre, weight_grads, grad_input.as_ref())?;
        let [mean, var, scratch] = self.split_statistics(statistics)?;
        let columns = self.columns(mean, var);
        let grad = grad_pre.as_standard_layout();
        let grad = grad.as_slice().expect("a standard-layout array");
        let rows = x.as_slice().filter(|_| !is_narrow::<T>());
        let mut pass = |grad_x: Option<&mut [T]>| match rows {
            Some(rows) => {
                column_passes::backward(&columns, (rows, grad), scratch, weight_grads, grad_x)
            }
            None => columns.backward(&x, grad, weight_grads, grad_x),
        };
        match grad_input.as_mut() {
            Some(grad_x) => with_row_major(grad_x, |grad_x| pass(Some(grad_x))),
            None => pass(None),
        }
        Ok(())
    }

    /// Checks weights for [`set_weights`](Layer::set_weights): the shapes,
    /// then a moving variance of values `≥ 0` (a negative one has no square
    /// root; NaN is refused too).
    fn check_new_weights(&self, arrays: &[ArrayD<T>]) -> Result<(), Error> {
        super::check_weights(self.class_name(), &self.weight_shapes(), arrays)?;
        let variance = arrays
            .last()
            .expect("the moving variance is the last array");
        match variance.iter().position(|v| v.is_nan() || *v < T::zero()) {
            None => Ok(()),
            Some(index) => Err(Error::InvalidParameter {
                name: "BatchNormalization moving_variance",
                expected: "values >= 0",
                found: format!("{:?} at index {index}", variance[index]),
            }),
        }
    }
}

/// A weight array's values (the layer keeps them row-major).
fn slice<T>(array: &Array1<T>) -> &[T] {
    array.as_slice().expect("a new 1-D array is contiguous")
}

impl<T: Element> Layer<T> for BatchNormalization<T> {
    fn input_width(&self) -> usize {
        self.features()
    }

    fn output_width(&self) -> usize {
        self.features()
    }

    fn param_count(&self) -> usize {
        self.features() * (2 + usize::from(self.center) + usize::from(self.scale))
    }

    fn trainable_param_count(&self) -> usize {
        self.features() * (usize::from(self.center) + usize::from(self.scale))
    }

    fn class_name(&self) -> &'static str {
        "BatchNormalization"
    }

    fn spec(&self) -> Option<LayerSpec> {
        Some(LayerSpec::BatchNormalization {
            features: self.features(),
            momentum: self.momentum,
            epsilon: self.epsilon,
            center: self.center,
            scale: self.scale,
        })
    }

    /// Inference: the moving statistics.
    fn pre_activation_into(
        &self,
        x: ArrayView2<'_, T>,
        mut out: ArrayViewMut2<'_, T>,
    ) -> Result<(), Error> {
        check_io(self, &x, &out)?;
        let columns = self.columns(slice(&self.moving_mean), slice(&self.moving_variance));
        with_row_major(&mut out, |out| columns.normalize(&x, out, None));
        Ok(())
    }

    fn weight_shapes(&self) -> Vec<Vec<usize>> {
        vec![vec![self.features()]; self.weight_arrays().len()]
    }

    fn trainable_weight_arrays(&self) -> usize {
        usize::from(self.center) + usize::from(self.scale)
    }

    fn visit_weights(&self, f: &mut dyn FnMut(&[T])) {
        self.weight_arrays()
            .into_iter()
            .for_each(|array| f(slice(array)));
    }

    fn visit_weights_mut(&mut self, f: &mut dyn FnMut(&mut [T])) {
        let (scale, center) = (self.scale, self.center);
        let arrays = [
            (scale, &mut self.gamma),
            (center, &mut self.beta),
            (true, &mut self.moving_mean),
            (true, &mut self.moving_variance),
        ];
        for (_, array) in arrays.into_iter().filter(|(present, _)| *present) {
            f(array.as_slice_mut().expect("a new 1-D array is contiguous"));
        }
    }

    fn set_weights(&mut self, arrays: &[ArrayD<T>]) -> Result<(), Error> {
        self.check_new_weights(arrays)?;
        weights::assign(self, arrays)
    }

    /// The mean and variance, and room for three per-column values of the
    /// passes.
    fn batch_statistics_len(&self) -> usize {
        (2 + column_passes::SCRATCH_PER_COLUMN) * self.features()
    }

    /// Training mode with the batch's statistics, which are dropped: a
    /// moving update needs [`forward_train_step`](Layer::forward_train_step)
    /// inside a step.
    fn forward_train(
        &self,
        x: ArrayView2<'_, T>,
        pre: ArrayViewMut2<'_, T>,
        _trace: ArrayViewMut2<'_, T>,
        out: ArrayViewMut2<'_, T>,
    ) -> Result<(), Error> {
        let mut statistics = vec![T::zero(); Layer::<T>::batch_statistics_len(self)];
        self.train_into(x, pre, out, &mut statistics)
    }

    fn forward_train_step(
        &self,
        x: ArrayView2<'_, T>,
        pre: ArrayViewMut2<'_, T>,
        _trace: ArrayViewMut2<'_, T>,
        out: ArrayViewMut2<'_, T>,
        step: &mut TrainingStep<'_, T>,
    ) -> Result<(), Error> {
        self.train_into(x, pre, out, step.statistics_mut())
    }

    /// Recomputes the batch statistics from `x` (one more pass than
    /// [`backward_affine_step`](Layer::backward_affine_step)).
    fn backward_affine(
        &self,
        x: ArrayView2<'_, T>,
        _trace: ArrayViewMut2<'_, T>,
        grad_pre: ArrayView2<'_, T>,
        weight_grads: &mut [T],
        grad_input: Option<ArrayViewMut2<'_, T>>,
    ) -> Result<(), Error> {
        let f = self.features();
        let mut statistics = vec![T::zero(); Layer::<T>::batch_statistics_len(self)];
        let (mean, rest) = statistics.split_at_mut(f);
        if x.ncols() == f {
            column_moments(&x, mean, &mut rest[..f]);
        }
        self.backward_with(x, grad_pre, weight_grads, grad_input, &mut statistics)
    }

    fn backward_affine_step(
        &self,
        x: ArrayView2<'_, T>,
        _trace: ArrayViewMut2<'_, T>,
        grad_pre: ArrayView2<'_, T>,
        weight_grads: &mut [T],
        grad_input: Option<ArrayViewMut2<'_, T>>,
        step: &mut TrainingStep<'_, T>,
    ) -> Result<(), Error> {
        self.backward_with(x, grad_pre, weight_grads, grad_input, step.statistics_mut())
    }

    /// `moving = moving·momentum + batch·(1 − momentum)`, in `T` as Keras
    /// (`1 − momentum` rounded from `f64` once).
    fn apply_batch_statistics(&mut self, statistics: &[T]) {
        let f = self.features();
        if statistics.len() != Layer::<T>::batch_statistics_len(self) {
            return;
        }
        let (momentum, rest) = (narrow::<T>(self.momentum), narrow::<T>(1.0 - self.momentum));
        let (mean, var) = (&statistics[..f], &statistics[f..2 * f]);
        for (moving, batch) in [
            (&mut self.moving_mean, mean),
            (&mut self.moving_variance, var),
        ] {
            moving
                .iter_mut()
                .zip(batch)
                .for_each(|(m, &b)| *m = *m * momentum + b * rest);
        }
    }
}

impl<T> BatchNormalization<T> {
    /// The weight arrays in Keras's order.
    fn weight_arrays(&self) -> Vec<&Array1<T>> {
        let optional = [(self.scale, &self.gamma), (self.center, &self.beta)];
        let present = optional.into_iter().filter(|(on, _)| *on).map(|(_, a)| a);
        present
            .chain([&self.moving_mean, &self.moving_variance])
            .collect()
    }
}

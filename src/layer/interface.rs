//! The [`Layer`] trait: what every layer of a [`Sequential`](crate::Sequential)
//! implements.

use super::checks::{check_buffer, row_major_views};
use super::{TrainingStep, spec, type_name_without_path, weights};
use crate::{Element, Error};
use ndarray::{Array2, ArrayD, ArrayView2, ArrayViewMut2};
use std::fmt::Debug;

/// One layer of a [`Sequential`](crate::Sequential) model.
///
/// Four methods are required: the widths
/// ([`input_width`](Layer::input_width),
/// [`output_width`](Layer::output_width)), the forward pass
/// ([`pre_activation_into`](Layer::pre_activation_into)) and the backward
/// pass ([`backward_affine`](Layer::backward_affine)). The others have
/// defaults right for a layer without weights or activation: no weights
/// (so [`param_count`](Layer::param_count) is 0), the identity as
/// activation (`"linear"`), no trace, and the type's name as
/// [`class_name`](Layer::class_name). A layer with weights overrides
/// [`weight_shapes`](Layer::weight_shapes) and both visitors; one with an
/// activation overrides [`activate`](Layer::activate),
/// [`backward_activation`](Layer::backward_activation) and
/// [`activation_name`](Layer::activation_name) together. The forward
/// passes and the weight copies are built on those: a layer overrides
/// them only to be faster. Layers are `Send + Sync` so that a model can be
/// shared between threads.
///
/// Training runs each layer in training mode
/// ([`forward_train_step`](Layer::forward_train_step)), every other pass
/// in inference mode; the [module](crate::layer) shows a layer of your own.
pub trait Layer<T: Element>: Debug + Send + Sync {
    /// Number of input features the layer takes.
    fn input_width(&self) -> usize;

    /// Number of output features (units) the layer gives.
    fn output_width(&self) -> usize;

    /// Number of parameters, trainable and not, as Keras's summary counts
    /// them. The default adds up the sizes of
    /// [`weight_shapes`](Layer::weight_shapes); the built-in layers
    /// override it with the same number, without building the shapes.
    fn param_count(&self) -> usize {
        self.weight_shapes()
            .iter()
            .map(|shape| shape.iter().product::<usize>())
            .sum()
    }

    /// The layer's type as Keras's summary shows it, e.g. `"Dense"`. The
    /// default is the name of the implementing type, without its module
    /// path and generic parameters, as [`std::any::type_name`] gives it (a
    /// best-effort name: override it for a name that must not change).
    fn class_name(&self) -> &'static str {
        type_name_without_path(std::any::type_name::<Self>())
    }

    /// The Keras name of the activation applied after the affine part:
    /// `"linear"` (the default) when there is none.
    fn activation_name(&self) -> &'static str {
        "linear"
    }

    /// Takes `width` features in and out, for a layer whose width follows
    /// its input ([`Dropout`](crate::layer::Dropout), [`ActivationLayer`](crate::layer::ActivationLayer)):
    /// [`Sequential::add`](crate::Sequential::add) gives a layer of width 0
    /// the previous layer's. The default, for a layer of its own width,
    /// does nothing.
    fn adopt_width(&mut self, width: usize) {
        let _ = width;
    }

    /// The layer's description for a file (type, sizes, activation with
    /// its parameters), as [`Sequential::save`](crate::Sequential::save)
    /// stores it. `None` (the default) for layers that cannot be saved:
    /// custom layers, and [`Dense`](crate::layer::Dense) layers with a custom activation.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::io::LayerSpec;
    /// use neurite::{Layer, Maxout};
    ///
    /// let layer = Maxout::<f32>::glorot(2, 3, 4, 0)?;
    /// assert_eq!(layer.spec(), Some(LayerSpec::Maxout { inputs: 3, units: 4, pieces: 2 }));
    /// # Ok::<(), neurite::Error>(())
    /// ```
    fn spec(&self) -> Option<spec::LayerSpec> {
        None
    }

    /// Writes the pre-activations (the affine part) for the batch `x` into
    /// `out`, which must be `(x.nrows(), output_width())`.
    ///
    /// # Errors
    ///
    /// [`Error::WidthMismatch`] when `x` does not have `input_width()`
    /// columns, [`Error::ShapeMismatch`] when `out` has the wrong shape.
    fn pre_activation_into(
        &self,
        x: ArrayView2<'_, T>,
        out: ArrayViewMut2<'_, T>,
    ) -> Result<(), Error>;

    /// Applies the activation in place to pre-activations written by
    /// [`pre_activation_into`](Layer::pre_activation_into). The default
    /// leaves them as they are: no activation (`"linear"`).
    fn activate(&self, pre_activations: ArrayViewMut2<'_, T>) {
        let _ = pre_activations;
    }

    /// Writes the layer's output for the batch `x` into `out`, which must
    /// be `(x.nrows(), output_width())`.
    ///
    /// # Errors
    ///
    /// As [`pre_activation_into`](Layer::pre_activation_into).
    fn forward_into(
        &self,
        x: ArrayView2<'_, T>,
        mut out: ArrayViewMut2<'_, T>,
    ) -> Result<(), Error> {
        self.pre_activation_into(x, out.view_mut())?;
        self.activate(out);
        Ok(())
    }

    /// The layer's output for the batch `x`, newly allocated.
    ///
    /// # Errors
    ///
    /// [`Error::WidthMismatch`] when `x` does not have `input_width()`
    /// columns, [`Error::InvalidParameter`] when the output does not fit in
    /// memory.
    fn forward(&self, x: ArrayView2<'_, T>) -> Result<Array2<T>, Error> {
        let mut out = crate::buffers::zeros2("layer output", (x.nrows(), self.output_width()))?;
        self.forward_into(x, out.view_mut())?;
        Ok(out)
    }

    /// The fast-path hook on row-major slices:
    /// [`forward_into`](Layer::forward_into) where `x` holds `rows` rows of
    /// `input_width()` values, one after the other, and `out` receives
    /// `rows` rows of `output_width()`.
    ///
    /// [`Sequential`](crate::Sequential) runs its layers through this hook
    /// (a last layer with over 256 KiB of outputs through `forward`). The
    /// default checks the lengths, builds the array views and
    /// calls `forward_into`, so a layer of your own is complete without it.
    /// Override it only to spare small batches the views' set-up (which
    /// can cost more than a tiny layer's arithmetic), with the same results
    /// as `forward_into`, bit for bit, as [`Dense`](crate::layer::Dense) and [`Maxout`](crate::layer::Maxout) do.
    ///
    /// # Errors
    ///
    /// [`Error::ShapeMismatch`] when a slice does not hold `rows` rows of
    /// the layer's width; otherwise as [`forward_into`](Layer::forward_into).
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::array;
    /// use neurite::{Dense, Error, Layer, Relu};
    ///
    /// let layer = Dense::new(array![[1.0_f32, -1.0], [0.5, 0.5]], array![0.0, 0.25], Relu)?;
    /// let mut out = [f32::NAN; 4];
    /// layer.forward_row_major(2, &[2.0, 2.0, 1.0, -1.0], &mut out)?;
    /// assert_eq!(out, [3.0, 0.0, 0.5, 0.0]);
    ///
    /// let short = layer.forward_row_major(2, &[2.0, 2.0, 1.0], &mut out);
    /// assert!(matches!(short, Err(Error::ShapeMismatch { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    fn forward_row_major(&self, rows: usize, x: &[T], out: &mut [T]) -> Result<(), Error> {
        let (x, out) = row_major_views(self, rows, x, out)?;
        self.forward_into(x, out)
    }

    /// The shapes of the layer's weight arrays, in the order of Keras's
    /// `layer.get_weights()`: `[kernel (inputs, units), bias (units,)]`
    /// for [`Dense`](crate::layer::Dense), `[kernels (k, inputs, units), biases (k, units)]` for
    /// [`Maxout`](crate::layer::Maxout), `[gamma, beta, moving_mean, moving_variance]` for
    /// [`BatchNormalization`](crate::layer::BatchNormalization): the trainable arrays first (the first
    /// [`trainable_weight_arrays`](Layer::trainable_weight_arrays)), then
    /// the others. Their sizes add up to
    /// [`param_count`](Layer::param_count). The default is none: a layer
    /// without weights.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::{Dense, Layer, Relu};
    ///
    /// let layer = Dense::<f32, _>::glorot(3, 2, Relu, 0)?;
    /// assert_eq!(layer.weight_shapes(), [vec![3, 2], vec![2]]);
    /// # Ok::<(), neurite::Error>(())
    /// ```
    fn weight_shapes(&self) -> Vec<Vec<usize>> {
        Vec::new()
    }

    /// Calls `f` on each weight array in [`weight_shapes`](Layer::weight_shapes)
    /// order, as a flat slice in row-major order. The default calls it on
    /// nothing: a layer without weights.
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::array;
    /// use neurite::{Dense, Layer, Relu};
    ///
    /// let layer = Dense::new(array![[1.0_f64, 2.0]], array![3.0, 4.0], Relu)?;
    /// let mut flat = Vec::new();
    /// layer.visit_weights(&mut |w| flat.extend_from_slice(w));
    /// assert_eq!(flat, [1.0, 2.0, 3.0, 4.0]);
    /// # Ok::<(), neurite::Error>(())
    /// ```
    fn visit_weights(&self, f: &mut dyn FnMut(&[T])) {
        let _ = f;
    }

    /// Calls `f` on each weight array in [`weight_shapes`](Layer::weight_shapes)
    /// order, as a mutable flat slice in row-major order: how an
    /// [`Optimizer`](crate::Optimizer) updates the layer in place (training
    /// updates only the trainable arrays, the first
    /// [`trainable_weight_arrays`](Layer::trainable_weight_arrays)). The
    /// default calls it on nothing: a layer without weights.
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::array;
    /// use neurite::{Dense, Layer, Relu};
    ///
    /// let mut layer = Dense::new(array![[1.0_f64, 2.0]], array![3.0, 4.0], Relu)?;
    /// layer.visit_weights_mut(&mut |w| w.iter_mut().for_each(|v| *v *= 2.0));
    /// assert_eq!(layer.bias(), &array![6.0, 8.0]);
    /// # Ok::<(), neurite::Error>(())
    /// ```
    fn visit_weights_mut(&mut self, f: &mut dyn FnMut(&mut [T])) {
        let _ = f;
    }

    /// Copies of the weight arrays, as Keras's `layer.get_weights()`.
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::array;
    /// use neurite::{Dense, Layer, Sigmoid};
    ///
    /// let layer = Dense::new(array![[0.5_f32], [-0.5]], array![0.25], Sigmoid)?;
    /// let weights = layer.weights();
    /// assert_eq!(weights[0], array![[0.5_f32], [-0.5]].into_dyn());
    /// assert_eq!(weights[1], array![0.25_f32].into_dyn());
    /// # Ok::<(), neurite::Error>(())
    /// ```
    fn weights(&self) -> Vec<ArrayD<T>> {
        weights::copies(self)
    }

    /// Replaces the weights, as Keras's `layer.set_weights()`: one array per
    /// entry of [`weight_shapes`](Layer::weight_shapes), in that order and
    /// of those shapes (any memory layout).
    ///
    /// # Errors
    ///
    /// [`Error::WeightCountMismatch`] for the wrong number of arrays,
    /// [`Error::ShapeMismatch`] for an array of the wrong shape. Nothing is
    /// changed then.
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::array;
    /// use neurite::{Dense, Error, Layer, Relu};
    ///
    /// let mut layer = Dense::<f64, _>::glorot(2, 1, Relu, 0)?;
    /// layer.set_weights(&[array![[1.0], [2.0]].into_dyn(), array![3.0].into_dyn()])?;
    /// assert_eq!(layer.forward(array![[1.0, 1.0]].view())?, array![[6.0]]);
    ///
    /// let short = layer.set_weights(&[array![[1.0], [2.0]].into_dyn()]);
    /// assert!(matches!(short, Err(Error::WeightCountMismatch { expected: 2, found: 1, .. })));
    /// # Ok::<(), Error>(())
    /// ```
    fn set_weights(&mut self, weights: &[ArrayD<T>]) -> Result<(), Error> {
        weights::assign(self, weights)
    }

    /// How many of [`weight_shapes`](Layer::weight_shapes)' arrays, from the
    /// first, are trainable: the ones optimizers update and
    /// [`backward_affine`](Layer::backward_affine) differentiates. The
    /// default is all of them; [`BatchNormalization`](crate::layer::BatchNormalization)'s moving statistics
    /// are not.
    fn trainable_weight_arrays(&self) -> usize {
        self.weight_shapes().len()
    }

    /// Number of trainable parameters (Keras's "Trainable params"): the
    /// sizes of the first [`trainable_weight_arrays`](Layer::trainable_weight_arrays).
    fn trainable_param_count(&self) -> usize {
        weights::trainable_count(self)
    }

    /// Values a training step keeps for the layer besides its per-row
    /// buffers ([`BatchNormalization`](crate::layer::BatchNormalization)'s
    /// batch mean and variance). Such a layer sees the whole batch in one
    /// block; with the default, 0, training may cut it into row blocks.
    fn batch_statistics_len(&self) -> usize {
        0
    }

    /// [`forward_train`](Layer::forward_train) within a training step,
    /// which gives the seed of this layer's random draws, the row where the
    /// block starts in the batch and room for
    /// [`batch_statistics_len`](Layer::batch_statistics_len) values. The
    /// default ignores the step and calls `forward_train`, whose errors it
    /// has.
    fn forward_train_step(
        &self,
        x: ArrayView2<'_, T>,
        pre: ArrayViewMut2<'_, T>,
        trace: ArrayViewMut2<'_, T>,
        out: ArrayViewMut2<'_, T>,
        step: &mut TrainingStep<'_, T>,
    ) -> Result<(), Error> {
        let _ = step;
        self.forward_train(x, pre, trace, out)
    }

    /// [`backward_affine`](Layer::backward_affine) within a training step,
    /// given the step that [`forward_train_step`](Layer::forward_train_step)
    /// had (its statistics as that pass left them). The default ignores the
    /// step and calls `backward_affine`, whose errors it has.
    fn backward_affine_step(
        &self,
        x: ArrayView2<'_, T>,
        trace: ArrayViewMut2<'_, T>,
        grad_pre: ArrayView2<'_, T>,
        weight_grads: &mut [T],
        grad_input: Option<ArrayViewMut2<'_, T>>,
        step: &mut TrainingStep<'_, T>,
    ) -> Result<(), Error> {
        let _ = step;
        self.backward_affine(x, trace, grad_pre, weight_grads, grad_input)
    }

    /// Takes in the batch statistics of a successful training step (what
    /// [`forward_train_step`](Layer::forward_train_step) wrote), after the
    /// optimizer's update: [`BatchNormalization`](crate::layer::BatchNormalization) moves its moving mean and
    /// variance towards them. A failed step never calls it; the default
    /// does nothing.
    fn apply_batch_statistics(&mut self, statistics: &[T]) {
        let _ = statistics;
    }

    /// Width of the per-row record the training forward pass keeps for the
    /// backward pass besides the pre-activations and outputs (0 for
    /// [`Dense`](crate::layer::Dense); `k · units`, every piece's value, for [`Maxout`](crate::layer::Maxout)).
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::{Layer, Maxout};
    ///
    /// assert_eq!(Maxout::<f32>::glorot(3, 2, 4, 0)?.trace_width(), 12);
    /// # Ok::<(), neurite::Error>(())
    /// ```
    fn trace_width(&self) -> usize {
        0
    }

    /// The forward pass in training mode: writes the pre-activations into
    /// `pre`, what [`backward_affine`](Layer::backward_affine) needs besides
    /// into `trace` (`(batch, trace_width())`) and the output into `out`.
    /// `pre` and `out` are `(batch, output_width())`. For a layer without a
    /// training mode (the default, [`Dense`](crate::layer::Dense), [`Maxout`](crate::layer::Maxout)) `out` equals
    /// [`forward`](Layer::forward)'s result; [`BatchNormalization`](crate::layer::BatchNormalization)
    /// normalises with the batch's statistics here and [`Dropout`](crate::layer::Dropout) drops
    /// values (with the mask of step seed 0, see [`TrainingStep`](crate::layer::TrainingStep)).
    ///
    /// # Errors
    ///
    /// As [`pre_activation_into`](Layer::pre_activation_into), and
    /// [`Error::ShapeMismatch`] when a buffer has the wrong shape.
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::{array, Array2};
    /// use neurite::{Dense, Layer, Relu};
    ///
    /// let layer = Dense::new(array![[1.0_f64], [-1.0]], array![0.0], Relu)?;
    /// let x = array![[1.0, 3.0]];
    /// let (mut pre, mut out) = (Array2::zeros((1, 1)), Array2::zeros((1, 1)));
    /// let mut trace = Array2::zeros((1, layer.trace_width()));
    /// layer.forward_train(x.view(), pre.view_mut(), trace.view_mut(), out.view_mut())?;
    /// assert_eq!((pre[[0, 0]], out[[0, 0]]), (-2.0, 0.0));
    /// # Ok::<(), neurite::Error>(())
    /// ```
    fn forward_train(
        &self,
        x: ArrayView2<'_, T>,
        mut pre: ArrayViewMut2<'_, T>,
        trace: ArrayViewMut2<'_, T>,
        mut out: ArrayViewMut2<'_, T>,
    ) -> Result<(), Error> {
        let rows = x.nrows();
        check_buffer(self, "trace", [rows, self.trace_width()], trace.shape())?;
        check_buffer(self, "output", [rows, self.output_width()], out.shape())?;
        self.pre_activation_into(x, pre.view_mut())?;
        out.assign(&pre);
        self.activate(out);
        Ok(())
    }

    /// The activation's backward pass: turns `grad`, the gradient of a loss
    /// with respect to the outputs `out`, into its gradient with respect to
    /// the pre-activations `pre`, in place (see
    /// [`Activation::backward_rows`](crate::Activation::backward_rows)).
    /// The default leaves `grad` as it is: the gradient of no activation
    /// (`"linear"`), to override together with [`activate`](Layer::activate).
    ///
    /// # Panics
    ///
    /// May panic when `pre`, `out` and `grad` differ in shape, as
    /// [`Activation::backward_rows`](crate::Activation::backward_rows).
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::array;
    /// use neurite::{Dense, Layer, Sigmoid};
    ///
    /// let layer = Dense::new(array![[1.0_f64]], array![0.0], Sigmoid)?;
    /// let (pre, out) = (array![[0.0]], array![[0.5]]);
    /// let mut grad = array![[2.0]];
    /// layer.backward_activation(pre.view(), out.view(), grad.view_mut());
    /// assert_eq!(grad, array![[0.5]]); // 2 · σ'(0) = 2 · 0.25
    /// # Ok::<(), neurite::Error>(())
    /// ```
    fn backward_activation(
        &self,
        pre: ArrayView2<'_, T>,
        out: ArrayView2<'_, T>,
        grad: ArrayViewMut2<'_, T>,
    ) {
        let _ = (pre, out, grad);
    }

    /// The affine part's backward pass. Given the layer's input `x`, the
    /// `trace` its [`forward_train`](Layer::forward_train) wrote (which may
    /// be overwritten) and `grad_pre`, the gradient of a loss with respect to
    /// the pre-activations, writes the gradient with respect to every
    /// trainable weight into `weight_grads` (`trainable_param_count()`
    /// values, in [`weight_shapes`](Layer::weight_shapes) order, each
    /// row-major) and,
    /// when `grad_input` is given, the gradient with respect to `x` into it.
    ///
    /// # Errors
    ///
    /// [`Error::WidthMismatch`] or [`Error::ShapeMismatch`] when a block or
    /// buffer has the wrong shape.
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::{array, Array2};
    /// use neurite::{Dense, Layer, Linear};
    ///
    /// // z = 2·x1 + 3·x2 + 1 on two rows, with ∂L/∂z = 1 for both.
    /// let layer = Dense::new(array![[2.0_f64], [3.0]], array![1.0], Linear)?;
    /// let x = array![[1.0, 0.0], [0.0, 1.0]];
    /// let mut grads = [0.0; 3];
    /// let mut grad_x = Array2::zeros((2, 2));
    /// let mut trace = Array2::zeros((2, 0));
    /// let grad_z = array![[1.0], [1.0]];
    /// layer.backward_affine(
    ///     x.view(),
    ///     trace.view_mut(),
    ///     grad_z.view(),
    ///     &mut grads,
    ///     Some(grad_x.view_mut()),
    /// )?;
    /// assert_eq!(grads, [1.0, 1.0, 2.0]); // ∂L/∂W = xᵀ·1, ∂L/∂b = Σ 1
    /// assert_eq!(grad_x, array![[2.0, 3.0], [2.0, 3.0]]);
    /// # Ok::<(), neurite::Error>(())
    /// ```
    fn backward_affine(
        &self,
        x: ArrayView2<'_, T>,
        trace: ArrayViewMut2<'_, T>,
        grad_pre: ArrayView2<'_, T>,
        weight_grads: &mut [T],
        grad_input: Option<ArrayViewMut2<'_, T>>,
    ) -> Result<(), Error>;
}

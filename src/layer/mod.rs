//! Layers: the [`Layer`] trait, [`Dense`] and [`Maxout`].
//!
//! A layer maps a `(batch, inputs)` block to a `(batch, outputs)` block in
//! two steps: an affine part that gives the pre-activations (Keras's
//! logits) and an in-place activation. [`Sequential`](crate::Sequential)
//! uses the split to read a sigmoid output layer's logits, as Keras's
//! `evaluate` does.

mod dense;
mod init;
mod maxout;

pub use dense::Dense;
pub use maxout::Maxout;

use crate::simd::{is_tiny_on_slices, matmul, tiny_affine_rows};
use crate::{Element, Error};
use ndarray::{Array2, ArrayD, ArrayView1, ArrayView2, ArrayViewMut2, IxDyn};
use std::fmt::Debug;

/// One layer of a [`Sequential`](crate::Sequential) model.
///
/// Implementors give their widths, parameter count and the two halves of
/// the forward pass; [`forward_into`](Layer::forward_into) and
/// [`forward`](Layer::forward) come for free. Layers are `Send + Sync` so
/// that a model can be shared between threads.
///
/// # Example
///
/// ```
/// use ndarray::array;
/// use neurite::{Dense, Layer, Relu};
///
/// let layer = Dense::new(array![[1.0_f32, -1.0], [0.5, 0.5]], array![0.0, 0.25], Relu)?;
/// assert_eq!((layer.input_width(), layer.output_width()), (2, 2));
/// assert_eq!(layer.param_count(), 6);
/// let y = layer.forward(array![[2.0, 2.0]].view())?;
/// assert_eq!(y, array![[3.0, 0.0]]);
/// # Ok::<(), neurite::Error>(())
/// ```
pub trait Layer<T: Element>: Debug + Send + Sync {
    /// Number of input features the layer takes.
    fn input_width(&self) -> usize;

    /// Number of output features (units) the layer gives.
    fn output_width(&self) -> usize;

    /// Number of trainable parameters.
    fn param_count(&self) -> usize;

    /// The layer's type as Keras's summary shows it, e.g. `"Dense"`.
    fn class_name(&self) -> &'static str;

    /// The Keras name of the activation applied after the affine part
    /// (`"linear"` when there is none).
    fn activation_name(&self) -> &'static str;

    /// The layer's description for a file (type, sizes, activation with
    /// its parameters), as [`Sequential::save`](crate::Sequential::save)
    /// stores it. `None` (the default) for layers that cannot be saved:
    /// custom layers, and [`Dense`] layers with a custom activation.
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
    fn spec(&self) -> Option<crate::io::LayerSpec> {
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
    /// [`pre_activation_into`](Layer::pre_activation_into).
    fn activate(&self, pre_activations: ArrayViewMut2<'_, T>);

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

    /// [`forward_into`](Layer::forward_into) on plain row-major slices:
    /// `x` holds `rows` rows of `input_width()` values and `out` receives
    /// `rows` rows of `output_width()`. [`Sequential`](crate::Sequential)
    /// runs its layers through this, which spares small batches the set-up
    /// of array views. The default builds the views and calls
    /// `forward_into`, so a layer of your own needs nothing; [`Dense`] and
    /// [`Maxout`] override it with the same results, bit for bit.
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
    /// layer.forward_rows(2, &[2.0, 2.0, 1.0, -1.0], &mut out)?;
    /// assert_eq!(out, [3.0, 0.0, 0.5, 0.0]);
    ///
    /// let short = layer.forward_rows(2, &[2.0, 2.0, 1.0], &mut out);
    /// assert!(matches!(short, Err(Error::ShapeMismatch { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    #[doc(hidden)]
    fn forward_rows(&self, rows: usize, x: &[T], out: &mut [T]) -> Result<(), Error> {
        let (x, out) = row_major_views(self, rows, x, out)?;
        self.forward_into(x, out)
    }

    /// The shapes of the layer's weight arrays, in the order of Keras's
    /// `layer.get_weights()`: `[kernel (inputs, units), bias (units,)]`
    /// for [`Dense`], `[kernels (k, inputs, units), biases (k, units)]` for
    /// [`Maxout`]. Their sizes add up to
    /// [`param_count`](Layer::param_count).
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
    fn weight_shapes(&self) -> Vec<Vec<usize>>;

    /// Calls `f` on each weight array in [`weight_shapes`](Layer::weight_shapes)
    /// order, as a flat slice in row-major order.
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
    fn visit_weights(&self, f: &mut dyn FnMut(&[T]));

    /// Calls `f` on each weight array in [`weight_shapes`](Layer::weight_shapes)
    /// order, as a mutable flat slice in row-major order: how an
    /// [`Optimizer`](crate::Optimizer) updates the layer in place.
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
    fn visit_weights_mut(&mut self, f: &mut dyn FnMut(&mut [T]));

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
        let mut shapes = self.weight_shapes().into_iter();
        let mut arrays = Vec::new();
        self.visit_weights(&mut |values| {
            let shape = shapes.next().unwrap_or_else(|| vec![values.len()]);
            let array = ArrayD::from_shape_vec(IxDyn(&shape), values.to_vec())
                .expect("a layer's weight_shapes agree with visit_weights");
            arrays.push(array);
        });
        arrays
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
        check_weights(self.class_name(), &self.weight_shapes(), weights)?;
        let mut sources = weights.iter();
        self.visit_weights_mut(&mut |target| {
            if let Some(source) = sources.next() {
                target
                    .iter_mut()
                    .zip(source.iter())
                    .for_each(|(t, &s)| *t = s);
            }
        });
        Ok(())
    }

    /// Width of the per-row record the training forward pass keeps for the
    /// backward pass besides the pre-activations and outputs (0 for
    /// [`Dense`]; `k · units`, every piece's value, for [`Maxout`]).
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

    /// The forward pass of training: writes the pre-activations into `pre`,
    /// what [`backward_affine`](Layer::backward_affine) needs besides into
    /// `trace` (`(batch, trace_width())`) and the output into `out`. `pre`
    /// and `out` are `(batch, output_width())`; `out` equals
    /// [`forward`](Layer::forward)'s result.
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
    );

    /// The affine part's backward pass. Given the layer's input `x`, the
    /// `trace` its [`forward_train`](Layer::forward_train) wrote (which may
    /// be overwritten) and `grad_pre`, the gradient of a loss with respect to
    /// the pre-activations, writes the gradient with respect to every weight
    /// into `weight_grads` (`param_count()` values, in
    /// [`weight_shapes`](Layer::weight_shapes) order, each row-major) and,
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

/// Checks the input and output blocks handed to a layer.
fn check_io<T: Element>(
    layer: &dyn Layer<T>,
    x: &ArrayView2<'_, T>,
    out: &ArrayViewMut2<'_, T>,
) -> Result<(), Error> {
    let what = layer.class_name();
    crate::error::check_width(what, layer.input_width(), x.ncols())?;
    let expected = [x.nrows(), layer.output_width()];
    if out.shape() == expected {
        // The common case: no message is formatted on the hot path.
        return Ok(());
    }
    crate::error::check_shape(&format!("{what} output buffer"), &expected, out.shape())
}

/// Checks that the slices handed to
/// [`forward_rows`](Layer::forward_rows) hold `rows` rows of the layer's
/// input and output widths.
fn check_rows<T: Element>(
    layer: &(impl Layer<T> + ?Sized),
    rows: usize,
    x: &[T],
    out: &[T],
) -> Result<(), Error> {
    let holds = |width: usize, len: usize| rows.checked_mul(width) == Some(len);
    if holds(layer.input_width(), x.len()) && holds(layer.output_width(), out.len()) {
        return Ok(());
    }
    check_row_major(layer, "input", [rows, layer.input_width()], x.len())?;
    check_row_major(layer, "output", [rows, layer.output_width()], out.len())
}

/// Checks that a slice of `len` values holds `rows × width` of them.
#[cold]
fn check_row_major<T: Element>(
    layer: &(impl Layer<T> + ?Sized),
    slice: &str,
    [rows, width]: [usize; 2],
    len: usize,
) -> Result<(), Error> {
    if rows.checked_mul(width) == Some(len) {
        return Ok(());
    }
    Err(Error::ShapeMismatch {
        what: format!(
            "{} {slice} slice ({rows} rows of {width} values)",
            layer.class_name()
        ),
        expected: vec![rows.saturating_mul(width)],
        found: vec![len],
    })
}

/// The slices handed to [`forward_rows`](Layer::forward_rows) as the
/// views [`forward_into`](Layer::forward_into) takes, once checked.
fn row_major_views<'a, T: Element>(
    layer: &(impl Layer<T> + ?Sized),
    rows: usize,
    x: &'a [T],
    out: &'a mut [T],
) -> Result<(ArrayView2<'a, T>, ArrayViewMut2<'a, T>), Error> {
    check_rows(layer, rows, x, out)?;
    let x = ArrayView2::from_shape((rows, layer.input_width()), x)
        .expect("the input slice holds rows × inputs values");
    let out = ArrayViewMut2::from_shape((rows, layer.output_width()), out)
        .expect("the output slice holds rows × outputs values");
    Ok((x, out))
}

/// Checks the shape of a buffer handed to a layer, naming it in the error
/// (and formatting the name only then: training calls this every batch).
fn check_buffer<T: Element>(
    layer: &(impl Layer<T> + ?Sized),
    buffer: &str,
    expected: [usize; 2],
    found: &[usize],
) -> Result<(), Error> {
    if found == expected {
        return Ok(());
    }
    let what = format!("{} {buffer} buffer", layer.class_name());
    crate::error::check_shape(&what, &expected, found)
}

/// Checks the blocks of a backward pass: `x` is `(batch, inputs)`,
/// `grad_pre` `(batch, outputs)`, `weight_grads` holds `param_count()`
/// values and `grad_input`, when given, has `x`'s shape.
fn check_backward<T: Element>(
    layer: &(impl Layer<T> + ?Sized),
    x: &ArrayView2<'_, T>,
    grad_pre: &ArrayView2<'_, T>,
    weight_grads: &[T],
    grad_input: Option<&ArrayViewMut2<'_, T>>,
) -> Result<(), Error> {
    crate::error::check_width(layer.class_name(), layer.input_width(), x.ncols())?;
    let rows = x.nrows();
    let outputs = [rows, layer.output_width()];
    check_buffer(layer, "gradient", outputs, grad_pre.shape())?;
    let count = [1, weight_grads.len()];
    check_buffer(layer, "weight gradient", [1, layer.param_count()], &count)?;
    match grad_input {
        Some(grad) => check_buffer(layer, "input gradient", [rows, x.ncols()], grad.shape()),
        None => Ok(()),
    }
}

/// Checks a list of weight arrays against the shapes a layer or model
/// takes: first their number, then each shape.
pub(crate) fn check_weights<T: Element>(
    what: &str,
    shapes: &[Vec<usize>],
    weights: &[ArrayD<T>],
) -> Result<(), Error> {
    if shapes.len() != weights.len() {
        return Err(Error::WeightCountMismatch {
            what: what.to_owned(),
            expected: shapes.len(),
            found: weights.len(),
        });
    }
    for (i, (shape, array)) in shapes.iter().zip(weights).enumerate() {
        if array.shape() != shape.as_slice() {
            crate::error::check_shape(&format!("{what} weight {i}"), shape, array.shape())?;
        }
    }
    Ok(())
}

/// `out = x · kernel + bias`: `out` is filled with the bias rows and the
/// product is accumulated onto them, so the bias costs no pass of its own.
fn affine_into<T: Element>(
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

/// [`affine_into`] on row-major slices, `shape = (rows, inputs, units)`
/// checked by the caller: the same values, bit for bit. Tiny products run
/// on the slices; the views of larger ones cost nothing next to them.
#[inline]
fn affine_rows<T: Element>(
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
fn affine_backward<T: Element>(
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
        for row in grad_z.rows() {
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
fn row_major<T: Element, D: ndarray::Dimension>(
    array: ndarray::Array<T, D>,
) -> ndarray::Array<T, D> {
    if array.is_standard_layout() {
        array
    } else {
        array.as_standard_layout().into_owned()
    }
}

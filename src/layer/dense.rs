//! The fully connected layer.

use super::Layer;
use super::affine::{affine_appended, affine_backward, affine_into, affine_rows, row_major};
use super::checks::{check_backward, check_io, check_rows, row_major_views};
use super::init::glorot_uniform;
use crate::Element;
use crate::activation::{Activation, BuiltinActivation};
use crate::buffers;
use crate::error::{Error, check_positive, check_shape};
use ndarray::{Array1, Array2, ArrayView2, ArrayViewMut2, Axis};

/// A fully connected layer: `y = activation(x · W + b)`.
///
/// The kernel `W` has Keras's layout `(inputs, units)` and the bias `b` is
/// `(units,)`, so a layer has `inputs · units + units` parameters: one
/// weight per input and unit plus one bias per unit. The activation is any
/// [`Activation<T>`], chosen by type (`Relu`, `Softmax`, …) or at run time
/// as a [`BuiltinActivation`] (the default type parameter). A layer made
/// by [`without_bias`](Dense::without_bias) has no bias (Keras's
/// `use_bias=False`): `y = activation(x · W)`.
///
/// # Example
///
/// The tutorial's first model, one sigmoid unit over two features:
///
/// ```
/// use ndarray::array;
/// use neurite::{Dense, Layer, Sigmoid};
///
/// let dense = Dense::new(array![[0.1_f64], [-0.3]], array![0.0], Sigmoid)?;
/// assert_eq!(dense.param_count(), 3);
/// let y = dense.forward(array![[1.0, 1.0]].view())?;
/// assert!((y[[0, 0]] - 1.0 / (1.0 + 0.2_f64.exp())).abs() < 1e-15);
/// # Ok::<(), neurite::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Dense<T, A = BuiltinActivation<T>> {
    kernel: Array2<T>,
    /// Zeros without a bias: the fused pass adds them at no extra sweep.
    bias: Array1<T>,
    use_bias: bool,
    activation: A,
}

impl<T: Element, A: Activation<T>> Dense<T, A> {
    /// A layer from a kernel `(inputs, units)`, a bias `(units,)` and an
    /// activation.
    ///
    /// # Errors
    ///
    /// [`Error::ShapeMismatch`] when the bias length is not the kernel's
    /// number of columns; [`Error::InvalidParameter`] when the kernel has
    /// no rows or no columns.
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::{array, Array1};
    /// use neurite::{Dense, Softmax};
    ///
    /// let layer = Dense::new(array![[1.0_f32, 2.0, 3.0]], Array1::zeros(3), Softmax)?;
    /// assert_eq!(layer.units(), 3);
    /// assert!(Dense::new(array![[1.0_f32, 2.0]], Array1::zeros(3), Softmax).is_err());
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn new(kernel: Array2<T>, bias: Array1<T>, activation: A) -> Result<Self, Error> {
        check_positive("Dense inputs", kernel.nrows())?;
        check_positive("Dense units", kernel.ncols())?;
        check_shape("Dense bias", &[kernel.ncols()], bias.shape())?;
        // Row-major storage, whatever the caller's layout: training hands
        // the weights to optimizers as flat slices in Keras's order.
        Ok(Self {
            kernel: row_major(kernel),
            bias: row_major(bias),
            use_bias: true,
            activation,
        })
    }

    /// A layer without a bias, Keras's `Dense(use_bias=False)` (the usual
    /// layer before a [`BatchNormalization`](crate::BatchNormalization),
    /// whose beta takes the bias's place): `y = activation(x · W)`. Its
    /// weights are the kernel alone.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] when the kernel has no rows or no
    /// columns.
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::array;
    /// use neurite::{Dense, Layer, Linear};
    ///
    /// let layer = Dense::without_bias(array![[1.0_f64, 2.0], [3.0, 4.0]], Linear)?;
    /// assert_eq!((layer.param_count(), layer.weight_shapes()), (4, vec![vec![2, 2]]));
    /// assert_eq!(layer.forward(array![[1.0, 1.0]].view())?, array![[4.0, 6.0]]);
    /// assert!(!layer.uses_bias());
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn without_bias(kernel: Array2<T>, activation: A) -> Result<Self, Error> {
        let units = kernel.ncols();
        let layer = Self::new(kernel, Array1::zeros(units), activation)?;
        Ok(Self {
            use_bias: false,
            ..layer
        })
    }

    /// An untrained layer initialised as Keras does by default: the kernel
    /// drawn from Glorot's uniform distribution
    /// `U(±sqrt(6 / (inputs + units)))`, the bias zero. The same `seed`
    /// gives the same weights on every machine.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] when `inputs` or `units` is 0, or when
    /// the kernel does not fit in memory.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::{Dense, Layer, Relu};
    ///
    /// let a = Dense::<f32, _>::glorot(784, 128, Relu, 42)?;
    /// let b = Dense::<f32, _>::glorot(784, 128, Relu, 42)?;
    /// assert_eq!(a, b);
    /// assert_eq!(a.param_count(), 784 * 128 + 128);
    /// let limit = (6.0_f32 / (784.0 + 128.0)).sqrt();
    /// assert!(a.kernel().iter().all(|w| w.abs() <= limit));
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn glorot(inputs: usize, units: usize, activation: A, seed: u64) -> Result<Self, Error> {
        check_positive("Dense inputs", inputs)?;
        check_positive("Dense units", units)?;
        let kernel = glorot_uniform("Dense inputs × units", (inputs, units), inputs, units, seed)?;
        Self::new(kernel, Array1::zeros(units), activation)
    }

    /// The kernel, `(inputs, units)`.
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::array;
    /// use neurite::{Dense, Relu};
    ///
    /// let layer = Dense::new(array![[2.0_f32]], array![0.5], Relu)?;
    /// assert_eq!(layer.kernel(), &array![[2.0]]);
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn kernel(&self) -> &Array2<T> {
        &self.kernel
    }

    /// The bias, `(units,)`: zeros for a layer
    /// [`without_bias`](Dense::without_bias).
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::array;
    /// use neurite::{Dense, Relu};
    ///
    /// let layer = Dense::new(array![[2.0_f32]], array![0.5], Relu)?;
    /// assert_eq!(layer.bias(), &array![0.5]);
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn bias(&self) -> &Array1<T> {
        &self.bias
    }

    /// Whether the layer has a bias (Keras's `use_bias`).
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::{Dense, Relu};
    ///
    /// assert!(Dense::<f32, _>::glorot(2, 3, Relu, 0)?.uses_bias());
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn uses_bias(&self) -> bool {
        self.use_bias
    }

    /// The activation.
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::array;
    /// use neurite::{Dense, Relu};
    ///
    /// let layer = Dense::new(array![[2.0_f32]], array![0.5], Relu)?;
    /// assert_eq!(layer.activation(), &Relu);
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn activation(&self) -> &A {
        &self.activation
    }

    /// The number of units (output features).
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::Array2;
    /// use neurite::{Dense, Relu};
    ///
    /// let layer = Dense::new(Array2::<f64>::zeros((3, 4)), ndarray::Array1::zeros(4), Relu)?;
    /// assert_eq!(layer.units(), 4);
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn units(&self) -> usize {
        self.kernel.ncols()
    }
}

impl<T: Element, A: Activation<T>> Dense<T, A> {
    /// The bias as a weight array: none without one.
    fn bias_arrays(&self) -> &[Array1<T>] {
        if self.use_bias {
            std::slice::from_ref(&self.bias)
        } else {
            &[]
        }
    }

    /// Product, bias and activation of one block of rows, in place.
    fn forward_block(&self, x: ArrayView2<'_, T>, mut out: ArrayViewMut2<'_, T>) {
        affine_into(x, self.kernel.view(), self.bias.view(), out.view_mut());
        self.activation.apply_rows(out);
    }
}

impl<T: Element, A: Activation<T> + Send + Sync> Layer<T> for Dense<T, A> {
    fn input_width(&self) -> usize {
        self.kernel.nrows()
    }

    fn output_width(&self) -> usize {
        self.kernel.ncols()
    }

    fn param_count(&self) -> usize {
        self.kernel.len() + if self.use_bias { self.bias.len() } else { 0 }
    }

    fn trainable_param_count(&self) -> usize {
        Layer::<T>::param_count(self)
    }

    fn trainable_weight_arrays(&self) -> usize {
        1 + usize::from(self.use_bias)
    }

    fn class_name(&self) -> &'static str {
        "Dense"
    }

    fn activation_name(&self) -> &'static str {
        self.activation.name()
    }

    fn spec(&self) -> Option<super::spec::LayerSpec> {
        Some(super::spec::LayerSpec::Dense {
            inputs: self.kernel.nrows(),
            units: self.kernel.ncols(),
            activation: self.activation.builtin()?.into(),
            use_bias: self.use_bias,
        })
    }

    fn pre_activation_into(
        &self,
        x: ArrayView2<'_, T>,
        out: ArrayViewMut2<'_, T>,
    ) -> Result<(), Error> {
        check_io(self, &x, &out)?;
        affine_into(x, self.kernel.view(), self.bias.view(), out);
        Ok(())
    }

    fn activate(&self, pre_activations: ArrayViewMut2<'_, T>) {
        self.activation.apply_rows(pre_activations);
    }

    /// The product, bias and activation of each block of rows in turn, so
    /// the activation runs while the block is still in cache.
    fn forward_into(
        &self,
        x: ArrayView2<'_, T>,
        mut out: ArrayViewMut2<'_, T>,
    ) -> Result<(), Error> {
        check_io(self, &x, &out)?;
        let rows = block_rows::<T>(self.units());
        if x.nrows() <= rows {
            // One block: skip the chunk iterators (they cost more than a tiny
            // model's arithmetic).
            self.forward_block(x, out);
            return Ok(());
        }
        let blocks = x
            .axis_chunks_iter(Axis(0), rows)
            .zip(out.axis_chunks_iter_mut(Axis(0), rows));
        // With `rayon`, blocks run on the thread pool; each block is computed
        // exactly as on one thread, so the results are bit-identical.
        #[cfg(feature = "rayon")]
        {
            use rayon::iter::{IntoParallelIterator, ParallelIterator};
            let blocks: Vec<_> = blocks.collect();
            blocks
                .into_par_iter()
                .for_each(|(x_block, out_block)| self.forward_block(x_block, out_block));
        }
        #[cfg(not(feature = "rayon"))]
        blocks.for_each(|(x_block, out_block)| self.forward_block(x_block, out_block));
        Ok(())
    }

    /// Without `rayon`, block by block onto a buffer that grows as the
    /// blocks are written (bias rows pushed, product, activation), so the
    /// output is never zeroed first: that pass over memory is as long as
    /// the product's output. With `rayon`, the blocks run on the thread
    /// pool into a zeroed array. The same values as `forward_into`.
    fn forward(&self, x: ArrayView2<'_, T>) -> Result<Array2<T>, Error> {
        crate::error::check_width(self.class_name(), self.input_width(), x.ncols())?;
        let units = self.units();
        let len = buffers::count("layer output", &[x.nrows(), units])?;
        if cfg!(feature = "rayon") {
            let mut out = buffers::zeros2("layer output", (x.nrows(), units))?;
            self.forward_into(x, out.view_mut())?;
            return Ok(out);
        }
        let mut values = buffers::with_capacity("layer output", len)?;
        let bias = self.bias.as_slice().expect(ROW_MAJOR);
        for x_block in x.axis_chunks_iter(Axis(0), block_rows::<T>(units)) {
            let block = affine_appended(x_block, self.kernel.view(), bias, &mut values);
            self.activation.apply_rows(block);
        }
        Ok(Array2::from_shape_vec((x.nrows(), units), values).expect("rows × units values"))
    }

    /// A batch of one block runs on the slices, without array views;
    /// larger ones take [`forward_into`](Layer::forward_into)'s blocks.
    fn forward_row_major(&self, rows: usize, x: &[T], out: &mut [T]) -> Result<(), Error> {
        if !fits_one_block::<T>(rows, self.units()) {
            let (x, out) = row_major_views(self, rows, x, out)?;
            return self.forward_into(x, out);
        }
        check_rows(self, rows, x, out)?;
        let kernel = self.kernel.as_slice().expect(ROW_MAJOR);
        let bias = self.bias.as_slice().expect(ROW_MAJOR);
        affine_rows(
            x,
            kernel,
            bias,
            out,
            (rows, self.input_width(), self.units()),
        );
        self.activation.apply_row_major(out, self.units());
        Ok(())
    }

    fn weight_shapes(&self) -> Vec<Vec<usize>> {
        let bias = self.bias_arrays().iter().map(|bias| bias.shape().to_vec());
        std::iter::once(self.kernel.shape().to_vec())
            .chain(bias)
            .collect()
    }

    fn visit_weights(&self, f: &mut dyn FnMut(&[T])) {
        f(self.kernel.as_slice().expect(ROW_MAJOR));
        for bias in self.bias_arrays() {
            f(bias.as_slice().expect(ROW_MAJOR));
        }
    }

    fn visit_weights_mut(&mut self, f: &mut dyn FnMut(&mut [T])) {
        f(self.kernel.as_slice_mut().expect(ROW_MAJOR));
        if self.use_bias {
            f(self.bias.as_slice_mut().expect(ROW_MAJOR));
        }
    }

    fn backward_activation(
        &self,
        pre: ArrayView2<'_, T>,
        out: ArrayView2<'_, T>,
        grad: ArrayViewMut2<'_, T>,
    ) {
        self.activation.backward_rows(pre, out, grad);
    }

    fn backward_affine(
        &self,
        x: ArrayView2<'_, T>,
        _trace: ArrayViewMut2<'_, T>,
        grad_pre: ArrayView2<'_, T>,
        weight_grads: &mut [T],
        mut grad_input: Option<ArrayViewMut2<'_, T>>,
    ) -> Result<(), Error> {
        check_backward(self, &x, &grad_pre, weight_grads, grad_input.as_ref())?;
        // Without a bias, its gradient is left out (an empty slice).
        let (kernel_grad, bias_grad) = weight_grads.split_at_mut(self.kernel.len());
        let grad_input = grad_input.as_mut().map(|grad| (grad, false));
        affine_backward(
            x,
            self.kernel.view(),
            grad_pre,
            kernel_grad,
            bias_grad,
            grad_input,
        );
        Ok(())
    }
}

/// Why the weights' `as_slice` cannot fail: `new` stores them row-major.
const ROW_MAJOR: &str = "Dense keeps its weights in row-major order";

/// Rows per block of the fused forward pass: an output block of about
/// [`BLOCK_BYTES`] stays in the L2 cache between the product and the
/// activation.
fn block_rows<T>(units: usize) -> usize {
    (BLOCK_BYTES / (units * std::mem::size_of::<T>()).max(1)).max(1)
}

/// Whether `rows` rows make at most one block of [`block_rows`], found
/// without its division (which costs as much as a tiny layer's row).
fn fits_one_block<T>(rows: usize, units: usize) -> bool {
    rows <= 1 || rows.saturating_mul(units * std::mem::size_of::<T>()) <= BLOCK_BYTES
}

/// Output bytes per block (a quarter of a typical 1-2 MiB L2).
const BLOCK_BYTES: usize = 256 * 1024;

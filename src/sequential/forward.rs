//! The forward pass: one batch through the layers, into new arrays or
//! buffers the caller keeps (see [`Workspace`](crate::Workspace)).

use super::Sequential;
use crate::Element;
use crate::buffers;
use crate::error::Error;
use crate::layer::Layer;
use ndarray::{Array2, ArrayBase, ArrayView2, ArrayViewMut2, Data, Ix2};

/// Values of hidden-layer scratch that [`Sequential::forward_to`] keeps on
/// the stack (256 bytes of `f32`): zeroing them costs less than an
/// allocation.
const STACK_SCRATCH: usize = 64;

/// Output bytes above which [`Sequential::forward_to`] has the last layer
/// allocate its output ([`Layer::forward`]): [`Dense`](crate::Dense) then
/// writes each block once instead of zeroing the whole array first. Below,
/// the row-major hook on slices spares small batches the views' set-up.
const LAYER_ALLOCATES_FROM: usize = 256 * 1024;

/// Why a new array's `as_slice_mut` cannot fail.
const ROW_MAJOR: &str = "a new array is row-major";

impl<T: Element> Sequential<T> {
    /// Runs the batch `x` (`(batch, inputs)`) through every layer.
    ///
    /// # Errors
    ///
    /// [`Error::EmptyModel`] without layers, [`Error::EmptyBatch`] when `x`
    /// has no rows, [`Error::WidthMismatch`] when its width is not the first
    /// layer's, [`Error::InvalidParameter`] when the outputs of so many rows
    /// do not fit in memory (a broadcast view can have any number of rows).
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::array;
    /// use neurite::{Dense, Error, Linear, Sequential};
    ///
    /// let mut model = Sequential::new();
    /// model.add(Dense::new(array![[2.0_f64], [3.0]], array![1.0], Linear)?)?;
    /// let x = array![[1.0, 1.0], [0.0, 2.0]];
    /// assert_eq!(model.forward(&x)?, array![[6.0], [7.0]]);
    /// assert_eq!(model.forward(&x.view())?, array![[6.0], [7.0]]);
    /// assert!(matches!(model.forward(&array![[1.0]]), Err(Error::WidthMismatch { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn forward<S: Data<Elem = T>>(&self, x: &ArrayBase<S, Ix2>) -> Result<Array2<T>, Error> {
        self.forward_to(x, self.layers.len().saturating_sub(1))
    }

    /// The output of layer `layer` (counting from 0): the forward pass
    /// stopped there, like Keras's `Model(inputs, model.layers[i].output)`.
    ///
    /// # Errors
    ///
    /// As [`forward`](Sequential::forward), and
    /// [`Error::InvalidParameter`] when `layer` is not a layer's index.
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::array;
    /// use neurite::{Dense, Relu, Sequential, Sigmoid};
    ///
    /// let mut model = Sequential::new();
    /// model
    ///     .add(Dense::new(array![[1.0_f64], [-1.0]], array![0.0], Relu)?)?
    ///     .add(Dense::new(array![[1.0]], array![0.0], Sigmoid)?)?;
    /// let hidden = model.forward_to(&array![[1.0, 3.0], [3.0, 1.0]], 0)?;
    /// assert_eq!(hidden, array![[0.0], [2.0]]);
    /// assert!(model.forward_to(&array![[1.0, 3.0]], 2).is_err());
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn forward_to<S: Data<Elem = T>>(
        &self,
        x: &ArrayBase<S, Ix2>,
        layer: usize,
    ) -> Result<Array2<T>, Error> {
        self.check_input(x)?;
        self.check_layer_index(layer)?;
        let rows = x.nrows();
        let last = self.layers[layer].as_ref();
        let width = last.output_width();
        let by_the_layer =
            buffers::count("batch output", &[rows, width, size_of::<T>()])? > LAYER_ALLOCATES_FROM;
        if layer == 0 {
            if by_the_layer {
                return last.forward(x.view());
            }
            let mut output = buffers::zeros2("batch output", (rows, width))?;
            first_layer_rows(last, x, output.as_slice_mut().expect(ROW_MAJOR))?;
            return Ok(output);
        }
        // The hidden layers' rows alternate between two halves of one
        // scratch buffer (one half is enough for a single hidden layer), on
        // the stack when they fit: small batches then allocate only the
        // result.
        let hidden = &self.layers[..layer];
        let widest = hidden.iter().map(|l| l.output_width()).max().unwrap_or(0);
        let halves = if layer == 1 { 1 } else { 2 };
        let len = buffers::count("hidden layers' scratch", &[halves, rows, widest])?;
        let mut stack = [T::zero(); STACK_SCRATCH];
        let mut heap;
        let scratch = if len <= STACK_SCRATCH {
            &mut stack[..len]
        } else {
            heap = buffers::zeros("hidden layers' scratch", len)?;
            &mut heap[..]
        };
        let (front, back) = scratch.split_at_mut(rows * widest);
        let input = self.run_layers(x, layer, front, back)?;
        if by_the_layer {
            let input = ArrayView2::from_shape((rows, last.input_width()), input)
                .expect("run_layers returns rows × the last layer's inputs");
            return last.forward(input);
        }
        let mut output = buffers::zeros2("batch output", (rows, width))?;
        last.forward_row_major(rows, input, output.as_slice_mut().expect(ROW_MAJOR))?;
        Ok(output)
    }

    /// The output of every layer, first to last; the last is
    /// [`forward`](Sequential::forward)'s result.
    ///
    /// # Errors
    ///
    /// As [`forward`](Sequential::forward).
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::array;
    /// use neurite::{Dense, Relu, Sequential, Sigmoid};
    ///
    /// let mut model = Sequential::new();
    /// model
    ///     .add(Dense::new(array![[1.0_f64], [-1.0]], array![0.0], Relu)?)?
    ///     .add(Dense::new(array![[1.0]], array![0.0], Sigmoid)?)?;
    /// let outputs = model.layer_outputs(&array![[3.0, 1.0]])?;
    /// assert_eq!(outputs.len(), 2);
    /// assert_eq!(outputs[0], array![[2.0]]);
    /// assert_eq!(outputs[1], model.forward(&array![[3.0, 1.0]])?);
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn layer_outputs<S: Data<Elem = T>>(
        &self,
        x: &ArrayBase<S, Ix2>,
    ) -> Result<Vec<Array2<T>>, Error> {
        self.check_input(x)?;
        let mut outputs: Vec<Array2<T>> = Vec::with_capacity(self.layers.len());
        for layer in &self.layers {
            let input = outputs
                .last()
                .map_or_else(|| x.view(), |previous| previous.view());
            let output = layer.forward(input)?;
            outputs.push(output);
        }
        Ok(outputs)
    }

    /// Runs `x` through the first `count` layers (at least one), on plain
    /// slices: each layer reads the rows the previous one wrote and writes
    /// the other buffer, `front` first. Returns the rows the last one wrote.
    /// Both buffers hold `rows ×` the widest of those layers' outputs.
    pub(super) fn run_layers<'b, S: Data<Elem = T>>(
        &self,
        x: &ArrayBase<S, Ix2>,
        count: usize,
        front: &'b mut [T],
        back: &'b mut [T],
    ) -> Result<&'b [T], Error> {
        let rows = x.nrows();
        let (mut written, mut spare) = (front, back);
        let mut width = self.layers[0].output_width();
        first_layer_rows(self.layers[0].as_ref(), x, &mut written[..rows * width])?;
        for layer in &self.layers[1..count] {
            let out_width = layer.output_width();
            layer.forward_row_major(
                rows,
                &written[..rows * width],
                &mut spare[..rows * out_width],
            )?;
            (written, spare) = (spare, written);
            width = out_width;
        }
        let written: &'b [T] = written;
        Ok(&written[..rows * width])
    }

    fn check_layer_index(&self, layer: usize) -> Result<(), Error> {
        if layer < self.layers.len() {
            Ok(())
        } else {
            Err(Error::InvalidParameter {
                name: "layer index",
                expected: "an index below the number of layers",
                found: format!("{layer} (the model has {} layers)", self.layers.len()),
            })
        }
    }
}

/// The first layer's rows for the batch `x`, into `out`: on the slice when
/// `x` is row-major, else through a view of `x` as it is laid out.
fn first_layer_rows<T: Element, S: Data<Elem = T>>(
    layer: &dyn Layer<T>,
    x: &ArrayBase<S, Ix2>,
    out: &mut [T],
) -> Result<(), Error> {
    match x.as_slice() {
        Some(values) => layer.forward_row_major(x.nrows(), values, out),
        None => {
            let out = ArrayViewMut2::from_shape((x.nrows(), layer.output_width()), out)
                .expect("the caller sized the output as rows × width");
            layer.forward_into(x.view(), out)
        }
    }
}

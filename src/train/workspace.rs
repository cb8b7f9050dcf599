//! The buffers a training step reuses from batch to batch.

use super::blocks::Partition;
use crate::error::Error;
use crate::layer::Layer;
use crate::{Element, buffers};
use ndarray::{ArrayView2, ArrayViewMut2};
use std::fmt;

/// Everything a training step writes besides the weights: per layer the
/// pre-activations, the trace, the outputs and the gradient with respect
/// to the outputs, and the gradients of all weights (flat, in Keras's
/// `get_weights()` order).
///
/// Buffers are sized for the largest batch seen so far and used through
/// views of the current batch's rows, so after the first step of a given
/// size no step allocates (a smaller last batch of an epoch uses a prefix).
/// They are rebuilt when the model's layers change.
pub(crate) struct TrainingWorkspace<T> {
    /// `(inputs, outputs, trace width, parameters)` of each layer the
    /// buffers were built for.
    layout: Vec<[usize; 4]>,
    /// Rows every per-layer buffer has room for.
    capacity: usize,
    pub(crate) layers: Vec<LayerBuffers<T>>,
    /// All weight gradients, flat.
    pub(crate) grads: Vec<T>,
    /// The weight gradients of a layer's row blocks after the first, one
    /// after another, before they are added to `grads` (see
    /// [`blocks`](super::blocks)); room for the layer that needs most.
    pub(crate) partials: Vec<T>,
    /// The size of each weight array, in Keras order.
    pub(crate) sizes: Vec<usize>,
    /// Where each layer's gradients start in `grads` (one more entry than
    /// layers: the total at the end).
    pub(crate) offsets: Vec<usize>,
}

/// One layer's buffers, each `capacity × width` values.
pub(crate) struct LayerBuffers<T> {
    pub(crate) outputs: usize,
    pub(crate) trace_width: usize,
    pub(crate) pre: Vec<T>,
    pub(crate) trace: Vec<T>,
    pub(crate) out: Vec<T>,
    /// `∂L/∂out`, turned into `∂L/∂pre` in place by the backward pass.
    pub(crate) grad: Vec<T>,
}

// By hand: deriving would ask for `T: Default`.
impl<T> Default for TrainingWorkspace<T> {
    fn default() -> Self {
        Self {
            layout: Vec::new(),
            capacity: 0,
            layers: Vec::new(),
            grads: Vec::new(),
            partials: Vec::new(),
            sizes: Vec::new(),
            offsets: Vec::new(),
        }
    }
}

impl<T: Element> TrainingWorkspace<T> {
    /// Makes the buffers fit `layers` and a batch of `rows` rows,
    /// allocating only when the layers changed or the batch is the largest
    /// yet.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] when the buffers for `rows` rows do not
    /// fit in memory (src/buffers.rs); the capacity then stays as it was.
    pub(crate) fn prepare(
        &mut self,
        layers: &[Box<dyn Layer<T>>],
        rows: usize,
    ) -> Result<(), Error> {
        if !self.fits(layers) {
            self.rebuild(layers);
        }
        if rows > self.capacity {
            for buffers in &mut self.layers {
                buffers.grow(rows)?;
            }
            let partials = layers.iter().map(|layer| {
                let count = Partition::new(rows, layer.param_count()).count;
                (count - 1) * layer.param_count()
            });
            let len = partials.max().unwrap_or(0);
            buffers::grow("gradient partials", &mut self.partials, len)?;
            self.capacity = rows;
        }
        Ok(())
    }

    fn fits(&self, layers: &[Box<dyn Layer<T>>]) -> bool {
        self.layout.len() == layers.len()
            && self
                .layout
                .iter()
                .zip(layers)
                .all(|(layout, layer)| *layout == layout_of(layer.as_ref()))
    }

    fn rebuild(&mut self, layers: &[Box<dyn Layer<T>>]) {
        self.layout = layers
            .iter()
            .map(|layer| layout_of(layer.as_ref()))
            .collect();
        self.capacity = 0;
        self.layers = layers
            .iter()
            .map(|layer| LayerBuffers::new(layer.output_width(), layer.trace_width()))
            .collect();
        self.sizes = layers
            .iter()
            .flat_map(|layer| layer.weight_shapes())
            .map(|shape| shape.iter().product())
            .collect();
        self.offsets = std::iter::once(0)
            .chain(layers.iter().scan(0, |total, layer| {
                *total += layer.param_count();
                Some(*total)
            }))
            .collect();
        self.grads = vec![T::zero(); self.offsets.last().copied().unwrap_or(0)];
    }
}

fn layout_of<T: Element>(layer: &dyn Layer<T>) -> [usize; 4] {
    [
        layer.input_width(),
        layer.output_width(),
        layer.trace_width(),
        layer.param_count(),
    ]
}

impl<T: Element> LayerBuffers<T> {
    fn new(outputs: usize, trace_width: usize) -> Self {
        Self {
            outputs,
            trace_width,
            pre: Vec::new(),
            trace: Vec::new(),
            out: Vec::new(),
            grad: Vec::new(),
        }
    }

    fn grow(&mut self, rows: usize) -> Result<(), Error> {
        const WHAT: &str = "training buffer";
        let outputs = buffers::count(WHAT, &[rows, self.outputs])?;
        let trace = buffers::count(WHAT, &[rows, self.trace_width])?;
        buffers::grow(WHAT, &mut self.pre, outputs)?;
        buffers::grow(WHAT, &mut self.trace, trace)?;
        buffers::grow(WHAT, &mut self.out, outputs)?;
        buffers::grow(WHAT, &mut self.grad, outputs)
    }
}

/// The first `rows` rows of a row-major buffer of `cols` columns.
pub(crate) fn rows_of<T>(buffer: &[T], rows: usize, cols: usize) -> ArrayView2<'_, T> {
    ArrayView2::from_shape((rows, cols), &buffer[..rows * cols])
        .expect("workspace buffers hold at least `rows` rows")
}

/// The first `rows` rows of a row-major buffer of `cols` columns, mutably.
pub(crate) fn rows_of_mut<T>(buffer: &mut [T], rows: usize, cols: usize) -> ArrayViewMut2<'_, T> {
    ArrayViewMut2::from_shape((rows, cols), &mut buffer[..rows * cols])
        .expect("workspace buffers hold at least `rows` rows")
}

// By hand: the buffers themselves would flood a model's `Debug` output.
impl<T> fmt::Debug for TrainingWorkspace<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrainingWorkspace")
            .field("batch_capacity", &self.capacity)
            .field("gradients", &self.grads.len())
            .finish()
    }
}

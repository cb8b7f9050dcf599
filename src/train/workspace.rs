//! Sizing the buffers a training step reuses from batch to batch (the
//! buffers themselves belong to the model: src/sequential/training_buffers.rs).

use super::blocks::Partition;
use crate::error::Error;
use crate::layer::Layer;
use crate::sequential::{LayerBuffers, TrainingWorkspace};
use crate::{Element, buffers};
use ndarray::{ArrayView2, ArrayViewMut2};

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
                let count = Partition::new(rows, layer.trainable_param_count()).count;
                (count - 1) * layer.trainable_param_count()
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
            .map(|layer| LayerBuffers::new(layer.as_ref()))
            .collect();
        self.sizes = layers
            .iter()
            .flat_map(|layer| {
                let mut shapes = layer.weight_shapes();
                shapes.truncate(layer.trainable_weight_arrays());
                shapes
            })
            .map(|shape| shape.iter().product())
            .collect();
        self.offsets = std::iter::once(0)
            .chain(layers.iter().scan(0, |total, layer| {
                *total += layer.trainable_param_count();
                Some(*total)
            }))
            .collect();
        self.grads = vec![T::zero(); self.offsets.last().copied().unwrap_or(0)];
    }
}

fn layout_of<T: Element>(layer: &dyn Layer<T>) -> [usize; 5] {
    [
        layer.input_width(),
        layer.output_width(),
        layer.trace_width(),
        layer.trainable_param_count(),
        layer.batch_statistics_len(),
    ]
}

impl<T: Element> LayerBuffers<T> {
    fn new(layer: &dyn Layer<T>) -> Self {
        Self {
            outputs: layer.output_width(),
            trace_width: layer.trace_width(),
            pre: Vec::new(),
            trace: Vec::new(),
            out: Vec::new(),
            grad: Vec::new(),
            statistics: vec![T::zero(); layer.batch_statistics_len()],
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

//! Training: gradients, single steps and `fit`.
//!
//! Everything here extends [`Sequential`] (see
//! [`train_step`](Sequential::train_step), [`fit`](Sequential::fit) and
//! [`gradients`](Sequential::gradients)); this module holds the types
//! `fit` takes and returns.
//!
//! The loss is always Keras's mean binary cross-entropy over the batch.
//! When the last layer ends in a sigmoid it is computed from the logits and
//! its gradient with respect to them is the fused, stable `σ(z) - y` (over
//! the number of values), as in Keras, so saturated outputs never give NaN;
//! otherwise the clipped probability form is used and its gradient flows
//! back through the last activation.
//!
//! A step on a large batch runs each layer in row blocks of at least 512
//! rows, on rayon's thread pool with the `rayon` feature. Each block after
//! the first keeps its own weight gradient, added to the first block's in
//! block order; the cut depends only on the batch size and the layer, so a
//! step gives the same bits on any number of threads.

mod blocks;
mod callbacks;
mod fit;
mod history;
mod metric_sums;
mod objective;
mod options;
#[cfg(feature = "plot")]
mod plot;
mod progress;
mod workspace;

pub use callbacks::{Callback, EarlyStopping, FitContext, Mode, ReduceLrOnPlateau};
pub use history::{BatchLog, EpochLog, History};
pub use options::FitOptions;

use crate::error::{Error, check_shape};
use crate::kernels;
use crate::layer::Layer;
use crate::layer::{TrainingStep, layer_seed};
use crate::loss::{self, Loss};
use crate::optimizer::Optimizer;
use crate::precision::widen;
use crate::sequential::TrainingWorkspace;
use crate::{Element, Sequential};
use blocks::{FirstRow, GradientSlots, Partition, sum_partials, try_for_each_block};
use ndarray::{ArrayBase, ArrayD, ArrayView2, Data, Ix2, IxDyn};
use objective::{Pass, loss_gradient};
use workspace::{rows_of, rows_of_mut};

impl<T: Element> Sequential<T> {
    /// The gradient of the mean binary cross-entropy of the model on the
    /// batch `x` against the labels `y`, with respect to every trainable
    /// weight array, in [`get_weights`](Sequential::get_weights)'s order and
    /// shapes (what Keras's `tape.gradient(loss, model.trainable_variables)`
    /// gives). The model runs in training mode (see
    /// [`TrainingStep`](crate::TrainingStep) for dropout's seed) and keeps
    /// its moving statistics.
    ///
    /// # Errors
    ///
    /// As [`train_step`](Sequential::train_step), except for the optimizer.
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::array;
    /// use neurite::{Dense, Sequential, Sigmoid};
    ///
    /// let mut model = Sequential::new();
    /// model.add(Dense::new(array![[0.0_f64]], array![0.0], Sigmoid)?)?;
    /// // σ(0) = 0.5 against a label 1: ∂L/∂z = 0.5 - 1.
    /// let grads = model.gradients(&array![[2.0]], &array![[1.0]])?;
    /// assert_eq!(grads[0], array![[-1.0]].into_dyn()); // x · ∂L/∂z
    /// assert_eq!(grads[1], array![-0.5].into_dyn());
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn gradients<S1, S2>(
        &self,
        x: &ArrayBase<S1, Ix2>,
        y: &ArrayBase<S2, Ix2>,
    ) -> Result<Vec<ArrayD<T>>, Error>
    where
        S1: Data<Elem = T>,
        S2: Data<Elem = T>,
    {
        self.check_training_data(x, y, "input batch", "labels")?;
        let mut workspace = TrainingWorkspace {
            steps: self.training.steps,
            ..Default::default()
        };
        let (x, y) = (x.view(), y.view());
        forward_backward(&self.layers, &mut workspace, &self.loss, (x, y), 0)?;
        let shapes = self.layers.iter().flat_map(|layer| {
            let mut shapes = layer.weight_shapes();
            shapes.truncate(layer.trainable_weight_arrays());
            shapes
        });
        let mut start = 0;
        Ok(shapes
            .map(|shape| {
                let size: usize = shape.iter().product();
                let values = workspace.grads[start..start + size].to_vec();
                start += size;
                ArrayD::from_shape_vec(IxDyn(&shape), values)
                    .expect("weight_shapes agree with trainable_param_count")
            })
            .collect())
    }

    /// One full-batch training step, as Keras's `train_on_batch`: the mean
    /// binary cross-entropy of the model on `x` against `y` in training
    /// mode, its gradient, one update of every trainable weight by
    /// `optimizer` and of the moving statistics. Returns the loss before
    /// the update. Dropout draws its masks from seed 0 and the model's
    /// count of steps (see [`TrainingStep`](crate::TrainingStep)).
    ///
    /// The model keeps its buffers between steps, so after the first step of
    /// a given batch size no step allocates them again.
    ///
    /// # Errors
    ///
    /// Checked before anything changes, so on error the weights and the
    /// optimizer's state are left exactly as they were:
    /// [`Error::EmptyModel`], [`Error::EmptyBatch`],
    /// [`Error::WidthMismatch`] for `x`; [`Error::ShapeMismatch`] when `y`
    /// is not `(x.nrows(), output width)`; [`Error::LabelOutOfRange`] for a
    /// label outside `[0, 1]` or NaN; [`Error::NonFiniteInput`] for NaN or
    /// an infinity in `x`; [`Error::InvalidParameter`] for a bad
    /// hyper-parameter (e.g. a learning rate `≤ 0` or NaN), or when the
    /// step's buffers for a batch this large do not fit in memory.
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::array;
    /// use neurite::{Dense, Sequential, Sgd, Sigmoid};
    ///
    /// let mut model = Sequential::new();
    /// model.add(Dense::new(array![[0.0_f64]], array![0.0], Sigmoid)?)?;
    /// let (x, y) = (array![[1.0], [-1.0]], array![[1.0], [0.0]]);
    /// let mut sgd = Sgd::new(1.0);
    /// let first = model.train_step(&x, &y, &mut sgd)?;
    /// let second = model.train_step(&x, &y, &mut sgd)?;
    /// assert!((first - 2.0_f64.ln()).abs() < 1e-15);
    /// assert!(second < first);
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn train_step<S1, S2, O>(
        &mut self,
        x: &ArrayBase<S1, Ix2>,
        y: &ArrayBase<S2, Ix2>,
        optimizer: &mut O,
    ) -> Result<T, Error>
    where
        S1: Data<Elem = T>,
        S2: Data<Elem = T>,
        O: Optimizer<T> + ?Sized,
    {
        self.check_training_data(x, y, "input batch", "labels")?;
        optimizer.check()?;
        let data = (x.view(), y.view());
        let pass = forward_backward(&self.layers, &mut self.training, &self.loss, data, 0)?;
        apply_update(&mut self.layers, &mut self.training, optimizer);
        Ok(pass.loss)
    }

    /// Checks a batch and its labels for training: the input as
    /// [`forward`](Sequential::forward) does, finite values, labels of the
    /// output's shape in `[0, 1]`.
    fn check_training_data<S1, S2>(
        &self,
        x: &ArrayBase<S1, Ix2>,
        y: &ArrayBase<S2, Ix2>,
        inputs: &str,
        labels: &str,
    ) -> Result<(), Error>
    where
        S1: Data<Elem = T>,
        S2: Data<Elem = T>,
    {
        self.check_input(x)?;
        let outputs = self.layers.last().map_or(0, |layer| layer.output_width());
        if self.loss == Loss::default() {
            let expected = [x.nrows(), outputs];
            if y.shape() != expected {
                check_shape(labels, &expected, y.shape())?;
            }
            loss::check_labels(y)?;
        } else {
            self.loss.check_batch(y.view(), (x.nrows(), outputs))?;
        }
        check_finite(inputs, x)
    }
}

/// Runs the batch `(x, y)` forward through every layer in training mode
/// (random draws from `seed`, see [`TrainingStep`]) and the loss gradient
/// backward, leaving every trainable weight's gradient in
/// `workspace.grads` and the batch statistics in the layers' buffers.
fn forward_backward<T: Element>(
    layers: &[Box<dyn Layer<T>>],
    workspace: &mut TrainingWorkspace<T>,
    loss: &Loss,
    (x, y): (ArrayView2<'_, T>, ArrayView2<'_, T>),
    seed: u64,
) -> Result<Pass<T>, Error> {
    let rows = x.nrows();
    workspace.prepare(layers, rows)?;
    let step = workspace.steps;
    let seeds = |layer: usize| layer_seed(seed, step, layer);
    forward(layers, workspace, x, &seeds)?;
    let pass = loss_gradient(layers, workspace, loss, y);
    backward(layers, workspace, x, &seeds)?;
    Ok(pass)
}

/// The training forward pass: every layer's pre-activations, trace and
/// outputs into its buffers, in row blocks (see [`blocks`]).
fn forward<T: Element>(
    layers: &[Box<dyn Layer<T>>],
    workspace: &mut TrainingWorkspace<T>,
    x: ArrayView2<'_, T>,
    seeds: &(impl Fn(usize) -> u64 + Sync),
) -> Result<(), Error> {
    let rows = x.nrows();
    for (i, layer) in layers.iter().enumerate() {
        let (before, rest) = workspace.layers.split_at_mut(i);
        let input = match before.last() {
            Some(previous) => rows_of(&previous.out, rows, previous.outputs),
            None => x.view(),
        };
        let buffers = &mut rest[0];
        let (outputs, trace_width) = (buffers.outputs, buffers.trace_width);
        let views = (
            input,
            rows_of_mut(&mut buffers.pre, rows, outputs),
            rows_of_mut(&mut buffers.trace, rows, trace_width),
            rows_of_mut(&mut buffers.out, rows, outputs),
        );
        if layer.batch_statistics_len() > 0 {
            // Statistics over all rows: the whole batch in one block.
            let mut step = TrainingStep::new(seeds(i), 0, &mut buffers.statistics);
            let (input, pre, trace, out) = views;
            layer.forward_train_step(input, pre, trace, out, &mut step)?;
            continue;
        }
        let partition = Partition::new(rows, layer.trainable_param_count());
        let task = |((input, pre, trace, out), first): (_, FirstRow)| {
            let mut step = TrainingStep::new(seeds(i), first.0, &mut []);
            layer.forward_train_step(input, pre, trace, out, &mut step)
        };
        try_for_each_block(partition, (views, FirstRow(0)), &task)?;
    }
    Ok(())
}

/// The backward pass from the last layer's `∂L/∂pre` to every weight's
/// gradient, in row blocks (see [`blocks`]).
fn backward<T: Element>(
    layers: &[Box<dyn Layer<T>>],
    workspace: &mut TrainingWorkspace<T>,
    x: ArrayView2<'_, T>,
    seeds: &(impl Fn(usize) -> u64 + Sync),
) -> Result<(), Error> {
    let rows = x.nrows();
    let TrainingWorkspace {
        layers: buffers,
        grads,
        partials,
        offsets,
        ..
    } = workspace;
    for (i, layer) in layers.iter().enumerate().rev() {
        let partition = match layer.batch_statistics_len() {
            0 => Partition::new(rows, layer.trainable_param_count()),
            _ => Partition::whole(rows),
        };
        let (before, rest) = buffers.split_at_mut(i);
        let current = &mut rest[0];
        let (outputs, trace_width) = (current.outputs, current.trace_width);
        if i + 1 < layers.len() {
            let views = (
                rows_of(&current.pre, rows, outputs),
                rows_of(&current.out, rows, outputs),
                rows_of_mut(&mut current.grad, rows, outputs),
            );
            try_for_each_block(partition, views, &|(pre, out, grad)| {
                layer.backward_activation(pre, out, grad);
                Ok(())
            })?;
        }
        let (input, grad_input) = match before.last_mut() {
            Some(previous) => (
                rows_of(&previous.out, rows, previous.outputs),
                Some(rows_of_mut(&mut previous.grad, rows, previous.outputs)),
            ),
            None => (x.view(), None),
        };
        let views = (
            input,
            rows_of_mut(&mut current.trace, rows, trace_width),
            rows_of(&current.grad, rows, outputs),
            grad_input,
        );
        let layer_grads = &mut grads[offsets[i]..offsets[i + 1]];
        if layer.batch_statistics_len() > 0 {
            let (input, trace, grad, grad_input) = views;
            let mut step = TrainingStep::new(seeds(i), 0, &mut current.statistics);
            layer.backward_affine_step(input, trace, grad, layer_grads, grad_input, &mut step)?;
            continue;
        }
        let slots = GradientSlots::new(&mut *layer_grads, partials, partition.count);
        let task = |(views, (slots, first)): (_, (GradientSlots<'_, T>, FirstRow))| {
            let (input, trace, grad, grad_input) = views;
            let mut step = TrainingStep::new(seeds(i), first.0, &mut []);
            layer.backward_affine_step(input, trace, grad, slots.into_slot(), grad_input, &mut step)
        };
        try_for_each_block(partition, (views, (slots, FirstRow(0))), &task)?;
        let blocks_after_first = (partition.count - 1) * layer_grads.len();
        sum_partials(layer_grads, &partials[..blocks_after_first]);
    }
    Ok(())
}

/// The end of a successful step: one optimizer step over every trainable
/// weight array, with the gradients in `workspace.grads`, then the layers'
/// batch statistics taken in, and the step counted.
fn apply_update<T: Element, O: Optimizer<T> + ?Sized>(
    layers: &mut [Box<dyn Layer<T>>],
    workspace: &mut TrainingWorkspace<T>,
    optimizer: &mut O,
) {
    optimizer.begin_step(&workspace.sizes);
    let (mut index, mut offset) = (0, 0);
    for (layer, buffers) in layers.iter_mut().zip(&workspace.layers) {
        let mut trainable = layer.trainable_weight_arrays();
        layer.visit_weights_mut(&mut |weights| {
            if trainable == 0 {
                return;
            }
            trainable -= 1;
            let gradient = &workspace.grads[offset..offset + weights.len()];
            optimizer.update(index, weights, gradient);
            index += 1;
            offset += weights.len();
        });
        if !buffers.statistics.is_empty() {
            layer.apply_batch_statistics(&buffers.statistics);
        }
    }
    workspace.steps = workspace.steps.wrapping_add(1);
}

/// Checks that every value of `x` is finite.
fn check_finite<T: Element, S: Data<Elem = T>>(
    what: &str,
    x: &ArrayBase<S, Ix2>,
) -> Result<(), Error> {
    // Runs every step: a branch-free scan of blocks (the kernel of
    // src/kernels/finite.rs for f32 and f64), where a search for the first
    // bad value would not vectorize.
    let kernel = kernels::for_type::<T>().map(|kernels| kernels.all_finite);
    let finite = |values: &[T]| match kernel {
        Some(all_finite) => all_finite(values),
        None => values.iter().fold(true, |ok, v| ok & v.is_finite()),
    };
    let all_finite = match x.as_slice_memory_order() {
        Some(values) => all_blocks(values, finite),
        None => x
            .rows()
            .into_iter()
            .all(|row| row.iter().all(|v| v.is_finite())),
    };
    if all_finite {
        return Ok(());
    }
    let (index, value) = x
        .iter()
        .enumerate()
        .find(|(_, v)| !v.is_finite())
        .expect("a value is not finite");
    Err(Error::NonFiniteInput {
        what: what.to_owned(),
        index,
        value: widen(*value),
    })
}

/// Whether `test` holds for every block of `values`. With `rayon`, large
/// inputs are scanned on the thread pool: the scan is bound by memory
/// bandwidth, which one core does not saturate (a batch of 4096 × 784
/// `f32` took 0.82 ms on one core, 0.47 ms on two).
fn all_blocks<T: Element>(values: &[T], test: impl Fn(&[T]) -> bool + Send + Sync) -> bool {
    #[cfg(feature = "rayon")]
    if values.len() >= PARALLEL_SCAN {
        use rayon::iter::ParallelIterator;
        use rayon::slice::ParallelSlice;
        return values.par_chunks(PARALLEL_SCAN / 4).all(test);
    }
    values.chunks(SCAN_BLOCK).all(test)
}

/// Values per block of [`all_blocks`] on one thread: few enough calls that
/// their cost vanishes, and an early stop on a bad block.
const SCAN_BLOCK: usize = 1 << 14;

/// Values from which [`all_blocks`] scans on the thread pool (1 MiB of
/// `f32`), in four blocks or more.
#[cfg(feature = "rayon")]
const PARALLEL_SCAN: usize = 1 << 18;

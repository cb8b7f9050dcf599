//! The buffers a model keeps for its training steps. Their type lives
//! here, with the model that owns them; the training module sizes and
//! fills them (src/train/workspace.rs), so the model needs nothing from
//! the layer above it.

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
    /// `(inputs, outputs, trace width, trainable parameters, batch
    /// statistics)` of each layer the buffers were built for.
    pub(crate) layout: Vec<[usize; 5]>,
    /// Rows every per-layer buffer has room for.
    pub(crate) capacity: usize,
    pub(crate) layers: Vec<LayerBuffers<T>>,
    /// All weight gradients, flat.
    pub(crate) grads: Vec<T>,
    /// The weight gradients of a layer's row blocks after the first, one
    /// after another, before they are added to `grads` (see
    /// src/train/blocks.rs); room for the layer that needs most.
    pub(crate) partials: Vec<T>,
    /// Each row's loss of the step (a compiled loss), kept to be reused.
    pub(crate) losses: Vec<T>,
    /// The size of each weight array, in Keras order.
    pub(crate) sizes: Vec<usize>,
    /// Where each layer's gradients start in `grads` (one more entry than
    /// layers: the total at the end).
    pub(crate) offsets: Vec<usize>,
    /// Successful training steps so far: what dropout's masks are drawn by
    /// (see [`TrainingStep`](crate::TrainingStep)). Kept when the buffers
    /// are rebuilt.
    pub(crate) steps: u64,
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
    /// The layer's batch statistics of the step
    /// ([`batch_statistics_len`](crate::Layer::batch_statistics_len) values).
    pub(crate) statistics: Vec<T>,
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
            losses: Vec::new(),
            sizes: Vec::new(),
            offsets: Vec::new(),
            steps: 0,
        }
    }
}

// By hand: the buffers themselves would flood a model's `Debug` output.
impl<T> fmt::Debug for TrainingWorkspace<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrainingWorkspace")
            .field("batch_capacity", &self.capacity)
            .field("gradients", &self.grads.len())
            .field("steps", &self.steps)
            .finish()
    }
}

//! The objective of a training step: the compiled loss on the batch, its
//! accuracy, and its gradient with respect to the last layer's
//! pre-activations (its `grad` buffer), ready for the backward pass.
//!
//! Binary cross-entropy, the loss of a model never compiled, keeps its
//! fused kernels: after a sigmoid it is computed from the logits and its
//! gradient is `(σ(z) - y)·scale`. Any other loss runs row by row through
//! [`Loss`]; after a softmax, categorical and sparse categorical
//! cross-entropy are computed from the logits (`softmax(z) - y`), as Keras
//! does; otherwise the gradient with respect to the outputs flows back
//! through the last activation.

use super::workspace::{rows_of, rows_of_mut};
use crate::Element;
use crate::layer::Layer;
use crate::loss::{
    Bce, Loss, Rows, clipped_loss_derivative, hit, mean_gradient_scale, mean_over_rows,
};
use crate::metrics::Accuracy;
use crate::precision::{Accumulator, narrow};
use crate::sequential::TrainingWorkspace;
use ndarray::{ArrayView2, ArrayViewMut2, Zip};

/// What one forward and backward pass measured on its batch.
#[derive(Debug, Clone, Copy)]
pub(super) struct Pass<T> {
    /// The mean loss, before any update.
    pub(super) loss: T,
    /// The sum over samples of each sample's binary accuracy (wide for
    /// narrow types, see src/precision.rs).
    pub(super) hits: Accumulator<T>,
}

/// The loss and accuracy on the batch, and the loss's gradient with respect
/// to the last layer's pre-activations in its `grad` buffer: the fused
/// `(σ(z) - y) · scale` after a sigmoid, else the clipped probability
/// gradient through the last activation.
pub(super) fn loss_gradient<T: Element>(
    layers: &[Box<dyn Layer<T>>],
    workspace: &mut TrainingWorkspace<T>,
    loss: &Loss,
    y: ArrayView2<'_, T>,
) -> Pass<T> {
    let last = layers.len() - 1;
    let buffers = &mut workspace.layers[last];
    let width = buffers.outputs;
    let rows = y.nrows();
    if *loss != Loss::default() {
        let pre = rows_of(&buffers.pre, rows, width);
        let out = rows_of(&buffers.out, rows, width);
        let grad = rows_of_mut(&mut buffers.grad, rows, width);
        let losses = &mut workspace.losses;
        return compiled(layers[last].as_ref(), loss, y, [pre, out], (grad, losses));
    }
    let pre = rows_of(&buffers.pre, rows, width);
    let out = rows_of(&buffers.out, rows, width);
    let mut grad = rows_of_mut(&mut buffers.grad, rows, width);
    let scale: T = mean_gradient_scale(rows, width);
    let hits = sample_accuracy_sum(y, out);
    let loss = if layers[last].activation_name() == "sigmoid" {
        Zip::from(&mut grad)
            .and(out)
            .and(y)
            .for_each(|g, &p, &label| *g = (p - label) * scale);
        mean_over_rows(y, pre, Bce::Logits)
    } else {
        Zip::from(&mut grad)
            .and(out)
            .and(y)
            .for_each(|g, &p, &label| *g = clipped_loss_derivative(label, p) * scale);
        layers[last].backward_activation(pre, out, grad);
        mean_over_rows(y, out, Bce::Probabilities)
    };
    Pass { loss, hits }
}

/// `Σ` over samples of each sample's binary accuracy (the mean over its
/// row), the quantity Keras's accuracy metric accumulates.
fn sample_accuracy_sum<T: Element>(y: ArrayView2<'_, T>, out: ArrayView2<'_, T>) -> Accumulator<T> {
    let width = narrow::<T>(y.ncols() as f64);
    let mut sum = Accumulator::new();
    for (labels, predictions) in y.rows().into_iter().zip(out.rows()) {
        let row = labels
            .iter()
            .zip(predictions)
            .fold(T::zero(), |acc, (&label, &p)| acc + hit(label, p));
        sum.add(row / width);
    }
    sum
}

/// The objective for a compiled loss: on the logits after a softmax (or a
/// sigmoid) where Keras computes it so, else on the outputs with the
/// gradient through the last activation.
fn compiled<T: Element>(
    last: &dyn Layer<T>,
    loss: &Loss,
    y: ArrayView2<'_, T>,
    [pre, out]: [ArrayView2<'_, T>; 2],
    (mut grad, losses): (ArrayViewMut2<'_, T>, &mut Vec<T>),
) -> Pass<T> {
    let through_logits = loss.through_logits(last.activation_name());
    let (values, objective) = match &through_logits {
        Some(logits) => (pre, logits),
        None => (out, loss),
    };
    let sample = objective.sample(y);
    let scale = T::one() / narrow(y.nrows() as f64);
    let (labels, values, out_rows) = (
        y.as_standard_layout(),
        values.as_standard_layout(),
        out.as_standard_layout(),
    );
    let rows = Rows {
        labels: labels.as_slice().unwrap_or(&[]),
        values: values.as_slice().unwrap_or(&[]),
        count: y.nrows(),
    };
    losses.clear();
    losses.resize(y.nrows(), T::zero());
    match grad.as_slice_mut() {
        Some(g) => sample.values_and_gradient(rows, losses, scale, g),
        None => {
            let mut g = vec![T::zero(); grad.len()];
            sample.values_and_gradient(rows, losses, scale, &mut g);
            grad.iter_mut().zip(g).for_each(|(g, v)| *g = v);
        }
    }
    let mut sum = Accumulator::new();
    losses.iter().for_each(|&v| sum.add(v));
    let accuracy = Accuracy::for_loss(loss, out.ncols());
    let mut hits = Accumulator::new();
    let (label_width, width) = (y.ncols().max(1), out.ncols().max(1));
    let predictions = out_rows.as_slice().unwrap_or(&[]).chunks(width);
    for (labels, predictions) in rows.labels.chunks(label_width).zip(predictions) {
        hits.add(accuracy.sample(labels, predictions));
    }
    if through_logits.is_none() {
        last.backward_activation(pre, out, grad);
    }
    Pass {
        loss: sum.mean(y.nrows()),
        hits,
    }
}

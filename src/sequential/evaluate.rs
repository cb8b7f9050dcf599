//! Loss and accuracy of a model on labelled data, as Keras's `evaluate`.

use super::Sequential;
use crate::Element;
use crate::buffers;
use crate::error::{Error, check_shape};
use crate::loss::{self, Loss};
use crate::metrics::Accuracy;
use ndarray::{Array2, ArrayBase, ArrayView2, Data, Ix2};

/// What [`Sequential::evaluate`] measures on labelled data.
///
/// # Example
///
/// ```
/// use ndarray::array;
/// use neurite::{Dense, Sequential, Sigmoid};
///
/// let mut model = Sequential::new();
/// model.add(Dense::new(array![[1.0_f64]], array![0.0], Sigmoid)?)?;
/// let evaluation = model.evaluate(&array![[0.0], [3.0]], &array![[1.0], [1.0]])?;
/// assert_eq!(evaluation.accuracy, 0.5);
/// assert!(evaluation.loss > 0.0);
/// # Ok::<(), neurite::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evaluation<T> {
    /// The compiled loss over the batch (mean binary cross-entropy for a
    /// model never compiled).
    pub loss: T,
    /// The accuracy that fits the loss (see
    /// [`Accuracy::for_loss`](crate::metrics::Accuracy::for_loss)): binary
    /// accuracy (threshold 0.5, strict) for a model never compiled.
    pub accuracy: T,
}

impl<T: Element> Sequential<T> {
    /// The loss and accuracy of the model on the batch `x` against labels
    /// `y`, as Keras's `model.evaluate` with `metrics=["accuracy"]`: the
    /// loss chosen by [`compile`](Sequential::compile) (binary
    /// cross-entropy for a model never compiled) and the accuracy that fits
    /// it. Labels have the output's shape, or `(batch, 1)` class indices
    /// for sparse categorical cross-entropy.
    ///
    /// When the last layer ends in a sigmoid the loss is computed from its
    /// logits, without clipping, as Keras does; otherwise from the clipped
    /// probabilities (see [`loss`](crate::loss)).
    ///
    /// # Errors
    ///
    /// As [`forward`](Sequential::forward), and [`Error::ShapeMismatch`]
    /// when `y` is not the output's shape, [`Error::LabelOutOfRange`] for a
    /// label outside `[0, 1]`.
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::array;
    /// use neurite::{Dense, Error, Sequential, Sigmoid};
    ///
    /// let mut model = Sequential::new();
    /// model.add(Dense::new(array![[1.0_f64]], array![0.0], Sigmoid)?)?;
    /// let x = array![[0.0], [100.0]];
    /// let evaluation = model.evaluate(&x, &array![[0.0], [0.0]])?;
    /// assert!((evaluation.loss - (2.0_f64.ln() + 100.0) / 2.0).abs() < 1e-12);
    /// assert_eq!(evaluation.accuracy, 0.5);
    ///
    /// let bad = model.evaluate(&x, &array![[0.0], [2.0]]);
    /// assert!(matches!(bad, Err(Error::LabelOutOfRange { index: 1, .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn evaluate<S1, S2>(
        &self,
        x: &ArrayBase<S1, Ix2>,
        y: &ArrayBase<S2, Ix2>,
    ) -> Result<Evaluation<T>, Error>
    where
        S1: Data<Elem = T>,
        S2: Data<Elem = T>,
    {
        self.check_input(x)?;
        let last = self.layers.len() - 1;
        let output_width = self.layers[last].output_width();
        if self.loss == Loss::default() {
            check_shape("labels", &[x.nrows(), output_width], y.shape())?;
        } else {
            self.loss.check_batch(y.view(), (x.nrows(), output_width))?;
        }

        let hidden = match last {
            0 => None,
            _ => Some(self.forward_to(x, last - 1)?),
        };
        let input = hidden.as_ref().map_or_else(|| x.view(), |h| h.view());
        let mut predictions = buffers::zeros2("batch output", (x.nrows(), output_width))?;
        self.layers[last].pre_activation_into(input, predictions.view_mut())?;
        if self.loss != Loss::default() {
            return self.evaluate_compiled(y.view(), predictions);
        }
        let loss = if self.layers[last].activation_name() == "sigmoid" {
            let loss = loss::binary_cross_entropy_with_logits(y, &predictions)?;
            self.layers[last].activate(predictions.view_mut());
            loss
        } else {
            self.layers[last].activate(predictions.view_mut());
            loss::binary_cross_entropy(y, &predictions)?
        };
        let accuracy = loss::binary_accuracy(y, &predictions)?;
        Ok(Evaluation { loss, accuracy })
    }

    /// [`evaluate`](Sequential::evaluate) for a compiled loss, from the last
    /// layer's pre-activations: on the logits where Keras computes it so,
    /// with the accuracy the loss resolves to.
    fn evaluate_compiled(
        &self,
        y: ArrayView2<'_, T>,
        mut predictions: Array2<T>,
    ) -> Result<Evaluation<T>, Error> {
        let last = &self.layers[self.layers.len() - 1];
        let loss = match self.loss.through_logits(last.activation_name()) {
            Some(logits) => {
                let loss = logits.value(&y, &predictions)?;
                last.activate(predictions.view_mut());
                loss
            }
            None => {
                last.activate(predictions.view_mut());
                self.loss.value(&y, &predictions)?
            }
        };
        let accuracy = Accuracy::for_loss(&self.loss, predictions.ncols());
        Ok(Evaluation {
            loss,
            accuracy: accuracy.mean(y, predictions.view()),
        })
    }
}

//! Loss and accuracy of a model on labelled data, as Keras's `evaluate`.

use super::Sequential;
use crate::Element;
use crate::buffers;
use crate::error::{Error, check_shape};
use crate::loss;
use ndarray::{ArrayBase, Data, Ix2};

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
    /// Mean binary cross-entropy over the batch.
    pub loss: T,
    /// Binary accuracy (threshold 0.5, strict).
    pub accuracy: T,
}

impl<T: Element> Sequential<T> {
    /// Binary cross-entropy and binary accuracy of the model on the batch
    /// `x` against labels `y` (the shape of the output), as Keras's
    /// `model.evaluate` with `loss="binary_crossentropy"` and
    /// `metrics=["accuracy"]`.
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
        check_shape("labels", &[x.nrows(), output_width], y.shape())?;

        let hidden = match last {
            0 => None,
            _ => Some(self.forward_to(x, last - 1)?),
        };
        let input = hidden.as_ref().map_or_else(|| x.view(), |h| h.view());
        let mut predictions = buffers::zeros2("batch output", (x.nrows(), output_width))?;
        self.layers[last].pre_activation_into(input, predictions.view_mut())?;
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
}

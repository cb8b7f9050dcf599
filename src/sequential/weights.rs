//! All of a model's weights at once, in Keras's `get_weights()` order.

use super::Sequential;
use crate::Element;
use crate::error::Error;
use crate::layer::check_weights;
use ndarray::ArrayD;

impl<T: Element> Sequential<T> {
    /// Copies of all weight arrays in Keras's `model.get_weights()` order:
    /// for each layer, first to last, its
    /// [`weight_shapes`](crate::Layer::weight_shapes) arrays (a `Dense`
    /// layer's kernel `(inputs, units)` then bias `(units,)`; a `Maxout`
    /// layer's kernels `(k, inputs, units)` then biases `(k, units)`).
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::{Dense, Relu, Sequential, Sigmoid};
    ///
    /// let mut model = Sequential::<f32>::new();
    /// model.add(Dense::glorot(2, 1, Relu, 0)?)?.add(Dense::glorot(1, 1, Sigmoid, 1)?)?;
    /// let shapes: Vec<_> = model.get_weights().iter().map(|w| w.shape().to_vec()).collect();
    /// assert_eq!(shapes, [vec![2, 1], vec![1], vec![1, 1], vec![1]]);
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn get_weights(&self) -> Vec<ArrayD<T>> {
        self.layers
            .iter()
            .flat_map(|layer| layer.weights())
            .collect()
    }

    /// Replaces all weights, from arrays in [`get_weights`](Sequential::get_weights)'s
    /// order and shapes, as Keras's `model.set_weights()`.
    ///
    /// # Errors
    ///
    /// [`Error::WeightCountMismatch`] when the number of arrays is wrong,
    /// [`Error::ShapeMismatch`] naming the first array of the wrong shape.
    /// Every array is checked before any weight changes, so on error the
    /// model is left as it was; the errors of a layer's own
    /// [`set_weights`](crate::Layer::set_weights) too (e.g. a negative
    /// moving variance): the layers set before it get their weights back.
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::array;
    /// use neurite::{Dense, Error, Linear, Sequential};
    ///
    /// let mut model = Sequential::<f64>::new();
    /// model.add(Dense::glorot(2, 1, Linear, 0)?)?;
    /// model.set_weights(&[array![[1.0], [2.0]].into_dyn(), array![0.5].into_dyn()])?;
    /// assert_eq!(model.forward(&array![[1.0, 1.0]])?, array![[3.5]]);
    ///
    /// let wrong = model.set_weights(&[array![[1.0, 2.0]].into_dyn(), array![0.5].into_dyn()]);
    /// assert!(matches!(wrong, Err(Error::ShapeMismatch { .. })));
    /// assert_eq!(model.forward(&array![[1.0, 1.0]])?, array![[3.5]]);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn set_weights(&mut self, weights: &[ArrayD<T>]) -> Result<(), Error> {
        let shapes: Vec<Vec<Vec<usize>>> = self.layers.iter().map(|l| l.weight_shapes()).collect();
        let expected = shapes.iter().map(Vec::len).sum();
        if weights.len() != expected {
            return Err(Error::WeightCountMismatch {
                what: "model".to_owned(),
                expected,
                found: weights.len(),
            });
        }
        let mut start = 0;
        for (i, (layer, shapes)) in self.layers.iter().zip(&shapes).enumerate() {
            let what = format!("layer {i} ({})", layer.class_name());
            check_weights(&what, shapes, &weights[start..start + shapes.len()])?;
            start += shapes.len();
        }
        // A layer may refuse values of the right shape (a negative moving
        // variance): the layers set before it then get these back.
        let before = self.get_weights();
        let mut start = 0;
        for (i, shapes) in shapes.iter().enumerate() {
            let count = shapes.len();
            if let Err(error) = self.layers[i].set_weights(&weights[start..start + count]) {
                let mut start = 0;
                for layer in &mut self.layers[..i] {
                    let count = layer.weight_shapes().len();
                    layer.set_weights(&before[start..start + count])?;
                    start += count;
                }
                return Err(error);
            }
            start += count;
        }
        Ok(())
    }
}

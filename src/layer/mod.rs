//! Layers: the [`Layer`] trait, [`Dense`], [`Maxout`], the normalisations
//! ([`BatchNormalization`], [`LayerNormalization`]), [`Dropout`] and a
//! standalone [`ActivationLayer`]. A layer maps a `(batch, inputs)` block to
//! a `(batch, outputs)` block in two steps: an affine part that gives the
//! pre-activations (Keras's logits) and an in-place activation.
//! [`Sequential`](crate::Sequential) uses the split to read a sigmoid
//! output layer's logits, as Keras's `evaluate` does.
//!
//! **Modes.** `fit`, `train_step` and `gradients` run every layer in
//! training mode ([`Layer::forward_train_step`]: batch normalisation with
//! the batch's statistics, dropout drops); `forward`, `forward_to`,
//! `layer_outputs` and `evaluate` in inference mode (the moving statistics,
//! no dropout), as Keras's `fit` and `predict`/`evaluate` do.
//!
//! # Example
//!
//! A layer of your own, `y = 2x`, trained inside a model:
//!
//! ```
//! use ndarray::{array, ArrayView2, ArrayViewMut2};
//! use neurite::{Dense, Error, FitOptions, Layer, Sequential, Sgd, Sigmoid};
//!
//! #[derive(Debug)]
//! struct Doubling(usize);
//!
//! impl Layer<f64> for Doubling {
//!     fn input_width(&self) -> usize { self.0 }
//!     fn output_width(&self) -> usize { self.0 }
//!     fn pre_activation_into(
//!         &self,
//!         x: ArrayView2<'_, f64>,
//!         mut out: ArrayViewMut2<'_, f64>,
//!     ) -> Result<(), Error> {
//!         if x.dim() != out.dim() || x.ncols() != self.0 {
//!             let (what, expected, found) = ("Doubling".into(), self.0, x.ncols());
//!             return Err(Error::WidthMismatch { what, expected, found });
//!         }
//!         out.zip_mut_with(&x, |y, &x| *y = 2.0 * x);
//!         Ok(())
//!     }
//!     fn backward_affine(
//!         &self,
//!         _x: ArrayView2<'_, f64>,
//!         _trace: ArrayViewMut2<'_, f64>,
//!         grad_pre: ArrayView2<'_, f64>,
//!         _weight_grads: &mut [f64],
//!         grad_input: Option<ArrayViewMut2<'_, f64>>,
//!     ) -> Result<(), Error> {
//!         if let Some(mut grad_x) = grad_input {
//!             grad_x.zip_mut_with(&grad_pre, |g, &d| *g = 2.0 * d);
//!         }
//!         Ok(())
//!     }
//! }
//!
//! let layer = Doubling(2);
//! assert_eq!((layer.class_name(), layer.activation_name(), layer.param_count()), ("Doubling", "linear", 0));
//! assert_eq!(layer.forward(array![[1.0, -3.0]].view())?, array![[2.0, -6.0]]);
//!
//! let mut model = Sequential::new();
//! model.add(Doubling(2))?.add(Dense::glorot(2, 1, Sigmoid, 7)?)?;
//! let (x, y) = (array![[0.0, 1.0], [1.0, 0.0]], array![[1.0], [0.0]]);
//! let before = model.evaluate(&x, &y)?.loss;
//! model.fit(&x, &y, &mut Sgd::new(0.5), FitOptions::new(20))?;
//! assert!(model.evaluate(&x, &y)?.loss < before);
//! # Ok::<(), Error>(())
//! ```

mod activation_layer;
mod affine;
mod batch_normalization;
mod checks;
mod column_passes;
mod dense;
mod dropout;
mod init;
mod interface;
mod layer_normalization;
mod maxout;
mod normalization;
pub(crate) mod spec;
mod step;
mod weights;

pub use activation_layer::ActivationLayer;
pub use batch_normalization::BatchNormalization;
pub use dense::Dense;
pub use dropout::Dropout;
pub use interface::Layer;
pub use layer_normalization::LayerNormalization;
pub use maxout::Maxout;
pub use step::TrainingStep;
pub(crate) use step::layer_seed;

pub(crate) use spec::Weights;
pub(crate) use weights::check_weights;

/// `"Doubling"` for `"my_crate::layers::Doubling<f32>"`: the last segment
/// of the path before any generic parameters.
fn type_name_without_path(full: &'static str) -> &'static str {
    let without_generics = full.split('<').next().unwrap_or(full);
    without_generics
        .rsplit("::")
        .next()
        .unwrap_or(without_generics)
}

#[cfg(test)]
mod tests {
    #[test]
    fn class_names_lose_their_path_and_generic_parameters() {
        assert_eq!(
            super::type_name_without_path("app::Gated<f32, app::Relu>"),
            "Gated"
        );
        assert_eq!(super::type_name_without_path("Plain"), "Plain");
    }
}

//! # neurite
//!
//! Small dense neural networks on [`ndarray`], with the semantics of Keras:
//! activation functions with their derivatives ([`Sigmoid`], [`Tanh`],
//! [`Relu`], [`LeakyRelu`], [`Elu`], [`Linear`], [`Softmax`]), [`Dense`]
//! and [`Maxout`] layers, a [`Sequential`] container that checks shapes,
//! counts parameters, runs forward passes and prints a summary, and binary
//! cross-entropy and accuracy in [`loss`]. Models train as in Keras:
//! backpropagation through every layer, the [`Sgd`], [`RmsProp`] and
//! [`Adam`] optimizers with Keras's defaults and update rules, and
//! [`Sequential::fit`] (see [`train`] and [`optimizer`]).
//!
//! Everything is generic over the float type `T` ([`num_traits::Float`]);
//! `f32` and `f64` are the types the crate is tuned for.
//!
//! ## Quick start
//!
//! The tutorial's first model: one sigmoid unit over two features.
//!
//! ```
//! use ndarray::array;
//! use neurite::{Dense, Sequential, Sigmoid};
//!
//! let mut model = Sequential::new();
//! model.add(Dense::new(array![[0.11075378_f32], [-0.37975395]], array![0.00316224], Sigmoid)?)?;
//!
//! let x = array![[1.0, 1.0], [2.0, 0.0]];
//! let y = model.forward(&x)?;
//! assert!((y[[0, 0]] - 0.43392918).abs() < 1e-6);
//! println!("{}", model.summary());
//! # Ok::<(), neurite::Error>(())
//! ```
//!
//! ## Training
//!
//! XOR, from Glorot-initialised weights (the same seed gives the same
//! network on every machine):
//!
//! ```
//! use ndarray::array;
//! use neurite::{Adam, Dense, FitOptions, Sequential, Sigmoid, Tanh};
//!
//! let mut model = Sequential::new();
//! model
//!     .add(Dense::<f32, _>::glorot(2, 8, Tanh, 1)?)?
//!     .add(Dense::glorot(8, 1, Sigmoid, 2)?)?;
//! let x = array![[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]];
//! let y = array![[0.0], [1.0], [1.0], [0.0]];
//! let history = model.fit(&x, &y, &mut Adam::new(0.05), FitOptions::new(300).batch_size(4))?;
//! assert_eq!(history.accuracy.last(), Some(&1.0));
//! # Ok::<(), neurite::Error>(())
//! ```
//!
//! ## Saving and loading
//!
//! [`Sequential::save`] writes a model, architecture and weights, into one
//! safetensors file that [`Sequential::load`] reads back bit for bit (and
//! Python reads with the `safetensors` package); [`Sequential::load_npz`]
//! imports the weights a Keras user writes with
//! `np.savez(path, *model.get_weights())`. See [`io`].
//!
//! ## Errors, not panics
//!
//! Every function that takes data from a caller checks it and returns an
//! [`Error`] that says what was expected and what was found: widths that do
//! not fit, empty batches, labels outside `[0, 1]`, unknown activation
//! names. NaN and infinities in the data are not errors for inference; they
//! propagate as IEEE arithmetic says (see [`activation`] for each function's
//! limits). Training refuses them ([`Error::NonFiniteInput`]), and a failed
//! training step leaves the model exactly as it was.

#![deny(missing_docs)]
#![deny(unsafe_code)]
#![warn(rust_2018_idioms)]

pub mod activation;
mod error;
pub mod io;
pub mod layer;
pub mod loss;
pub mod optimizer;
mod precision;
mod sequential;
#[allow(unsafe_code)]
mod simd;
pub mod train;
mod workspace;

pub use activation::{
    Activation, BuiltinActivation, Elu, LeakyRelu, Linear, Relu, Sigmoid, Softmax, Tanh,
};
pub use error::Error;
pub use layer::{Dense, Layer, Maxout};
pub use optimizer::{Adam, Optimizer, RmsProp, Sgd};
pub use sequential::{Evaluation, Sequential, Summary};
pub use train::{BatchLog, EpochLog, FitOptions, History};
pub use workspace::Workspace;

/// The README's quick start, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

/// The Keras migration guide's example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../docs/migration.md")]
struct MigrationDoctests;

/// The element types layers and models work with: any [`num_traits::Float`]
/// that can be shared between threads (`f32`, `f64`, and others such as
/// `half::f16`). Implemented for every such type; nothing to implement.
///
/// # Example
///
/// ```
/// fn parameters<T: neurite::Element>(model: &neurite::Sequential<T>) -> usize {
///     model.param_count()
/// }
/// assert_eq!(parameters(&neurite::Sequential::<f32>::new()), 0);
/// ```
pub trait Element: num_traits::Float + std::fmt::Debug + Send + Sync + 'static {}

impl<T: num_traits::Float + std::fmt::Debug + Send + Sync + 'static> Element for T {}

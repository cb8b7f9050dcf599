//! # neurite
//!
//! Small dense neural networks on [`ndarray`], with the semantics of Keras:
//! activation functions with their derivatives ([`Sigmoid`], [`Tanh`],
//! [`Relu`], [`LeakyRelu`], [`Elu`], [`Linear`], [`Softmax`]), [`Dense`],
//! [`Maxout`], [`BatchNormalization`], [`LayerNormalization`], [`Dropout`]
//! and activation layers (training and inference modes as in Keras), a
//! [`Sequential`] container that checks shapes,
//! counts parameters, runs forward passes and prints a summary, and binary
//! cross-entropy and accuracy in [`loss`]. Models train as in Keras:
//! backpropagation through every layer, the [`Sgd`], [`RmsProp`] and
//! [`Adam`] optimizers with Keras's defaults and update rules, and
//! [`Sequential::fit`] (see [`train`] and [`optimizer`]).
//!
//! Everything is generic over the float type `T` ([`num_traits::Float`]);
//! `f32` and `f64` are the types the crate is tuned for. With the `half`
//! feature, `half::f16` and `half::bf16` models compute in `f32` and store
//! in 16 bits (see the `half` re-export and the guide's "Half precision").
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
//!
//! ## Optional features
//!
//! - `rayon`: large batches are cut into row blocks that run on rayon's
//!   thread pool, in [`Sequential::forward`] and in the training step
//!   ([`train`]); small ones stay on one thread. The cut never depends on
//!   the number of threads, so results are bit-identical with or without
//!   the feature. Models are `Send + Sync` either way.
//! - `half`: fast `half::f16` and `half::bf16` models (see the `half`
//!   re-export).
//! - `plot`: `History::to_svg` and `History::save_svg` draw training
//!   curves (loss, accuracy, metrics, with their validation series).
//! - `csv`: `data::read_csv` and `data::load_csv` read features and labels
//!   from CSV files into `Array2`s, with errors that name line and column.
//! - `serde`: kept so that manifests naming it still build; the
//!   architecture description ([`io::ModelSpec`]) now implements
//!   `Serialize` and `Deserialize` in every build.

#![deny(missing_docs)]
#![deny(unsafe_code)]
#![warn(rust_2018_idioms)]

pub mod activation;
mod buffers;
#[cfg(feature = "csv")]
pub mod data;
mod error;
pub mod io;
#[allow(unsafe_code)]
mod kernels;
pub mod layer;
pub mod loss;
pub mod metrics;
pub mod optimizer;
mod precision;
mod rng;
mod sequential;
pub mod train;

pub use activation::{
    Activation, BuiltinActivation, Elu, Exponential, Gelu, LeakyRelu, Linear, Relu, Sigmoid,
    Softmax, Tanh,
};
pub use activation::{Celu, Selu, Squareplus, TanhShrink};
pub use activation::{
    HardShrink, HardSigmoid, HardSilu, HardTanh, Relu6, ReluWith, SoftShrink, SparsePlus,
    SparseSigmoid, Threshold,
};
pub use activation::{LogSigmoid, Mish, Silu, Softplus, Softsign};
pub use activation::{LogSoftmax, Sparsemax};
pub use error::{Error, SharedIoError};
pub use layer::{
    BatchNormalization, Dense, Dropout, Layer, LayerNormalization, Maxout, TrainingStep,
};
pub use optimizer::{Adam, Optimizer, RmsProp, Sgd};
pub use sequential::{Evaluation, Sequential, Summary, Workspace};
pub use train::{BatchLog, EpochLog, FitOptions, History};

/// The [`half`](https://docs.rs/half) crate (with the `half` feature), for
/// its 16-bit element types `f16` (IEEE binary16: 11 significant bits,
/// largest finite value 65504) and `bf16` (bfloat16: 8 significant bits,
/// the range of `f32`). Models of either type work from [`Dense::new`] to
/// [`Sequential::fit`], [`Sequential::save`] and [`Sequential::load`].
///
/// They store every weight and activation in 16 bits and compute in `f32`:
/// the matrix products of the layers and the activations widen their
/// inputs to `f32` (with F16C instructions where the CPU has them), run the
/// `f32` kernels and round each result to 16 bits once; the optimizers keep
/// their state in `f32` (see [`optimizer`]); sums over samples in the loss
/// and the metrics accumulate in `f64` (see [`loss`]). So results are those
/// of the `f32` model rounded, not of 16-bit arithmetic operation by
/// operation. Without the feature the same types still work, the optimizers
/// and sums as above, but the layers compute in 16-bit arithmetic operation
/// by operation: less accurate, about 25 times slower on the activations
/// and hundreds of times slower on the matrix products. docs/performance.md
/// gives the speed against `f32`.
///
/// # Example
///
#[cfg_attr(
    feature = "half",
    doc = r#"
```
use ndarray::array;
use neurite::half::{bf16, f16};
use neurite::{Adam, Dense, FitOptions, Sequential, Sigmoid, Tanh};

// XOR in f16, from seeded Glorot weights.
let mut model = Sequential::<f16>::new();
model
    .add(Dense::glorot(2, 8, Tanh, 1)?)?
    .add(Dense::glorot(8, 1, Sigmoid, 2)?)?;
let x = array![[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]].mapv(f16::from_f32);
let y = array![[0.0], [1.0], [1.0], [0.0]].mapv(f16::from_f32);
let history = model.fit(&x, &y, &mut Adam::new(0.05), FitOptions::new(300).batch_size(4))?;
assert_eq!(history.accuracy.last(), Some(&f16::ONE));
assert!(model.evaluate(&x, &y)?.loss < f16::from_f32(0.05));

// The same weights in bf16: 8 significant bits instead of 11.
let weights: Vec<_> = model.get_weights().iter().map(|w| w.mapv(|v| bf16::from_f32(v.to_f32()))).collect();
let mut narrow = Sequential::<bf16>::new();
narrow
    .add(Dense::glorot(2, 8, Tanh, 0)?)?
    .add(Dense::glorot(8, 1, Sigmoid, 0)?)?;
narrow.set_weights(&weights)?;
let p = narrow.forward(&x.mapv(|v| bf16::from_f32(v.to_f32())))?;
assert!(p[[1, 0]] > bf16::from_f32(0.9) && p[[0, 0]] < bf16::from_f32(0.1));
# Ok::<(), neurite::Error>(())
```
"#
)]
#[cfg(feature = "half")]
pub use half;

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

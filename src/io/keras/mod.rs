//! Keras's own model files: [`Sequential::load_keras`],
//! [`Sequential::load_keras_weights`] and [`Sequential::save_keras`].
//!
//! # What is read
//!
//! The file's kind is told by its first bytes, not its extension:
//!
//! - a `.keras` zip archive (Keras 3, and tf_keras 2.13+): `config.json`
//!   and `model.weights.h5`;
//! - a legacy HDF5 model (`model.save("m.h5")` of tf.keras 2 or Keras 3):
//!   the root's `model_config` attribute and `model_weights/…`, found
//!   through its `layer_names` and `weight_names` attributes (long lists
//!   split into `layer_names0`, `layer_names1`, … are joined);
//! - for [`load_keras_weights`](Sequential::load_keras_weights), also a
//!   weights-only file (`model.save_weights("m.weights.h5")`).
//!
//! The model must be a `Sequential` stack of `InputLayer`, `Dense`
//! (`use_bias=False` too), `BatchNormalization`, `LayerNormalization`,
//! `Dropout` and `Activation` layers (any built-in activation, by name or
//! as a Keras 3 serialized function). Any other layer
//! class, a custom activation or a functional model is an
//! [`Error::Format`] that names the class or function and the layer.
//! Optimizer state, metrics and the compile config are ignored.
//!
//! # The dtype policy
//!
//! Policies `float32` and `float64` are read (anything else, such as
//! `mixed_float16`, is refused), and every layer must have the model's.
//! The stored values are converted to `T` as [`Sequential::load_npz`]
//! converts: exact from float32 into `f32` or `f64` and from float64 into
//! `f64`, rounded to nearest from float64 into `f32`; a finite value too
//! large for `T` is an error. So a float64 Keras model loads into
//! `Sequential<f32>` with its weights rounded, as
//! `model.astype("float32")` would.
//!
//! Keras 2's `hard_sigmoid` is `clip(0.2x + 0.5, 0, 1)`, not Keras 3's
//! `relu6(x + 3) / 6` that neurite has: a tf_keras file using it is
//! refused rather than run with another function.
//!
//! # Files from strangers
//!
//! As every loader of the crate: a truncated, corrupt or hostile file is
//! an [`Error`], never a panic; memory stays within a small multiple of
//! the file; nothing is written to disk and no other file is opened.

mod archive;
mod build;
mod config;
mod hdf5;
mod layer_config;
mod save;
mod weights;

use crate::error::Error;
use crate::io::LayerSpec;
use crate::{Element, Sequential};
use archive::Source;
use build::layer_values;
use std::path::Path;
use weights::{Layout, keras3_arrays, legacy_arrays, legacy_weighted_arrays};

impl<T: Element> Sequential<T> {
    /// Loads a model saved by Keras.
    ///
    /// Reads what Keras itself saves: a `.keras`
    /// file (Keras 3, tf_keras 2.13+) or a legacy `.h5` model (tf.keras 2's
    /// and Keras 3's `model.save("m.h5")`), told apart by their content.
    /// The model must be a `Sequential` stack of `InputLayer`, `Dense`
    /// (`use_bias=False` included), `BatchNormalization` (moving
    /// statistics included; tf_keras's `axis` as a list too),
    /// `LayerNormalization`, `Dropout` and `Activation` layers, with any
    /// built-in activation (by name or as a Keras 3 serialized function);
    /// any other layer class, a custom activation or a functional model is
    /// an [`Error::Format`] naming the class or function and the layer.
    /// Optimizer state, metrics and the compile config in the file are
    /// ignored. [`load_keras_weights`](Sequential::load_keras_weights)
    /// reads a weights-only file into a model built in Rust.
    ///
    /// The dtype policy must be `float32` or `float64` (every layer the
    /// model's); the stored values convert to `T` as [`load_npz`](Sequential::load_npz) converts:
    /// exact when widening, rounded to nearest from float64 into `f32`, an
    /// error for a finite value too large for `T`. Keras 2's `hard_sigmoid`
    /// (`clip(0.2x + 0.5, 0, 1)`) is not Keras 3's, which neurite has: a
    /// tf_keras file that uses it is refused.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the file cannot be read; [`Error::Format`] for a
    /// file that is not a Keras model, is damaged, or holds a layer,
    /// activation or dtype policy neurite does not have (the message
    /// names it and the layer); [`Error::ShapeMismatch`] or
    /// [`Error::WeightCountMismatch`] for weights that do not fit the
    /// config.
    ///
    /// # Example
    ///
    /// The tutorial's model, as tf.keras 2's `model.save("model.h5")`
    /// wrote it:
    ///
    /// ```
    /// use ndarray::array;
    /// use neurite::Sequential;
    ///
    /// let model = Sequential::<f32>::load_keras("tests/fixtures/keras/tutorial_model2_tfkeras.h5")?;
    /// let y = model.forward(&array![[1.0, 1.0], [4.0, 1.0]])?;
    /// assert!((y[[0, 0]] - 0.50079060).abs() < 1e-6); // Keras's prediction
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn load_keras(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        let what = path.display().to_string();
        Self::from_keras_source(
            &archive::open(super::files::read_file(path)?.into(), &what)?,
            &what,
        )
    }

    /// [`load_keras`](Sequential::load_keras) from the bytes of a Keras
    /// model file already in memory (a download, `include_bytes!`).
    ///
    /// # Errors
    ///
    /// As [`load_keras`](Sequential::load_keras), but never
    /// [`Error::Io`].
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::array;
    /// use neurite::Sequential;
    ///
    /// let bytes = include_bytes!("../../../tests/fixtures/keras/tutorial_model2_keras3.keras");
    /// let model = Sequential::<f64>::from_keras_bytes(bytes)?;
    /// assert_eq!(model.forward(&array![[1.0, 1.0]])?.dim(), (1, 1));
    /// assert!(Sequential::<f64>::from_keras_bytes(&bytes[..100]).is_err());
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn from_keras_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let what = "Keras model bytes";
        Self::from_keras_source(&archive::open(bytes.into(), what)?, what)
    }

    /// The model a parsed Keras file describes.
    fn from_keras_source(source: &Source, what: &str) -> Result<Self, Error> {
        let Some((json, keras2)) = &source.config else {
            return Err(crate::error::format_error(
                what,
                "a Keras model with its config (.keras, or .h5 from model.save)",
                "a weights-only file: build the model in Rust and use load_keras_weights"
                    .to_owned(),
            ));
        };
        let model = config::parse(json, *keras2, what)?;
        let names: Vec<&str> = model
            .layers
            .iter()
            .map(|layer| layer.name.as_str())
            .collect();
        let arrays = match &source.layout {
            Layout::Keras3 => {
                let classes: Vec<String> = model
                    .layers
                    .iter()
                    .map(|layer| config::snake_case(layer.kind.class_name()))
                    .collect();
                keras3_arrays(&source.weights, &classes)?
            }
            Layout::Legacy { root } => legacy_arrays(&source.weights, root, &names)?,
        };
        build::build(&model, &arrays, what)
    }

    /// Replaces the weights by those of a Keras weights file
    /// (`model.save_weights("m.weights.h5")` of Keras 3, or `.h5` of
    /// tf.keras 2), or of a whole `.keras` / `.h5` model, in a model built
    /// in Rust with the same architecture: layers Keras has (not
    /// [`Maxout`](crate::Maxout) or a custom layer), with the same weight
    /// arrays, except that a Keras `Dense` with `use_bias=False` may fill a
    /// [`Dense`](crate::Dense) with a bias, which is then zero. Layers
    /// without weights (Dropout, Activation) take none. Everything is
    /// checked before any weight changes.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the file cannot be read; [`Error::Format`] when
    /// it is not a Keras file, is damaged, or the model has a layer Keras
    /// has no counterpart for (Maxout, a custom layer);
    /// [`Error::WeightCountMismatch`] or [`Error::ShapeMismatch`] when its
    /// arrays do not fit the model. The model is then left as it was.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::{BuiltinActivation, Dense, Sequential};
    ///
    /// // keras.Sequential([Input((4,)), Dense(7, "tanh", use_bias=False, name="hidden"),
    /// //                   Dense(5, "relu"), Dense(2, "sigmoid", name="out")])
    /// let mut model = Sequential::<f32>::new();
    /// for (i, (inputs, units, activation)) in [(4, 7, "tanh"), (7, 5, "relu"), (5, 2, "sigmoid")].into_iter().enumerate() {
    ///     let activation: BuiltinActivation<f32> = activation.parse()?;
    ///     model.add(Dense::glorot(inputs, units, activation, i as u64)?)?;
    /// }
    /// model.load_keras_weights("tests/fixtures/keras/nobias_named_keras3.weights.h5")?;
    /// assert!(model.get_weights()[1].iter().all(|&b| b == 0.0)); // use_bias=False
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn load_keras_weights(&mut self, path: impl AsRef<Path>) -> Result<(), Error> {
        let path = path.as_ref();
        let what = path.display().to_string();
        let source = archive::open(super::files::read_file(path)?.into(), &what)?;
        let values = self.keras_weight_values(&source, &what)?;
        self.assign_checked(values)
    }

    /// [`load_keras_weights`](Sequential::load_keras_weights) from the
    /// bytes of a Keras file already in memory.
    ///
    /// # Errors
    ///
    /// As [`load_keras_weights`](Sequential::load_keras_weights), but
    /// never [`Error::Io`]; the model is left as it was.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::{Dense, Relu, Sequential, Sigmoid};
    ///
    /// let mut model = Sequential::<f32>::new();
    /// model.add(Dense::glorot(2, 1, Relu, 0)?)?.add(Dense::glorot(1, 1, Sigmoid, 1)?)?;
    /// let bytes = include_bytes!("../../../tests/fixtures/keras/tutorial_model2_tfkeras.h5");
    /// model.load_keras_weights_from_bytes(bytes)?;
    /// assert!(model.load_keras_weights_from_bytes(&bytes[..64]).is_err());
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn load_keras_weights_from_bytes(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let what = "Keras weights bytes";
        let source = archive::open(bytes.into(), what)?;
        let values = self.keras_weight_values(&source, what)?;
        self.assign_checked(values)
    }

    /// The model's weights from `source`, checked against its layers.
    fn keras_weight_values(&self, source: &Source, what: &str) -> Result<Vec<Vec<T>>, Error> {
        let mut specs = Vec::with_capacity(self.len());
        for (index, layer) in self.layers().enumerate() {
            match layer.spec() {
                Some(spec) if spec.kind() != "Maxout" => specs.push(spec),
                _ => {
                    return Err(crate::error::format_error(
                        &format!("layer {index} ({})", layer.class_name()),
                        "layers Keras has (Dense, BatchNormalization, LayerNormalization, Dropout, Activation)",
                        layer.class_name().to_owned(),
                    ));
                }
            }
        }
        // The layers the file's arrays belong to, in order: every layer in
        // Keras 3's layout, only those with weights in a legacy file.
        let (weighted, arrays): (Vec<&LayerSpec>, _) = match &source.layout {
            Layout::Keras3 => {
                let classes: Vec<String> = specs
                    .iter()
                    .map(|spec| config::snake_case(spec.kind()))
                    .collect();
                let arrays = keras3_arrays(&source.weights, &classes)?;
                (specs.iter().collect(), arrays)
            }
            Layout::Legacy { root } => {
                let arrays = legacy_weighted_arrays(&source.weights, root)?;
                let with_weights = specs.iter().filter(|spec| !spec.weight_names().is_empty());
                (with_weights.collect(), arrays)
            }
        };
        if arrays.len() != weighted.len() {
            return Err(Error::WeightCountMismatch {
                what: format!("{what}: layers with weights"),
                expected: weighted.len(),
                found: arrays.len(),
            });
        }
        let mut values = Vec::with_capacity(2 * weighted.len());
        for (index, (spec, arrays)) in weighted.iter().zip(&arrays).enumerate() {
            let part = format!("{what}: layer {index} ({})", spec.kind());
            values.extend(layer_values::<T>(spec, arrays, &part)?);
        }
        Ok(values)
    }

    /// Saves the model as a Keras 3 `.keras` file that
    /// `keras.saving.load_model` opens and that predicts what this model
    /// predicts: a `Sequential` of an `InputLayer` and its layers, named
    /// as Keras names them (`dense`, `dense_1`, `batch_normalization`,
    /// …), with the dtype policy `float32` for
    /// `f32` (and narrower types, whose values float32 holds exactly) and
    /// `float64` for `f64`. An existing file is replaced atomically.
    ///
    /// # Errors
    ///
    /// [`Error::Format`] for a layer or activation Keras cannot express:
    /// a [`Maxout`](crate::Maxout) layer, or an activation with arguments
    /// other than those Keras's function of that name has (such as
    /// `LeakyRelu::new(0.3)`); save those models with
    /// [`save`](Sequential::save). [`Error::UnsupportedLayer`] for a custom
    /// layer or activation, [`Error::EmptyModel`] for a model without
    /// layers, [`Error::Io`] when the file cannot be written.
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::array;
    /// use neurite::{Dense, Relu, Sequential, Sigmoid};
    ///
    /// let mut model = Sequential::<f32>::new();
    /// model.add(Dense::glorot(2, 4, Relu, 1)?)?.add(Dense::glorot(4, 1, Sigmoid, 2)?)?;
    /// let path = std::env::temp_dir().join(format!("neurite-keras-doc-{}.keras", std::process::id()));
    /// model.save_keras(&path)?;
    /// let loaded = Sequential::<f32>::load_keras(&path)?;
    /// std::fs::remove_file(&path).ok();
    ///
    /// let x = array![[0.5, -1.0], [2.0, 0.25]];
    /// assert_eq!(loaded.forward(&x)?, model.forward(&x)?);
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn save_keras(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        let path = path.as_ref();
        let bytes = self.to_keras_bytes()?;
        super::files::write_atomically_with(path, |file| {
            std::io::Write::write_all(file, &bytes).map_err(|error| Error::io(path, error))
        })
    }

    /// The bytes of the `.keras` file [`save_keras`](Sequential::save_keras)
    /// writes, in memory (to send or store elsewhere);
    /// [`from_keras_bytes`](Sequential::from_keras_bytes) reads them back.
    ///
    /// # Errors
    ///
    /// As [`save_keras`](Sequential::save_keras), but never
    /// [`Error::Io`].
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::{Dense, Relu, Sequential, Sigmoid};
    ///
    /// let mut model = Sequential::<f32>::new();
    /// model.add(Dense::glorot(2, 4, Relu, 1)?)?.add(Dense::glorot(4, 1, Sigmoid, 2)?)?;
    /// let bytes = model.to_keras_bytes()?;
    /// assert_eq!(&bytes[..2], b"PK"); // a zip archive
    /// let again = Sequential::<f32>::from_keras_bytes(&bytes)?;
    /// assert_eq!(again.get_weights(), model.get_weights());
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn to_keras_bytes(&self) -> Result<Vec<u8>, Error> {
        save::keras_bytes(self)
    }
}

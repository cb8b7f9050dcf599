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
//! The model must be a `Sequential` stack of `InputLayer` and `Dense`
//! layers (any built-in activation, by name or as a Keras 3 serialized
//! function; `use_bias=False` loads as a zero bias). Any other layer
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
mod save;
mod weights;

use crate::error::Error;
use crate::{Element, Layer, Sequential};
use archive::Source;
use build::dense_values;
use std::path::Path;
use weights::{Layout, keras3_arrays, legacy_arrays, legacy_weighted_arrays};

impl<T: Element> Sequential<T> {
    /// Loads a model saved by Keras.
    ///
    /// Reads what Keras itself saves: a `.keras`
    /// file (Keras 3, tf_keras 2.13+) or a legacy `.h5` model (tf.keras 2's
    /// and Keras 3's `model.save("m.h5")`), told apart by their content.
    /// The model must be a `Sequential` stack of `InputLayer` and `Dense`
    /// layers, with any built-in activation (by name or as a Keras 3
    /// serialized function) and `use_bias=False` as a zero bias; any other
    /// layer class, a custom activation or a functional model is an
    /// [`Error::Format`] naming the class or function and the layer.
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
        let source = archive::open(super::files::read_file(path)?, &what)?;
        let Some((json, keras2)) = &source.config else {
            return Err(crate::error::format_error(
                &what,
                "a Keras model with its config (.keras, or .h5 from model.save)",
                "a weights-only file: build the model in Rust and use load_keras_weights"
                    .to_owned(),
            ));
        };
        let model = config::parse(json, *keras2, &what)?;
        let names: Vec<&str> = model
            .layers
            .iter()
            .map(|layer| layer.name.as_str())
            .collect();
        let arrays = match &source.layout {
            Layout::Keras3 => {
                let classes: Vec<&str> = model
                    .layers
                    .iter()
                    .map(|layer| layer.kind.snake_name())
                    .collect();
                keras3_arrays(&source.weights, &classes)?
            }
            Layout::Legacy { root } => legacy_arrays(&source.weights, root, &names)?,
        };
        build::build(&model, &arrays, &what)
    }

    /// Replaces the weights by those of a Keras weights file
    /// (`model.save_weights("m.weights.h5")` of Keras 3, or `.h5` of
    /// tf.keras 2), or of a whole `.keras` / `.h5` model, in a model built
    /// in Rust with the same architecture. Its layers must be
    /// [`Dense`](crate::Dense) layers; a Keras `Dense` with
    /// `use_bias=False` sets the bias to zero. Layers without weights in
    /// the file (Dropout, Activation) are skipped. Everything is checked
    /// before any weight changes.
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
        let source = archive::open(super::files::read_file(path)?, &what)?;
        let values = self.keras_weight_values(&source, &what)?;
        self.assign_checked(&values);
        Ok(())
    }

    /// The model's weights from `source`, checked against its layers.
    fn keras_weight_values(&self, source: &Source, what: &str) -> Result<Vec<Vec<T>>, Error> {
        let layers: Vec<&dyn Layer<T>> = self.layers().collect();
        for (index, layer) in layers.iter().enumerate() {
            if layer.spec().is_none_or(|spec| spec.kind() != "Dense") {
                return Err(crate::error::format_error(
                    &format!("layer {index} ({})", layer.class_name()),
                    "Dense layers (Keras has no other layer of neurite's)",
                    layer.class_name().to_owned(),
                ));
            }
        }
        let arrays = match &source.layout {
            Layout::Keras3 => keras3_arrays(&source.weights, &vec!["dense"; layers.len()])?,
            Layout::Legacy { root } => legacy_weighted_arrays(&source.weights, root)?,
        };
        if arrays.len() != layers.len() {
            return Err(Error::WeightCountMismatch {
                what: format!("{what}: layers with weights"),
                expected: layers.len(),
                found: arrays.len(),
            });
        }
        let mut values = Vec::with_capacity(2 * layers.len());
        for (index, (layer, arrays)) in layers.iter().zip(&arrays).enumerate() {
            let shape = layer.weight_shapes();
            let (inputs, units) = (shape[0][0], shape[0][1]);
            let part = format!("{what}: layer {index} (Dense)");
            values.extend(dense_values::<T>(arrays, inputs, units, None, &part)?);
        }
        Ok(values)
    }

    /// Saves the model as a Keras 3 `.keras` file that
    /// `keras.saving.load_model` opens and that predicts what this model
    /// predicts: a `Sequential` of an `InputLayer` and `Dense` layers
    /// named `dense`, `dense_1`, …, with the dtype policy `float32` for
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
        let bytes = save::keras_bytes(self)?;
        super::files::write_atomically_with(path, |file| {
            std::io::Write::write_all(file, &bytes).map_err(|error| Error::io(path, error))
        })
    }
}

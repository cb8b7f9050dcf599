//! Saving and loading models, and importing Keras's weights.
//!
//! # The model file
//!
//! [`Sequential::save`] writes one [safetensors](https://github.com/huggingface/safetensors)
//! file: every weight array as a named tensor in the model's own dtype
//! (`layers.0.kernel`, `layers.0.bias`, …), and the architecture, a
//! [`ModelSpec`] as JSON, under the key `"neurite"` of the file's metadata.
//! [`Sequential::load`] gives the model back with the same weights, bit
//! for bit, so its [`forward`](Sequential::forward) gives bit-identical
//! outputs. Python reads the file with the `safetensors` package
//! (`safetensors.numpy.load_file`); `docs/file-format.md` describes the
//! layout.
//!
//! [`Sequential::save_weights`] and [`Sequential::load_weights`] do the
//! same for the weights alone, into a model built with the same
//! architecture.
//!
//! # From Keras
//!
//! [`Sequential::load_keras`] reads Keras's own `.keras` and `.h5` files
//! and [`Sequential::save_keras`] writes `.keras` files Keras opens.
//! [`Sequential::load_npz`] reads what `np.savez(path, *model.get_weights())`
//! writes (and `np.savez_compressed`): arrays `arr_0, arr_1, …` in Keras's
//! order, float32 or float64, into a model built with the same
//! architecture.
//!
//! # Element types
//!
//! `f32` weights are stored as `F32` and `f64` weights as `F64`, exactly,
//! and a file loads only into a model of the element type it was saved
//! from. Other element types (such as `half::f16`) are stored as `F64`:
//! every value must convert to `f64` and back unchanged (true of the half
//! types), else saving fails; their files record
//! [`std::any::type_name`] of the type, which [`Sequential::load`]
//! compares. `.npz` arrays are converted as described at
//! [`Sequential::load_npz`].
//!
//! # Files from strangers
//!
//! A file may be truncated, corrupt, edited by hand or hostile. Loading
//! never panics on it and never allocates more than the file (or, for a
//! compressed `.npz`, the model it is loaded into) justifies: every length
//! is compared with the bytes that are there before it is used, and the
//! header of a model file is limited to 16 MiB. Every problem is an
//! [`Error`]: [`Error::Io`] when the file cannot be read,
//! [`Error::Format`] when it is not what it should be,
//! [`Error::ShapeMismatch`] or [`Error::WeightCountMismatch`] when its
//! weights do not fit the model, [`Error::UnknownActivation`] for an
//! activation this crate does not know. A failed
//! [`load_weights`](Sequential::load_weights) or
//! [`load_npz`](Sequential::load_npz) leaves the model exactly as it was.
//!
//! Saving writes a temporary file in the same folder, flushes it to disk
//! and renames it over the target, so a failed save leaves any existing
//! file untouched and no partial file behind.
//!
//! # Example
//!
//! ```
//! use ndarray::array;
//! use neurite::{Dense, Relu, Sequential, Sigmoid};
//!
//! let mut model = Sequential::<f32>::new();
//! model.add(Dense::glorot(2, 4, Relu, 1)?)?.add(Dense::glorot(4, 1, Sigmoid, 2)?)?;
//!
//! let path = std::env::temp_dir().join(format!("neurite-io-doc-{}.safetensors", std::process::id()));
//! model.save(&path)?;
//! let loaded = Sequential::<f32>::load(&path)?;
//! std::fs::remove_file(&path).ok();
//!
//! let x = array![[0.5, -1.0], [2.0, 0.25]];
//! assert_eq!(loaded.forward(&x)?, model.forward(&x)?);
//! # Ok::<(), neurite::Error>(())
//! ```

mod files;
mod keras;
mod npz;
mod safetensors;
mod spec;
mod stored_float;

pub use spec::{ActivationSpec, FORMAT_VERSION, LayerSpec, ModelSpec};

use self::safetensors::{Header, Storage};
use crate::error::Error;
use crate::layer::Weights;
use crate::{Element, Layer, Sequential};
use files::{open, write_atomically_with};
use spec::format_error;
use std::io::{Read, Write};
use std::path::Path;

/// The metadata key of the architecture in a model file.
const MODEL_KEY: &str = "neurite";

/// The metadata key of a weights-only file (its value: the format
/// version, crate version and dtype as JSON).
const WEIGHTS_KEY: &str = "neurite_weights";

/// The element type's name in files: `"float32"`, `"float64"`, or the
/// type's [`std::any::type_name`].
pub(crate) fn dtype_name<T: Element>() -> &'static str {
    match Storage::of::<T>() {
        Storage::F32 => "float32",
        Storage::F64 => "float64",
        Storage::Widened => std::any::type_name::<T>(),
    }
}

impl<T: Element> Sequential<T> {
    /// Saves the model, architecture and weights, into one safetensors
    /// file at `path` (see the [`io`](crate::io) module and
    /// `docs/file-format.md`). An existing file is replaced atomically:
    /// if saving fails, it is left as it was.
    ///
    /// # Errors
    ///
    /// [`Error::UnsupportedLayer`] when a layer cannot be described (a
    /// custom layer, or a custom activation); [`Error::Format`] for a
    /// non-finite activation parameter (JSON has no NaN) or, for element
    /// types other than `f32`/`f64`, a value `f64` cannot hold exactly;
    /// [`Error::Io`] when the file cannot be written.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::{Dense, Elu, Sequential};
    ///
    /// let mut model = Sequential::<f64>::new();
    /// model.add(Dense::glorot(3, 2, Elu::new(0.5), 0)?)?;
    /// let path = std::env::temp_dir().join(format!("neurite-save-doc-{}.safetensors", std::process::id()));
    /// model.save(&path)?;
    /// assert_eq!(Sequential::<f64>::load(&path)?.get_weights(), model.get_weights());
    /// std::fs::remove_file(&path).ok();
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        let path = path.as_ref();
        let metadata = self.model_metadata()?;
        write_atomically_with(path, |file| {
            self.write_tensors(metadata, file, &|error| Error::io(path, error))
        })
    }

    /// The bytes [`save`](Sequential::save) writes: a safetensors file in
    /// memory.
    ///
    /// # Errors
    ///
    /// As [`save`](Sequential::save), without [`Error::Io`].
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::{Maxout, Sequential};
    ///
    /// let mut model = Sequential::<f32>::new();
    /// model.add(Maxout::glorot(2, 3, 1, 0)?)?;
    /// let bytes = model.to_bytes()?;
    /// let copy = Sequential::<f32>::from_bytes(&bytes)?;
    /// assert_eq!(copy.get_weights(), model.get_weights());
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let metadata = self.model_metadata()?;
        let width = std::mem::size_of::<T>().max(4);
        let mut bytes = Vec::with_capacity(self.param_count().saturating_mul(width) + 4096);
        self.write_tensors(metadata, &mut bytes, &|error| {
            format_error("model bytes", "a buffer to write to", error.to_string())
        })?;
        Ok(bytes)
    }

    /// The metadata of a model file: the architecture, checked.
    fn model_metadata(&self) -> Result<Vec<(String, String)>, Error> {
        let spec = self.spec()?;
        spec.validate()?;
        Ok(vec![(MODEL_KEY.to_owned(), spec.to_json())])
    }

    /// Writes a safetensors file of the weights with `metadata` to `out`.
    fn write_tensors<W: Write>(
        &self,
        metadata: Vec<(String, String)>,
        out: &mut W,
        io_error: &dyn Fn(std::io::Error) -> Error,
    ) -> Result<(), Error> {
        let layers: Vec<&dyn Layer<T>> = self.layers().collect();
        self::safetensors::write(&layers, metadata, out, io_error)
    }

    /// Loads a model saved by [`save`](Sequential::save). Its layers are
    /// [`Dense<T>`](crate::Dense) (with a [`BuiltinActivation`](crate::BuiltinActivation)) and [`Maxout`](crate::Maxout)
    /// layers with the saved weights, bit for bit, so its outputs are
    /// those of the saved model.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the file cannot be read; [`Error::Format`] when
    /// it is not a neurite model file (a weights-only file, another
    /// safetensors file, a truncated or corrupt one), was saved from
    /// another element type, or describes an unknown layer type;
    /// [`Error::UnknownActivation`] for an unknown activation;
    /// [`Error::ShapeMismatch`] for a tensor whose shape does not fit the
    /// architecture.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::{Dense, Error, Sequential, Softmax};
    ///
    /// let mut model = Sequential::<f32>::new();
    /// model.add(Dense::glorot(4, 3, Softmax, 0)?)?;
    /// let path = std::env::temp_dir().join(format!("neurite-load-doc-{}.safetensors", std::process::id()));
    /// model.save(&path)?;
    /// let loaded = Sequential::<f32>::load(&path)?;
    /// assert_eq!(loaded.summary().to_string(), model.summary().to_string());
    ///
    /// // Saved from f32, so not an f64 model.
    /// assert!(matches!(Sequential::<f64>::load(&path), Err(Error::Format { .. })));
    /// std::fs::remove_file(&path).ok();
    /// # Ok::<(), Error>(())
    /// ```
    pub fn load(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        let (mut file, len) = open(path)?;
        Self::read_model(&mut file, len, &path.display().to_string(), &|error| {
            Error::io(path, error)
        })
    }

    /// Loads a model from the bytes of a model file (as
    /// [`to_bytes`](Sequential::to_bytes) gives them, or
    /// `include_bytes!("model.safetensors")`).
    ///
    /// # Errors
    ///
    /// As [`load`](Sequential::load), without [`Error::Io`].
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::{Error, Sequential};
    ///
    /// let garbage = Sequential::<f32>::from_bytes(b"not a model");
    /// assert!(matches!(garbage, Err(Error::Format { .. })));
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let what = "model bytes";
        Self::read_model(&mut &*bytes, bytes.len() as u64, what, &|error| {
            format_error(what, "bytes to read", error.to_string())
        })
    }

    /// Reads a model file of `len` bytes from `input`.
    fn read_model<R: Read>(
        input: &mut R,
        len: u64,
        what: &str,
        io_error: &dyn Fn(std::io::Error) -> Error,
    ) -> Result<Self, Error> {
        let file: Header = self::safetensors::read_header(input, len, what, io_error)?;
        let json = file.metadata(MODEL_KEY).ok_or_else(|| {
            let found = if file.metadata(WEIGHTS_KEY).is_some() {
                "a weights-only file (save_weights): load it with load_weights into a model of its architecture"
            } else {
                "no such key (a safetensors file, but not a neurite model)"
            };
            format_error(
                &format!("{what}: metadata"),
                "the key \"neurite\" with the architecture",
                found.to_owned(),
            )
        })?;
        let spec = ModelSpec::from_json(json).map_err(|error| in_file(error, what))?;
        spec.validate().map_err(|error| in_file(error, what))?;
        let expected_dtype = dtype_name::<T>();
        if spec.dtype.as_deref() != Some(expected_dtype) {
            return Err(format_error(
                &format!("{what}: element type"),
                &format!("{expected_dtype:?} (the model's T)"),
                spec.dtype.as_deref().map_or("none".to_owned(), |dtype| {
                    format!("{:?}", spec::shorten(dtype))
                }),
            ));
        }
        let expected: Vec<(String, Vec<usize>)> = spec
            .layers
            .iter()
            .enumerate()
            .flat_map(|(i, layer)| {
                layer
                    .weight_names()
                    .into_iter()
                    .zip(layer.weight_shapes())
                    .map(move |(name, shape)| (format!("layers.{i}.{name}"), shape))
            })
            .collect();
        // `take` gives every expected tensor, each layer's in order.
        let mut weights = file
            .read_tensors::<T, R>(input, &expected, io_error)?
            .into_iter();
        let mut model = Sequential::new();
        for layer in &spec.layers {
            let arrays = weights.by_ref().take(layer.weight_names().len()).collect();
            let layer = layer.build(Weights::Given(arrays));
            model.add_boxed(layer.map_err(|error| in_file(error, what))?)?;
        }
        Ok(model)
    }

    /// Saves the weights alone into a safetensors file at `path`, with the
    /// tensor names of [`save`](Sequential::save) (`layers.{i}.kernel`,
    /// `layers.{i}.bias`; a custom layer's arrays are
    /// `layers.{i}.weights.{j}`). Works for every model, custom layers
    /// included. An existing file is replaced atomically.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the file cannot be written; [`Error::Format`]
    /// for a value of an element type other than `f32`/`f64` that `f64`
    /// cannot hold exactly.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::{Dense, Relu, Sequential};
    ///
    /// let mut trained = Sequential::<f32>::new();
    /// trained.add(Dense::glorot(3, 2, Relu, 1)?)?;
    /// let path = std::env::temp_dir().join(format!("neurite-weights-doc-{}.safetensors", std::process::id()));
    /// trained.save_weights(&path)?;
    ///
    /// let mut fresh = Sequential::<f32>::new();
    /// fresh.add(Dense::glorot(3, 2, Relu, 2)?)?;
    /// fresh.load_weights(&path)?;
    /// assert_eq!(fresh.get_weights(), trained.get_weights());
    /// std::fs::remove_file(&path).ok();
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn save_weights(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        let path = path.as_ref();
        let info = serde_json::json!({
            "format_version": FORMAT_VERSION,
            "crate_version": env!("CARGO_PKG_VERSION"),
            "dtype": dtype_name::<T>(),
        });
        let metadata = vec![(WEIGHTS_KEY.to_owned(), info.to_string())];
        write_atomically_with(path, |file| {
            self.write_tensors(metadata, file, &|error| Error::io(path, error))
        })
    }

    /// Replaces the weights by those of a safetensors file written by
    /// [`save_weights`](Sequential::save_weights) or
    /// [`save`](Sequential::save) (or by any tool, with the same tensor
    /// names): one tensor per weight array, of the model's shapes and
    /// dtype (`F32` for `f32`, `F64` for `f64` and other types), and no
    /// other tensors. Everything is checked before any weight changes.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the file cannot be read; [`Error::Format`] when
    /// it is not a safetensors file, a tensor is missing or extra, or has
    /// another dtype; [`Error::ShapeMismatch`] for a tensor of another
    /// shape. The model is left exactly as it was.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::{Dense, Error, Relu, Sequential};
    ///
    /// let mut small = Sequential::<f32>::new();
    /// small.add(Dense::glorot(3, 2, Relu, 1)?)?;
    /// let path = std::env::temp_dir().join(format!("neurite-load-weights-doc-{}.safetensors", std::process::id()));
    /// small.save_weights(&path)?;
    ///
    /// let mut wider = Sequential::<f32>::new();
    /// wider.add(Dense::glorot(3, 5, Relu, 1)?)?;
    /// let before = wider.get_weights();
    /// assert!(matches!(wider.load_weights(&path), Err(Error::ShapeMismatch { .. })));
    /// assert_eq!(wider.get_weights(), before);
    /// std::fs::remove_file(&path).ok();
    /// # Ok::<(), Error>(())
    /// ```
    pub fn load_weights(&mut self, path: impl AsRef<Path>) -> Result<(), Error> {
        let path = path.as_ref();
        let (mut input, len) = open(path)?;
        let what = path.display().to_string();
        let fail = |error: std::io::Error| Error::io(path, error);
        let file = self::safetensors::read_header(&mut input, len, &what, &fail)?;
        let mut expected = Vec::new();
        for (i, layer) in self.layers().enumerate() {
            let names = self::safetensors::weight_names(i, layer);
            expected.extend(names.into_iter().zip(layer.weight_shapes()));
        }
        let values = file.read_tensors::<T, _>(&mut input, &expected, &fail)?;
        self.assign_checked(values)
    }

    /// Sets weight arrays, flat and row-major, in
    /// [`get_weights`](Sequential::get_weights) order, through
    /// [`set_weights`](Sequential::set_weights): the caller has checked
    /// their number and shapes against the layers' `weight_shapes`, and a
    /// layer's own check of the values (a moving variance `≥ 0`) comes on
    /// top; on error nothing changes.
    fn assign_checked(&mut self, values: Vec<Vec<T>>) -> Result<(), Error> {
        let shapes = self.layers().flat_map(|layer| layer.weight_shapes());
        let arrays = values
            .into_iter()
            .zip(shapes)
            .map(|(values, shape)| {
                ndarray::ArrayD::from_shape_vec(shape, values).map_err(|error| {
                    format_error("weights", "as many values as the shape", error.to_string())
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        self.set_weights(&arrays)
    }
}

/// Prefixes an error about a model description with the file it is in.
fn in_file(error: Error, what: &str) -> Error {
    match error {
        Error::Format {
            what: part,
            expected,
            found,
        } => Error::Format {
            what: format!("{what}: {part}"),
            expected,
            found,
        },
        other => other,
    }
}

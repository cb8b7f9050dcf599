//! The one error type of the crate.
//!
//! Every fallible public function returns [`Error`]; each variant says what
//! was expected and what was found, so a message alone is enough to locate
//! the mistake.

use std::fmt;
use std::io;
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Everything that can go wrong when building or running a network.
///
/// The enum is `#[non_exhaustive]`: later versions may add variants, so a
/// `match` on it needs a wildcard arm.
///
/// # Example
///
/// ```
/// use ndarray::{array, Array1};
/// use neurite::{Dense, Error, Relu};
///
/// // A kernel for 2 inputs and 1 unit, but a bias for 3 units.
/// let result = Dense::new(array![[0.5_f32], [0.25]], Array1::zeros(3), Relu);
/// match result {
///     Err(Error::ShapeMismatch { expected, found, .. }) => {
///         assert_eq!(expected, vec![1]);
///         assert_eq!(found, vec![3]);
///     }
///     other => panic!("unexpected: {other:?}"),
/// }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// An array has the wrong shape.
    ShapeMismatch {
        /// Which array, e.g. `"Dense bias"` or `"labels"`.
        what: String,
        /// The shape that was required.
        expected: Vec<usize>,
        /// The shape that was given.
        found: Vec<usize>,
    },
    /// The number of input features does not match what a layer takes.
    WidthMismatch {
        /// Where the mismatch was found, e.g. `"layer 1 (Dense)"`.
        what: String,
        /// The width the layer takes.
        expected: usize,
        /// The width it was given.
        found: usize,
    },
    /// A batch has no rows (or a loss was asked of no values).
    EmptyBatch {
        /// What was empty.
        what: String,
    },
    /// A [`Sequential`](crate::Sequential) model without layers was run.
    EmptyModel,
    /// A label does not fit its loss: a class index that is not an
    /// integer in `[0, classes)`, a one-hot row that is not a probability
    /// row, a negative count for the Poisson loss, …
    InvalidLabel {
        /// The label's position in the labels, row-major.
        index: usize,
        /// The label.
        value: f64,
        /// What the loss takes there, e.g. `"a class index in [0, 10)"`.
        expected: String,
    },
    /// A label is outside `[0, 1]` (or is NaN).
    LabelOutOfRange {
        /// Position of the label in row-major order.
        index: usize,
        /// The offending value, widened to `f64`.
        value: f64,
    },
    /// A name given to `FromStr` is not a known activation.
    UnknownActivation {
        /// The name that was given.
        name: String,
    },
    /// A size or hyper-parameter is not allowed (e.g. a layer with 0 units).
    InvalidParameter {
        /// The parameter's name.
        name: &'static str,
        /// What is allowed.
        expected: &'static str,
        /// The value that was given, formatted.
        found: String,
    },
    /// A list of weight arrays (as [`Sequential::set_weights`](crate::Sequential::set_weights)
    /// takes them) has the wrong number of arrays.
    WeightCountMismatch {
        /// Whose weights, e.g. `"model"` or `"Dense"`.
        what: String,
        /// The number of arrays required (two per `Dense` layer, …).
        expected: usize,
        /// The number of arrays given.
        found: usize,
    },
    /// Training data holds NaN or an infinity.
    NonFiniteInput {
        /// Which array, e.g. `"input batch"` or `"validation input batch"`.
        what: String,
        /// Position of the value in row-major order.
        index: usize,
        /// The offending value, widened to `f64`.
        value: f64,
    },
    /// Reading or writing a file failed (it does not exist, a folder is
    /// missing, the disk is full, …). The [`std::io::Error`] itself is the
    /// error's [`source`](std::error::Error::source); its kind and message
    /// are copied into fields of their own to match on.
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system reported.
        kind: std::io::ErrorKind,
        /// Its message.
        message: String,
        /// The error itself.
        source: SharedIoError,
    },
    /// A file, or a model description, is not what it should be: truncated,
    /// corrupt, edited by hand, written by something else, or made for
    /// another model (see [`io`](crate::io)).
    Format {
        /// Which part, e.g. `"model.safetensors: header length"` or
        /// `"weights.npz: arr_2.npy dtype"`.
        what: String,
        /// What was required there.
        expected: String,
        /// What the file holds.
        found: String,
    },
    /// A model cannot be described in the file format: one of its layers
    /// is a custom layer, or a [`Dense`](crate::Dense) layer with a custom
    /// activation (only the built-in layers and activations can be saved).
    UnsupportedLayer {
        /// The layer's position, from 0.
        index: usize,
        /// Its [`class_name`](crate::Layer::class_name).
        class_name: String,
        /// Its [`activation_name`](crate::Layer::activation_name).
        activation: String,
    },
}

/// The Keras names [`FromStr`](std::str::FromStr) understands, for messages.
fn activation_names() -> String {
    crate::activation::KERAS_NAMES.join(", ")
}

/// An [`Error::Format`].
pub(crate) fn format_error(what: &str, expected: &str, found: String) -> Error {
    Error::Format {
        what: what.to_owned(),
        expected: expected.to_owned(),
        found,
    }
}

thread_local! {
    /// The [`Error`] behind the last [`serde_error`] on this thread.
    static SERDE_CAUSE: std::cell::RefCell<Option<Error>> = const { std::cell::RefCell::new(None) };
}

/// `error` as a serde error, for a `Deserialize` implementation. serde's
/// errors carry only text, so the typed error is kept aside for
/// [`serde_cause`] to give back to the crate's own parser.
pub(crate) fn serde_error<E: serde::de::Error>(error: Error) -> E {
    let message = E::custom(&error);
    SERDE_CAUSE.with(|cause| *cause.borrow_mut() = Some(error));
    message
}

/// The typed error of the last [`serde_error`] on this thread, taken (so a
/// later parse starts clean).
pub(crate) fn serde_cause() -> Option<Error> {
    SERDE_CAUSE.with(|cause| cause.borrow_mut().take())
}

/// At most 64 characters of a string from a file or a caller, for
/// messages.
pub(crate) fn shorten(text: &str) -> String {
    match text.char_indices().nth(64) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::ShapeMismatch {
                what,
                expected,
                found,
            } => write!(f, "{what}: expected shape {expected:?}, found {found:?}"),
            Error::WidthMismatch {
                what,
                expected,
                found,
            } => write!(
                f,
                "{what}: expected {expected} input features, found {found}"
            ),
            Error::EmptyBatch { what } => write!(f, "{what}: expected at least one row, found 0"),
            Error::EmptyModel => write!(f, "the model has no layers: add one before running it"),
            Error::InvalidLabel {
                index,
                value,
                expected,
            } => write!(f, "label {index}: expected {expected}, found {value}"),
            Error::LabelOutOfRange { index, value } => write!(
                f,
                "label {index}: expected a value in [0, 1], found {value}"
            ),
            Error::UnknownActivation { name } => write!(
                f,
                "unknown activation {name:?}: expected one of {}",
                activation_names()
            ),
            Error::InvalidParameter {
                name,
                expected,
                found,
            } => write!(f, "{name}: expected {expected}, found {found}"),
            Error::WeightCountMismatch {
                what,
                expected,
                found,
            } => write!(
                f,
                "{what} weights: expected {expected} arrays (in Keras's get_weights order), found {found}"
            ),
            Error::NonFiniteInput { what, index, value } => write!(
                f,
                "{what}: expected finite values, found {value} at index {index}"
            ),
            Error::Io {
                path,
                kind,
                message,
                ..
            } => write!(f, "{}: {message} ({kind:?})", path.display()),
            Error::Format {
                what,
                expected,
                found,
            } => write!(f, "{what}: expected {expected}, found {found}"),
            Error::UnsupportedLayer {
                index,
                class_name,
                activation,
            } => write!(
                f,
                "layer {index} ({class_name}, activation {activation:?}) cannot be saved: \
                 expected Dense with a built-in activation ({}) or Maxout",
                activation_names()
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(&*source.0),
            _ => None,
        }
    }
}

impl Error {
    /// An [`Error::Io`] for `path`, which keeps `error` as its source.
    pub(crate) fn io(path: &Path, error: io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            kind: error.kind(),
            message: error.to_string(),
            source: SharedIoError(Arc::new(error)),
        }
    }
}

/// The [`std::io::Error`] behind an [`Error::Io`], shared so that [`Error`]
/// stays `Clone`. It dereferences to the `io::Error`; two are equal when
/// their kinds and messages are (`io::Error` itself has no equality).
///
/// # Example
///
/// ```
/// use neurite::{Error, Sequential};
///
/// let result = Sequential::<f32>::load("no/such/model.safetensors");
/// let Err(Error::Io { source, .. }) = result else {
///     panic!("expected an I/O error");
/// };
/// assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
/// assert!(source.raw_os_error().is_some()); // the operating system's own error
/// ```
#[derive(Clone)]
pub struct SharedIoError(Arc<io::Error>);

impl Deref for SharedIoError {
    type Target = io::Error;

    fn deref(&self) -> &io::Error {
        &self.0
    }
}

impl PartialEq for SharedIoError {
    fn eq(&self, other: &Self) -> bool {
        self.kind() == other.kind() && self.to_string() == other.to_string()
    }
}

impl fmt::Debug for SharedIoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

/// Checks that `found` equals `expected`, naming the array in the error.
pub(crate) fn check_shape(what: &str, expected: &[usize], found: &[usize]) -> Result<(), Error> {
    if expected == found {
        Ok(())
    } else {
        Err(Error::ShapeMismatch {
            what: what.to_owned(),
            expected: expected.to_vec(),
            found: found.to_vec(),
        })
    }
}

/// Checks that a layer is given as many features as it takes.
pub(crate) fn check_width(what: &str, expected: usize, found: usize) -> Result<(), Error> {
    if expected == found {
        Ok(())
    } else {
        Err(Error::WidthMismatch {
            what: what.to_owned(),
            expected,
            found,
        })
    }
}

/// Checks that a batch has at least one row.
pub(crate) fn check_not_empty(what: &str, rows: usize) -> Result<(), Error> {
    if rows == 0 {
        Err(Error::EmptyBatch {
            what: what.to_owned(),
        })
    } else {
        Ok(())
    }
}

/// Checks that a size parameter is at least 1.
pub(crate) fn check_positive(name: &'static str, value: usize) -> Result<(), Error> {
    if value == 0 {
        Err(Error::InvalidParameter {
            name,
            expected: "at least 1",
            found: "0".to_owned(),
        })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn an_io_error_is_the_source_of_error_io() {
        let error = Error::io(
            Path::new("model.safetensors"),
            io::Error::new(io::ErrorKind::StorageFull, "disk full"),
        );
        let source = error.source().expect("a source");
        let io_error = source.downcast_ref::<io::Error>().expect("an io::Error");
        assert_eq!(io_error.kind(), io::ErrorKind::StorageFull);
        assert_eq!(io_error.to_string(), "disk full");
        assert_eq!(
            error.to_string(),
            "model.safetensors: disk full (StorageFull)"
        );
        assert_eq!(error.clone(), error);
        assert!(Error::EmptyModel.source().is_none());
    }
}

//! Files from strangers: truncated, corrupt, edited by hand or hostile.
//! Every one must give a typed error (never a panic), never make the
//! loader allocate more than the file justifies, and leave a model that
//! `load_weights` or `load_npz` was called on exactly as it was.
//!
//! Model files: truncation at every byte offset, thousands of seeded random
//! byte flips, huge length fields, swapped dtypes, dropped, added and
//! renamed tensors, shapes that disagree with the architecture, unknown
//! layer types and activation names. `.npz` archives: the same for Keras's
//! exports, plus missing, extra, renamed, mis-shaped and non-float arrays.
//!
//! This file holds the shared helpers (loading under an allocation bound,
//! editing a file's header and tensors); model_files.rs and
//! npz_archives.rs the tests of each kind.

#[path = "../model_file/mod.rs"]
mod model_file;
#[path = "../npz_writer/mod.rs"]
mod npz_writer;
#[path = "../rng/mod.rs"]
mod rng;

mod model_files;
mod npz_archives;

use allocation_counter::measure;
use model_file::{join, split};
use ndarray::{ArrayD, array};
use neurite::{BuiltinActivation, Dense, Error, Maxout, Sequential};
use npz_writer::{STORED, ZipOptions, f32_bytes, npy, npy_with_header, temp_path, zip};
use rng::Rng;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A small model with every kind of layer and an activation parameter.
fn small_model() -> Sequential<f32> {
    let leaky: BuiltinActivation<f32> = "leaky_relu".parse().unwrap();
    let mut model = Sequential::new();
    model
        .add(Dense::glorot(2, 3, leaky, 1).unwrap())
        .unwrap()
        .add(Maxout::glorot(2, 3, 2, 2).unwrap())
        .unwrap()
        .add(
            Dense::glorot(
                2,
                1,
                "sigmoid".parse::<BuiltinActivation<f32>>().unwrap(),
                3,
            )
            .unwrap(),
        )
        .unwrap();
    model
}

/// The same architecture with other weights, to load into.
fn target_model() -> Sequential<f32> {
    small_model().spec().unwrap().build(77).unwrap()
}

/// The most a load may allocate for a file of `len` bytes: a small
/// multiple of the file (parsed JSON, the weights in `T`, messages) and a
/// constant. A hostile length that was believed would exceed it.
fn allowance(len: usize) -> u64 {
    32 * len as u64 + (256 << 10)
}

/// Runs `load`, checks that it allocated within the allowance, and returns
/// its result.
#[track_caller]
fn bounded<R>(len: usize, load: impl FnOnce() -> R) -> R {
    let mut result = None;
    let info = measure(|| result = Some(load()));
    assert!(
        info.bytes_max <= allowance(len),
        "a {len}-byte file made the loader hold {} bytes",
        info.bytes_max
    );
    result.unwrap()
}

/// Writes `bytes` to a scratch file, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str, bytes: &[u8]) -> Self {
        let path = temp_path(name);
        std::fs::write(&path, bytes).unwrap();
        Self(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Loads `bytes` as a model file, as weights into a model of the same
/// architecture (which must stay as it was on error), and returns the
/// model-file result.
#[track_caller]
fn load_everywhere(bytes: &[u8], name: &str) -> Result<Sequential<f32>, Error> {
    let result = bounded(bytes.len(), || Sequential::<f32>::from_bytes(bytes));
    let scratch = Scratch::new(name, bytes);
    let mut target = target_model();
    let before = target.get_weights();
    let weights = bounded(bytes.len(), || target.load_weights(scratch.path()));
    if weights.is_err() {
        assert_eq!(
            target.get_weights(),
            before,
            "a failed load_weights changed the model"
        );
    }
    let from_file = bounded(bytes.len(), || Sequential::<f32>::load(scratch.path()));
    assert_eq!(from_file.is_ok(), result.is_ok());
    result
}

// ------------------------------------------------------------ editing files

/// The model file with its header edited.
fn edit_header(bytes: &[u8], edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let (mut header, data) = split(bytes);
    edit(&mut header);
    join(&header, &data)
}

/// The model file with the architecture JSON (metadata "neurite") edited.
fn edit_spec(bytes: &[u8], edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    edit_header(bytes, |header| {
        let text = header["__metadata__"]["neurite"].as_str().unwrap();
        let mut spec: Value = serde_json::from_str(text).unwrap();
        edit(&mut spec);
        header["__metadata__"]["neurite"] = Value::from(spec.to_string());
    })
}

/// A safetensors file written by the `safetensors` crate itself, so that
/// its offsets are consistent: only the content is wrong.
fn safetensors_file(tensors: &Tensors, metadata: Option<&str>) -> Vec<u8> {
    struct T<'a>(&'a (safetensors::Dtype, Vec<usize>, Vec<u8>));
    impl safetensors::View for T<'_> {
        fn dtype(&self) -> safetensors::Dtype {
            self.0.0
        }
        fn shape(&self) -> &[usize] {
            &self.0.1
        }
        fn data(&self) -> std::borrow::Cow<'_, [u8]> {
            std::borrow::Cow::Borrowed(&self.0.2)
        }
        fn data_len(&self) -> usize {
            self.0.2.len()
        }
    }
    let views = tensors.iter().map(|(name, t)| (name.clone(), T(t)));
    let metadata = metadata.map(|m| [("neurite".to_owned(), m.to_owned())].into_iter().collect());
    safetensors::serialize(views, metadata).unwrap()
}

/// Tensors by name: dtype, shape and data bytes.
type Tensors = BTreeMap<String, (safetensors::Dtype, Vec<usize>, Vec<u8>)>;

/// An edit of a JSON value.
type EditFn<'a> = Box<dyn Fn(&mut Value) + 'a>;

/// An edit, with a name for messages.
type Edit<'a> = (&'a str, EditFn<'a>);

/// Whether an error is the one expected.
type Check = fn(&Error) -> bool;

/// The tensors and architecture of a model file.
fn contents(bytes: &[u8]) -> (Tensors, String) {
    let file = safetensors::SafeTensors::deserialize(bytes).unwrap();
    let tensors = file
        .tensors()
        .into_iter()
        .map(|(name, view)| {
            (
                name,
                (view.dtype(), view.shape().to_vec(), view.data().to_vec()),
            )
        })
        .collect();
    let (_, metadata) = safetensors::SafeTensors::read_metadata(bytes).unwrap();
    let spec = metadata.metadata().as_ref().unwrap()["neurite"].clone();
    (tensors, spec)
}

#[track_caller]
fn assert_format_error(result: Result<Sequential<f32>, Error>, context: &str) {
    match result {
        Err(Error::Format { .. }) => {}
        other => panic!("{context}: expected Error::Format, got {other:?}"),
    }
}

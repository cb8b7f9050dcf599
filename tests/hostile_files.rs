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

mod npz_writer;
mod rng;

use allocation_counter::measure;
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

/// A model file taken apart: the header JSON and the data.
fn split(bytes: &[u8]) -> (Value, Vec<u8>) {
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let header = serde_json::from_slice(&bytes[8..8 + n]).unwrap();
    (header, bytes[8 + n..].to_vec())
}

/// A file from a header and data, with the right length prefix.
fn join(header: &Value, data: &[u8]) -> Vec<u8> {
    let text = header.to_string();
    let mut out = (text.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(text.as_bytes());
    out.extend_from_slice(data);
    out
}

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

// ------------------------------------------------------------ model files

#[test]
fn truncating_a_model_file_at_every_offset_is_an_error() {
    let bytes = small_model().to_bytes().unwrap();
    let clean = measure(|| {
        Sequential::<f32>::from_bytes(&bytes).unwrap();
    });
    eprintln!(
        "loading the {}-byte model holds at most {} bytes (allowance {})",
        bytes.len(),
        clean.bytes_max,
        allowance(bytes.len())
    );
    for len in 0..bytes.len() {
        let result = load_everywhere(&bytes[..len], "truncated.safetensors");
        assert_format_error(result, &format!("truncated to {len} bytes"));
    }
    // Bytes after the end are refused too.
    let mut longer = bytes.clone();
    longer.push(0);
    assert_format_error(
        load_everywhere(&longer, "longer.safetensors"),
        "one byte more",
    );
    eprintln!("truncation: {} offsets, all refused", bytes.len());
}

#[test]
fn thousands_of_random_byte_flips_never_panic() {
    let model = small_model();
    let bytes = model.to_bytes().unwrap();
    let x = array![[0.5_f32, -1.5], [3.0, 0.25]];
    let mut random = Rng(0x05EE_D0FF_11E5);
    let mut outcomes: BTreeMap<String, usize> = BTreeMap::new();
    const TRIALS: usize = 2500;
    for trial in 0..TRIALS {
        let mut flipped = bytes.clone();
        for _ in 0..1 + random.below(3) {
            let at = random.below(flipped.len());
            flipped[at] ^= 1 + random.below(255) as u8;
        }
        let outcome = match Sequential::<f32>::from_bytes(&flipped) {
            Ok(loaded) => {
                // A flip in the weights or in a parameter's digits makes a
                // valid, different model: it must still run.
                let _ = loaded.forward(&x);
                loaded.spec().unwrap().validate().unwrap();
                if loaded.get_weights() == model.get_weights() {
                    "loaded, same weights".to_owned()
                } else {
                    "loaded, other weights".to_owned()
                }
            }
            Err(error) => {
                let debug = format!("{error:?}");
                let variant = debug.split([' ', '{', '(']).next().unwrap_or_default();
                format!("Error::{variant}")
            }
        };
        *outcomes.entry(outcome).or_default() += 1;
        // load_weights on a fraction of them, through a file (slower).
        if trial % 10 == 0 {
            load_everywhere(&flipped, "flipped.safetensors").ok();
        }
    }
    eprintln!("{TRIALS} flipped files: {outcomes:?}");
    assert_eq!(outcomes.values().sum::<usize>(), TRIALS);
}

#[test]
fn huge_length_fields_are_not_believed() {
    let bytes = small_model().to_bytes().unwrap();
    let header_len = u64::from_le_bytes(bytes[..8].try_into().unwrap());
    let room = bytes.len() as u64 - 8;
    for claimed in [
        1 << 63,
        u64::MAX,
        u64::MAX - 7,
        1 << 32,
        room + 1,
        (16 << 20) + 1,
        header_len + 1,
        header_len - 1,
        0,
    ] {
        let mut edited = bytes.clone();
        edited[..8].copy_from_slice(&claimed.to_le_bytes());
        assert_format_error(
            load_everywhere(&edited, "length.safetensors"),
            &format!("header length {claimed}"),
        );
    }

    // Offsets and shapes in the header.
    let huge = Value::from(1_u64 << 62);
    let edits: Vec<Edit<'_>> = vec![
        (
            "end offset 2^62",
            Box::new(|h: &mut Value| h["layers.0.kernel"]["data_offsets"][1] = huge.clone()),
        ),
        (
            "shape 2^62",
            Box::new(|h: &mut Value| {
                h["layers.0.kernel"]["shape"] = Value::from(vec![1_u64 << 62, 4])
            }),
        ),
        (
            "shape overflowing usize",
            Box::new(|h: &mut Value| {
                h["layers.0.kernel"]["shape"] = Value::from(vec![1_u64 << 40, 1 << 40])
            }),
        ),
        (
            "negative offset",
            Box::new(|h: &mut Value| h["layers.0.bias"]["data_offsets"][0] = Value::from(-4)),
        ),
        (
            "a million dimensions",
            Box::new(|h: &mut Value| {
                h["layers.0.bias"]["shape"] = Value::from(vec![1_u64; 100_000])
            }),
        ),
    ];
    for (name, edit) in edits {
        let edited = edit_header(&bytes, edit);
        assert_format_error(load_everywhere(&edited, "offsets.safetensors"), name);
    }

    // Sizes in the architecture.
    let spec_edits: Vec<Edit<'_>> = vec![
        (
            "units 2^40",
            Box::new(|s: &mut Value| s["layers"][0]["units"] = Value::from(1_u64 << 40)),
        ),
        (
            "units u64::MAX",
            Box::new(|s: &mut Value| s["layers"][0]["units"] = Value::from(u64::MAX)),
        ),
        (
            "pieces 2^62",
            Box::new(|s: &mut Value| s["layers"][1]["pieces"] = Value::from(1_u64 << 62)),
        ),
        (
            "inputs 2^32",
            Box::new(|s: &mut Value| s["layers"][0]["inputs"] = Value::from(1_u64 << 32)),
        ),
        (
            "a million layers",
            Box::new(|s: &mut Value| {
                let layer = s["layers"][0].clone();
                s["layers"] = Value::from(vec![layer; 20_000]);
            }),
        ),
    ];
    for (name, edit) in spec_edits {
        let edited = edit_spec(&bytes, edit);
        let result = load_everywhere(&edited, "sizes.safetensors");
        assert!(
            matches!(
                result,
                Err(Error::Format { .. } | Error::ShapeMismatch { .. })
            ),
            "{name}: {result:?}"
        );
    }
}

#[test]
fn swapped_dtypes_are_refused() {
    let bytes = small_model().to_bytes().unwrap();
    // In the header only: the size no longer fits the shape.
    for dtype in ["F64", "F16", "BF16", "I32", "U8", "BOOL", "F8_E4M3", "X99"] {
        let edited = edit_header(&bytes, |h| {
            h["layers.0.kernel"]["dtype"] = Value::from(dtype)
        });
        assert_format_error(load_everywhere(&edited, "dtype.safetensors"), dtype);
    }
    // Consistent files of another dtype (I32 and U32 have f32's size).
    let (tensors, spec) = contents(&bytes);
    for dtype in [safetensors::Dtype::I32, safetensors::Dtype::U32] {
        let mut swapped = tensors.clone();
        swapped.get_mut("layers.1.bias").unwrap().0 = dtype;
        let file = safetensors_file(&swapped, Some(&spec));
        match load_everywhere(&file, "dtype2.safetensors") {
            Err(Error::Format { what, .. }) => assert!(what.contains("dtype"), "{what}"),
            other => panic!("{dtype:?}: {other:?}"),
        }
    }
    // The architecture says float64: not an f32 model.
    let edited = edit_spec(&bytes, |s| s["dtype"] = Value::from("float64"));
    assert_format_error(load_everywhere(&edited, "float64.safetensors"), "float64");
    // A real f64 model is not an f32 one, and the reverse.
    let wide = small_model().spec().unwrap().build::<f64>(1).unwrap();
    assert_format_error(
        Sequential::<f32>::from_bytes(&wide.to_bytes().unwrap()),
        "f64 as f32",
    );
    assert!(matches!(
        Sequential::<f64>::from_bytes(&bytes),
        Err(Error::Format { .. })
    ));
}

#[test]
fn dropped_added_and_renamed_tensors_are_refused() {
    let bytes = small_model().to_bytes().unwrap();
    let (tensors, spec) = contents(&bytes);
    let mut cases: Vec<(String, BTreeMap<_, _>)> = Vec::new();
    for name in tensors.keys() {
        let mut dropped = tensors.clone();
        dropped.remove(name);
        cases.push((format!("without {name}"), dropped));
    }
    let mut added = tensors.clone();
    added.insert(
        "layers.3.kernel".into(),
        (safetensors::Dtype::F32, vec![1], vec![0; 4]),
    );
    cases.push(("with layers.3.kernel".into(), added));
    let mut renamed = tensors.clone();
    let kernel = renamed.remove("layers.0.kernel").unwrap();
    renamed.insert("layers.0.weight".into(), kernel);
    cases.push(("kernel renamed".into(), renamed));
    for (name, tensors) in &cases {
        let file = safetensors_file(tensors, Some(&spec));
        assert_format_error(load_everywhere(&file, "tensors.safetensors"), name);
    }
    // Tensors dropped from the header alone leave a gap in the data.
    let edited = edit_header(&bytes, |h| {
        h.as_object_mut().unwrap().remove("layers.1.bias");
    });
    assert_format_error(
        load_everywhere(&edited, "gap.safetensors"),
        "header entry removed",
    );
    // No architecture at all, or not JSON.
    let file = safetensors_file(&tensors, None);
    assert_format_error(load_everywhere(&file, "bare.safetensors"), "no metadata");
    let file = safetensors_file(&tensors, Some("{not json"));
    assert_format_error(
        load_everywhere(&file, "notjson.safetensors"),
        "metadata not JSON",
    );
    eprintln!("tensor sets: {} refused", cases.len() + 3);
}

#[test]
fn shapes_that_disagree_with_the_architecture_are_refused() {
    let bytes = small_model().to_bytes().unwrap();
    let (tensors, spec) = contents(&bytes);
    let reshapes: Vec<(&str, Vec<usize>)> = vec![
        ("layers.0.kernel", vec![3, 2]),
        ("layers.0.kernel", vec![6]),
        ("layers.0.kernel", vec![1, 2, 3]),
        ("layers.1.kernel", vec![2, 2, 3]),
        ("layers.1.bias", vec![4]),
        ("layers.2.bias", vec![1, 1]),
    ];
    for (name, shape) in reshapes {
        let mut edited = tensors.clone();
        edited.get_mut(name).unwrap().1 = shape.clone();
        let file = safetensors_file(&edited, Some(&spec));
        let result = load_everywhere(&file, "shape.safetensors");
        assert!(
            matches!(result, Err(Error::ShapeMismatch { .. })),
            "{name} {shape:?}: {result:?}"
        );
    }
    // The architecture changed instead of the tensors.
    for (name, edit) in [
        (
            "units",
            Box::new(|s: &mut Value| s["layers"][0]["units"] = Value::from(4))
                as Box<dyn Fn(&mut Value)>,
        ),
        (
            "inputs",
            Box::new(|s: &mut Value| s["layers"][0]["inputs"] = Value::from(3)),
        ),
        (
            "pieces",
            Box::new(|s: &mut Value| s["layers"][1]["pieces"] = Value::from(3)),
        ),
        (
            "chain",
            Box::new(|s: &mut Value| s["layers"][2]["inputs"] = Value::from(3)),
        ),
        (
            "layer dropped",
            Box::new(|s: &mut Value| {
                s["layers"].as_array_mut().unwrap().pop();
            }),
        ),
        (
            "zero units",
            Box::new(|s: &mut Value| s["layers"][2]["units"] = Value::from(0)),
        ),
    ] {
        let edited = edit_spec(&bytes, edit);
        let result = load_everywhere(&edited, "arch.safetensors");
        assert!(
            matches!(
                result,
                Err(Error::Format { .. } | Error::ShapeMismatch { .. })
            ),
            "{name}: {result:?}"
        );
    }
}

#[test]
fn unknown_layer_types_and_activation_names_are_refused() {
    let bytes = small_model().to_bytes().unwrap();
    let cases: Vec<(&str, EditFn<'_>, Check)> = vec![
        (
            "Conv2D",
            Box::new(|s| s["layers"][0]["kind"] = Value::from("Conv2D")),
            |e| matches!(e, Error::Format { .. }),
        ),
        (
            "dense (lower case)",
            Box::new(|s| s["layers"][0]["kind"] = Value::from("dense")),
            |e| matches!(e, Error::Format { .. }),
        ),
        (
            "kind missing",
            Box::new(|s| {
                s["layers"][0].as_object_mut().unwrap().remove("kind");
            }),
            |e| matches!(e, Error::Format { .. }),
        ),
        (
            "swish",
            Box::new(|s| s["layers"][0]["activation"]["name"] = Value::from("swish")),
            |e| matches!(e, Error::UnknownActivation { name } if name == "swish"),
        ),
        (
            "empty name",
            Box::new(|s| s["layers"][2]["activation"]["name"] = Value::from("")),
            |e| matches!(e, Error::UnknownActivation { .. }),
        ),
        (
            "name a number",
            Box::new(|s| s["layers"][2]["activation"]["name"] = Value::from(3)),
            |e| matches!(e, Error::Format { .. }),
        ),
        (
            "activation a string",
            Box::new(|s| s["layers"][2]["activation"] = Value::from("sigmoid")),
            |e| matches!(e, Error::Format { .. }),
        ),
        (
            "slope missing",
            Box::new(|s| {
                s["layers"][0]["activation"]
                    .as_object_mut()
                    .unwrap()
                    .remove("slope");
            }),
            |e| matches!(e, Error::Format { .. }),
        ),
        (
            "slope a string",
            Box::new(|s| s["layers"][0]["activation"]["slope"] = Value::from("0.2")),
            |e| matches!(e, Error::Format { .. }),
        ),
        (
            "slope null (NaN)",
            Box::new(|s| s["layers"][0]["activation"]["slope"] = Value::Null),
            |e| matches!(e, Error::Format { .. }),
        ),
        (
            "alpha on sigmoid",
            Box::new(|s| s["layers"][2]["activation"]["alpha"] = Value::from(1.0)),
            |e| matches!(e, Error::Format { .. }),
        ),
        (
            "activation on Maxout",
            Box::new(|s| s["layers"][1]["activation"] = Value::from("relu")),
            |e| matches!(e, Error::Format { .. }),
        ),
        (
            "negative units",
            Box::new(|s| s["layers"][0]["units"] = Value::from(-3)),
            |e| matches!(e, Error::Format { .. }),
        ),
        (
            "fractional units",
            Box::new(|s| s["layers"][0]["units"] = Value::from(3.5)),
            |e| matches!(e, Error::Format { .. }),
        ),
        (
            "format version 2",
            Box::new(|s| s["format_version"] = Value::from(2)),
            |e| matches!(e, Error::Format { .. }),
        ),
        (
            "format version 0",
            Box::new(|s| s["format_version"] = Value::from(0)),
            |e| matches!(e, Error::Format { .. }),
        ),
        (
            "layers an object",
            Box::new(|s| s["layers"] = Value::from(serde_json::Map::new())),
            |e| matches!(e, Error::Format { .. }),
        ),
        (
            "unknown field",
            Box::new(|s| s["trained_by"] = Value::from("me")),
            |e| matches!(e, Error::Format { .. }),
        ),
        (
            "dtype missing",
            Box::new(|s| {
                s.as_object_mut().unwrap().remove("dtype");
            }),
            |e| matches!(e, Error::Format { .. }),
        ),
        (
            "dtype float16",
            Box::new(|s| s["dtype"] = Value::from("float16")),
            |e| matches!(e, Error::Format { .. }),
        ),
        (
            "not an object",
            Box::new(|s| *s = Value::from(vec![1, 2])),
            |e| matches!(e, Error::Format { .. }),
        ),
    ];
    for (name, edit, expected) in cases {
        let edited = edit_spec(&bytes, edit);
        match load_everywhere(&edited, "names.safetensors") {
            Err(error) if expected(&error) => {
                // Every message says what was expected and what was found.
                assert!(!error.to_string().is_empty());
            }
            other => panic!("{name}: {other:?}"),
        }
    }
    // Deeply nested JSON does not overflow the stack, in the header itself
    // or in the architecture.
    let nested = format!("{{\"x\":{}{}}}", "[".repeat(100_000), "]".repeat(100_000));
    let mut file = (nested.len() as u64).to_le_bytes().to_vec();
    file.extend_from_slice(nested.as_bytes());
    assert_format_error(
        load_everywhere(&file, "nested.safetensors"),
        "nested header",
    );
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let edited = edit_header(&bytes, |h| h["__metadata__"]["neurite"] = Value::from(deep));
    assert_format_error(load_everywhere(&edited, "deep.safetensors"), "deep JSON");
}

// ------------------------------------------------------------ .npz archives

fn keras_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/keras_export")
        .join(name)
}

/// The tutorial's second model: Dense(2 → 1, relu), Dense(1 → 1, sigmoid).
fn tutorial_model() -> Sequential<f32> {
    let mut model = Sequential::new();
    model
        .add(Dense::glorot(2, 1, "relu".parse::<BuiltinActivation<f32>>().unwrap(), 5).unwrap())
        .unwrap()
        .add(
            Dense::glorot(
                1,
                1,
                "sigmoid".parse::<BuiltinActivation<f32>>().unwrap(),
                6,
            )
            .unwrap(),
        )
        .unwrap();
    model
}

/// Loads `bytes` as an `.npz` into the tutorial model; on error the model
/// must be unchanged. Returns the result and the weights after.
#[track_caller]
fn load_archive(bytes: &[u8]) -> (Result<(), Error>, Vec<ArrayD<f32>>) {
    let scratch = Scratch::new("archive.npz", bytes);
    let mut model = tutorial_model();
    let before = model.get_weights();
    let result = bounded(bytes.len(), || model.load_npz(scratch.path()));
    if result.is_err() {
        assert_eq!(
            model.get_weights(),
            before,
            "a failed load_npz changed the model"
        );
    }
    (result, model.get_weights())
}

#[track_caller]
fn assert_archive_refused(bytes: &[u8], context: &str) -> Error {
    match load_archive(bytes).0 {
        Err(
            error @ (Error::Format { .. }
            | Error::ShapeMismatch { .. }
            | Error::WeightCountMismatch { .. }),
        ) => error,
        other => panic!("{context}: expected an error, got {other:?}"),
    }
}

/// The tutorial model's weights as a well-formed archive, entry by entry.
fn tutorial_entries() -> Vec<(String, Vec<u8>)> {
    let weights = tutorial_model().get_weights();
    weights
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let values: Vec<f32> = w.iter().copied().collect();
            (
                format!("arr_{i}.npy"),
                npy("<f4", false, w.shape(), &f32_bytes(&values)),
            )
        })
        .collect()
}

fn archive(entries: &[(String, Vec<u8>)], options: ZipOptions) -> Vec<u8> {
    let entries: Vec<(&str, Vec<u8>)> = entries
        .iter()
        .map(|(name, bytes)| (name.as_str(), bytes.clone()))
        .collect();
    zip(&entries, options)
}

#[test]
fn truncating_a_keras_export_at_every_offset_is_an_error() {
    let bytes = std::fs::read(keras_file("tutorial_model2_float32.npz")).unwrap();
    assert!(load_archive(&bytes).0.is_ok());
    for len in 0..bytes.len() {
        assert_archive_refused(&bytes[..len], &format!("truncated to {len} bytes"));
    }
    // The compressed fixture too, every 3rd offset.
    let compressed = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/mlp_elu_leaky_softmax_float64_compressed.npz"),
    )
    .unwrap();
    let mut model = Sequential::<f64>::new();
    let mut inputs = 4;
    for (units, activation) in [(7, "elu"), (6, "leaky_relu"), (3, "softmax")] {
        let activation: BuiltinActivation<f64> = activation.parse().unwrap();
        model
            .add(Dense::glorot(inputs, units, activation, 0).unwrap())
            .unwrap();
        inputs = units;
    }
    let before = model.get_weights();
    for len in (0..compressed.len()).step_by(3) {
        let scratch = Scratch::new("compressed.npz", &compressed[..len]);
        let result = bounded(len, || model.load_npz(scratch.path()));
        assert!(result.is_err(), "compressed, truncated to {len}");
        assert_eq!(model.get_weights(), before);
    }
    eprintln!(
        "npz truncation: {} + {} offsets, all refused",
        bytes.len(),
        compressed.len().div_ceil(3)
    );
}

#[test]
fn random_byte_flips_in_a_keras_export_are_caught_or_harmless() {
    let bytes = std::fs::read(keras_file("tutorial_model2_float32.npz")).unwrap();
    let (clean, weights) = load_archive(&bytes);
    clean.unwrap();
    let mut random = Rng(42);
    let (mut refused, mut harmless) = (0, 0);
    const TRIALS: usize = 1500;
    for _ in 0..TRIALS {
        let mut flipped = bytes.clone();
        for _ in 0..1 + random.below(2) {
            let at = random.below(flipped.len());
            flipped[at] ^= 1 + random.below(255) as u8;
        }
        match load_archive(&flipped) {
            (Ok(()), loaded) => {
                // Only fields the reader does not use (times, versions,
                // attributes, the local copies of the sizes) may change
                // without an error: the weights are then the same.
                assert_eq!(loaded, weights, "a flip changed the weights unnoticed");
                harmless += 1;
            }
            (Err(_), _) => refused += 1,
        }
    }
    eprintln!("{TRIALS} flipped archives: {refused} refused, {harmless} harmless");
}

#[test]
fn huge_sizes_in_an_archive_are_not_believed() {
    let good = archive(&tutorial_entries(), STORED);
    assert!(load_archive(&good).0.is_ok());
    let end = good.len() - 22;
    let directory = u32::from_le_bytes(good[end + 16..end + 20].try_into().unwrap()) as usize;
    let patch = |at: usize, value: &[u8]| {
        let mut bytes = good.clone();
        bytes[at..at + value.len()].copy_from_slice(value);
        bytes
    };
    let cases = vec![
        (
            "entry count 0xFFFE",
            patch(end + 8, &[0xFE, 0xFF, 0xFE, 0xFF]),
        ),
        (
            "directory size 0xFFFFFFF0",
            patch(end + 12, &0xFFFF_FFF0_u32.to_le_bytes()),
        ),
        (
            "directory offset 0xFFFFFFF0",
            patch(end + 16, &0xFFFF_FFF0_u32.to_le_bytes()),
        ),
        ("count 0xFFFF without Zip64", patch(end + 10, &[0xFF, 0xFF])),
        (
            "compressed size 0xFFFFFFF0",
            patch(directory + 20, &0xFFFF_FFF0_u32.to_le_bytes()),
        ),
        (
            "uncompressed size 0xFFFFFFF0",
            patch(directory + 24, &0xFFFF_FFF0_u32.to_le_bytes()),
        ),
        ("both sizes 0x7FFFFFFF", {
            let mut bytes = patch(directory + 20, &0x7FFF_FFFF_u32.to_le_bytes());
            bytes[directory + 24..directory + 28].copy_from_slice(&0x7FFF_FFFF_u32.to_le_bytes());
            bytes
        }),
        (
            "local offset 0xFFFFFFF0",
            patch(directory + 42, &0xFFFF_FFF0_u32.to_le_bytes()),
        ),
        ("name length 0xFFFF", patch(directory + 28, &[0xFF, 0xFF])),
        ("extra length 0xFFFF", patch(directory + 30, &[0xFF, 0xFF])),
        ("local name length 0xFFFF", patch(26, &[0xFF, 0xFF])),
        ("local extra length 0xFFFF", patch(28, &[0xFF, 0xFF])),
        ("comment length 0xFFFF", patch(end + 20, &[0xFF, 0xFF])),
    ];
    for (name, bytes) in &cases {
        assert_archive_refused(bytes, name);
    }

    // Zip64 fields of 2^63.
    let good64 = archive(
        &tutorial_entries(),
        ZipOptions {
            deflate: false,
            zip64: true,
        },
    );
    assert!(load_archive(&good64).0.is_ok());
    let record = good64.len() - 22 - 20 - 56;
    let mut zip64_cases = Vec::new();
    for (name, at) in [
        ("Zip64 count", record + 32),
        ("Zip64 size", record + 40),
        ("Zip64 offset", record + 48),
    ] {
        let mut bytes = good64.clone();
        bytes[at..at + 8].copy_from_slice(&(1_u64 << 63).to_le_bytes());
        zip64_cases.push((name, bytes));
    }
    let locator = good64.len() - 22 - 20;
    let mut bytes = good64.clone();
    bytes[locator + 8..locator + 16].copy_from_slice(&u64::MAX.to_le_bytes());
    zip64_cases.push(("Zip64 record offset", bytes));
    // The extra field of the first entry: uncompressed, compressed, offset.
    let directory64 =
        u64::from_le_bytes(good64[record + 48..record + 56].try_into().unwrap()) as usize;
    let name_len = u16::from_le_bytes(
        good64[directory64 + 28..directory64 + 30]
            .try_into()
            .unwrap(),
    ) as usize;
    let extra = directory64 + 46 + name_len + 4;
    for (name, offset) in [
        ("Zip64 uncompressed", 0),
        ("Zip64 compressed", 8),
        ("Zip64 local offset", 16),
    ] {
        let mut bytes = good64.clone();
        bytes[extra + offset..extra + offset + 8].copy_from_slice(&(1_u64 << 63).to_le_bytes());
        zip64_cases.push((name, bytes));
    }
    for (name, bytes) in &zip64_cases {
        assert_archive_refused(bytes, name);
    }

    // A deflated entry that claims, or inflates to, more than the model takes.
    let mut entries = tutorial_entries();
    entries[0].1 = npy("<f4", false, &[2, 1], &vec![0; 1 << 20]);
    let bomb = archive(
        &entries,
        ZipOptions {
            deflate: true,
            zip64: false,
        },
    );
    assert!(
        bomb.len() < 4096,
        "a megabyte of zeros deflates to {} bytes",
        bomb.len()
    );
    assert_archive_refused(&bomb, "a zip bomb");

    // .npy header lengths and shapes.
    let mut entries = tutorial_entries();
    let mut header = entries[0].1.clone();
    header[8..10].copy_from_slice(&[0xFF, 0xFF]);
    entries[0].1 = header;
    assert_archive_refused(&archive(&entries, STORED), "npy header length 0xFFFF");
    for shape in [
        "(4611686018427387904, 4)",
        "(18446744073709551615,)",
        "(99999999999999999999999,)",
    ] {
        let mut entries = tutorial_entries();
        entries[0].1 = npy_with_header(
            &format!("{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}"),
            &f32_bytes(&[1.0, 2.0]),
        );
        assert_archive_refused(&archive(&entries, STORED), shape);
    }
    eprintln!(
        "archive length fields: {} refused",
        cases.len() + zip64_cases.len() + 5
    );
}

#[test]
fn missing_extra_misshaped_and_non_float_arrays_are_refused() {
    let entries = tutorial_entries();
    let weights = tutorial_model().get_weights();
    let count_error = |bytes: &[u8]| match load_archive(bytes).0 {
        Err(Error::WeightCountMismatch {
            expected, found, ..
        }) => (expected, found),
        other => panic!("{other:?}"),
    };
    // Missing and extra arrays.
    assert_eq!(count_error(&archive(&entries[..3], STORED)), (4, 3));
    let mut extra = entries.clone();
    extra.push(("arr_4.npy".into(), entries[3].1.clone()));
    assert_eq!(count_error(&archive(&extra, STORED)), (4, 5));
    assert_eq!(count_error(&archive(&[], STORED)), (4, 0));
    // The right number, the wrong names.
    let mut renamed = entries.clone();
    renamed[2].0 = "kernel.npy".into();
    assert_archive_refused(&archive(&renamed, STORED), "renamed");
    let mut duplicated = entries.clone();
    duplicated[3].0 = "arr_2.npy".into();
    assert_archive_refused(&archive(&duplicated, STORED), "duplicated");
    // Mis-shaped arrays.
    for (i, shape) in [
        (0, vec![1, 2]),
        (0, vec![2]),
        (1, vec![1, 1]),
        (2, vec![]),
        (3, vec![2]),
    ] {
        let mut misshaped = entries.clone();
        let size: usize = shape.iter().product();
        misshaped[i].1 = npy("<f4", false, &shape, &f32_bytes(&vec![0.5; size]));
        match load_archive(&archive(&misshaped, STORED)).0 {
            Err(Error::ShapeMismatch {
                expected, found, ..
            }) => {
                assert_eq!(expected, weights[i].shape());
                assert_eq!(found, shape);
            }
            other => panic!("arr_{i} {shape:?}: {other:?}"),
        }
    }
    // Non-float arrays, and floats NumPy has but Keras does not write.
    for descr in [
        "<i4", "<i8", "|u1", "|b1", "<f2", "<c8", "<c16", "|O", "<U5", "|S4", ">i4", "<m8[s]",
    ] {
        let mut typed = entries.clone();
        typed[0].1 = npy(descr, false, &[2, 1], &[0; 8]);
        match load_archive(&archive(&typed, STORED)).0 {
            Err(Error::Format { what, .. }) => assert!(what.contains("dtype"), "{descr}: {what}"),
            other => panic!("{descr}: {other:?}"),
        }
    }
    let mut structured = entries.clone();
    structured[0].1 = npy_with_header(
        "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2, 1), }",
        &[0; 8],
    );
    assert_archive_refused(&archive(&structured, STORED), "structured dtype");
    // Data that does not fit the shape.
    for len in [0, 4, 7, 12] {
        let mut short = entries.clone();
        short[0].1 = npy("<f4", false, &[2, 1], &vec![0; len]);
        assert_archive_refused(&archive(&short, STORED), &format!("{len} data bytes"));
    }
    // Not an .npy at all, or a header NumPy would not write.
    let mut not_npy = entries.clone();
    not_npy[1].1 = b"PK\x03\x04 not an array".to_vec();
    assert_archive_refused(&archive(&not_npy, STORED), "not npy");
    for header in [
        "{'descr': '<f4', 'shape': (1,), }",
        "{'descr': '<f4', 'fortran_order': 0, 'shape': (1,), }",
        "{'descr': '<f4', 'fortran_order': False, 'shape': [1], }",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1}",
        "not a dict",
    ] {
        let mut bad = entries.clone();
        bad[1].1 = npy_with_header(header, &f32_bytes(&[1.0]));
        assert_archive_refused(&archive(&bad, STORED), header);
    }
    let mut version = entries.clone();
    version[1].1[6] = 9;
    assert_archive_refused(&archive(&version, STORED), "npy version 9");
}

#[test]
fn corrupt_archives_are_refused() {
    let good = archive(&tutorial_entries(), STORED);
    let directory = {
        let end = good.len() - 22;
        u32::from_le_bytes(good[end + 16..end + 20].try_into().unwrap()) as usize
    };
    let patch = |at: usize, value: &[u8]| {
        let mut bytes = good.clone();
        bytes[at..at + value.len()].copy_from_slice(value);
        bytes
    };
    // A weight byte changed: the CRC says so.
    let data = 30 + "arr_0.npy".len() + 128;
    match load_archive(&patch(data, &[0x42])).0 {
        Err(Error::Format { what, .. }) => assert!(what.contains("CRC"), "{what}"),
        other => panic!("{other:?}"),
    }
    for (name, bytes) in [
        ("encrypted", patch(directory + 8, &[1, 0])),
        ("bzip2", patch(directory + 10, &[12, 0])),
        ("deflate64", patch(directory + 10, &[9, 0])),
        ("split archive", patch(good.len() - 22 + 4, &[1, 0])),
        ("local signature", patch(0, b"PK\x05\x06")),
        ("directory signature", patch(directory, b"XXXX")),
        (
            "stored sizes disagree",
            patch(directory + 20, &[1, 0, 0, 0]),
        ),
    ] {
        assert_archive_refused(&bytes, name);
    }
    // Deflate streams that are corrupt, or inflate to other sizes.
    let deflated = archive(
        &tutorial_entries(),
        ZipOptions {
            deflate: true,
            zip64: false,
        },
    );
    assert!(load_archive(&deflated).0.is_ok());
    let mut corrupt = deflated.clone();
    for byte in &mut corrupt[30 + 9..30 + 9 + 16] {
        *byte = 0xFF;
    }
    assert_archive_refused(&corrupt, "corrupt deflate stream");
    // Not an archive at all: a model file, text, nothing.
    let model_file = small_model().to_bytes().unwrap();
    for (name, bytes) in [
        ("model file", model_file.as_slice()),
        ("text", b"hello".as_slice()),
        ("empty", b"".as_slice()),
    ] {
        assert_archive_refused(bytes, name);
    }
    // And an archive is not a model file.
    assert_format_error(Sequential::<f32>::from_bytes(&good), "npz as a model");
}

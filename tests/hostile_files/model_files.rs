use super::*;

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

//! Keras's own files (`tests/fixtures/keras/`, written by Keras 3.15.1 and
//! tf_keras 2.21.0; `manifest.json` describes each): every file that must
//! load predicts Keras's output within the Dense tolerances of
//! `tests/golden/README.md` with Keras's weights, every file that must
//! fail fails with the error the manifest names, and `save_keras` writes
//! files that load back to the same model and have Keras 3's layout.

mod common;

use common::{GoldenFloat, Kind, array2, assert_close, count, list, text};
use ndarray::{Array2, ArrayD};
use neurite::layer::ActivationLayer;
use neurite::{
    BatchNormalization, BuiltinActivation, Dense, Dropout, Error, LayerNormalization, LeakyRelu,
    Maxout, Relu, Sequential,
};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn folder() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keras")
}

fn manifest() -> Vec<Value> {
    let text = std::fs::read_to_string(folder().join("manifest.json")).unwrap();
    let manifest: Value = serde_json::from_str(&text).unwrap();
    list(&manifest["files"]).to_vec()
}

fn file(entry: &Value) -> PathBuf {
    folder().join(text(&entry["file"]))
}

fn scratch(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("neurite-keras-files-{}-{name}", std::process::id()))
}

/// Keras's `get_weights()` of the entry's layers, in order.
fn keras_weights<T: GoldenFloat>(entry: &Value) -> Vec<ArrayD<T>> {
    list(&entry["layers"])
        .iter()
        .flat_map(|layer| list(&layer["weights"]).iter().map(common::array_d::<T>))
        .collect()
}

/// Loads the entry's file into `Sequential<T>`, checks Keras's weights
/// bit for bit and Keras's predictions within the tolerances.
fn check_prediction<T: GoldenFloat>(entry: &Value, model: &Sequential<T>) {
    let name = text(&entry["file"]);
    assert_eq!(
        model.get_weights(),
        keras_weights::<T>(entry),
        "{name}: weights"
    );
    let x: Array2<T> = array2(&entry["x"]);
    let expected: Array2<T> = array2(&entry["expected_output"]);
    assert_close(
        name,
        "prediction",
        &model.forward(&x).unwrap(),
        &expected,
        Kind::Layer,
    );
}

#[test]
fn every_model_file_predicts_what_keras_predicted() {
    let mut checked = 0;
    for entry in manifest() {
        let format = text(&entry["format"]);
        if text(&entry["expect"]) != "load" || format == "weights_h5" {
            continue;
        }
        let path = file(&entry);
        match text(&entry["dtype"]) {
            "float32" => check_prediction::<f32>(&entry, &Sequential::load_keras(&path).unwrap()),
            "float64" => check_prediction::<f64>(&entry, &Sequential::load_keras(&path).unwrap()),
            other => panic!("dtype {other}"),
        }
        checked += 1;
    }
    assert_eq!(checked, 12, "the model files of the manifest");
}

/// A model of the entry's architecture (Glorot weights, fresh
/// statistics), as a user builds it in Rust before `load_keras_weights`.
fn architecture<T: GoldenFloat>(entry: &Value) -> Sequential<T> {
    let mut model = Sequential::new();
    let mut width = list(&entry["input_shape"]).last().map(count).unwrap();
    for (i, layer) in list(&entry["layers"]).iter().enumerate() {
        let config = &layer["config"];
        let activation =
            || -> BuiltinActivation<T> { text(&config["activation"]).parse().unwrap() };
        let number = |key: &str| config[key].as_f64().unwrap();
        let added = match text(&layer["class_name"]) {
            "Dense" => {
                let units = count(&config["units"]);
                let dense = Dense::glorot(width, units, activation(), i as u64).unwrap();
                width = units;
                if config["use_bias"] == false {
                    let kernel = dense.kernel().clone();
                    model.add(Dense::without_bias(kernel, activation()).unwrap())
                } else {
                    model.add(dense)
                }
            }
            "BatchNormalization" => model.add(
                BatchNormalization::new(width)
                    .and_then(|bn| bn.momentum(number("momentum")))
                    .and_then(|bn| bn.epsilon(number("epsilon")))
                    .unwrap(),
            ),
            "LayerNormalization" => model.add(
                LayerNormalization::new(width)
                    .and_then(|ln| ln.epsilon(number("epsilon")))
                    .unwrap(),
            ),
            "Dropout" => model.add(Dropout::new(number("rate")).unwrap()),
            "Activation" => model.add(ActivationLayer::new(activation())),
            other => panic!("no {other} in neurite"),
        };
        added.unwrap();
    }
    model
}

#[test]
fn weights_files_load_into_a_model_built_in_rust() {
    let mut checked = 0;
    for entry in manifest() {
        if text(&entry["expect"]) != "load" || text(&entry["dtype"]) != "float32" {
            continue;
        }
        // Every file kind holds weights: the weights-only file, and the
        // weights of the .keras and .h5 models.
        let mut model = architecture::<f32>(&entry);
        model.load_keras_weights(file(&entry)).unwrap();
        check_prediction::<f32>(&entry, &model);
        checked += 1;
    }
    assert_eq!(checked, 12);
}

#[test]
fn a_weights_only_file_is_not_a_model() {
    let path = folder().join("nobias_named_keras3.weights.h5");
    match Sequential::<f32>::load_keras(&path) {
        Err(Error::Format { found, .. }) => {
            assert!(found.contains("load_keras_weights"), "{found}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn files_that_must_fail_name_the_class_or_function_and_the_layer() {
    let mut checked = 0;
    for entry in manifest() {
        if text(&entry["expect"]) != "error" {
            continue;
        }
        let reason = text(&entry["reason"]);
        let Err(Error::Format { what, found, .. }) = Sequential::<f32>::load_keras(file(&entry))
        else {
            panic!("{}: expected a format error", text(&entry["file"]));
        };
        let layer = list(&entry["layers"])
            .iter()
            .find(|layer| {
                reason.contains(text(&layer["class_name"]))
                    || layer["config"]["activation"].is_object()
            })
            .unwrap();
        assert!(what.contains(text(&layer["name"])), "{what}");
        if reason.starts_with("unsupported layer") {
            assert!(found.starts_with("unsupported layer"), "{found}");
            assert!(found.contains(text(&layer["class_name"])), "{found}");
        } else {
            assert!(reason.starts_with("unknown activation"), "{reason}");
            assert!(found.starts_with("unknown activation"), "{found}");
            assert!(
                found.contains(text(&layer["config"]["activation"]["config"])),
                "{found}"
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 2);
}

#[test]
fn the_dtype_rule_widens_exactly_and_rounds_to_nearest() {
    let entries = manifest();
    let find = |name: &str| {
        entries
            .iter()
            .find(|e| text(&e["file"]) == name)
            .unwrap()
            .clone()
    };
    // float32 weights into f64: exact, so the f64 model has Keras's values.
    let single = find("mlp7_adam_keras3.keras");
    let wide = Sequential::<f64>::load_keras(file(&single)).unwrap();
    let narrow = Sequential::<f32>::load_keras(file(&single)).unwrap();
    for (w, n) in wide.get_weights().iter().zip(narrow.get_weights()) {
        assert_eq!(w, &n.mapv(f64::from));
    }
    // float64 weights into f32: each rounded to nearest.
    let double = find("float64_keras3.keras");
    let exact = Sequential::<f64>::load_keras(file(&double)).unwrap();
    let rounded = Sequential::<f32>::load_keras(file(&double)).unwrap();
    for (e, r) in exact.get_weights().iter().zip(rounded.get_weights()) {
        assert_eq!(e.mapv(|v| v as f32), r);
    }
}

#[test]
fn a_value_too_large_for_the_element_type_is_an_error_naming_it() {
    let mut model = Sequential::<f64>::new();
    model
        .add(
            Dense::new(
                ndarray::array![[1.0, 1e300]],
                ndarray::array![0.0, 0.0],
                Relu,
            )
            .unwrap(),
        )
        .unwrap();
    let bytes = model.to_keras_bytes().unwrap();
    match Sequential::<f32>::from_keras_bytes(&bytes) {
        Err(Error::Format { what, found, .. }) => {
            assert!(what.contains("value 1"), "{what}");
            assert_eq!(found, "1e300");
        }
        other => panic!("expected a format error, got {other:?}"),
    }
    // Infinity and NaN stored are values, not overflows.
    let mut special = Sequential::<f64>::new();
    special
        .add(
            Dense::new(
                ndarray::array![[f64::INFINITY, f64::NAN]],
                ndarray::array![0.0, -1.5],
                Relu,
            )
            .unwrap(),
        )
        .unwrap();
    let loaded = Sequential::<f32>::from_keras_bytes(&special.to_keras_bytes().unwrap()).unwrap();
    let kernel = &loaded.get_weights()[0];
    assert!(kernel[[0, 0]] == f32::INFINITY && kernel[[0, 1]].is_nan());
}

/// h5py writes little-endian floats; a big-endian dataset (the byte-order
/// bit of its datatype set) is converted by the HDF5 reader instead of
/// being taken as stored.
#[test]
fn a_big_endian_dataset_is_read_in_its_byte_order() {
    let folder = folder();
    let model = Sequential::<f32>::load_keras(folder.join("nobias_named_keras3.keras")).unwrap();
    let mut bytes = std::fs::read(folder.join("nobias_named_keras3.weights.h5")).unwrap();
    // The datatype message of an IEEE float32, little-endian (version 1,
    // class 1; bit 0 of the first bit field is the byte order).
    let little: [u8; 20] = [
        0x11, 0x20, 0x1f, 0x00, 4, 0, 0, 0, 0, 0, 32, 0, 23, 8, 0, 23, 127, 0, 0, 0,
    ];
    let starts: Vec<usize> = (0..bytes.len() - little.len())
        .filter(|&at| bytes[at..at + little.len()] == little)
        .collect();
    assert!(!starts.is_empty());
    for at in starts {
        bytes[at + 1] |= 1;
    }
    let mut big = Sequential::<f32>::load_keras(folder.join("nobias_named_keras3.keras")).unwrap();
    big.load_keras_weights_from_bytes(&bytes).unwrap();
    for (stored, read) in model.get_weights().iter().zip(big.get_weights()) {
        let swapped = stored.mapv(|v| f32::from_bits(v.to_bits().swap_bytes()));
        let same = swapped
            .iter()
            .zip(&read)
            .all(|(s, r)| s.to_bits() == r.to_bits() || (s.is_nan() && r.is_nan()));
        assert!(same, "{swapped:?} vs {read:?}");
    }
}

#[test]
fn split_name_lists_and_fixed_length_strings_load() {
    let entries = manifest();
    let entry = entries
        .iter()
        .find(|e| text(&e["file"]) == "tutorial_model2_tfkeras.h5")
        .unwrap();
    let model = Sequential::<f32>::load_keras(folder().join("variants/split_fixed.h5")).unwrap();
    check_prediction::<f32>(entry, &model);
}

/// Every model fixture, loaded, saved with `save_keras` and loaded again:
/// the same weights bit for bit, so the same predictions.
#[test]
fn save_keras_round_trips_every_fixture() {
    for entry in manifest() {
        if text(&entry["expect"]) != "load" || text(&entry["format"]) == "weights_h5" {
            continue;
        }
        let path = scratch(&format!("{}.keras", text(&entry["file"])));
        if text(&entry["dtype"]) == "float64" {
            round_trip::<f64>(&file(&entry), &path, &entry);
        } else {
            round_trip::<f32>(&file(&entry), &path, &entry);
        }
        std::fs::remove_file(&path).unwrap();
    }
}

fn round_trip<T: GoldenFloat>(source: &Path, path: &Path, entry: &Value) {
    let model = Sequential::<T>::load_keras(source).unwrap();
    model.save_keras(path).unwrap();
    let loaded = Sequential::<T>::load_keras(path).unwrap();
    assert_eq!(loaded.get_weights(), model.get_weights());
    assert_eq!(loaded.summary().to_string(), model.summary().to_string());
    check_prediction::<T>(entry, &loaded);
    let mut fresh = architecture::<T>(entry);
    fresh.load_keras_weights(path).unwrap();
    assert_eq!(fresh.get_weights(), model.get_weights());
}

/// The stored entries of a zip archive written by `save_keras`, read by
/// hand: (name, bytes).
fn zip_entries(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let u16_at = |at: usize| usize::from(u16::from_le_bytes([bytes[at], bytes[at + 1]]));
    let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
    let mut entries = Vec::new();
    let mut at = 0;
    while u32_at(at) == 0x0403_4b50 {
        assert_eq!(u16_at(at + 8), 0, "stored, as Keras writes");
        let size = u32_at(at + 18);
        let (name_len, extra) = (u16_at(at + 26), u16_at(at + 28));
        let name = String::from_utf8(bytes[at + 30..at + 30 + name_len].to_vec()).unwrap();
        let start = at + 30 + name_len + extra;
        entries.push((name, bytes[start..start + size].to_vec()));
        at = start + size;
    }
    entries
}

#[test]
fn a_saved_file_has_keras_3s_layout() {
    let mut model = Sequential::<f32>::new();
    let leaky: BuiltinActivation<f32> = "leaky_relu".parse().unwrap();
    model.add(Dense::glorot(3, 4, leaky, 1).unwrap()).unwrap();
    model.add(Dense::glorot(4, 2, Relu, 2).unwrap()).unwrap();
    let path = scratch("layout.keras");
    model.save_keras(&path).unwrap();
    let entries = zip_entries(&std::fs::read(&path).unwrap());
    std::fs::remove_file(&path).unwrap();
    let names: Vec<&str> = entries.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["metadata.json", "config.json", "model.weights.h5"]);

    let config: Value = serde_json::from_slice(&entries[1].1).unwrap();
    assert_eq!(config["class_name"], "Sequential");
    let layers = list(&config["config"]["layers"]);
    let described: Vec<(&str, &str)> = layers
        .iter()
        .map(|layer| (text(&layer["class_name"]), text(&layer["config"]["name"])))
        .collect();
    assert_eq!(
        described,
        [
            ("InputLayer", "input_layer"),
            ("Dense", "dense"),
            ("Dense", "dense_1")
        ]
    );
    assert_eq!(
        layers[0]["config"]["batch_shape"],
        serde_json::json!([null, 3])
    );
    assert_eq!(layers[1]["config"]["activation"], "leaky_relu");
    assert_eq!(layers[2]["config"]["units"], 2);
    assert_eq!(config["config"]["dtype"]["config"]["name"], "float32");

    let weights = hdf5_pure::File::from_bytes(entries[2].1.clone()).unwrap();
    for (i, array) in model.get_weights().iter().enumerate() {
        let path = format!("layers/{}/vars/{}", ["dense", "dense_1"][i / 2], i % 2);
        let dataset = weights.dataset(&path).unwrap();
        let shape: Vec<usize> = dataset
            .shape()
            .unwrap()
            .iter()
            .map(|&n| n as usize)
            .collect();
        assert_eq!(shape, array.shape(), "{path}");
        assert_eq!(
            dataset.read_f32().unwrap(),
            array.iter().copied().collect::<Vec<_>>(),
            "{path}"
        );
    }
    let name = weights
        .group("layers/dense_1/vars")
        .unwrap()
        .attrs()
        .unwrap();
    assert_eq!(
        name["name"],
        hdf5_pure::AttrValue::VarLenString("dense_1".into())
    );
}

#[test]
fn models_keras_cannot_express_point_to_save() {
    let path = scratch("refused.keras");
    let mut maxout = Sequential::<f32>::new();
    maxout.add(Maxout::glorot(2, 3, 2, 0).unwrap()).unwrap();
    let mut slope = Sequential::<f32>::new();
    slope
        .add(Dense::glorot(2, 3, LeakyRelu::new(0.3), 0).unwrap())
        .unwrap();
    for model in [maxout, slope] {
        match model.save_keras(&path) {
            Err(Error::Format { found, .. }) => assert!(found.contains("`save`"), "{found}"),
            other => panic!("{other:?}"),
        }
    }
    assert!(!path.exists());
    assert_eq!(
        Sequential::<f32>::new().save_keras(&path),
        Err(Error::EmptyModel)
    );
}

//! A network trained in Keras, run in neurite.
//!
//! From Keras to Rust in one call: Keras's own file, `model.save("model.keras")`
//! (or the tutorial's `model.save("model.h5")`), loads with
//! `Sequential::load_keras`, architecture and weights, and
//! `save_keras` writes a `.keras` file Keras opens. This example loads the
//! committed fixtures of `tests/fixtures/keras/` (`manifest.json` gives
//! Keras's predictions) and compares.
//!
//! The older path stays for weights exported as arrays: two lines of
//! Python write them,
//!
//! ```python
//! import numpy as np
//! np.savez("weights.npz", *model.get_weights())   # arr_0, arr_1, … in Keras's order
//! ```
//!
//! On the Rust side: build the same architecture, `load_npz`, and the model
//! predicts what Keras predicts. Then `save` keeps it in neurite's own
//! one-file format, architecture included, and `Sequential::load` brings it
//! back without rebuilding anything.
//!
//! This example runs every export shipped in `tests/golden/keras_export/`
//! (`cases.json` gives each model's architecture, an input batch and
//! Keras's own predictions):
//!
//! ```text
//! cargo run --release --example from_keras
//! ```

use ndarray::Array2;
use neurite::{BuiltinActivation, Dense, Element, Error, Sequential};
use serde_json::Value;
use std::path::{Path, PathBuf};

const PYTHON: &str = r#"    import numpy as np
    np.savez("weights.npz", *model.get_weights())"#;

/// The fixtures loaded with `load_keras`: a tf.keras 2 `.h5`, a Keras 3
/// `.keras` and a float64 Keras 3 `.keras`.
const KERAS_FILES: [&str; 3] = [
    "tutorial_model2_tfkeras.h5",
    "mlp7_adam_keras3.keras",
    "float64_keras3.keras",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    keras_files()?;
    println!("\nOr weights exported as arrays, on the Keras side:\n\n{PYTHON}\n");
    let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/keras_export");
    let cases: Value = serde_json::from_str(&std::fs::read_to_string(folder.join("cases.json"))?)?;
    println!(
        "Exports of Keras {} (TensorFlow {}):\n",
        cases["keras_version"].as_str().unwrap_or("?"),
        cases["tf_version"].as_str().unwrap_or("?")
    );
    for case in cases["cases"].as_array().ok_or("no cases")? {
        let deviation = match case["dtype"].as_str() {
            Some("float32") => run::<f32>(case, &folder)?,
            Some("float64") => run::<f64>(case, &folder)?,
            other => return Err(format!("unknown dtype {other:?}").into()),
        };
        println!(
            "  {:<32} max |neurite - keras| = {deviation:.2e}",
            case["name"].as_str().unwrap_or("?")
        );
    }
    Ok(())
}

/// Keras's own files: one call each, then `save_keras` and back.
fn keras_files() -> Result<(), Box<dyn std::error::Error>> {
    let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keras");
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(folder.join("manifest.json"))?)?;
    println!("Keras's own files, with Sequential::load_keras:\n");
    for name in KERAS_FILES {
        let entry = manifest["files"]
            .as_array()
            .and_then(|files| files.iter().find(|entry| entry["file"] == name))
            .ok_or("not in the manifest")?;
        let deviation = match entry["dtype"].as_str() {
            Some("float64") => keras_file::<f64>(&folder.join(name), entry)?,
            _ => keras_file::<f32>(&folder.join(name), entry)?,
        };
        println!("  {name:<32} max |neurite - keras| = {deviation:.2e}");
    }
    Ok(())
}

/// Loads one Keras file, predicts, compares with Keras; then writes it
/// with `save_keras` and checks the copy predicts the same.
fn keras_file<T: Element>(path: &Path, entry: &Value) -> Result<f64, Box<dyn std::error::Error>> {
    let model = Sequential::<T>::load_keras(path)?;
    let x: Array2<T> = matrix(&entry["x"])?;
    let y = model.forward(&x)?;
    let deviation = max_deviation(&y, &matrix(&entry["expected_output"])?);

    let copy =
        std::env::temp_dir().join(format!("neurite-from-keras-{}.keras", std::process::id()));
    model.save_keras(&copy)?;
    let reloaded = Sequential::<T>::load_keras(&copy)?;
    std::fs::remove_file(&copy)?;
    assert_eq!(reloaded.forward(&x)?, y, "a saved model predicts the same");
    Ok(deviation)
}

/// The largest absolute difference between two matrices.
fn max_deviation<T: Element>(a: &Array2<T>, b: &Array2<T>) -> f64 {
    a.iter()
        .zip(b)
        .map(|(a, b)| (*a - *b).abs().to_f64().unwrap_or(f64::NAN))
        .fold(0.0, f64::max)
}

/// One export: build, load, predict, compare; then save and load again.
fn run<T: Element>(case: &Value, folder: &Path) -> Result<f64, Box<dyn std::error::Error>> {
    // 1. The architecture of the Keras model, e.g.
    //    keras.Sequential([keras.Input((4,)), Dense(7, "elu"), Dense(6, "leaky_relu"), Dense(3, "softmax")]).
    //    The weights do not matter: load_npz replaces them.
    let mut model = Sequential::<T>::new();
    let mut inputs = count(&case["input_dim"])?;
    for (i, layer) in case["layers"]
        .as_array()
        .ok_or("no layers")?
        .iter()
        .enumerate()
    {
        let units = count(&layer["units"])?;
        // Keras's activation strings parse as they are ("leaky_relu" is
        // Keras's slope of 0.2).
        let activation: BuiltinActivation<T> = layer["activation"]
            .as_str()
            .ok_or("no activation")?
            .parse()?;
        model.add(Dense::glorot(inputs, units, activation, i as u64)?)?;
        inputs = units;
    }

    // 2. Keras's weights.
    model.load_npz(folder.join(case["npz"].as_str().ok_or("no npz")?))?;

    // 3. Predictions, against Keras's.
    let x: Array2<T> = matrix(&case["x"])?;
    let expected: Array2<T> = matrix(&case["expected_output"])?;
    let y = model.forward(&x)?;
    let deviation = max_deviation(&y, &expected);

    // 4. neurite's own file: architecture and weights in one safetensors
    //    file, loaded back bit for bit.
    let path = std::env::temp_dir().join(format!(
        "neurite-from-keras-{}-{}.safetensors",
        std::process::id(),
        case["name"].as_str().unwrap_or("model")
    ));
    model.save(&path)?;
    let reloaded = Sequential::<T>::load(&path)?;
    std::fs::remove_file(&path)?;
    assert_eq!(reloaded.forward(&x)?, y, "a saved model predicts the same");
    Ok(deviation)
}

fn count(value: &Value) -> Result<usize, Error> {
    value
        .as_u64()
        .map(|n| n as usize)
        .ok_or_else(|| Error::InvalidParameter {
            name: "cases.json size",
            expected: "a count",
            found: value.to_string(),
        })
}

/// A nested JSON list as a matrix in `T`.
fn matrix<T: Element>(value: &Value) -> Result<Array2<T>, Box<dyn std::error::Error>> {
    let rows = value.as_array().ok_or("not a list")?;
    let cols = rows.first().and_then(Value::as_array).map_or(0, Vec::len);
    let values = rows
        .iter()
        .flat_map(|row| row.as_array().into_iter().flatten())
        .map(|v| v.as_f64().and_then(T::from).ok_or("not a number"))
        .collect::<Result<Vec<T>, _>>()?;
    Ok(Array2::from_shape_vec((rows.len(), cols), values)?)
}

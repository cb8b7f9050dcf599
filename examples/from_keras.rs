//! A network trained in Keras, run in neurite.
//!
//! On the Keras side, two lines of Python write the weights:
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

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("On the Keras side:\n\n{PYTHON}\n");
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
    let deviation = y
        .iter()
        .zip(&expected)
        .map(|(a, e)| (*a - *e).abs().to_f64().unwrap_or(f64::NAN))
        .fold(0.0, f64::max);

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

//! Every Keras export of `tests/golden/keras_export/` (what
//! `np.savez(path, *model.get_weights())` writes, with Keras's own
//! predictions): after `load_npz`, `forward` agrees with Keras within the
//! Dense tolerances of `tests/golden/README.md`. Also the variants NumPy
//! may write: `np.savez_compressed`, Zip64 records, big-endian and
//! Fortran-order arrays, and conversions between float32 and float64.

mod common;
mod npz_writer;

use common::{GoldenFloat, Kind, array2, assert_close, count, list, name, text, to_f64};
use ndarray::{Array2, ArrayD, IxDyn, array};
use neurite::{BuiltinActivation, Dense, Error, Sequential};
use npz_writer::{STORED, ZipOptions, f32_bytes, f64_bytes, npy, temp_path, zip};
use serde_json::Value;
use std::path::PathBuf;

fn export_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/keras_export")
}

fn cases() -> Vec<Value> {
    let text = std::fs::read_to_string(export_dir().join("cases.json")).unwrap();
    let file: Value = serde_json::from_str(&text).unwrap();
    list(&file["cases"]).to_vec()
}

/// The case's architecture with Glorot weights (which `load_npz` replaces).
fn architecture<T: GoldenFloat>(case: &Value) -> Sequential<T> {
    let mut model = Sequential::new();
    let mut inputs = count(&case["input_dim"]);
    for (i, layer) in list(&case["layers"]).iter().enumerate() {
        let units = count(&layer["units"]);
        let activation: BuiltinActivation<T> = text(&layer["activation"]).parse().unwrap();
        model
            .add(Dense::glorot(inputs, units, activation, i as u64).unwrap())
            .unwrap();
        inputs = units;
    }
    model
}

/// Loads the case's file and compares with Keras; returns the largest
/// deviation and the largest deviation over what is allowed.
fn check_case<T: GoldenFloat>(case: &Value, file: &std::path::Path) -> (f64, f64) {
    let mut model = architecture::<T>(case);
    model.load_npz(file).unwrap();
    let x = array2::<T>(&case["x"]);
    let expected = array2::<T>(&case["expected_output"]);
    let output = model.forward(&x).unwrap();
    assert_close(name(case), "output", &output, &expected, Kind::Layer);
    let tolerance = Kind::Layer.tolerance::<T>();
    output
        .iter()
        .zip(&expected)
        .fold((0.0_f64, 0.0_f64), |(worst, ratio), (&a, &e)| {
            let (a, e) = (to_f64(a), to_f64(e));
            let diff = (a - e).abs();
            let allowed = tolerance.atol + tolerance.rtol * e.abs();
            (worst.max(diff), ratio.max(diff / allowed))
        })
}

#[test]
fn every_keras_export_agrees_with_keras() {
    let cases = cases();
    assert_eq!(cases.len(), 6);
    for case in &cases {
        let file = export_dir().join(text(&case["npz"]));
        let (worst, ratio) = match text(&case["dtype"]) {
            "float32" => check_case::<f32>(case, &file),
            "float64" => check_case::<f64>(case, &file),
            other => panic!("dtype {other}"),
        };
        eprintln!(
            "{}: max |neurite - keras| = {worst:.3e} ({:.3} of the tolerance)",
            name(case),
            ratio
        );
    }
}

#[test]
fn the_weights_are_keras_arrays_in_get_weights_order() {
    let case = cases()
        .into_iter()
        .find(|c| c["name"] == "tutorial_model2_float32")
        .unwrap();
    let mut model = architecture::<f32>(&case);
    model
        .load_npz(export_dir().join("tutorial_model2_float32.npz"))
        .unwrap();
    let shapes: Vec<Vec<usize>> = model
        .get_weights()
        .iter()
        .map(|w| w.shape().to_vec())
        .collect();
    assert_eq!(shapes, [vec![2, 1], vec![1], vec![1, 1], vec![1]]);
    // arr_0 of the export, read from its bytes (after the 128-byte .npy header).
    assert_eq!(
        model.get_weights()[0],
        ArrayD::from_shape_vec(
            IxDyn(&[2, 1]),
            vec![
                f32::from_le_bytes([0xfc, 0x8e, 0x08, 0xbf]),
                f32::from_le_bytes([0xe4, 0xc3, 0xb1, 0xbf])
            ]
        )
        .unwrap()
    );
}

#[test]
fn a_savez_compressed_archive_loads_the_same_weights() {
    // tests/fixtures/make_compressed_npz.py: the float64 export, deflated by
    // Python's zipfile as np.savez_compressed does.
    let case = cases()
        .into_iter()
        .find(|c| c["name"] == "mlp_elu_leaky_softmax_float64")
        .unwrap();
    let compressed = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/mlp_elu_leaky_softmax_float64_compressed.npz");
    check_case::<f64>(&case, &compressed);
    let mut stored = architecture::<f64>(&case);
    stored
        .load_npz(export_dir().join("mlp_elu_leaky_softmax_float64.npz"))
        .unwrap();
    let mut deflated = architecture::<f64>(&case);
    deflated.load_npz(&compressed).unwrap();
    assert_eq!(stored.get_weights(), deflated.get_weights());
}

#[test]
fn float32_exports_widen_exactly_and_float64_exports_round_to_nearest() {
    let case32 = cases()
        .into_iter()
        .find(|c| c["name"] == "mlp_relu_tanh_sigmoid_float32")
        .unwrap();
    let mut narrow = architecture::<f32>(&case32);
    narrow
        .load_npz(export_dir().join("mlp_relu_tanh_sigmoid_float32.npz"))
        .unwrap();
    let mut wide = architecture::<f64>(&case32);
    wide.load_npz(export_dir().join("mlp_relu_tanh_sigmoid_float32.npz"))
        .unwrap();
    for (n, w) in narrow.get_weights().iter().zip(wide.get_weights()) {
        assert_eq!(n.mapv(f64::from), w);
    }

    let case64 = cases()
        .into_iter()
        .find(|c| c["name"] == "mlp_relu_tanh_sigmoid_float64")
        .unwrap();
    let mut exact = architecture::<f64>(&case64);
    exact
        .load_npz(export_dir().join("mlp_relu_tanh_sigmoid_float64.npz"))
        .unwrap();
    let mut rounded = architecture::<f32>(&case64);
    rounded
        .load_npz(export_dir().join("mlp_relu_tanh_sigmoid_float64.npz"))
        .unwrap();
    for (e, r) in exact.get_weights().iter().zip(rounded.get_weights()) {
        assert_eq!(e.mapv(|v| v as f32), r);
    }
}

/// A 2 → 3 → 1 model and its weights, for hand-made archives.
fn small_model() -> (Sequential<f64>, [Vec<f64>; 4]) {
    let mut model = Sequential::new();
    model
        .add(Dense::glorot(2, 3, "relu".parse::<BuiltinActivation<f64>>().unwrap(), 1).unwrap())
        .unwrap()
        .add(
            Dense::glorot(
                3,
                1,
                "sigmoid".parse::<BuiltinActivation<f64>>().unwrap(),
                2,
            )
            .unwrap(),
        )
        .unwrap();
    let weights = [
        vec![0.5, -1.25, 2.0, 0.75, 1.5, -0.5],
        vec![0.125, 0.0, -0.25],
        vec![1.0, -2.0, 0.5],
        vec![0.0625],
    ];
    (model, weights)
}

fn expected_weights(weights: &[Vec<f64>; 4]) -> Vec<ArrayD<f64>> {
    let shapes: [&[usize]; 4] = [&[2, 3], &[3], &[3, 1], &[1]];
    shapes
        .iter()
        .zip(weights)
        .map(|(shape, values)| ArrayD::from_shape_vec(IxDyn(shape), values.clone()).unwrap())
        .collect()
}

fn load_archive(model: &mut Sequential<f64>, bytes: &[u8], name: &str) -> Result<(), Error> {
    let path = temp_path(name);
    std::fs::write(&path, bytes).unwrap();
    let result = model.load_npz(&path);
    std::fs::remove_file(&path).unwrap();
    result
}

#[test]
fn zip64_records_and_deflate_are_read() {
    let (mut model, weights) = small_model();
    let shapes: [&[usize]; 4] = [&[2, 3], &[3], &[3, 1], &[1]];
    let names: Vec<String> = (0..4).map(|i| format!("arr_{i}.npy")).collect();
    let entries: Vec<(&str, Vec<u8>)> = names
        .iter()
        .zip(shapes.iter().zip(&weights))
        .map(|(name, (shape, values))| {
            (name.as_str(), npy("<f8", false, shape, &f64_bytes(values)))
        })
        .collect();
    for options in [
        STORED,
        ZipOptions {
            deflate: true,
            zip64: false,
        },
        ZipOptions {
            deflate: false,
            zip64: true,
        },
        ZipOptions {
            deflate: true,
            zip64: true,
        },
    ] {
        load_archive(&mut model, &zip(&entries, options), "zip64.npz").unwrap();
        assert_eq!(
            model.get_weights(),
            expected_weights(&weights),
            "{options:?}"
        );
    }
}

#[test]
fn big_endian_and_fortran_order_arrays_are_read() {
    let (mut model, weights) = small_model();
    let big: Vec<u8> = weights[0].iter().flat_map(|v| v.to_be_bytes()).collect();
    // The (3, 1) kernel in Fortran order is the same sequence; the (2, 3)
    // kernel in Fortran order is its transpose's row-major sequence.
    let kernel = Array2::from_shape_vec((2, 3), weights[0].clone()).unwrap();
    let fortran: Vec<f64> = kernel.t().iter().copied().collect();
    let archive = zip(
        &[
            ("arr_0.npy", npy(">f8", false, &[2, 3], &big)),
            (
                "arr_1.npy",
                npy("<f8", false, &[3], &f64_bytes(&weights[1])),
            ),
            (
                "arr_2.npy",
                npy("<f8", true, &[3, 1], &f64_bytes(&weights[2])),
            ),
            (
                "arr_3.npy",
                npy("<f8", false, &[1], &f64_bytes(&weights[3])),
            ),
        ],
        STORED,
    );
    load_archive(&mut model, &archive, "big-endian.npz").unwrap();
    assert_eq!(model.get_weights(), expected_weights(&weights));

    let archive = zip(
        &[
            ("arr_0.npy", npy("<f8", true, &[2, 3], &f64_bytes(&fortran))),
            (
                "arr_1.npy",
                npy("<f8", false, &[3], &f64_bytes(&weights[1])),
            ),
            (
                "arr_2.npy",
                npy("<f8", false, &[3, 1], &f64_bytes(&weights[2])),
            ),
            (
                "arr_3.npy",
                npy("<f8", false, &[1], &f64_bytes(&weights[3])),
            ),
        ],
        STORED,
    );
    load_archive(&mut model, &archive, "fortran.npz").unwrap();
    assert_eq!(model.get_weights(), expected_weights(&weights));
}

#[test]
fn a_float64_value_beyond_float32_is_refused_not_made_infinite() {
    let mut model = Sequential::<f32>::new();
    model
        .add(Dense::glorot(1, 1, "linear".parse::<BuiltinActivation<f32>>().unwrap(), 0).unwrap())
        .unwrap();
    let before = model.get_weights();
    let archive = zip(
        &[
            (
                "arr_0.npy",
                npy("<f8", false, &[1, 1], &f64_bytes(&[1e300])),
            ),
            ("arr_1.npy", npy("<f8", false, &[1], &f64_bytes(&[0.0]))),
        ],
        STORED,
    );
    let path = temp_path("overflow.npz");
    std::fs::write(&path, &archive).unwrap();
    let result = model.load_npz(&path);
    assert!(matches!(result, Err(Error::Format { .. })), "{result:?}");
    assert_eq!(model.get_weights(), before);

    // Infinities and NaN themselves are kept, as Keras would compute with them.
    let archive = zip(
        &[
            (
                "arr_0.npy",
                npy("<f4", false, &[1, 1], &f32_bytes(&[f32::INFINITY])),
            ),
            (
                "arr_1.npy",
                npy("<f4", false, &[1], &f32_bytes(&[f32::NAN])),
            ),
        ],
        STORED,
    );
    std::fs::write(&path, &archive).unwrap();
    model.load_npz(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    let y = model.forward(&array![[1.0_f32]]).unwrap();
    assert!(y[[0, 0]].is_nan());
    assert_eq!(model.get_weights()[0][[0, 0]], f32::INFINITY);
}

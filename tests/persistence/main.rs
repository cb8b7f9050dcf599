//! Saving and loading: round trips in f32, f64 and f16 for Dense with every
//! activation (with parameters) and Maxout, bit-identical outputs, the
//! weights-only files, the file layout a Python user sees, atomic saves,
//! and the errors for what cannot be saved.
//!
//! This file: the whole-model round trips and the file's layout;
//! weights_only.rs, atomic_saves.rs and spec.rs the rest.

#[path = "../npz_writer/mod.rs"]
mod npz_writer;

mod atomic_saves;
mod spec;
mod weights_only;

use ndarray::{Array1, Array2, ArrayView2, ArrayViewMut2, array};
use neurite::io::{ActivationSpec, LayerSpec, ModelSpec};
use neurite::{
    Activation, BuiltinActivation, Dense, Element, Elu, Error, Layer, LeakyRelu, Linear, Maxout,
    Relu, Sequential, Sigmoid, Softmax, Tanh,
};
use npz_writer::temp_path;
use num_traits::Float;
use std::path::Path;

/// Every built-in activation, with a few parameter values (the f32 value
/// nearest 0.2 is Keras's leaky_relu slope).
fn activations<T: Element>() -> Vec<BuiltinActivation<T>> {
    let t = |v: f64| T::from(v).unwrap();
    vec![
        Sigmoid.into(),
        Tanh.into(),
        Relu.into(),
        LeakyRelu::new(t(0.1)).into(),
        LeakyRelu::new(t(f64::from(0.2_f32))).into(),
        LeakyRelu::new(t(1e-3)).into(),
        Elu::new(t(0.5)).into(),
        Elu::default().into(),
        Elu::new(t(2.5)).into(),
        Linear.into(),
        Softmax.into(),
    ]
}

/// A model with one Dense layer per activation, then Maxout layers.
fn every_layer<T: Element>() -> Sequential<T> {
    let mut model = Sequential::new();
    let mut width = 5;
    for (i, activation) in activations::<T>().into_iter().enumerate() {
        let units = 3 + i % 4;
        model
            .add(Dense::glorot(width, units, activation, i as u64).unwrap())
            .unwrap();
        width = units;
    }
    model
        .add(Maxout::glorot(3, width, 4, 100).unwrap())
        .unwrap()
        .add(Maxout::glorot(2, 4, 2, 101).unwrap())
        .unwrap();
    model
}

/// Inputs with both signs, and large values that saturate.
fn inputs<T: Element>(rows: usize, cols: usize) -> Array2<T> {
    Array2::from_shape_fn((rows, cols), |(i, j)| {
        let v = ((i * cols + j) as f64 * 0.7).sin() * 3.0 + if i == rows - 1 { 40.0 } else { 0.0 };
        T::from(v).unwrap()
    })
}

/// The bits of every output, to compare bit for bit (NaN included).
fn bits<T: Element>(a: &Array2<T>) -> Vec<u64> {
    a.iter().map(|v| v.to_f64().unwrap().to_bits()).collect()
}

fn assert_bit_identical<T: Element>(original: &Sequential<T>, loaded: &Sequential<T>) {
    let x = inputs::<T>(7, original.layers().next().unwrap().input_width());
    let (a, b) = (original.forward(&x).unwrap(), loaded.forward(&x).unwrap());
    assert_eq!(bits(&a), bits(&b));
    let (a, b) = (
        original.layer_outputs(&x).unwrap(),
        loaded.layer_outputs(&x).unwrap(),
    );
    for (a, b) in a.iter().zip(&b) {
        assert_eq!(bits(a), bits(b));
    }
    assert_eq!(original.get_weights(), loaded.get_weights());
    assert_eq!(original.spec().unwrap(), loaded.spec().unwrap());
    assert_eq!(original.summary().to_string(), loaded.summary().to_string());
}

struct Cleanup<'a>(&'a Path);

impl Drop for Cleanup<'_> {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(self.0);
    }
}

fn round_trip<T: Element>(name: &str) {
    let model = every_layer::<T>();
    let path = temp_path(name);
    let _cleanup = Cleanup(&path);
    model.save(&path).unwrap();
    let loaded = Sequential::<T>::load(&path).unwrap();
    assert_bit_identical(&model, &loaded);
    // The in-memory form is the file.
    assert_eq!(model.to_bytes().unwrap(), std::fs::read(&path).unwrap());
    assert_bit_identical(
        &model,
        &Sequential::<T>::from_bytes(&model.to_bytes().unwrap()).unwrap(),
    );
}

#[test]
fn f32_models_round_trip_bit_for_bit() {
    round_trip::<f32>("round-trip-f32.safetensors");
}

#[test]
fn f64_models_round_trip_bit_for_bit() {
    round_trip::<f64>("round-trip-f64.safetensors");
}

#[test]
fn half_models_round_trip_through_f64_storage() {
    round_trip::<half::f16>("round-trip-f16.safetensors");
    round_trip::<half::bf16>("round-trip-bf16.safetensors");
    // An f16 file is not a bf16 model, nor an f64 one.
    let bytes = every_layer::<half::f16>().to_bytes().unwrap();
    for result in [
        Sequential::<half::bf16>::from_bytes(&bytes).map(|_| ()),
        Sequential::<f64>::from_bytes(&bytes).map(|_| ()),
    ] {
        assert!(matches!(result, Err(Error::Format { .. })), "{result:?}");
    }
}

#[test]
fn activation_parameters_round_trip_exactly() {
    for (slope, alpha) in [
        (0.1_f32, 0.3_f32),
        (f32::MIN_POSITIVE, 7.77e-5),
        (-2.5, 1e30),
    ] {
        let mut model = Sequential::<f32>::new();
        model
            .add(Dense::glorot(2, 2, LeakyRelu::new(slope), 0).unwrap())
            .unwrap()
            .add(Dense::glorot(2, 2, Elu::new(alpha), 1).unwrap())
            .unwrap();
        let loaded = Sequential::<f32>::from_bytes(&model.to_bytes().unwrap()).unwrap();
        let spec = loaded.spec().unwrap();
        assert_eq!(
            spec.layers[0],
            LayerSpec::Dense {
                inputs: 2,
                units: 2,
                activation: ActivationSpec::LeakyRelu {
                    slope: f64::from(slope)
                },
                use_bias: true,
            }
        );
        assert_eq!(
            spec.layers[1],
            LayerSpec::Dense {
                inputs: 2,
                units: 2,
                activation: ActivationSpec::Elu {
                    alpha: f64::from(alpha)
                },
                use_bias: true,
            }
        );
        assert_bit_identical(&model, &loaded);
    }
}

#[test]
fn special_values_keep_their_bits() {
    let kernel = array![
        [f32::NAN, -0.0, f32::INFINITY],
        [f32::from_bits(1), f32::MAX, f32::NEG_INFINITY]
    ];
    let mut model = Sequential::new();
    model
        .add(Dense::new(kernel, array![f32::MIN_POSITIVE, -f32::MAX, 0.0], Linear).unwrap())
        .unwrap();
    let loaded = Sequential::<f32>::from_bytes(&model.to_bytes().unwrap()).unwrap();
    let as_bits = |m: &Sequential<f32>| -> Vec<u32> {
        m.get_weights()
            .iter()
            .flat_map(|w| w.iter().map(|v| v.to_bits()).collect::<Vec<_>>())
            .collect()
    };
    assert_eq!(as_bits(&model), as_bits(&loaded));
}

#[test]
fn typed_and_boxed_activations_save_like_builtins() {
    let boxed: Box<dyn Activation<f64> + Send + Sync> = Box::new(Elu::new(0.25));
    let mut model = Sequential::<f64>::new();
    model
        .add(Dense::glorot(3, 4, Tanh, 0).unwrap())
        .unwrap()
        .add(Dense::glorot(4, 2, boxed, 1).unwrap())
        .unwrap();
    let loaded = Sequential::<f64>::from_bytes(&model.to_bytes().unwrap()).unwrap();
    assert_bit_identical(&model, &loaded);
    assert_eq!(
        loaded.spec().unwrap().layers[1],
        LayerSpec::Dense {
            inputs: 4,
            units: 2,
            activation: ActivationSpec::Elu { alpha: 0.25 },
            use_bias: true,
        }
    );
}

#[test]
fn models_larger_than_the_read_buffer_round_trip() {
    // 301·203 + 203 + 203·7 + 7 values: several 128 KiB chunks, with
    // tensors that start and end inside them.
    let mut model = Sequential::<f64>::new();
    model
        .add(Dense::glorot(301, 203, Relu, 1).unwrap())
        .unwrap()
        .add(Maxout::glorot(3, 203, 7, 2).unwrap())
        .unwrap();
    let path = temp_path("large.safetensors");
    let _cleanup = Cleanup(&path);
    model.save(&path).unwrap();
    assert_bit_identical(&model, &Sequential::<f64>::load(&path).unwrap());
    let mut narrow = Sequential::<f32>::new();
    narrow
        .add(Dense::glorot(301, 203, Tanh, 3).unwrap())
        .unwrap();
    narrow.save_weights(&path).unwrap();
    let mut copy = narrow.spec().unwrap().build::<f32>(4).unwrap();
    copy.load_weights(&path).unwrap();
    assert_bit_identical(&narrow, &copy);
}

#[test]
fn an_empty_model_round_trips() {
    let model = Sequential::<f32>::new();
    let loaded = Sequential::<f32>::from_bytes(&model.to_bytes().unwrap()).unwrap();
    assert!(loaded.is_empty());
}

#[test]
fn a_loaded_model_trains_on() {
    let mut model = Sequential::<f64>::new();
    model
        .add(Dense::glorot(2, 4, Tanh, 3).unwrap())
        .unwrap()
        .add(Dense::glorot(4, 1, Sigmoid, 4).unwrap())
        .unwrap();
    let mut loaded = Sequential::<f64>::from_bytes(&model.to_bytes().unwrap()).unwrap();
    let x = array![[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]];
    let y = array![[0.0], [1.0], [1.0], [0.0]];
    let a = model
        .train_step(&x, &y, &mut neurite::Sgd::new(0.1))
        .unwrap();
    let b = loaded
        .train_step(&x, &y, &mut neurite::Sgd::new(0.1))
        .unwrap();
    assert_eq!(a.to_bits(), b.to_bits());
    assert_eq!(model.get_weights(), loaded.get_weights());
}

// ------------------------------------------------------------ the file

#[test]
fn the_file_is_plain_safetensors_with_python_friendly_names() {
    let model = every_layer::<f32>();
    let bytes = model.to_bytes().unwrap();
    let (header_len, metadata) = safetensors::SafeTensors::read_metadata(&bytes).unwrap();
    let tensors = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let mut names = tensors.names();
    names.sort();
    let layers = model.len();
    let mut expected: Vec<String> = (0..layers)
        .flat_map(|i| [format!("layers.{i}.bias"), format!("layers.{i}.kernel")])
        .collect();
    expected.sort();
    assert_eq!(names, expected);
    for (i, (layer, weights)) in model
        .layers()
        .zip(model.get_weights().chunks(2))
        .enumerate()
    {
        let kernel = tensors.tensor(&format!("layers.{i}.kernel")).unwrap();
        assert_eq!(kernel.dtype(), safetensors::Dtype::F32);
        assert_eq!(kernel.shape(), layer.weight_shapes()[0]);
        let values: Vec<f32> = kernel
            .data()
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
            .collect();
        assert_eq!(values, weights[0].iter().copied().collect::<Vec<_>>());
    }
    // The architecture, as JSON under "neurite".
    let json = metadata
        .metadata()
        .as_ref()
        .unwrap()
        .get("neurite")
        .unwrap();
    let value: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(value["format_version"], 1);
    assert_eq!(value["dtype"], "float32");
    assert_eq!(value["crate_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(value["layers"][0]["kind"], "Dense");
    assert_eq!(value["layers"][0]["activation"]["name"], "sigmoid");
    assert_eq!(value["layers"][3]["activation"]["name"], "leaky_relu");
    assert_eq!(
        value["layers"][3]["activation"]["slope"],
        f64::from(0.1_f32)
    );
    assert_eq!(value["layers"][11]["kind"], "Maxout");
    assert_eq!(value["layers"][11]["pieces"], 3);
    assert_eq!(ModelSpec::from_json(json).unwrap(), model.spec().unwrap());
    assert_eq!(header_len % 8, 0);
}

/// softplus, a custom activation (which files cannot hold).
#[derive(Debug, Clone, Copy)]
struct Softplus;

impl<T: Float> Activation<T> for Softplus {
    fn apply(&self, x: T) -> T {
        x.exp().ln_1p()
    }
    fn derivative(&self, x: T) -> T {
        T::one() / (T::one() + (-x).exp())
    }
}

//! Saving and loading: round trips in f32, f64 and f16 for Dense with every
//! activation (with parameters) and Maxout, bit-identical outputs, the
//! weights-only files, the file layout a Python user sees, atomic saves,
//! and the errors for what cannot be saved.

mod npz_writer;

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

// ------------------------------------------------------------ weights only

#[test]
fn weights_round_trip_into_a_model_of_the_same_architecture() {
    let trained = every_layer::<f64>();
    let path = temp_path("weights.safetensors");
    let _cleanup = Cleanup(&path);
    trained.save_weights(&path).unwrap();
    let mut fresh = trained.spec().unwrap().build::<f64>(1234).unwrap();
    assert_ne!(fresh.get_weights(), trained.get_weights());
    fresh.load_weights(&path).unwrap();
    assert_bit_identical(&trained, &fresh);

    // A weights file is not a model file, and says so.
    match Sequential::<f64>::load(&path) {
        Err(Error::Format { found, .. }) => assert!(found.contains("weights-only"), "{found}"),
        other => panic!("{other:?}"),
    }
    // A model file holds the same tensors, so load_weights takes it too.
    trained.save(&path).unwrap();
    let mut again = trained.spec().unwrap().build::<f64>(99).unwrap();
    again.load_weights(&path).unwrap();
    assert_eq!(again.get_weights(), trained.get_weights());
}

#[test]
fn load_weights_checks_shapes_and_dtype_and_changes_nothing_on_error() {
    let path = temp_path("weights-check.safetensors");
    let _cleanup = Cleanup(&path);
    let mut small = Sequential::<f32>::new();
    small.add(Dense::glorot(3, 2, Relu, 0).unwrap()).unwrap();
    small.save_weights(&path).unwrap();

    let mut wider = Sequential::<f32>::new();
    wider.add(Dense::glorot(3, 4, Relu, 0).unwrap()).unwrap();
    let before = wider.get_weights();
    assert!(matches!(
        wider.load_weights(&path),
        Err(Error::ShapeMismatch { .. })
    ));
    assert_eq!(wider.get_weights(), before);

    let mut deeper = Sequential::<f32>::new();
    deeper
        .add(Dense::glorot(3, 2, Relu, 0).unwrap())
        .unwrap()
        .add(Dense::glorot(2, 1, Sigmoid, 0).unwrap())
        .unwrap();
    let before = deeper.get_weights();
    assert!(matches!(
        deeper.load_weights(&path),
        Err(Error::Format { .. })
    ));
    assert_eq!(deeper.get_weights(), before);

    let mut wide_type = Sequential::<f64>::new();
    wide_type
        .add(Dense::glorot(3, 2, Relu, 0).unwrap())
        .unwrap();
    let before = wide_type.get_weights();
    match wide_type.load_weights(&path) {
        Err(Error::Format { what, .. }) => assert!(what.contains("dtype"), "{what}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(wide_type.get_weights(), before);
}

/// A layer neurite cannot describe: y = x (no weights of its own but one
/// scale array, to be saved by save_weights).
#[derive(Debug, Clone)]
struct Scale(Array1<f32>);

impl Layer<f32> for Scale {
    fn input_width(&self) -> usize {
        self.0.len()
    }
    fn output_width(&self) -> usize {
        self.0.len()
    }
    fn pre_activation_into(
        &self,
        x: ArrayView2<'_, f32>,
        mut out: ArrayViewMut2<'_, f32>,
    ) -> Result<(), Error> {
        out.assign(&(&x * &self.0));
        Ok(())
    }
    fn weight_shapes(&self) -> Vec<Vec<usize>> {
        vec![vec![self.0.len()]]
    }
    fn visit_weights(&self, f: &mut dyn FnMut(&[f32])) {
        f(self.0.as_slice().unwrap())
    }
    fn visit_weights_mut(&mut self, f: &mut dyn FnMut(&mut [f32])) {
        f(self.0.as_slice_mut().unwrap())
    }
    fn backward_affine(
        &self,
        _: ArrayView2<'_, f32>,
        _: ArrayViewMut2<'_, f32>,
        _: ArrayView2<'_, f32>,
        _: &mut [f32],
        _: Option<ArrayViewMut2<'_, f32>>,
    ) -> Result<(), Error> {
        Ok(())
    }
}

/// softplus, a custom activation.
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

#[test]
fn custom_layers_and_activations_cannot_be_saved_but_their_weights_can() {
    let mut custom_layer = Sequential::<f32>::new();
    custom_layer
        .add(Dense::glorot(2, 3, Relu, 0).unwrap())
        .unwrap()
        .add(Scale(array![1.0, 2.0, 3.0]))
        .unwrap();
    assert_eq!(
        custom_layer.to_bytes(),
        Err(Error::UnsupportedLayer {
            index: 1,
            class_name: "Scale".into(),
            activation: "linear".into()
        })
    );
    let mut custom_activation = Sequential::<f32>::new();
    custom_activation
        .add(Dense::glorot(2, 3, Softplus, 0).unwrap())
        .unwrap();
    let error = custom_activation.spec().unwrap_err();
    assert_eq!(
        error,
        Error::UnsupportedLayer {
            index: 0,
            class_name: "Dense".into(),
            activation: "custom".into()
        }
    );
    assert!(error.to_string().contains("cannot be saved"));

    // save_weights works for any model; a custom layer's arrays are
    // layers.{i}.weights.{j}.
    let path = temp_path("custom-weights.safetensors");
    let _cleanup = Cleanup(&path);
    custom_layer.save_weights(&path).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let tensors = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let mut names = tensors.names();
    names.sort();
    assert_eq!(
        names,
        ["layers.0.bias", "layers.0.kernel", "layers.1.weights.0"]
    );
    let mut copy = Sequential::<f32>::new();
    copy.add(Dense::glorot(2, 3, Relu, 9).unwrap())
        .unwrap()
        .add(Scale(array![0.0, 0.0, 0.0]))
        .unwrap();
    copy.load_weights(&path).unwrap();
    assert_eq!(copy.get_weights(), custom_layer.get_weights());
}

#[test]
fn non_finite_activation_parameters_are_refused_on_save() {
    let mut model = Sequential::<f32>::new();
    model
        .add(Dense::glorot(2, 1, LeakyRelu::new(f32::NAN), 0).unwrap())
        .unwrap();
    assert!(matches!(model.to_bytes(), Err(Error::Format { .. })));
    let mut model = Sequential::<f64>::new();
    model
        .add(Dense::glorot(2, 1, Elu::new(f64::INFINITY), 0).unwrap())
        .unwrap();
    assert!(matches!(model.to_bytes(), Err(Error::Format { .. })));
}

// ------------------------------------------------------------ atomic saves

fn folder(name: &str) -> std::path::PathBuf {
    let folder = temp_path(name);
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).unwrap();
    folder
}

fn entries(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn saving_over_a_file_replaces_it_whole_or_not_at_all() {
    let folder = folder("atomic");
    let path = folder.join("model.safetensors");
    let first = every_layer::<f32>();
    first.save(&path).unwrap();
    let old = std::fs::read(&path).unwrap();

    // A model that cannot be saved leaves the old file as it was.
    let mut custom = Sequential::<f32>::new();
    custom
        .add(Dense::glorot(2, 3, Softplus, 0).unwrap())
        .unwrap();
    assert!(custom.save(&path).is_err());
    assert_eq!(std::fs::read(&path).unwrap(), old);

    // A rename that fails (the target is a folder) leaves nothing behind.
    let blocked = folder.join("blocked");
    std::fs::create_dir(&blocked).unwrap();
    std::fs::write(blocked.join("inside"), b"x").unwrap();
    let result = first.save(&blocked);
    assert!(matches!(result, Err(Error::Io { .. })), "{result:?}");
    assert_eq!(entries(&folder), ["blocked", "model.safetensors"]);

    // A folder that does not exist.
    let result = first.save(folder.join("missing/model.safetensors"));
    match result {
        Err(Error::Io { kind, path, .. }) => {
            assert_eq!(kind, std::io::ErrorKind::NotFound);
            assert!(path.ends_with("missing/model.safetensors"));
        }
        other => panic!("{other:?}"),
    }

    // A successful save replaces the file, and leaves no temporary file.
    let mut second = Sequential::<f32>::new();
    second.add(Dense::glorot(4, 2, Relu, 5).unwrap()).unwrap();
    second.save(&path).unwrap();
    second
        .save_weights(folder.join("weights.safetensors"))
        .unwrap();
    assert_eq!(
        entries(&folder),
        ["blocked", "model.safetensors", "weights.safetensors"]
    );
    assert_eq!(
        Sequential::<f32>::load(&path).unwrap().get_weights(),
        second.get_weights()
    );
    std::fs::remove_dir_all(&folder).unwrap();
}

#[test]
fn a_missing_file_is_an_io_error() {
    let path = temp_path("does-not-exist.safetensors");
    for result in [
        Sequential::<f32>::load(&path).map(|_| ()),
        Sequential::<f32>::new().load_weights(&path),
        Sequential::<f32>::new().load_npz(&path),
    ] {
        match result {
            Err(Error::Io { kind, .. }) => assert_eq!(kind, std::io::ErrorKind::NotFound),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn an_io_error_keeps_the_operating_system_error_as_its_source() {
    let path = temp_path("does-not-exist.npz");
    let error = Sequential::<f32>::new().load_npz(&path).unwrap_err();
    let source = std::error::Error::source(&error).expect("a source");
    let io_error = source
        .downcast_ref::<std::io::Error>()
        .expect("an io::Error");
    assert_eq!(io_error.kind(), std::io::ErrorKind::NotFound);
    // The error the operating system returned, not a copy of its message.
    assert!(io_error.raw_os_error().is_some());
}

// ------------------------------------------------------------ the spec

#[test]
fn a_spec_builds_the_architecture_and_checks_it() {
    let model = every_layer::<f32>();
    let spec = model.spec().unwrap();
    let built = spec.build::<f64>(0).unwrap();
    assert_eq!(built.layer_param_counts(), model.layer_param_counts());
    assert_eq!(ModelSpec::from_json(&spec.to_json()).unwrap(), spec);

    let broken = ModelSpec::new(vec![
        LayerSpec::Dense {
            inputs: 2,
            units: 3,
            activation: ActivationSpec::Relu,
            use_bias: true,
        },
        LayerSpec::Maxout {
            inputs: 4,
            units: 1,
            pieces: 2,
        },
    ]);
    assert!(matches!(broken.build::<f32>(0), Err(Error::Format { .. })));
    let huge = ModelSpec::new(vec![LayerSpec::Maxout {
        inputs: usize::MAX / 2,
        units: usize::MAX / 2,
        pieces: 3,
    }]);
    assert!(matches!(huge.validate(), Err(Error::Format { .. })));
    let empty = ModelSpec::new(vec![LayerSpec::Dense {
        inputs: 0,
        units: 3,
        activation: ActivationSpec::Relu,
        use_bias: true,
    }]);
    assert!(matches!(empty.validate(), Err(Error::Format { .. })));
}

#[cfg(feature = "serde")]
#[test]
fn serde_gives_the_same_json_as_the_file() {
    let spec = every_layer::<f32>().spec().unwrap();
    let serde_text = serde_json::to_string(&spec).unwrap();
    assert_eq!(ModelSpec::from_json(&serde_text).unwrap(), spec);
    let from_file: ModelSpec = serde_json::from_str(&spec.to_json()).unwrap();
    assert_eq!(from_file, spec);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&serde_text).unwrap(),
        serde_json::from_str::<serde_json::Value>(&spec.to_json()).unwrap()
    );

    // A configuration file: only the layers are needed.
    let config = r#"{"layers": [
        {"kind": "Dense", "inputs": 4, "units": 8, "activation": {"name": "leaky_relu", "slope": 0.1}},
        {"kind": "Maxout", "inputs": 8, "units": 2, "pieces": 3}
    ]}"#;
    let parsed: ModelSpec = serde_json::from_str(config).unwrap();
    assert_eq!(parsed, ModelSpec::from_json(config).unwrap());
    assert_eq!(parsed.format_version, neurite::io::FORMAT_VERSION);
    assert_eq!(parsed.build::<f32>(0).unwrap().len(), 2);

    // Unknown fields and names are refused both ways.
    for bad in [
        r#"{"layers": [], "extra": 1}"#,
        r#"{"layers": [{"kind": "Conv2D", "inputs": 1, "units": 1}]}"#,
        r#"{"layers": [{"kind": "Dense", "inputs": 1, "units": 1, "activation": {"name": "swish"}}]}"#,
        r#"{"layers": [{"kind": "Dense", "inputs": 1, "units": 1, "activation": {"name": "relu", "slope": 1}}]}"#,
        r#"{"layers": [{"kind": "Maxout", "inputs": 1, "units": 1, "pieces": 2, "activation": {"name": "relu"}}]}"#,
    ] {
        assert!(serde_json::from_str::<ModelSpec>(bad).is_err(), "{bad}");
        assert!(ModelSpec::from_json(bad).is_err(), "{bad}");
    }
}

#[test]
fn keras_leaky_relu_is_the_float32_slope() {
    let spec = ActivationSpec::from("leaky_relu".parse::<BuiltinActivation<f64>>().unwrap());
    assert_eq!(
        spec,
        ActivationSpec::LeakyRelu {
            slope: 0.20000000298023224
        }
    );
    let back: BuiltinActivation<f64> = spec.into();
    assert_eq!(back.apply(-1.0), -0.20000000298023224);
}

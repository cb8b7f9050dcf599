//! The new layers in files: BatchNormalization (moving statistics
//! included), LayerNormalization, Dropout, the Activation layer and Dense
//! without bias go through the model file, `ModelSpec` and the weights
//! file bit for bit; hostile files and descriptions naming them (bad
//! hyper-parameters, negative moving variances, huge or zero widths,
//! truncations) are errors that change nothing.

mod model_file;

use model_file::{join, split};
use ndarray::{Array2, ArrayD, array};
use neurite::io::{ActivationSpec, LayerSpec, ModelSpec};
use neurite::layer::ActivationLayer;
use neurite::{
    Adam, BatchNormalization, BuiltinActivation, Dense, Dropout, Error, FitOptions, Layer,
    LayerNormalization, Linear, Relu, Sequential, Sigmoid,
};

/// Dense(3 → 4, no bias) → BatchNormalization → relu → Dropout →
/// LayerNormalization → Dense(4 → 1, sigmoid), trained a few epochs so
/// that the moving statistics and every weight differ from their start.
fn trained_model() -> Sequential<f32> {
    let gelu: BuiltinActivation<f32> = "gelu".parse().unwrap();
    let mut model = Sequential::new();
    let kernel = Dense::<f32, _>::glorot(3, 4, Linear, 1)
        .unwrap()
        .kernel()
        .clone();
    model
        .add(Dense::without_bias(kernel, Linear).unwrap())
        .unwrap()
        .add(BatchNormalization::new(4).unwrap().momentum(0.9).unwrap())
        .unwrap()
        .add(ActivationLayer::new(Relu))
        .unwrap()
        .add(Dropout::new(0.25).unwrap())
        .unwrap()
        .add(LayerNormalization::new(4).unwrap().epsilon(1e-5).unwrap())
        .unwrap()
        .add(ActivationLayer::new(gelu))
        .unwrap()
        .add(Dense::glorot(4, 1, Sigmoid, 2).unwrap())
        .unwrap();
    let x = Array2::from_shape_fn((16, 3), |(i, j)| {
        ((i * 3 + j) as f32 * 0.37).sin() * 2.0 + 1.0
    });
    let y = Array2::from_shape_fn((16, 1), |(i, _)| (i % 2) as f32);
    let options = FitOptions::new(3).batch_size(8).shuffle(5);
    model.fit(&x, &y, &mut Adam::new(0.05), options).unwrap();
    model
}

fn bits(weights: &[ArrayD<f32>]) -> Vec<Vec<u32>> {
    weights
        .iter()
        .map(|w| w.iter().map(|v| v.to_bits()).collect())
        .collect()
}

#[test]
fn the_new_layers_survive_the_model_file_bit_for_bit() {
    let model = trained_model();
    let bn = &model.get_weights()[1..5];
    assert_ne!(
        bn[2],
        ArrayD::<f32>::zeros(vec![4]),
        "the moving mean moved"
    );
    let loaded = Sequential::<f32>::from_bytes(&model.to_bytes().unwrap()).unwrap();
    assert_eq!(bits(&loaded.get_weights()), bits(&model.get_weights()));
    let x = array![[0.5_f32, -1.0, 2.0], [1.5, 0.0, -0.5]];
    assert_eq!(loaded.forward(&x).unwrap(), model.forward(&x).unwrap());
    let classes: Vec<_> = loaded.layers().map(|l| l.class_name()).collect();
    let expected = [
        "Dense",
        "BatchNormalization",
        "Activation",
        "Dropout",
        "LayerNormalization",
        "Activation",
        "Dense",
    ];
    assert_eq!(classes, expected);
    assert_eq!(loaded.spec().unwrap(), model.spec().unwrap());
    assert_eq!(
        loaded.trainable_param_count(),
        model.trainable_param_count()
    );
}

#[test]
fn the_new_layers_survive_weights_files_and_specs() {
    let model = trained_model();
    let spec = model.spec().unwrap();
    assert_eq!(ModelSpec::from_json(&spec.to_json()).unwrap(), spec);
    let dropout = LayerSpec::Dropout {
        features: 4,
        rate: 0.25,
    };
    assert_eq!(spec.layers[3], dropout);
    assert!(matches!(
        spec.layers[0],
        LayerSpec::Dense {
            use_bias: false,
            ..
        }
    ));
    let path = std::env::temp_dir().join(format!(
        "neurite-layer-files-{}.safetensors",
        std::process::id()
    ));
    model.save_weights(&path).unwrap();
    let mut fresh = spec.build::<f32>(9).unwrap();
    assert_ne!(bits(&fresh.get_weights()), bits(&model.get_weights()));
    fresh.load_weights(&path).unwrap();
    assert_eq!(bits(&fresh.get_weights()), bits(&model.get_weights()));
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn specs_of_the_new_layers_say_what_is_wrong() {
    let bn = |momentum: f64, epsilon: f64| LayerSpec::BatchNormalization {
        features: 2,
        momentum,
        epsilon,
        center: true,
        scale: true,
    };
    let refused = [
        bn(1.5, 1e-3),
        bn(0.9, 0.0),
        bn(0.9, -1e-3),
        LayerSpec::LayerNormalization {
            features: 2,
            epsilon: 0.0,
            center: true,
            scale: false,
        },
        LayerSpec::Dropout {
            features: 2,
            rate: 1.0,
        },
        LayerSpec::Dropout {
            features: 2,
            rate: -0.5,
        },
        LayerSpec::Dropout {
            features: 0,
            rate: 0.5,
        },
        LayerSpec::Activation {
            features: 0,
            activation: ActivationSpec::Relu,
        },
    ];
    for layer in refused {
        let result = ModelSpec::new(vec![layer]).build::<f64>(0);
        assert!(
            matches!(
                result,
                Err(Error::InvalidParameter { .. } | Error::Format { .. })
            ),
            "{layer:?}: {result:?}"
        );
    }
    // A width no memory holds is an error, not an abort.
    let huge = LayerSpec::LayerNormalization {
        features: 1 << 60,
        epsilon: 1e-3,
        center: true,
        scale: true,
    };
    assert!(ModelSpec::new(vec![huge]).build::<f32>(0).is_err());
    let json = r#"{"layers": [{"kind": "Dropout", "features": 2, "rate": 0.5, "seed": 1}]}"#;
    assert!(matches!(
        ModelSpec::from_json(json),
        Err(Error::Format { .. })
    ));
    let json = r#"{"layers": [{"kind": "BatchNormalization", "features": 2}]}"#;
    assert!(matches!(
        ModelSpec::from_json(json),
        Err(Error::Format { .. })
    ));
}

#[test]
fn hostile_model_files_with_the_new_layers_are_refused() {
    let model = trained_model();
    let bytes = model.to_bytes().unwrap();
    // A negative moving variance, written where the tensor lies.
    let (header, mut data) = split(&bytes);
    let (start, _) = {
        let offsets = &header["layers.1.moving_variance"]["data_offsets"];
        (
            offsets[0].as_u64().unwrap() as usize,
            offsets[1].as_u64().unwrap() as usize,
        )
    };
    data[start..start + 4].copy_from_slice(&(-1.0_f32).to_le_bytes());
    let negative = join(&header, &data);
    let result = Sequential::<f32>::from_bytes(&negative);
    assert!(
        matches!(result, Err(Error::InvalidParameter { name, .. }) if name.contains("moving_variance"))
    );
    // load_weights of that file into a model changes nothing.
    let path = std::env::temp_dir().join(format!(
        "neurite-layer-files-bad-{}.safetensors",
        std::process::id()
    ));
    let mut weights_file = model.spec().unwrap().build::<f32>(1).unwrap();
    weights_file.save_weights(&path).unwrap();
    let (header, mut data) = split(&std::fs::read(&path).unwrap());
    let offsets = header["layers.1.moving_variance"]["data_offsets"][0]
        .as_u64()
        .unwrap() as usize;
    data[offsets..offsets + 4].copy_from_slice(&f32::NAN.to_le_bytes());
    std::fs::write(&path, join(&header, &data)).unwrap();
    let before = bits(&weights_file.get_weights());
    assert!(weights_file.load_weights(&path).is_err());
    assert_eq!(bits(&weights_file.get_weights()), before);
    std::fs::remove_file(&path).unwrap();
    // Every truncation is an error.
    for len in 0..bytes.len() {
        assert!(
            Sequential::<f32>::from_bytes(&bytes[..len]).is_err(),
            "truncated at {len}"
        );
    }
}

#[test]
fn set_weights_refuses_negative_variances_and_changes_nothing() {
    let mut model = trained_model();
    let before = model.get_weights();
    let mut weights = before.clone();
    weights[0].fill(0.5); // the first layer's kernel: set before the refusal
    weights[4][[2]] = -1e-3;
    let result = model.set_weights(&weights);
    assert!(
        matches!(result, Err(Error::InvalidParameter { .. })),
        "{result:?}"
    );
    assert_eq!(bits(&model.get_weights()), bits(&before));
    let mut layer = BatchNormalization::<f64>::new(2).unwrap();
    let arrays = vec![ArrayD::from_elem(vec![2], 1.0); 3];
    assert!(matches!(
        layer.set_weights(&arrays),
        Err(Error::WeightCountMismatch {
            expected: 4,
            found: 3,
            ..
        })
    ));
}

#[test]
fn widths_that_do_not_fit_are_refused() {
    let mut model = Sequential::<f32>::new();
    assert!(
        model.add(Dropout::new(0.5).unwrap()).is_err(),
        "a first layer needs a width"
    );
    model.add(Dense::glorot(2, 3, Relu, 0).unwrap()).unwrap();
    let wrong = model.add(BatchNormalization::new(4).unwrap());
    assert!(matches!(
        wrong,
        Err(Error::WidthMismatch {
            expected: 3,
            found: 4,
            ..
        })
    ));
    let wrong = model.add(Dropout::new(0.5).unwrap().with_width(2).unwrap());
    assert!(matches!(wrong, Err(Error::WidthMismatch { .. })));
    assert_eq!(model.len(), 1);
    assert!(matches!(
        BatchNormalization::<f32>::new(0),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        LayerNormalization::<f32>::new(0),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(Dropout::new(f64::NAN).is_err());
    assert!(
        BatchNormalization::<f32>::new(2)
            .unwrap()
            .epsilon(f64::NAN)
            .is_err()
    );
}

/// A failed step changes neither the weights nor the moving statistics.
#[test]
fn a_failed_step_leaves_the_moving_statistics_alone() {
    let mut model = trained_model();
    let before = bits(&model.get_weights());
    let x = array![[f32::NAN, 0.0, 1.0]];
    assert!(
        model
            .train_step(&x, &array![[1.0]], &mut Adam::new(0.1))
            .is_err()
    );
    let bad_labels = array![[2.0_f32]];
    assert!(
        model
            .train_step(&array![[0.0, 0.0, 1.0]], &bad_labels, &mut Adam::new(0.1))
            .is_err()
    );
    assert_eq!(bits(&model.get_weights()), before);
    // A successful one moves them (and only by Keras's rule).
    model
        .train_step(
            &array![[0.0, 0.0, 1.0], [1.0, 2.0, 0.0]],
            &array![[1.0], [0.0]],
            &mut Adam::new(0.1),
        )
        .unwrap();
    assert_ne!(bits(&model.get_weights())[3], before[3]);
}

use super::*;

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

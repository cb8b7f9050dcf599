//! Every case of `summary.json`: `model.summary()` must print Keras's table
//! character for character; parameter counts and bytes must match.

mod common;

use common::{GoldenFloat, count, counts, for_each_case, keras_activation, list, load, name, text};
use neurite::layer::ActivationLayer;
use neurite::{BatchNormalization, Dense, Dropout, LayerNormalization, Sequential};
use serde_json::Value;

#[test]
fn every_summary_case_matches_keras() {
    let file = load("summary.json");
    let checked = for_each_case(&file, check_case::<f32>, check_case::<f64>);
    assert_eq!(checked, 4);
}

fn check_case<T: GoldenFloat>(case: &Value) {
    let case_name = name(case);
    let expected = &case["expected"];
    // The summary depends on shapes only: any weights do.
    let mut model = Sequential::<T>::new();
    for (seed, layer) in list(&expected["layers"]).iter().enumerate() {
        let [inputs, units] = counts(&layer["kernel_shape"])[..] else {
            panic!("{case_name}: a 2-D kernel shape")
        };
        assert_eq!(units, count(&layer["units"]));
        let activation = keras_activation::<T>(text(&layer["activation"]));
        model
            .add(Dense::glorot(inputs, units, activation, seed as u64).unwrap())
            .unwrap();
    }
    assert_eq!(
        model.layers().next().unwrap().input_width(),
        count(&case["inputs"]["input_dim"])
    );

    assert_eq!(
        model.summary().to_string(),
        text(&expected["summary_text"]),
        "{case_name}: summary text"
    );
    let per_layer: Vec<usize> = list(&expected["layers"])
        .iter()
        .map(|layer| count(&layer["param_count"]))
        .collect();
    assert_eq!(model.layer_param_counts(), per_layer, "{case_name}");
    assert_eq!(model.param_count(), count(&expected["total_params"]));
    assert_eq!(
        model.trainable_param_count(),
        count(&expected["trainable_params"])
    );
    assert_eq!(model.non_trainable_param_count(), 0);
    assert_eq!(count(&expected["non_trainable_params"]), 0);
    assert_eq!(
        model.param_count() * size_of::<T>(),
        count(&expected["total_bytes"]),
        "{case_name}: bytes"
    );
}

/// Every case of `summary_keras3.json`: models with BatchNormalization,
/// Dropout, LayerNormalization and Activation layers, whose summary
/// splits trainable and non-trainable parameters.
#[test]
fn every_keras3_summary_case_matches_keras() {
    let file = load("summary_keras3.json");
    let checked = for_each_case(&file, check_keras3_case::<f32>, check_keras3_case::<f64>);
    assert_eq!(checked, 4);
}

fn check_keras3_case<T: GoldenFloat>(case: &Value) {
    let case_name = name(case);
    let expected = &case["expected"];
    let mut model = Sequential::<T>::new();
    let mut width = count(&case["inputs"]["input_dim"]);
    for (seed, layer) in list(&case["inputs"]["layers"]).iter().enumerate() {
        let config = &layer["config"];
        let activation =
            || keras_activation::<T>(config["activation"].as_str().unwrap_or("linear"));
        let added = match text(&layer["class_name"]) {
            "Dense" => {
                let units = count(&config["units"]);
                let dense = Dense::glorot(width, units, activation(), seed as u64).unwrap();
                width = units;
                model.add(dense)
            }
            "BatchNormalization" => model.add(BatchNormalization::new(width).unwrap()),
            "LayerNormalization" => model.add(LayerNormalization::new(width).unwrap()),
            "Dropout" => model.add(Dropout::new(0.5).unwrap()),
            "Activation" => model.add(ActivationLayer::new(activation())),
            other => panic!("{case_name}: unknown layer {other}"),
        };
        added.unwrap();
    }
    assert_eq!(
        model.summary().to_string(),
        text(&expected["summary_text"]),
        "{case_name}: summary text"
    );
    for (layer, keras) in model.layers().zip(list(&expected["layers"])) {
        assert_eq!(layer.class_name(), text(&keras["class_name"]));
        assert_eq!(layer.param_count(), count(&keras["param_count"]));
        assert_eq!(
            layer.trainable_param_count(),
            count(&keras["trainable_params"])
        );
        let shapes: Vec<Vec<usize>> = list(&keras["weights"])
            .iter()
            .map(|w| counts(&w["shape"]))
            .collect();
        assert_eq!(layer.weight_shapes(), shapes, "{case_name}");
        let trainable = list(&keras["weights"])
            .iter()
            .filter(|w| w["trainable"] == true)
            .count();
        assert_eq!(layer.trainable_weight_arrays(), trainable, "{case_name}");
    }
    let size = size_of::<T>();
    assert_eq!(model.param_count(), count(&expected["total_params"]));
    assert_eq!(
        model.trainable_param_count(),
        count(&expected["trainable_params"])
    );
    assert_eq!(
        model.non_trainable_param_count(),
        count(&expected["non_trainable_params"])
    );
    assert_eq!(model.param_count() * size, count(&expected["total_bytes"]));
    assert_eq!(
        model.trainable_param_count() * size,
        count(&expected["trainable_bytes"])
    );
    assert_eq!(
        model.non_trainable_param_count() * size,
        count(&expected["non_trainable_bytes"])
    );
}

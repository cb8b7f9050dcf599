//! Every case of `dense.json`: `Sequential` models of `Dense` layers with
//! Keras's weights; outputs, every layer's output and pre-activation,
//! parameter counts and shapes. Also the tutorial's printed numbers.

mod common;

use common::{
    GoldenFloat, Kind, array2, assert_close, case, count, counts, dense_model, for_each_case,
    keras_activation, list, load, name, number, text,
};
use ndarray::Array2;
use neurite::{Activation, BuiltinActivation};
use serde_json::Value;

#[test]
fn every_dense_case_matches_keras() {
    let file = load("dense.json");
    let checked = for_each_case(&file, check_case::<f32>, check_case::<f64>);
    assert_eq!(checked, 90);
}

fn check_case<T: GoldenFloat>(case: &Value) {
    let case_name = name(case);
    let (inputs, expected) = (&case["inputs"], &case["expected"]);
    let model = dense_model::<T>(&inputs["layers"]);
    let x = array2::<T>(&inputs["x"]);
    let golden_layers = list(&inputs["layers"]);
    assert_eq!(model.len(), golden_layers.len());

    let output = model.forward(&x).unwrap();
    assert_eq!(
        output.shape(),
        counts(&expected["output_shape"]),
        "{case_name}: output shape"
    );
    assert_close(
        case_name,
        "output",
        &output,
        &array2(&expected["output"]),
        Kind::Layer,
    );

    let outputs = model.layer_outputs(&x).unwrap();
    assert_eq!(outputs.len(), model.len());
    assert_eq!(
        outputs.last(),
        Some(&output),
        "{case_name}: last layer output is forward's"
    );
    for (i, (layer, ours)) in model.layers().zip(&outputs).enumerate() {
        let what = format!("layer_outputs[{i}]");
        assert_close(
            case_name,
            &what,
            ours,
            &array2(&expected["layer_outputs"][i]),
            Kind::Layer,
        );
        assert_eq!(
            &model.forward_to(&x, i).unwrap(),
            ours,
            "{case_name}: forward_to({i})"
        );

        // Each layer's affine part on its Keras input (the previous layer's
        // Keras output), so a layer is checked on its own.
        let input = match i {
            0 => x.clone(),
            _ => array2::<T>(&expected["layer_outputs"][i - 1]),
        };
        let mut z = Array2::zeros((x.nrows(), layer.output_width()));
        layer
            .pre_activation_into(input.view(), z.view_mut())
            .unwrap();
        let what = format!("pre_activations[{i}]");
        assert_close(
            case_name,
            &what,
            &z,
            &array2(&expected["pre_activations"][i]),
            Kind::Layer,
        );

        let golden = &golden_layers[i];
        assert_eq!(layer.class_name(), "Dense");
        assert_eq!(layer.output_width(), count(&golden["units"]));
        let activation = text(&golden["activation"]);
        assert_eq!(layer.activation_name(), activation.trim_end_matches("_0.1"));
    }

    assert_eq!(
        model.layer_param_counts(),
        counts(&expected["param_counts"]),
        "{case_name}"
    );
    assert_eq!(
        model.param_count(),
        count(&expected["param_count"]),
        "{case_name}"
    );
}

#[test]
fn every_activation_name_of_the_file_is_known() {
    let file = load("dense.json");
    let names = file["activation_names"].as_object().unwrap();
    let mut keys: Vec<&str> = names.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "elu",
            "leaky_relu_0.1",
            "linear",
            "relu",
            "sigmoid",
            "softmax",
            "tanh"
        ]
    );
    for &key in &keys {
        assert_eq!(
            Activation::<f32>::name(&keras_activation::<f32>(key)),
            key.trim_end_matches("_0.1")
        );
    }
    // leaky_relu_0.1 is TF's float32 slope, also in float64 models.
    match keras_activation::<f64>("leaky_relu_0.1") {
        BuiltinActivation::LeakyRelu(f) => assert_eq!(f.slope(), f64::from(0.1_f32)),
        other => panic!("{other:?}"),
    }
}

/// Distance in float32 steps (both values finite).
fn ulps(a: f32, b: f32) -> u32 {
    let ordered = |v: f32| {
        let bits = v.to_bits() as i32;
        if bits < 0 { i32::MIN - bits } else { bits }
    };
    ordered(a).abs_diff(ordered(b))
}

/// The tutorial printed its float32 outputs with 8 digits; `dense.json`
/// records how far (in ULPs) Keras's values are from the printed ones.
/// Our outputs are at most that far plus 1 ULP.
fn check_printed(case_name: &str, what: &str, ours: &Array2<f32>, printed: &Value, ulp: &Value) {
    for (i, (&ours, printed)) in ours.iter().zip(list(printed)).enumerate() {
        let printed = number(printed) as f32;
        let allowed = count(&list(ulp)[i]) as u32 + 1;
        let distance = ulps(ours, printed);
        assert!(
            distance <= allowed,
            "{case_name}: {what}[{i}]: ours {ours:e}, printed {printed:e}: {distance} ULPs > {allowed}"
        );
    }
}

#[test]
fn tutorial_model_1_outputs() {
    let file = load("dense.json");
    let case = case(&file, "seed_model1_float32");
    let model = dense_model::<f32>(&case["inputs"]["layers"]);
    let output = model.forward(&array2::<f32>(&case["inputs"]["x"])).unwrap();
    let printed = &case["source_document_outputs"];
    check_printed(
        name(case),
        "output",
        &output,
        &printed["output"],
        &printed["ulp_difference"],
    );
    assert_eq!(model.param_count(), 3);
}

#[test]
fn tutorial_model_2_hidden_and_outputs() {
    let file = load("dense.json");
    let case = case(&file, "seed_model2_float32");
    let model = dense_model::<f32>(&case["inputs"]["layers"]);
    let outputs = model
        .layer_outputs(&array2::<f32>(&case["inputs"]["x"]))
        .unwrap();
    let printed = &case["source_document_outputs"];
    for (i, what) in ["hidden (relu)", "output (sigmoid)"]
        .into_iter()
        .enumerate()
    {
        let (values, ulp) = (&printed["layer_outputs"][i], &printed["ulp_difference"][i]);
        check_printed(name(case), what, &outputs[i], values, ulp);
    }
    assert_eq!(model.layer_param_counts(), [3, 2]);
}

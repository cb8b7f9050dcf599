//! Every case of `summary.json`: `model.summary()` must print Keras's table
//! character for character; parameter counts and bytes must match.

mod common;

use common::{GoldenFloat, count, counts, for_each_case, keras_activation, list, load, name, text};
use neurite::{Dense, Sequential};
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
    assert_eq!(model.param_count(), count(&expected["trainable_params"]));
    assert_eq!(count(&expected["non_trainable_params"]), 0);
    assert_eq!(
        model.param_count() * size_of::<T>(),
        count(&expected["total_bytes"]),
        "{case_name}: bytes"
    );
}

//! Every case of `bce.json`: binary cross-entropy from probabilities and
//! from logits (mean, sum, per sample), binary accuracy, sample weights, and
//! `Sequential::evaluate` on the tutorial's model 2.

mod common;

use common::{
    GoldenFloat, Kind, array_d, array1, array2, assert_close, assert_close_scalar, case,
    dense_model, for_each_case, list, load, name, scalar,
};
use ndarray::{Array1, ArrayD};
use neurite::{Activation, Sigmoid, loss};
use serde_json::Value;

#[test]
fn every_bce_case_matches_keras() {
    let file = load("bce.json");
    let checked = for_each_case(&file, check_case::<f32>, check_case::<f64>);
    assert_eq!(checked, 28);
}

fn check_case<T: GoldenFloat>(case: &Value) {
    if name(case).starts_with("evaluate_") {
        return check_evaluate::<T>(case);
    }
    let case_name = name(case);
    let (inputs, expected) = (&case["inputs"], &case["expected"]);
    let y_true = array_d::<T>(&inputs["y_true"]);

    let (per_sample, loss) = if let Some(logits) = inputs.get("logits") {
        // from_logits=True, and Keras's sigmoid outputs (which carry their
        // logits): both use the logits, without clipping.
        let logits = array_d::<T>(logits);
        if let Some(plain) = expected.get("plain_probabilities") {
            check_sigmoid_output::<T>(case_name, &y_true, &logits, plain, expected);
        }
        (
            loss::binary_cross_entropy_with_logits_per_sample(&y_true, &logits).unwrap(),
            loss::binary_cross_entropy_with_logits(&y_true, &logits).unwrap(),
        )
    } else {
        let y_pred = array_d::<T>(&inputs["y_pred"]);
        let per_sample = loss::binary_cross_entropy_per_sample(&y_true, &y_pred).unwrap();
        let (per_sample, loss, accuracy) = match inputs.get("sample_weight") {
            Some(weights) => {
                let weights = array1::<T>(weights);
                (
                    &per_sample * &weights,
                    loss::weighted_mean(&per_sample, &weights).unwrap(),
                    loss::binary_accuracy_weighted(&y_true, &y_pred, &weights).unwrap(),
                )
            }
            None => (
                per_sample,
                loss::binary_cross_entropy(&y_true, &y_pred).unwrap(),
                loss::binary_accuracy(&y_true, &y_pred).unwrap(),
            ),
        };
        let expected_accuracy = scalar(&expected["binary_accuracy"]);
        assert_close_scalar(
            case_name,
            "binary_accuracy",
            accuracy,
            expected_accuracy,
            Kind::Exact,
        );
        (per_sample, loss)
    };

    assert_close_scalar(
        case_name,
        "loss",
        loss,
        scalar(&expected["loss"]),
        Kind::Layer,
    );
    let sum = per_sample.sum();
    let expected_sum = scalar(&expected["loss_reduction_sum"]);
    assert_close_scalar(
        case_name,
        "loss_reduction_sum",
        sum,
        expected_sum,
        Kind::Layer,
    );
    // A 1-D input is one sample, and Keras gives its loss as a scalar.
    let expected_per_sample = match &expected["per_sample_loss"] {
        Value::Array(_) => array1::<T>(&expected["per_sample_loss"]),
        one => Array1::from(vec![scalar::<T>(one)]),
    };
    assert_close(
        case_name,
        "per_sample_loss",
        &per_sample,
        &expected_per_sample,
        Kind::Layer,
    );
}

/// `y_pred = keras.activations.sigmoid(logits)`: our sigmoid gives Keras's
/// probabilities and accuracy; the same probabilities as a plain tensor
/// are clipped (`loss_if_probabilities_are_plain_tensor`).
fn check_sigmoid_output<T: GoldenFloat>(
    case_name: &str,
    y_true: &ArrayD<T>,
    logits: &ArrayD<T>,
    plain: &Value,
    expected: &Value,
) {
    let plain = array_d::<T>(plain);
    let probabilities = logits.mapv(|z| Sigmoid.apply(z));
    assert_close(
        case_name,
        "plain_probabilities",
        &probabilities,
        &plain,
        Kind::Smooth,
    );
    let accuracy = loss::binary_accuracy(y_true, &probabilities).unwrap();
    let expected_accuracy = scalar(&expected["binary_accuracy"]);
    assert_close_scalar(
        case_name,
        "binary_accuracy",
        accuracy,
        expected_accuracy,
        Kind::Exact,
    );
    let clipped = loss::binary_cross_entropy(y_true, &plain).unwrap();
    let expected_clipped = scalar(&expected["loss_if_probabilities_are_plain_tensor"]);
    let what = "loss_if_probabilities_are_plain_tensor";
    assert_close_scalar(case_name, what, clipped, expected_clipped, Kind::Layer);
}

/// `model.evaluate(x, y_true)` with `y_true` of shape `[batch]`, which
/// Keras matches to the `[batch, 1]` output.
fn check_evaluate<T: GoldenFloat>(case: &Value) {
    let case_name = name(case);
    let (inputs, expected) = (&case["inputs"], &case["expected"]);
    let model = dense_model::<T>(&inputs["layers"]);
    let x = array2::<T>(&inputs["x"]);
    let y_true = array1::<T>(&inputs["y_true"]).insert_axis(ndarray::Axis(1));
    let evaluation = model.evaluate(&x, &y_true).unwrap();
    assert_close_scalar(
        case_name,
        "loss",
        evaluation.loss,
        scalar(&expected["loss"]),
        Kind::Layer,
    );
    let accuracy = scalar(&expected["accuracy"]);
    assert_close_scalar(
        case_name,
        "accuracy",
        evaluation.accuracy,
        accuracy,
        Kind::Exact,
    );
    let predictions = model.forward(&x).unwrap();
    let expected_predictions = array2(&expected["predictions"]);
    assert_close(
        case_name,
        "predictions",
        &predictions,
        &expected_predictions,
        Kind::Layer,
    );
}

/// The tutorial's `model.evaluate` printed `[0.6909422874450684, 0.75]`
/// (`source_document_evaluate`): the loss from the sigmoid's logits, not
/// from the clipped probabilities (0.6909421682357788, another case).
#[test]
fn evaluate_reproduces_the_tutorial() {
    let file = load("bce.json");
    let case = case(&file, "evaluate_seed_model2_float32");
    let printed = list(&case["source_document_evaluate"]);
    let model = dense_model::<f32>(&case["inputs"]["layers"]);
    let x = array2::<f32>(&case["inputs"]["x"]);
    let y_true = array1::<f32>(&case["inputs"]["y_true"]).insert_axis(ndarray::Axis(1));
    let evaluation = model.evaluate(&x, &y_true).unwrap();
    let (loss, accuracy) = (scalar::<f32>(&printed[0]), scalar::<f32>(&printed[1]));
    assert_close_scalar(
        name(case),
        "tutorial loss",
        evaluation.loss,
        loss,
        Kind::Layer,
    );
    assert_eq!(evaluation.accuracy, accuracy);

    // The same predictions as a plain tensor are clipped and give Keras's other value.
    let plain = case_value(&file, "bce_seed_model2_predictions_float32");
    assert_ne!(loss, plain);
    assert!((evaluation.loss - loss).abs() < (evaluation.loss - plain).abs());
}

fn case_value(file: &Value, case_name: &str) -> f32 {
    scalar(&case(file, case_name)["expected"]["loss"])
}

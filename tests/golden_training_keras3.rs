//! Training with the losses of `compile` against Keras 3:
//! `tests/golden/training_keras3.json` (a copy of the shared golden file)
//! holds 4→8 relu→3 softmax networks with sparse categorical
//! cross-entropy and Adam and with one-hot categorical cross-entropy and
//! SGD with momentum, and 3→5 tanh→1 regressions with mean squared error
//! and RMSprop and with Huber and SGD: predictions, loss, gradients, three
//! full-batch optimizer steps, and (sparse case) five epochs of `fit` with
//! loss and accuracy histories, within the README's training tolerances.
//!
//! Run with `--nocapture` to see each part's largest deviation as a
//! fraction of its tolerance.

mod common;

use common::training::*;
use neurite::loss::Loss;

/// Cases that need what later issues add: gelu and silu hidden layers
/// (#12).
const LATER: &[(&str, &str)] = &[("gelu_silu_", "#12")];

/// The loss a case compiles, from its name.
fn loss_of(case: &str) -> Loss {
    let losses = [
        (
            "sparse_categorical_crossentropy",
            Loss::sparse_categorical_crossentropy(),
        ),
        ("categorical_crossentropy", Loss::categorical_crossentropy()),
        ("mean_squared_error", Loss::MeanSquaredError),
        ("huber", Loss::huber()),
        ("binary_crossentropy", Loss::binary_crossentropy()),
    ];
    losses
        .into_iter()
        .find(|(name, _)| case.contains(name))
        .map(|(_, loss)| loss)
        .unwrap_or_else(|| panic!("{case}: no loss in its name"))
}

fn keras3_cases<T: Golden>() -> usize {
    let mut count = 0;
    for case in cases::<T>("training_keras3") {
        let name = case["name"].as_str().expect("name");
        if LATER.iter().any(|(prefix, _)| name.starts_with(prefix)) {
            continue;
        }
        let loss = loss_of(name);
        let mut report = Report::new(name);
        forward_and_gradients::<T>(case, loss, &mut report);
        optimizer_steps::<T>(case, loss, &mut report);
        if !case["expected"]["fit"].is_null() {
            fit::<T>(case, loss, &mut report);
        }
        report.print();
        count += 1;
    }
    count
}

#[test]
fn multi_class_and_regression_training_matches_keras_in_float32() {
    assert_eq!(keras3_cases::<f32>(), 5);
}

#[test]
fn multi_class_and_regression_training_matches_keras_in_float64() {
    assert_eq!(keras3_cases::<f64>(), 5);
}

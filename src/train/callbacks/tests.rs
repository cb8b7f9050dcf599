//! The callbacks against Keras 3.15 on scripted monitor values
//! (tests/fixtures/callbacks_keras3.json, from tools/callbacks_keras.py):
//! Keras's own `EarlyStopping` and `ReduceLROnPlateau` ran on the same
//! values, as a float32 model logs them.

use super::*;
use crate::optimizer::Sgd;
use crate::train::metric_sums::LogName;
use crate::{Dense, Linear};
use ndarray::{ArrayD, IxDyn, array};
use serde_json::Value;

fn fixture() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/callbacks_keras3.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn number(value: &Value) -> f64 {
    value.as_f64().unwrap_or_else(|| match value.as_str() {
        Some("nan") => f64::NAN,
        other => panic!("not a number: {other:?}"),
    })
}

fn numbers(value: &Value) -> Vec<f64> {
    value.as_array().unwrap().iter().map(number).collect()
}

/// Everything a `fit` with validation data logs, with Keras's directions.
fn names() -> Vec<LogName> {
    let name = |name: &str, higher_is_better| LogName {
        name: name.to_owned(),
        higher_is_better,
    };
    vec![
        name("loss", false),
        name("accuracy", true),
        name("val_loss", false),
        name("val_accuracy", true),
    ]
}

/// A one-weight model whose weight is the epoch that set it.
fn model() -> Sequential<f32> {
    let mut model = Sequential::new();
    model
        .add(Dense::new(array![[-1.0_f32]], array![0.0], Linear).unwrap())
        .unwrap();
    model
}

fn set_epoch(model: &mut Sequential<f32>, epoch: usize) {
    let weights = [
        ArrayD::from_elem(IxDyn(&[1, 1]), epoch as f32),
        ArrayD::zeros(IxDyn(&[1])),
    ];
    model.set_weights(&weights).unwrap();
}

fn push(history: &mut History<f32>, monitor: &str, value: f64) {
    let series = match monitor {
        "loss" => &mut history.loss,
        "val_loss" => &mut history.val_loss,
        "val_accuracy" => &mut history.val_accuracy,
        other => panic!("no series {other}"),
    };
    series.push(value as f32);
}

fn mode(settings: &Value) -> Mode {
    match settings["mode"].as_str() {
        Some("min") => Mode::Min,
        Some("max") => Mode::Max,
        _ => Mode::Auto,
    }
}

#[test]
fn early_stopping_stops_and_restores_as_keras_does() {
    let cases = fixture()["early_stopping"].as_array().unwrap().clone();
    assert_eq!(cases.len(), 54);
    for case in &cases {
        let settings = &case["settings"];
        let monitor = settings["monitor"].as_str().unwrap();
        let stop = EarlyStopping::new(monitor)
            .patience(settings["patience"].as_u64().unwrap_or(0) as usize)
            .min_delta(settings["min_delta"].as_f64().unwrap_or(0.0))
            .restore_best_weights(settings["restore_best_weights"].as_bool().unwrap_or(false))
            .mode(mode(settings));
        let mut callbacks = Callbacks {
            list: vec![Box::new(stop)],
            names: names(),
        };
        let (mut model, mut history, mut sgd) = (model(), History::default(), Sgd::new(0.1));
        callbacks
            .call(Event::Begin, &mut model, &mut history, &mut sgd)
            .unwrap();
        let mut ran = 0;
        for (epoch, value) in numbers(&case["values"]).into_iter().enumerate() {
            set_epoch(&mut model, epoch);
            push(&mut history, monitor, value);
            ran += 1;
            let event = Event::Epoch(epoch);
            if callbacks
                .call(event, &mut model, &mut history, &mut sgd)
                .unwrap()
            {
                break;
            }
        }
        callbacks
            .call(Event::End, &mut model, &mut history, &mut sgd)
            .unwrap();
        let expected = &case["expected"];
        let weights_of = model.get_weights()[0][[0, 0]];
        assert_eq!(
            (ran as u64, weights_of as u64),
            (
                expected["epochs_run"].as_u64().unwrap(),
                expected["weights_of_epoch"].as_u64().unwrap()
            ),
            "{settings}"
        );
    }
}

#[test]
fn reduce_lr_on_plateau_sets_the_rates_keras_sets() {
    let cases = fixture()["reduce_lr_on_plateau"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(cases.len(), 72);
    for case in &cases {
        let settings = &case["settings"];
        let monitor = settings["monitor"].as_str().unwrap();
        let reduce = ReduceLrOnPlateau::new(monitor)
            .factor(settings["factor"].as_f64().unwrap())
            .patience(settings["patience"].as_u64().unwrap() as usize)
            .cooldown(settings["cooldown"].as_u64().unwrap() as usize)
            .min_lr(settings["min_lr"].as_f64().unwrap())
            .min_delta(settings["min_delta"].as_f64().unwrap());
        let mut callbacks = Callbacks {
            list: vec![Box::new(reduce)],
            names: names(),
        };
        let mut sgd = Sgd::new(case["learning_rate"].as_f64().unwrap());
        let (mut model, mut history) = (model(), History::default());
        callbacks
            .call(Event::Begin, &mut model, &mut history, &mut sgd)
            .unwrap();
        let mut after = Vec::new();
        for (epoch, value) in numbers(&case["values"]).into_iter().enumerate() {
            push(&mut history, monitor, value);
            let event = Event::Epoch(epoch);
            callbacks
                .call(event, &mut model, &mut history, &mut sgd)
                .unwrap();
            after.push(as_applied::<f32>(sgd.learning_rate));
        }
        let logged: Vec<f64> = history
            .get("learning_rate")
            .unwrap()
            .iter()
            .map(|&v| f64::from(v))
            .collect();
        let expected = &case["expected"];
        assert_eq!(
            logged,
            numbers(&expected["learning_rate_logged"]),
            "{settings}"
        );
        assert_eq!(
            after,
            numbers(&expected["learning_rate_after"]),
            "{settings}"
        );
    }
}

#[test]
fn unknown_monitors_and_bad_settings_fail_before_training() {
    let (mut model, mut history, mut sgd) = (model(), History::default(), Sgd::<f32>::new(0.1));
    let bad: Vec<Box<dyn Callback<f32>>> = vec![
        Box::new(EarlyStopping::new("val_mae")),
        Box::new(ReduceLrOnPlateau::new("loss").factor(1.0)),
        Box::new(ReduceLrOnPlateau::new("loss").min_lr(-1.0)),
    ];
    for callback in bad {
        let mut callbacks = Callbacks {
            list: vec![callback],
            names: names(),
        };
        let result = callbacks.call(Event::Begin, &mut model, &mut history, &mut sgd);
        assert!(
            matches!(result, Err(Error::InvalidParameter { .. })),
            "{result:?}"
        );
    }
}

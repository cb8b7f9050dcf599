//! The metrics of `FitOptions::metrics` in `fit`'s history, against
//! Keras's semantics: the golden fit of `training_keras3.json` (Keras's
//! `history.history["accuracy"]` for `metrics=["accuracy"]`, which
//! resolves to sparse categorical accuracy there), and Keras's running
//! means over batches of different sizes, reproduced step by step.

mod common;

use common::training::*;
use ndarray::{Array2, s};
use neurite::loss::Loss;
use neurite::metrics::{self, Metric, MetricKind};
use neurite::{Dense, Error, FitOptions, Relu, Sequential, Sgd, Softmax};

fn golden_fit_metrics<T: Golden>() {
    let name = format!(
        "multiclass_4_8_3_sparse_categorical_crossentropy_adam_{}",
        T::DTYPE
    );
    let case = cases::<T>("training_keras3")
        .find(|case| case["name"] == name.as_str())
        .expect("the sparse fit case");
    let (x, y) = data::<T>(case);
    let expected = &case["expected"]["fit"];
    let mut model = model::<T>(case);
    model.compile(Loss::sparse_categorical_crossentropy());
    let mut adam = optimizer::<T>("Adam", &expected["hyperparameters"]);
    let named = ["sparse_categorical_accuracy", "acc", "accuracy"];
    let metrics = named.map(|name| name.parse::<Metric>().unwrap());
    let options = FitOptions::new(5).batch_size(x.nrows()).metrics(metrics);
    let history = model.fit(&x, &y, adam.as_mut(), options).unwrap();
    let keras = array(&expected["accuracy_history"]);
    let keras: Vec<f64> = keras.iter().copied().collect();
    for name in named {
        let series: Vec<f64> = history
            .get(name)
            .unwrap()
            .iter()
            .map(|v| v.to_f64().unwrap())
            .collect();
        assert_eq!(series, keras, "{name}");
    }
    // "accuracy" is the history's own series, not a second copy.
    assert_eq!(history.metrics.len(), 2);
}

#[test]
fn fit_metrics_match_keras_history_in_float32() {
    golden_fit_metrics::<f32>();
}

#[test]
fn fit_metrics_match_keras_history_in_float64() {
    golden_fit_metrics::<f64>();
}

/// A 3 → 5 relu → 3 softmax classifier, the same weights for every seed.
fn classifier() -> Sequential<f64> {
    let mut model = Sequential::new();
    model
        .add(Dense::glorot(3, 5, Relu, 11).unwrap())
        .unwrap()
        .add(Dense::glorot(5, 3, Softmax, 12).unwrap())
        .unwrap();
    model.compile(Loss::categorical_crossentropy());
    model
}

fn rows() -> (Array2<f64>, Array2<f64>) {
    let x = Array2::from_shape_fn((7, 3), |(i, j)| ((i * 3 + j) as f64 * 0.7).sin());
    let y = Array2::from_shape_fn((7, 3), |(i, j)| f64::from(u8::from(i % 3 == j)));
    (x, y)
}

#[test]
fn training_metrics_are_running_means_over_the_epochs_rows() {
    let (x, y) = rows();
    let (x_val, y_val) = (
        x.slice(s![..4, ..]).to_owned(),
        y.slice(s![..4, ..]).to_owned(),
    );
    let kinds = [
        MetricKind::MeanAbsoluteError,
        MetricKind::MeanSquaredError,
        MetricKind::CategoricalAccuracy,
        MetricKind::TopKCategoricalAccuracy { k: 2 },
    ];
    let options = FitOptions::new(2)
        .batch_size(3)
        .metrics(kinds.map(Metric::new))
        .validation_data(&x_val, &y_val);
    let mut model = classifier();
    let history = model.fit(&x, &y, &mut Sgd::new(0.3), options).unwrap();

    // The same epochs by hand: each batch measured before its update, the
    // sums over the epoch's rows divided by its 7 rows.
    let mut twin = classifier();
    let mut sgd = Sgd::new(0.3);
    for epoch in 0..2 {
        let mut sums = [0.0; 4];
        for start in [0, 3, 6] {
            let end = (start + 3).min(7);
            let (xb, yb) = (x.slice(s![start..end, ..]), y.slice(s![start..end, ..]));
            let p = twin.forward(&xb).unwrap();
            let rows = (end - start) as f64;
            sums[0] += metrics::mean_absolute_error(&yb, &p).unwrap() * rows;
            sums[1] += metrics::mean_squared_error(&yb, &p).unwrap() * rows;
            sums[2] += metrics::categorical_accuracy(&yb, &p).unwrap() * rows;
            sums[3] += metrics::top_k_categorical_accuracy(&yb, &p, 2).unwrap() * rows;
            twin.train_step(&xb, &yb, &mut sgd).unwrap();
        }
        let names = [
            "mean_absolute_error",
            "mean_squared_error",
            "categorical_accuracy",
        ];
        let names = names.into_iter().chain(["top_k_categorical_accuracy"]);
        for (name, sum) in names.zip(sums) {
            let recorded = history.get(name).unwrap()[epoch];
            assert!(
                (recorded - sum / 7.0).abs() < 1e-12,
                "{name} {epoch}: {recorded} {sum}"
            );
        }
    }
    let p = model.forward(&x_val).unwrap();
    let val_mae = history.get("val_mean_absolute_error").unwrap()[1];
    assert!((val_mae - metrics::mean_absolute_error(&y_val, &p).unwrap()).abs() < 1e-12);
    let val_top2 = history.get("val_top_k_categorical_accuracy").unwrap()[1];
    assert_eq!(
        val_top2,
        metrics::top_k_categorical_accuracy(&y_val, &p, 2).unwrap()
    );
}

#[test]
fn metrics_that_do_not_fit_fail_before_the_first_step() {
    let (x, y) = rows();
    let bad = [
        vec![Metric::new(MetricKind::SparseCategoricalAccuracy)],
        vec![Metric::new(MetricKind::TopKCategoricalAccuracy { k: 0 })],
        vec!["mae".parse().unwrap(), "mae".parse().unwrap()],
    ];
    for metrics in bad {
        let mut model = classifier();
        let before = model.get_weights();
        let options = FitOptions::new(1).metrics(metrics.clone());
        let result = model.fit(&x, &y, &mut Sgd::new(0.3), options);
        assert!(
            matches!(
                result,
                Err(Error::ShapeMismatch { .. } | Error::InvalidParameter { .. })
            ),
            "{metrics:?}: {result:?}"
        );
        assert_eq!(model.get_weights(), before);
    }
    assert!("f1_score".parse::<Metric>().is_err());
}

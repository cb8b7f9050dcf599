//! Bad input to training: each mistake is a typed error that says what was
//! expected and what was found, and a failed step leaves the weights (and
//! the optimizer) exactly as they were.

mod common;

use common::tutorial::{data, model};
use ndarray::{Array2, ArrayD, array};
use neurite::{Adam, Error, FitOptions, Maxout, Optimizer, RmsProp, Sequential, Sgd};

/// Runs `step` on a fresh model and Adam, expects an error, and checks that
/// nothing changed: the weights bit for bit, and the optimizer (its next
/// step gives what a fresh optimizer's first step gives).
fn fails_without_change(
    step: impl FnOnce(&mut Sequential<f32>, &mut Adam<f32>) -> Result<(), Error>,
) -> Error {
    let mut model = model();
    let before: Vec<ArrayD<f32>> = model.get_weights();
    let mut adam = Adam::new(0.01);
    let error = step(&mut model, &mut adam).expect_err("the step must fail");
    assert_eq!(
        model.get_weights(),
        before,
        "weights changed by a failed step ({error})"
    );
    assert_eq!(
        adam.iterations(),
        0,
        "optimizer advanced by a failed step ({error})"
    );
    // The optimizer's state is untouched too: the next step is a first step.
    let (x, y) = data();
    model.train_step(&x, &y, &mut adam).unwrap();
    let mut reference = self::model();
    reference.train_step(&x, &y, &mut Adam::new(0.01)).unwrap();
    assert_eq!(model.get_weights(), reference.get_weights());
    error
}

fn step_with(x: Array2<f32>, y: Array2<f32>) -> Error {
    fails_without_change(|model, adam| model.train_step(&x, &y, adam).map(|_| ()))
}

fn fit_with(x: Array2<f32>, y: Array2<f32>) -> Error {
    fails_without_change(|model, adam| model.fit(&x, &y, adam, FitOptions::new(2)).map(|_| ()))
}

#[test]
fn labels_outside_zero_one_are_rejected() {
    let (x, mut y) = data();
    y[[3, 0]] = 1.5;
    let error = step_with(x.clone(), y.clone());
    assert_eq!(
        error,
        Error::LabelOutOfRange {
            index: 3,
            value: 1.5
        }
    );
    assert_eq!(
        error.to_string(),
        "label 3: expected a value in [0, 1], found 1.5"
    );
    y[[3, 0]] = -0.25;
    assert!(matches!(
        fit_with(x.clone(), y.clone()),
        Error::LabelOutOfRange { index: 3, .. }
    ));
    y[[3, 0]] = f32::NAN;
    assert!(
        matches!(step_with(x, y), Error::LabelOutOfRange { index: 3, value } if value.is_nan())
    );
}

#[test]
fn nan_and_infinities_in_the_data_are_rejected() {
    let (mut x, y) = data();
    x[[2, 1]] = f32::NAN;
    let error = step_with(x.clone(), y.clone());
    assert!(
        matches!(&error, Error::NonFiniteInput { what, index: 5, value } if what == "input batch" && value.is_nan())
    );
    assert_eq!(
        error.to_string(),
        "input batch: expected finite values, found NaN at index 5"
    );
    x[[2, 1]] = f32::INFINITY;
    assert!(matches!(
        fit_with(x, y),
        Error::NonFiniteInput { index: 5, .. }
    ));
}

#[test]
fn mismatched_rows_and_widths_are_rejected() {
    let (x, y) = data();
    let short = y.slice(ndarray::s![..7, ..]).to_owned();
    let error = step_with(x.clone(), short.clone());
    assert_eq!(
        error,
        Error::ShapeMismatch {
            what: "labels".into(),
            expected: vec![8, 1],
            found: vec![7, 1]
        }
    );
    assert_eq!(
        error.to_string(),
        "labels: expected shape [8, 1], found [7, 1]"
    );
    assert!(matches!(
        fit_with(x.clone(), short),
        Error::ShapeMismatch { .. }
    ));
    let wide = Array2::zeros((8, 2));
    assert!(
        matches!(step_with(x, wide), Error::ShapeMismatch { expected, .. } if expected == [8, 1])
    );
    let narrow = Array2::zeros((8, 3));
    assert!(matches!(
        step_with(narrow, y),
        Error::WidthMismatch {
            expected: 2,
            found: 3,
            ..
        }
    ));
}

#[test]
fn empty_batches_and_models_are_rejected() {
    assert!(matches!(
        step_with(Array2::zeros((0, 2)), Array2::zeros((0, 1))),
        Error::EmptyBatch { .. }
    ));
    let (x, y) = data();
    let mut empty = Sequential::<f32>::new();
    assert_eq!(
        empty.train_step(&x, &y, &mut Sgd::default()),
        Err(Error::EmptyModel)
    );
    assert!(matches!(empty.gradients(&x, &y), Err(Error::EmptyModel)));
}

#[test]
fn bad_learning_rates_are_rejected_by_every_optimizer() {
    let (x, y) = data();
    for lr in [0.0, -0.01, f64::NAN, f64::INFINITY] {
        let optimizers: Vec<Box<dyn Optimizer<f32>>> = vec![
            Box::new(Sgd::new(lr)),
            Box::new(RmsProp::new(lr)),
            Box::new(Adam::new(lr)),
        ];
        for mut optimizer in optimizers {
            let mut model = model();
            let before = model.get_weights();
            let error = model.train_step(&x, &y, optimizer.as_mut()).unwrap_err();
            assert!(
                matches!(&error, Error::InvalidParameter { name: "learning_rate", found, .. } if *found == lr.to_string()),
                "{error:?}"
            );
            assert!(
                error
                    .to_string()
                    .starts_with("learning_rate: expected a finite number > 0, found")
            );
            let fit = model.fit(&x, &y, optimizer.as_mut(), FitOptions::new(1));
            assert!(matches!(
                fit,
                Err(Error::InvalidParameter {
                    name: "learning_rate",
                    ..
                })
            ));
            assert_eq!(model.get_weights(), before);
            assert_eq!(optimizer.iterations(), 0);
        }
    }
}

#[test]
fn other_bad_hyperparameters_are_named() {
    let (x, y) = data();
    let cases: Vec<(Box<dyn Optimizer<f32>>, &str)> = vec![
        (Box::new(Sgd::with_momentum(0.01, 1.5)), "momentum"),
        (Box::new(Sgd::with_momentum(0.01, f64::NAN)), "momentum"),
        (Box::new(RmsProp::default().rho(-0.1)), "rho"),
        (Box::new(RmsProp::default().epsilon(-1e-7)), "epsilon"),
        (Box::new(RmsProp::default().momentum(2.0)), "momentum"),
        (Box::new(Adam::default().beta_1(1.0)), "beta_1"),
        (Box::new(Adam::default().beta_2(-0.5)), "beta_2"),
        (Box::new(Adam::default().epsilon(f64::NAN)), "epsilon"),
    ];
    for (mut optimizer, expected) in cases {
        let mut model = model();
        let before = model.get_weights();
        let error = model.train_step(&x, &y, optimizer.as_mut()).unwrap_err();
        assert!(
            matches!(error, Error::InvalidParameter { name, .. } if name == expected),
            "{error:?}"
        );
        assert_eq!(model.get_weights(), before);
    }
}

#[test]
fn a_batch_size_of_zero_is_rejected() {
    let (x, y) = data();
    let error = fails_without_change(|model, adam| {
        model
            .fit(&x, &y, adam, FitOptions::new(3).batch_size(0))
            .map(|_| ())
    });
    assert_eq!(
        error,
        Error::InvalidParameter {
            name: "batch_size",
            expected: "at least 1",
            found: "0".into()
        }
    );
    assert_eq!(
        error.to_string(),
        "batch_size: expected at least 1, found 0"
    );
}

#[test]
fn bad_validation_data_is_rejected_before_training() {
    let (x, y) = data();
    let mut bad_y = y.clone();
    bad_y[[0, 0]] = 2.0;
    let error = fails_without_change(|model, adam| {
        let options = FitOptions::new(2).validation_data(&x, &bad_y);
        model.fit(&x, &y, adam, options).map(|_| ())
    });
    assert!(matches!(error, Error::LabelOutOfRange { index: 0, .. }));
    let mut bad_x = x.clone();
    bad_x[[1, 1]] = f32::NEG_INFINITY;
    let error = fails_without_change(|model, adam| {
        let options = FitOptions::new(2).validation_data(&bad_x, &y);
        model.fit(&x, &y, adam, options).map(|_| ())
    });
    assert!(
        matches!(error, Error::NonFiniteInput { what, index: 3, .. } if what == "validation input batch")
    );
    let short = y.slice(ndarray::s![..4, ..]).to_owned();
    let error = fails_without_change(|model, adam| {
        let options = FitOptions::new(2).validation_data(&x, &short);
        model.fit(&x, &y, adam, options).map(|_| ())
    });
    assert!(matches!(error, Error::ShapeMismatch { what, .. } if what == "validation labels"));
}

#[test]
fn set_weights_checks_the_count_and_every_shape_first() {
    let mut model = model();
    let before = model.get_weights();
    let error = model.set_weights(&before[..3]).unwrap_err();
    assert_eq!(
        error,
        Error::WeightCountMismatch {
            what: "model".into(),
            expected: 4,
            found: 3
        }
    );
    assert_eq!(
        error.to_string(),
        "model weights: expected 4 arrays (in Keras's get_weights order), found 3"
    );
    // A good first layer and a bad last bias: nothing may change.
    let mut weights: Vec<ArrayD<f32>> = before.iter().map(|w| w.mapv(|v| v + 1.0)).collect();
    weights[3] = ArrayD::zeros(vec![2]);
    let error = model.set_weights(&weights).unwrap_err();
    assert_eq!(
        error,
        Error::ShapeMismatch {
            what: "layer 1 (Dense) weight 1".into(),
            expected: vec![1],
            found: vec![2]
        }
    );
    assert_eq!(model.get_weights(), before);
    // The right arrays in any memory layout are fine.
    let biases = Array2::from_shape_vec((2, 2), vec![1.0_f32, 2.0, 3.0, 4.0])
        .unwrap()
        .reversed_axes();
    let mut maxout = Sequential::<f32>::new();
    maxout.add(Maxout::glorot(2, 1, 2, 0).unwrap()).unwrap();
    let kernels = ArrayD::from_shape_vec(vec![2, 1, 2], vec![1.0, 2.0, 3.0, 4.0]).unwrap();
    maxout
        .set_weights(&[kernels.clone(), biases.clone().into_dyn()])
        .unwrap();
    assert_eq!(
        maxout.get_weights(),
        [kernels, array![[1.0, 3.0], [2.0, 4.0]].into_dyn()]
    );
    assert_eq!(maxout.get_weights()[1], biases.into_dyn());
}

#[test]
fn gradients_reports_the_same_errors_as_train_step() {
    let (x, mut y) = data();
    let model = model();
    y[[0, 0]] = 3.0;
    assert!(matches!(
        model.gradients(&x, &y),
        Err(Error::LabelOutOfRange { index: 0, .. })
    ));
}

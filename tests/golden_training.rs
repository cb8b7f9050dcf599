//! Training against Keras: `tests/golden/training.json` (a copy of
//! `/work/shared/golden/training.json`) holds, for the tutorial's model 2
//! and a 3→4→3→1 network in float32 and float64, the loss gradients, three
//! full-batch steps of SGD, SGD with momentum, RMSprop and Adam, and a
//! 5-epoch `fit` with Adam(0.01). `tests/golden/maxout.json` holds Maxout's
//! gradients. Every number comes from the files; tolerances are the
//! README's ("gradients, optimizer steps, fit": rtol 1e-5 / atol 1e-6 in
//! float32, rtol 1e-10 / atol 1e-13 in float64; Maxout as "Dense, Maxout,
//! BCE"; accuracies exact).
//!
//! Run with `--nocapture` to see the largest deviation of each part as a
//! fraction of its tolerance.

use ndarray::{Array2, Array3, ArrayD, ArrayView2, IxDyn};
use neurite::loss::Loss;
use neurite::{Adam, FitOptions, Layer, Maxout};

mod common;

use common::training::*;

fn training_cases<T: Golden>() {
    let mut count = 0;
    for case in cases::<T>("training") {
        let mut report = Report::new(case["name"].as_str().expect("name"));
        forward_and_gradients::<T>(case, Loss::default(), &mut report);
        optimizer_steps::<T>(case, Loss::default(), &mut report);
        fit::<T>(case, Loss::default(), &mut report);
        report.print();
        count += 1;
    }
    assert_eq!(count, 2, "two {} training cases", T::DTYPE);
}

#[test]
fn training_matches_keras_in_float32() {
    training_cases::<f32>();
}

#[test]
fn training_matches_keras_in_float64() {
    training_cases::<f64>();
}

/// Maxout's backward pass against numpy: the gradients of `sum(output)`
/// with respect to `W`, `b` and `x`; the winning piece takes the gradient.
fn maxout_cases<T: Golden>() {
    let mut count = 0;
    for case in cases::<T>("maxout") {
        let mut report = Report::new(case["name"].as_str().expect("name"));
        let x = matrix::<T>(&case["inputs"]["x"]);
        let kernels: Array3<T> = cast::<T>(&array(&case["inputs"]["W"]))
            .into_dimensionality()
            .expect("3-D");
        let biases = matrix::<T>(&case["inputs"]["b"]);
        let layer = Maxout::new(kernels, biases).expect("layer");
        let (rows, units) = (x.nrows(), layer.output_width());
        let mut pre = Array2::zeros((rows, units));
        let mut out = Array2::zeros((rows, units));
        let mut trace = Array2::zeros((rows, layer.trace_width()));
        layer
            .forward_train(x.view(), pre.view_mut(), trace.view_mut(), out.view_mut())
            .unwrap();
        let expected = &case["expected"];
        report.check(
            "output",
            &out.clone().into_dyn(),
            &array(&expected["output"]),
            T::LAYER,
        );
        let ones: Array2<T> = Array2::ones((rows, units));
        let mut grads = vec![T::zero(); layer.param_count()];
        let mut grad_x = Array2::zeros(x.raw_dim());
        layer
            .backward_affine(
                x.view(),
                trace.view_mut(),
                ones.view(),
                &mut grads,
                Some(grad_x.view_mut()),
            )
            .unwrap();
        let split = layer.kernels().len();
        let w = ArrayD::from_shape_vec(IxDyn(layer.kernels().shape()), grads[..split].to_vec())
            .unwrap();
        let b =
            ArrayD::from_shape_vec(IxDyn(layer.biases().shape()), grads[split..].to_vec()).unwrap();
        report.check(
            "grad W",
            &w,
            &array(&expected["grad_sum_output_wrt_W"]),
            T::LAYER,
        );
        report.check(
            "grad b",
            &b,
            &array(&expected["grad_sum_output_wrt_b"]),
            T::LAYER,
        );
        report.check(
            "grad x",
            &grad_x.into_dyn(),
            &array(&expected["grad_sum_output_wrt_x"]),
            T::LAYER,
        );
        report.print();
        count += 1;
    }
    assert_eq!(count, 4, "four {} maxout cases", T::DTYPE);
}

#[test]
fn maxout_gradients_match_numpy_in_float32() {
    maxout_cases::<f32>();
}

#[test]
fn maxout_gradients_match_numpy_in_float64() {
    maxout_cases::<f64>();
}

/// Keras's `loss_history[0]` is `evaluate` on the initial weights, and the
/// weights `fit` leaves equal those of the same number of `train_step`s.
#[test]
fn fit_with_full_batches_is_train_step_per_epoch() {
    let case = cases::<f64>("training").next().expect("a case");
    let (x, y) = data::<f64>(case);
    let mut stepped = model::<f64>(case);
    let mut adam = Adam::new(0.01);
    let losses: Vec<f64> = (0..5)
        .map(|_| stepped.train_step(&x, &y, &mut adam).unwrap())
        .collect();
    let mut fitted = model::<f64>(case);
    let initial = fitted.evaluate(&x, &y).unwrap().loss;
    let history = fitted
        .fit(
            &x,
            &y,
            &mut Adam::new(0.01),
            FitOptions::new(5).batch_size(64),
        )
        .unwrap();
    assert_eq!(history.loss, losses);
    assert_eq!(history.loss[0], initial);
    assert_eq!(fitted.get_weights(), stepped.get_weights());
    let view: ArrayView2<'_, f64> = x.view();
    assert_eq!(fitted.forward(&view).unwrap(), stepped.forward(&x).unwrap());
}

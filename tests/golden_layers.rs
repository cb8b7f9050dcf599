//! Every case of `tests/golden/layers.json` (a copy of the shared golden
//! file): BatchNormalization in training and inference mode with its
//! moving statistics and gradients, LayerNormalization outputs and
//! gradients, Dropout's rule and the Activation layer, within the README's
//! normalisation tolerances (rtol 1e-5, atol 1e-5 in float32; 1e-12, 1e-13
//! in float64).
//!
//! Run with `--nocapture` to see each part's largest deviation as a
//! fraction of its tolerance.

mod common;

use common::training::{Golden, Report, Tolerance, array, cast, number};
use ndarray::{Array2, ArrayD};
use neurite::layer::ActivationLayer;
use neurite::{
    Activation, BatchNormalization, BuiltinActivation, Dropout, Layer, LayerNormalization,
    TrainingStep,
};
use serde_json::Value;

fn load() -> Value {
    let path = format!("{}/tests/golden/layers.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).expect("layers.json")).expect("JSON")
}

/// The README's tolerance for the normalisations.
fn normalization<T: Golden>() -> Tolerance {
    match T::DTYPE {
        "float32" => Tolerance {
            rtol: 1e-5,
            atol: 1e-5,
        },
        _ => Tolerance {
            rtol: 1e-12,
            atol: 1e-13,
        },
    }
}

fn input<T: Golden>(case: &Value, name: &str) -> ArrayD<T> {
    cast::<T>(&array(&case["inputs"][name]))
}

fn matrix<T: Golden>(case: &Value, name: &str) -> Array2<T> {
    input::<T>(case, name).into_dimensionality().expect("2-D")
}

/// The weights a case gives, in Keras's order (the ones it has).
fn given_weights<T: Golden>(case: &Value) -> Vec<ArrayD<T>> {
    let names = ["gamma", "beta", "moving_mean", "moving_variance"];
    let present = names
        .iter()
        .filter(|name| !case["inputs"][**name].is_null());
    present.map(|name| input::<T>(case, name)).collect()
}

fn flag(case: &Value, name: &str) -> bool {
    case["config"][name].as_bool().expect("bool")
}

/// Layer counts and weight names against the case's.
fn check_counts<T: Golden>(case: &Value, layer: &dyn Layer<T>) {
    let expected = &case["expected"];
    let count = |name: &str| expected[name].as_u64().expect("count") as usize;
    assert_eq!(layer.param_count(), count("param_count"));
    if !expected["trainable_params"].is_null() {
        assert_eq!(layer.trainable_param_count(), count("trainable_params"));
        let non_trainable = layer.param_count() - layer.trainable_param_count();
        assert_eq!(non_trainable, count("non_trainable_params"));
    }
    if !expected["weights_order"].is_null() {
        let names: Vec<&str> = expected["weights_order"]
            .as_array()
            .expect("names")
            .iter()
            .map(|name| name.as_str().expect("name"))
            .collect();
        assert_eq!(
            layer.spec().expect("a built-in layer").weight_names(),
            names
        );
    }
}

/// The gradients of `sum(upstream · y)` after a training forward pass with
/// `step`: `(∂/∂x, ∂/∂trainable weights)`.
fn backward<T: Golden>(
    layer: &dyn Layer<T>,
    x: &Array2<T>,
    trace: &mut Array2<T>,
    upstream: &Array2<T>,
    step: &mut TrainingStep<'_, T>,
) -> (Array2<T>, Vec<T>) {
    let mut grad_x = Array2::zeros(x.dim());
    let mut weight_grads = vec![T::zero(); layer.trainable_param_count()];
    layer
        .backward_affine_step(
            x.view(),
            trace.view_mut(),
            upstream.view(),
            &mut weight_grads,
            Some(grad_x.view_mut()),
            step,
        )
        .expect("backward");
    (grad_x, weight_grads)
}

/// Checks `grad_gamma` and `grad_beta`, which lie one after the other in
/// `weight_grads` (those the case has).
fn check_weight_grads<T: Golden>(case: &Value, weight_grads: &[T], report: &mut Report) {
    let mut rest = weight_grads;
    for name in ["grad_gamma", "grad_beta"] {
        if case["expected"][name].is_null() {
            continue;
        }
        let expected = array(&case["expected"][name]);
        let (this, after) = rest.split_at(expected.len());
        let actual = ArrayD::from_shape_vec(expected.shape(), this.to_vec()).expect("shape");
        report.check(name, &actual, &expected, normalization::<T>());
        rest = after;
    }
    assert!(rest.is_empty(), "gradients without an expected value");
}

fn batch_normalization<T: Golden>(case: &Value, report: &mut Report) {
    let config = &case["config"];
    let x = matrix::<T>(case, "x");
    let mut layer = BatchNormalization::<T>::new(x.ncols())
        .and_then(|bn| bn.momentum(number(&config["momentum"])))
        .and_then(|bn| bn.epsilon(number(&config["epsilon"])))
        .expect("layer")
        .center(flag(case, "center"))
        .scale(flag(case, "scale"));
    layer
        .set_weights(&given_weights::<T>(case))
        .expect("weights");
    check_counts::<T>(case, &layer);
    let expected = &case["expected"];
    let tol = normalization::<T>();
    let check = |report: &mut Report, name: &str, actual: ArrayD<T>| {
        report.check(name, &actual, &array(&expected[name]), tol);
    };
    check(
        report,
        "output_inference",
        layer.forward(x.view()).unwrap().into_dyn(),
    );

    let (mut pre, mut out) = (Array2::zeros(x.dim()), Array2::zeros(x.dim()));
    let mut trace = Array2::zeros((x.nrows(), 0));
    let mut statistics = vec![T::zero(); layer.batch_statistics_len()];
    let mut step = TrainingStep::new(0, 0, &mut statistics);
    let views = (pre.view_mut(), trace.view_mut(), out.view_mut());
    layer
        .forward_train_step(x.view(), views.0, views.1, views.2, &mut step)
        .unwrap();
    assert_eq!(pre, out);
    check(report, "output_training", out.into_dyn());
    let upstream = matrix::<T>(case, "upstream");
    let (grad_x, weight_grads) = backward::<T>(&layer, &x, &mut trace, &upstream, &mut step);
    check(report, "grad_x", grad_x.into_dyn());
    check_weight_grads::<T>(case, &weight_grads, report);

    let f = x.ncols();
    let vector = |values: &[T]| ArrayD::from_shape_vec(vec![f], values.to_vec()).unwrap();
    check(report, "batch_mean", vector(&statistics[..f]));
    check(report, "batch_variance", vector(&statistics[f..2 * f]));
    layer.apply_batch_statistics(&statistics);
    check(
        report,
        "moving_mean_after",
        layer.moving_mean().clone().into_dyn(),
    );
    check(
        report,
        "moving_variance_after",
        layer.moving_variance().clone().into_dyn(),
    );
    let after = layer.forward(x.view()).unwrap().into_dyn();
    check(report, "output_inference_after_update", after);
}

fn layer_normalization<T: Golden>(case: &Value, report: &mut Report) {
    let x = matrix::<T>(case, "x");
    let epsilon = number(&case["config"]["epsilon"]);
    let mut layer = LayerNormalization::<T>::new(x.ncols())
        .and_then(|ln| ln.epsilon(epsilon))
        .expect("layer")
        .center(flag(case, "center"))
        .scale(flag(case, "scale"));
    layer
        .set_weights(&given_weights::<T>(case))
        .expect("weights");
    check_counts::<T>(case, &layer);
    let expected = &case["expected"];
    let tol = normalization::<T>();
    let output = layer.forward(x.view()).unwrap();
    report.check(
        "output",
        &output.clone().into_dyn(),
        &array(&expected["output"]),
        tol,
    );

    let (mut pre, mut out) = (Array2::zeros(x.dim()), Array2::zeros(x.dim()));
    let mut trace = Array2::zeros((x.nrows(), layer.trace_width()));
    let views = (pre.view_mut(), trace.view_mut(), out.view_mut());
    layer
        .forward_train(x.view(), views.0, views.1, views.2)
        .unwrap();
    assert_eq!(out, output, "training and inference agree");
    let upstream = matrix::<T>(case, "upstream");
    let mut step = TrainingStep::new(0, 0, &mut []);
    let (grad_x, weight_grads) = backward::<T>(&layer, &x, &mut trace, &upstream, &mut step);
    report.check(
        "grad_x",
        &grad_x.into_dyn(),
        &array(&expected["grad_x"]),
        tol,
    );
    check_weight_grads::<T>(case, &weight_grads, report);
}

fn dropout<T: Golden>(case: &Value, report: &mut Report) {
    let rate = number(&case["config"]["rate"]);
    let x = matrix::<T>(case, "x");
    let layer = Dropout::new(rate).unwrap().with_width(x.ncols()).unwrap();
    check_counts::<T>(case, &layer);
    let inference = Layer::<T>::forward(&layer, x.view()).unwrap().into_dyn();
    let exact = Tolerance {
        rtol: 0.0,
        atol: 0.0,
    };
    report.check(
        "output_inference",
        &inference,
        &array(&case["expected"]["output_inference"]),
        exact,
    );
    let shape: Vec<usize> = case["expected"]["output_shape"]
        .as_array()
        .expect("shape")
        .iter()
        .map(|d| d.as_u64().expect("size") as usize)
        .collect();
    assert_eq!(inference.shape(), shape);
    // Training: every value is 0 or exactly x · training_scale.
    let scale = T::from(number(&case["expected"]["training_scale"])).unwrap();
    let (mut pre, mut out) = (Array2::zeros(x.dim()), Array2::zeros(x.dim()));
    let mut trace = Array2::zeros((x.nrows(), 0));
    for seed in 0..20 {
        let mut step = TrainingStep::new(seed, 0, &mut []);
        let views = (pre.view_mut(), trace.view_mut(), out.view_mut());
        layer
            .forward_train_step(x.view(), views.0, views.1, views.2, &mut step)
            .unwrap();
        for (&y, &v) in out.iter().zip(&x) {
            assert!(y == T::zero() || y == v * scale, "{y:?} for {v:?}");
        }
    }
}

fn activation_layer<T: Golden>(case: &Value, report: &mut Report) {
    let name = case["config"]["activation"].as_str().expect("name");
    let activation: BuiltinActivation<T> = name.parse().expect("a Keras name");
    let resolves_to = case["expected"]["resolves_to"].as_str().expect("name");
    assert_eq!(
        Some(activation.name()),
        resolves_to.strip_prefix("keras.activations.")
    );
    let x = input::<T>(case, "x");
    let x = x
        .clone()
        .into_shape_with_order((1, x.len()))
        .expect("a row");
    let layer = ActivationLayer::new(activation)
        .with_width(x.ncols())
        .unwrap();
    check_counts::<T>(case, &layer);
    let output = layer.forward(x.view()).unwrap();
    // TF's float64 gelu uses float32 constants (the README), neurite the
    // exact ones (checked against `y_exact` in golden_activations_keras3).
    let tf_differs = name == "gelu" && T::DTYPE == "float64";
    if !tf_differs {
        let expected = array(&case["expected"]["output"]);
        let output = output
            .clone()
            .into_shape_with_order(expected.shape())
            .unwrap();
        report.check("output", &output, &expected, T::LAYER);
    }
    // ∂ sum(output) / ∂x through the activation's and the identity's backward passes.
    let mut grad = Array2::from_elem(x.dim(), T::one());
    layer.backward_activation(x.view(), output.view(), grad.view_mut());
    let mut grad_x = Array2::zeros(x.dim());
    let mut trace = Array2::zeros((1, 0));
    layer
        .backward_affine(
            x.view(),
            trace.view_mut(),
            grad.view(),
            &mut [],
            Some(grad_x.view_mut()),
        )
        .unwrap();
    let derivatives = x.mapv(|v| activation.derivative(v));
    assert_eq!(
        grad_x, derivatives,
        "the gradient is the activation's derivative"
    );
    if !tf_differs {
        let expected = array(&case["expected"]["dy_dx"]);
        let grad_x = grad_x.into_shape_with_order(expected.shape()).unwrap();
        report.check("dy_dx", &grad_x, &expected, T::TRAINING);
    }
}

fn all_cases<T: Golden>() -> usize {
    let file = load();
    let mut count = 0;
    for case in file["cases"].as_array().expect("cases") {
        if case["dtype"] != T::DTYPE {
            continue;
        }
        let mut report = Report::new(case["name"].as_str().expect("name"));
        match case["layer"].as_str().expect("layer") {
            "BatchNormalization" => batch_normalization::<T>(case, &mut report),
            "LayerNormalization" => layer_normalization::<T>(case, &mut report),
            "Dropout" => dropout::<T>(case, &mut report),
            "Activation" => activation_layer::<T>(case, &mut report),
            other => panic!("unknown layer {other}"),
        }
        report.print();
        count += 1;
    }
    count
}

#[test]
fn every_layer_case_matches_keras_in_float32() {
    assert_eq!(all_cases::<f32>(), 18);
}

#[test]
fn every_layer_case_matches_keras_in_float64() {
    assert_eq!(all_cases::<f64>(), 18);
}

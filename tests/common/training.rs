//! Helpers of the training golden tests (training.json and
//! training_keras3.json): the float types with their tolerances, loading
//! and converting cases, models and optimizers from a case, and the
//! deviation report.

use ndarray::{Array1, Array2, ArrayD, IxDyn};
use neurite::layer::ActivationLayer;
use neurite::loss::Loss;
use neurite::{
    Adam, BatchNormalization, BuiltinActivation, Dense, Element, FitOptions, Layer, Optimizer,
    RmsProp, Sequential, Sgd,
};
use serde_json::Value;
use std::sync::OnceLock;

/// The float types of the golden cases.
pub trait Golden: Element {
    const DTYPE: &'static str;
    /// Tolerance for gradients, optimizer steps and fit.
    const TRAINING: Tolerance;
    /// Tolerance for Dense / Maxout / BCE values.
    const LAYER: Tolerance;
}

impl Golden for f32 {
    const DTYPE: &'static str = "float32";
    const TRAINING: Tolerance = Tolerance {
        rtol: 1e-5,
        atol: 1e-6,
    };
    const LAYER: Tolerance = Tolerance {
        rtol: 1e-5,
        atol: 1e-6,
    };
}

impl Golden for f64 {
    const DTYPE: &'static str = "float64";
    const TRAINING: Tolerance = Tolerance {
        rtol: 1e-10,
        atol: 1e-13,
    };
    const LAYER: Tolerance = Tolerance {
        rtol: 1e-12,
        atol: 1e-14,
    };
}

#[derive(Debug, Clone, Copy)]
pub struct Tolerance {
    pub rtol: f64,
    pub atol: f64,
}

pub fn load(name: &str) -> &'static Value {
    static TRAINING: OnceLock<Value> = OnceLock::new();
    static MAXOUT: OnceLock<Value> = OnceLock::new();
    static KERAS3: OnceLock<Value> = OnceLock::new();
    let cell = match name {
        "training" => &TRAINING,
        "maxout" => &MAXOUT,
        "training_keras3" => &KERAS3,
        _ => unreachable!(),
    };
    cell.get_or_init(|| {
        let path = format!("{}/tests/golden/{name}.json", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        serde_json::from_str(&text).expect("valid JSON")
    })
}

pub fn cases<T: Golden>(file: &str) -> impl Iterator<Item = &'static Value> {
    load(file)["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .filter(|case| case["dtype"] == T::DTYPE)
}

/// A JSON number or one of the strings `"nan"`, `"inf"`, `"-inf"`.
pub fn number(value: &Value) -> f64 {
    match value {
        Value::Number(n) => n.as_f64().expect("f64"),
        Value::String(s) if s == "nan" => f64::NAN,
        Value::String(s) if s == "inf" => f64::INFINITY,
        Value::String(s) if s == "-inf" => f64::NEG_INFINITY,
        other => panic!("not a number: {other}"),
    }
}

/// A nested JSON list as an array of `f64` (a scalar as a 0-D array).
pub fn array(value: &Value) -> ArrayD<f64> {
    fn walk(value: &Value, depth: usize, shape: &mut Vec<usize>, flat: &mut Vec<f64>) {
        match value {
            Value::Array(items) => {
                if shape.len() == depth {
                    shape.push(items.len());
                }
                items
                    .iter()
                    .for_each(|item| walk(item, depth + 1, shape, flat));
            }
            other => flat.push(number(other)),
        }
    }
    let (mut shape, mut flat) = (Vec::new(), Vec::new());
    walk(value, 0, &mut shape, &mut flat);
    ArrayD::from_shape_vec(IxDyn(&shape), flat).expect("rectangular")
}

/// Converts golden `f64` values to `T`; float32 values are exact float32s.
pub fn cast<T: Golden>(values: &ArrayD<f64>) -> ArrayD<T> {
    values.mapv(|v| {
        let t = T::from(v).expect("representable");
        assert!(
            v.is_nan() || t.to_f64() == Some(v),
            "{v} is not a {}",
            T::DTYPE
        );
        t
    })
}

pub fn matrix<T: Golden>(value: &Value) -> Array2<T> {
    cast::<T>(&array(value)).into_dimensionality().expect("2-D")
}

/// The largest `|actual - expected| / (atol + rtol·|expected|)`: at most 1
/// means within tolerance.
pub fn deviation<T: Golden>(actual: &ArrayD<T>, expected: &ArrayD<f64>, tol: Tolerance) -> f64 {
    assert_eq!(actual.shape(), expected.shape(), "shapes");
    actual
        .iter()
        .zip(expected)
        .map(|(&a, &e)| {
            let a = a.to_f64().expect("f64");
            if e.is_nan() {
                assert!(a.is_nan(), "expected NaN, found {a}");
                0.0
            } else {
                (a - e).abs() / (tol.atol + tol.rtol * e.abs())
            }
        })
        .fold(0.0, f64::max)
}

/// Records the worst deviation of a part of a case, and fails past 1.
pub struct Report {
    case: String,
    worst: Vec<(String, f64)>,
    /// A wider tolerance for a case where Keras itself is off (see
    /// [`Report::at_least`]).
    floor: Option<Tolerance>,
}

impl Report {
    pub fn new(case: &str) -> Self {
        Self {
            case: case.to_owned(),
            worst: Vec::new(),
            floor: None,
        }
    }

    /// Every check of this case with at least `floor`'s tolerances: for a
    /// case whose Keras values carry a known error of Keras's own.
    pub fn at_least(mut self, floor: Tolerance) -> Self {
        self.floor = Some(floor);
        self
    }

    pub fn check<T: Golden>(
        &mut self,
        part: &str,
        actual: &ArrayD<T>,
        expected: &ArrayD<f64>,
        tol: Tolerance,
    ) {
        let tol = match self.floor {
            Some(floor) => Tolerance {
                rtol: tol.rtol.max(floor.rtol),
                atol: tol.atol.max(floor.atol),
            },
            None => tol,
        };
        let worst = deviation(actual, expected, tol);
        assert!(
            worst <= 1.0,
            "{} {part}: deviation {worst:.3} of the tolerance\nactual {actual:?}\nexpected {expected}",
            self.case
        );
        match self.worst.iter_mut().find(|(p, _)| p == part) {
            Some((_, w)) => *w = w.max(worst),
            None => self.worst.push((part.to_owned(), worst)),
        }
    }

    pub fn scalar<T: Golden>(&mut self, part: &str, actual: T, expected: &Value, tol: Tolerance) {
        let actual = ArrayD::from_elem(IxDyn(&[]), actual);
        self.check(part, &actual, &array(expected), tol);
    }

    pub fn print(&self) {
        for (part, worst) in &self.worst {
            println!("{:<28} {part:<34} max |Δ|/tol = {worst:.2e}", self.case);
        }
    }
}

/// The model of a case, with its initial weights: Dense layers (with or
/// without bias), BatchNormalization and Activation layers.
pub fn model<T: Golden>(case: &Value) -> Sequential<T> {
    let mut model = Sequential::new();
    for layer in case["inputs"]["layers"].as_array().expect("layers") {
        let activation = || -> BuiltinActivation<T> {
            let name = layer["activation"].as_str().expect("name");
            name.parse().expect("known activation")
        };
        let added = match layer["class_name"].as_str().unwrap_or("Dense") {
            "Dense" if layer["use_bias"] == false => {
                let kernel = matrix::<T>(&layer["kernel"]);
                model.add(Dense::without_bias(kernel, activation()).expect("layer"))
            }
            "Dense" => {
                let kernel = matrix::<T>(&layer["kernel"]);
                let bias: Array1<T> = cast::<T>(&array(&layer["bias"]))
                    .into_dimensionality()
                    .expect("1-D");
                model.add(Dense::new(kernel, bias, activation()).expect("layer"))
            }
            "BatchNormalization" => {
                let features = array(&layer["gamma"]).len();
                let mut bn = BatchNormalization::new(features)
                    .and_then(|bn| bn.momentum(number(&layer["momentum"])))
                    .and_then(|bn| bn.epsilon(number(&layer["epsilon"])))
                    .expect("layer");
                let arrays: Vec<_> = weight_arrays(layer).iter().map(cast::<T>).collect();
                bn.set_weights(&arrays).expect("weights");
                model.add(bn)
            }
            "Activation" => model.add(ActivationLayer::new(activation())),
            other => panic!("unknown layer {other}"),
        };
        added.expect("widths");
    }
    model
}

/// The model's output in training mode (each layer's `forward_train`:
/// batch statistics, no moving update).
pub fn training_forward<T: Golden>(model: &Sequential<T>, x: &Array2<T>) -> Array2<T> {
    let mut input = x.clone();
    for layer in model.layers() {
        let (rows, width) = (input.nrows(), layer.output_width());
        let (mut pre, mut out) = (Array2::zeros((rows, width)), Array2::zeros((rows, width)));
        let mut trace = Array2::zeros((rows, layer.trace_width()));
        layer
            .forward_train(
                input.view(),
                pre.view_mut(),
                trace.view_mut(),
                out.view_mut(),
            )
            .expect("forward_train");
        input = out;
    }
    input
}

/// `x` and the labels (class indices, a 1-D list, as a column).
pub fn data<T: Golden>(case: &Value) -> (Array2<T>, Array2<T>) {
    let labels = cast::<T>(&array(&case["inputs"]["y_true"]));
    let labels = match labels.ndim() {
        1 => labels.insert_axis(ndarray::Axis(1)),
        _ => labels,
    };
    (
        matrix(&case["inputs"]["x"]),
        labels.into_dimensionality().expect("2-D labels"),
    )
}

/// The weight arrays a layer entry holds, in Keras's `get_weights()`
/// order (`[kernel, bias]` of a Dense layer, `[gamma, beta, moving_mean,
/// moving_variance]` of a BatchNormalization, the trainable ones alone in a
/// gradient entry).
pub fn weight_arrays(layer: &Value) -> Vec<ArrayD<f64>> {
    let names = [
        "kernel",
        "bias",
        "gamma",
        "beta",
        "moving_mean",
        "moving_variance",
    ];
    let present = names.iter().filter(|name| !layer[**name].is_null());
    present.map(|name| array(&layer[*name])).collect()
}

/// The weight arrays of each layer of a `weights_after`-style list.
pub fn weights(list: &Value) -> Vec<ArrayD<f64>> {
    list.as_array()
        .expect("layers")
        .iter()
        .flat_map(weight_arrays)
        .collect()
}

pub fn check_weights<T: Golden>(
    report: &mut Report,
    part: &str,
    actual: &[ArrayD<T>],
    expected: &Value,
    tol: Tolerance,
) {
    let expected = weights(expected);
    assert_eq!(actual.len(), expected.len());
    for (a, e) in actual.iter().zip(&expected) {
        report.check(part, a, e, tol);
    }
}

/// An optimizer from a case's class and hyper-parameters (the Python
/// values; the optimizer rounds them as Keras does).
pub fn optimizer<T: Golden>(class: &str, h: &Value) -> Box<dyn Optimizer<T>> {
    let lr = number(&h["learning_rate"]);
    let flag = |name: &str| h[name].as_bool().expect("bool");
    match class {
        "SGD" => Box::new(
            Sgd::new(lr)
                .momentum(number(&h["momentum"]))
                .nesterov(flag("nesterov")),
        ),
        "RMSprop" => Box::new(
            RmsProp::new(lr)
                .rho(number(&h["rho"]))
                .momentum(number(&h["momentum"]))
                .epsilon(number(&h["epsilon"]))
                .centered(flag("centered")),
        ),
        "Adam" => Box::new(
            Adam::new(lr)
                .beta_1(number(&h["beta_1"]))
                .beta_2(number(&h["beta_2"]))
                .epsilon(number(&h["epsilon"]))
                .amsgrad(flag("amsgrad")),
        ),
        other => panic!("unknown optimizer {other}"),
    }
}

/// Keras keeps the learning rate in a variable of the network's dtype:
/// the `f64` hyper-parameter rounded to `T` must be that value.
pub fn check_learning_rate<T: Golden>(h: &Value) {
    let lr = T::from(number(&h["learning_rate"])).expect("lr");
    assert_eq!(
        lr.to_f64(),
        Some(number(&h["learning_rate_variable_value"]))
    );
}

/// Predictions, loss and gradients of a case's model compiled with `loss`.
pub fn forward_and_gradients<T: Golden>(case: &Value, loss: Loss, report: &mut Report) {
    let mut model = model::<T>(case);
    model.compile(loss);
    let (x, y) = data::<T>(case);
    let expected = &case["expected"];
    check_weights(
        report,
        "initial weights (exact)",
        &model.get_weights(),
        &expected["initial_weights"],
        Tolerance {
            rtol: 0.0,
            atol: 0.0,
        },
    );
    if expected["predictions_inference"].is_null() {
        let predictions = model.forward(&x).unwrap();
        report.check(
            "predictions",
            &predictions.into_dyn(),
            &array(&expected["predictions"]),
            T::TRAINING,
        );
        let loss = model.evaluate(&x, &y).unwrap().loss;
        report.scalar("loss", loss, &expected["loss"], T::TRAINING);
    } else {
        // Keras's `predictions`, `loss` and `gradients` are of training mode.
        let predictions = training_forward(&model, &x).into_dyn();
        report.check(
            "predictions (training)",
            &predictions,
            &array(&expected["predictions"]),
            T::TRAINING,
        );
        let inference = model.forward(&x).unwrap().into_dyn();
        let expected_inference = array(&expected["predictions_inference"]);
        report.check(
            "predictions (inference)",
            &inference,
            &expected_inference,
            T::TRAINING,
        );
        let mut stepped = self::model::<T>(case);
        stepped.compile(loss);
        let loss = stepped.train_step(&x, &y, &mut Sgd::new(1e-3)).unwrap();
        report.scalar("loss (training)", loss, &expected["loss"], T::TRAINING);
    }
    check_weights(
        report,
        "gradients",
        &model.gradients(&x, &y).unwrap(),
        &expected["gradients"],
        T::TRAINING,
    );
}

/// Each optimizer run of a case: three full-batch steps with `loss`.
pub fn optimizer_steps<T: Golden>(case: &Value, loss: Loss, report: &mut Report) {
    let (x, y) = data::<T>(case);
    for run in case["expected"]["optimizer_steps"]
        .as_array()
        .expect("runs")
    {
        let name = run["optimizer"].as_str().expect("name");
        let h = &run["hyperparameters"];
        check_learning_rate::<T>(h);
        let mut model = model::<T>(case);
        model.compile(loss);
        let mut optimizer = optimizer::<T>(run["class"].as_str().expect("class"), h);
        for step in run["steps"].as_array().expect("steps") {
            let loss = model.train_step(&x, &y, optimizer.as_mut()).unwrap();
            report.scalar(
                &format!("{name} loss"),
                loss,
                &step["loss_before_step"],
                T::TRAINING,
            );
            check_weights(
                report,
                &format!("{name} weights"),
                &model.get_weights(),
                &step["weights_after"],
                T::TRAINING,
            );
        }
        assert_eq!(optimizer.iterations(), 3);
    }
}

/// `fit` for the case's epochs with full batches and Adam, with `loss`.
pub fn fit<T: Golden>(case: &Value, loss: Loss, report: &mut Report) {
    let (x, y) = data::<T>(case);
    let expected = &case["expected"]["fit"];
    let h = &expected["hyperparameters"];
    check_learning_rate::<T>(h);
    let mut model = model::<T>(case);
    model.compile(loss);
    let mut adam = optimizer::<T>("Adam", h);
    let epochs = expected["loss_history"].as_array().expect("losses").len();
    let options = FitOptions::new(epochs).batch_size(x.nrows());
    let history = model.fit(&x, &y, adam.as_mut(), options).unwrap();
    report.check(
        "fit loss_history",
        &Array1::from(history.loss).into_dyn(),
        &array(&expected["loss_history"]),
        T::TRAINING,
    );
    let exact = Tolerance {
        rtol: 0.0,
        atol: 0.0,
    };
    report.check(
        "fit accuracy_history (exact)",
        &Array1::from(history.accuracy).into_dyn(),
        &array(&expected["accuracy_history"]),
        exact,
    );
    check_weights(
        report,
        "fit weights",
        &model.get_weights(),
        &expected["weights_after"],
        T::TRAINING,
    );
}

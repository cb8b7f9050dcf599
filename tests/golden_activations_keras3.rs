//! Every element-wise case of `activations_keras3.json` (the Keras 3
//! activations beyond the tutorial's): values against `y_exact` and
//! derivatives against `dy_dx_exact` (the exact results rounded once, with
//! TensorFlow's conventions at the kinks), through `apply`/`derivative`
//! and through `apply_slice` (the kernels for `f32` and `f64`), on the
//! grid and random inputs; ±inf against TF's limits, and NaN to NaN.
//!
//! Each case's activation is built from its Keras name and arguments the
//! way a saved model describes it (an `ActivationSpec`), so the test also
//! covers that every Keras argument has a field of the same name.
//! Row-wise functions (log_softmax, sparsemax) are checked in
//! tests/golden_row_activations.rs; glu is not an activation of a `Dense`
//! layer (it halves the width) and is left out by design.

mod common;

use common::{GoldenFloat, cases, load, name, number, text};
use neurite::Activation;
use neurite::io::ActivationSpec;
use serde_json::{Map, Value};

/// Functions of the file that this test does not run: glu by design, and
/// the row-wise ones, which have their own test.
const ELSEWHERE: &[&str] = &["glu", "log_softmax", "sparsemax"];

/// Functions not built yet. Empty once issue #12 is done; a function is
/// removed from here in the change that adds it.
const PENDING: &[&str] = &[
    "celu",
    "exponential",
    "gelu",
    "hard_shrink",
    "hard_sigmoid",
    "hard_silu",
    "hard_tanh",
    "relu",
    "relu6",
    "selu",
    "soft_shrink",
    "sparse_plus",
    "sparse_sigmoid",
    "squareplus",
    "tanh_shrink",
    "threshold",
];

/// `(function, x, y, dy/dx)` at `x = ±inf` where TensorFlow's formula
/// gives NaN and neurite gives the limit (each function's doc says so);
/// elsewhere at `±inf` the test holds neurite to TensorFlow's values.
const LIMITS_WHERE_TF_GIVES_NAN: &[(&str, f64, f64, f64)] = &[
    ("silu", f64::INFINITY, f64::INFINITY, 1.0),
    ("silu", f64::NEG_INFINITY, -0.0, -0.0),
    ("mish", f64::INFINITY, f64::INFINITY, 1.0),
    ("mish", f64::NEG_INFINITY, -0.0, -0.0),
    ("softsign", f64::INFINITY, 1.0, 0.0),
    ("softsign", f64::NEG_INFINITY, -1.0, 0.0),
];

/// The bound on values, in ULPs of the case's dtype, against `y_exact`.
const VALUE_ULPS: u64 = 2;

/// The bound on derivatives against `dy_dx_exact`, per function: the
/// closed forms are a few operations on correctly rounded parts, so a few
/// ULPs; a function not listed is held to [`DERIVATIVE_ULPS`].
const DERIVATIVE_ULPS: u64 = 4;
const DERIVATIVE_ULPS_BY_FUNCTION: &[(&str, u64)] = &[];

/// The activation a case names: its function and Keras arguments as the
/// description a file holds. `relu` with arguments is [`neurite::ReluWith`]
/// (plain `relu` takes none), applied with the slope TF used.
fn activation<T: GoldenFloat>(case: &Value) -> neurite::BuiltinActivation<T> {
    let mut fields = Map::new();
    let function = text(&case["function"]);
    let params = case["params"].as_object().expect("params");
    let with_arguments = function == "relu" && !params.is_empty();
    let spec_name = if with_arguments {
        "relu_with"
    } else {
        function
    };
    fields.insert("name".into(), spec_name.into());
    for (key, value) in params {
        match key.as_str() {
            "effective_negative_slope" | "axis" => {}
            "negative_slope" => {
                fields.insert(key.clone(), params["effective_negative_slope"].clone());
            }
            _ => {
                fields.insert(key.clone(), value.clone());
            }
        }
    }
    let spec: ActivationSpec = serde_json::from_value(Value::Object(fields))
        .unwrap_or_else(|e| panic!("{}: {e}", name(case)));
    spec.to_builtin()
}

/// The distance in ULPs between two values of `T` (0 for equal values, for
/// two NaNs, and for ±0; `u64::MAX` for NaN against a number or different
/// infinities).
fn ulps<T: GoldenFloat>(actual: T, expected: T) -> u64 {
    let (a, e) = (common::to_f64(actual), common::to_f64(expected));
    if a.is_nan() || e.is_nan() {
        return if a.is_nan() && e.is_nan() {
            0
        } else {
            u64::MAX
        };
    }
    if a == e {
        return 0;
    }
    if a.is_infinite() || e.is_infinite() {
        return u64::MAX;
    }
    let key = |x: f64| -> i128 {
        // An order-preserving integer for the value in `T`'s own grid.
        let bits = if T::DTYPE == "float32" {
            i128::from((x as f32).to_bits() as i32)
        } else {
            i128::from(x.to_bits() as i64)
        };
        if bits < 0 {
            i128::from(i64::MIN) - bits
        } else {
            bits
        }
    };
    let distance = (key(a) - key(e)).unsigned_abs();
    u64::try_from(distance).unwrap_or(u64::MAX)
}

fn values<T: GoldenFloat>(value: &Value) -> Vec<T> {
    value
        .as_array()
        .expect("an array")
        .iter()
        .map(|v| T::from_golden(number(v)))
        .collect()
}

fn check_case<T: GoldenFloat>(case: &Value) -> Vec<String> {
    let function = text(&case["function"]);
    let f = activation::<T>(case);
    let x = values::<T>(&case["inputs"]["x"]);
    let expected = &case["expected"];
    let exact = !expected["y_exact"].is_null();
    let y_expected = values::<T>(if exact {
        &expected["y_exact"]
    } else {
        &expected["y"]
    });
    let dy_expected = values::<T>(if exact {
        &expected["dy_dx_exact"]
    } else {
        &expected["dy_dx"]
    });
    let derivative_bound = DERIVATIVE_ULPS_BY_FUNCTION
        .iter()
        .find(|(f, _)| *f == function)
        .map_or(DERIVATIVE_ULPS, |&(_, bound)| bound);
    let mut sliced = x.clone();
    f.apply_slice(&mut sliced);
    let mut problems = Vec::new();
    for (i, &xi) in x.iter().enumerate() {
        // NaN in gives NaN out, also where TF returns a number
        // (threshold, hard_shrink); at NaN derivatives follow TF.
        let mut y_want = if xi.is_nan() { T::nan() } else { y_expected[i] };
        let mut dy_want = dy_expected[i];
        if let Some(&(_, _, y, dy)) = LIMITS_WHERE_TF_GIVES_NAN
            .iter()
            .find(|(g, at, _, _)| *g == function && common::to_f64(xi) == *at)
        {
            (y_want, dy_want) = (T::from_golden(y), T::from_golden(dy));
        }
        let checks = [
            ("apply", f.apply(xi), y_want, VALUE_ULPS),
            ("apply_slice", sliced[i], y_want, VALUE_ULPS),
            ("derivative", f.derivative(xi), dy_want, derivative_bound),
        ];
        for (what, got, want, bound) in checks {
            let distance = ulps(got, want);
            if distance > bound {
                problems.push(format!(
                    "{} x[{i}] = {xi:e}: {what} {got:e}, expected {want:e} ({} ULP)",
                    name(case),
                    if distance == u64::MAX {
                        "∞".to_owned()
                    } else {
                        distance.to_string()
                    }
                ));
            }
        }
    }
    problems
}

#[test]
fn every_element_wise_case_is_within_its_ulp_bound() {
    let file = load("activations_keras3.json");
    let mut problems = Vec::new();
    let mut checked = 0;
    for case in cases(&file) {
        let function = text(&case["function"]);
        if ELSEWHERE.contains(&function) || PENDING.contains(&function) {
            continue;
        }
        checked += 1;
        problems.extend(match text(&case["dtype"]) {
            "float32" => check_case::<f32>(case),
            _ => check_case::<f64>(case),
        });
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    let pending = cases(&file)
        .iter()
        .filter(|case| PENDING.contains(&text(&case["function"])))
        .count();
    assert_eq!(checked + pending + 28, cases(&file).len(), "cases skipped");
}

#[test]
fn pending_functions_do_not_parse_yet() {
    // Keeps PENDING honest: a function that parses must be tested.
    for function in PENDING {
        let parsed = function.parse::<neurite::BuiltinActivation<f32>>();
        assert!(
            parsed.is_err() || *function == "relu",
            "{function} parses: remove it from PENDING"
        );
    }
}

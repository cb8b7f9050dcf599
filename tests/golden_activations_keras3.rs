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

/// The bound on values, in ULPs of the case's dtype, against `y_exact`.
const VALUE_ULPS: u64 = 2;

/// The bound on derivatives against `dy_dx_exact`, per function: the
/// closed forms are a few operations on correctly rounded parts, so a few
/// ULPs; a function not listed is held to [`DERIVATIVE_ULPS`].
const DERIVATIVE_ULPS: u64 = 4;
const DERIVATIVE_ULPS_BY_FUNCTION: &[(&str, u64)] = &[
    // gelu' crosses 0 near x = -0.75, where its two terms (Φ(x) and x·φ(x),
    // or their tanh-form analogues) cancel: 6 ULP measured there (tanh
    // form, f64), each term being within 1-2 ULP.
    ("gelu", 8),
];

/// Below this `x`, the file's `y_exact` for float64 gelu(approximate=True)
/// is not exact: its 200-bit reference computes `1 + tanh(u)`, which keeps
/// fewer than 64 bits once `e^(2u) < 2^-136` (measured 6 ULP off at
/// x = -10.81, 0 where the value is 1e-168). neurite's values there are
/// checked in src/activation/gelu.rs against 100-digit values.
const GELU_TANH_F64_EXACT_FROM: f64 = -10.0;

/// Whether the file's exact value for this input can be trusted.
fn exact_is_reliable<T: GoldenFloat>(case: &Value, x: T) -> bool {
    let tanh_form = text(&case["function"]) == "gelu" && case["params"]["approximate"] == true;
    !(tanh_form && T::DTYPE == "float64" && common::to_f64(x) < GELU_TANH_F64_EXACT_FROM)
}

/// Points where the file's `y_exact`/`dy_dx_exact` are not exact: its
/// 200-bit reference evaluated the formulas as written and cancelled where
/// the ratio of the terms passes 2^200 (`x - tanh x` at `1e-40`,
/// `x + √(x² + b)` for `x ≤ -1e30`). Case, index, then the values from
/// the cancellation-free forms at 4000 bits (mpmath), rounded to the dtype.
const CORRECTED: &[(&str, usize, f64, f64)] = &[
    ("squareplus_float32_grid", 27, 1.0000000031710769e-30, 0.0),
    ("squareplus_float64_grid", 27, 9.999999999999999e-31, 1e-60),
    (
        "squareplus_float64_grid",
        31,
        7.458340731200208e-155,
        5.562684646268003e-309,
    ),
    (
        "squareplus_float64_grid",
        32,
        7.458340731200207e-155,
        5.562684646268003e-309,
    ),
    (
        "squareplus_float64_grid",
        33,
        7.458340731200208e-155,
        5.562684646268003e-309,
    ),
    ("squareplus_b1_float32_grid", 27, 2.500000007927692e-31, 0.0),
    (
        "squareplus_b1_float64_grid",
        27,
        2.4999999999999998e-31,
        2.5e-61,
    ),
    (
        "tanh_shrink_float64_grid",
        4,
        3.3333333333333327e-121,
        9.999999999999998e-81,
    ),
    (
        "tanh_shrink_float64_grid",
        5,
        -3.3333333333333327e-121,
        9.999999999999998e-81,
    ),
];

/// The activation a case names: its function and Keras arguments as the
/// description a file holds. `relu` with arguments is [`neurite::ReluWith`]
/// (plain `relu` takes none), with the arguments as given: `y_exact` is
/// the function of those (TF rounds the slope to `f32` on its
/// `leaky_relu` path, `effective_negative_slope`, also in `f64`).
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

/// Where TF's arithmetic gives NaN at an infinite input (`-inf · 0` in the
/// function or its gradient), neurite gives the limit, as everywhere:
/// (function, x, `"apply"` or `"derivative"`, the limit).
const LIMITS_WHERE_TF_GIVES_NAN: &[(&str, f64, &str, f64)] = &[
    ("hard_silu", f64::NEG_INFINITY, "apply", 0.0),
    ("hard_silu", f64::NEG_INFINITY, "derivative", 0.0),
    ("hard_silu", f64::INFINITY, "derivative", 1.0),
    ("sparse_plus", f64::NEG_INFINITY, "derivative", 0.0),
    ("sparse_plus", f64::INFINITY, "derivative", 1.0),
    // `inf - inf` inside TF's squareplus.
    ("squareplus", f64::INFINITY, "apply", f64::INFINITY),
    ("squareplus", f64::INFINITY, "derivative", 1.0),
    ("squareplus", f64::NEG_INFINITY, "apply", 0.0),
    ("squareplus", f64::NEG_INFINITY, "derivative", 0.0),
    // `inf · σ(inf)` forms and `-inf · 0` in silu, mish, softsign.
    ("silu", f64::INFINITY, "apply", f64::INFINITY),
    ("silu", f64::INFINITY, "derivative", 1.0),
    ("silu", f64::NEG_INFINITY, "apply", -0.0),
    ("silu", f64::NEG_INFINITY, "derivative", -0.0),
    ("mish", f64::INFINITY, "apply", f64::INFINITY),
    ("mish", f64::INFINITY, "derivative", 1.0),
    ("mish", f64::NEG_INFINITY, "apply", -0.0),
    ("mish", f64::NEG_INFINITY, "derivative", -0.0),
    ("softsign", f64::INFINITY, "apply", 1.0),
    ("softsign", f64::INFINITY, "derivative", 0.0),
    ("softsign", f64::NEG_INFINITY, "apply", -1.0),
    ("softsign", f64::NEG_INFINITY, "derivative", 0.0),
];

/// What `relu` with arguments is held to at a point of the case's `kinks`
/// (`None`: the golden value stands). TF compares with and clips at its
/// threshold and cap rounded to `f32`; `y_exact` uses them unrounded;
/// neurite uses them rounded to the network's type. So in `f32`, at `x` =
/// a threshold the type cannot hold (`0.1` → `x = 0.1f32 > 0.1`), the
/// value at the rounded threshold is TF's (`0`), not `y_exact`'s; in
/// `f64`, TF's `f32`-rounded kinks are not kinks of the function, and
/// `dy_dx_exact` there repeats TF's convention for its own kink: the
/// derivative is the exact one's, checked by the smooth neighbours, and
/// skipped here.
fn relu_kink_rule<T: GoldenFloat>(case: &Value, x: T, what: &str) -> Option<Option<T>> {
    let params = &case["params"];
    let in_type = |key: &str| params[key].as_f64().map(rounded::<T>);
    let is_kink = case["kinks"]
        .as_array()
        .is_some_and(|kinks| kinks.iter().any(|k| rounded::<T>(number(k)) == x));
    if text(&case["function"]) != "relu" || !is_kink {
        return None;
    }
    let own_kink = [Some(T::zero()), in_type("threshold"), in_type("max_value")].contains(&Some(x));
    let rounded = ["threshold", "max_value"].iter().any(|key| {
        params[key]
            .as_f64()
            .is_some_and(|p| common::to_f64(rounded::<T>(p)) != p)
    });
    match (own_kink, what) {
        (false, "derivative") => Some(None),
        (true, "apply" | "apply_slice") if rounded => {
            let i = values::<T>(&case["inputs"]["x"])
                .iter()
                .position(|&xi| xi == x)?;
            Some(Some(values::<T>(&case["expected"]["y"])[i]))
        }
        _ => None,
    }
}

/// `relu`'s golden values with its parameters as given where TF recorded
/// them rounded to `f32` (in `f64`: the slope at the kink, at NaN and at
/// -inf, `effective_negative_slope`; the cap at +inf): `(given, as TF
/// used it)` for the values (`derivatives = false`) or the derivatives.
fn as_given<T: GoldenFloat>(case: &Value, golden: Vec<T>, derivatives: bool) -> Vec<T> {
    let params = &case["params"];
    let pair = if derivatives {
        params["negative_slope"]
            .as_f64()
            .zip(params["effective_negative_slope"].as_f64())
    } else {
        params["max_value"]
            .as_f64()
            .map(|m| (m, f64::from(m as f32)))
    };
    let Some((given, used)) = pair else {
        return golden;
    };
    let (given, used) = (rounded::<T>(given), rounded::<T>(used));
    golden
        .into_iter()
        .map(|v| {
            if v == used && v != T::zero() {
                given
            } else {
                v
            }
        })
        .collect()
}

/// A parameter (any `f64`) rounded to `T`, as the activation holds it.
fn rounded<T: GoldenFloat>(parameter: f64) -> T {
    <T as num_traits::NumCast>::from(parameter).expect("a number")
}

fn values<T: GoldenFloat>(value: &Value) -> Vec<T> {
    value
        .as_array()
        .expect("an array")
        .iter()
        .map(|v| T::from_golden(number(v)))
        .collect()
}

/// The expected value and derivative at `x[i]` where [`CORRECTED`]
/// replaces the file's.
fn corrected<T: GoldenFloat>(case: &Value, i: usize) -> Option<(T, T)> {
    CORRECTED
        .iter()
        .find(|&&(c, index, ..)| c == name(case) && index == i)
        .map(|&(.., y, dy)| (T::from_golden(y), T::from_golden(dy)))
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
    let (y_expected, dy_expected) = if function == "relu" {
        (
            as_given(case, y_expected, false),
            as_given(case, dy_expected, true),
        )
    } else {
        (y_expected, dy_expected)
    };
    let derivative_bound = DERIVATIVE_ULPS_BY_FUNCTION
        .iter()
        .find(|(f, _)| *f == function)
        .map_or(DERIVATIVE_ULPS, |&(_, bound)| bound);
    let mut sliced = x.clone();
    f.apply_slice(&mut sliced);
    let mut problems = Vec::new();
    for (i, &xi) in x.iter().enumerate() {
        if exact && !exact_is_reliable(case, xi) {
            continue;
        }
        // NaN in gives NaN out, also where TF returns a number
        // (threshold, hard_shrink); at NaN derivatives follow TF.
        let y_want = if xi.is_nan() { T::nan() } else { y_expected[i] };
        let (y_want, dy_want) = corrected::<T>(case, i).unwrap_or((y_want, dy_expected[i]));
        let checks = [
            ("apply", f.apply(xi), y_want, VALUE_ULPS),
            ("apply_slice", sliced[i], y_want, VALUE_ULPS),
            ("derivative", f.derivative(xi), dy_want, derivative_bound),
        ];
        for (what, got, want, bound) in checks {
            let limit = LIMITS_WHERE_TF_GIVES_NAN.iter().find(|&&(f, at, w, _)| {
                f == function
                    && w == (if what == "derivative" { what } else { "apply" })
                    && T::from_golden(at) == xi
            });
            let want = match (limit, relu_kink_rule(case, xi, what)) {
                (Some(&(.., limit)), _) => T::from_golden(limit),
                (None, Some(None)) => continue,
                (None, Some(Some(tf))) => tf,
                (None, None) => want,
            };
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
        if ELSEWHERE.contains(&function) {
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
    // Every case but the 28 row-wise ones (log_softmax, sparsemax, glu).
    assert_eq!(checked + 28, cases(&file).len(), "cases skipped");
}

#[test]
fn every_keras_name_of_the_file_parses() {
    let file = load("activations_keras3.json");
    for (name, defaults) in file["keras_defaults"].as_object().expect("keras_defaults") {
        let parsed = name.parse::<neurite::BuiltinActivation<f32>>();
        match name.as_str() {
            // glu halves a layer's width, which Dense does not model.
            "glu" => assert!(parsed.is_err(), "glu parses"),
            _ => assert!(parsed.is_ok(), "{name} ({defaults}) does not parse"),
        }
    }
}

//! Shared helpers for the golden tests: loading `tests/golden/*.json`,
//! turning nested JSON lists into `ndarray` arrays of the case's dtype, and
//! comparing with the tolerances of `tests/golden/README.md` ("Recommended
//! tolerances"). Also the tutorial's model and data ([`tutorial`]), for
//! every test that runs it.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

pub mod training;
pub mod tutorial;

use ndarray::{Array1, Array2, Array3, ArrayBase, ArrayD, Data, Dimension, IxDyn};
use neurite::{BuiltinActivation, Dense, LeakyRelu, Sequential};
use serde_json::Value;
use std::fmt::LowerExp;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// The float types the golden files cover, with their JSON dtype name.
pub trait GoldenFloat: neurite::Element + LowerExp {
    /// `"float32"` or `"float64"`, as in a case's `dtype`.
    const DTYPE: &'static str;

    /// Converts a stored number. Values of float32 cases are exact float32
    /// values widened to f64, so the cast must be lossless: a failure means
    /// the wrong dtype was used for a case.
    fn from_golden(value: f64) -> Self;
}

impl GoldenFloat for f32 {
    const DTYPE: &'static str = "float32";

    fn from_golden(value: f64) -> Self {
        let narrow = value as f32;
        assert!(
            value.is_nan() || f64::from(narrow) == value,
            "{value:e} is not a float32 value"
        );
        narrow
    }
}

impl GoldenFloat for f64 {
    const DTYPE: &'static str = "float64";

    fn from_golden(value: f64) -> Self {
        value
    }
}

/// What is being compared, which fixes the tolerance (README table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// relu, leaky_relu, linear, shapes, counts, argmax, accuracy: bit for
    /// bit (the sign of zero included).
    Exact,
    /// sigmoid, tanh, elu, softmax outputs.
    Smooth,
    /// Their derivatives (`dy_dx`, `vjp`, `jacobian`).
    SmoothDerivative,
    /// Dense, Maxout and BCE values.
    Layer,
}

/// `|actual - expected| <= atol + rtol * |expected|`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tolerance {
    pub rtol: f64,
    pub atol: f64,
}

impl Kind {
    pub fn tolerance<T: GoldenFloat>(self) -> Tolerance {
        let single = T::DTYPE == "float32";
        let (rtol, atol) = match self {
            Kind::Exact => (0.0, 0.0),
            Kind::Smooth if single => (1e-6, 1e-7),
            Kind::Smooth => (1e-12, 1e-15),
            Kind::SmoothDerivative if single => (1e-5, 1e-6),
            Kind::SmoothDerivative => (1e-12, 1e-14),
            Kind::Layer if single => (1e-5, 1e-6),
            Kind::Layer => (1e-12, 1e-14),
        };
        Tolerance { rtol, atol }
    }
}

/// Whether `actual` passes for `expected`: NaN matches only NaN,
/// infinities only themselves, and `Exact` also compares the sign of zero.
pub fn is_close(actual: f64, expected: f64, kind: Kind, tolerance: Tolerance) -> bool {
    if expected.is_nan() || actual.is_nan() {
        return expected.is_nan() && actual.is_nan();
    }
    if kind == Kind::Exact {
        return actual == expected && actual.is_sign_negative() == expected.is_sign_negative();
    }
    if expected.is_infinite() || actual.is_infinite() {
        return actual == expected;
    }
    (actual - expected).abs() <= tolerance.atol + tolerance.rtol * expected.abs()
}

/// The mismatching positions of two arrays, as readable lines.
pub fn mismatches<T, S1, S2, D>(
    actual: &ArrayBase<S1, D>,
    expected: &ArrayBase<S2, D>,
    kind: Kind,
) -> Vec<String>
where
    T: GoldenFloat,
    S1: Data<Elem = T>,
    S2: Data<Elem = T>,
    D: Dimension,
{
    let tolerance = kind.tolerance::<T>();
    expected
        .indexed_iter()
        .zip(actual.iter())
        .filter_map(|((index, &e), &a)| {
            let (a, e) = (to_f64(a), to_f64(e));
            (!is_close(a, e, kind, tolerance)).then(|| {
                format!(
                    "index {index:?}: actual {a:e}, expected {e:e}, |diff| {:e}, allowed {:e}",
                    (a - e).abs(),
                    tolerance.atol + tolerance.rtol * e.abs()
                )
            })
        })
        .collect()
}

/// Asserts that `actual` matches `expected` (same shape, each element
/// within the tolerance of `kind`), naming the case and every bad index.
#[track_caller]
pub fn assert_close<T, S1, S2, D>(
    case: &str,
    what: &str,
    actual: &ArrayBase<S1, D>,
    expected: &ArrayBase<S2, D>,
    kind: Kind,
) where
    T: GoldenFloat,
    S1: Data<Elem = T>,
    S2: Data<Elem = T>,
    D: Dimension,
{
    assert_eq!(
        actual.shape(),
        expected.shape(),
        "{case}: {what}: shape differs"
    );
    let bad = mismatches(actual, expected, kind);
    assert!(
        bad.is_empty(),
        "{case}: {what} ({kind:?}, {}): {} of {} values differ:\n  {}",
        T::DTYPE,
        bad.len(),
        expected.len(),
        bad.iter()
            .take(12)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n  ")
    );
}

/// [`assert_close`] for one value.
#[track_caller]
pub fn assert_close_scalar<T: GoldenFloat>(
    case: &str,
    what: &str,
    actual: T,
    expected: T,
    kind: Kind,
) {
    let tolerance = kind.tolerance::<T>();
    let (a, e) = (to_f64(actual), to_f64(expected));
    assert!(
        is_close(a, e, kind, tolerance),
        "{case}: {what} ({kind:?}, {}): actual {a:e}, expected {e:e}, |diff| {:e}",
        T::DTYPE,
        (a - e).abs()
    );
}

pub fn to_f64<T: GoldenFloat>(value: T) -> f64 {
    value.to_f64().expect("f32 and f64 widen to f64")
}

// ---------------------------------------------------------------- loading

/// A golden file from `tests/golden/`, parsed.
pub fn load(file: &str) -> Value {
    let path = format!("{}/tests/golden/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The `cases` array of a golden file.
pub fn cases(file: &Value) -> &[Value] {
    file["cases"].as_array().expect("a `cases` array")
}

/// The case called `name`.
pub fn case<'a>(file: &'a Value, name: &str) -> &'a Value {
    cases(file)
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no case {name:?}"))
}

pub fn name(case: &Value) -> &str {
    case["name"].as_str().expect("a case name")
}

/// Runs every case in its own dtype (`check_f32` or `check_f64`), goes on
/// after a failing case so that one run lists them all, and returns the
/// number of cases run.
pub fn for_each_case(
    file: &Value,
    mut check_f32: impl FnMut(&Value),
    mut check_f64: impl FnMut(&Value),
) -> usize {
    let mut failed = Vec::new();
    for case in cases(file) {
        let outcome = catch_unwind(AssertUnwindSafe(|| match case["dtype"].as_str() {
            Some("float32") => check_f32(case),
            Some("float64") => check_f64(case),
            other => panic!("{}: unknown dtype {other:?}", name(case)),
        }));
        if outcome.is_err() {
            failed.push(name(case).to_owned());
        }
    }
    assert!(failed.is_empty(), "failing cases: {failed:?}");
    cases(file).len()
}

/// A number, or one of the strings `"nan"`, `"inf"`, `"-inf"`.
pub fn number(value: &Value) -> f64 {
    match value {
        Value::Number(n) => n.as_f64().expect("a finite number"),
        Value::String(s) => match s.as_str() {
            "nan" => f64::NAN,
            "inf" => f64::INFINITY,
            "-inf" => f64::NEG_INFINITY,
            other => panic!("not a number: {other:?}"),
        },
        other => panic!("not a number: {other}"),
    }
}

pub fn scalar<T: GoldenFloat>(value: &Value) -> T {
    T::from_golden(number(value))
}

pub fn count(value: &Value) -> usize {
    value
        .as_u64()
        .unwrap_or_else(|| panic!("not a count: {value}")) as usize
}

pub fn counts(value: &Value) -> Vec<usize> {
    list(value).iter().map(count).collect()
}

pub fn list(value: &Value) -> &[Value] {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {value}"))
}

pub fn text(value: &Value) -> &str {
    value
        .as_str()
        .unwrap_or_else(|| panic!("not a string: {value}"))
}

/// A nested list as an array of any rank; the lists must be rectangular.
pub fn array_d<T: GoldenFloat>(value: &Value) -> ArrayD<T> {
    let (shape, flat) = flatten(value);
    let flat: Vec<T> = flat.iter().map(|&v| T::from_golden(number(v))).collect();
    ArrayD::from_shape_vec(IxDyn(&shape), flat).expect("a rectangular nested list")
}

pub fn array1<T: GoldenFloat>(value: &Value) -> Array1<T> {
    array_d(value).into_dimensionality().expect("a 1-D list")
}

pub fn array2<T: GoldenFloat>(value: &Value) -> Array2<T> {
    array_d(value).into_dimensionality().expect("a 2-D list")
}

pub fn array3<T: GoldenFloat>(value: &Value) -> Array3<T> {
    array_d(value).into_dimensionality().expect("a 3-D list")
}

/// A nested list of counts (e.g. `argmax`) as a 2-D array.
pub fn index_array2(value: &Value) -> Array2<usize> {
    let (shape, flat) = flatten(value);
    let flat: Vec<usize> = flat.iter().map(|&v| count(v)).collect();
    ArrayD::from_shape_vec(IxDyn(&shape), flat)
        .expect("a rectangular nested list")
        .into_dimensionality()
        .expect("a 2-D list")
}

/// The shape of a nested list and its leaves in row-major order.
fn flatten(value: &Value) -> (Vec<usize>, Vec<&Value>) {
    fn shape_of(value: &Value) -> Vec<usize> {
        match value {
            Value::Array(items) => {
                let mut shape = vec![items.len()];
                if let Some(first) = items.first() {
                    shape.extend(shape_of(first));
                }
                shape
            }
            _ => Vec::new(),
        }
    }
    fn leaves<'a>(value: &'a Value, out: &mut Vec<&'a Value>) {
        match value {
            Value::Array(items) => items.iter().for_each(|item| leaves(item, out)),
            leaf => out.push(leaf),
        }
    }
    let mut flat = Vec::new();
    leaves(value, &mut flat);
    (shape_of(value), flat)
}

// ---------------------------------------------------------------- models

/// The activation a golden file names, as Keras applies it. Keras's names
/// parse directly; `leaky_relu_0.1` is `leaky_relu(negative_slope=0.1)`,
/// whose slope TF stores as a float32 (also for float64 tensors).
pub fn keras_activation<T: GoldenFloat>(name: &str) -> BuiltinActivation<T> {
    match name {
        "leaky_relu_0.1" => LeakyRelu::new(T::from_golden(f64::from(0.1_f32))).into(),
        keras => keras
            .parse()
            .unwrap_or_else(|e| panic!("activation {keras:?}: {e}")),
    }
}

/// A `Sequential` of `Dense` layers from a case's `inputs.layers`
/// (`{units, activation, kernel [in, units], bias [units]}` each).
pub fn dense_model<T: GoldenFloat>(layers: &Value) -> Sequential<T> {
    let mut model = Sequential::new();
    for layer in list(layers) {
        let dense = Dense::new(
            array2::<T>(&layer["kernel"]),
            array1::<T>(&layer["bias"]),
            keras_activation::<T>(text(&layer["activation"])),
        )
        .expect("a valid golden layer");
        assert_eq!(dense.units(), count(&layer["units"]));
        model.add(dense).expect("golden layers that fit");
    }
    model
}

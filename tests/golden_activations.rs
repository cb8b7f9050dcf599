//! Every case of `activations.json`: outputs and derivatives of the
//! element-wise activations through `apply`/`derivative` and `apply_slice`,
//! and softmax through `apply_rows`/`apply_slice` and `Softmax::vjp`.

mod common;

use common::{
    GoldenFloat, Kind, array_d, array1, assert_close, for_each_case, is_close, load, name, number,
    text, to_f64,
};
use ndarray::{Array1, Array2, Array3, ArrayD, Axis, Ix2, Ix3};
use neurite::{
    Activation, BuiltinActivation, Elu, LeakyRelu, Linear, Relu, Sigmoid, Softmax, Tanh,
};
use serde_json::Value;

/// Points where our result legitimately differs from TF's beyond the
/// tolerance: `(case, field, index)`. All are the float32 grid input
/// `+/-1e-40` (indices 30 and 31), a subnormal. TF's float32 kernels run
/// with denormals-are-zero, so they compute `f(+/-0)`: `relu(1e-40) = 0`
/// with derivative 0, `leaky_relu(1e-40) = 0` with derivative `slope`,
/// `leaky_relu(-1e-40) = -0.0`, `elu'(1e-40) = alpha`. We compute on the
/// value itself, as IEEE arithmetic does. At these points the test checks
/// instead that TF's value is `f(+/-0)` (so the flush is the only cause),
/// and that ours matches the function evaluated in f64 on the exact input,
/// rounded to f32 (an independent reference).
///
/// Other differences stay within the tolerance and need no exception:
/// TF's 0 where the exact result is subnormal (f32 sigmoid(-88),
/// tanh(1e-40)), and its `exp(x) - 1` cancelling where our `expm1` does not
/// (f32 elu(-1e-8): TF 0, ours -1e-8; f64 elu(-1e-40)).
const FLUSHED_SUBNORMALS: &[(&str, &str, usize)] = &[
    ("relu_float32_grid", "y", 30),
    ("relu_float32_grid", "dy_dx", 30),
    ("leaky_relu_0.1_float32_grid", "y", 30),
    ("leaky_relu_0.1_float32_grid", "y", 31),
    ("leaky_relu_0.1_float32_grid", "dy_dx", 30),
    ("leaky_relu_0.01_float32_grid", "y", 30),
    ("leaky_relu_0.01_float32_grid", "y", 31),
    ("leaky_relu_0.01_float32_grid", "dy_dx", 30),
    ("leaky_relu_0.3_float32_grid", "y", 30),
    ("leaky_relu_0.3_float32_grid", "y", 31),
    ("leaky_relu_0.3_float32_grid", "dy_dx", 30),
    ("leaky_relu_default_float32_grid", "y", 30),
    ("leaky_relu_default_float32_grid", "y", 31),
    ("leaky_relu_default_float32_grid", "dy_dx", 30),
    ("elu_0.5_float32_grid", "dy_dx", 30),
];

#[test]
fn every_activation_case_matches_keras() {
    let file = load("activations.json");
    let checked = for_each_case(&file, check_case::<f32>, check_case::<f64>);
    assert_eq!(checked, 70);
}

#[test]
fn every_documented_exception_names_a_grid_case() {
    let file = load("activations.json");
    for &(case, field, index) in FLUSHED_SUBNORMALS {
        let case = common::case(&file, case);
        assert_eq!(case["subset"], "grid");
        assert!(index < common::list(&case["expected"][field]).len());
    }
}

fn check_case<T: GoldenFloat>(case: &Value) {
    match text(&case["function"]) {
        "softmax" => check_softmax::<T>(case),
        _ => check_elementwise::<T>(case),
    }
}

/// The case's activation, wrapped in a `BuiltinActivation` (so the enum's
/// delegation is exercised too), and the tolerance kinds of its output and
/// derivative.
fn elementwise<T: GoldenFloat>(case: &Value) -> (BuiltinActivation<T>, Kind, Kind) {
    let params = &case["params"];
    let smooth = (Kind::Smooth, Kind::SmoothDerivative);
    let exact = (Kind::Exact, Kind::Exact);
    let (f, (y_kind, dy_kind)): (BuiltinActivation<T>, _) = match text(&case["function"]) {
        "sigmoid" => (Sigmoid.into(), smooth),
        "tanh" => (Tanh.into(), smooth),
        "relu" => (Relu.into(), exact),
        // TF's slope is a float32 attribute, also for float64 tensors.
        "leaky_relu" => (
            LeakyRelu::new(param::<T>(&params["effective_negative_slope"])).into(),
            exact,
        ),
        "elu" => (Elu::new(param::<T>(&params["alpha"])).into(), smooth),
        "linear" => (Linear.into(), exact),
        other => panic!("{}: unknown function {other}", name(case)),
    };
    (f, y_kind, dy_kind)
}

fn param<T: GoldenFloat>(value: &Value) -> T {
    T::from_golden(number(value))
}

fn check_elementwise<T: GoldenFloat>(case: &Value) {
    let case_name = name(case);
    let (f, y_kind, dy_kind) = elementwise::<T>(case);
    let x = array1::<T>(&case["inputs"]["x"]);

    let y = x.mapv(|v| f.apply(v));
    let dy = x.mapv(|v| f.derivative(v));
    let mut y_slice = x.to_vec();
    f.apply_slice(&mut y_slice);
    let y_slice = Array1::from(y_slice);
    assert_close(case_name, "apply_slice against apply", &y_slice, &y, y_kind);

    let y_expected = expected_with_exceptions(case, "y", &x, &f, y_kind);
    let dy_expected = expected_with_exceptions(case, "dy_dx", &x, &f, dy_kind);
    assert_close(case_name, "y (apply)", &y, &y_expected, y_kind);
    assert_close(case_name, "y (apply_slice)", &y_slice, &y_expected, y_kind);
    assert_close(case_name, "dy_dx (derivative)", &dy, &dy_expected, dy_kind);

    // float64 leaky_relu: with the exact float64 slope we give numpy's x * slope.
    if let Some(exact_slope) = case["expected"].get("y_with_exact_float64_slope") {
        let slope = T::from(number(&case["params"]["negative_slope"])).unwrap();
        let y = x.mapv(|v| LeakyRelu::new(slope).apply(v));
        let expected = array1::<T>(exact_slope);
        assert_close(
            case_name,
            "y_with_exact_float64_slope",
            &y,
            &expected,
            Kind::Exact,
        );
    }
}

/// `expected.<field>`, with TF's value replaced by the independent f64
/// reference at the listed [`FLUSHED_SUBNORMALS`] after checking that
/// each exception is what it claims to be.
fn expected_with_exceptions<T: GoldenFloat>(
    case: &Value,
    field: &str,
    x: &Array1<T>,
    f: &BuiltinActivation<T>,
    kind: Kind,
) -> Array1<T> {
    let case_name = name(case);
    let mut expected = array1::<T>(&case["expected"][field]);
    let derivative = field == "dy_dx";
    let tolerance = kind.tolerance::<T>();
    for &(_, _, i) in FLUSHED_SUBNORMALS
        .iter()
        .filter(|&&(c, f, _)| c == case_name && f == field)
    {
        let at = format!("{case_name}: {field}[{i}]");
        let xi = x[i];
        assert!(
            xi != T::zero() && xi.abs() < T::min_positive_value(),
            "{at}: x = {xi:e} is not subnormal"
        );
        // TF computed f(+/-0): the flush of the input explains its value.
        let flushed = if xi.is_sign_negative() {
            -T::zero()
        } else {
            T::zero()
        };
        let tf_on_zero = if derivative {
            f.derivative(flushed)
        } else {
            f.apply(flushed)
        };
        assert!(
            is_close(
                to_f64(expected[i]),
                to_f64(tf_on_zero),
                Kind::Exact,
                tolerance
            ),
            "{at}: TF's {:e} is not f({flushed:e}) = {tf_on_zero:e}",
            expected[i]
        );
        let (y_ref, dy_ref) = reference_f64(case, to_f64(xi));
        let reference = T::from(if derivative { dy_ref } else { y_ref }).unwrap();
        assert!(
            !is_close(to_f64(expected[i]), to_f64(reference), kind, tolerance),
            "{at}: TF agrees with the reference; the exception is not needed"
        );
        expected[i] = reference;
    }
    expected
}

/// `(f(x), f'(x))` computed in f64 from the formulas, not from the crate.
fn reference_f64(case: &Value, x: f64) -> (f64, f64) {
    let params = &case["params"];
    match text(&case["function"]) {
        "relu" => (
            if x > 0.0 { x } else { 0.0 },
            if x > 0.0 { 1.0 } else { 0.0 },
        ),
        "leaky_relu" => {
            let slope = number(&params["effective_negative_slope"]);
            if x > 0.0 {
                (x, 1.0)
            } else {
                (slope * x, slope)
            }
        }
        "elu" => {
            let alpha = number(&params["alpha"]);
            if x > 0.0 {
                (x, 1.0)
            } else {
                (alpha * x.exp_m1(), alpha * x.exp())
            }
        }
        other => panic!("no f64 reference for {other}"),
    }
}

fn check_softmax<T: GoldenFloat>(case: &Value) {
    let case_name = name(case);
    let inputs = &case["inputs"];
    let expected = &case["expected"];
    let x = array_d::<T>(&inputs["x"]);
    let one_d = x.ndim() == 1;

    // 1-D input: one row through `apply_slice`; 2-D: `apply_rows`, whose
    // rows must equal `apply_slice` on each row alone.
    let x = as_rows(x);
    let y = if one_d {
        let mut row = x.row(0).to_vec();
        Softmax.apply_slice(&mut row);
        Array2::from_shape_vec(x.raw_dim(), row).unwrap()
    } else {
        let mut y = x.clone();
        Softmax.apply_rows(y.view_mut());
        for (r, row) in y.rows().into_iter().enumerate() {
            let mut alone = x.row(r).to_vec();
            Softmax.apply_slice(&mut alone);
            assert_close(
                case_name,
                "apply_slice on a row",
                &Array1::from(alone),
                &row,
                Kind::Exact,
            );
        }
        y
    };
    assert_close(
        case_name,
        "y",
        &y,
        &as_rows(array_d(&expected["y"])),
        Kind::Smooth,
    );

    // vjp for the given upstream; with upstream = 1 it is dy_dx (zero up to
    // rounding); with unit vectors e_k it gives row k of the Jacobian.
    let upstream = as_rows(array_d::<T>(&inputs["upstream"]));
    let (rows, width) = y.dim();
    let vjp = |r: usize, g: &[T]| {
        Softmax::vjp(y.row(r).as_slice().unwrap(), g)
            .unwrap_or_else(|e| panic!("{case_name}: vjp row {r}: {e}"))
    };
    let mut ours_vjp = Array2::zeros((rows, width));
    let mut ours_dy = Array2::zeros((rows, width));
    let mut ours_jacobian = Array3::zeros((rows, width, width));
    for r in 0..rows {
        let up = upstream.row(r).to_vec();
        ours_vjp.row_mut(r).assign(&Array1::from(vjp(r, &up)));
        ours_dy
            .row_mut(r)
            .assign(&Array1::from(vjp(r, &vec![T::one(); width])));
        for k in 0..width {
            let mut unit = vec![T::zero(); width];
            unit[k] = T::one();
            ours_jacobian
                .slice_mut(ndarray::s![r, k, ..])
                .assign(&Array1::from(vjp(r, &unit)));
        }
    }
    let derivative = Kind::SmoothDerivative;
    assert_close(
        case_name,
        "vjp",
        &ours_vjp,
        &as_rows(array_d(&expected["vjp"])),
        derivative,
    );
    assert_close(
        case_name,
        "dy_dx",
        &ours_dy,
        &as_rows(array_d(&expected["dy_dx"])),
        derivative,
    );
    if let Some(jacobian) = expected.get("jacobian") {
        let mut jacobian = array_d::<T>(jacobian);
        if one_d {
            jacobian.insert_axis_inplace(Axis(0));
        }
        let jacobian = jacobian.into_dimensionality::<Ix3>().unwrap();
        assert_close(case_name, "jacobian", &ours_jacobian, &jacobian, derivative);
    }
}

/// A 1-D row as a `[1, n]` matrix; a 2-D array unchanged.
fn as_rows<T: GoldenFloat>(mut a: ArrayD<T>) -> Array2<T> {
    if a.ndim() == 1 {
        a.insert_axis_inplace(Axis(0));
    }
    a.into_dimensionality::<Ix2>().expect("a 1-D or 2-D array")
}

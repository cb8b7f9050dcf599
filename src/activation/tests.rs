//! Properties of the activations, for `f32` and `f64`: symmetries, exact
//! limits, NaN, derivatives against finite differences, TensorFlow's
//! conventions at the kinks, parsing, and softmax's row semantics.

use super::{Activation, BuiltinActivation, Elu, LeakyRelu, Linear, Relu, Sigmoid, Softmax, Tanh};
use super::{LogSigmoid, Mish, Silu, Softplus, Softsign};
use crate::Error;
use ndarray::{Array2, ShapeBuilder, array};
use num_traits::Float;
use std::fmt::Debug;

fn t<T: Float>(x: f64) -> T {
    T::from(x).unwrap()
}

fn is_f32<T: Float>() -> bool {
    size_of::<T>() == 4
}

/// -40 to 40 in steps of 1/64 (exact in both types), and some awkward values.
fn sweep<T: Float>() -> Vec<T> {
    let mut xs: Vec<T> = (-40 * 64..=40 * 64)
        .map(|i| t(f64::from(i) / 64.0))
        .collect();
    xs.extend([1e-8, -1e-8, 0.1, -0.1, 1e3, -1e3, 1e30, -1e30].map(t::<T>));
    xs.extend([T::max_value(), T::min_value(), T::min_positive_value()]);
    xs
}

/// Every built-in, including non-default parameters.
fn all_activations<T: Float + Debug>() -> Vec<BuiltinActivation<T>> {
    let mut all: Vec<BuiltinActivation<T>> = [
        "sigmoid",
        "tanh",
        "relu",
        "leaky_relu",
        "elu",
        "linear",
        "softmax",
        "log_softmax",
        "sparsemax",
        "silu",
        "softplus",
        "log_sigmoid",
        "mish",
        "softsign",
    ]
    .iter()
    .map(|name| name.parse().unwrap())
    .collect();
    all.push(LeakyRelu::new(t(0.01)).into());
    all.push(Elu::new(t(0.5)).into());
    all
}

/// The golden files' tolerance for smooth functions, per type.
fn close<T: Float>(a: T, b: T) -> bool {
    let (rtol, atol) = if is_f32::<T>() {
        (1e-6, 1e-7)
    } else {
        (1e-12, 1e-15)
    };
    (a.is_nan() && b.is_nan()) || a == b || (a - b).abs() <= t::<T>(atol) + t::<T>(rtol) * b.abs()
}

fn sigmoid_is_symmetric_to_rounding<T: Float + Debug>() {
    for x in sweep::<T>() {
        let (low, high) = (Sigmoid.apply(-x), Sigmoid.apply(x));
        assert!(
            (low - (T::one() - high)).abs() <= T::epsilon(),
            "x = {x:?}: sigmoid(-x) = {low:?}, 1 - sigmoid(x) = {:?}",
            T::one() - high
        );
    }
}

fn sigmoid_is_monotone_within_zero_one<T: Float + Debug>() {
    let xs = sweep::<T>();
    let ys: Vec<T> = xs[..xs.len() - 11]
        .iter()
        .map(|&x| Sigmoid.apply(x))
        .collect();
    assert!(ys.windows(2).all(|w| w[0] <= w[1]));
    assert!(ys.iter().all(|&y| y >= T::zero() && y <= T::one()));
}

/// Rounding makes sigmoid exactly 1 once e^-x is below half an ULP of 1
/// (x > 24 ln 2 = 16.6 in f32, 53 ln 2 = 36.7 in f64: exactly rounded,
/// TF's f32 kernel reaches 1 at 16.64), and exactly 0 once e^x
/// underflows; it stays there.
fn sigmoid_reaches_its_limits_exactly<T: Float + Debug>() {
    let (from, until) = if is_f32::<T>() {
        (16.0, 18.0)
    } else {
        (36.0, 38.0)
    };
    let xs: Vec<T> = (0..=64 * 40).map(|i| t(f64::from(i) / 64.0)).collect();
    let first_one = xs
        .iter()
        .position(|&x| Sigmoid.apply(x) == T::one())
        .unwrap();
    assert!(
        t::<T>(from) < xs[first_one] && xs[first_one] < t(until),
        "1 from {:?}",
        xs[first_one]
    );
    assert!(
        xs[first_one..]
            .iter()
            .all(|&x| Sigmoid.apply(x) == T::one())
    );
    for x in [t(1e3), T::max_value(), T::infinity()] {
        assert_eq!(Sigmoid.apply(x), T::one());
        assert_eq!(Sigmoid.apply(-x), T::zero());
        assert!(Sigmoid.apply(-x).is_sign_positive());
        assert_eq!(Sigmoid.derivative(x), T::zero());
        assert_eq!(Sigmoid.derivative(-x), T::zero());
    }
    // Where the exact result is below the smallest normal number, we still
    // return it (TF's float32 kernel flushes it to 0 from x = -87.34).
    let tiny = if is_f32::<T>() { -88.0 } else { -709.0 };
    assert!(Sigmoid.apply(t::<T>(tiny)) > T::zero());
    let underflow = if is_f32::<T>() { -104.0 } else { -746.0 };
    assert_eq!(Sigmoid.apply(t::<T>(underflow)), T::zero());
}

fn tanh_keeps_the_sign_of_zero_and_its_limits<T: Float + Debug>() {
    let negative_zero = Tanh.apply(-T::zero());
    assert!(negative_zero == T::zero() && negative_zero.is_sign_negative());
    assert!(Tanh.apply(T::zero()).is_sign_positive());
    assert_eq!(Tanh.apply(T::infinity()), T::one());
    assert_eq!(Tanh.apply(T::neg_infinity()), -T::one());
    assert_eq!(Tanh.derivative(T::infinity()), T::zero());
    assert_eq!(Tanh.derivative(T::zero()), T::one());
    for x in sweep::<T>() {
        assert_eq!(Tanh.apply(-x), -Tanh.apply(x), "odd at {x:?}");
    }
}

fn nan_gives_nan_for_every_activation<T: Float + Debug>() {
    for f in all_activations::<T>() {
        assert!(f.apply(T::nan()).is_nan(), "{f:?}");
        let mut xs = [T::one(), T::nan(), -T::one()];
        f.apply_slice(&mut xs);
        assert!(xs[1].is_nan(), "{f:?}: apply_slice");
        let mut rows = array![[T::nan(), T::one()]];
        f.apply_rows(rows.view_mut());
        assert!(rows[[0, 0]].is_nan(), "{f:?}: apply_rows");
    }
}

fn slice_and_rows_agree_with_apply<T: Float + Debug>() {
    let xs = sweep::<T>();
    for f in all_activations::<T>() {
        if matches!(
            f,
            BuiltinActivation::Softmax(_)
                | BuiltinActivation::LogSoftmax(_)
                | BuiltinActivation::Sparsemax(_)
        ) {
            continue;
        }
        let mut slice = xs.clone();
        f.apply_slice(&mut slice);
        // A column-major block is not a row-major slice: the other path.
        let mut block = Array2::from_shape_vec((xs.len(), 1).f(), xs.clone()).unwrap();
        let mut columns = block.clone().reversed_axes();
        f.apply_rows(block.view_mut());
        f.apply_rows(columns.view_mut());
        for (i, &x) in xs.iter().enumerate() {
            let scalar = f.apply(x);
            for (how, value) in [
                ("slice", slice[i]),
                ("rows", block[[i, 0]]),
                ("t", columns[[0, i]]),
            ] {
                assert!(
                    close(value, scalar),
                    "{f:?} {how} at {x:?}: {value:?} vs {scalar:?}"
                );
            }
        }
    }
}

/// Central differences in f64, away from the kink at 0 of the piecewise
/// functions; error of order h² + eps/h, far below the bound.
#[test]
fn derivatives_match_central_differences_in_f64() {
    let functions: Vec<BuiltinActivation<f64>> = vec![
        Sigmoid.into(),
        Tanh.into(),
        Relu.into(),
        LeakyRelu::new(0.1).into(),
        LeakyRelu::new(0.3).into(),
        Elu::new(1.0).into(),
        Elu::new(0.5).into(),
        Linear.into(),
        Silu.into(),
        Softplus.into(),
        LogSigmoid.into(),
        Mish.into(),
        Softsign.into(),
    ];
    let xs = (-2000..=2000)
        .map(|i| f64::from(i) * 0.0101)
        .filter(|x| x.abs() > 1e-3);
    for x in xs {
        let h = 1e-5 * x.abs().max(1.0);
        for f in &functions {
            let numeric = (f.apply(x + h) - f.apply(x - h)) / (2.0 * h);
            let closed = f.derivative(x);
            assert!(
                (numeric - closed).abs() <= 1e-8 * closed.abs().max(1.0),
                "{f:?} at {x}: closed form {closed:e}, finite difference {numeric:e}"
            );
        }
    }
}

/// The f32 derivatives are the f64 ones rounded, to a few ULPs.
#[test]
fn f32_derivatives_agree_with_f64() {
    let pairs: Vec<(BuiltinActivation<f32>, BuiltinActivation<f64>)> = vec![
        (Sigmoid.into(), Sigmoid.into()),
        (Tanh.into(), Tanh.into()),
        (Elu::new(0.5).into(), Elu::new(0.5).into()),
    ];
    for x in sweep::<f32>() {
        for (single, double) in &pairs {
            let (d32, d64) = (single.derivative(x), double.derivative(f64::from(x)));
            assert!(
                (f64::from(d32) - d64).abs() <= 4.0 * f64::from(f32::EPSILON) * d64.abs() + 1e-45,
                "{single:?} at {x}: {d32:e} vs {d64:e}"
            );
        }
    }
}

fn kinks_follow_tensorflow<T: Float + Debug>() {
    let (slope, alpha) = (t::<T>(0.1), t::<T>(0.5));
    for zero in [T::zero(), -T::zero()] {
        assert_eq!(Relu.derivative(zero), T::zero());
        assert_eq!(LeakyRelu::new(slope).derivative(zero), slope);
        assert_eq!(Elu::new(alpha).derivative(zero), alpha);
        assert_eq!(Elu::<T>::default().derivative(zero), T::one());
    }
    // At NaN: the non-positive branch for the piecewise functions.
    assert_eq!(Relu.derivative(T::nan()), T::zero());
    assert_eq!(LeakyRelu::new(slope).derivative(T::nan()), slope);
    assert_eq!(Elu::new(alpha).derivative(T::nan()), alpha);
    assert_eq!(Linear.derivative(T::nan()), T::one());
    assert!(Sigmoid.derivative(T::nan()).is_nan());
    assert!(Tanh.derivative(T::nan()).is_nan());
    // Limits of the piecewise functions.
    assert_eq!(Elu::new(alpha).apply(T::neg_infinity()), -alpha);
    assert_eq!(Relu.apply(T::infinity()), T::infinity());
    assert_eq!(
        LeakyRelu::new(slope).apply(T::neg_infinity()),
        T::neg_infinity()
    );
}

/// expm1 keeps small negative inputs accurate, where TF's exp(x) - 1
/// gives 0 in f32 (elu(-1e-8)).
fn elu_is_accurate_near_zero<T: Float + Debug>() {
    for x in [-1e-8, -1e-5, -3e-3] {
        let exact = x.exp_m1();
        let ours = Elu::<T>::default().apply(t(x)).to_f64().unwrap();
        assert!((ours - exact).abs() <= 2.0 * T::epsilon().to_f64().unwrap() * exact.abs());
    }
}

fn parses_every_keras_name<T: Float + Debug>() {
    for name in [
        "sigmoid",
        "tanh",
        "relu",
        "leaky_relu",
        "elu",
        "linear",
        "softmax",
        "log_softmax",
        "sparsemax",
        "selu",
        "celu",
        "tanh_shrink",
        "squareplus",
        "gelu",
        "exponential",
        "silu",
        "softplus",
        "log_sigmoid",
        "mish",
        "softsign",
    ] {
        let f: BuiltinActivation<T> = name.parse().unwrap();
        assert_eq!(f.name(), name);
        let expected_variant = match f {
            BuiltinActivation::Sigmoid(_) => "sigmoid",
            BuiltinActivation::Tanh(_) => "tanh",
            BuiltinActivation::Relu(_) => "relu",
            BuiltinActivation::LeakyRelu(_) => "leaky_relu",
            BuiltinActivation::Elu(e) => {
                assert_eq!(e.alpha(), T::one());
                "elu"
            }
            BuiltinActivation::Linear(_) => "linear",
            BuiltinActivation::Softmax(_) => "softmax",
            BuiltinActivation::LogSoftmax(_) => "log_softmax",
            BuiltinActivation::Sparsemax(_) => "sparsemax",
            BuiltinActivation::Selu(_) => "selu",
            BuiltinActivation::Celu(c) => {
                assert_eq!(c.alpha(), T::one());
                "celu"
            }
            BuiltinActivation::TanhShrink(_) => "tanh_shrink",
            BuiltinActivation::Squareplus(f) => {
                assert_eq!(f.b(), t(4.0));
                "squareplus"
            }
            BuiltinActivation::Gelu(g) => {
                assert!(!g.is_approximate(), "Keras's \"gelu\" is the erf form");
                "gelu"
            }
            BuiltinActivation::Exponential(_) => "exponential",
            BuiltinActivation::Silu(_) => "silu",
            BuiltinActivation::Softplus(_) => "softplus",
            BuiltinActivation::LogSigmoid(_) => "log_sigmoid",
            BuiltinActivation::Mish(_) => "mish",
            BuiltinActivation::Softsign(_) => "softsign",
            _ => panic!("{name} parses into another built-in"),
        };
        assert_eq!(expected_variant, name);
    }
    assert_eq!(
        "swish".parse::<BuiltinActivation<T>>(),
        Ok(BuiltinActivation::Silu(Silu))
    );
    assert_eq!(
        "glu".parse::<BuiltinActivation<T>>(),
        Err(Error::UnknownActivation {
            name: "glu".to_owned()
        })
    );
}

/// The tutorial's default slope is 0.1; Keras's "leaky_relu" is 0.2 as TF
/// stores it, a float32, also in f64 networks.
fn leaky_relu_slopes<T: Float + Debug>() {
    assert_eq!(LeakyRelu::<T>::default().slope(), t(0.1));
    match "leaky_relu".parse::<BuiltinActivation<T>>() {
        Ok(BuiltinActivation::LeakyRelu(f)) => assert_eq!(f.slope(), t(f64::from(0.2_f32))),
        other => panic!("{other:?}"),
    }
}

/// `apply`/`derivative` see a row of length one: 1 and 0 for finite x.
fn softmax_scalar_is_a_row_of_one<T: Float + Debug>() {
    for x in [T::zero(), t(-1e3), t(42.0), T::max_value()] {
        assert_eq!(Softmax.apply(x), T::one());
        assert_eq!(Softmax.derivative(x), T::zero());
    }
    for x in [T::nan(), T::infinity(), T::neg_infinity()] {
        assert!(Softmax.apply(x).is_nan());
    }
}

/// `apply_slice` is one row, `apply_rows` each row on its own, whatever
/// the memory layout; Keras's rules for non-finite entries.
fn softmax_rows<T: Float + Debug>() {
    let (inf, nan) = (T::infinity(), T::nan());
    let x: Array2<T> = array![[1.0, 2.0, 3.0], [1e3, 1e3, -1e3], [0.0, -1e30, 0.0]].mapv(t);
    let mut rows = x.clone();
    Softmax.apply_rows(rows.view_mut());
    for (r, row) in rows.rows().into_iter().enumerate() {
        let mut alone = x.row(r).to_vec();
        Softmax.apply_slice(&mut alone);
        assert_eq!(row.to_vec(), alone);
        let sum = row.iter().fold(T::zero(), |s, &y| s + y);
        assert!((sum - T::one()).abs() <= t::<T>(2.0) * T::epsilon());
    }
    assert_eq!(rows.row(1).to_vec(), [0.5, 0.5, 0.0].map(t::<T>));
    assert_eq!(rows.row(2).to_vec(), [0.5, 0.0, 0.5].map(t::<T>));
    // exp(k) / sum, computed in f64.
    for (k, &y) in rows.row(0).iter().enumerate() {
        let exact = (k as f64 + 1.0).exp() / (1.0_f64.exp() + 2.0_f64.exp() + 3.0_f64.exp());
        assert!(close(y, t(exact)));
    }
    // Column-major storage: rows are not contiguous.
    let mut fortran =
        Array2::from_shape_vec(x.raw_dim().f(), x.t().iter().copied().collect()).unwrap();
    assert_eq!(fortran, x);
    Softmax.apply_rows(fortran.view_mut());
    assert_eq!(fortran, rows);
    // Shifting a row changes nothing.
    let mut shifted = x.row(0).mapv(|v| v + t(100.0)).to_vec();
    Softmax.apply_slice(&mut shifted);
    assert!(shifted.iter().zip(rows.row(0)).all(|(&a, &b)| close(a, b)));

    let mut special: Array2<T> = array![
        [nan, T::zero(), T::one()],
        [inf, T::zero(), T::one()],
        [-inf, T::zero(), T::zero()],
        [-inf, -inf, -inf],
    ];
    Softmax.apply_rows(special.view_mut());
    assert!(special.row(0).iter().all(|y| y.is_nan()));
    assert!(special.row(1).iter().all(|y| y.is_nan()));
    assert_eq!(special.row(2).to_vec(), [0.0, 0.5, 0.5].map(t::<T>));
    assert!(special.row(3).iter().all(|y| y.is_nan()));

    let mut empty: [T; 0] = [];
    Softmax.apply_slice(&mut empty);
    let mut single = [t::<T>(-7.0)];
    Softmax.apply_slice(&mut single);
    assert_eq!(single, [T::one()]);
}

/// `vjp(y, g)` is the gradient of `Σ g·softmax(x)`: checked by central
/// differences in f64.
#[test]
fn softmax_vjp_matches_central_differences() {
    let x = [0.3, -1.2, 2.5, 0.0, 1.1];
    let g = [0.7, -0.4, 0.1, 1.5, -0.9];
    let loss = |x: &[f64]| {
        let mut y = x.to_vec();
        Softmax.apply_slice(&mut y);
        y.iter().zip(&g).map(|(y, g)| y * g).sum::<f64>()
    };
    let mut y = x.to_vec();
    Softmax.apply_slice(&mut y);
    let vjp = Softmax::vjp(&y, &g).unwrap();
    for i in 0..x.len() {
        let h = 1e-6;
        let (mut up, mut down) = (x.to_vec(), x.to_vec());
        up[i] += h;
        down[i] -= h;
        let numeric = (loss(&up) - loss(&down)) / (2.0 * h);
        assert!(
            (numeric - vjp[i]).abs() < 1e-9,
            "{i}: {numeric:e} vs {:e}",
            vjp[i]
        );
    }
    // Rows sum to 1, so an upstream of ones gives zero (up to rounding).
    let ones = Softmax::vjp(&y, &[1.0; 5]).unwrap();
    assert!(ones.iter().all(|v| v.abs() < 1e-16));
}

macro_rules! for_f32_and_f64 {
    ($($test:ident),* $(,)?) => {
        mod single {
            $(#[test] fn $test() { super::$test::<f32>(); })*
        }
        mod double {
            $(#[test] fn $test() { super::$test::<f64>(); })*
        }
    };
}

for_f32_and_f64!(
    sigmoid_is_symmetric_to_rounding,
    sigmoid_is_monotone_within_zero_one,
    sigmoid_reaches_its_limits_exactly,
    tanh_keeps_the_sign_of_zero_and_its_limits,
    nan_gives_nan_for_every_activation,
    slice_and_rows_agree_with_apply,
    kinks_follow_tensorflow,
    elu_is_accurate_near_zero,
    parses_every_keras_name,
    leaky_relu_slopes,
    softmax_scalar_is_a_row_of_one,
    softmax_rows,
);

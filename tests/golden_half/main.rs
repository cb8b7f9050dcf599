//! `half::f16` and `half::bf16` models (the `half` feature) against the
//! golden Dense cases of `dense.json`, with tolerances derived from each
//! type's unit roundoff; and training in both types.
//!
//! # The tolerance
//!
//! Notation: `u` is the unit roundoff of the 16-bit type `T` (half its
//! machine epsilon: `2^-11` for `f16`, `2^-8` for `bf16`), `u₃₂ = 2^-24`,
//! `η` half the smallest positive subnormal of `T` (the absolute error of
//! rounding a tiny value), `γ(n, v) = n·v / (1 - n·v)` (Higham's bound on
//! the relative error of a sum of `n` products in precision `v`, any order,
//! with or without FMA).
//!
//! The case's inputs, weights and leaky slope are rounded to `T` (through
//! `f32` for float64 cases), so each is off by at most `u_in·|v| + η` with
//! `u_in = u + u₃₂ + u·u₃₂` (two roundings).
//!
//! A layer gets an input `ĥ` within `e_i` of the reference input `h` (the
//! case's `x`, or Keras's output of the previous layer) and computes, with
//! the feature's f32 path, `ẑ = fl_T(fl₃₂(Σ ĥᵢ·Ŵᵢⱼ + b̂ⱼ))`. Against
//! Keras's `z = h·W + b`:
//!
//! ```text
//! |ẑ - z| ≤ Σ eᵢ·(1 + u_in)|Wᵢⱼ| + u_in·S + η·(k + 1)    rounding of x, W, b
//!         + γ(k + 1, u₃₂)·A                            the f32 sum
//!         + u·(|z| + the above) + η                    one rounding to T
//!         + γ(k + 1, v_ref)·S                          Keras's own rounding
//! ```
//!
//! with `S = Σ|hᵢ·Wᵢⱼ| + |bⱼ|`, `A` the same sum over the rounded values
//! (`Σ(|hᵢ| + eᵢ)(1 + u_in)|Wᵢⱼ| + (1 + u_in)|bⱼ|`), and `v_ref` the unit
//! roundoff of the case's dtype. The activation is computed in `f32` from
//! `ẑ` and rounded to `T` once, so
//!
//! ```text
//! |ŷ - y| ≤ L·Δz + c₃₂·(|y| + L·Δz) + r + u·(|y| + that) + η
//! ```
//!
//! where `Δz` is the bound above, `L` the function's Lipschitz constant
//! (sigmoid 1/4; tanh, relu, leaky relu, elu with α = 1 and linear 1;
//! softmax `1/2` times the row's largest `Δz`, since each row of its
//! Jacobian sums to `2yᵢ(1 - yᵢ) ≤ 1/2` in absolute value),
//! `c₃₂ = 8·u₃₂` the error of the `f32` kernels (at most 2 `f32` ULPs,
//! src/kernels), and `r` the error of Keras's own value (tests/golden/README:
//! `1e-7 + 1e-6·|y|` for float32 sigmoid, tanh, elu and softmax,
//! `1e-15 + 1e-12·|y|` for float64, 0 for the piecewise-linear functions);
//! the leaky slope's rounding adds `u_in·|y|`. The bound on a layer's
//! output is the next layer's `e`.
//!
//! Cases whose values (inputs, weights, Keras's pre-activations and
//! outputs, or the bound's `A`) exceed the type's largest finite value
//! would overflow to infinity and are skipped: none of the 90 do, since
//! the largest magnitude in `dense.json` is 11.3 (f16's limit is 65504,
//! bf16's 3.4·10^38).
//!
//! Training and the metrics in 16 bits: training.rs.

#![cfg(feature = "half")]

#[path = "../common/mod.rs"]
mod common;
mod training;

use common::{array1, array2, cases, count, list, load, name, text};
use half::{bf16, f16};
use ndarray::{Array2, ArrayView2, array};
use neurite::{
    Adam, BuiltinActivation, Dense, Element, FitOptions, LeakyRelu, Optimizer, RmsProp, Sequential,
    Sgd, Sigmoid, Tanh, loss,
};
use serde_json::Value;
use std::fmt::Display;

/// The two 16-bit types, with what the bound needs to know about them.
trait Half: Element + Display {
    const NAME: &'static str;
    /// Unit roundoff: half the machine epsilon.
    fn unit_roundoff() -> f64 {
        Self::epsilon().to_f64().unwrap() / 2.0
    }
    /// Half the smallest positive subnormal.
    fn eta() -> f64;
    fn from_wide(value: f64) -> Self {
        Self::from(value).unwrap()
    }
    fn wide(self) -> f64 {
        self.to_f64().unwrap()
    }
}

impl Half for f16 {
    const NAME: &'static str = "f16";
    fn eta() -> f64 {
        2f64.powi(-25)
    }
}

impl Half for bf16 {
    const NAME: &'static str = "bf16";
    fn eta() -> f64 {
        2f64.powi(-134)
    }
}

const U32: f64 = f32::EPSILON as f64 / 2.0;
const U64: f64 = f64::EPSILON / 2.0;

fn gamma(n: usize, v: f64) -> f64 {
    n as f64 * v / (1.0 - n as f64 * v)
}

/// What a case's activation contributes to the bound.
struct ActivationBound {
    lipschitz: f64,
    /// Softmax: `L` applies to the row's largest `Δz`.
    row_wise: bool,
    /// sigmoid, tanh, elu, softmax: computed by a polynomial kernel, and
    /// Keras's value is not exact.
    smooth: bool,
    /// leaky relu: its slope is rounded to `T`.
    rounded_slope: bool,
}

fn activation_bound(name: &str) -> ActivationBound {
    let (lipschitz, smooth) = match name {
        "sigmoid" => (0.25, true),
        "tanh" | "elu" => (1.0, true),
        "softmax" => (0.5, true),
        "relu" | "linear" | "leaky_relu_0.1" => (1.0, false),
        other => panic!("activation {other:?}"),
    };
    ActivationBound {
        lipschitz,
        row_wise: name == "softmax",
        smooth,
        rounded_slope: name == "leaky_relu_0.1",
    }
}

fn activation<T: Half>(name: &str) -> BuiltinActivation<T> {
    match name {
        // TF's float32 slope, as in tests/common.
        "leaky_relu_0.1" => LeakyRelu::new(T::from_wide(f64::from(0.1_f32))).into(),
        keras => keras.parse().unwrap(),
    }
}

/// How one case went in one type.
enum Outcome {
    /// Checked: the largest ratio of an error to its bound, and the widest
    /// bound on an output in units of `u·(|y| + 1)`.
    Checked { worst_ratio: f64, widest: f64 },
    /// Skipped: a value beyond the type's range.
    Overflow,
}

/// Runs one case in `T` and checks every layer's pre-activation and output
/// against Keras's within the derived bound.
fn check_case<T: Half>(case: &Value) -> Outcome {
    let case_name = name(case);
    let (inputs, expected) = (&case["inputs"], &case["expected"]);
    let v_ref = if case["dtype"] == "float32" { U32 } else { U64 };
    let (u, eta) = (T::unit_roundoff(), T::eta());
    let u_in = u + U32 + u * U32;
    let max = T::max_value().wide();

    let x = array2::<f64>(&inputs["x"]);
    let layers = list(&inputs["layers"]);
    let mut model = Sequential::<T>::new();
    for layer in layers {
        let kernel = array2::<f64>(&layer["kernel"]).mapv(T::from_wide);
        let bias = array1::<f64>(&layer["bias"]).mapv(T::from_wide);
        let dense = Dense::new(kernel, bias, activation::<T>(text(&layer["activation"]))).unwrap();
        assert_eq!(dense.units(), count(&layer["units"]));
        model.add(dense).unwrap();
    }

    // Range: every stored value must be finite in T.
    let mut values: Vec<f64> = x.iter().copied().collect();
    for (i, layer) in layers.iter().enumerate() {
        values.extend(array2::<f64>(&layer["kernel"]).iter());
        values.extend(array1::<f64>(&layer["bias"]).iter());
        values.extend(array2::<f64>(&expected["pre_activations"][i]).iter());
        values.extend(array2::<f64>(&expected["layer_outputs"][i]).iter());
    }
    if values.iter().any(|v| v.abs() > max) {
        return Outcome::Overflow;
    }

    let x_hat = x.mapv(T::from_wide);
    let ours = model.layer_outputs(&x_hat).unwrap();
    assert_eq!(model.forward(&x_hat).unwrap(), ours[ours.len() - 1]);

    // e: the bound on our input's error, per value.
    let mut e = x.mapv(|v| u_in * v.abs() + eta);
    let mut h = x.clone();
    let (mut worst_ratio, mut widest): (f64, f64) = (0.0, 0.0);
    for (i, (layer, golden)) in model.layers().zip(layers).enumerate() {
        assert_eq!(model.forward_to(&x_hat, i).unwrap(), ours[i]);
        let kernel = array2::<f64>(&golden["kernel"]);
        let bias = array1::<f64>(&golden["bias"]);
        let z_ref = array2::<f64>(&expected["pre_activations"][i]);
        let y_ref = array2::<f64>(&expected["layer_outputs"][i]);
        let k = kernel.nrows();
        let act = activation_bound(text(&golden["activation"]));

        // Our pre-activation, from our own previous output.
        let input = if i == 0 {
            x_hat.view()
        } else {
            ours[i - 1].view()
        };
        let mut z_hat = Array2::<T>::zeros(z_ref.raw_dim());
        layer.pre_activation_into(input, z_hat.view_mut()).unwrap();

        let dz = Array2::from_shape_fn(z_ref.raw_dim(), |(r, j)| {
            let (mut propagated, mut s, mut a) = (0.0, bias[j].abs(), (1.0 + u_in) * bias[j].abs());
            for p in 0..k {
                let w = kernel[[p, j]].abs();
                propagated += e[[r, p]] * (1.0 + u_in) * w;
                s += h[[r, p]].abs() * w;
                a += (h[[r, p]].abs() + e[[r, p]]) * (1.0 + u_in) * w;
            }
            if a > max {
                return f64::INFINITY;
            }
            let before = propagated + u_in * s + eta * (k + 1) as f64 + gamma(k + 1, U32) * a;
            let rounded = before + u * (z_ref[[r, j]].abs() + before) + eta;
            (rounded + gamma(k + 1, v_ref) * s) * (1.0 + 1e-9)
        });
        if dz.iter().any(|d| d.is_infinite()) {
            return Outcome::Overflow;
        }
        worst_ratio = worst_ratio.max(compare(
            case_name,
            T::NAME,
            "pre-activation",
            i,
            z_hat.view(),
            &z_ref,
            &dz,
        ));

        let (c32, reference) = if act.smooth {
            let r = if v_ref == U32 {
                (1e-7, 1e-6)
            } else {
                (1e-15, 1e-12)
            };
            (8.0 * U32, r)
        } else {
            (0.0, (0.0, 0.0))
        };
        let bound = Array2::from_shape_fn(y_ref.raw_dim(), |(r, j)| {
            let moved = if act.row_wise {
                act.lipschitz * dz.row(r).iter().fold(0.0_f64, |m, &d| m.max(d))
            } else {
                act.lipschitz * dz[[r, j]]
            };
            let y = y_ref[[r, j]].abs();
            let mut before = moved + c32 * (y + moved) + reference.0 + reference.1 * y;
            if act.rounded_slope {
                before += u_in * y;
            }
            (before + u * (y + before) + eta) * (1.0 + 1e-9)
        });
        worst_ratio = worst_ratio.max(compare(
            case_name,
            T::NAME,
            "output",
            i,
            ours[i].view(),
            &y_ref,
            &bound,
        ));
        for (b, y) in bound.iter().zip(&y_ref) {
            widest = widest.max(b / (u * (y.abs() + 1.0)));
        }

        e = bound;
        h = y_ref;
    }
    Outcome::Checked {
        worst_ratio,
        widest,
    }
}

/// Asserts `|ours - expected| ≤ bound` everywhere; returns the largest
/// ratio of error to bound.
fn compare<T: Half>(
    case: &str,
    type_name: &str,
    what: &str,
    layer: usize,
    ours: ArrayView2<'_, T>,
    expected: &Array2<f64>,
    bound: &Array2<f64>,
) -> f64 {
    let mut worst: f64 = 0.0;
    for ((index, &e), (&o, &b)) in expected.indexed_iter().zip(ours.iter().zip(bound)) {
        let error = (o.wide() - e).abs();
        assert!(
            error <= b,
            "{case} in {type_name}: layer {layer} {what} {index:?}: ours {o}, Keras {e:e}, error {error:e} > bound {b:e}"
        );
        worst = worst.max(error / b);
    }
    worst
}

/// Checked and skipped cases, the worst error/bound ratio and the widest
/// bound (see [`Outcome`]).
fn run_all<T: Half>() -> (usize, usize, f64, f64) {
    let file = load("dense.json");
    let (mut checked, mut skipped, mut worst, mut widest) = (0, 0, 0.0_f64, 0.0_f64);
    for case in cases(&file) {
        match check_case::<T>(case) {
            Outcome::Checked {
                worst_ratio,
                widest: w,
            } => {
                checked += 1;
                worst = worst.max(worst_ratio);
                widest = widest.max(w);
            }
            Outcome::Overflow => skipped += 1,
        }
    }
    (checked, skipped, worst, widest)
}

#[test]
fn every_dense_case_within_the_f16_bound() {
    let (checked, skipped, worst, widest) = run_all::<f16>();
    println!(
        "f16: {checked} cases checked, {skipped} skipped, worst error/bound {worst:.3}, \
         widest bound {widest:.1}·u·(|y| + 1)"
    );
    assert_eq!((checked, skipped), (90, 0));
    // The bound is a few roundings, not a blanket tolerance.
    assert!(widest < 64.0, "{widest}");
}

#[test]
fn every_dense_case_within_the_bf16_bound() {
    let (checked, skipped, worst, widest) = run_all::<bf16>();
    println!(
        "bf16: {checked} cases checked, {skipped} skipped, worst error/bound {worst:.3}, \
         widest bound {widest:.1}·u·(|y| + 1)"
    );
    assert_eq!((checked, skipped), (90, 0));
    // The bound is a few roundings, not a blanket tolerance.
    assert!(widest < 64.0, "{widest}");
}

//! The documented values at the edges, exactly, on every path and for both
//! types: limits, signed zeros, NaN, subnormal inputs, and softmax's rules
//! for NaN and infinite entries. Also the dispatch: [`native`] and the
//! activations' `apply_slice` reach the kernels of the best path.

use super::{f32_ulps, f64_ulps, paths};
use crate::activation::{Activation, Elu, LeakyRelu, Relu, Sigmoid, Softmax, Tanh};
use crate::kernels::{Isa, Kernels, Native, f32_kernels, f64_kernels, native};
use num_traits::Float;
use std::fmt::Debug;

/// What the test needs of `f32` and `f64`.
trait Sample: Float + Debug {
    fn kernels(path: &Isa) -> &Kernels<Self>;
    fn from_f64(x: f64) -> Self;
    fn bits(self) -> u64;
}

impl Sample for f32 {
    fn kernels(path: &Isa) -> &Kernels<f32> {
        &path.f32
    }
    fn from_f64(x: f64) -> f32 {
        x as f32
    }
    fn bits(self) -> u64 {
        u64::from(self.to_bits())
    }
}

impl Sample for f64 {
    fn kernels(path: &Isa) -> &Kernels<f64> {
        &path.f64
    }
    fn from_f64(x: f64) -> f64 {
        x
    }
    fn bits(self) -> u64 {
        self.to_bits()
    }
}

/// Asserts `kernel(x) == expected` on every path: bit for bit (so the sign
/// of zero counts), or both NaN.
fn expect<T: Sample>(name: &str, kernel: impl Fn(&Kernels<T>, &mut [T]), cases: &[(T, T)]) {
    for (path_name, path) in paths() {
        let mut ys: Vec<T> = cases.iter().map(|&(x, _)| x).collect();
        kernel(T::kernels(path), &mut ys);
        for (&(x, expected), &y) in cases.iter().zip(&ys) {
            let ok = if expected.is_nan() {
                y.is_nan()
            } else {
                y.bits() == expected.bits()
            };
            assert!(
                ok,
                "{name}({x:?}) = {y:?} on {path_name}, expected {expected:?}"
            );
        }
    }
}

fn edge_values<T: Sample>() {
    let c = T::from_f64;
    let (inf, nan, tiny) = (T::infinity(), T::nan(), T::min_positive_value() / c(4096.0));
    expect::<T>(
        "sigmoid",
        |k, xs| (k.sigmoid)(xs),
        &[
            (inf, c(1.0)),
            (-inf, c(0.0)),
            (nan, nan),
            (c(0.0), c(0.5)),
            (-c(0.0), c(0.5)),
            (tiny, c(0.5)),
            (-tiny, c(0.5)),
            (c(1e4), c(1.0)),
            (c(-1e4), c(0.0)),
        ],
    );
    expect::<T>(
        "tanh",
        |k, xs| (k.tanh)(xs),
        &[
            (inf, c(1.0)),
            (-inf, c(-1.0)),
            (nan, nan),
            (c(0.0), c(0.0)),
            (-c(0.0), -c(0.0)),
            (tiny, tiny),
            (-tiny, -tiny),
            (c(1e-30), c(1e-30)),
            (c(50.0), c(1.0)),
            (c(-50.0), c(-1.0)),
        ],
    );
    for alpha in [c(1.0), c(0.5)] {
        expect::<T>(
            "elu",
            move |k, xs| (k.elu)(xs, alpha),
            &[
                (inf, inf),
                (-inf, -alpha),
                (nan, nan),
                (c(0.0), c(0.0)),
                (-c(0.0), -c(0.0)),
                (c(2.5), c(2.5)),
                (c(-1e-20), alpha * c(-1e-20)),
                (-tiny, -tiny * alpha),
                (c(-100.0), -alpha),
            ],
        );
    }
    expect::<T>(
        "relu",
        |k, xs| (k.relu)(xs),
        &[
            (inf, inf),
            (-inf, c(0.0)),
            (nan, nan),
            (c(0.0), c(0.0)),
            (-c(0.0), c(0.0)),
            (tiny, tiny),
            (-tiny, c(0.0)),
            (c(-3.0), c(0.0)),
        ],
    );
    expect::<T>(
        "leaky_relu",
        |k, xs| (k.leaky_relu)(xs, c(0.25)),
        &[
            (inf, inf),
            (-inf, -inf),
            (nan, nan),
            (c(0.0), c(0.0)),
            (-c(0.0), -c(0.0)),
            (c(-4.0), c(-1.0)),
            (c(3.0), c(3.0)),
        ],
    );
    expect::<T>(
        "exp",
        |k, xs| (k.exp)(xs),
        &[
            (inf, inf),
            (-inf, c(0.0)),
            (nan, nan),
            (c(0.0), c(1.0)),
            (-c(0.0), c(1.0)),
            (tiny, c(1.0)),
            (c(1e4), inf),
            (c(-1e4), c(0.0)),
        ],
    );
    expect::<T>(
        "log1p",
        |k, xs| (k.log1p)(xs),
        &[
            (inf, inf),
            (-inf, nan),
            (nan, nan),
            (c(0.0), c(0.0)),
            (-c(0.0), -c(0.0)),
            (tiny, tiny),
            (-tiny, -tiny),
            (c(-1.0), -inf),
            (c(-2.0), nan),
            (c(1e-30), c(1e-30)),
        ],
    );
    expect::<T>(
        "ln",
        |k, xs| (k.ln)(xs),
        &[
            (inf, inf),
            (-inf, nan),
            (nan, nan),
            (c(1.0), c(0.0)),
            (c(0.0), -inf),
            (-c(0.0), -inf),
            (-tiny, nan),
            (c(-1.0), nan),
            (c(2.0), c(std::f64::consts::LN_2)),
            (c(0.5), -c(std::f64::consts::LN_2)),
        ],
    );
}

/// selu saturates at `-scale·alpha` rounded, celu at `-alpha` (a large
/// `alpha` included: a subnormal `x / alpha` must not lose `x`'s bits).
fn selu_and_celu_edge_values<T: Sample>() {
    let c = T::from_f64;
    let (inf, nan, tiny) = (T::infinity(), T::nan(), T::min_positive_value() / c(4096.0));
    let saturated = c(-1.758_099_340_847_376_8);
    expect::<T>(
        "selu",
        |k, xs| (k.selu)(xs),
        &[
            (inf, inf),
            (-inf, saturated),
            (nan, nan),
            (c(0.0), c(0.0)),
            (-c(0.0), -c(0.0)),
            (c(1.0), c(1.050_700_987_355_480_5)),
            (c(-40.0), saturated),
            (c(-1e4), saturated),
        ],
    );
    for alpha in [c(1.0), c(0.5), c(0.7), c(1000.0)] {
        expect::<T>(
            "celu",
            move |k, xs| (k.celu)(xs, alpha),
            &[
                (inf, inf),
                (-inf, -alpha),
                (nan, nan),
                (c(0.0), c(0.0)),
                (-c(0.0), -c(0.0)),
                (c(2.5), c(2.5)),
                (-tiny, -tiny),
                (tiny, tiny),
                (c(-1e5), -alpha),
            ],
        );
    }
}

#[test]
fn selu_and_celu_saturate_exactly() {
    selu_and_celu_edge_values::<f32>();
    selu_and_celu_edge_values::<f64>();
}

/// `ln(2^k) = k·ln 2` within 1 ULP for every `k` down to the smallest
/// subnormal: subnormal inputs are not flushed.
fn ln_of_powers_of_two<T: Sample>(lowest: i32, ulps: impl Fn(T, T) -> u128) {
    let c = T::from_f64;
    // 2^0, 2^-1, …, halved exactly.
    let inputs: Vec<T> = std::iter::successors(Some(c(1.0)), |&x| Some(x * c(0.5)))
        .take((1 - lowest) as usize)
        .collect();
    for (path_name, path) in paths() {
        let mut ys = inputs.clone();
        (T::kernels(path).ln)(&mut ys);
        for (k, y) in (lowest..=0).rev().zip(ys) {
            let expected = c(f64::from(k) * std::f64::consts::LN_2);
            assert!(
                ulps(y, expected) <= 1,
                "ln(2^{k}) = {y:?} on {path_name}, expected {expected:?}"
            );
        }
    }
}

#[test]
fn ln_of_subnormals_is_not_flushed() {
    ln_of_powers_of_two::<f32>(-149, |a, b| u128::from(f32_ulps(a, b)));
    ln_of_powers_of_two::<f64>(-1074, f64_ulps);
}

#[test]
fn f32_edge_values_are_exact() {
    edge_values::<f32>();
    // Where e^x - 1 computed as written would give 0.
    expect::<f32>("elu", |k, xs| (k.elu)(xs, 1.0), &[(-1e-8, -1e-8)]);
}

#[test]
fn f64_edge_values_are_exact() {
    edge_values::<f64>();
}

fn softmax_rows<T: Sample>() {
    let c = T::from_f64;
    let (inf, nan) = (T::infinity(), T::nan());
    let rows: Vec<(Vec<T>, Vec<T>)> = vec![
        (vec![], vec![]),
        (vec![c(5.0)], vec![c(1.0)]),
        (vec![c(1.0), c(1.0)], vec![c(0.5), c(0.5)]),
        (vec![c(0.0), -inf], vec![c(1.0), c(0.0)]),
        (vec![c(1e4), c(0.0)], vec![c(1.0), c(0.0)]),
        (vec![nan, c(1.0)], vec![nan, nan]),
        (vec![inf, c(1.0)], vec![nan, nan]),
        (vec![-inf, -inf], vec![nan, nan]),
        (vec![c(3.0); 37], vec![c(1.0) / c(37.0); 37]),
    ];
    for (path_name, path) in paths() {
        for (row, expected) in &rows {
            let mut out = row.clone();
            (T::kernels(path).softmax)(&mut out, row.len());
            for (&y, &want) in out.iter().zip(expected) {
                let ok = if want.is_nan() {
                    y.is_nan()
                } else {
                    (y - want).abs() <= c(4.0) * T::epsilon() * want
                };
                assert!(
                    ok,
                    "softmax({row:?}) = {out:?} on {path_name}, expected {expected:?}"
                );
            }
        }
    }
}

#[test]
fn f32_softmax_follows_keras_on_special_rows() {
    softmax_rows::<f32>();
}

#[test]
fn f64_softmax_follows_keras_on_special_rows() {
    softmax_rows::<f64>();
}

#[test]
fn native_recognises_f32_and_f64_and_leaves_other_types_scalar() {
    let mut single = [1.0_f32];
    assert!(matches!(native(&mut single[..]), Native::F32(_)));
    let mut double = [1.0_f64];
    assert!(matches!(native(&mut double[..]), Native::F64(_)));
    let mut half = [half::f16::ONE];
    let xs: Vec<half::f16> = (-40..40)
        .map(|i| half::f16::from_f32(i as f32 * 0.3))
        .collect();
    let mut ys = xs.clone();
    Tanh.apply_slice(&mut ys);
    #[cfg(not(feature = "half"))]
    {
        assert!(matches!(native(&mut half[..]), Native::Other(_)));
        // An f16 slice gets exactly the scalar `apply`.
        for (&x, &y) in xs.iter().zip(&ys) {
            assert_eq!(y.to_bits(), Tanh.apply(x).to_bits());
        }
    }
    #[cfg(feature = "half")]
    {
        assert!(matches!(native(&mut half[..]), Native::Half(_)));
        // With the `half` feature, the f32 kernel's result rounded once.
        let mut wide: Vec<f32> = xs.iter().map(|x| x.to_f32()).collect();
        (crate::kernels::f32_kernels().tanh)(&mut wide);
        for (&w, &y) in wide.iter().zip(&ys) {
            assert_eq!(y.to_bits(), half::f16::from_f32(w).to_bits());
        }
    }
}

/// The activations' `apply_slice` gives what the best path's kernels give.
#[test]
fn activations_dispatch_to_the_kernels() {
    let xs: Vec<f64> = (0..100).map(|i| f64::from(i) * 0.37 - 18.0).collect();
    let xs32: Vec<f32> = xs.iter().map(|&x| x as f32).collect();

    let run32 = |apply: &dyn Fn(&mut [f32]), kernel: &dyn Fn(&mut [f32])| {
        let (mut a, mut b) = (xs32.clone(), xs32.clone());
        apply(&mut a);
        kernel(&mut b);
        assert_eq!(a, b);
    };
    let k32 = f32_kernels();
    run32(&|xs| Sigmoid.apply_slice(xs), &|xs| (k32.sigmoid)(xs));
    run32(&|xs| Tanh.apply_slice(xs), &|xs| (k32.tanh)(xs));
    run32(&|xs| Relu.apply_slice(xs), &|xs| (k32.relu)(xs));
    run32(&|xs| LeakyRelu::new(0.2).apply_slice(xs), &|xs| {
        (k32.leaky_relu)(xs, 0.2)
    });
    run32(&|xs| Elu::new(0.7).apply_slice(xs), &|xs| {
        (k32.elu)(xs, 0.7)
    });
    run32(&|xs| Softmax.apply_slice(xs), &|xs| {
        (k32.softmax)(xs, xs.len())
    });

    let run64 = |apply: &dyn Fn(&mut [f64]), kernel: &dyn Fn(&mut [f64])| {
        let (mut a, mut b) = (xs.clone(), xs.clone());
        apply(&mut a);
        kernel(&mut b);
        assert_eq!(a, b);
    };
    let k64 = f64_kernels();
    run64(&|xs| Sigmoid.apply_slice(xs), &|xs| (k64.sigmoid)(xs));
    run64(&|xs| Tanh.apply_slice(xs), &|xs| (k64.tanh)(xs));
    run64(&|xs| Relu.apply_slice(xs), &|xs| (k64.relu)(xs));
    run64(&|xs| LeakyRelu::new(0.2).apply_slice(xs), &|xs| {
        (k64.leaky_relu)(xs, 0.2)
    });
    run64(&|xs| Elu::new(0.7).apply_slice(xs), &|xs| {
        (k64.elu)(xs, 0.7)
    });
    run64(&|xs| Softmax.apply_slice(xs), &|xs| {
        (k64.softmax)(xs, xs.len())
    });
}

/// silu, softplus, log_sigmoid, mish and softsign at their edges: limits
/// (where TensorFlow gives NaN too), signed zeros, results that round to
/// zero, subnormal inputs.
fn sigmoid_family_edge_values<T: Sample>() {
    let c = T::from_f64;
    let (inf, nan, tiny) = (T::infinity(), T::nan(), T::min_positive_value() / c(4096.0));
    let huge = c(1e4);
    let zero_edges = [(nan, nan), (c(0.0), c(0.0)), (-c(0.0), -c(0.0))];
    for (name, kernel) in [
        ("silu", (|k, xs| (k.silu)(xs)) as fn(&Kernels<T>, &mut [T])),
        ("mish", |k, xs| (k.mish)(xs)),
    ] {
        expect::<T>(name, kernel, &zero_edges);
        expect::<T>(
            name,
            kernel,
            &[(inf, inf), (-inf, -c(0.0)), (huge, huge), (-huge, -c(0.0))],
        );
    }
    expect::<T>("silu", |k, xs| (k.silu)(xs), &[(-tiny, -tiny / c(2.0))]);
    expect::<T>(
        "softplus",
        |k, xs| (k.softplus)(xs),
        &[
            (inf, inf),
            (-inf, c(0.0)),
            (nan, nan),
            (huge, huge),
            (-huge, c(0.0)),
            (c(0.0), c(std::f64::consts::LN_2)),
        ],
    );
    expect::<T>(
        "log_sigmoid",
        |k, xs| (k.log_sigmoid)(xs),
        &[
            (inf, -c(0.0)),
            (-inf, -inf),
            (nan, nan),
            (huge, -c(0.0)),
            (-huge, -huge),
            (c(0.0), -c(std::f64::consts::LN_2)),
        ],
    );
    expect::<T>(
        "softsign",
        |k, xs| (k.softsign)(xs),
        &[
            (inf, c(1.0)),
            (-inf, c(-1.0)),
            (nan, nan),
            (c(0.0), c(0.0)),
            (-c(0.0), -c(0.0)),
            (tiny, tiny),
            (-tiny, -tiny),
            (c(1.0), c(0.5)),
            (c(-3.0), c(-0.75)),
            (T::max_value(), c(1.0)),
        ],
    );
}

#[test]
fn sigmoid_family_edge_values_are_exact() {
    sigmoid_family_edge_values::<f32>();
    sigmoid_family_edge_values::<f64>();
}

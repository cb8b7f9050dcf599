//! The `f64` gelus against double-double references (the harness and its
//! rules: random_f64.rs): the exact form's kernel (src/kernels/gelu_f64.rs,
//! what `Gelu::<f64>::exact()` runs) and its derivative against
//! reference_gelu.rs, and the tanh form.

use super::f64_ulps;
use super::random_f64::{Spec, random_input, run, special_inputs};
use super::reference::{Dd, Scaled, TINY};
use super::reference_gelu::{self, exp};

/// `2√(2/π)` to 106 bits.
const SLOPE: Dd = Dd {
    hi: 1.595_769_121_605_730_8,
    lo: -9.969_308_809_110_92e-17,
};

/// `2√(2/π)·0.044715` to 106 bits.
const CUBIC: Dd = Dd {
    hi: 0.071_354_816_272_600_25,
    lo: -6.175_149_918_155_315e-19,
};

/// `x·σ(2u)`, `2u = 2√(2/π)·(x + 0.044715·x³)` in double-double: `x /
/// (1 + e^-2u)` for `x ≥ 0`, `x·e^2u / (1 + e^2u)` below, with the power of
/// two of `e^2u` kept apart. `-inf` gives NaN (TensorFlow's `-inf·0`).
fn gelu_tanh(x: f64) -> Scaled {
    if x.abs() < TINY {
        // x / 2, rounded once (signed zeros and subnormals kept).
        return Scaled {
            value: Dd::new(x),
            exponent: -1,
        };
    }
    if x > 40.0 {
        // e^-2u < 2^-4000.
        return Dd::new(x).into();
    }
    if x == f64::NEG_INFINITY {
        return Dd::new(f64::NAN).into();
    }
    if x < -40.0 {
        // Below 2^-4000: rounds to -0.
        return Dd::new(-0.0).into();
    }
    let x = Dd::new(x);
    let two_u = x * (SLOPE + CUBIC * x * x);
    let one = Dd::new(1.0);
    if x.hi >= 0.0 {
        let e = exp(Dd::new(0.0) - two_u);
        return (x / (one + e.value.scale(e.exponent))).into();
    }
    let e = exp(two_u);
    Scaled {
        value: x * e.value / (one + e.value.scale(e.exponent)),
        exponent: e.exponent,
    }
}

#[test]
fn gelu_tanh_f64_within_2_ulp() {
    run(&Spec {
        name: "gelu_tanh",
        kernel: |kernels, xs| (kernels.gelu_tanh)(xs),
        reference: gelu_tanh,
        limits: &[],
    });
}

#[test]
fn gelu_f64_within_2_ulp() {
    run(&Spec {
        name: "gelu",
        kernel: |kernels, xs| (kernels.gelu)(xs),
        reference: reference_gelu::gelu,
        limits: &[],
    });
}

/// `|x·φ(x)|` in `f64`: only a scale for the derivative's bound.
fn density_term(x: f64) -> f64 {
    (x * (-0.5 * x * x).exp() * 0.398_942_280_401_432_7).abs()
}

/// The exact gelu's derivative, `Φ(x) + x·φ(x)` (kernels/gelu_f64.rs), on
/// the special inputs and 10^7 of the random ones (10^4 in debug builds).
/// Where the terms cancel (the root near -0.7518) no `f64` evaluation of
/// them keeps its ULPs, so the bound is relative to `|Φ(x)| + |x·φ(x)|`:
/// within 2·2^-52 of that (measured 1.03). Below -37, where the result is
/// subnormal, within 32 ULP (measured 30: `φ` is rounded as a subnormal).
/// Plain ULPs, measured: 2 for `x ≥ 0`, 3 on `[-37, -3]`, 7 on
/// `[-3, 0)` away from the root (cancellation).
#[test]
fn gelu_derivative_f64_within_its_bound() {
    let count = if cfg!(debug_assertions) {
        10_000
    } else {
        10_000_000
    };
    let mut rng = super::Rng(0x5eed_0000);
    let inputs = (0..count).map(|_| random_input(&mut rng));
    let (mut worst_relative, mut worst_subnormal) = ((0.0, 0.0), (0, 0.0));
    for x in special_inputs().into_iter().chain(inputs) {
        let y = crate::kernels::gelu_derivative_f64(x);
        let rounded = if x.is_nan() {
            f64::NAN
        } else {
            reference_gelu::gelu_derivative(x).rounded()
        };
        if rounded.is_nan() {
            assert!(y.is_nan(), "gelu'({x:e}) = {y:e}, expected NaN");
        } else if x < -37.0 {
            let ulps = f64_ulps(y, rounded);
            if ulps > worst_subnormal.0 {
                worst_subnormal = (ulps, x);
            }
        } else {
            let terms = rounded.abs() + 2.0 * density_term(x);
            let error = (y - rounded).abs() / (terms * f64::EPSILON);
            if error > worst_relative.0 {
                worst_relative = (error, x);
            }
        }
    }
    println!(
        "gelu' f64: {worst_relative:?} (x 2^-52 of the terms), {worst_subnormal:?} (ULP below -37)"
    );
    assert!(worst_relative.0 <= 2.0 && worst_subnormal.0 <= 32);
}

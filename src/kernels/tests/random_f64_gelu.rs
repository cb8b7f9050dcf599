//! The `f64` gelus against double-double references (the harness and its
//! rules: random_f64.rs): the exact form's kernel (musl's erfc and the
//! vector kernel's tail, src/kernels/gelu_f64.rs, what
//! `Gelu::<f64>::exact()` runs) against reference_gelu.rs, and the tanh
//! form.

use super::random_f64::{Spec, run};
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

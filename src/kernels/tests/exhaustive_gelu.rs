//! The two forms of gelu against their exactly rounded results on every
//! `f32` input (the harness and its rules: exhaustive.rs).

use super::exhaustive::{Reference, Spec, run};

#[test]
fn gelu_f32_within_2_ulp_everywhere() {
    run(&Spec {
        name: "gelu",
        kernel: |kernels, xs| (kernels.gelu)(xs),
        reference: Reference::Plain(gelu_reference),
        limits: &[],
    });
}

/// `x·Φ(x)` in `f64`, with the ranges where the `f32` result is known
/// without erfc (nine inputs in ten) taken directly, to keep the release
/// run short: `x` from 5.5 (`1 - Φ(5.5) < 2^-25`), `-0` below -14.5
/// (`|gelu| < 2^-151`; -inf gives NaN, `-inf·0`), and `x/2` for normal `|x| < 2^-25`, where
/// `x/2 + x²/√(2π)` is within a relative `2^-25.3` of the exact `x/2`. Elsewhere musl's erfc:
/// the rounding of `-x/√2` moves it by a relative `2z²·2^-53`, under 2^-45
/// where the result is not 0, far below the `f32` margins.
fn gelu_reference(x: f32) -> f64 {
    let x = f64::from(x);
    if x >= 5.5 {
        x
    } else if x < -14.5 && x.is_finite() {
        -0.0
    } else if x.abs() < 2.0_f64.powi(-25) && x.abs() >= 2.0_f64.powi(-125) {
        0.5 * x
    } else {
        0.5 * x * libm::erfc(-x * std::f64::consts::FRAC_1_SQRT_2)
    }
}

#[test]
fn gelu_tanh_f32_within_2_ulp_everywhere() {
    run(&Spec {
        name: "gelu_tanh",
        kernel: |kernels, xs| (kernels.gelu_tanh)(xs),
        reference: Reference::Plain(gelu_tanh_reference),
        limits: &[0.0],
    });
}

/// `2√(2/π)` and `2√(2/π)·0.044715`, rounded to `f64`.
const SLOPE: f64 = 1.595_769_121_605_730_8;
const CUBIC: f64 = 0.071_354_816_272_600_25;

/// Keras's tanh form as `x·σ(2u)` in `f64`: `2u` within 2^-51 relative,
/// below 113 where the result is not 0, so within 2^-44 absolute, which
/// `σ(2u)` turns into 2^-44 relative; `e^-|2u|` and the quotient add a few
/// `f64` ULPs. `-inf` gives NaN (TensorFlow's `-inf·0`). As for the exact
/// form, the ranges where the `f32` result is known without `e^x` (nine
/// inputs in ten) are taken directly: `x` from 10 (`e^-2u < 2^-125`), `-0`
/// below -11 (`11·e^-112 < 2^-150`), `x/2` for normal `|x| < 2^-25`, where
/// `σ(2u)` is within a relative `0.8·|x|` of 1/2.
fn gelu_tanh_reference(x: f32) -> f64 {
    let x = f64::from(x);
    if x == f64::NEG_INFINITY {
        return f64::NAN;
    }
    if x >= 10.0 {
        return x;
    }
    if x < -11.0 {
        return -0.0;
    }
    if x.abs() < 2.0_f64.powi(-25) && x.abs() >= 2.0_f64.powi(-125) {
        return 0.5 * x;
    }
    let two_u = x * CUBIC.mul_add(x * x, SLOPE);
    let e = (-two_u.abs()).exp();
    if two_u >= 0.0 {
        x / (1.0 + e)
    } else {
        x * e / (1.0 + e)
    }
}

//! The sigmoid family (silu, softplus, log_sigmoid, mish, softsign)
//! against their exactly rounded results on every `f32` input (the harness
//! and its rules: exhaustive.rs). The references take `e^-|x|` (or a term
//! of it) once for `x` and `-x`.

use super::exhaustive::{Reference, Spec, run};
use super::exp_minus_abs;

#[test]
fn silu_f32_within_2_ulp_everywhere() {
    run(&Spec {
        name: "silu",
        kernel: |kernels, xs| (kernels.silu)(xs),
        reference: Reference::Even {
            term: exp_minus_abs,
            result: |x, e| {
                let x = f64::from(x);
                if x >= 0.0 {
                    x / (1.0 + e)
                } else if x == f64::NEG_INFINITY {
                    -0.0
                } else {
                    x * e / (1.0 + e)
                }
            },
        },
        limits: &[0.0],
    });
}

/// `ln(1 + e^-|x|)`, the term of the softplus and log_sigmoid references.
fn log1p_exp_minus_abs(x: f32) -> f64 {
    exp_minus_abs(x).ln_1p()
}

#[test]
fn softplus_f32_within_2_ulp_everywhere() {
    run(&Spec {
        name: "softplus",
        kernel: |kernels, xs| (kernels.softplus)(xs),
        reference: Reference::Even {
            term: log1p_exp_minus_abs,
            result: |x, term| f64::from(x).max(0.0) + term,
        },
        limits: &[0.0],
    });
}

#[test]
fn log_sigmoid_f32_within_2_ulp_everywhere() {
    run(&Spec {
        name: "log_sigmoid",
        kernel: |kernels, xs| (kernels.log_sigmoid)(xs),
        reference: Reference::Even {
            term: log1p_exp_minus_abs,
            result: |x, term| -((-f64::from(x)).max(0.0) + term),
        },
        limits: &[0.0],
    });
}

#[test]
fn mish_f32_within_2_ulp_everywhere() {
    run(&Spec {
        name: "mish",
        kernel: |kernels, xs| (kernels.mish)(xs),
        // tanh(ln(1 + E)) = E(E + 2)/(E(E + 2) + 2), E = e^x: one exp
        // instead of exp, ln_1p and tanh (a few f64 ULPs either way);
        // `e = e^-|x|` is E for x ≤ 0 and 1/E above.
        reference: Reference::Even {
            term: exp_minus_abs,
            result: |x, e| {
                let x = f64::from(x);
                if x == f64::NEG_INFINITY {
                    -0.0
                } else if x > 0.0 {
                    x * (1.0 + 2.0 * e) / (1.0 + 2.0 * e + 2.0 * e * e)
                } else {
                    let n = e * (e + 2.0);
                    x * n / (n + 2.0)
                }
            },
        },
        limits: &[0.0],
    });
}

#[test]
fn softsign_f32_within_2_ulp_everywhere() {
    run(&Spec {
        name: "softsign",
        kernel: |kernels, xs| (kernels.softsign)(xs),
        reference: Reference::Plain(|x| {
            let x = f64::from(x);
            if x.is_infinite() {
                x.signum()
            } else {
                x / (1.0 + x.abs())
            }
        }),
        limits: &[-1.0, 1.0],
    });
}

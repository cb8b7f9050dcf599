//! The curves of the sigmoid family: silu, softplus, log_sigmoid, mish,
//! softsign.

use super::Curve;
use neurite::{LogSigmoid, Mish, Silu, Softplus, Softsign};

/// The sigmoid family, each with its derivative.
pub(super) fn curves() -> Vec<Curve> {
    vec![
        Curve::of(
            Silu,
            "silu.svg",
            "Silu (swish): x · σ(x)".into(),
            ("silu(x)", "silu′(x) = σ(x)(1 + x(1 − σ(x)))"),
        ),
        Curve::of(
            Softplus,
            "softplus.svg",
            "Softplus: ln(1 + e^x)".into(),
            ("softplus(x)", "softplus′(x) = σ(x)"),
        ),
        Curve::of(
            LogSigmoid,
            "log_sigmoid.svg",
            "LogSigmoid: ln σ(x) = −softplus(−x)".into(),
            ("log_sigmoid(x)", "log_sigmoid′(x) = σ(−x)"),
        ),
        Curve::of(
            Mish,
            "mish.svg",
            "Mish: x · tanh(softplus(x))".into(),
            ("mish(x)", "mish′(x)"),
        ),
        Curve::of(
            Softsign,
            "softsign.svg",
            "Softsign: x / (1 + |x|)".into(),
            ("softsign(x)", "softsign′(x) = 1 / (1 + |x|)²"),
        ),
    ]
}

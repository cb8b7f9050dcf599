//! The curves of the other smooth Keras 3 activations: selu, celu,
//! tanh_shrink, squareplus, gelu, exponential.

use super::Curve;
use neurite::{Activation, Celu, Exponential, Gelu, Selu, Squareplus, TanhShrink};

/// The smooth functions, each with its derivative (selu's and celu's
/// values at their kink 0 marked).
pub(super) fn curves() -> Vec<Curve> {
    vec![
        Curve::of(
            Selu,
            "selu.svg",
            "Selu: scale · x above 0, scale · alpha · (e^x − 1) below".into(),
            ("selu(x)", "selu′(x)"),
        )
        .with_kink_at_zero(format!(
            "selu′(0) = scale = {:.4}",
            Selu.derivative(0.0_f64)
        )),
        Curve::of(
            Celu::<f64>::default(),
            "celu.svg",
            "Celu::default(): alpha · (e^(x/alpha) − 1) below 0, alpha = 1".into(),
            ("celu(x)", "celu′(x)"),
        )
        .with_kink_at_zero(format!(
            "celu′(0) = {} (TensorFlow's)",
            Celu::<f64>::default().derivative(0.0)
        )),
        Curve::of(
            TanhShrink,
            "tanh_shrink.svg",
            "TanhShrink: x − tanh(x)".into(),
            ("tanh_shrink(x)", "tanh_shrink′(x) = tanh²(x)"),
        ),
        Curve::of(
            Squareplus::<f64>::default(),
            "squareplus.svg",
            "Squareplus::default(): (x + √(x² + b)) / 2, b = 4".into(),
            ("squareplus(x)", "squareplus′(x)"),
        ),
        Curve::of(
            Gelu::default(),
            "gelu.svg",
            "Gelu::default(): x·Φ(x), the exact (erf) form".into(),
            ("gelu(x)", "gelu′(x) = Φ(x) + x·φ(x)"),
        ),
        Curve::of(
            Exponential,
            "exponential.svg",
            "Exponential: e^x".into(),
            ("e^x", "(e^x)′ = e^x"),
        ),
    ]
}

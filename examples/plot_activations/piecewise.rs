//! The curves of Keras 3's piecewise-linear activations.

use super::Curve;
use neurite::{
    Activation, HardShrink, HardSigmoid, HardSilu, HardTanh, Relu6, ReluWith, SoftShrink,
    SparsePlus, SparseSigmoid, Threshold,
};

/// The piecewise-linear functions of Keras 3, each marked at its kinks
/// with the derivative's value there (TensorFlow's convention).
pub(super) fn curves() -> Vec<Curve> {
    let at = |f: &dyn Fn(f64) -> f64, points: &[f64], name: &str| {
        let values: Vec<String> = points
            .iter()
            .map(|&x| format!("{name}′({x}) = {}", f(x)))
            .collect();
        values.join(", ")
    };
    let shrink = HardShrink::<f64>::default();
    let soft = SoftShrink::<f64>::default();
    let step = Threshold::new(0.5, -1.0).expect("valid");
    let relu = ReluWith::new(0.1, Some(4.0), 1.0).expect("valid");
    vec![
        Curve::of(
            Relu6,
            "relu6.svg",
            "Relu6: min(max(x, 0), 6)".into(),
            ("relu6(x)", "relu6′(x)"),
        )
        .with_kinks(&[0.0], at(&|x| Relu6.derivative(x), &[0.0], "relu6")),
        Curve::of(
            HardSigmoid,
            "hard_sigmoid.svg",
            "HardSigmoid: relu6(x + 3) / 6".into(),
            ("hard_sigmoid(x)", "hard_sigmoid′(x)"),
        )
        .with_kinks(
            &[-3.0, 3.0],
            at(&|x| HardSigmoid.derivative(x), &[-3.0, 3.0], "hard_sigmoid"),
        ),
        Curve::of(
            HardSilu,
            "hard_silu.svg",
            "HardSilu: x · relu6(x + 3) / 6".into(),
            ("hard_silu(x)", "hard_silu′(x)"),
        )
        .with_kinks(
            &[-3.0, 3.0],
            at(&|x| HardSilu.derivative(x), &[-3.0, 3.0], "hard_silu"),
        ),
        Curve::of(
            HardTanh,
            "hard_tanh.svg",
            "HardTanh: min(max(x, −1), 1)".into(),
            ("hard_tanh(x)", "hard_tanh′(x)"),
        )
        .with_kinks(
            &[-1.0, 1.0],
            at(&|x| HardTanh.derivative(x), &[-1.0, 1.0], "hard_tanh"),
        ),
        Curve::of(
            shrink,
            "hard_shrink.svg",
            "HardShrink::default(): x where |x| > 0.5, else 0".into(),
            ("hard_shrink(x)", "hard_shrink′(x)"),
        )
        .with_kinks(
            &[-0.5, 0.5],
            at(&|x| shrink.derivative(x), &[-0.5, 0.5], "hard_shrink"),
        ),
        Curve::of(
            soft,
            "soft_shrink.svg",
            "SoftShrink::default(): x ∓ 0.5 beyond ±0.5, else 0".into(),
            ("soft_shrink(x)", "soft_shrink′(x)"),
        )
        .with_kinks(
            &[-0.5, 0.5],
            at(&|x| soft.derivative(x), &[-0.5, 0.5], "soft_shrink"),
        ),
        Curve::of(
            step,
            "threshold.svg",
            "Threshold::new(0.5, −1): x above 0.5, else −1".into(),
            ("threshold(x)", "threshold′(x)"),
        )
        .with_kinks(&[0.5], at(&|x| step.derivative(x), &[0.5], "threshold")),
        Curve::of(
            SparsePlus,
            "sparse_plus.svg",
            "SparsePlus: (x + 1)² / 4 on (−1, 1)".into(),
            ("sparse_plus(x)", "sparse_plus′(x)"),
        )
        .with_kinks(
            &[-1.0, 1.0],
            at(&|x| SparsePlus.derivative(x), &[-1.0, 1.0], "sparse_plus"),
        ),
        Curve::of(
            SparseSigmoid,
            "sparse_sigmoid.svg",
            "SparseSigmoid: (x + 1) / 2 in [0, 1]".into(),
            ("sparse_sigmoid(x)", "sparse_sigmoid′(x)"),
        )
        .with_kinks(
            &[-1.0, 1.0],
            at(
                &|x| SparseSigmoid.derivative(x),
                &[-1.0, 1.0],
                "sparse_sigmoid",
            ),
        ),
        Curve::of(
            relu,
            "relu_with.svg",
            "ReluWith::new(0.1, Some(4), 1): Keras's relu with arguments".into(),
            ("relu(x)", "relu′(x)"),
        )
        .with_kinks(
            &[1.0, 4.0],
            at(&|x| relu.derivative(x), &[1.0, 4.0], "relu"),
        ),
    ]
}

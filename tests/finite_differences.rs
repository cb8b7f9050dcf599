//! The backward passes of activations and layers against central finite
//! differences, in f64: activations (element-wise and row-wise: softmax,
//! log-softmax, sparsemax), Dense with each activation, and Maxout (the
//! losses and whole models: tests/finite_differences_models.rs). Property tests over random
//! shapes and values from a seeded SplitMix64, so every run checks the
//! same cases.
//!
//! Away from kinks the analytic gradient must match
//! `(f(x + h) - f(x - h)) / 2h` closely; at a kink (relu, leaky_relu and
//! elu at 0, a tie between Maxout pieces) it must equal one of the one-sided
//! derivatives, the one TensorFlow's convention picks.

use differences::{Draw, H, assert_close, central, summary};
use ndarray::{Array2, Array3, ArrayView2, ArrayViewMut2};
use neurite::{
    Activation, BuiltinActivation, Celu, Dense, Elu, Layer, LeakyRelu, Linear, Maxout, Relu, Selu,
    Sigmoid, Softmax, Squareplus, Tanh, TanhShrink,
};
use neurite::{
    HardShrink, HardSigmoid, HardSilu, HardTanh, Relu6, ReluWith, SoftShrink, SparsePlus,
    SparseSigmoid, Threshold,
};
use neurite::{LogSigmoid, Mish, Silu, Softplus, Softsign};
use neurite::{LogSoftmax, Sparsemax};
use rng::Rng;

mod differences;
mod rng;

fn builtins() -> Vec<BuiltinActivation<f64>> {
    vec![
        Sigmoid.into(),
        Tanh.into(),
        Relu.into(),
        LeakyRelu::new(0.1).into(),
        LeakyRelu::new(0.2).into(),
        Elu::new(1.0).into(),
        Elu::new(0.5).into(),
        Linear.into(),
        Softmax.into(),
        LogSoftmax.into(),
        Sparsemax.into(),
        Selu.into(),
        Celu::new(1.0).unwrap().into(),
        Celu::new(0.5).unwrap().into(),
        TanhShrink.into(),
        Squareplus::new(4.0).unwrap().into(),
        Squareplus::new(1.0).unwrap().into(),
        Relu6.into(),
        HardSigmoid.into(),
        HardSilu.into(),
        HardTanh.into(),
        SparsePlus.into(),
        SparseSigmoid.into(),
        HardShrink::new(0.5).expect("valid").into(),
        SoftShrink::new(0.5).expect("valid").into(),
        Threshold::new(0.5, -1.0).expect("valid").into(),
        ReluWith::new(0.1, Some(4.0), 1.0).expect("valid").into(),
        "gelu".parse().expect("a built-in"),
        neurite::Gelu::approximate().into(),
        "exponential".parse().expect("a built-in"),
        Silu.into(),
        Softplus.into(),
        LogSigmoid.into(),
        Mish.into(),
        Softsign.into(),
    ]
}

/// How far every row of `z` is from a kink of the activation: sparsemax
/// has one wherever an entry crosses its row's threshold `τ` (the support
/// changes); the others have theirs at [`kinks`].
fn kink_distance(activation: &BuiltinActivation<f64>, z: &Array2<f64>) -> f64 {
    if activation.name() == "sparsemax" {
        let mut y = z.clone();
        activation.apply_rows(y.view_mut());
        let mut distance = f64::INFINITY;
        for (z, y) in z.rows().into_iter().zip(y.rows()) {
            // τ = z_j - y_j for any j in the support.
            let j = y.iter().position(|&v| v > 0.0).expect("a support");
            let tau = z[j] - y[j];
            distance = z.iter().fold(distance, |d, &v| d.min((v - tau).abs()));
        }
        distance
    } else {
        z.iter().fold(f64::INFINITY, |d, &v| {
            kinks(activation)
                .iter()
                .fold(d, |d, &k| d.min((v - k).abs()))
        })
    }
}

/// Where each function or its derivative jumps (for the ones above).
fn kinks(activation: &BuiltinActivation<f64>) -> &'static [f64] {
    match activation.name() {
        "relu" | "leaky_relu" | "elu" | "selu" | "celu" => &[0.0],
        "relu6" => &[0.0, 6.0],
        "hard_sigmoid" | "hard_silu" => &[-3.0, 3.0],
        "hard_tanh" | "sparse_plus" | "sparse_sigmoid" => &[-1.0, 1.0],
        "hard_shrink" | "soft_shrink" => &[-0.5, 0.5],
        "threshold" => &[0.5],
        "relu_with" => &[1.0, 4.0],
        _ => &[],
    }
}

/// Functions with a kink at 0 where TF's derivative is the left one (at
/// selu's and celu's it is neither one-sided value: `celu'(0) = 2`,
/// `selu'(0) = scale`).
fn has_kink(activation: &BuiltinActivation<f64>) -> bool {
    kinks(activation).contains(&0.0) && !matches!(activation.name(), "selu" | "celu")
}

/// `Σ g ⊙ f(z)`, with `f` applied row-wise as a layer applies it.
fn weighted_output(
    activation: &dyn Activation<f64>,
    z: ArrayView2<'_, f64>,
    g: &Array2<f64>,
) -> f64 {
    let mut out = z.to_owned();
    activation.apply_rows(out.view_mut());
    (&out * g).sum()
}

#[test]
fn activation_backward_matches_central_differences() {
    let mut rng = Rng(1);
    for activation in builtins() {
        for _ in 0..25 {
            let (rows, cols) = (rng.size(1, 4), rng.size(1, 6));
            let mut z = rng.matrix(rows, cols, 6.0);
            // Keep the central difference off the kinks.
            let near_kink = |v: f64| kinks(&activation).iter().any(|k| (v - k).abs() < 1e-3);
            z.mapv_inplace(|v| if near_kink(v) { v + 0.25 } else { v });
            if kink_distance(&activation, &z) < 1e-3 {
                continue;
            }
            let g = rng.matrix(rows, cols, 2.0);
            let mut out = z.clone();
            activation.apply_rows(out.view_mut());
            let mut grad = g.clone();
            activation.backward_rows(z.view(), out.view(), grad.view_mut());
            let flat = z.as_slice_mut().unwrap();
            for i in 0..flat.len() {
                let numeric = central(flat, i, |v| {
                    let z = ArrayView2::from_shape((rows, cols), v).unwrap();
                    weighted_output(&activation, z, &g)
                });
                let what = format!("{} at {:?}", activation.name(), flat[i]);
                assert_close(&what, grad.as_slice().unwrap()[i], numeric, 1e-7);
            }
        }
    }
    summary("activation_backward_matches_central_differences");
}

/// At the kink the derivative is TensorFlow's value, which is the
/// left-sided difference quotient (and not the right-sided one).
#[test]
fn activation_backward_at_the_kinks_is_the_left_derivative() {
    for activation in builtins().into_iter().filter(has_kink) {
        let zero = Array2::<f64>::zeros((1, 1));
        let mut grad = Array2::ones((1, 1));
        let mut out = zero.clone();
        activation.apply_rows(out.view_mut());
        activation.backward_rows(zero.view(), out.view(), grad.view_mut());
        let left = (activation.apply(0.0) - activation.apply(-H)) / H;
        let right = (activation.apply(H) - activation.apply(0.0)) / H;
        let name = activation.name();
        assert_close(&format!("{name}'(0)"), grad[[0, 0]], left, 1e-5);
        assert!(
            (grad[[0, 0]] - right).abs() > 1e-3 || name == "elu",
            "{name}: no kink?"
        );
        // TensorFlow's conventions: relu'(0) = 0, leaky'(0) = slope, elu'(0) = alpha.
        assert_eq!(grad[[0, 0]], activation.derivative(0.0));
    }
    summary("activation_backward_at_the_kinks_is_the_left_derivative");
}

/// A layer's analytic gradients of `Σ g ⊙ layer(x)`: every weight (flat,
/// in `weight_shapes` order) and the input.
fn layer_gradients(
    layer: &dyn Layer<f64>,
    x: &Array2<f64>,
    g: &Array2<f64>,
) -> (Vec<f64>, Array2<f64>) {
    let (rows, units) = (x.nrows(), layer.output_width());
    let mut pre = Array2::zeros((rows, units));
    let mut out = Array2::zeros((rows, units));
    let mut trace = Array2::zeros((rows, layer.trace_width()));
    layer
        .forward_train(x.view(), pre.view_mut(), trace.view_mut(), out.view_mut())
        .unwrap();
    assert_eq!(
        out,
        layer.forward(x.view()).unwrap(),
        "forward_train = forward"
    );
    let mut grad = g.clone();
    layer.backward_activation(pre.view(), out.view(), grad.view_mut());
    let mut weights = vec![0.0; layer.param_count()];
    let mut grad_x = Array2::zeros(x.raw_dim());
    let grad_x_view: ArrayViewMut2<'_, f64> = grad_x.view_mut();
    layer
        .backward_affine(
            x.view(),
            trace.view_mut(),
            grad.view(),
            &mut weights,
            Some(grad_x_view),
        )
        .unwrap();
    (weights, grad_x)
}

/// Checks a layer's gradients against central differences over every weight
/// and every input.
fn check_layer(layer: &mut dyn Layer<f64>, x: &Array2<f64>, g: &Array2<f64>, what: &str) {
    let (weights, grad_x) = layer_gradients(layer, x, g);
    let loss =
        |layer: &dyn Layer<f64>, x: ArrayView2<'_, f64>| (&layer.forward(x).unwrap() * g).sum();
    let mut flat: Vec<f64> = Vec::new();
    layer.visit_weights(&mut |w| flat.extend_from_slice(w));
    for (i, &analytic) in weights.iter().enumerate() {
        let numeric = central(&mut flat, i, |values| {
            let mut offset = 0;
            layer.visit_weights_mut(&mut |w| {
                w.copy_from_slice(&values[offset..offset + w.len()]);
                offset += w.len();
            });
            loss(layer, x.view())
        });
        assert_close(&format!("{what} weight {i}"), analytic, numeric, 1e-7);
    }
    // `central` leaves the layer with its last nudge: put the weights back.
    let mut offset = 0;
    layer.visit_weights_mut(&mut |w| {
        w.copy_from_slice(&flat[offset..offset + w.len()]);
        offset += w.len();
    });
    let mut x_flat = x.clone();
    let (rows, cols) = x.dim();
    let x_values = x_flat.as_slice_mut().unwrap();
    for i in 0..x_values.len() {
        let numeric = central(x_values, i, |v| {
            loss(layer, ArrayView2::from_shape((rows, cols), v).unwrap())
        });
        assert_close(
            &format!("{what} input {i}"),
            grad_x.as_slice().unwrap()[i],
            numeric,
            1e-7,
        );
    }
}

/// The pre-activations stay at least `margin` away from the kinks.
fn off_the_kinks(
    layer: &dyn Layer<f64>,
    activation: &BuiltinActivation<f64>,
    x: &Array2<f64>,
    margin: f64,
) -> bool {
    let mut pre = Array2::zeros((x.nrows(), layer.output_width()));
    layer.pre_activation_into(x.view(), pre.view_mut()).unwrap();
    kink_distance(activation, &pre) > margin
}

#[test]
fn dense_backward_matches_central_differences() {
    let mut rng = Rng(2);
    let mut checked = 0;
    for activation in builtins() {
        for trial in 0..12 {
            let (inputs, units, rows) = (rng.size(1, 5), rng.size(1, 5), rng.size(1, 6));
            let mut layer = Dense::new(
                rng.matrix(inputs, units, 1.5),
                rng.matrix(1, units, 0.5).row(0).to_owned(),
                activation,
            )
            .unwrap();
            let x = rng.matrix(rows, inputs, 2.0);
            if !off_the_kinks(&layer, &activation, &x, 1e-3) {
                continue;
            }
            let g = rng.matrix(rows, units, 1.0);
            check_layer(
                &mut layer,
                &x,
                &g,
                &format!("Dense {} trial {trial}", activation.name()),
            );
            checked += 1;
        }
    }
    assert!(checked > 110, "only {checked} trials off the kinks");
    summary("dense_backward_matches_central_differences");
}

/// The gap between the best and second-best piece of every output.
fn smallest_gap(layer: &Maxout<f64>, x: &Array2<f64>) -> f64 {
    let (pieces, _) = layer.pieces_and_winners(x.view()).unwrap();
    let mut gap = f64::INFINITY;
    for lane in pieces.lanes(ndarray::Axis(0)) {
        let mut values = lane.to_vec();
        values.sort_by(|a, b| b.partial_cmp(a).unwrap());
        gap = gap.min(values[0] - values[1]);
    }
    gap
}

#[test]
fn maxout_backward_matches_central_differences() {
    let mut rng = Rng(3);
    let mut checked = 0;
    for trial in 0..60 {
        let (pieces, inputs, units, rows) = (
            rng.size(2, 4),
            rng.size(1, 4),
            rng.size(1, 4),
            rng.size(1, 5),
        );
        let kernels =
            Array3::from_shape_simple_fn((pieces, inputs, units), || rng.uniform(-1.5, 1.5));
        let biases = rng.matrix(pieces, units, 0.5);
        let mut layer = Maxout::new(kernels, biases).unwrap();
        let x = rng.matrix(rows, inputs, 2.0);
        if smallest_gap(&layer, &x) < 1e-3 {
            continue;
        }
        let g = rng.matrix(rows, units, 1.0);
        check_layer(&mut layer, &x, &g, &format!("Maxout trial {trial}"));
        checked += 1;
    }
    assert!(checked > 40, "only {checked} trials without near-ties");
    summary("maxout_backward_matches_central_differences");
}

/// Two identical pieces: the first takes the whole gradient. That is the
/// derivative of raising piece 0 (or of lowering piece 1), one of the
/// one-sided derivatives at the kink.
#[test]
fn maxout_ties_give_the_gradient_to_the_first_piece() {
    let kernel = [[0.5, -1.0], [2.0, 0.25]];
    let kernels = Array3::from_shape_fn((2, 2, 2), |(_, i, j)| kernel[i][j]);
    let mut layer = Maxout::new(kernels, Array2::zeros((2, 2))).unwrap();
    let x = ndarray::array![[1.0, 2.0], [-1.0, 0.5]];
    let g = ndarray::array![[1.0, -2.0], [0.5, 3.0]];
    let (weights, _) = layer_gradients(&layer, &x, &g);
    let (kernel_grads, bias_grads) = weights.split_at(8);
    assert!(
        kernel_grads[4..].iter().all(|&w| w == 0.0),
        "piece 1 gets nothing"
    );
    assert!(bias_grads[2..].iter().all(|&b| b == 0.0));
    assert_eq!(bias_grads[..2], [1.5, 1.0]);
    // One-sided differences: raising piece 0's bias moves every output.
    let loss = |layer: &Maxout<f64>| (&layer.forward(x.view()).unwrap() * &g).sum();
    let base = loss(&layer);
    for (j, &expected) in bias_grads[..2].iter().enumerate() {
        let mut raised = layer.biases().clone();
        raised[[0, j]] += H;
        layer = Maxout::new(layer.kernels().clone(), raised).unwrap();
        assert_close(
            "right derivative of piece 0's bias",
            expected,
            (loss(&layer) - base) / H,
            1e-7,
        );
        let mut restored = layer.biases().clone();
        restored[[0, j]] -= H;
        layer = Maxout::new(layer.kernels().clone(), restored).unwrap();
    }
}

//! Losses and whole models against central finite differences, in f64:
//! both forms of binary cross-entropy, and models trained through the
//! fused sigmoid path and the probability path (activations and layers:
//! tests/finite_differences.rs).

use differences::{Draw, assert_close, central, summary};
use ndarray::{Array1, Array2, ArrayD, ArrayView2};
use neurite::{
    Activation, Dense, Elu, Maxout, Relu, Sequential, Sgd, Sigmoid, Softmax, Tanh, loss,
};
use rng::Rng;

mod differences;
mod rng;

#[test]
fn bce_gradients_match_central_differences() {
    let mut rng = Rng(4);
    for _ in 0..40 {
        let (rows, cols) = (rng.size(1, 5), rng.size(1, 4));
        let y = rng.labels(rows, cols);
        let p = Array2::from_shape_simple_fn((rows, cols), || rng.uniform(0.02, 0.98));
        let z = rng.matrix(rows, cols, 8.0);
        let grad_p = loss::binary_cross_entropy_gradient(&y, &p).unwrap();
        let grad_z = loss::binary_cross_entropy_with_logits_gradient(&y, &z).unwrap();
        for (values, grad, logits) in [(p, grad_p, false), (z, grad_z, true)] {
            let mut values = values;
            let flat = values.as_slice_mut().unwrap();
            for i in 0..flat.len() {
                let numeric = central(flat, i, |v| {
                    let v = ArrayView2::from_shape((rows, cols), v).unwrap();
                    if logits {
                        loss::binary_cross_entropy_with_logits(&y, &v).unwrap()
                    } else {
                        loss::binary_cross_entropy(&y, &v).unwrap()
                    }
                });
                assert_close(
                    &format!("bce (logits: {logits}) {i}"),
                    grad.as_slice().unwrap()[i],
                    numeric,
                    1e-7,
                );
            }
        }
    }
    // One sample as a 1-D array: the mean over its values.
    let y = Array1::from(vec![1.0, 0.0, 0.5]);
    let p = Array1::from(vec![0.3, 0.6, 0.9]);
    let grad = loss::binary_cross_entropy_gradient(&y, &p).unwrap();
    let expected: Vec<f64> = y
        .iter()
        .zip(&p)
        .map(|(y, p)| ((1.0 - y) / (1.0 - p) - y / p) / 3.0)
        .collect();
    for (a, e) in grad.iter().zip(expected) {
        assert_close("1-D bce gradient", *a, e, 1e-15);
    }
    summary("bce_gradients_match_central_differences");
}

/// A sigmoid that is not named "sigmoid": the model then uses the clipped
/// probability form of the loss and backpropagates through σ'.
#[derive(Debug, Clone, Copy)]
struct AnonymousSigmoid;

impl Activation<f64> for AnonymousSigmoid {
    fn apply(&self, x: f64) -> f64 {
        Sigmoid.apply(x)
    }
    fn derivative(&self, x: f64) -> f64 {
        Sigmoid.derivative(x)
    }
}

/// A random model with a hidden stack and the given last layer.
fn random_model(rng: &mut Rng, inputs: usize, last: usize) -> Sequential<f64> {
    let mut model = Sequential::new();
    let mut width = inputs;
    for depth in 0..rng.size(0, 2) {
        let units = rng.size(1, 4);
        let seed = rng.next_u64();
        match (depth + rng.size(0, 3)) % 4 {
            0 => model
                .add(Dense::glorot(width, units, Tanh, seed).unwrap())
                .unwrap(),
            1 => model
                .add(Dense::glorot(width, units, Sigmoid, seed).unwrap())
                .unwrap(),
            2 => model
                .add(Dense::glorot(width, units, Elu::new(1.0), seed).unwrap())
                .unwrap(),
            _ => model
                .add(Maxout::glorot(2, width, units, seed).unwrap())
                .unwrap(),
        };
        width = units;
    }
    let seed = rng.next_u64();
    match last {
        0 => model
            .add(Dense::glorot(width, 1, Sigmoid, seed).unwrap())
            .unwrap(),
        1 => model
            .add(Dense::glorot(width, rng.size(2, 3), Sigmoid, seed).unwrap())
            .unwrap(),
        2 => model
            .add(Dense::glorot(width, rng.size(2, 3), Softmax, seed).unwrap())
            .unwrap(),
        _ => model
            .add(Dense::glorot(width, rng.size(1, 2), AnonymousSigmoid, seed).unwrap())
            .unwrap(),
    };
    // Non-zero biases, so that nothing sits on a tie or a kink by accident.
    // (Every layer's weights are [kernel(s), bias(es)]: odd positions.)
    let weights: Vec<ArrayD<f64>> = model
        .get_weights()
        .into_iter()
        .enumerate()
        .map(|(i, w)| {
            if i % 2 == 1 {
                w.mapv(|_| rng.uniform(-0.5, 0.5))
            } else {
                w
            }
        })
        .collect();
    model.set_weights(&weights).unwrap();
    model
}

/// Central differences of `evaluate`'s loss over every weight.
fn check_model(model: &mut Sequential<f64>, x: &Array2<f64>, y: &Array2<f64>, what: &str) {
    let analytic: Vec<f64> = model
        .gradients(x, y)
        .unwrap()
        .iter()
        .flatten()
        .copied()
        .collect();
    let weights = model.get_weights();
    let shapes: Vec<Vec<usize>> = weights.iter().map(|w| w.shape().to_vec()).collect();
    let mut flat: Vec<f64> = weights.iter().flatten().copied().collect();
    for (i, &a) in analytic.iter().enumerate() {
        let numeric = central(&mut flat, i, |values| {
            let mut offset = 0;
            let arrays: Vec<ArrayD<f64>> = shapes
                .iter()
                .map(|shape| {
                    let size: usize = shape.iter().product();
                    offset += size;
                    ArrayD::from_shape_vec(shape.clone(), values[offset - size..offset].to_vec())
                        .unwrap()
                })
                .collect();
            model.set_weights(&arrays).unwrap();
            model.evaluate(x, y).unwrap().loss
        });
        assert_close(&format!("{what} weight {i}"), a, numeric, 1e-7);
    }
    model.set_weights(&weights).unwrap();
}

#[test]
fn model_gradients_match_central_differences() {
    let mut rng = Rng(5);
    for trial in 0..48 {
        let last = trial % 4;
        let (inputs, rows) = (rng.size(1, 4), rng.size(1, 6));
        let mut model = random_model(&mut rng, inputs, last);
        let x = rng.matrix(rows, inputs, 2.0);
        let width = model.layers().last().unwrap().output_width();
        let y = rng.labels(rows, width);
        let path = [
            "sigmoid 1 unit (fused)",
            "sigmoid n units (fused)",
            "softmax (probabilities)",
            "custom sigmoid (probabilities)",
        ][last];
        check_model(&mut model, &x, &y, &format!("trial {trial}, {path}"));
    }
    summary("model_gradients_match_central_differences");
}

/// The fused and the probability paths agree where clipping does not bite.
#[test]
fn fused_and_probability_paths_agree() {
    let mut rng = Rng(6);
    for _ in 0..20 {
        let (inputs, units, rows) = (rng.size(1, 4), rng.size(1, 3), rng.size(1, 6));
        let (kernel, bias) = (
            rng.matrix(inputs, units, 1.0),
            rng.matrix(1, units, 0.5).row(0).to_owned(),
        );
        let mut fused = Sequential::new();
        fused
            .add(Dense::new(kernel.clone(), bias.clone(), Sigmoid).unwrap())
            .unwrap();
        let mut plain = Sequential::new();
        plain
            .add(Dense::new(kernel, bias, AnonymousSigmoid).unwrap())
            .unwrap();
        let x = rng.matrix(rows, inputs, 2.0);
        let y = rng.labels(rows, units);
        for (a, b) in fused
            .gradients(&x, &y)
            .unwrap()
            .iter()
            .zip(plain.gradients(&x, &y).unwrap())
        {
            for (a, b) in a.iter().zip(&b) {
                assert_close("fused vs probability gradient", *a, *b, 1e-12);
            }
        }
    }
}

/// Saturated sigmoid outputs: the fused gradient stays finite, so training
/// never turns the weights into NaN.
#[test]
fn saturated_sigmoid_outputs_train_without_nan() {
    for scale in [1e3, 1e6, 1e30] {
        let mut model = Sequential::<f64>::new();
        model
            .add(
                Dense::new(
                    ndarray::array![[scale, -scale]],
                    ndarray::array![0.0, 0.0],
                    Relu,
                )
                .unwrap(),
            )
            .unwrap()
            .add(
                Dense::new(
                    ndarray::array![[scale], [-scale]],
                    ndarray::array![0.0],
                    Sigmoid,
                )
                .unwrap(),
            )
            .unwrap();
        let x = ndarray::array![[1.0], [-1.0], [2.0]];
        let y = ndarray::array![[0.0], [1.0], [1.0]]; // confidently wrong, then right
        let grads = model.gradients(&x, &y).unwrap();
        assert!(grads.iter().flatten().all(|g| g.is_finite()), "{grads:?}");
        let mut sgd = Sgd::new(1e-3);
        for _ in 0..3 {
            let loss = model.train_step(&x, &y, &mut sgd).unwrap();
            assert!(loss.is_finite() && loss > 0.0, "loss {loss}");
        }
        assert!(model.get_weights().iter().flatten().all(|w| w.is_finite()));
    }
}

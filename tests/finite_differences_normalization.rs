//! BatchNormalization, LayerNormalization, Dropout and the Activation layer
//! against central finite differences, in f64, in both modes: training
//! (the backward passes of `forward_train_step`) and inference (the
//! closed-form derivative of `forward`), and a model with a
//! BatchNormalization trained through `Sequential::gradients`. Dropout's
//! masks are also checked statistically.

use differences::{Draw, assert_close, central, summary};
use ndarray::{Array2, ArrayD, ArrayView2};
use neurite::layer::ActivationLayer;
use neurite::loss::Loss;
use neurite::{
    BatchNormalization, Dense, Dropout, Layer, LayerNormalization, Linear, Relu, Sequential,
    Sigmoid, Tanh, TrainingStep,
};
use rng::Rng;

mod differences;
mod rng;

/// The training-mode output of `layer` with the draws of `seed`.
fn train_forward(layer: &dyn Layer<f64>, x: ArrayView2<'_, f64>, seed: u64) -> Array2<f64> {
    let (rows, width) = (x.nrows(), layer.output_width());
    let (mut pre, mut out) = (Array2::zeros((rows, width)), Array2::zeros((rows, width)));
    let mut trace = Array2::zeros((rows, layer.trace_width()));
    let mut statistics = vec![0.0; layer.batch_statistics_len()];
    let mut step = TrainingStep::new(seed, 0, &mut statistics);
    let views = (pre.view_mut(), trace.view_mut(), out.view_mut());
    layer
        .forward_train_step(x, views.0, views.1, views.2, &mut step)
        .unwrap();
    out
}

/// The analytic gradients of `Σ g ⊙ layer(x)` in training mode: every
/// trainable weight (flat) and the input.
fn train_gradients(
    layer: &dyn Layer<f64>,
    x: &Array2<f64>,
    g: &Array2<f64>,
    seed: u64,
) -> (Vec<f64>, Array2<f64>) {
    let (rows, width) = (x.nrows(), layer.output_width());
    let (mut pre, mut out) = (Array2::zeros((rows, width)), Array2::zeros((rows, width)));
    let mut trace = Array2::zeros((rows, layer.trace_width()));
    let mut statistics = vec![0.0; layer.batch_statistics_len()];
    let mut step = TrainingStep::new(seed, 0, &mut statistics);
    let views = (pre.view_mut(), trace.view_mut(), out.view_mut());
    layer
        .forward_train_step(x.view(), views.0, views.1, views.2, &mut step)
        .unwrap();
    let mut grad = g.clone();
    layer.backward_activation(pre.view(), out.view(), grad.view_mut());
    let mut weights = vec![0.0; layer.trainable_param_count()];
    let mut grad_x = Array2::zeros(x.raw_dim());
    let input = Some(grad_x.view_mut());
    layer
        .backward_affine_step(
            x.view(),
            trace.view_mut(),
            grad.view(),
            &mut weights,
            input,
            &mut step,
        )
        .unwrap();
    (weights, grad_x)
}

/// Sets the first trainable values of `layer` from `values`.
fn set_trainable(layer: &mut dyn Layer<f64>, values: &[f64]) {
    let (mut offset, mut arrays) = (0, layer.trainable_weight_arrays());
    layer.visit_weights_mut(&mut |w| {
        if arrays > 0 {
            w.copy_from_slice(&values[offset..offset + w.len()]);
            offset += w.len();
            arrays -= 1;
        }
    });
}

/// Central differences of the training-mode `Σ g ⊙ layer(x)` against the
/// analytic gradients, over every trainable weight and every input.
fn check_training(layer: &mut dyn Layer<f64>, x: &Array2<f64>, g: &Array2<f64>, what: &str) {
    let seed = 3;
    let (weights, grad_x) = train_gradients(layer, x, g, seed);
    let loss =
        |layer: &dyn Layer<f64>, x: ArrayView2<'_, f64>| (&train_forward(layer, x, seed) * g).sum();
    let mut flat: Vec<f64> = Vec::new();
    layer.visit_weights(&mut |w| flat.extend_from_slice(w));
    flat.truncate(weights.len());
    for (i, &analytic) in weights.iter().enumerate() {
        let numeric = central(&mut flat, i, |values| {
            set_trainable(layer, values);
            loss(layer, x.view())
        });
        assert_close(&format!("{what} weight {i}"), analytic, numeric, 1e-7);
    }
    set_trainable(layer, &flat);
    let mut x_flat = x.clone();
    let (rows, cols) = x.dim();
    let values = x_flat.as_slice_mut().unwrap();
    for i in 0..values.len() {
        let numeric = central(values, i, |v| {
            loss(layer, ArrayView2::from_shape((rows, cols), v).unwrap())
        });
        let analytic = grad_x.as_slice().unwrap()[i];
        assert_close(&format!("{what} input {i}"), analytic, numeric, 1e-7);
    }
}

/// Central differences of the inference `Σ g ⊙ layer(x)` over the inputs
/// against `expected(row, column)`, the closed-form `∂y/∂x` of an
/// element-wise map.
fn check_inference(
    layer: &dyn Layer<f64>,
    x: &Array2<f64>,
    expected: impl Fn(usize, usize) -> f64,
    what: &str,
) {
    let mut x_flat = x.clone();
    let (rows, cols) = x.dim();
    let values = x_flat.as_slice_mut().unwrap();
    for i in 0..values.len() {
        let numeric = central(values, i, |v| {
            let x = ArrayView2::from_shape((rows, cols), v).unwrap();
            layer.forward(x).unwrap()[[i / cols, i % cols]]
        });
        assert_close(
            &format!("{what} inference input {i}"),
            expected(i / cols, i % cols),
            numeric,
            1e-7,
        );
    }
}

/// Random gamma, beta and moving statistics (a variance in `[0.2, 2)`).
fn randomize(layer: &mut dyn Layer<f64>, rng: &mut Rng) {
    let shapes = layer.weight_shapes();
    let trainable = layer.trainable_weight_arrays();
    let arrays: Vec<ArrayD<f64>> = shapes
        .iter()
        .enumerate()
        .map(|(i, shape)| {
            let variance = i + 1 == shapes.len() && trainable < shapes.len();
            ArrayD::from_shape_simple_fn(shape.clone(), || match variance {
                true => rng.uniform(0.2, 2.0),
                false => rng.uniform(-1.5, 1.5),
            })
        })
        .collect();
    layer.set_weights(&arrays).unwrap();
}

#[test]
fn batch_normalization_matches_central_differences_in_both_modes() {
    let mut rng = Rng(21);
    for trial in 0..24 {
        let (rows, features) = (rng.size(2, 7), rng.size(1, 5));
        let (center, scale) = (trial % 2 == 0, trial % 3 != 0);
        let mut layer = BatchNormalization::new(features)
            .unwrap()
            .center(center)
            .scale(scale);
        randomize(&mut layer, &mut rng);
        let (x, g) = (
            rng.matrix(rows, features, 3.0),
            rng.matrix(rows, features, 1.0),
        );
        check_training(&mut layer, &x, &g, &format!("trial {trial} training"));
        let weights = layer.weights();
        let gamma = |j: usize| if scale { weights[0][[j]] } else { 1.0 };
        let variance = weights.last().unwrap().clone();
        let slope = |_: usize, j: usize| gamma(j) / (variance[[j]] + 1e-3).sqrt();
        check_inference(&layer, &x, slope, &format!("trial {trial}"));
    }
    summary("batch_normalization_matches_central_differences_in_both_modes");
}

#[test]
fn layer_normalization_matches_central_differences() {
    let mut rng = Rng(22);
    for trial in 0..24 {
        let (rows, features) = (rng.size(1, 5), rng.size(2, 7));
        let (center, scale) = (trial % 2 == 0, trial % 3 != 0);
        let mut layer = LayerNormalization::new(features)
            .unwrap()
            .center(center)
            .scale(scale);
        randomize(&mut layer, &mut rng);
        let (x, g) = (
            rng.matrix(rows, features, 3.0),
            rng.matrix(rows, features, 1.0),
        );
        // One mode: training and inference are the same map.
        assert_eq!(
            train_forward(&layer, x.view(), 0),
            layer.forward(x.view()).unwrap()
        );
        check_training(&mut layer, &x, &g, &format!("trial {trial}"));
    }
    summary("layer_normalization_matches_central_differences");
}

#[test]
fn dropout_and_activation_layers_match_central_differences() {
    let mut rng = Rng(23);
    for trial in 0..16 {
        let (rows, features) = (rng.size(1, 6), rng.size(1, 6));
        let (x, g) = (
            rng.matrix(rows, features, 2.0),
            rng.matrix(rows, features, 1.0),
        );
        let rate = [0.0, 0.2, 0.5, 0.9][trial % 4];
        let mut dropout = Dropout::new(rate).unwrap().with_width(features).unwrap();
        check_training(&mut dropout, &x, &g, &format!("dropout trial {trial}"));
        check_inference(&dropout, &x, |_, _| 1.0, &format!("dropout trial {trial}"));
        let mut tanh = ActivationLayer::new(Tanh).with_width(features).unwrap();
        check_training(&mut tanh, &x, &g, &format!("tanh trial {trial}"));
        let derivative = |i: usize, j: usize| 1.0 - x[[i, j]].tanh().powi(2);
        check_inference(&tanh, &x, derivative, &format!("tanh trial {trial}"));
    }
    summary("dropout_and_activation_layers_match_central_differences");
}

/// Dense without bias → BatchNormalization → relu → Dense, mean squared
/// error: `Sequential::gradients` (training mode) against central
/// differences of the training-mode loss.
#[test]
fn a_model_with_batch_normalization_matches_central_differences() {
    let mut rng = Rng(24);
    for trial in 0..12 {
        let (inputs, hidden, rows) = (rng.size(1, 4), rng.size(1, 4), rng.size(2, 6));
        let mut model = Sequential::new();
        model
            .add(Dense::without_bias(rng.matrix(inputs, hidden, 1.0), Linear).unwrap())
            .unwrap()
            .add(BatchNormalization::new(hidden).unwrap())
            .unwrap()
            .add(ActivationLayer::new(Relu))
            .unwrap()
            .add(Dense::glorot(hidden, 1, Sigmoid, trial).unwrap())
            .unwrap();
        model.compile(Loss::MeanSquaredError);
        let (x, y) = (rng.matrix(rows, inputs, 2.0), rng.labels(rows, 1));
        let analytic: Vec<f64> = model
            .gradients(&x, &y)
            .unwrap()
            .iter()
            .flatten()
            .copied()
            .collect();
        let training_loss = |model: &Sequential<f64>| {
            let mut h = x.clone();
            for layer in model.layers() {
                h = train_forward(layer, h.view(), 0);
            }
            Loss::MeanSquaredError.value(&y, &h).unwrap()
        };
        let weights = model.get_weights();
        let mut flat: Vec<f64> = Vec::new();
        let trainable: Vec<bool> = model
            .layers()
            .flat_map(|l| {
                (0..l.weight_shapes().len()).map(move |i| i < l.trainable_weight_arrays())
            })
            .collect();
        for (w, trainable) in weights.iter().zip(&trainable) {
            if *trainable {
                flat.extend(w.iter().copied());
            }
        }
        assert_eq!(flat.len(), analytic.len());
        for (i, &a) in analytic.iter().enumerate() {
            let numeric = central(&mut flat, i, |values| {
                let mut offset = 0;
                let arrays: Vec<ArrayD<f64>> = weights
                    .iter()
                    .zip(&trainable)
                    .map(|(w, trainable)| match trainable {
                        true => {
                            offset += w.len();
                            ArrayD::from_shape_vec(
                                w.shape(),
                                values[offset - w.len()..offset].to_vec(),
                            )
                            .unwrap()
                        }
                        false => w.clone(),
                    })
                    .collect();
                model.set_weights(&arrays).unwrap();
                training_loss(&model)
            });
            assert_close(&format!("trial {trial} weight {i}"), a, numeric, 1e-7);
        }
        model.set_weights(&weights).unwrap();
    }
    summary("a_model_with_batch_normalization_matches_central_differences");
}

/// Over many seeds, Dropout keeps each value with probability `1 − rate`
/// and keeps the mean. `n` Bernoulli draws kept with probability `p` have
/// a kept count of mean `n·p` and standard deviation `σ = sqrt(n·p·(1−p))`;
/// the bound is 6σ, which a correct generator exceeds with probability
/// about 2·10⁻⁹ (normal tail) per check, so the test does not flake,
/// while a bias of the keep probability by more than `6σ/n` (here below
/// 0.0012 for `n` = 2²⁰ values) fails it. The mean of the outputs over
/// inputs of 1 is `kept·scale / n`, held to the same relative bound.
#[test]
fn dropout_keeps_the_fraction_and_the_mean_it_should() {
    let (rows, features) = (256, 64);
    let x = Array2::from_elem((rows, features), 1.0_f32);
    for rate in [0.1, 0.2, 0.5, 0.8] {
        let layer = Dropout::new(rate).unwrap().with_width(features).unwrap();
        let (mut kept, mut sum, mut n) = (0_u64, 0.0_f64, 0_u64);
        for seed in 0..64 {
            let out: Array2<f32> = {
                let (mut pre, mut out) = (Array2::zeros(x.dim()), Array2::zeros(x.dim()));
                let mut trace = Array2::zeros((rows, 0));
                let mut step = TrainingStep::new(seed, 0, &mut []);
                let views = (pre.view_mut(), trace.view_mut(), out.view_mut());
                layer
                    .forward_train_step(x.view(), views.0, views.1, views.2, &mut step)
                    .unwrap();
                out
            };
            kept += out.iter().filter(|&&v| v != 0.0).count() as u64;
            sum += out.iter().map(|&v| f64::from(v)).sum::<f64>();
            n += out.len() as u64;
        }
        let p = 1.0 - rate;
        let sigma = (n as f64 * p * (1.0 - p)).sqrt();
        let deviation = (kept as f64 - n as f64 * p).abs();
        assert!(
            deviation <= 6.0 * sigma,
            "rate {rate}: kept {kept} of {n}, {deviation} > 6σ = {}",
            6.0 * sigma
        );
        let mean = sum / n as f64;
        let bound = 6.0 * sigma / (n as f64 * p);
        assert!(
            (mean - 1.0).abs() <= bound,
            "rate {rate}: mean {mean}, bound {bound}"
        );
    }
}

/// The masks depend on the seed and the position only: the same step
/// gives the same mask when the batch is cut into blocks anywhere.
#[test]
fn dropout_masks_do_not_depend_on_the_blocks() {
    let (rows, features) = (37, 5);
    let mut rng = Rng(25);
    let x = rng.matrix(rows, features, 1.0);
    let layer = Dropout::new(0.5).unwrap().with_width(features).unwrap();
    let whole = train_forward(&layer, x.view(), 9);
    for cut in [1, 2, 5, 17, 36] {
        let mut parts = Array2::zeros((rows, features));
        for (start, end) in [(0, cut), (cut, rows)] {
            let block = x.slice(ndarray::s![start..end, ..]);
            let (mut pre, mut out) = (Array2::zeros(block.dim()), Array2::zeros(block.dim()));
            let mut trace = Array2::zeros((end - start, 0));
            let mut step = TrainingStep::new(9, start, &mut []);
            let views = (pre.view_mut(), trace.view_mut(), out.view_mut());
            layer
                .forward_train_step(block, views.0, views.1, views.2, &mut step)
                .unwrap();
            parts.slice_mut(ndarray::s![start..end, ..]).assign(&out);
        }
        assert_eq!(parts, whole, "cut at row {cut}");
    }
}

//! The layers of issue #14 beside their baselines in the same run:
//! Dense + BatchNormalization inference beside the Dense alone (the cost
//! of the normalisation's sweep); BatchNormalization and
//! LayerNormalization training passes (forward + backward) beside a plain
//! ndarray composition of the same formulas; Dropout's training pass
//! (mask drawn and applied in one sweep) in values per second.

use common::filled;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ndarray::{Array1, Array2, Axis};
use neurite::{
    BatchNormalization, Dense, Dropout, Layer, LayerNormalization, Linear, Sequential, TrainingStep,
};
use std::hint::black_box;
use std::time::Duration;

mod common;

const EPSILON: f32 = 1e-3;

fn dense_then_batch_normalization(c: &mut Criterion) {
    let (batch, inputs, units) = (256, 784, 128);
    let mut group = c.benchmark_group(format!(
        "dense_batchnorm_inference/{batch}x{inputs}x{units}"
    ));
    group.throughput(Throughput::Elements((2 * batch * inputs * units) as u64));
    let x = filled(batch, inputs, 1);
    let kernel = filled(inputs, units, 2);
    let mut dense = Sequential::new();
    dense
        .add(Dense::new(kernel.clone(), Array1::zeros(units), Linear).unwrap())
        .unwrap();
    let mut both = Sequential::new();
    both.add(Dense::without_bias(kernel, Linear).unwrap())
        .unwrap();
    both.add(BatchNormalization::new(units).unwrap()).unwrap();
    group.bench_function("dense_alone", |b| {
        b.iter(|| black_box(dense.forward(&x).unwrap()))
    });
    group.bench_function("dense_then_batchnorm", |b| {
        b.iter(|| black_box(both.forward(&x).unwrap()))
    });
    group.finish();
}

/// One training forward and backward pass of `layer` over `x`.
fn train_pass(layer: &dyn Layer<f32>, x: &Array2<f32>, g: &Array2<f32>, buffers: &mut Buffers) {
    let Buffers {
        pre,
        out,
        trace,
        statistics,
        weight_grads,
        grad_x,
    } = buffers;
    let mut step = TrainingStep::new(0, 0, statistics);
    layer
        .forward_train_step(
            x.view(),
            pre.view_mut(),
            trace.view_mut(),
            out.view_mut(),
            &mut step,
        )
        .unwrap();
    let input = Some(grad_x.view_mut());
    layer
        .backward_affine_step(
            x.view(),
            trace.view_mut(),
            g.view(),
            weight_grads,
            input,
            &mut step,
        )
        .unwrap();
}

struct Buffers {
    pre: Array2<f32>,
    out: Array2<f32>,
    trace: Array2<f32>,
    statistics: Vec<f32>,
    weight_grads: Vec<f32>,
    grad_x: Array2<f32>,
}

impl Buffers {
    fn new(layer: &dyn Layer<f32>, rows: usize) -> Self {
        let width = layer.output_width();
        Self {
            pre: Array2::zeros((rows, width)),
            out: Array2::zeros((rows, width)),
            trace: Array2::zeros((rows, layer.trace_width())),
            statistics: vec![0.0; layer.batch_statistics_len()],
            weight_grads: vec![0.0; layer.trainable_param_count()],
            grad_x: Array2::zeros((rows, width)),
        }
    }
}

/// The same formulas in plain ndarray operations over `axis` (0: batch
/// normalisation, 1: layer normalisation): `(y, ∂L/∂x, ∂L/∂gamma, ∂L/∂beta)`.
fn ndarray_normalization(
    x: &Array2<f32>,
    g: &Array2<f32>,
    gamma: &Array1<f32>,
    beta: &Array1<f32>,
    axis: Axis,
) -> (Array2<f32>, Array2<f32>, Array1<f32>, Array1<f32>) {
    let n = x.len_of(axis) as f32;
    let mean = x.mean_axis(axis).unwrap().insert_axis(axis);
    let centered = x - &mean;
    let var = (&centered * &centered)
        .mean_axis(axis)
        .unwrap()
        .insert_axis(axis);
    let rstd = (var + EPSILON).mapv(|v| 1.0 / v.sqrt());
    let x_hat = &centered * &rstd;
    let y = &x_hat * gamma + beta;
    let d = g * gamma;
    let sum_d = d.sum_axis(axis).insert_axis(axis);
    let sum_dx = (&d * &x_hat).sum_axis(axis).insert_axis(axis);
    let grad_x = (&d - &(sum_d / n) - &x_hat * &(sum_dx / n)) * &rstd;
    let grad_gamma = (g * &x_hat).sum_axis(Axis(0));
    let grad_beta = g.sum_axis(Axis(0));
    (y, grad_x, grad_gamma, grad_beta)
}

fn normalization_training(c: &mut Criterion) {
    let (rows, features) = (4096, 256);
    let x = filled(rows, features, 3).mapv(|v| 3.0 * v + 1.0);
    let g = filled(rows, features, 4);
    let (gamma, beta) = (
        Array1::from_elem(features, 1.5_f32),
        Array1::from_elem(features, 0.25_f32),
    );
    let bn = BatchNormalization::<f32>::new(features).unwrap();
    let ln = LayerNormalization::<f32>::new(features).unwrap();
    for (name, layer, axis) in [
        ("batchnorm", &bn as &dyn Layer<f32>, Axis(0)),
        ("layernorm", &ln as &dyn Layer<f32>, Axis(1)),
    ] {
        let mut group =
            c.benchmark_group(format!("{name}_train_forward_backward/{rows}x{features}"));
        group.throughput(Throughput::Elements((rows * features) as u64));
        let mut buffers = Buffers::new(layer, rows);
        group.bench_function("neurite", |b| {
            b.iter(|| train_pass(layer, black_box(&x), &g, &mut buffers))
        });
        group.bench_function("ndarray_composition", |b| {
            b.iter(|| {
                black_box(ndarray_normalization(
                    black_box(&x),
                    &g,
                    &gamma,
                    &beta,
                    axis,
                ))
            })
        });
        group.finish();
    }
}

fn dropout_training(c: &mut Criterion) {
    for (rows, features) in [(256, 256), (4096, 256)] {
        let mut group = c.benchmark_group(format!("dropout_train_forward/{rows}x{features}"));
        group.throughput(Throughput::Elements((rows * features) as u64));
        let x = filled(rows, features, 5);
        let layer = Dropout::new(0.5).unwrap().with_width(features).unwrap();
        let mut buffers = Buffers::new(&layer, rows);
        let mut seed = 0;
        group.bench_function("neurite_mask_and_scale", |b| {
            b.iter(|| {
                seed += 1;
                let Buffers {
                    pre, out, trace, ..
                } = &mut buffers;
                let mut step = TrainingStep::new(seed, 0, &mut []);
                layer
                    .forward_train_step(
                        x.view(),
                        pre.view_mut(),
                        trace.view_mut(),
                        out.view_mut(),
                        &mut step,
                    )
                    .unwrap();
            })
        });
        group.bench_function("copy_baseline", |b| {
            b.iter(|| buffers.out.assign(black_box(&x)))
        });
        group.finish();
    }
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
}

criterion_group! {
    name = benches;
    config = config();
    targets = dense_then_batch_normalization, normalization_training, dropout_training
}
criterion_main!(benches);

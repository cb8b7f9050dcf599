//! The losses beside their baselines in the same run:
//!
//! - categorical and sparse categorical cross-entropy from logits at
//!   (4096, 10) and (256, 1000), `Loss::value` and `Loss::gradient`, beside
//!   the plain ndarray composition (a stable softmax with `mapv` and
//!   `sum_axis`, then `ln`, then the sum against the labels; for the
//!   gradient, `softmax - y`);
//! - MSE and MAE value and gradient (new, and into a kept buffer) over 1 M values (a (1 M, 1) column)
//!   beside an in-place scale of the same data, labels and predictions
//!   (memory speed), and of the predictions alone.
//!
//! `cargo bench --bench losses`

use common::filled;
use criterion::{Criterion, criterion_group, criterion_main};
use ndarray::{Array1, Array2, Axis};
use neurite::loss::Loss;
use std::hint::black_box;
use std::time::Duration;

mod common;

/// `softmax(z)` row by row, as a user would write it with ndarray.
fn softmax(z: &Array2<f32>) -> Array2<f32> {
    let max = z.fold_axis(Axis(1), f32::NEG_INFINITY, |&m, &v| m.max(v));
    let e = (z - &max.insert_axis(Axis(1))).mapv(f32::exp);
    let sum = e.sum_axis(Axis(1));
    e / &sum.insert_axis(Axis(1))
}

fn composition_dense(y: &Array2<f32>, z: &Array2<f32>) -> f32 {
    let log_p = softmax(z).mapv(f32::ln);
    -(y * &log_p).sum() / z.nrows() as f32
}

fn composition_sparse(classes: &Array1<usize>, z: &Array2<f32>) -> f32 {
    let log_p = softmax(z).mapv(f32::ln);
    let picked: f32 = classes
        .iter()
        .enumerate()
        .map(|(r, &c)| log_p[[r, c]])
        .sum();
    -picked / z.nrows() as f32
}

fn composition_gradient(y: &Array2<f32>, z: &Array2<f32>) -> Array2<f32> {
    (softmax(z) - y) / z.nrows() as f32
}

fn cross_entropy(c: &mut Criterion) {
    for (rows, width) in [(4096, 10), (256, 1000)] {
        let z = filled(rows, width, 3).mapv(|v| v * 4.0);
        let classes: Array1<usize> = (0..rows).map(|r| (r * 7) % width).collect();
        let sparse = classes.mapv(|c| c as f32).insert_axis(Axis(1));
        let mut dense = Array2::<f32>::zeros((rows, width));
        classes
            .iter()
            .enumerate()
            .for_each(|(r, &c)| dense[[r, c]] = 1.0);
        let cce = Loss::categorical_crossentropy().from_logits(true).unwrap();
        let scce = Loss::sparse_categorical_crossentropy()
            .from_logits(true)
            .unwrap();

        let mut group = c.benchmark_group(format!("cross_entropy_logits/{rows}x{width}"));
        group
            .sample_size(20)
            .warm_up_time(Duration::from_millis(300))
            .measurement_time(Duration::from_secs(1));
        group.bench_function("ndarray_dense", |b| {
            b.iter(|| composition_dense(black_box(&dense), black_box(&z)))
        });
        group.bench_function("neurite_dense", |b| {
            b.iter(|| cce.value(black_box(&dense), black_box(&z)).unwrap())
        });
        group.bench_function("ndarray_sparse", |b| {
            b.iter(|| composition_sparse(black_box(&classes), black_box(&z)))
        });
        group.bench_function("neurite_sparse", |b| {
            b.iter(|| scce.value(black_box(&sparse), black_box(&z)).unwrap())
        });
        group.bench_function("ndarray_gradient", |b| {
            b.iter(|| composition_gradient(black_box(&dense), black_box(&z)))
        });
        group.bench_function("neurite_dense_gradient", |b| {
            b.iter(|| cce.gradient(black_box(&dense), black_box(&z)).unwrap())
        });
        group.bench_function("neurite_sparse_gradient", |b| {
            b.iter(|| scce.gradient(black_box(&sparse), black_box(&z)).unwrap())
        });
        group.finish();
    }
}

fn regression(c: &mut Criterion) {
    const VALUES: usize = 1 << 20;
    let y = filled(VALUES, 1, 5);
    let p = filled(VALUES, 1, 6);
    let (mut scaled_y, mut scaled_p) = (y.clone(), p.clone());
    let mut group = c.benchmark_group("regression_1M");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    // A scale by -1 (not known to the compiler): the data neither drifts
    // to subnormals nor overflows. The loss reads labels and predictions,
    // so the baseline scales both in place (8 MB, as the loss reads); the
    // predictions alone (4 MB) are timed too.
    let factor = black_box(-1.0_f32);
    group.bench_function("scale_in_place", |b| {
        b.iter(|| {
            black_box(&mut scaled_y).mapv_inplace(|v| v * factor);
            black_box(&mut scaled_p).mapv_inplace(|v| v * factor);
        })
    });
    group.bench_function("scale_predictions_in_place", |b| {
        b.iter(|| black_box(&mut scaled_p).mapv_inplace(|v| v * factor))
    });
    for (name, loss) in [
        ("mse", Loss::MeanSquaredError),
        ("mae", Loss::MeanAbsoluteError),
    ] {
        group.bench_function(format!("{name}_value"), |b| {
            b.iter(|| loss.value(black_box(&y), black_box(&p)).unwrap())
        });
        group.bench_function(format!("{name}_gradient"), |b| {
            b.iter(|| loss.gradient(black_box(&y), black_box(&p)).unwrap())
        });
        let mut grad = Array2::zeros(p.raw_dim());
        group.bench_function(format!("{name}_gradient_into"), |b| {
            b.iter(|| {
                let out = black_box(&mut grad).view_mut();
                loss.gradient_into(black_box(&y), black_box(&p), out)
                    .unwrap()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, cross_entropy, regression);
criterion_main!(benches);

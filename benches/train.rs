//! One training step against one forward pass on the same model:
//! 784 → 128 relu → 1 sigmoid, f32, at batch 256 and 4096. A step is a
//! forward pass, the backward pass (two more matrix products of the
//! forward's size, one of them skipped for the first layer's input) and the
//! optimizer's update, so it should stay under 3× the forward pass.
//!
//! With the `rayon` feature every bench also runs on a one-thread pool
//! (`…_one_thread`), the baseline of the multi-core speed-up in the same
//! run.
//!
//! The multi-class step: 784 → 128 relu → 10 softmax with sparse
//! categorical cross-entropy (on the logits, fused) and Adam at batch 256,
//! beside the binary step on 784 → 128 → 1 plus the products the nine
//! extra output columns add (forward, kernel gradient, input gradient).
//!
//! `cargo bench --bench train`

use common::bench_threads;
use criterion::{Criterion, criterion_group, criterion_main};
use ndarray::Array2;
use neurite::loss::Loss;
use neurite::{Adam, Dense, Layer, Linear, Relu, Sequential, Sgd, Sigmoid, Softmax};
use std::hint::black_box;
use std::time::Duration;

mod common;

fn model() -> Sequential<f32> {
    let mut model = Sequential::new();
    model
        .add(Dense::glorot(784, 128, Relu, 1).expect("layer"))
        .expect("widths")
        .add(Dense::glorot(128, 1, Sigmoid, 2).expect("layer"))
        .expect("widths");
    model
}

fn data(rows: usize) -> (Array2<f32>, Array2<f32>) {
    let x = Array2::from_shape_fn((rows, 784), |(i, j)| ((i * 31 + j * 7) % 97) as f32 / 97.0);
    let y = Array2::from_shape_fn((rows, 1), |(i, _)| (i % 2) as f32);
    (x, y)
}

fn train(c: &mut Criterion) {
    for rows in [256, 4096] {
        let (x, y) = data(rows);
        let mut group = c.benchmark_group(format!("mlp_784_128_1_batch_{rows}"));
        group
            .sample_size(20)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(4));

        let forward_model = model();
        bench_threads(&mut group, "forward", || {
            forward_model.forward(black_box(&x)).expect("forward")
        });

        let mut sgd_model = model();
        let mut sgd = Sgd::new(1e-4);
        bench_threads(&mut group, "train_step_sgd", || {
            sgd_model
                .train_step(black_box(&x), black_box(&y), &mut sgd)
                .expect("step")
        });

        let mut adam_model = model();
        let mut adam = Adam::new(1e-4);
        bench_threads(&mut group, "train_step_adam", || {
            adam_model
                .train_step(black_box(&x), black_box(&y), &mut adam)
                .expect("step")
        });
        group.finish();
    }
}

fn classifier() -> Sequential<f32> {
    let mut model = Sequential::new();
    model
        .add(Dense::glorot(784, 128, Relu, 1).expect("layer"))
        .expect("widths")
        .add(Dense::glorot(128, 10, Softmax, 2).expect("layer"))
        .expect("widths");
    model.compile(Loss::sparse_categorical_crossentropy());
    model
}

fn multi_class(c: &mut Criterion) {
    const ROWS: usize = 256;
    let (x, y) = data(ROWS);
    let classes = Array2::from_shape_fn((ROWS, 1), |(i, _)| (i % 10) as f32);
    let mut group = c.benchmark_group("mlp_784_128_10_sparse_batch_256");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));

    let mut binary = model();
    let mut adam = Adam::new(1e-4);
    group.bench_function("binary_step_adam", |b| {
        b.iter(|| {
            binary
                .train_step(black_box(&x), black_box(&y), &mut adam)
                .expect("step")
        })
    });

    // The three products of the last layer, at the nine extra columns'
    // width: h·W (256×128·128×9), hᵀ·δ (128×256·256×9), δ·Wᵀ (256×9·9×128).
    let products = [(256, 128, 9), (128, 256, 9), (256, 9, 128)].map(|(rows, inputs, units)| {
        let layer = Dense::glorot(inputs, units, Linear, 3).expect("layer");
        (
            common::filled(rows, inputs, 4),
            layer,
            Array2::zeros((rows, units)),
        )
    });
    let mut products = products;
    group.bench_function("extra_width_products", |b| {
        b.iter(|| {
            for (input, layer, out) in &mut products {
                layer
                    .forward_into(black_box(input.view()), out.view_mut())
                    .expect("product");
            }
        })
    });

    let mut sparse = classifier();
    let mut adam = Adam::new(1e-4);
    group.bench_function("sparse_step_adam", |b| {
        b.iter(|| {
            sparse
                .train_step(black_box(&x), black_box(&classes), &mut adam)
                .expect("step")
        })
    });
    group.finish();
}

criterion_group!(benches, train, multi_class);
criterion_main!(benches);

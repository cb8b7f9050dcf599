//! One training step against one forward pass on the same model: batch 256,
//! 784 → 128 relu → 1 sigmoid, f32. A step is a forward pass, the backward
//! pass (two more matrix products of the forward's size, one of them skipped
//! for the first layer's input) and the optimizer's update, so it should
//! stay under 3× the forward pass.
//!
//! `cargo bench --bench train`

use criterion::{Criterion, criterion_group, criterion_main};
use ndarray::Array2;
use neurite::{Adam, Dense, Relu, Sequential, Sgd, Sigmoid};
use std::hint::black_box;
use std::time::Duration;

fn model() -> Sequential<f32> {
    let mut model = Sequential::new();
    model
        .add(Dense::glorot(784, 128, Relu, 1).expect("layer"))
        .expect("widths")
        .add(Dense::glorot(128, 1, Sigmoid, 2).expect("layer"))
        .expect("widths");
    model
}

fn data() -> (Array2<f32>, Array2<f32>) {
    let x = Array2::from_shape_fn((256, 784), |(i, j)| ((i * 31 + j * 7) % 97) as f32 / 97.0);
    let y = Array2::from_shape_fn((256, 1), |(i, _)| (i % 2) as f32);
    (x, y)
}

fn train(c: &mut Criterion) {
    let (x, y) = data();
    let mut group = c.benchmark_group("mlp_784_128_1_batch_256");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));

    let forward_model = model();
    group.bench_function("forward", |b| {
        b.iter(|| forward_model.forward(black_box(&x)).expect("forward"))
    });

    let mut sgd_model = model();
    let mut sgd = Sgd::new(1e-4);
    group.bench_function("train_step_sgd", |b| {
        b.iter(|| {
            sgd_model
                .train_step(black_box(&x), black_box(&y), &mut sgd)
                .expect("step")
        })
    });

    let mut adam_model = model();
    let mut adam = Adam::new(1e-4);
    group.bench_function("train_step_adam", |b| {
        b.iter(|| {
            adam_model
                .train_step(black_box(&x), black_box(&y), &mut adam)
                .expect("step")
        })
    });
    group.finish();
}

criterion_group!(benches, train);
criterion_main!(benches);

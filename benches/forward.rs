//! Forward-pass benchmarks: each `Dense` shape beside the bare matrix
//! product it is built on (the baseline of the same run), the tutorial's
//! model, a 784→128→1 model at batch 4096, the one-row product with its
//! kernel at every offset from a cache line, and binary cross-entropy over
//! 1 M values (probabilities and logits) beside plain fused loops. With the `rayon` feature the
//! batch-4096 cases also run on a one-thread pool (`…_one_thread`), the
//! baseline of the multi-core speed-up in the same run.

use common::{bench_threads, filled, tutorial};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ndarray::{Array1, Array2, s};
use neurite::{Dense, Layer, Relu, Sequential, Sigmoid, Workspace, loss};
use std::hint::black_box;
use std::time::Duration;

mod common;

fn dense_forward(c: &mut Criterion) {
    for (batch, inputs, units) in [(1, 784, 128), (256, 784, 128), (4096, 256, 256)] {
        let mut group = c.benchmark_group(format!("dense_relu/{batch}x{inputs}x{units}"));
        group.throughput(Throughput::Elements((2 * batch * inputs * units) as u64));
        let x = filled(batch, inputs, 1);
        let layer = Dense::new(filled(inputs, units, 2), Array1::zeros(units), Relu).unwrap();
        let mut out = Array2::zeros((batch, units));
        group.bench_function("ndarray_dot_alone", |b| {
            b.iter(|| black_box(x.dot(layer.kernel())))
        });
        let mut forward_into = || {
            layer
                .forward_into(black_box(x.view()), out.view_mut())
                .unwrap()
        };
        if batch == 4096 {
            bench_threads(&mut group, "neurite_forward_into", forward_into);
        } else {
            group.bench_function("neurite_forward_into", |b| b.iter(&mut forward_into));
        }
        group.bench_function("neurite_forward", |b| {
            b.iter(|| black_box(layer.forward(x.view()).unwrap()))
        });
        group.finish();
    }
}

/// The tutorial's model (2 → 1 relu → 1 sigmoid, 8 rows) and the
/// breast-cancer model at inference (30 → 16 relu → 1 sigmoid, one row),
/// each beside the same network as a hand-written scalar loop over
/// row-major weights into a kept output (issue #17's floor).
fn tutorial_model(c: &mut Criterion) {
    let model = tutorial::model();
    let (x, _) = tutorial::data();
    tiny_model(c, "tutorial_model2_8_rows", &model, &x);
    let mut breast_cancer = Sequential::<f32>::new();
    breast_cancer
        .add(Dense::glorot(30, 16, Relu, 1).unwrap())
        .unwrap()
        .add(Dense::glorot(16, 1, Sigmoid, 2).unwrap())
        .unwrap();
    tiny_model(
        c,
        "dense_30_16_1_one_row",
        &breast_cancer,
        &filled(1, 30, 5),
    );
}

fn tiny_model(c: &mut Criterion, name: &str, model: &Sequential<f32>, x: &Array2<f32>) {
    let weights = model.get_weights();
    let flat = |i: usize| weights[i].iter().copied().collect::<Vec<f32>>();
    let (w1, b1, w2, b2) = (flat(0), flat(1), flat(2), flat(3));
    let (inputs, hidden) = (x.ncols(), b1.len());
    let mut group = c.benchmark_group(name);
    let mut out = vec![0.0_f32; x.nrows()];
    let mut h = vec![0.0_f32; hidden];
    group.bench_function("scalar_loop", |b| {
        b.iter(|| {
            let x = black_box(x).as_slice().unwrap();
            for (row, out) in x.chunks_exact(inputs).zip(out.iter_mut()) {
                h.copy_from_slice(&b1);
                for (&xi, w) in row.iter().zip(w1.chunks_exact(hidden)) {
                    h.iter_mut().zip(w).for_each(|(h, &w)| *h += xi * w);
                }
                let z = h
                    .iter()
                    .zip(&w2)
                    .fold(b2[0], |z, (&h, &w)| z + h.max(0.0) * w);
                *out = 1.0 / (1.0 + (-z).exp());
            }
            black_box(&out);
        })
    });
    group.bench_function("forward", |b| {
        b.iter(|| black_box(model.forward(black_box(x)).unwrap()))
    });
    let mut workspace = Workspace::new();
    group.bench_function("forward_with", |b| {
        b.iter(|| {
            black_box(model.forward_with(black_box(x), &mut workspace).unwrap());
        })
    });
    group.finish();
}

fn mlp_784_128_1(c: &mut Criterion) {
    let mut model = Sequential::<f32>::new();
    model
        .add(Dense::glorot(784, 128, Relu, 1).unwrap())
        .unwrap()
        .add(Dense::glorot(128, 1, Sigmoid, 2).unwrap())
        .unwrap();
    let x = filled(4096, 784, 3);
    let mut group = c.benchmark_group("mlp_784_128_1/4096");
    group.throughput(Throughput::Elements(2 * 4096 * (784 * 128 + 128) as u64));
    bench_threads(&mut group, "neurite_forward", || {
        black_box(model.forward(&x).unwrap())
    });
    group.finish();
}

/// A `(rows, cols)` kernel whose first value sits `offset` floats after a
/// 64-byte boundary (a cache line, an AVX-512 register), whatever the
/// allocator returned: `Dense::new` keeps a row-major array as it is.
fn kernel_at_offset(rows: usize, cols: usize, offset: usize) -> Array2<f32> {
    let values = filled(rows, cols, 2);
    let mut buffer = vec![0.0_f32; rows * cols + 32];
    let to_line = buffer.as_ptr().align_offset(64);
    let start = to_line + offset;
    buffer[start..start + rows * cols].copy_from_slice(values.as_slice().unwrap());
    let kernel = Array1::from_vec(buffer)
        .slice_move(s![start..start + rows * cols])
        .into_shape_with_order((rows, cols))
        .unwrap();
    assert_eq!(kernel.as_ptr() as usize % 64, offset * 4);
    kernel
}

/// The one-row product at (1, 784, 128) with the kernel at each offset
/// from a cache line: the aligned case (offset 0) is the baseline.
fn dense_row_kernel_alignment(c: &mut Criterion) {
    let (inputs, units) = (784, 128);
    let x = filled(1, inputs, 1);
    let mut out = Array2::zeros((1, units));
    let mut group = c.benchmark_group("dense_relu/1x784x128_kernel_offset");
    group.throughput(Throughput::Elements((2 * inputs * units) as u64));
    for offset in 0..16 {
        let kernel = kernel_at_offset(inputs, units, offset);
        let layer = Dense::new(kernel, Array1::zeros(units), Relu).unwrap();
        group.bench_with_input(BenchmarkId::new("floats", offset), &offset, |b, _| {
            b.iter(|| {
                layer
                    .forward_into(black_box(x.view()), out.view_mut())
                    .unwrap()
            })
        });
    }
    group.finish();
}

/// Binary cross-entropy over 1 M values with hard labels, from
/// probabilities (Keras's clipping) and from logits, each beside a plain
/// scalar loop of the same formula (`std`'s `ln`, `exp`, `ln_1p`).
fn bce(c: &mut Criterion) {
    let n = 1 << 20;
    let y_pred = filled(n, 1, 4).mapv(|v| 0.5 + 0.49 * v);
    let logits = filled(n, 1, 6).mapv(|v| 8.0 * v);
    let y_true = filled(n, 1, 5).mapv(|v| if v > 0.0 { 1.0 } else { 0.0 });
    let mut group = c.benchmark_group("bce_1M");
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function("probabilities_plain_loop", |b| {
        b.iter(|| {
            let eps = 1e-7_f32;
            let sum: f32 = y_true
                .iter()
                .zip(y_pred.iter())
                .map(|(&y, &p)| {
                    let p = p.clamp(eps, 1.0 - eps);
                    -(y * p.ln() + (1.0 - y) * (1.0 - p).ln())
                })
                .sum();
            black_box(sum / n as f32)
        })
    });
    group.bench_function("probabilities_neurite", |b| {
        b.iter(|| black_box(loss::binary_cross_entropy(&y_true, &y_pred).unwrap()))
    });
    group.bench_function("logits_plain_loop", |b| {
        b.iter(|| {
            let sum: f32 = y_true
                .iter()
                .zip(logits.iter())
                .map(|(&y, &z)| z.max(0.0) - z * y + (-z.abs()).exp().ln_1p())
                .sum();
            black_box(sum / n as f32)
        })
    });
    group.bench_function("logits_neurite", |b| {
        b.iter(|| black_box(loss::binary_cross_entropy_with_logits(&y_true, &logits).unwrap()))
    });
    group.finish();
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
    targets = dense_forward, dense_row_kernel_alignment, tutorial_model, mlp_784_128_1, bce
}
criterion_main!(benches);

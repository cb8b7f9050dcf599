//! `half::f16` and `half::bf16` against `f32` (the `half` feature): a
//! Dense (256, 784, 128) relu forward pass and activations over 1 M
//! values, each in the three types in the same run. The `scalar_*` entries
//! are the generic path the 16-bit types took before the feature's `f32`
//! path: ndarray's generic matrix product and the per-value `apply`, in
//! 16-bit arithmetic. docs/performance.md has the ratios.

use common::filled;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use half::{bf16, f16};
use ndarray::{Array1, Array2};
use neurite::{Activation, Dense, Element, Layer, Relu, Sigmoid, Tanh};
use std::hint::black_box;
use std::time::Duration;

mod common;

/// [`filled`]'s values scaled by `scale` (in `f32`), in `T`.
fn scaled<T: Element>(rows: usize, cols: usize, salt: u64, scale: f32) -> Array2<T> {
    filled(rows, cols, salt).mapv(|unit| T::from(unit * scale).unwrap())
}

/// A benchmark group with small sample sizes.
type Group<'a> = criterion::BenchmarkGroup<'a, criterion::measurement::WallTime>;

fn settings<'a>(c: &'a mut Criterion, name: &str) -> Group<'a> {
    let mut group = c.benchmark_group(name);
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    group
}

fn dense<T: Element>(group: &mut Group<'_>, label: &str) {
    let (batch, inputs, units) = (256, 784, 128);
    let x = scaled::<T>(batch, inputs, 1, 1.0);
    let layer = Dense::new(
        scaled::<T>(inputs, units, 2, 0.05),
        Array1::zeros(units),
        Relu,
    )
    .unwrap();
    let mut out = Array2::zeros((batch, units));
    group.bench_function(label, |b| {
        b.iter(|| {
            layer
                .forward_into(black_box(x.view()), out.view_mut())
                .unwrap()
        })
    });
}

fn dense_forward(c: &mut Criterion) {
    let mut group = settings(c, "half_dense_relu/256x784x128");
    group.throughput(Throughput::Elements(2 * 256 * 784 * 128));
    dense::<f32>(&mut group, "f32");
    dense::<f16>(&mut group, "f16");
    dense::<bf16>(&mut group, "bf16");
    // The generic product in 16-bit arithmetic (ndarray's general_mat_mul).
    let x = scaled::<f16>(256, 784, 1, 1.0);
    let w = scaled::<f16>(784, 128, 2, 0.05);
    group.bench_function("scalar_f16_dot", |b| b.iter(|| black_box(x.dot(&w))));
    group.finish();
}

fn activation<T: Element, A: Activation<T>>(group: &mut Group<'_>, label: &str, f: &A) {
    let input = scaled::<T>(1, 1 << 20, 3, 8.0);
    let mut xs = input.clone();
    group.bench_function(label, |b| {
        b.iter(|| {
            xs.assign(&input);
            f.apply_slice(black_box(xs.as_slice_mut().unwrap()));
        })
    });
}

fn activations(c: &mut Criterion) {
    for name in ["sigmoid", "tanh", "relu"] {
        let mut group = settings(c, &format!("half_activation/{name}/1M"));
        group.throughput(Throughput::Elements(1 << 20));
        match name {
            "sigmoid" => run(&mut group, &Sigmoid),
            "tanh" => run(&mut group, &Tanh),
            _ => run(&mut group, &Relu),
        }
        group.finish();
    }
}

fn run<A>(group: &mut Group<'_>, f: &A)
where
    A: Activation<f32> + Activation<f16> + Activation<bf16>,
{
    activation::<f32, _>(group, "f32", f);
    activation::<f16, _>(group, "f16", f);
    activation::<bf16, _>(group, "bf16", f);
    // The generic path: `apply` on each value, in f16 arithmetic.
    let input = scaled::<f16>(1, 1 << 20, 3, 8.0);
    let mut xs = input.clone();
    group.bench_function("scalar_f16_apply", |b| {
        b.iter(|| {
            xs.assign(&input);
            xs.iter_mut().for_each(|x| *x = f.apply(black_box(*x)));
        })
    });
}

criterion_group!(benches, dense_forward, activations);
criterion_main!(benches);

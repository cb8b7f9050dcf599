//! `Sequential::forward` / `forward_with` on Dense (4096, 256, 256) relu
//! against the bare `gemm` product of the same shape, in the same run, one
//! thread: the ratio issue #17 item 4 bounds (≤ 1.05× for `forward`).
//!
//! ```text
//! cargo bench --manifest-path downstream/Cargo.toml
//! ```

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ndarray::Array2;
use neurite::Workspace;
use neurite_downstream::Case;
use std::hint::black_box;
use std::time::Duration;

fn dense_vs_gemm(c: &mut Criterion) {
    let (rows, inputs, units) = (4096, 256, 256);
    let case = Case::new(rows, inputs, units);
    let mut group = c.benchmark_group(format!("dense_relu/{rows}x{inputs}x{units}"));
    group.throughput(Throughput::Elements((2 * rows * inputs * units) as u64));
    let mut out = Array2::zeros((rows, units));
    group.bench_function("bare_gemm", |b| {
        b.iter(|| case.bare_product(black_box(&mut out)))
    });
    group.bench_function("forward", |b| {
        b.iter(|| black_box(case.model.forward(black_box(&case.x)).unwrap()))
    });
    let mut workspace = Workspace::new();
    group.bench_function("forward_with", |b| {
        b.iter(|| {
            black_box(
                case.model
                    .forward_with(black_box(&case.x), &mut workspace)
                    .unwrap(),
            );
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    targets = dense_vs_gemm
}
criterion_main!(benches);

//! `Sequential::forward` / `forward_with` on Dense (4096, 256, 256) relu
//! against the bare `gemm` product of the same shape, in the same run, one
//! thread: the ratio issue #17 item 4 bounds (≤ 1.05× for `forward`).
//!
//! ```text
//! cargo bench --manifest-path downstream/Cargo.toml
//! ```
//!
//! Two groups: `dense_relu/…` times each function on its own, as usual;
//! `paired/…` measures the ratio itself. Criterion times one function for
//! seconds before the next, and on a shared machine a slow phase of
//! seconds can fall on one of them only; in `paired`, every iteration
//! times the bare product and the function back to back (in alternating
//! order) and the measured value is the ratio of the two times, so a slow
//! phase lands on both sides of every ratio.

use criterion::measurement::{Measurement, ValueFormatter};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ndarray::Array2;
use neurite::Workspace;
use neurite_downstream::Case;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// The shape of the case: `(rows, inputs, units)`.
const SHAPE: (usize, usize, usize) = (4096, 256, 256);

fn dense_vs_gemm(c: &mut Criterion) {
    let (rows, inputs, units) = SHAPE;
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

fn paired_ratios(c: &mut Criterion<RatioToBare>) {
    let (rows, inputs, units) = SHAPE;
    let case = Case::new(rows, inputs, units);
    let mut out = Array2::zeros((rows, units));
    let mut group = c.benchmark_group(format!("paired/{rows}x{inputs}x{units}"));
    group.bench_function("forward_over_bare_gemm", |b| {
        b.iter_custom(|iters| {
            paired(
                iters,
                &mut || case.bare_product(black_box(&mut out)),
                &mut || {
                    black_box(case.model.forward(black_box(&case.x)).unwrap());
                },
            )
        })
    });
    let mut workspace = Workspace::new();
    group.bench_function("forward_with_over_bare_gemm", |b| {
        b.iter_custom(|iters| {
            paired(
                iters,
                &mut || case.bare_product(black_box(&mut out)),
                &mut || {
                    let y = case.model.forward_with(black_box(&case.x), &mut workspace);
                    black_box(y.unwrap());
                },
            )
        })
    });
    group.finish();
}

/// The sum over `iters` pairs of `time(subject) / time(bare)`, the two
/// calls of a pair back to back, the bare one first in even pairs.
fn paired(iters: u64, bare: &mut dyn FnMut(), subject: &mut dyn FnMut()) -> f64 {
    (0..iters)
        .map(|i| {
            if i % 2 == 0 {
                let bare = seconds(bare);
                seconds(subject) / bare
            } else {
                let subject = seconds(subject);
                subject / seconds(bare)
            }
        })
        .sum()
}

/// The seconds one call of `f` takes.
fn seconds(f: &mut dyn FnMut()) -> f64 {
    let start = Instant::now();
    f();
    start.elapsed().as_secs_f64()
}

/// A criterion measurement whose value is a ratio of two times measured
/// by the routine itself (`iter_custom`): criterion's statistics then
/// estimate the mean ratio per iteration.
struct RatioToBare;

impl Measurement for RatioToBare {
    type Intermediate = ();
    type Value = f64;

    // `iter_custom` routines return their value; start and end are unused.
    fn start(&self) {}
    fn end(&self, (): ()) -> f64 {
        0.0
    }
    fn add(&self, a: &f64, b: &f64) -> f64 {
        a + b
    }
    fn zero(&self) -> f64 {
        0.0
    }
    fn to_f64(&self, value: &f64) -> f64 {
        *value
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        &TimesBare
    }
}

/// Prints a ratio as `1.0312 ×` (times the bare product's time).
struct TimesBare;

impl ValueFormatter for TimesBare {
    fn scale_values(&self, _typical: f64, _values: &mut [f64]) -> &'static str {
        "×"
    }
    fn scale_throughputs(&self, _: f64, _: &Throughput, _values: &mut [f64]) -> &'static str {
        "×"
    }
    fn scale_for_machines(&self, _values: &mut [f64]) -> &'static str {
        "times the bare product"
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    targets = dense_vs_gemm
}
criterion_group! {
    name = paired_benches;
    config = Criterion::default()
        .with_measurement(RatioToBare)
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8));
    targets = paired_ratios
}
criterion_main!(benches, paired_benches);

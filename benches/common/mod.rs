//! What several bench targets share: their deterministic inputs, the
//! tutorial's model, and the one-thread baseline of the multi-core benches.

// Each bench target uses a different subset of these helpers.
#![allow(dead_code)]

/// The tests' tutorial model and data: one definition for tests and benches.
#[path = "../../tests/common/tutorial.rs"]
pub mod tutorial;

use criterion::BenchmarkGroup;
use criterion::measurement::WallTime;
use ndarray::Array2;

/// Deterministic values in [-1, 1): benches must not depend on a seed crate.
pub fn filled(rows: usize, cols: usize, salt: u64) -> Array2<f32> {
    Array2::from_shape_fn((rows, cols), |(i, j)| {
        let h = (i as u64 * 0x9E37_79B9 + j as u64 * 0x85EB_CA6B + salt).wrapping_mul(0xC2B2_AE35);
        ((h >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    })
}

/// Benchmarks `routine` as `name` and, with `rayon`, also as
/// `name_one_thread` inside a one-thread pool.
pub fn bench_threads<R>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    mut routine: impl FnMut() -> R + Send,
) {
    #[cfg(feature = "rayon")]
    {
        let one_thread = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("a one-thread pool");
        group.bench_function(format!("{name}_one_thread"), |b| {
            one_thread.install(|| b.iter(&mut routine))
        });
    }
    group.bench_function(name, |b| b.iter(&mut routine));
}

//! The one-thread baseline of the multi-core benches, shared by the bench
//! targets that measure a speed-up.

use criterion::BenchmarkGroup;
use criterion::measurement::WallTime;

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

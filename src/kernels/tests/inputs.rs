//! Every `f32` input, for the exhaustive tests: all 2^32 bit patterns in
//! release builds, split over two threads; in debug builds every 4099th
//! pattern plus the edges of [`EDGES`] and their neighbours, so that a
//! plain `cargo test` stays fast.

use super::{EDGES, f32_neighbours};

/// A prime stride for the debug-build sample: it cycles through every
/// exponent and every low mantissa pattern.
const DEBUG_STRIDE: usize = 4099;

/// Inputs per batch.
const BATCH: u32 = 1 << 14;

/// The debug-build sample: every `DEBUG_STRIDE`th bit pattern, and the
/// edges with 64 neighbours each, both signs, and a few NaN payloads.
fn debug_sample() -> Vec<f32> {
    let mut xs: Vec<f32> = (0..=u32::MAX)
        .step_by(DEBUG_STRIDE)
        .map(f32::from_bits)
        .collect();
    for edge in EDGES {
        for x in [edge as f32, -edge as f32] {
            xs.extend(f32_neighbours(x, 64));
        }
    }
    xs.extend([
        f32::NAN,
        -f32::NAN,
        f32::from_bits(0x7f80_0001),
        f32::from_bits(0xffc0_1234),
    ]);
    xs
}

/// Calls `visit` on batches that together hold every input of this build
/// (all bit patterns in order in release builds, the sample in debug
/// builds), on two threads; returns each thread's state.
pub(in crate::kernels::tests) fn for_all_inputs<S: Default + Send>(
    visit: impl Fn(&mut S, &[f32]) + Sync,
) -> Vec<S> {
    on_two_threads(|half| {
        let mut state = S::default();
        if cfg!(debug_assertions) {
            let sample = debug_sample();
            let mine = sample
                .chunks(sample.len().div_ceil(2))
                .nth(half as usize)
                .unwrap_or(&[]);
            for xs in mine.chunks(BATCH as usize) {
                visit(&mut state, xs);
            }
        } else {
            let mut xs = vec![0.0; BATCH as usize];
            for batch in 0..(1 << 31) / BATCH {
                let first = (half << 31) + batch * BATCH;
                for (i, x) in xs.iter_mut().enumerate() {
                    *x = f32::from_bits(first + i as u32);
                }
                visit(&mut state, &xs);
            }
        }
        state
    })
}

/// `work(0)` and `work(1)` on two threads, their results in that order.
fn on_two_threads<S: Send>(work: impl Fn(u32) -> S + Sync) -> Vec<S> {
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..2_u32)
            .map(|thread| {
                let work = &work;
                scope.spawn(move || work(thread))
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().expect("worker panicked"))
            .collect()
    })
}

/// As [`for_all_inputs`], by magnitude: `visit` gets batches of inputs
/// with the sign bit clear, followed by their negations in the same order
/// (so a reference of `|x|` is computed once for both halves). Two threads
/// take alternate batches.
pub(in crate::kernels::tests) fn for_all_magnitudes<S: Default + Send>(
    visit: impl Fn(&mut S, &[f32]) + Sync,
) -> Vec<S> {
    let with_negations = |magnitudes: &[f32], xs: &mut Vec<f32>| {
        xs.clear();
        xs.extend_from_slice(magnitudes);
        xs.extend(magnitudes.iter().map(|&x| -x));
    };
    on_two_threads(|thread| {
        let mut state = S::default();
        let mut xs = Vec::with_capacity(2 * BATCH as usize);
        if cfg!(debug_assertions) {
            let sample: Vec<f32> = debug_sample()
                .into_iter()
                .filter(|x| x.is_sign_positive())
                .collect();
            let mine = sample
                .chunks(BATCH as usize)
                .skip(thread as usize)
                .step_by(2);
            for magnitudes in mine {
                with_negations(magnitudes, &mut xs);
                visit(&mut state, &xs);
            }
        } else {
            let mut magnitudes = vec![0.0; BATCH as usize];
            for batch in (thread..(1 << 31) / BATCH).step_by(2) {
                for (i, x) in magnitudes.iter_mut().enumerate() {
                    *x = f32::from_bits(batch * BATCH + i as u32);
                }
                with_negations(&magnitudes, &mut xs);
                visit(&mut state, &xs);
            }
        }
        state
    })
}

//! Whether every value of a slice is finite: the check a training step
//! makes of its input batch (src/train/), one pass over it.
//!
//! `x - x` is `+0` for every finite `x` and NaN for `±inf` and NaN, and a
//! sum of such differences stays `0` until a NaN makes it NaN for good, so
//! the pass is additions only, with no branch or mask per value. The
//! portable loop this replaces (SSE2 in the user's crate, four lanes) took
//! 2.5 % of a training step of 784 → 128 → 1 at batch 256.

use super::vector::{Lane, MAX_UNROLL, Vector, prefetch_ahead, splat};

/// Whether no value of `xs` is `±inf` or NaN.
#[inline(always)]
pub(crate) fn all_finite<V: Vector>(xs: &[V::Scalar]) -> bool {
    let block = V::UNROLL * V::LANES;
    let mut sums = [splat::<V>(0.0); MAX_UNROLL];
    let mut blocks = xs.chunks_exact(block);
    for values in &mut blocks {
        prefetch_ahead(values);
        for (sum, x) in sums[..V::UNROLL]
            .iter_mut()
            .zip(values.chunks_exact(V::LANES))
        {
            let x = V::load(x);
            *sum = sum.add(x.sub(x));
        }
    }
    let mut vectors = blocks.remainder().chunks_exact(V::LANES);
    for x in &mut vectors {
        let x = V::load(x);
        sums[0] = sums[0].add(x.sub(x));
    }
    let tail = vectors.remainder();
    if !tail.is_empty() {
        let x = V::load_partial(tail, V::Scalar::from_f64(0.0));
        sums[0] = sums[0].add(x.sub(x));
    }
    let total = sums[..V::UNROLL]
        .iter()
        .fold(splat::<V>(0.0), |total, &sum| total.add(sum))
        .reduce_add();
    total.is_finite()
}

//! Softmax of one row, with the semantics of `activation/softmax.rs`
//! (Keras's): shift by the row's maximum, exponentiate, divide by the sum.
//! A row holding NaN or `+inf`, or only `-inf`, becomes all NaN.
//!
//! Three passes over the row: the maximum (NaN skipped: a NaN then turns
//! the sum, and so every entry, into NaN), `e^(x - max)` stored and summed
//! in four accumulators, and a multiplication by `1 / sum`. The `e^x` is
//! exp.rs's; `x - max ≤ 0`, and `-inf` entries give 0.

use super::exp::{ExpConstants, exp_up_to_max};
use super::vector::{Elementwise, Lane, Vector, map_in_place};

/// Normalises `row` in place.
#[inline(always)]
pub(crate) fn softmax<V: Vector<Scalar: ExpConstants>>(row: &mut [V::Scalar]) {
    let max = max_skipping_nan::<V>(row);
    if !max.is_finite() {
        // +inf, or no finite value at all: Keras gives NaN everywhere.
        row.fill(V::Scalar::NAN);
        return;
    }
    let sum = V::splat(exp_shifted_and_sum::<V>(row, max));
    let scale = V::splat(V::Scalar::from_f64(1.0)).div(sum);
    map_in_place(row, Scale(scale));
}

/// Multiplication by a constant.
#[derive(Clone, Copy)]
struct Scale<V>(V);

impl<V: Vector> Elementwise<V> for Scale<V> {
    #[inline(always)]
    fn apply(self, x: V) -> V {
        x.mul(self.0)
    }
}

/// `e^(x - max)` for `x ≤ max` (or NaN, or -inf).
#[inline(always)]
fn exp_shifted<V: Vector<Scalar: ExpConstants>>(x: V, max: V) -> V {
    exp_up_to_max(x.sub(max))
}

/// The largest non-NaN value of `row`, `-inf` if there is none.
#[inline(always)]
pub(super) fn max_skipping_nan<V: Vector>(row: &[V::Scalar]) -> V::Scalar {
    let mut acc = [V::splat(V::Scalar::NEG_INFINITY); 4];
    let mut blocks = row.chunks_exact(4 * V::LANES);
    for block in &mut blocks {
        for (acc, values) in acc.iter_mut().zip(block.chunks_exact(V::LANES)) {
            // `max` returns its argument when `self` is NaN.
            *acc = V::load(values).max(*acc);
        }
    }
    let mut vectors = blocks.remainder().chunks_exact(V::LANES);
    for values in &mut vectors {
        acc[0] = V::load(values).max(acc[0]);
    }
    let tail = vectors.remainder();
    if !tail.is_empty() {
        acc[0] = V::load_partial(tail, V::Scalar::NEG_INFINITY).max(acc[0]);
    }
    acc[0].max(acc[1]).max(acc[2].max(acc[3])).reduce_max()
}

/// Replaces every `x` by `e^(x - max)` and returns the sum of the results.
#[inline(always)]
fn exp_shifted_and_sum<V: Vector<Scalar: ExpConstants>>(
    row: &mut [V::Scalar],
    max: V::Scalar,
) -> V::Scalar {
    let max = V::splat(max);
    let zero = V::splat(V::Scalar::from_f64(0.0));
    let mut acc = [zero; 4];
    let mut blocks = row.chunks_exact_mut(4 * V::LANES);
    for block in &mut blocks {
        for (acc, values) in acc.iter_mut().zip(block.chunks_exact_mut(V::LANES)) {
            let e = exp_shifted(V::load(values), max);
            e.store(values);
            *acc = acc.add(e);
        }
    }
    let mut vectors = blocks.into_remainder().chunks_exact_mut(V::LANES);
    for values in &mut vectors {
        let e = exp_shifted(V::load(values), max);
        e.store(values);
        acc[0] = acc[0].add(e);
    }
    let tail = vectors.into_remainder();
    if !tail.is_empty() {
        // The padding lanes hold -inf, whose e^(x - max) is 0.
        let e = exp_shifted(V::load_partial(tail, V::Scalar::NEG_INFINITY), max);
        e.store_partial(tail);
        acc[0] = acc[0].add(e);
    }
    acc[0].add(acc[1]).add(acc[2].add(acc[3])).reduce_add()
}

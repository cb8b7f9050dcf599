//! Softmax of rows, with the semantics of `activation/softmax.rs`
//! (Keras's): shift by the row's maximum, exponentiate, divide by the sum.
//! A row holding NaN or `+inf`, or only `-inf`, becomes all NaN.
//!
//! A wide row takes three passes: the maximum (NaN skipped: a NaN then
//! turns the sum, and so every entry, into NaN), `e^(x - max)` stored and
//! summed in four accumulators, and a multiplication by `1 / sum`.
//!
//! Rows of at most [`NARROW`] values (a classifier's ten classes) go
//! across the lanes instead: a block of as many rows as a register has
//! lanes is turned so that register `j` holds the `j`-th value of every
//! row, and the same steps run lane by lane, the sum term after term. Row
//! by row, such a row filled a fraction of one register and paid two
//! horizontal reductions; across the lanes a block of 16 rows of 10 costs
//! 10 exponentials. A narrow row is summed in that order wherever it is
//! (alone or in a block of any size), so its result does not depend on
//! its batch. The `e^x` is exp.rs's; `x - max ≤ 0`, and `-inf` entries
//! give 0.

use super::exp::{ExpConstants, exp_up_to_max};
use super::vector::{Elementwise, Lane, Vector, map_in_place};

/// The widest rows normalised across the lanes.
pub(crate) const NARROW: usize = 16;

/// The most lanes of any register (`f32` in AVX-512).
const MAX_LANES: usize = 16;

/// Normalises each row of `width` values of the row-major `values`
/// (`values.len()` a multiple of `width`) in place.
#[inline(always)]
pub(crate) fn softmax_rows<V: Vector<Scalar: ExpConstants>>(
    values: &mut [V::Scalar],
    width: usize,
) {
    if width == 0 {
        return;
    }
    if width <= NARROW {
        values
            .chunks_mut(V::LANES * width)
            .for_each(|block| across_lanes::<V>(block, width));
    } else {
        values.chunks_exact_mut(width).for_each(wide::<V>);
    }
}

/// Normalises up to `V::LANES` rows of `width ≤ NARROW` values, one row
/// per lane.
#[inline(always)]
fn across_lanes<V: Vector<Scalar: ExpConstants>>(block: &mut [V::Scalar], width: usize) {
    const { assert!(V::LANES <= MAX_LANES) };
    let lanes = V::LANES;
    // Column `j` of the block at `turned[j * lanes..]`; the lanes of
    // missing rows hold -inf and are never written back.
    let mut turned = [V::Scalar::NEG_INFINITY; NARROW * MAX_LANES];
    for (lane, row) in block.chunks_exact(width).enumerate() {
        for (j, &x) in row.iter().enumerate() {
            turned[j * lanes + lane] = x;
        }
    }
    let columns = &mut turned[..width * lanes];
    let mut max = V::splat(V::Scalar::NEG_INFINITY);
    for column in columns.chunks_exact(lanes) {
        // `max` returns its argument when `self` is NaN.
        max = V::load(column).max(max);
    }
    // A row without a finite maximum ends as NaN by the arithmetic alone:
    // `x - max` is NaN for `+inf - inf` and `-inf - -inf`, and then so is
    // the sum.
    let mut sum = V::splat(V::Scalar::from_f64(0.0));
    for column in columns.chunks_exact_mut(lanes) {
        let e = exp_up_to_max(V::load(column).sub(max));
        e.store(column);
        sum = sum.add(e);
    }
    let scale = V::splat(V::Scalar::from_f64(1.0)).div(sum);
    for column in columns.chunks_exact_mut(lanes) {
        V::load(column).mul(scale).store(column);
    }
    for (lane, row) in block.chunks_exact_mut(width).enumerate() {
        for (j, x) in row.iter_mut().enumerate() {
            *x = turned[j * lanes + lane];
        }
    }
}

/// Normalises one row wider than [`NARROW`] in place.
#[inline(always)]
fn wide<V: Vector<Scalar: ExpConstants>>(row: &mut [V::Scalar]) {
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

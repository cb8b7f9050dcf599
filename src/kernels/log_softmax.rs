//! Log-softmax of one row, with the semantics of
//! `activation/log_softmax.rs` (Keras's): `y_i = (x_i - m) - ln S` with
//! `m` the row's maximum and `S = Σ_j e^(x_j - m)`. A row holding NaN or
//! `+inf`, or only `-inf`, becomes all NaN; `-inf` entries give `-inf`.
//!
//! Three passes over the row: the maximum (softmax.rs's, NaN skipped: a
//! NaN then makes the sum, and so every entry, NaN), the sum, and the
//! output.
//!
//! # Accuracy
//!
//! `S ≥ 1` holds the term `e^0 = 1` of the maximum, so `ln S` computed
//! from a rounded `S` loses every digit of a small `ln S` (TensorFlow's
//! float32 `log_softmax([88, 89, 100])[2]` is 23 238 ULP off). So the sum
//! pass adds up only the terms below the maximum, `R = Σ_{x_j < m}
//! e^(x_j - m)`, and counts the ties `c` with `x_j = m`; then
//! `ln S = ln(1 + (c - 1 + R))` by `ln_1p`, once per row, in `f64` for an
//! `f32` row (so it is correctly rounded to within `R`'s own error).
//!
//! `y_i = (x_i - m) - ln S` adds two terms of the same sign (`x_i - m ≤ 0`,
//! `ln S ≥ 0`): no cancellation, and the relative error of `y_i` is at
//! most that of its worse term plus the last rounding. `x_i - m` rounds
//! once. `ln S` has the relative error of `R`, whose terms are `e^x` (≤ 1
//! ULP) of `d_j = x_j - m` rounded; that rounding, amplified by `|d_j|`
//! (`e^(d(1 + δ)) = e^d·e^(dδ)`), would put several ULP into a tiny
//! `ln S` dominated by a far term (4 ULP on the golden row
//! `[-8.34, 6.65, 14.78, -1.81, -15.03]`, more for larger `|d_j|`), so
//! each term is corrected by the exact rounding error `c_j` of
//! `d_j` (TwoSum, six operations): `e^(d_j + c_j) = e^(d_j)·(1 + c_j)`.
//! What remains is the summation's `(n - 1)·u` at worst (`u` the unit
//! roundoff; four accumulators of `n / (4·LANES)` terms in practice), so
//! the bound is `2 ULP + (n + 2)·u·ln S`: no fixed ULP bound holds for a
//! sum of `n` rounded terms. Measured: within 2 ULP of the exact values
//! on every golden row (tests/golden_row_activations.rs); `f32` within 2
//! ULP of an `f64` reference on 3 000 random rows of up to 1 100 entries
//! at scales up to 10^4, ties and `-inf` included, on every path
//! (kernels/tests/rows.rs).

use super::exp::{ExpConstants, exp_up_to_max};
use super::softmax::max_skipping_nan;
use super::vector::{Elementwise, Lane, Vector, map_in_place};

/// `ln S = ln(1 + (c - 1 + R))` from the count `c ≥ 1` of ties at the
/// maximum and the sum `R` of the other terms, once per row: in `f64` for
/// `f32` (rounded once), with `std`'s `ln_1p` for `f64`.
pub(crate) trait LogSumOfRow: Sized {
    fn log_sum(ties: Self, below: Self) -> Self;
}

impl LogSumOfRow for f32 {
    fn log_sum(ties: f32, below: f32) -> f32 {
        (f64::from(ties) - 1.0 + f64::from(below)).ln_1p() as f32
    }
}

impl LogSumOfRow for f64 {
    fn log_sum(ties: f64, below: f64) -> f64 {
        ((ties - 1.0) + below).ln_1p()
    }
}

/// Replaces `row` by its log-softmax, in place.
#[inline(always)]
pub(crate) fn log_softmax<V: Vector<Scalar: ExpConstants + LogSumOfRow>>(row: &mut [V::Scalar]) {
    let max = max_skipping_nan::<V>(row);
    if !max.is_finite() {
        // +inf, or no finite value at all: Keras gives NaN everywhere.
        row.fill(V::Scalar::NAN);
        return;
    }
    let (ties, below) = ties_and_sum_below::<V>(row, max);
    let log_sum = V::Scalar::log_sum(ties, below);
    map_in_place(
        row,
        ShiftedLog {
            max: V::splat(max),
            log_sum: V::splat(log_sum),
        },
    );
}

/// `(x - max) - log_sum`.
#[derive(Clone, Copy)]
struct ShiftedLog<V> {
    max: V,
    log_sum: V,
}

impl<V: Vector> Elementwise<V> for ShiftedLog<V> {
    #[inline(always)]
    fn apply(self, x: V) -> V {
        x.sub(self.max).sub(self.log_sum)
    }
}

/// The count of `x = max` and the sum of `e^(x - max)` over `x < max` (a
/// NaN makes the sum NaN).
#[inline(always)]
fn ties_and_sum_below<V: Vector<Scalar: ExpConstants>>(
    row: &[V::Scalar],
    max: V::Scalar,
) -> (V::Scalar, V::Scalar) {
    let max = V::splat(max);
    let zero = V::splat(V::Scalar::from_f64(0.0));
    let mut acc = [(zero, zero); 4];
    let mut blocks = row.chunks_exact(4 * V::LANES);
    for block in &mut blocks {
        for (acc, values) in acc.iter_mut().zip(block.chunks_exact(V::LANES)) {
            *acc = add_term(V::load(values), max, *acc);
        }
    }
    let mut vectors = blocks.remainder().chunks_exact(V::LANES);
    for values in &mut vectors {
        acc[0] = add_term(V::load(values), max, acc[0]);
    }
    let tail = vectors.remainder();
    if !tail.is_empty() {
        // The padding lanes hold -inf, whose e^(x - max) is 0.
        acc[0] = add_term(V::load_partial(tail, V::Scalar::NEG_INFINITY), max, acc[0]);
    }
    let [a, b, c, d] = acc;
    let ties = a.0.add(b.0).add(c.0.add(d.0)).reduce_add();
    let sum = a.1.add(b.1).add(c.1.add(d.1)).reduce_add();
    (ties, sum)
}

/// Adds `x` to the running `(ties, sum)` of [`ties_and_sum_below`]. (A
/// function, not a closure: closures do not inherit the caller's target
/// features, so the intrinsics would not inline.)
#[inline(always)]
fn add_term<V: Vector<Scalar: ExpConstants>>(x: V, max: V, (ties, sum): (V, V)) -> (V, V) {
    let zero = V::splat(V::Scalar::from_f64(0.0));
    let (d, error) = difference_and_error(x, max);
    // e^(d + error) = e^d · (1 + error), to far below an ULP. Where
    // `e^d` is 0 (`x = -inf`, or far below) the error may be NaN.
    let far = d.gt(V::splat(V::Scalar::EXP_MIN));
    let e = exp_up_to_max(d);
    let e = e.mul_add(V::select(far, error, zero), e);
    let tie = d.eq(zero);
    (
        ties.add(V::select(tie, V::splat(V::Scalar::from_f64(1.0)), zero)),
        sum.add(V::select(tie, zero, e)),
    )
}

/// `x - max` rounded, and its rounding error exactly (Knuth's TwoSum):
/// `x - max = d + error`.
#[inline(always)]
fn difference_and_error<V: Vector>(x: V, max: V) -> (V, V) {
    let d = x.sub(max);
    let x_part = d.add(max);
    let max_part = d.sub(x_part);
    let error = x.sub(x_part).sub(max.add(max_part));
    (d, error)
}

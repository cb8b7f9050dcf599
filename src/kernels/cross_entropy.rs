//! Softmax cross-entropy from logits, row by row, with its gradient when
//! training asks for it: the fused kernel of src/loss/softmax_cross_entropy.rs
//! for `f32` and `f64`.
//!
//! Rows go in blocks of at most [`BLOCK_ROWS`] rows (and about 4 096
//! logits), so that a block's `e^(z - m)` stays in L1 between its passes:
//!
//! 1. each row's maximum `m` (NaN skipped, as softmax.rs's) and
//!    `s = Σ e^(z - m)`, each `e^(z - m)` kept in the gradient's buffer
//!    when training (the value alone keeps none);
//! 2. `ln s` for the whole block's rows in one call of ln.rs's kernel;
//! 3. each row's loss: sparse `(m - z_label) + ln s`, dense
//!    `Σ ŷ·((m - z) + ln s)` with `ŷ = y·keep + add` the smoothed labels;
//!    with a gradient, `e ← (e/s·Σŷ - ŷ)·scale` (sparse: `Σŷ = 1`).
//!
//! A row narrower than a register is one (masked) load per pass,
//! so at 10 classes the per-row cost is a few horizontal reductions, not
//! loop overheads. The arithmetic is the row formulas': `z - m` is exact
//! and `e^(z - m) ≤ 1`, so huge logits (±1e4) stay exact; `e^x` and `ln x`
//! round within 1 ULP. A row holding `+inf`, or no finite logit, has a NaN
//! loss and gradient (its sum is NaN), as the softmax does; a NaN logit
//! makes its row NaN.

use super::exp::{ExpConstants, exp_up_to_max};
use super::ln::{Ln, LnConstants};
use super::log1p::LogConstants;
use super::softmax::max_skipping_nan;
use super::vector::{Lane, MAX_LANES, Vector, map_in_place};

/// The most rows in a block.
const BLOCK_ROWS: usize = 64;
/// About how many logits a block holds.
const BLOCK_LOGITS: usize = 4096;

/// The labels of a batch.
#[derive(Clone, Copy)]
pub(crate) enum Labels<'a, T> {
    /// One class index per row, each checked to be in range.
    Sparse(&'a [T]),
    /// One row of labels per row, smoothed as `y·keep + add`.
    Dense { labels: &'a [T], keep: T, add: T },
}

/// The kernel's type: `logits` (row-major, `values.len()` rows), their
/// labels, each row's loss into `values`, and with `(gradient, scale)`
/// `scale · ∂loss/∂z` into `gradient` (the logits' shape).
pub(crate) type Rows<T> = fn(&[T], Labels<'_, T>, &mut [T], Option<(&mut [T], T)>);

/// See the module.
#[inline(always)]
pub(crate) fn rows<V>(
    logits: &[V::Scalar],
    labels: Labels<'_, V::Scalar>,
    values: &mut [V::Scalar],
    gradient: Option<(&mut [V::Scalar], V::Scalar)>,
) where
    V: Vector<Scalar: ExpConstants + LogConstants + LnConstants>,
{
    let rows = values.len();
    if rows == 0 || logits.is_empty() {
        return;
    }
    let classes = logits.len() / rows;
    let block_rows = (BLOCK_LOGITS / classes).clamp(1, BLOCK_ROWS);
    let block = block_rows * classes;
    let (mut exps, scale) = match gradient {
        Some((buffer, scale)) => (Some(buffer), scale),
        None => (None, V::Scalar::NAN),
    };
    for (index, (z, values)) in logits
        .chunks(block)
        .zip(values.chunks_mut(block_rows))
        .enumerate()
    {
        let gradient = exps
            .as_mut()
            .map(|buffer| (&mut buffer[index * block..][..z.len()], scale));
        let first = index * block_rows;
        let labels = match labels {
            Labels::Sparse(all) => Labels::Sparse(&all[first..][..values.len()]),
            Labels::Dense { labels, keep, add } => Labels::Dense {
                labels: &labels[first * classes..][..z.len()],
                keep,
                add,
            },
        };
        let block = Block { classes, logits: z };
        match gradient {
            Some((e, scale)) => block.run::<V, _>(labels, Store(e), values, scale),
            None => block.run::<V, _>(labels, Discard, values, scale),
        }
    }
}

/// A block of rows' logits.
struct Block<'a, T> {
    classes: usize,
    logits: &'a [T],
}

impl<S: Lane + ExpConstants + LogConstants + LnConstants> Block<'_, S> {
    /// Steps 1 to 3 of the module into `values`; `e` keeps the block's
    /// exponentials and becomes the gradient (scaled by `scale`) when it
    /// is a [`Store`].
    #[inline(always)]
    fn run<V: Vector<Scalar = S>, E: Exponentials<S>>(
        &self,
        labels: Labels<'_, S>,
        mut e: E,
        values: &mut [S],
        scale: S,
    ) {
        let c = self.classes;
        let rows = values.len();
        let mut sums = [S::NAN; BLOCK_ROWS];
        let mut log_sums = [S::NAN; BLOCK_ROWS];
        for (r, ((z, max), sum)) in self
            .logits
            .chunks_exact(c)
            .zip(values.iter_mut())
            .zip(&mut sums)
            .enumerate()
        {
            (*max, *sum) = exp_shifted_sum::<V>(z, e.row(r, c));
        }
        log_sums[..rows].copy_from_slice(&sums[..rows]);
        map_in_place::<V>(&mut log_sums[..rows], Ln);
        let parts = values.iter_mut().zip(sums.iter().zip(&log_sums));
        let rows = self.logits.chunks_exact(c).enumerate();
        match labels {
            Labels::Sparse(classes) => {
                for (((r, z), &label), (value, (&sum, &log_sum))) in rows.zip(classes).zip(parts) {
                    let label = label.to_index().min(c - 1);
                    *value = (*value - z[label]) + log_sum;
                    if let Some(e) = e.row(r, c) {
                        sparse_gradient::<V>(e, label, sum, scale);
                    }
                }
            }
            Labels::Dense { labels, keep, add } => {
                let smooth = Smoothing {
                    keep: V::splat(keep),
                    add: V::splat(add),
                };
                let tail = tail_lanes::<V>(c);
                for (((r, z), y), (value, (&sum, &log_sum))) in
                    rows.zip(labels.chunks_exact(c)).zip(parts)
                {
                    let (loss, total) = dense_loss::<V>([y, z], *value, log_sum, smooth, tail);
                    *value = loss;
                    if let Some(e) = e.row(r, c) {
                        dense_gradient::<V>(e, y, [sum, total, scale], smooth);
                    }
                }
            }
        }
    }
}

/// Where a block's `e^(z - m)` go: kept for the gradient, or not at all.
trait Exponentials<S> {
    /// Row `r` (of `classes` values) of the kept exponentials.
    fn row(&mut self, r: usize, classes: usize) -> Option<&mut [S]>;
}

/// Kept in the gradient's buffer.
struct Store<'a, S>(&'a mut [S]);

impl<S> Exponentials<S> for Store<'_, S> {
    #[inline(always)]
    fn row(&mut self, r: usize, classes: usize) -> Option<&mut [S]> {
        Some(&mut self.0[r * classes..][..classes])
    }
}

/// Not kept: the value alone needs only their sums.
struct Discard;

impl<S> Exponentials<S> for Discard {
    #[inline(always)]
    fn row(&mut self, _: usize, _: usize) -> Option<&mut [S]> {
        None
    }
}

/// A row's maximum `m` (NaN skipped, `-inf` if there is none) and
/// `Σ e^(z - m)`, storing each `e^(z - m)` in `e` when it is given; the sum
/// is NaN when `m` is not finite. A row narrower than a register is one
/// (masked) load.
#[inline(always)]
fn exp_shifted_sum<V: Vector<Scalar: ExpConstants>>(
    z: &[V::Scalar],
    e: Option<&mut [V::Scalar]>,
) -> (V::Scalar, V::Scalar) {
    let lowest = V::splat(V::Scalar::NEG_INFINITY);
    if z.len() < V::LANES {
        let x = V::load_partial(z, V::Scalar::NEG_INFINITY);
        // `max` returns its argument where `x` is NaN.
        let max = x.max(lowest).reduce_max();
        if !max.is_finite() {
            return (max, V::Scalar::NAN);
        }
        let exps = exp_up_to_max(x.sub(V::splat(max)));
        if let Some(e) = e {
            exps.store_partial(e);
        }
        return (max, exps.reduce_add());
    }
    let max = max_skipping_nan::<V>(z);
    if !max.is_finite() {
        return (max, V::Scalar::NAN);
    }
    (max, exp_shifted_into::<V>(z, e, max))
}

/// `Σ e^(z - max)` over one row (`z ≤ max`, NaN or `-inf`), storing the
/// terms in `e` when it is given. (softmax.rs's `exp_shifted_and_sum`
/// works in place; here the logits stay, and reading them instead of a
/// fresh copy spares a store-to-load stall per row.)
#[inline(always)]
fn exp_shifted_into<V: Vector<Scalar: ExpConstants>>(
    z: &[V::Scalar],
    mut e: Option<&mut [V::Scalar]>,
    max: V::Scalar,
) -> V::Scalar {
    let max = V::splat(max);
    let mut sum = V::splat(V::Scalar::from_f64(0.0));
    let mut zs = z.chunks_exact(V::LANES);
    for (i, z) in (&mut zs).enumerate() {
        let x = exp_up_to_max(V::load(z).sub(max));
        if let Some(e) = e.as_deref_mut() {
            x.store(&mut e[i * V::LANES..]);
        }
        sum = sum.add(x);
    }
    let z = zs.remainder();
    if !z.is_empty() {
        // The padding lanes hold -inf, whose e^(x - max) is 0.
        let x = exp_up_to_max(V::load_partial(z, V::Scalar::NEG_INFINITY).sub(max));
        if let Some(e) = e {
            let start = e.len() - z.len();
            x.store_partial(&mut e[start..]);
        }
        sum = sum.add(x);
    }
    sum.reduce_add()
}

/// The lanes of a row's last register that hold its values, for rows of
/// `classes` values (all lanes when the row fills its registers).
#[inline(always)]
fn tail_lanes<V: Vector>(classes: usize) -> V::Mask {
    let mut index = [V::Scalar::NAN; MAX_LANES];
    for (i, lane) in index.iter_mut().enumerate() {
        *lane = V::Scalar::from_f64(i as f64);
    }
    let used = match classes % V::LANES {
        0 => V::LANES,
        tail => tail,
    };
    V::load(&index).lt(V::splat(V::Scalar::from_f64(used as f64)))
}

/// `ŷ = y·keep + add`.
#[derive(Clone, Copy)]
struct Smoothing<V> {
    keep: V,
    add: V,
}

impl<V: Vector> Smoothing<V> {
    #[inline(always)]
    fn apply(self, y: V) -> V {
        y.mul_add(self.keep, self.add)
    }
}

/// `(Σ ŷ·((m - z) + ln s), Σ ŷ)` of one row; `tail` marks the lanes of
/// its last, partial register that hold labels.
#[inline(always)]
fn dense_loss<V: Vector>(
    [y, z]: [&[V::Scalar]; 2],
    max: V::Scalar,
    log_sum: V::Scalar,
    smooth: Smoothing<V>,
    tail: V::Mask,
) -> (V::Scalar, V::Scalar) {
    let zero = V::splat(V::Scalar::from_f64(0.0));
    let shift = V::splat(max);
    let log_sum = V::splat(log_sum);
    let mut sums = (zero, zero);
    let (mut ys, mut zs) = (y.chunks_exact(V::LANES), z.chunks_exact(V::LANES));
    for (y, z) in (&mut ys).zip(&mut zs) {
        let y = smooth.apply(V::load(y));
        sums = add_label_term(sums, y, shift.sub(V::load(z)).add(log_sum));
    }
    let (y, z) = (ys.remainder(), zs.remainder());
    if !y.is_empty() {
        // Padding lanes: ŷ = 0 and z = m, so they add nothing.
        let y = V::select(
            tail,
            smooth.apply(V::load_partial(y, V::Scalar::from_f64(0.0))),
            zero,
        );
        let z = V::load_partial(z, max);
        sums = add_label_term(sums, y, shift.sub(z).add(log_sum));
    }
    (sums.0.reduce_add(), sums.1.reduce_add())
}

/// `(loss + ŷ·t, total + ŷ)`. (A function, not a closure: closures do not
/// inherit the caller's target features.)
#[inline(always)]
fn add_label_term<V: Vector>((loss, total): (V, V), y: V, t: V) -> (V, V) {
    (y.mul_add(t, loss), total.add(y))
}

/// `e ← (e/s·Σŷ - ŷ)·scale` over one row.
#[inline(always)]
fn dense_gradient<V: Vector>(
    e: &mut [V::Scalar],
    y: &[V::Scalar],
    [sum, total, scale]: [V::Scalar; 3],
    smooth: Smoothing<V>,
) {
    let (sum, total, scale) = (V::splat(sum), V::splat(total), V::splat(scale));
    let mut es = e.chunks_exact_mut(V::LANES);
    let mut ys = y.chunks_exact(V::LANES);
    for (e, y) in (&mut es).zip(&mut ys) {
        dense_slope(V::load(e), smooth.apply(V::load(y)), sum, total, scale).store(e);
    }
    let (e, y) = (es.into_remainder(), ys.remainder());
    if !e.is_empty() {
        let zero = V::Scalar::from_f64(0.0);
        let y = smooth.apply(V::load_partial(y, zero));
        dense_slope(V::load_partial(e, zero), y, sum, total, scale).store_partial(e);
    }
}

/// `(e/s·Σŷ - ŷ)·scale`.
#[inline(always)]
fn dense_slope<V: Vector>(e: V, y: V, sum: V, total: V, scale: V) -> V {
    e.div(sum).mul(total).sub(y).mul(scale)
}

/// `e ← (softmax - onehot(label))·scale` from `e = e^(z - m)` and its sum.
#[inline(always)]
fn sparse_gradient<V: Vector>(e: &mut [V::Scalar], label: usize, sum: V::Scalar, scale: V::Scalar) {
    let at_label = (e[label] / sum - V::Scalar::from_f64(1.0)) * scale;
    let (sum, scale) = (V::splat(sum), V::splat(scale));
    let mut es = e.chunks_exact_mut(V::LANES);
    for e in &mut es {
        V::load(e).div(sum).mul(scale).store(e);
    }
    let tail = es.into_remainder();
    if !tail.is_empty() {
        let zero = V::Scalar::from_f64(0.0);
        V::load_partial(tail, zero)
            .div(sum)
            .mul(scale)
            .store_partial(tail);
    }
    e[label] = at_label;
}

/// The first row of `labels` (rows of `classes`) that is not a
/// probability distribution: a value outside `[0, 1]` (or NaN), or a sum
/// further than `tolerance` from 1. The loss's label check runs this
/// first and describes the row it names.
#[inline(always)]
pub(crate) fn first_bad_probability_row<V: Vector>(
    labels: &[V::Scalar],
    classes: usize,
    tolerance: V::Scalar,
) -> Option<usize> {
    let zero = V::splat(V::Scalar::from_f64(0.0));
    let one = V::Scalar::from_f64(1.0);
    let (low, high) = (one - tolerance, one + tolerance);
    labels.chunks_exact(classes.max(1)).position(|row| {
        let (mut sum, mut bad) = (zero, zero);
        let mut values = row.chunks_exact(V::LANES);
        for values in &mut values {
            (sum, bad) = add_probabilities(V::load(values), sum, bad);
        }
        let tail = values.remainder();
        if !tail.is_empty() {
            let padded = V::load_partial(tail, V::Scalar::from_f64(0.0));
            (sum, bad) = add_probabilities(padded, sum, bad);
        }
        let sum = sum.reduce_add();
        V::any(bad.gt(zero)) || !(sum >= low && sum <= high)
    })
}

/// `sum + values`, and `bad` raised to 1 in the lanes where a value is
/// outside `[0, 1]` or NaN.
#[inline(always)]
fn add_probabilities<V: Vector>(values: V, sum: V, bad: V) -> (V, V) {
    let zero = V::splat(V::Scalar::from_f64(0.0));
    let one = V::splat(V::Scalar::from_f64(1.0));
    let above = V::select(values.gt_or_nan(one), one, zero);
    let below = V::select(zero.gt(values), one, zero);
    (sum.add(values), bad.max(above).max(below))
}

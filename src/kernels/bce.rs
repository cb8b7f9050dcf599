//! Binary cross-entropy summed over rows, in one pass over the labels and
//! values that checks every label and sums every element's loss in
//! registers, storing nothing (per element only for rows of one value).
//!
//! - From probabilities ([`Probabilities`]): `p` clipped to `[ε, 1 - ε]`,
//!   `ε` from the caller (the loss's Keras `epsilon()`; `min` and `max` return their second operand when it is NaN, so a NaN
//!   `p` passes), then `-(y·ln p + (1 - y)·ln(1 - p))` with ln.rs's
//!   logarithm of positive normal numbers (`1 - p ≥ ε` too), 1 ULP each.
//!   A register whose labels are all 0 or 1 (`y·(1 - y) = 0`, the usual
//!   case) takes one logarithm, of `p` or `1 - p` per lane: the same
//!   bits, at half the cost. The logarithm reads the bits of a NaN as a
//!   number, so a NaN `p` is put back at the end.
//! - From logits ([`Logits`]): `max(z, 0) - z·y + ln(1 + e)` with
//!   `e = e^-|z| ∈ [0, 1]` by exp.rs (`-|z| ≤ 0` never overflows), and
//!   `ln(1 + e)` by [`UnitLog1p`]: for `f32` a polynomial, without the
//!   division, the exponent split and the special cases of a general
//!   `log1p`; for `f64` log1p.rs's. The terms are all `≥ 0` for labels in
//!   `[0, 1]` (`max(z, 0) - z·y` is `z·(1 - y)` or `-z·y`), so nothing
//!   cancels. Bound: the `f32` loss of one element
//!   is within 2^-22 of the exact loss, relative (results below the
//!   smallest normal number: within two subnormal steps). Measured on every
//!   `f32` logit with labels 0, 1 and 0.3: at most 1.59·2^-23 on AVX-512
//!   and AVX2, 1.89·2^-23 on the portable path (no FMA).
//!   `e`'s error (1 ULP) dominates; the polynomial adds about 0.2 ULP.
//! - Labels: `y ∈ [0, 1]` exactly when `min(y, 1 - y) ≥ 0` (`1 - y` is
//!   negative for every `y > 1`, exact just above 1, and the minimum of
//!   NaN is NaN), one comparison per register; a register with a label out
//!   of range is searched lane by lane for the first one.
//!
//! Sums are kept per lane in `UNROLL` registers (independent chains, and
//! fewer terms per partial sum than a running sum), added up at the end of
//! each row.

use super::exp::{ExpConstants, exp_up_to_max};
use super::ln::ln_normal;
use super::log1p::{LogConstants, log1p_unit};
use super::vector::{Lane, MAX_LANES, MAX_UNROLL, Vector, horner, splat};

/// A kernel: the loss summed over each of `sums.len()` equal rows of
/// `labels` and `values`, into `sums`, or the index of the first label
/// outside `[0, 1]`.
pub(crate) type RowSums<T> = fn(&[T], &[T], &mut [T]) -> Result<(), usize>;

/// A [`RowSums`] kernel that also takes `ε`, the lower clip bound of the
/// values (the upper is `1 - ε`).
pub(crate) type ClippedRowSums<T> = fn(&[T], &[T], &mut [T], T) -> Result<(), usize>;

/// A loss of one register of labels and one of values, lane by lane.
/// A trait for the reason given at
/// [`Elementwise`](super::vector::Elementwise).
pub(crate) trait PairLoss<V: Vector>: Copy {
    fn apply(self, labels: V, values: V) -> V;
}

/// Keras's binary cross-entropy of probabilities, clipped to `[ε, 1 - ε]`.
#[derive(Clone, Copy)]
pub(crate) struct Probabilities<V> {
    /// `ε` in every lane.
    pub(crate) epsilon: V,
}

impl<V: Vector<Scalar: ExpConstants + LogConstants>> PairLoss<V> for Probabilities<V> {
    #[inline(always)]
    fn apply(self, y: V, p: V) -> V {
        let one = splat::<V>(1.0);
        let low = self.epsilon;
        let p = one.sub(low).min(low.max(p));
        let (q, one_minus_y) = (one.sub(p), one.sub(y));
        let loss = if V::any(y.mul(one_minus_y).gt(splat(0.0))) {
            let q_term = one_minus_y.neg_mul_add(ln_normal(q), splat(0.0));
            y.neg_mul_add(ln_normal(p), q_term)
        } else {
            // Labels 0 and 1 only: one term is an exact 0, the other the
            // logarithm of `p` or of `1 - p`, so one logarithm gives the
            // same bits.
            splat::<V>(0.0).sub(ln_normal(V::select(y.eq(one), p, q)))
        };
        V::select(p.eq(p), loss, p)
    }
}

/// Binary cross-entropy of logits, without clipping.
#[derive(Clone, Copy)]
pub(crate) struct Logits;

impl<V: Vector<Scalar: ExpConstants + UnitLog1p>> PairLoss<V> for Logits {
    #[inline(always)]
    fn apply(self, y: V, z: V) -> V {
        let zero = splat::<V>(0.0);
        let e = exp_up_to_max(z.or_sign(splat(-0.0)));
        z.neg_mul_add(y, z.max(zero)).add(V::Scalar::unit_log1p(e))
    }
}

/// `ln(1 + e)` for `e = e^-|z| ∈ [0, 1]` (or NaN), the softplus term of
/// [`Logits`], by the cheapest means accurate enough for each type.
pub(crate) trait UnitLog1p: Lane {
    fn unit_log1p<V: Vector<Scalar = Self>>(e: V) -> V;
}

/// `Q`, lowest degree first: `ln(1 + e) ≈ e - e²·Q(e)` on `[0, 1]`.
const F32_UNIT_LOG1P_POLY: [f32; 9] = [
    4.999_999_7e-1,
    -3.333_284_3e-1,
    2.498_647_1e-1,
    -1.985_316_4e-1,
    1.584_203e-1,
    -1.154_632_8e-1,
    6.653_239e-2,
    -2.506_047_3e-2,
    4.419_272_3e-3,
];

impl UnitLog1p for f32 {
    /// `e - e·(e·Q(e))`: the exact `e` leads, and `e²·Q ≤ 0.31` is at most
    /// 0.44 of the result, so `Q`'s error (2^-24 relative, the fit with
    /// its coefficients rounded to `f32`) and its rounding reach the result
    /// scaled by 0.44 or less. No division and no exponent split.
    #[inline(always)]
    fn unit_log1p<V: Vector<Scalar = f32>>(e: V) -> V {
        let e_q = e.mul(horner(e, &F32_UNIT_LOG1P_POLY));
        e_q.neg_mul_add(e, e)
    }
}

impl UnitLog1p for f64 {
    /// log1p.rs's `ln(1 + x)` for `x ∈ [0, 1]`: a polynomial in `e` would
    /// need degree 19 for `f64`.
    #[inline(always)]
    fn unit_log1p<V: Vector<Scalar = f64>>(e: V) -> V {
        log1p_unit(e)
    }
}

/// `sums[i]` = the sum of `loss` over row `i`, for `labels` and `values`
/// made of `sums.len()` rows of equal positive width; or the index of the
/// first label outside `[0, 1]` (then `sums` holds partial results).
#[inline(always)]
pub(crate) fn row_sums<V: Vector>(
    labels: &[V::Scalar],
    values: &[V::Scalar],
    sums: &mut [V::Scalar],
    loss: impl PairLoss<V>,
) -> Result<(), usize> {
    assert!(
        labels.len() == values.len() && !sums.is_empty() && labels.len() % sums.len() == 0,
        "rows of labels and values, one sum per row"
    );
    let width = labels.len() / sums.len();
    if width == 1 {
        return losses(labels, values, sums, loss);
    }
    for (row, ((labels, values), sum)) in labels
        .chunks_exact(width)
        .zip(values.chunks_exact(width))
        .zip(sums)
        .enumerate()
    {
        *sum = row_sum(labels, values, loss).map_err(|index| row * width + index)?;
    }
    Ok(())
}

/// The sum of `loss` over one row.
#[inline(always)]
fn row_sum<V: Vector>(
    labels: &[V::Scalar],
    values: &[V::Scalar],
    loss: impl PairLoss<V>,
) -> Result<V::Scalar, usize> {
    let block = V::UNROLL * V::LANES;
    let blocked = labels.len() - labels.len() % block;
    let mut sums = [splat::<V>(0.0); MAX_UNROLL];
    for (i, (labels, values)) in labels[..blocked]
        .chunks_exact(block)
        .zip(values[..blocked].chunks_exact(block))
        .enumerate()
    {
        for (j, sum) in sums[..V::UNROLL].iter_mut().enumerate() {
            let lanes = j * V::LANES..(j + 1) * V::LANES;
            let (labels, values) = (&labels[lanes.clone()], &values[lanes.clone()]);
            check_register::<V>(labels, i * block + lanes.start)?;
            *sum = sum.add(register_loss(labels, values, loss));
        }
    }
    let (labels, values) = (&labels[blocked..], &values[blocked..]);
    let whole = labels.len() - labels.len() % V::LANES;
    for (i, (labels, values)) in labels[..whole]
        .chunks_exact(V::LANES)
        .zip(values[..whole].chunks_exact(V::LANES))
        .enumerate()
    {
        check_register::<V>(labels, blocked + i * V::LANES)?;
        sums[0] = sums[0].add(register_loss(labels, values, loss));
    }
    let (labels, values) = (&labels[whole..], &values[whole..]);
    check_partial::<V>(labels, blocked + whole)?;
    let tail = tail_loss(labels, values, loss);
    let total = sums[..V::UNROLL]
        .iter()
        .fold(tail, |total, &sum| total.add(sum));
    Ok(total.reduce_add())
}

/// The loss of fewer than `LANES` elements in the low lanes, 0 in the
/// others.
#[inline(always)]
fn tail_loss<V: Vector>(labels: &[V::Scalar], values: &[V::Scalar], loss: impl PairLoss<V>) -> V {
    let zero = V::Scalar::from_f64(0.0);
    let mut lanes = [zero; MAX_LANES];
    if !labels.is_empty() {
        partial_loss(labels, values, loss).store_partial(&mut lanes[..labels.len()]);
    }
    V::load(&lanes)
}

/// `out[i]` = the loss of element `i`.
#[inline(always)]
fn losses<V: Vector>(
    labels: &[V::Scalar],
    values: &[V::Scalar],
    out: &mut [V::Scalar],
    loss: impl PairLoss<V>,
) -> Result<(), usize> {
    let whole = labels.len() - labels.len() % V::LANES;
    for (i, ((labels, values), out)) in labels[..whole]
        .chunks_exact(V::LANES)
        .zip(values[..whole].chunks_exact(V::LANES))
        .zip(out.chunks_exact_mut(V::LANES))
        .enumerate()
    {
        check_register::<V>(labels, i * V::LANES)?;
        register_loss(labels, values, loss).store(out);
    }
    if whole < labels.len() {
        let (labels, values) = (&labels[whole..], &values[whole..]);
        check_partial::<V>(labels, whole)?;
        partial_loss(labels, values, loss).store_partial(&mut out[whole..]);
    }
    Ok(())
}

// The checks and the losses are separate functions, and no `Result`
// holds a register: in `Result<[f32; 4], usize>` the error overlaps lanes
// 1 and 2, and the portable path's register was then split into an `f32`,
// an `i64` and an `f32`, which the compiler could not vectorize (the
// from-logits loss ran lane by lane, 8 times slower than AVX2).

/// Checks the labels of one register; `offset` is the index of the first.
#[inline(always)]
fn check_register<V: Vector>(labels: &[V::Scalar], offset: usize) -> Result<(), usize> {
    check_labels(V::load(labels), labels, offset)
}

/// [`check_register`] for fewer than `LANES` labels.
#[inline(always)]
fn check_partial<V: Vector>(labels: &[V::Scalar], offset: usize) -> Result<(), usize> {
    let y = V::load_partial(labels, V::Scalar::from_f64(0.0));
    check_labels(y, labels, offset)
}

/// The loss of one register.
#[inline(always)]
fn register_loss<V: Vector>(
    labels: &[V::Scalar],
    values: &[V::Scalar],
    loss: impl PairLoss<V>,
) -> V {
    loss.apply(V::load(labels), V::load(values))
}

/// [`register_loss`] of fewer than `LANES` elements, in the low lanes; the
/// others hold the loss of a label 0 and a value 0.5.
#[inline(always)]
fn partial_loss<V: Vector>(
    labels: &[V::Scalar],
    values: &[V::Scalar],
    loss: impl PairLoss<V>,
) -> V {
    let y = V::load_partial(labels, V::Scalar::from_f64(0.0));
    loss.apply(y, V::load_partial(values, V::Scalar::from_f64(0.5)))
}

/// `Err(offset + i)` for the first `labels[i]` outside `[0, 1]`, where `y`
/// holds `labels` in its low lanes and labels in range in the others.
#[inline(always)]
fn check_labels<V: Vector>(y: V, labels: &[V::Scalar], offset: usize) -> Result<(), usize> {
    let lowest = y.min(splat::<V>(1.0).sub(y));
    if V::any(splat::<V>(0.0).gt_or_nan(lowest))
        && let Some(index) = first_outside(labels)
    {
        return Err(offset + index);
    }
    Ok(())
}

/// The index of the first label outside `[0, 1]`, lane by lane: cold and
/// out of line, so that the loss's loop holds only the vector check.
#[cold]
#[inline(never)]
fn first_outside<T: Lane>(labels: &[T]) -> Option<usize> {
    labels.iter().position(|&y| !is_label(y))
}

/// `0 ≤ y ≤ 1`, false for NaN.
fn is_label<T: Lane>(y: T) -> bool {
    y >= T::from_f64(0.0) && y <= T::from_f64(1.0)
}

/// The index of the first label outside `[0, 1]` (or NaN).
#[inline(always)]
pub(crate) fn first_bad_label<V: Vector>(labels: &[V::Scalar]) -> Option<usize> {
    let whole = labels.len() - labels.len() % V::LANES;
    let vectors = labels[..whole].chunks_exact(V::LANES).enumerate();
    for (i, labels) in vectors {
        if let Err(index) = check_labels(V::load(labels), labels, i * V::LANES) {
            return Some(index);
        }
    }
    let tail = &labels[whole..];
    let y = V::load_partial(tail, V::Scalar::from_f64(0.0));
    check_labels(y, tail, whole).err()
}

//! Mean squared and mean absolute error over whole batches: the sum of
//! `(p - y)²` or `|p - y|` over every element, and the gradient
//! `scale · 2(p - y)` or `scale · sign(p - y)` of every element. Two
//! slices are read once, in the blocks of [`map_in_place`]'s loop, with
//! the same prefetch: at 1 M values the work is memory traffic, which the
//! portable loop (SSE2 in the user's crate, two `f32` sums per cycle at
//! best) did not reach.
//!
//! The gradients are bit for bit the scalar formulas of src/loss/
//! (`(e + e)·scale`, `sign(e)·scale` with `sign(0) = 0` and NaN kept).
//! The sums are kept per lane in `UNROLL` registers and added up at the
//! end: another order of additions than the scalar loop's, so the two
//! means differ in the last bits (as the fused binary cross-entropy's do).
//!
//! [`map_in_place`]: super::vector::map_in_place

use super::bce::PairLoss;
use super::vector::{Lane, MAX_UNROLL, Vector, prefetch_ahead, splat};

/// `(p - y)²`.
#[derive(Clone, Copy)]
pub(crate) struct SquaredError;

impl<V: Vector> PairLoss<V> for SquaredError {
    #[inline(always)]
    fn apply(self, y: V, p: V) -> V {
        let e = p.sub(y);
        e.mul(e)
    }
}

/// `|p - y|`.
#[derive(Clone, Copy)]
pub(crate) struct AbsoluteError;

impl<V: Vector> PairLoss<V> for AbsoluteError {
    #[inline(always)]
    fn apply(self, y: V, p: V) -> V {
        p.sub(y).abs()
    }
}

/// `(e + e) · scale`, the squared error's slope scaled.
#[derive(Clone, Copy)]
pub(crate) struct SquaredErrorSlope<V> {
    pub(crate) scale: V,
}

impl<V: Vector> PairLoss<V> for SquaredErrorSlope<V> {
    #[inline(always)]
    fn apply(self, y: V, p: V) -> V {
        let e = p.sub(y);
        e.add(e).mul(self.scale)
    }
}

/// `sign(e) · scale`, the absolute error's slope scaled: TensorFlow's
/// gradient of `|e|` is 0 at 0; a NaN error stays NaN.
#[derive(Clone, Copy)]
pub(crate) struct AbsoluteErrorSlope<V> {
    pub(crate) scale: V,
}

impl<V: Vector> PairLoss<V> for AbsoluteErrorSlope<V> {
    #[inline(always)]
    fn apply(self, y: V, p: V) -> V {
        let (e, zero) = (p.sub(y), splat::<V>(0.0));
        let sign = V::select(e.eq(zero), zero, splat::<V>(1.0).or_sign(e));
        V::select(e.eq(e), sign, e).mul(self.scale)
    }
}

/// `Σ loss(y_i, p_i)` over two slices of the same length.
#[inline(always)]
pub(crate) fn pair_sum<V: Vector>(
    labels: &[V::Scalar],
    values: &[V::Scalar],
    loss: impl PairLoss<V>,
) -> V::Scalar {
    let n = labels.len().min(values.len());
    let (labels, values) = (&labels[..n], &values[..n]);
    let block = V::UNROLL * V::LANES;
    let mut sums = [splat::<V>(0.0); MAX_UNROLL];
    let (mut y_blocks, mut p_blocks) = (labels.chunks_exact(block), values.chunks_exact(block));
    for (y, p) in (&mut y_blocks).zip(&mut p_blocks) {
        prefetch_ahead(y);
        prefetch_ahead(p);
        for (j, sum) in sums[..V::UNROLL].iter_mut().enumerate() {
            let lanes = j * V::LANES..(j + 1) * V::LANES;
            let term = loss.apply(V::load(&y[lanes.clone()]), V::load(&p[lanes]));
            *sum = sum.add(term);
        }
    }
    let (y_rest, p_rest) = (y_blocks.remainder(), p_blocks.remainder());
    let (mut y_vectors, mut p_vectors) =
        (y_rest.chunks_exact(V::LANES), p_rest.chunks_exact(V::LANES));
    for (y, p) in (&mut y_vectors).zip(&mut p_vectors) {
        sums[0] = sums[0].add(loss.apply(V::load(y), V::load(p)));
    }
    let (y_tail, p_tail) = (y_vectors.remainder(), p_vectors.remainder());
    if !y_tail.is_empty() {
        // Equal fills give a zero error, and every loss here is 0 there.
        let zero = V::Scalar::from_f64(0.0);
        let term = loss.apply(V::load_partial(y_tail, zero), V::load_partial(p_tail, zero));
        sums[0] = sums[0].add(term);
    }
    sums[..V::UNROLL]
        .iter()
        .fold(splat::<V>(0.0), |total, &sum| total.add(sum))
        .reduce_add()
}

/// `out[i] = loss(y_i, p_i)` for three slices of the same length.
#[inline(always)]
pub(crate) fn pair_map<V: Vector>(
    labels: &[V::Scalar],
    values: &[V::Scalar],
    out: &mut [V::Scalar],
    loss: impl PairLoss<V>,
) {
    let n = labels.len().min(values.len()).min(out.len());
    let (labels, values, out) = (&labels[..n], &values[..n], &mut out[..n]);
    let block = V::UNROLL * V::LANES;
    let mut out_blocks = out.chunks_exact_mut(block);
    let pairs = labels.chunks_exact(block).zip(values.chunks_exact(block));
    for ((y, p), out) in pairs.zip(&mut out_blocks) {
        prefetch_ahead(y);
        prefetch_ahead(p);
        prefetch_ahead(out);
        for ((y, p), out) in y
            .chunks_exact(V::LANES)
            .zip(p.chunks_exact(V::LANES))
            .zip(out.chunks_exact_mut(V::LANES))
        {
            loss.apply(V::load(y), V::load(p)).store(out);
        }
    }
    let start = n - out_blocks.into_remainder().len();
    let (labels, values, out) = (&labels[start..], &values[start..], &mut out[start..]);
    let mut out_vectors = out.chunks_exact_mut(V::LANES);
    let pairs = labels
        .chunks_exact(V::LANES)
        .zip(values.chunks_exact(V::LANES));
    for ((y, p), out) in pairs.zip(&mut out_vectors) {
        loss.apply(V::load(y), V::load(p)).store(out);
    }
    let tail = out_vectors.into_remainder();
    let at = labels.len() - tail.len();
    if !tail.is_empty() {
        let zero = V::Scalar::from_f64(0.0);
        let (y, p) = (
            V::load_partial(&labels[at..], zero),
            V::load_partial(&values[at..], zero),
        );
        loss.apply(y, p).store_partial(tail);
    }
}

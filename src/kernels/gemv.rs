//! The product of one row and a matrix, `out ← x · W` (or `out + x · W`),
//! with `W` row-major `(k, n)` as Keras stores a kernel: the rows of `W`,
//! each scaled by its `x[p]`, are accumulated into registers that span a
//! block of output columns, so `W` is read once, in order, and nothing is
//! packed. A one-row product through `gemm` pays its set-up (packing,
//! blocking decisions) for about as much arithmetic; this kernel pays none.
//!
//! Column blocks of 8, 4, 2 and 1 registers, then one partial register for
//! the last columns. Every block keeps 8 accumulator registers busy, so the
//! multiply-adds never wait on each other: a block of `N` registers splits
//! the rows of `W` into `8 / N` interleaved chains (row `p` into chain
//! `p mod chains`), summed at the end in chain order. The order of the
//! sum depends only on `k`, `n` and the instruction set, never on the data
//! or the thread, so results are reproducible; it differs from `gemm`'s in
//! the last bits.

use super::vector::{Lane, Vector};
use ndarray::{ArrayView2, ArrayViewMut2};
use num_traits::Float;

/// `out ← x · w`, or `out ← out + x · w` when `accumulate` is set (the sum
/// first, then the value already in `out`, as the tiny products round):
/// `x` holds `k` values, `w` is `(k, out.len())` row-major.
#[inline(always)]
pub(super) fn row_times_matrix<V: Vector>(
    x: &[V::Scalar],
    w: &[V::Scalar],
    out: &mut [V::Scalar],
    accumulate: bool,
) {
    let product = Product { x, w, n: out.len() };
    let mut first = 0;
    let mut rest = out;
    while rest.len() >= 8 * V::LANES {
        let (block, tail) = rest.split_at_mut(8 * V::LANES);
        column_block::<V, 8, 1, false>(product, first, block, accumulate);
        (first, rest) = (first + block.len(), tail);
    }
    if rest.len() >= 4 * V::LANES {
        let (block, tail) = rest.split_at_mut(4 * V::LANES);
        column_block::<V, 4, 2, false>(product, first, block, accumulate);
        (first, rest) = (first + block.len(), tail);
    }
    if rest.len() >= 2 * V::LANES {
        let (block, tail) = rest.split_at_mut(2 * V::LANES);
        column_block::<V, 2, 4, false>(product, first, block, accumulate);
        (first, rest) = (first + block.len(), tail);
    }
    if rest.len() >= V::LANES {
        let (block, tail) = rest.split_at_mut(V::LANES);
        column_block::<V, 1, 8, false>(product, first, block, accumulate);
        (first, rest) = (first + block.len(), tail);
    }
    if !rest.is_empty() {
        column_block::<V, 1, 8, true>(product, first, rest, accumulate);
    }
}

/// The operands shared by every column block.
#[derive(Clone, Copy)]
struct Product<'a, S> {
    x: &'a [S],
    w: &'a [S],
    /// Columns of `w`.
    n: usize,
}

/// The outputs of columns `first..first + out.len()`: `N` full registers,
/// or with `PARTIAL` one register of fewer lanes, accumulated in `CHAINS`
/// interleaved chains over the rows of `w`.
#[inline(always)]
fn column_block<V: Vector, const N: usize, const CHAINS: usize, const PARTIAL: bool>(
    product: Product<'_, V::Scalar>,
    first: usize,
    out: &mut [V::Scalar],
    accumulate: bool,
) {
    let Product { x, w, n } = product;
    let width = if PARTIAL { out.len() } else { N * V::LANES };
    let zero = V::splat(V::Scalar::from_f64(0.0));
    let mut chains = [[zero; N]; CHAINS];
    let row = |p: usize| &w[p * n + first..][..width];

    let groups = x.len() / CHAINS;
    for group in 0..groups {
        for (c, chain) in chains.iter_mut().enumerate() {
            let p = group * CHAINS + c;
            add_scaled_row::<V, N, PARTIAL>(chain, row(p), x[p]);
        }
    }
    let rest = groups * CHAINS;
    for (p, &scale) in x.iter().enumerate().skip(rest) {
        add_scaled_row::<V, N, PARTIAL>(&mut chains[0], row(p), scale);
    }

    for v in 0..N {
        let sum = chains[1..]
            .iter()
            .fold(chains[0][v], |sum, chain| sum.add(chain[v]));
        let lanes = registers_lanes::<V, PARTIAL>(out, v);
        let value = if accumulate {
            load::<V, PARTIAL>(lanes).add(sum)
        } else {
            sum
        };
        store::<V, PARTIAL>(value, lanes);
    }
}

/// `chain[v] += scale · row[v·LANES..]` for each register `v`, fused where
/// the instruction set has FMA.
#[inline(always)]
fn add_scaled_row<V: Vector, const N: usize, const PARTIAL: bool>(
    chain: &mut [V; N],
    row: &[V::Scalar],
    scale: V::Scalar,
) {
    let scale = V::splat(scale);
    for (v, acc) in chain.iter_mut().enumerate() {
        let lanes = if PARTIAL {
            row
        } else {
            &row[v * V::LANES..(v + 1) * V::LANES]
        };
        *acc = load::<V, PARTIAL>(lanes).mul_add(scale, *acc);
    }
}

/// The lanes of register `v` of a block's outputs.
#[inline(always)]
fn registers_lanes<V: Vector, const PARTIAL: bool>(
    out: &mut [V::Scalar],
    v: usize,
) -> &mut [V::Scalar] {
    if PARTIAL {
        out
    } else {
        &mut out[v * V::LANES..(v + 1) * V::LANES]
    }
}

/// A full register, or the lanes of a partial one (zeros above).
#[inline(always)]
fn load<V: Vector, const PARTIAL: bool>(lanes: &[V::Scalar]) -> V {
    if PARTIAL {
        V::load_partial(lanes, V::Scalar::from_f64(0.0))
    } else {
        V::load(lanes)
    }
}

/// Stores a full register, or the low lanes of a partial one.
#[inline(always)]
fn store<V: Vector, const PARTIAL: bool>(value: V, lanes: &mut [V::Scalar]) {
    if PARTIAL {
        value.store_partial(lanes)
    } else {
        value.store(lanes)
    }
}

/// A row-times-matrix kernel of one instruction set for one element type:
/// `(x, w, out, accumulate)` as [`row_times_matrix`].
pub(crate) type RowKernel<T> = fn(&[T], &[T], &mut [T], bool);

/// `c ← a · b` (or `c + a · b`) one row of `a` at a time with the
/// row-times-matrix kernel, when `T` has one, `b` is row-major and the rows
/// of `a` and `c` are contiguous. Returns whether it ran; shapes are the
/// caller's invariant, as for `matmul`.
pub(super) fn rows_times_matrix<T: Float + 'static>(
    a: ArrayView2<'_, T>,
    b: ArrayView2<'_, T>,
    c: &mut ArrayViewMut2<'_, T>,
    accumulate: bool,
) -> bool {
    let (Some(kernels), Some(w)) = (super::for_type::<T>(), b.as_slice()) else {
        return false;
    };
    if !(has_contiguous_rows(a.ncols(), a.strides()) && has_contiguous_rows(c.ncols(), c.strides()))
    {
        return false;
    }
    for (x, mut out) in a.rows().into_iter().zip(c.rows_mut()) {
        let x = x.to_slice().expect("rows with unit column stride");
        let out = out.as_slice_mut().expect("rows with unit column stride");
        (kernels.row_times_matrix)(x, w, out, accumulate);
    }
    true
}

/// Whether each row of a view with `columns` columns and these strides is
/// one contiguous slice.
fn has_contiguous_rows(columns: usize, strides: &[isize]) -> bool {
    columns <= 1 || strides[1] == 1
}

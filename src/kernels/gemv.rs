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
//!
//! Where a register is a whole cache line (AVX-512) and every row of `W`
//! starts at the same offset from one (`n` a multiple of the lanes), a
//! kernel that is not line-aligned would make every load of every row
//! straddle two lines: at (1, 784, 128) that cost 1.6× the aligned time.
//! There each block is peeled instead: the columns before the first
//! aligned address in a partial (masked) register, the aligned registers,
//! and the rest in a partial register, so that no load but the head's
//! crosses a line. The per-column sums are the same in the same order, so
//! the results do not depend on where the allocator put `W` either.
//! Narrower registers straddle lines on every other load (AVX2) or fewer,
//! and load partial registers through a buffer: they read unaligned rows
//! as they are.

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
    let n = out.len();
    let product = Product {
        x,
        w,
        n,
        lead: lead::<V>(w, n),
    };
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
    /// Columns of each full block to peel before its aligned registers
    /// ([`lead`]); 0 reads the rows as they are.
    lead: usize,
}

/// The bytes of a cache line on the CPUs this crate dispatches for.
const CACHE_LINE: usize = 64;

/// How many columns of each block of full registers lie before an address
/// that is a multiple of the register's size, when peeling them pays:
/// registers of a cache line (AVX-512), and rows that all start at the
/// same offset from one (`n` a multiple of the lanes; blocks start at
/// multiples of the lanes too). Otherwise 0.
fn lead<V: Vector>(w: &[V::Scalar], n: usize) -> usize {
    let register = V::LANES * size_of::<V::Scalar>();
    if register != CACHE_LINE || !n.is_multiple_of(V::LANES) {
        return 0;
    }
    // `align_offset` may answer `usize::MAX` (never here for `f32`/`f64`,
    // but it is allowed to): then the rows are read as they are.
    let lead = w.as_ptr().align_offset(register);
    if lead < V::LANES { lead } else { 0 }
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
    if !PARTIAL && product.lead > 0 {
        return peeled_column_block::<V, N, CHAINS>(product, first, out, accumulate);
    }
    let Product { x, w, n, .. } = product;
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

/// [`column_block`] of `N` full registers, read as `product.lead`
/// columns in a partial register (the head), `N - 1` aligned registers, and
/// the last `LANES - lead` columns in a partial register: the same sums of
/// the same products, in the same chains, with aligned loads.
#[inline(always)]
fn peeled_column_block<V: Vector, const N: usize, const CHAINS: usize>(
    product: Product<'_, V::Scalar>,
    first: usize,
    out: &mut [V::Scalar],
    accumulate: bool,
) {
    let Product { x, w, n, lead } = product;
    let zero = V::splat(V::Scalar::from_f64(0.0));
    let mut heads = [zero; CHAINS];
    // Register `v` covers columns `lead + v·LANES..` of the block, the
    // last one only `LANES - lead` of them.
    let mut chains = [[zero; N]; CHAINS];
    let row = |p: usize| &w[p * n + first..][..N * V::LANES];

    let groups = x.len() / CHAINS;
    for group in 0..groups {
        for (c, (head, chain)) in heads.iter_mut().zip(&mut chains).enumerate() {
            let p = group * CHAINS + c;
            add_peeled_row::<V, N>(head, chain, row(p), x[p], lead);
        }
    }
    let rest = groups * CHAINS;
    for (p, &scale) in x.iter().enumerate().skip(rest) {
        add_peeled_row::<V, N>(&mut heads[0], &mut chains[0], row(p), scale, lead);
    }

    let (head_out, out) = out.split_at_mut(lead);
    let head = heads[1..].iter().fold(heads[0], |sum, &head| sum.add(head));
    finish(head, head_out, accumulate);
    for (v, lanes) in out.chunks_mut(V::LANES).enumerate() {
        let sum = chains[1..]
            .iter()
            .fold(chains[0][v], |sum, chain| sum.add(chain[v]));
        finish(sum, lanes, accumulate);
    }
}

/// [`add_scaled_row`] for [`peeled_column_block`]: `head` takes the first
/// `lead` values of `row`, `chain` the rest (its last register partial).
#[inline(always)]
fn add_peeled_row<V: Vector, const N: usize>(
    head: &mut V,
    chain: &mut [V; N],
    row: &[V::Scalar],
    scale: V::Scalar,
    lead: usize,
) {
    let scale = V::splat(scale);
    let zero = V::Scalar::from_f64(0.0);
    let (head_lanes, row) = row.split_at(lead);
    *head = V::load_partial(head_lanes, zero).mul_add(scale, *head);
    for (v, acc) in chain.iter_mut().enumerate() {
        let lanes = &row[v * V::LANES..];
        let value = if v + 1 < N {
            V::load(lanes)
        } else {
            V::load_partial(lanes, zero)
        };
        *acc = value.mul_add(scale, *acc);
    }
}

/// Stores `sum` into `lanes` (a full register or fewer), plus what they
/// held when `accumulate` is set.
#[inline(always)]
fn finish<V: Vector>(sum: V, lanes: &mut [V::Scalar], accumulate: bool) {
    let zero = V::Scalar::from_f64(0.0);
    let partial = lanes.len() < V::LANES;
    let value = match (accumulate, partial) {
        (false, _) => sum,
        (true, false) => V::load(lanes).add(sum),
        (true, true) => V::load_partial(lanes, zero).add(sum),
    };
    if partial {
        value.store_partial(lanes);
    } else {
        value.store(lanes);
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

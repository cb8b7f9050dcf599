//! Small matrix products, `c ← a·b` or `c ← c + a·b`, straight from the
//! operands: no packing, no set-up, no thread-local buffers.
//!
//! A training step of a small model (the digits recipe: batches of 32
//! through 64 → 64 → 10) runs products of 20 k to 130 k multiply-adds,
//! where `gemm`'s set-up and the packing of its operands took a fifth of
//! the time of its micro-kernels. Here blocks of up to 8 rows of `c` by up
//! to 4 registers of columns are kept in registers, and every step of the
//! depth broadcasts one value of `a` per row against the registers of a
//! row of `b`.
//!
//! Each output is `c + Σ a·b` with the sum a chain of fused multiply-adds
//! from zero in the order of the depth, added to `c` at the end: what
//! `gemm` computes at these sizes, bit for bit, on the paths with FMA
//! (the tests compare). The portable path rounds each product and sum
//! separately (see vector.rs).
//!
//! `b` and `c` are row-major (consecutive columns adjacent); `a` takes any
//! non-negative strides, so the kernel gradient `xᵀ·δ` reads `x` as it is
//! stored.

use super::vector::{Lane, Vector};

/// The operands of one product: `a` is `(m, k)` with `a[i, p]` at
/// `a_strides.0 · i + a_strides.1 · p`, `b` `(k, n)` and `c` `(m, n)`
/// row-major.
pub(crate) struct Operands<'a, T> {
    pub(crate) a: &'a [T],
    pub(crate) a_strides: (usize, usize),
    pub(crate) b: &'a [T],
    pub(crate) c: &'a mut [T],
    /// `(m, k, n)`.
    pub(crate) shape: (usize, usize, usize),
    /// Adds the product to `c` rather than overwriting it.
    pub(crate) accumulate: bool,
}

/// A small product on one path.
pub(crate) type SmallProduct<T> = fn(Operands<'_, T>);

/// Most registers of columns per block.
const VECTORS: usize = 4;

/// [`SmallProduct`] on `V`'s registers.
#[inline(always)]
pub(crate) fn small_product<V: Vector>(mut operands: Operands<'_, V::Scalar>) {
    let n = operands.shape.2;
    let mut first = 0;
    while first < n {
        let width = (n - first).min(VECTORS * V::LANES);
        let columns = Columns { first, width };
        match width.div_ceil(V::LANES) {
            1 => column_block::<V, 1>(&mut operands, columns),
            2 => column_block::<V, 2>(&mut operands, columns),
            3 => column_block::<V, 3>(&mut operands, columns),
            _ => column_block::<V, VECTORS>(&mut operands, columns),
        }
        first += width;
    }
}

/// The columns `first..first + width` of `b` and `c`: `N` registers, the
/// last one possibly partial.
#[derive(Clone, Copy)]
struct Columns {
    first: usize,
    width: usize,
}

/// Every row of `c` in the columns given, in blocks of as many rows as
/// the registers hold sums for (beside the `N` of `b` and the broadcast),
/// up to 8.
#[inline(always)]
fn column_block<V: Vector, const N: usize>(
    operands: &mut Operands<'_, V::Scalar>,
    columns: Columns,
) {
    let rows = (V::REGISTERS - N - 1) / N;
    let mut row = 0;
    if rows >= 8 {
        row = row_blocks::<V, 8, N>(operands, columns, row);
    }
    if rows >= 4 {
        row = row_blocks::<V, 4, N>(operands, columns, row);
    }
    if rows >= 2 {
        row = row_blocks::<V, 2, N>(operands, columns, row);
    }
    row_blocks::<V, 1, N>(operands, columns, row);
}

/// Blocks of `R` rows from `row` on while `R` rows are left; returns the
/// first row not done.
#[inline(always)]
fn row_blocks<V: Vector, const R: usize, const N: usize>(
    operands: &mut Operands<'_, V::Scalar>,
    columns: Columns,
    mut row: usize,
) -> usize {
    while row + R <= operands.shape.0 {
        let sums = block::<V, R, N>(operands, row, columns);
        store::<V, R, N>(operands, row, columns, sums);
        row += R;
    }
    row
}

/// `Σ_p a[row + r, p] · b[p, columns]` for `r < R`, as `N` registers per
/// row: one fused multiply-add chain per value, from zero, in the order
/// of `p`.
#[inline(always)]
fn block<V: Vector, const R: usize, const N: usize>(
    operands: &Operands<'_, V::Scalar>,
    row: usize,
    columns: Columns,
) -> [[V; N]; R] {
    let (_, k, n) = operands.shape;
    let (row_stride, depth_stride) = operands.a_strides;
    let mut sums = [[V::splat(V::Scalar::from_f64(0.0)); N]; R];
    for p in 0..k {
        let start = p * n + columns.first;
        let b = load_row::<V, N>(&operands.b[start..start + columns.width]);
        for (r, sums) in sums.iter_mut().enumerate() {
            let a = V::splat(operands.a[(row + r) * row_stride + p * depth_stride]);
            for (sum, &b) in sums.iter_mut().zip(&b) {
                *sum = a.mul_add(b, *sum);
            }
        }
    }
    sums
}

/// `N` registers from `values` (at most `N · LANES` of them; zeros fill
/// the last register's unused lanes).
#[inline(always)]
fn load_row<V: Vector, const N: usize>(values: &[V::Scalar]) -> [V; N] {
    std::array::from_fn(|v| {
        let lanes = &values[(v * V::LANES).min(values.len())..];
        if lanes.len() >= V::LANES {
            V::load(lanes)
        } else {
            V::load_partial(lanes, V::Scalar::from_f64(0.0))
        }
    })
}

/// Writes `sums` to rows `row..row + R` of `c` (added to what they hold
/// when accumulating).
#[inline(always)]
fn store<V: Vector, const R: usize, const N: usize>(
    operands: &mut Operands<'_, V::Scalar>,
    row: usize,
    columns: Columns,
    sums: [[V; N]; R],
) {
    let n = operands.shape.2;
    for (r, sums) in sums.iter().enumerate() {
        let start = (row + r) * n + columns.first;
        let out = &mut operands.c[start..start + columns.width];
        for (v, &sum) in sums.iter().enumerate() {
            let lanes = &mut out[(v * V::LANES).min(columns.width)..];
            let full = lanes.len() >= V::LANES;
            let value = match (operands.accumulate, full) {
                (false, _) => sum,
                (true, true) => V::load(lanes).add(sum),
                (true, false) => V::load_partial(lanes, V::Scalar::from_f64(0.0)).add(sum),
            };
            if full {
                value.store(lanes);
            } else {
                value.store_partial(lanes);
            }
        }
    }
}

//! The matrix product behind `Dense` and `Maxout`.
//!
//! For `f32` and `f64` it calls the `gemm` crate, whose kernels are chosen
//! at run time (AVX-512, AVX2+FMA, NEON, scalar). Measured on the 2-core
//! AVX-512 development machine against `ndarray`'s `dot` (matrixmultiply),
//! f32, one thread: 4096×256×256 162 vs 63 GFLOP/s, 256×784×128 166 vs
//! 68 GFLOP/s, one row 1×784×128 9 µs vs 51 µs. Every other float type
//! goes through `ndarray::linalg::general_mat_mul`, except `half::f16` and
//! `half::bf16` with the `half` feature: widened to `f32` first (half.rs).
//!
//! Tiny products (a few thousand multiply-adds, such as the tutorial's
//! 8×2×1) skip both: a plain dot product per output costs less than
//! either library's set-up, allocates nothing (`gemm` allocates its packing
//! buffers), and rounds as Keras does, the sum first and then the value
//! already in `c` (the bias). [`tiny_affine_rows`] runs them on plain
//! slices, for the layers' small-batch path.
//!
//! Larger products of a single row (a `Dense` layer on one sample) take
//! gemv.rs's row-times-matrix kernel instead of `gemm`, whose set-up costs
//! as much as such a product: (1, 784, 128) in f32 runs in 0.7× `gemm`'s
//! time (5.5 µs against 8.0 µs).

use ndarray::linalg::general_mat_mul;
use ndarray::{ArrayView2, ArrayViewMut2};
use num_traits::Float;
use std::any::TypeId;

/// `c ← a · b`, or `c ← c + a · b` when `accumulate` is set.
///
/// Shapes are the callers' invariant (`a` is `(m, k)`, `b` `(k, n)`, `c`
/// `(m, n)`); the layers check them against the caller's data first.
pub(crate) fn matmul<T: Float + 'static>(
    a: ArrayView2<'_, T>,
    b: ArrayView2<'_, T>,
    mut c: ArrayViewMut2<'_, T>,
    accumulate: bool,
) {
    let (m, k) = a.dim();
    let n = b.ncols();
    assert!(
        b.nrows() == k && c.dim() == (m, n),
        "matmul shapes: {:?} · {:?} → {:?}",
        a.dim(),
        b.dim(),
        c.dim()
    );
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        // The empty sum.
        if !accumulate {
            c.fill(T::zero());
        }
        return;
    }
    #[cfg(feature = "half")]
    if super::half::matmul(a, b, &mut c, accumulate) {
        // f16 and bf16: in f32, rounded once (half.rs).
        return;
    }
    if m * n * k <= TINY {
        tiny_matmul(a, b, c, accumulate);
        return;
    }
    if m <= ROW_PRODUCT_ROWS && super::gemv::rows_times_matrix(a, b, &mut c, accumulate) {
        return;
    }
    if !is_gemm_native::<T>() {
        let beta = if accumulate { T::one() } else { T::zero() };
        general_mat_mul(T::one(), &a, &b, beta, &mut c);
        return;
    }
    let (c_rows, c_cols) = strides(c.strides());
    let (a_rows, a_cols) = strides(a.strides());
    let (b_rows, b_cols) = strides(b.strides());
    // SAFETY: `T` is `f32` or `f64` (checked above), the types `gemm`
    // supports. The three pointers and their strides come from live ndarray
    // views whose shapes were checked to be (m, k), (k, n) and (m, n), so
    // every element `gemm` reads or writes is inside its view. `c` is a
    // unique borrow, so it cannot alias `a` or `b`.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            c.as_mut_ptr(),
            c_cols,
            c_rows,
            accumulate,
            a.as_ptr(),
            a_cols,
            a_rows,
            b.as_ptr(),
            b_cols,
            b_rows,
            T::one(),
            T::one(),
            false,
            false,
            false,
            gemm::Parallelism::None,
        );
    }
}

/// `out ← bias + x · kernel` on row-major slices: `x` is `(m, k)`,
/// `kernel` `(k, n)`, `bias` `n` values and `out` `(m, n)`, for a product
/// that [`is_tiny_on_slices`]. The same values as filling `out` with the
/// bias rows and accumulating [`matmul`] onto them, bit for bit: each dot
/// product is summed from zero, term after term, and then added to its
/// bias.
pub(crate) fn tiny_affine_rows<T: Float + 'static>(
    x: &[T],
    kernel: &[T],
    bias: &[T],
    out: &mut [T],
    (_, k, n): (usize, usize, usize),
) {
    if n == 1 {
        // A single unit, the usual output layer; with few inputs, a dot
        // product unrolled at compile time.
        match k {
            1 => single_unit::<T, 1>(x, kernel, bias[0], out),
            2 => single_unit::<T, 2>(x, kernel, bias[0], out),
            3 => single_unit::<T, 3>(x, kernel, bias[0], out),
            4 => single_unit::<T, 4>(x, kernel, bias[0], out),
            _ => {
                for (x_row, z) in x.chunks_exact(k).zip(out) {
                    *z = bias[0] + tiny_dot(x_row, kernel, 1, 0);
                }
            }
        }
        return;
    }
    for (x_row, out_row) in x.chunks_exact(k).zip(out.chunks_exact_mut(n)) {
        row_dots(x_row, kernel, n, |j, dot| out_row[j] = bias[j] + dot);
    }
}

/// [`tiny_affine_rows`] for one unit over `K` inputs: `kernel` holds `K`
/// weights, `x` rows of `K` values, `out` one value per row.
#[inline(always)]
fn single_unit<T: Float + 'static, const K: usize>(x: &[T], kernel: &[T], bias: T, out: &mut [T]) {
    let weights = <&[T; K]>::try_from(kernel).expect("the caller passes K weights");
    let (rows, _) = x.as_chunks::<K>();
    for (x_row, z) in rows.iter().zip(out) {
        *z = bias + tiny_dot(x_row, weights, 1, 0);
    }
}

/// Calls `emit(j, dot)` with the dot product of `row` and each column `j`
/// of the row-major `(row.len(), n)` matrix `b`, each summed as
/// [`tiny_dot`] sums it. Columns go in blocks of 16, 8 and 4 whose sums
/// stay in registers from the first term to the last (summing into the
/// output instead made every term wait for the previous one's store).
#[inline(always)]
fn row_dots<T: Float + 'static>(row: &[T], b: &[T], n: usize, mut emit: impl FnMut(usize, T)) {
    let mut j = 0;
    while n - j >= 16 {
        block_dots::<T, 16>(row, b, n, j, &mut emit);
        j += 16;
    }
    if n - j >= 8 {
        block_dots::<T, 8>(row, b, n, j, &mut emit);
        j += 8;
    }
    if n - j >= 4 {
        block_dots::<T, 4>(row, b, n, j, &mut emit);
        j += 4;
    }
    for j in j..n {
        emit(j, tiny_dot(row, b, n, j));
    }
}

/// [`row_dots`] for the `W` columns from `first` on.
#[inline(always)]
fn block_dots<T: Float + 'static, const W: usize>(
    row: &[T],
    b: &[T],
    n: usize,
    first: usize,
    emit: &mut impl FnMut(usize, T),
) {
    let mut sums = [T::zero(); W];
    for (&x, b_row) in row.iter().zip(b.chunks_exact(n)) {
        let weights = <&[T; W]>::try_from(&b_row[first..first + W]).expect("W columns");
        for (sum, &w) in sums.iter_mut().zip(weights) {
            *sum = *sum + x * w;
        }
    }
    for (i, sum) in sums.into_iter().enumerate() {
        emit(first + i, sum);
    }
}

/// Whether [`matmul`] computes an `(m, k) · (k, n)` product of row-major
/// `T` values with [`tiny_rows`]: a tiny, non-empty product of a type
/// without a hook of its own.
pub(crate) fn is_tiny_on_slices<T: Float + 'static>(m: usize, k: usize, n: usize) -> bool {
    let size = m.saturating_mul(n).saturating_mul(k);
    is_gemm_native::<T>() && m > 0 && k > 0 && n > 0 && size <= TINY
}

/// Products up to this many multiply-adds take [`tiny_matmul`].
const TINY: usize = 4096;

/// Products of up to this many rows take the row-times-matrix kernel: each
/// row reads the whole of `b`, which `gemm` reads once for all rows, so
/// beyond a row or two `gemm`'s packing pays for itself.
const ROW_PRODUCT_ROWS: usize = 1;

/// One dot product per output, added to the output when accumulating.
fn tiny_matmul<T: Float + 'static>(
    a: ArrayView2<'_, T>,
    b: ArrayView2<'_, T>,
    mut c: ArrayViewMut2<'_, T>,
    accumulate: bool,
) {
    let (k, n) = b.dim();
    if let (Some(a), Some(b), Some(c)) = (a.as_slice(), b.as_slice(), c.as_slice_mut()) {
        // Row-major storage, the usual case: plain slices, no view set-up.
        tiny_rows(a, b, c, k, n, accumulate);
        return;
    }
    for (a_row, mut c_row) in a.rows().into_iter().zip(c.rows_mut()) {
        for (b_column, c) in b.columns().into_iter().zip(c_row.iter_mut()) {
            let dot = a_row
                .iter()
                .zip(b_column)
                .fold(T::zero(), |sum, (&x, &w)| sum + x * w);
            *c = if accumulate { *c + dot } else { dot };
        }
    }
}

/// [`tiny_matmul`] on row-major slices: `a` is `(m, k)`, `b` `(k, n)`,
/// `c` `(m, n)`, with `k` and `n` positive.
fn tiny_rows<T: Float + 'static>(
    a: &[T],
    b: &[T],
    c: &mut [T],
    k: usize,
    n: usize,
    accumulate: bool,
) {
    for (a_row, c_row) in a.chunks_exact(k).zip(c.chunks_exact_mut(n)) {
        row_dots(a_row, b, n, |j, dot| {
            c_row[j] = if accumulate { c_row[j] + dot } else { dot };
        });
    }
}

/// The dot product of `row` with column `j` of the row-major `(k, n)`
/// matrix `b`, summed from the first term on, as every tiny product is.
#[inline(always)]
pub(crate) fn tiny_dot<T: Float + 'static>(row: &[T], b: &[T], n: usize, j: usize) -> T {
    if n == 1 {
        // A single column, stored contiguously: no index arithmetic.
        return row
            .iter()
            .zip(b)
            .fold(T::zero(), |sum, (&x, &w)| sum + x * w);
    }
    let mut sum = T::zero();
    for (p, &x) in row.iter().enumerate() {
        sum = sum + x * b[p * n + j];
    }
    sum
}

/// Whether `T` is one of the float types `gemm` has kernels for.
fn is_gemm_native<T: Float + 'static>() -> bool {
    TypeId::of::<T>() == TypeId::of::<f32>() || TypeId::of::<T>() == TypeId::of::<f64>()
}

/// (row stride, column stride) of a 2-D view, in elements.
fn strides(s: &[isize]) -> (isize, isize) {
    (s[0], s[1])
}

#[cfg(test)]
mod tests {
    use super::{matmul, tiny_affine_rows};
    use ndarray::{Array2, s};

    fn reference(a: &Array2<f64>, b: &Array2<f64>) -> Array2<f64> {
        Array2::from_shape_fn((a.nrows(), b.ncols()), |(i, j)| {
            (0..a.ncols()).map(|p| a[[i, p]] * b[[p, j]]).sum()
        })
    }

    fn pattern(rows: usize, cols: usize, salt: usize) -> Array2<f64> {
        Array2::from_shape_fn((rows, cols), |(i, j)| {
            ((i * 7 + j * 13 + salt) % 17) as f64 - 8.0
        })
    }

    #[test]
    fn agrees_with_the_definition_for_f32_f64_and_other_layouts() {
        for (m, k, n) in [
            (1, 1, 1),
            (8, 2, 1),
            (3, 5, 7),
            (33, 17, 65),
            (1, 784, 9),
            (0, 3, 2),
            (2, 0, 3),
        ] {
            let (a, b) = (pattern(m, k, 1), pattern(k, n, 2));
            let expected = reference(&a, &b);
            let mut c64 = Array2::from_elem((m, n), f64::NAN);
            matmul(a.view(), b.view(), c64.view_mut(), false);
            assert_eq!(c64, expected, "f64 {m}x{k}x{n}");

            let mut c32 = Array2::from_elem((m, n), 1.0_f32);
            let (a32, b32) = (a.mapv(|v| v as f32), b.mapv(|v| v as f32));
            matmul(a32.view(), b32.view(), c32.view_mut(), true);
            assert_eq!(
                c32,
                expected.mapv(|v| v as f32 + 1.0),
                "f32 accumulate {m}x{k}x{n}"
            );

            // Transposed and reversed views: any strides.
            let at = a.t().to_owned();
            let mut ct = Array2::zeros((n, m));
            matmul(b.t(), at.t().t(), ct.view_mut(), false);
            assert_eq!(ct, expected.t(), "transposed {m}x{k}x{n}");
            let mut cr = Array2::zeros((m, n));
            let reversed = a.slice(s![..;-1, ..]);
            matmul(reversed, b.view(), cr.view_mut(), false);
            assert_eq!(cr, expected.slice(s![..;-1, ..]), "reversed {m}x{k}x{n}");
        }
    }

    /// Values over 24 binades, so that a dot product summed in another
    /// order than term after term rounds differently.
    fn spread(rows: usize, cols: usize, salt: u32) -> Array2<f32> {
        let mut state = salt.wrapping_mul(2_654_435_761).wrapping_add(1);
        Array2::from_shape_fn((rows, cols), |(_, j)| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let unit = (state >> 8) as f32 / (1 << 24) as f32 - 0.5;
            unit * 2.0_f32.powi((j as i32 * 5) % 24 - 12)
        })
    }

    #[test]
    fn tiny_products_sum_each_dot_in_order_in_every_column_block() {
        for n in 1..=37 {
            for k in [1, 2, 5, 30] {
                let (a, b) = (spread(3, k, n as u32), spread(k, n, 7));
                let bias = spread(1, n, 9).into_raw_vec_and_offset().0;
                let dot =
                    |i: usize, j: usize| (0..k).fold(0.0_f32, |sum, p| sum + a[[i, p]] * b[[p, j]]);
                let expected = Array2::from_shape_fn((3, n), |(i, j)| dot(i, j));
                let mut c = Array2::from_elem((3, n), f32::NAN);
                matmul(a.view(), b.view(), c.view_mut(), false);
                assert_eq!(c, expected, "matmul 3x{k}x{n}");

                let mut out = vec![f32::NAN; 3 * n];
                let (x, kernel) = (a.as_slice().unwrap(), b.as_slice().unwrap());
                tiny_affine_rows(x, kernel, &bias, &mut out, (3, k, n));
                let with_bias = Array2::from_shape_fn((3, n), |(i, j)| bias[j] + dot(i, j));
                assert_eq!(
                    out,
                    with_bias.into_raw_vec_and_offset().0,
                    "affine 3x{k}x{n}"
                );
            }
        }
    }
}

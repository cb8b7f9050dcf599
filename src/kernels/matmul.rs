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
/// product is summed in `out` from zero, term after term, and then added
/// to its bias. The loops run over units (or rows, for a single unit)
/// innermost, which the compiler vectorizes.
pub(crate) fn tiny_affine_rows<T: Float + 'static>(
    x: &[T],
    kernel: &[T],
    bias: &[T],
    out: &mut [T],
    (m, k, n): (usize, usize, usize),
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
                for (p, &w) in kernel.iter().enumerate() {
                    for (row, z) in out.iter_mut().enumerate() {
                        *z = first_or(p, *z) + x[row * k + p] * w;
                    }
                }
                out.iter_mut().for_each(|z| *z = bias[0] + *z);
            }
        }
        return;
    }
    for row in 0..m {
        let x_row = &x[row * k..(row + 1) * k];
        let out_row = &mut out[row * n..(row + 1) * n];
        for (p, (&input, weights)) in x_row.iter().zip(kernel.chunks_exact(n)).enumerate() {
            for (z, &w) in out_row.iter_mut().zip(weights) {
                *z = first_or(p, *z) + input * w;
            }
        }
        for (z, &b) in out_row.iter_mut().zip(bias) {
            *z = b + *z;
        }
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

/// The running sum before term `p`: zero before the first (whatever
/// `out` held), as the dot products start.
#[inline(always)]
fn first_or<T: Float + 'static>(p: usize, sum: T) -> T {
    if p == 0 { T::zero() } else { sum }
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
        for (j, c) in c_row.iter_mut().enumerate() {
            let dot = tiny_dot(a_row, b, n, j);
            *c = if accumulate { *c + dot } else { dot };
        }
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
    use super::matmul;
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
}

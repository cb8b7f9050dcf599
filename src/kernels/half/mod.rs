//! `half::f16` and `half::bf16` through the `f32` kernels (the `half`
//! feature).
//!
//! Arithmetic on these types is scalar: every `f16` operation widens both
//! operands to `f32`, computes, and rounds back, so the generic code runs
//! sigmoid and tanh over 1 M values about 25 times slower than the `f32`
//! kernels and a Dense (256, 784, 128) product about 800 times slower than
//! `gemm` (ndarray's generic product; benches/half.rs, docs/performance.md).
//! Here
//! a slice is widened to `f32` in blocks (`half`'s slice conversions, which
//! use the F16C instructions where the CPU has them), the `f32` kernel runs
//! on the block, and each result is rounded back to 16 bits once. The
//! matrix product widens its operands, runs the `f32` product (`gemm`) and
//! rounds each output once.
//!
//! So results are the `f32` results rounded once, which is more accurate
//! than 16-bit arithmetic step by step (a dot product of length `k` in
//! `f16` carries up to `k` roundings of `2^-11`; here one, plus `f32`'s).
//! relu and leaky relu are bit for bit the scalar definitions either way
//! (a product of two 16-bit values is exact in `f32`).

mod convert;

use crate::precision::cast;
use ::half::{bf16, f16};
use convert::Convert;
use ndarray::{Array2, ArrayView2, ArrayViewMut2, Zip};
use num_traits::Float;

/// Values widened at a time by [`HalfSlice::map`], on the stack.
const BLOCK: usize = 1024;

/// Products up to this many multiply-adds are computed one dot product at
/// a time, without widening whole operands (as `matmul`'s tiny path).
const TINY: usize = 4096;

/// A slice of one of the two 16-bit types.
pub(crate) enum HalfSlice<'a> {
    F16(&'a mut [f16]),
    Bf16(&'a mut [bf16]),
}

/// A shared slice of one of the two 16-bit types.
enum HalfRef<'a> {
    F16(&'a [f16]),
    Bf16(&'a [bf16]),
}

/// The slice as a [`HalfSlice`] when `T` is `f16` or `bf16`, else the slice
/// itself back.
pub(crate) fn half_slice<T: Float>(xs: &mut [T]) -> Result<HalfSlice<'_>, &mut [T]> {
    let id = typeid::of::<T>();
    if id == typeid::of::<f16>() {
        let xs = xs as *mut [T] as *mut [f16];
        // SAFETY: `T` is `f16` (equal `TypeId`s, and `f16` has no lifetime
        // that could have been erased), so this only renames the type of a
        // slice we borrow mutably for the same lifetime.
        Ok(HalfSlice::F16(unsafe { &mut *xs }))
    } else if id == typeid::of::<bf16>() {
        let xs = xs as *mut [T] as *mut [bf16];
        // SAFETY: as above, `T` is `bf16`.
        Ok(HalfSlice::Bf16(unsafe { &mut *xs }))
    } else {
        Err(xs)
    }
}

/// [`half_slice`] for a shared slice.
fn half_ref<T: Float>(xs: &[T]) -> Option<HalfRef<'_>> {
    let id = typeid::of::<T>();
    if id == typeid::of::<f16>() {
        let xs = xs as *const [T] as *const [f16];
        // SAFETY: `T` is `f16` (equal `TypeId`s), so this only renames the
        // type of a slice we borrow for the same lifetime.
        Some(HalfRef::F16(unsafe { &*xs }))
    } else if id == typeid::of::<bf16>() {
        let xs = xs as *const [T] as *const [bf16];
        // SAFETY: as above, `T` is `bf16`.
        Some(HalfRef::Bf16(unsafe { &*xs }))
    } else {
        None
    }
}

/// Whether `T` is `f16` or `bf16`.
fn is_half<T: Float>() -> bool {
    let id = typeid::of::<T>();
    id == typeid::of::<f16>() || id == typeid::of::<bf16>()
}

impl HalfSlice<'_> {
    /// Applies an element-wise `f32` kernel: blocks of the slice widened
    /// to `f32`, the kernel, each value rounded back once.
    pub(crate) fn map(self, kernel: impl Fn(&mut [f32])) {
        match self {
            HalfSlice::F16(xs) => map_blocks(xs, kernel),
            HalfSlice::Bf16(xs) => map_blocks(xs, kernel),
        }
    }

    /// Applies a kernel that takes the whole slice as one row (softmax):
    /// widened in one piece.
    pub(crate) fn map_row(self, kernel: impl Fn(&mut [f32])) {
        match self {
            HalfSlice::F16(xs) => map_whole(xs, kernel),
            HalfSlice::Bf16(xs) => map_whole(xs, kernel),
        }
    }
}

/// `kernel` on blocks of up to `BLOCK` values widened to `f32` in a stack
/// buffer, each value rounded back once.
fn map_blocks<H: Convert>(xs: &mut [H], kernel: impl Fn(&mut [f32])) {
    let mut buffer = [0.0_f32; BLOCK];
    for block in xs.chunks_mut(BLOCK) {
        let wide = &mut buffer[..block.len()];
        H::widen_into(block, wide);
        kernel(wide);
        H::narrow_from(block, wide);
    }
}

/// `kernel` on the whole slice widened to `f32` at once (a row that must
/// not be cut, as softmax's).
fn map_whole<H: Convert>(xs: &mut [H], kernel: impl Fn(&mut [f32])) {
    if xs.len() <= BLOCK {
        // One block: on the stack.
        map_blocks(xs, kernel);
    } else {
        let mut wide = H::widened(xs);
        kernel(&mut wide);
        H::narrow_from(xs, &wide);
    }
}

/// `c ← a · b` (or `c ← c + a · b`) in `f32` for `f16` and `bf16`, each
/// output rounded to `T` once. Returns `false`, touching nothing, for any
/// other `T`. Shapes are checked by the caller and `m, n, k > 0`.
pub(crate) fn matmul<T: Float + 'static>(
    a: ArrayView2<'_, T>,
    b: ArrayView2<'_, T>,
    c: &mut ArrayViewMut2<'_, T>,
    accumulate: bool,
) -> bool {
    if !is_half::<T>() {
        return false;
    }
    let (m, k) = a.dim();
    let n = b.ncols();
    if m * n * k <= TINY {
        // One f32 dot product per output, then the value in `c` (the bias)
        // added, as the tiny path of `matmul` rounds.
        for (a_row, mut c_row) in a.rows().into_iter().zip(c.rows_mut()) {
            for (b_column, c) in b.columns().into_iter().zip(c_row.iter_mut()) {
                let dot = a_row.iter().zip(b_column).fold(0.0_f32, |sum, (&x, &w)| {
                    sum + cast::<T, f32>(x) * cast::<T, f32>(w)
                });
                *c = cast(if accumulate {
                    cast::<T, f32>(*c) + dot
                } else {
                    dot
                });
            }
        }
        return true;
    }
    let (a, b) = (wide_copy(a), wide_copy(b));
    let mut wide = if accumulate {
        wide_copy(c.view())
    } else {
        Array2::zeros((m, n))
    };
    super::matmul(a.view(), b.view(), wide.view_mut(), accumulate);
    match (c.as_slice_mut(), wide.as_slice()) {
        (Some(c), Some(wide)) => match half_slice(c) {
            Ok(HalfSlice::F16(c)) => f16::narrow_from(c, wide),
            Ok(HalfSlice::Bf16(c)) => bf16::narrow_from(c, wide),
            Err(c) => c.iter_mut().zip(wide).for_each(|(c, &v)| *c = cast(v)),
        },
        _ => Zip::from(c).and(&wide).for_each(|c, &v| *c = cast(v)),
    }
    true
}

/// A view widened to an `f32` array: contiguous row-major or column-major
/// views (a transposed operand) in one slice conversion, others value by
/// value.
fn wide_copy<T: Float + 'static>(view: ArrayView2<'_, T>) -> Array2<f32> {
    let convert = |values: &[T]| match half_ref(values) {
        Some(HalfRef::F16(values)) => f16::widened(values),
        Some(HalfRef::Bf16(values)) => bf16::widened(values),
        None => values.iter().map(|&v| cast::<T, f32>(v)).collect(),
    };
    if let Some(values) = view.as_slice() {
        return Array2::from_shape_vec(view.raw_dim(), convert(values))
            .expect("a row-major slice of the view's shape");
    }
    let transposed = view.t();
    if let Some(values) = transposed.as_slice() {
        return Array2::from_shape_vec(transposed.raw_dim(), convert(values))
            .expect("a row-major slice of the transposed shape")
            .reversed_axes();
    }
    view.mapv(cast::<T, f32>)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::s;

    /// `a · b` in f64 from the 16-bit values, rounded to `T`.
    fn reference<T: Float + 'static>(a: &Array2<T>, b: &Array2<T>, c: &Array2<T>) -> Array2<T> {
        Array2::from_shape_fn((a.nrows(), b.ncols()), |(i, j)| {
            let dot: f64 = (0..a.ncols())
                .map(|p| a[[i, p]].to_f64().unwrap() * b[[p, j]].to_f64().unwrap())
                .sum();
            T::from(dot + c[[i, j]].to_f64().unwrap()).unwrap()
        })
    }

    /// Small integers: every product and sum is exact in f32, so the
    /// result is the exactly rounded one.
    fn pattern<T: Float + 'static>(rows: usize, cols: usize, salt: usize) -> Array2<T> {
        Array2::from_shape_fn((rows, cols), |(i, j)| {
            T::from(((i * 7 + j * 13 + salt) % 17) as f64 - 8.0).unwrap()
        })
    }

    fn check<T: Float + std::fmt::Debug + 'static>() {
        for (m, k, n) in [(1, 1, 1), (8, 2, 1), (3, 5, 7), (33, 17, 65), (1, 784, 9)] {
            let (a, b) = (pattern::<T>(m, k, 1), pattern::<T>(k, n, 2));
            let c0 = pattern::<T>(m, n, 3);
            let expected = reference(&a, &b, &c0);
            let mut c = c0.clone();
            assert!(matmul(a.view(), b.view(), &mut c.view_mut(), true));
            assert_eq!(c, expected, "{m}x{k}x{n}");

            // Transposed and reversed operands, a transposed output.
            let at = a.t().to_owned();
            let mut ct = Array2::from_elem((n, m), T::nan());
            assert!(matmul(b.t(), at.t().t(), &mut ct.view_mut(), false));
            let zeros = Array2::zeros((m, n));
            assert_eq!(ct.t(), reference(&a, &b, &zeros), "transposed {m}x{k}x{n}");
            let mut cr = Array2::zeros((m, n));
            let mut cr_view = cr.view_mut();
            let reversed = a.slice(s![..;-1, ..]);
            assert!(matmul(reversed, b.view(), &mut cr_view, false));
            let expected = reference(&reversed.to_owned(), &b, &zeros);
            assert_eq!(cr, expected, "reversed {m}x{k}x{n}");
        }
    }

    #[test]
    fn products_are_the_f32_products_rounded_once() {
        check::<f16>();
        check::<bf16>();
        let (a, b) = (Array2::<f32>::zeros((2, 2)), Array2::<f32>::zeros((2, 2)));
        let mut c = Array2::<f32>::zeros((2, 2));
        assert!(!matmul(a.view(), b.view(), &mut c.view_mut(), false));
    }

    #[test]
    fn block_maps_cover_every_value() {
        for len in [0, 1, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK + 5] {
            let mut xs: Vec<f16> = (0..len).map(|i| f16::from_f32(i as f32 - 300.0)).collect();
            let expected: Vec<f16> = xs.iter().map(|x| x.max(f16::ZERO)).collect();
            match half_slice(&mut xs) {
                Ok(half) => half.map(|wide| wide.iter_mut().for_each(|x| *x = x.max(0.0))),
                Err(_) => panic!("an f16 slice"),
            }
            assert_eq!(xs, expected);

            let mut row: Vec<bf16> = vec![bf16::ONE; len];
            match half_slice(&mut row) {
                Ok(half) => half.map_row(|wide| {
                    let sum: f32 = wide.iter().sum();
                    wide.iter_mut().for_each(|x| *x /= sum);
                }),
                Err(_) => panic!("a bf16 slice"),
            }
            let share = bf16::from_f32(1.0 / len as f32);
            assert!(row.iter().all(|&x| x == share));
        }
        assert!(half_slice(&mut [1.0_f32]).is_err());
    }
}

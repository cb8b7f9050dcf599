//! Sums written so that they vectorize: eight interleaved partial sums
//! (a single running sum is a chain of dependent additions the compiler
//! must keep in order), and the element type's `e^x` and `ln x` over a
//! whole slice through the kernels of src/kernels where `T` has them.

use crate::kernels;
use num_traits::Float;

/// How many partial sums run side by side.
const LANES: usize = 8;

/// `Σ f(a_i, b_i)` over two slices of the same length, in [`LANES`]
/// interleaved sums added pairwise at the end.
#[inline(always)]
pub(super) fn sum_pairs<T: Float>(a: &[T], b: &[T], f: impl Fn(T, T) -> T) -> T {
    let n = a.len().min(b.len());
    let ((a_blocks, a_tail), (b_blocks, b_tail)) =
        (a[..n].as_chunks::<LANES>(), b[..n].as_chunks::<LANES>());
    let mut acc = [T::zero(); LANES];
    for (a, b) in a_blocks.iter().zip(b_blocks) {
        for i in 0..LANES {
            acc[i] = acc[i] + f(a[i], b[i]);
        }
    }
    let tail = a_tail
        .iter()
        .zip(b_tail)
        .fold(T::zero(), |s, (&a, &b)| s + f(a, b));
    let [a0, a1, a2, a3, a4, a5, a6, a7] = acc;
    ((a0 + a4) + (a2 + a6)) + ((a1 + a5) + (a3 + a7)) + tail
}

/// `Σ values`, as [`sum_pairs`].
#[inline(always)]
pub(super) fn sum<T: Float>(values: &[T]) -> T {
    sum_pairs(values, values, |v, _| v)
}

/// The largest value that is not NaN, `-inf` if there is none (as a fold
/// of `Float::max`, in [`LANES`] interleaved maxima).
#[inline(always)]
pub(super) fn max<T: Float>(values: &[T]) -> T {
    let greater = |m: T, v: T| if v > m { v } else { m };
    let mut acc = [T::neg_infinity(); LANES];
    let (blocks, tail) = values.as_chunks::<LANES>();
    for block in blocks {
        for i in 0..LANES {
            acc[i] = greater(acc[i], block[i]);
        }
    }
    let lanes = acc.into_iter().fold(T::neg_infinity(), greater);
    tail.iter().copied().fold(lanes, greater)
}

/// `x ← e^x` for every element: the vectorized kernel (src/kernels/exp.rs,
/// within 1 ULP) for `f32` and `f64`, `Float::exp` otherwise.
pub(super) fn exp_in_place<T: Float>(values: &mut [T]) {
    match kernels::for_type::<T>() {
        Some(kernels) => (kernels.exp)(values),
        None => values.iter_mut().for_each(|v| *v = v.exp()),
    }
}

/// `x ← ln x` for every element: the vectorized kernel
/// (src/kernels/ln.rs, within 1 ULP) for `f32` and `f64`, `Float::ln`
/// otherwise.
pub(super) fn ln_in_place<T: Float>(values: &mut [T]) {
    match kernels::for_type::<T>() {
        Some(kernels) => (kernels.ln)(values),
        None => values.iter_mut().for_each(|v| *v = v.ln()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_and_maxima_match_the_sequential_folds() {
        for n in [0, 1, 7, 8, 9, 17, 100] {
            let a: Vec<f64> = (0..n).map(|i| f64::from(i) * 0.25 - 3.0).collect();
            let b: Vec<f64> = (0..n).map(|i| f64::from(i % 5)).collect();
            let by_fold = a.iter().zip(&b).fold(0.0, |s, (&a, &b)| s + a * b);
            assert_eq!(sum_pairs(&a, &b, |a, b| a * b), by_fold);
            assert_eq!(sum(&b), b.iter().sum::<f64>());
            let fold_max = a.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v));
            assert_eq!(max(&a), fold_max);
        }
    }

    #[test]
    fn the_maximum_skips_nan() {
        let values = [
            f64::NAN,
            1.0,
            f64::NAN,
            -2.0,
            3.0,
            f64::NAN,
            0.0,
            0.5,
            f64::NAN,
            2.5,
        ];
        assert_eq!(max(&values), 3.0);
        assert_eq!(max(&[f64::NAN; 3]), f64::NEG_INFINITY);
    }
}

//! The row-times-matrix kernel of every path against a plain sum in `f64`,
//! on random shapes: every column-block size and tail length of each
//! register width, empty rows and matrices, with and without accumulation.
//! The output sits inside a larger buffer whose other values must not
//! change. The matrix starts at a random offset from a cache line, and the
//! result must be, bit for bit, the one of the same matrix line-aligned.

use super::{Rng, paths};
use crate::kernels::Isa;
use crate::kernels::gemv::RowKernel;
use num_traits::Float;
use std::fmt::Debug;

/// Random shapes per element type and path.
const CASES: usize = if cfg!(debug_assertions) { 300 } else { 3000 };

/// What the test needs of `f32` and `f64`.
trait Sample: Float + Debug {
    fn kernel(path: &Isa) -> RowKernel<Self>;
    fn from_f64(x: f64) -> Self;
    fn to_f64(self) -> f64;
}

impl Sample for f32 {
    fn kernel(path: &Isa) -> RowKernel<f32> {
        path.f32.row_times_matrix
    }
    fn from_f64(x: f64) -> f32 {
        x as f32
    }
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
}

impl Sample for f64 {
    fn kernel(path: &Isa) -> RowKernel<f64> {
        path.f64.row_times_matrix
    }
    fn from_f64(x: f64) -> f64 {
        x
    }
    fn to_f64(self) -> f64 {
        self
    }
}

/// A size that hits the edges: 0, 1, a multiple of 8 lanes give or take
/// one, a multiple of 16 (rows that all start at one offset from a cache
/// line), or anything up to `limit`.
fn size(rng: &mut Rng, limit: usize) -> usize {
    match rng.below(5) {
        0 => rng.below(3),
        1 => (8 * (1 + rng.below(limit / 8))).saturating_sub(1) + rng.below(3),
        2 => 16 * rng.below(limit / 16 + 1),
        _ => rng.below(limit + 1),
    }
}

/// `count` values uniform in `[-1, 1)`.
fn values<T: Sample>(rng: &mut Rng, count: usize) -> Vec<T> {
    (0..count)
        .map(|_| T::from_f64(2.0 * rng.unit() - 1.0))
        .collect()
}

/// A copy of a matrix that starts `offset` elements after a 64-byte
/// boundary (a cache line, an AVX-512 register).
struct Placed<T> {
    buffer: Vec<T>,
    start: usize,
    len: usize,
}

impl<T: Sample> Placed<T> {
    fn new(values: &[T], offset: usize) -> Self {
        let mut buffer = vec![T::nan(); values.len() + 32];
        let to_line = buffer.as_ptr().align_offset(64);
        assert!(to_line < 16, "a float buffer reaches a 64-byte boundary");
        let start = to_line + offset;
        buffer[start..start + values.len()].copy_from_slice(values);
        Placed {
            buffer,
            start,
            len: values.len(),
        }
    }

    fn slice(&self) -> &[T] {
        &self.buffer[self.start..self.start + self.len]
    }
}

/// One random product on one path, checked against the `f64` sum with a
/// bound of `k + 2` roundings of the sum of magnitudes (the kernel's
/// chained sums in `T`, the reference's in `f64`), and against the same
/// product with the matrix line-aligned, bit for bit.
fn check_case<T: Sample>(name: &str, kernel: RowKernel<T>, rng: &mut Rng) {
    let (k, n) = (size(rng, 300), size(rng, 300));
    let accumulate = rng.below(2) == 1;
    let (x, w) = (values::<T>(rng, k), values::<T>(rng, k * n));
    let before = rng.below(20);
    let mut buffer = values::<T>(rng, before + n + 20);
    let original = buffer.clone();
    let offset = rng.below(16);
    let placed = Placed::new(&w, offset);
    kernel(
        &x,
        placed.slice(),
        &mut buffer[before..before + n],
        accumulate,
    );

    let mut aligned_out = original.clone();
    let aligned = Placed::new(&w, 0);
    kernel(
        &x,
        aligned.slice(),
        &mut aligned_out[before..before + n],
        accumulate,
    );

    let what = format!("{name} k={k} n={n} accumulate={accumulate} offset={offset}");
    let bits = |values: &[T]| {
        values
            .iter()
            .map(|&v| Sample::to_f64(v).to_bits())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        bits(&buffer),
        bits(&aligned_out),
        "{what}: not what the line-aligned matrix gives"
    );
    let untouched = |i: usize| buffer[i].to_f64().to_bits() == original[i].to_f64().to_bits();
    assert!(
        (0..before).all(untouched),
        "{what}: wrote before the output"
    );
    assert!(
        (before + n..buffer.len()).all(untouched),
        "{what}: wrote after the output"
    );
    let eps = T::epsilon().to_f64();
    for j in 0..n {
        let c = if accumulate {
            original[before + j].to_f64()
        } else {
            0.0
        };
        let terms = (0..k).map(|p| x[p].to_f64() * w[p * n + j].to_f64());
        let expected = c + terms.clone().sum::<f64>();
        let magnitude = c.abs() + terms.map(f64::abs).sum::<f64>();
        let got = buffer[before + j].to_f64();
        let bound = (k + 2) as f64 * eps * magnitude;
        assert!(
            (got - expected).abs() <= bound,
            "{what}, column {j}: {got:e}, expected {expected:e} within {bound:e}"
        );
    }
}

fn check_every_path<T: Sample>(seed: u64) {
    let mut rng = Rng(seed);
    for (name, path) in paths() {
        for _ in 0..CASES {
            check_case::<T>(name, T::kernel(path), &mut rng);
        }
    }
}

#[test]
fn f32_rows_times_matrices_match_the_plain_sum_on_every_path() {
    check_every_path::<f32>(1);
}

#[test]
fn f64_rows_times_matrices_match_the_plain_sum_on_every_path() {
    check_every_path::<f64>(2);
}

#[test]
fn empty_products_give_zero_or_keep_the_output() {
    for (name, path) in paths() {
        let mut out = [1.5_f32, -2.0, 3.0];
        (path.f32.row_times_matrix)(&[], &[], &mut out, true);
        assert_eq!(out, [1.5, -2.0, 3.0], "{name}: accumulating nothing");
        (path.f32.row_times_matrix)(&[], &[], &mut out, false);
        assert_eq!(out, [0.0; 3], "{name}: the empty sum");
        (path.f64.row_times_matrix)(&[1.0, 2.0], &[], &mut [], false);
    }
}

//! The squared and absolute error kernels (regression.rs) on every path, on
//! random slices of random lengths at random offsets, with NaN, `±inf`,
//! `±0`, equal pairs and subnormals: the gradients bit for bit the scalar
//! formulas of src/loss/, the sums within the rounding of a sum of their
//! terms (added in another order), NaN where a term is NaN.

use super::bce::Sample;
use super::{Rng, paths};
use crate::kernels::Kernels;

/// Cases per element type (each run on every path).
const CASES: usize = if cfg!(debug_assertions) { 300 } else { 3000 };

/// A value with the specials; `nan_odds` in 1000.
fn random_value<T: Sample>(rng: &mut Rng, nan_odds: usize) -> T {
    if rng.below(1000) < nan_odds {
        return T::nan();
    }
    let sign = if rng.below(2) == 0 { 1.0 } else { -1.0 };
    match rng.below(14) {
        0 => T::zero(),
        1 => T::neg_zero(),
        2 => T::from_f64(sign) * T::infinity(),
        3 => T::from_f64(sign) * T::min_positive_value() / T::from_f64(8.0),
        4 => T::from_f64(sign * 1e30),
        _ => T::from_f64(sign * (rng.unit() * 20.0 - 10.0).exp2()),
    }
}

/// `(labels, values)` of a random length, and where the slices start.
fn random_case<T: Sample>(rng: &mut Rng) -> (Vec<T>, Vec<T>, usize) {
    let len = match rng.below(3) {
        0 => rng.below(20),
        1 => rng.below(200),
        _ => 200 + rng.below(2000),
    };
    let offset = rng.below(17);
    let nan_odds = if rng.below(4) == 0 { 5 } else { 0 };
    let labels: Vec<T> = (0..offset + len)
        .map(|_| random_value(rng, nan_odds))
        .collect();
    let mut values: Vec<T> = (0..offset + len)
        .map(|_| random_value(rng, nan_odds))
        .collect();
    for i in 0..values.len() {
        if rng.below(8) == 0 {
            values[i] = labels[i];
        }
    }
    (labels, values, offset)
}

/// The scalar slopes of src/loss/elementwise.rs, scaled as the loss does.
fn squared_slope<T: Sample>(y: T, p: T, scale: T) -> T {
    let e = p - y;
    (e + e) * scale
}

fn absolute_slope<T: Sample>(y: T, p: T, scale: T) -> T {
    let e = p - y;
    let sign = if e == T::zero() {
        T::zero()
    } else {
        e.signum()
    };
    sign * scale
}

/// A sum kernel: `Σ f(y, p)`.
type SumKernel<T> = fn(&[T], &[T]) -> T;

/// A slopes kernel: `out ← f'(y, p)·scale`.
type SlopesKernel<T> = fn(&[T], &[T], &mut [T], T);

/// One kernel pair under test: its sum, its slopes, and the scalar term
/// and slope.
struct Pair<T> {
    name: &'static str,
    sum: fn(&Kernels<T>) -> SumKernel<T>,
    slopes: fn(&Kernels<T>) -> SlopesKernel<T>,
    term: fn(T, T) -> T,
    slope: fn(T, T, T) -> T,
}

fn pairs<T: Sample>() -> [Pair<T>; 2] {
    [
        Pair {
            name: "squared_error",
            sum: |k| k.squared_error_sum,
            slopes: |k| k.squared_error_slopes,
            term: |y, p| (p - y) * (p - y),
            slope: squared_slope,
        },
        Pair {
            name: "absolute_error",
            sum: |k| k.absolute_error_sum,
            slopes: |k| k.absolute_error_slopes,
            term: |y, p| (p - y).abs(),
            slope: absolute_slope,
        },
    ]
}

/// Whether `sum` is the sum of `terms` within the rounding of any order of
/// additions: `n·ε` of the sum of magnitudes (inf and NaN exactly).
fn is_sum_of<T: Sample>(sum: T, terms: &[T]) -> bool {
    let exact: f64 = terms.iter().map(|t| t.widen()).sum();
    let magnitude: f64 = terms.iter().map(|t| t.widen().abs()).sum();
    if exact.is_nan() {
        return sum.is_nan();
    }
    if exact.is_infinite() {
        return sum.widen() == exact;
    }
    let tolerance = (terms.len() as f64 + 8.0) * T::epsilon().widen() * magnitude;
    (sum.widen() - exact).abs() <= tolerance
        || (sum.is_infinite() && magnitude > T::max_value().widen() / 2.0)
}

fn check_type<T: Sample>(seed: u64) {
    let mut rng = Rng(seed);
    for _ in 0..CASES {
        let (labels, values, offset) = random_case::<T>(&mut rng);
        let (y, p) = (&labels[offset..], &values[offset..]);
        let scale = T::from_f64(rng.unit() + 1e-3);
        for pair in pairs::<T>() {
            let terms: Vec<T> = y.iter().zip(p).map(|(&y, &p)| (pair.term)(y, p)).collect();
            let expected: Vec<T> = y
                .iter()
                .zip(p)
                .map(|(&y, &p)| (pair.slope)(y, p, scale))
                .collect();
            for (path, isa) in paths() {
                let kernels = T::kernels(isa);
                let sum = (pair.sum)(kernels)(y, p);
                assert!(
                    is_sum_of(sum, &terms),
                    "{} sum on {path}: {sum:?} for {} terms",
                    pair.name,
                    terms.len()
                );
                let mut out = vec![T::nan(); y.len()];
                (pair.slopes)(kernels)(y, p, &mut out, scale);
                for (i, (&got, &want)) in out.iter().zip(&expected).enumerate() {
                    let same = got.to_bits_eq(want);
                    assert!(
                        same,
                        "{} slope {i} on {path}: {got:?}, scalar {want:?} (y {:?}, p {:?})",
                        pair.name, y[i], p[i]
                    );
                }
            }
        }
    }
}

/// Bit equality, NaN equal to NaN.
trait BitsEq {
    fn to_bits_eq(self, other: Self) -> bool;
}

impl<T: Sample> BitsEq for T {
    fn to_bits_eq(self, other: T) -> bool {
        (self.is_nan() && other.is_nan())
            || (self == other && self.is_sign_negative() == other.is_sign_negative())
    }
}

#[test]
fn regression_kernels_match_the_scalar_losses_f32() {
    check_type::<f32>(0x5eed_0001);
}

#[test]
fn regression_kernels_match_the_scalar_losses_f64() {
    check_type::<f64>(0x5eed_0002);
}

//! The finiteness check (finite.rs) on every path against `is_finite`:
//! random slices of every length up to a few blocks at random offsets,
//! finite values of every magnitude (the largest, whose difference still
//! cancels; subnormals; `±0`), with none, one or several of `±inf` and
//! NaN at random places (in the unrolled blocks, the single vectors and
//! the tail).

use super::bce::Sample;
use super::{Rng, paths};

/// Cases per element type (each run on every path).
const CASES: usize = if cfg!(debug_assertions) { 2000 } else { 20000 };

fn finite_value<T: Sample>(rng: &mut Rng) -> T {
    let sign = if rng.below(2) == 0 { 1.0 } else { -1.0 };
    match rng.below(8) {
        0 => T::zero(),
        1 => T::neg_zero(),
        2 => T::from_f64(sign) * T::max_value(),
        3 => T::from_f64(sign) * T::min_positive_value() / T::from_f64(8.0),
        _ => T::from_f64(sign * (rng.unit() * 200.0 - 100.0).exp2()),
    }
}

fn check_type<T: Sample>(seed: u64) {
    let mut rng = Rng(seed);
    let specials = [T::infinity(), T::neg_infinity(), T::nan()];
    for (name, path) in paths() {
        let kernel = T::kernels(path).all_finite;
        for case in 0..CASES {
            let (offset, len) = (rng.below(17), rng.below(300));
            let mut values: Vec<T> = (0..offset + len).map(|_| finite_value(&mut rng)).collect();
            for _ in 0..rng.below(3) {
                if len > 0 {
                    values[offset + rng.below(len)] = specials[rng.below(3)];
                }
            }
            let xs = &values[offset..];
            let expected = xs.iter().all(|x| x.is_finite());
            assert_eq!(kernel(xs), expected, "{name}, case {case}: {xs:?}");
        }
    }
}

#[test]
fn all_finite_agrees_with_is_finite_f32() {
    check_type::<f32>(0xf1e1_0001);
}

#[test]
fn all_finite_agrees_with_is_finite_f64() {
    check_type::<f64>(0xf1e1_0002);
}

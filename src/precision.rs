//! Element types narrower than `f32` (`half::f16`, `half::bf16`): where
//! their own arithmetic would go wrong, the crate computes wider.
//!
//! An `f16` holds integers exactly only up to 2048 and has 11 significant
//! bits (`bf16`: 256 and 8), so a running sum in the element type stops
//! growing: 20 000 correct predictions summed in `f16` stay at 2048, an
//! accuracy of 0.10 instead of 1. Sums over samples (losses, accuracies,
//! the bias gradient) therefore accumulate in `f64` for these types and are
//! rounded to `T` once; the optimizers keep their state and do their
//! arithmetic in `f32` (src/optimizer/mod.rs). `f32`, `f64` and any type at
//! least as wide keep their arithmetic in `T`, operation for operation as
//! Keras does.

use num_traits::{Float, ToPrimitive};

/// Whether `T` has less precision or less range than `f32`.
pub(crate) fn is_narrow<T: Float>() -> bool {
    widen(T::epsilon()) > f64::from(f32::EPSILON) || widen(T::max_value()) < f64::from(f32::MAX)
}

/// `value` in the float type `B`, rounded once: the crate's one
/// conversion between float types. Every `Float` can represent a rounding
/// of any other float's value (or infinity), so the NaN fallback is never
/// taken by the float types the crate knows.
pub(crate) fn cast<A: ToPrimitive, B: Float>(value: A) -> B {
    B::from(value).unwrap_or_else(B::nan)
}

/// `value` (an `f64` constant or parameter) in `T`, rounded once.
pub(crate) fn narrow<T: Float>(value: f64) -> T {
    cast(value)
}

/// `value` as an `f64` (exact for every type narrower than `f64`).
pub(crate) fn widen<T: Float>(value: T) -> f64 {
    cast(value)
}

/// A running sum: in `T` for `f32`, `f64` and wider types (the order of
/// operations Keras has), in `f64` for narrow types, rounded to `T` once
/// when read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Accumulator<T> {
    narrow: bool,
    sum: T,
    wide: f64,
}

impl<T: Float> Accumulator<T> {
    /// An empty sum.
    pub(crate) fn new() -> Self {
        Self {
            narrow: is_narrow::<T>(),
            sum: T::zero(),
            wide: 0.0,
        }
    }

    /// Adds `value`.
    pub(crate) fn add(&mut self, value: T) {
        if self.narrow {
            self.wide += widen(value);
        } else {
            self.sum = self.sum + value;
        }
    }

    /// Adds `value · factor` (the product also wide for narrow types).
    pub(crate) fn add_scaled(&mut self, value: T, factor: usize) {
        if self.narrow {
            self.wide += widen(value) * factor as f64;
        } else {
            self.sum = self.sum + value * narrow(factor as f64);
        }
    }

    /// Adds another sum.
    pub(crate) fn merge(&mut self, other: Self) {
        self.sum = self.sum + other.sum;
        self.wide += other.wide;
    }

    /// The sum divided by `count` (the division also wide for narrow
    /// types).
    pub(crate) fn mean(&self, count: usize) -> T {
        if self.narrow {
            narrow(self.wide / count as f64)
        } else {
            self.sum / narrow(count as f64)
        }
    }

    /// The sum.
    pub(crate) fn total(&self) -> T {
        if self.narrow {
            narrow(self.wide)
        } else {
            self.sum
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_types_narrower_than_f32_are_narrow() {
        assert!(!is_narrow::<f32>());
        assert!(!is_narrow::<f64>());
        assert!(is_narrow::<half::f16>());
        assert!(is_narrow::<half::bf16>());
    }

    #[test]
    fn narrow_sums_keep_counting_past_2048() {
        let mut sum = Accumulator::<half::f16>::new();
        (0..20_000).for_each(|_| sum.add(half::f16::ONE));
        assert_eq!(sum.mean(20_000), half::f16::ONE);
        assert_eq!(sum.total(), half::f16::from_f32(20_000.0));
        let mut exact = Accumulator::<f32>::new();
        exact.add_scaled(0.5, 3);
        assert_eq!(exact.total(), 1.5);
    }
}

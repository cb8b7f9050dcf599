//! What the piecewise-linear activations share: the clamp of their scalar
//! definitions (the same comparisons, in the same order, as the kernels in
//! `kernels/piecewise.rs`, so that both give the same bits) and the range
//! checks of their parameters.

use crate::Error;
use crate::precision::widen;
use num_traits::Float;

/// `v` limited to `[lo, hi]`, NaN kept: `lo` unless `v > lo` (so
/// `clamp(-0, 0, hi) = +0`), then `hi` if `hi < v`.
pub(super) fn clamp<T: Float>(v: T, lo: T, hi: T) -> T {
    let above_lo = if v.is_nan() || v > lo { v } else { lo };
    if hi < above_lo { hi } else { above_lo }
}

/// `Ok` for a finite `value ≥ 0`: thresholds, slopes and caps that Keras
/// refuses when negative.
pub(super) fn non_negative<T: Float>(name: &'static str, value: T) -> Result<(), Error> {
    if value.is_finite() && value >= T::zero() {
        Ok(())
    } else {
        Err(invalid(name, "a finite number ≥ 0", value))
    }
}

/// `Ok` for a finite `value`.
pub(super) fn finite<T: Float>(name: &'static str, value: T) -> Result<(), Error> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(invalid(name, "a finite number", value))
    }
}

fn invalid<T: Float>(name: &'static str, expected: &'static str, value: T) -> Error {
    Error::InvalidParameter {
        name,
        expected,
        found: widen(value).to_string(),
    }
}

//! The soft shrinkage.

use super::piecewise::{clamp, non_negative};
use super::{Activation, BuiltinActivation, KerasName, Parameters, dispatch};
use crate::Error;
use crate::kernels;
use crate::precision::{narrow, widen};
use num_traits::Float;

/// `soft_shrink(x) = x - threshold` above `threshold`, `x + threshold`
/// below `-threshold`, `0` between: Keras's `soft_shrink` (default
/// threshold `0.5`), computed as `x - clamp(x, -threshold, threshold)`.
///
/// One rounding, so correctly rounded. NaN gives NaN (TensorFlow returns
/// `0`, since its comparisons with NaN are false); `±inf` stay. The
/// derivative is `1` where `|x| > threshold` and `0` elsewhere, including
/// at `±threshold` (TensorFlow's convention) and at NaN.
///
/// The threshold must be a finite number `≥ 0` ([`SoftShrink::new`]
/// refuses others): with a negative one TensorFlow's formula is no longer
/// a shrinkage (it jumps at `-threshold`), and Keras's PyTorch backend
/// refuses it.
///
/// # Plot
///
/// `soft_shrink(x)` with threshold `0.5` (blue) and its derivative (orange)
/// over `[-5, 5]`, drawn with its [`apply`](Activation::apply) and
/// [`derivative`](Activation::derivative) by
/// `cargo run --example plot_activations`. The dots mark
/// `soft_shrink'(±0.5) = 0`.
///
#[doc = include_str!("../../docs/img/soft_shrink.svg")]
///
/// # Example
///
/// ```
/// use neurite::{Activation, SoftShrink};
///
/// let shrink = SoftShrink::<f32>::default();
/// let mut xs = [-2.0, 0.5, 0.75];
/// shrink.apply_slice(&mut xs);
/// assert_eq!(xs, [-1.5, 0.0, 0.25]);
/// assert!(SoftShrink::new(-1.0_f64).is_err());
/// ```
#[derive(Clone, Copy, PartialEq)]
pub struct SoftShrink<T> {
    threshold: T,
}

impl<T: Float> SoftShrink<T> {
    /// The soft shrinkage with this threshold.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for a threshold below 0 or not finite.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::{Activation, SoftShrink};
    ///
    /// let shrink = SoftShrink::new(1.0_f64)?;
    /// assert_eq!(shrink.apply(3.0), 2.0);
    /// assert_eq!(shrink.threshold(), 1.0);
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn new(threshold: T) -> Result<Self, Error> {
        Self::check((threshold,))?;
        Ok(Self { threshold })
    }

    /// The threshold.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::SoftShrink;
    ///
    /// assert_eq!(SoftShrink::<f32>::default().threshold(), 0.5);
    /// ```
    pub fn threshold(&self) -> T {
        self.threshold
    }
}

impl<T: Float> Default for SoftShrink<T> {
    /// Keras's default, threshold `0.5`.
    fn default() -> Self {
        Self {
            threshold: narrow(0.5),
        }
    }
}

impl<T: Float> Parameters<T> for SoftShrink<T> {
    type Values = (T,);

    fn keras_default() -> Self {
        Self::default()
    }
    fn values(&self) -> (T,) {
        (self.threshold,)
    }
    fn from_values((threshold,): (T,)) -> Self {
        Self { threshold }
    }
    fn check((threshold,): (T,)) -> Result<(), Error> {
        non_negative("threshold", threshold)
    }
}

impl<T: Float> Activation<T> for SoftShrink<T> {
    fn apply(&self, x: T) -> T {
        x - clamp(x, -self.threshold, self.threshold)
    }

    fn derivative(&self, x: T) -> T {
        if x.abs() > self.threshold {
            T::one()
        } else {
            T::zero()
        }
    }

    fn apply_slice(&self, xs: &mut [T]) {
        // Exact for the f32 and f64 thresholds the kernels take.
        let threshold = widen(self.threshold);
        dispatch::map_in_place(
            xs,
            |xs| (kernels::f32_kernels().soft_shrink)(xs, threshold as f32, -threshold as f32),
            |xs| (kernels::f64_kernels().soft_shrink)(xs, threshold, -threshold),
            |x| self.apply(x),
        );
    }

    builtin_methods!(elementwise);
}

// Written by hand so that every `Float`, not only `Debug` ones, qualifies.
impl<T: Float> std::fmt::Debug for SoftShrink<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SoftShrink")
            .field("threshold", &self.threshold.to_f64())
            .finish()
    }
}

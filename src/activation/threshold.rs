//! The threshold function: `x` above a threshold, a constant elsewhere.

use super::piecewise::finite;
use super::{Activation, BuiltinActivation, KerasName, Parameters, dispatch};
use crate::Error;
use crate::kernels;
use crate::precision::widen;
use num_traits::Float;

/// `threshold(x) = x` where `x > threshold`, else `default_value`:
/// Keras's `threshold(x, threshold, default_value)`.
///
/// Exact. NaN gives NaN (TensorFlow returns `default_value`, since its
/// comparison with NaN is false); `inf` stays, `-inf` gives
/// `default_value`. The derivative is `1` where `x > threshold` and `0`
/// elsewhere, including at `threshold` (TensorFlow's convention) and at
/// NaN.
///
/// Keras's function has no default arguments, so the string
/// `"threshold"` fails in Keras; parsed here it gives threshold `0` and
/// default value `0`, which is `relu`. Both parameters may be any finite
/// number.
///
/// # Plot
///
/// `threshold(x)` with threshold `0.5` and default value `-1` (blue) and
/// its derivative (orange) over `[-5, 5]`, drawn with its
/// [`apply`](Activation::apply) and [`derivative`](Activation::derivative)
/// by `cargo run --example plot_activations`. The dot marks
/// `threshold'(0.5) = 0`.
///
#[doc = include_str!("../../docs/img/threshold.svg")]
///
/// # Example
///
/// ```
/// use neurite::{Activation, Threshold};
///
/// let step = Threshold::new(0.5_f32, -1.0)?;
/// let mut xs = [0.25, 0.5, 2.0];
/// step.apply_slice(&mut xs);
/// assert_eq!(xs, [-1.0, -1.0, 2.0]);
/// assert!(step.apply(f32::NAN).is_nan());
/// # Ok::<(), neurite::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq)]
pub struct Threshold<T> {
    threshold: T,
    default_value: T,
}

impl<T: Float> Threshold<T> {
    /// `x` above `threshold`, `default_value` elsewhere.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for a parameter that is not finite.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::{Activation, Threshold};
    ///
    /// let step = Threshold::new(0.0_f64, 0.0)?;
    /// assert_eq!((step.threshold(), step.default_value()), (0.0, 0.0));
    /// assert!(Threshold::new(f64::NAN, 0.0).is_err());
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn new(threshold: T, default_value: T) -> Result<Self, Error> {
        Self::check((threshold, default_value))?;
        Ok(Self {
            threshold,
            default_value,
        })
    }

    /// The threshold.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::Threshold;
    ///
    /// assert_eq!(Threshold::new(0.5_f32, -1.0)?.threshold(), 0.5);
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn threshold(&self) -> T {
        self.threshold
    }

    /// The value at and below the threshold.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::Threshold;
    ///
    /// assert_eq!(Threshold::new(0.5_f32, -1.0)?.default_value(), -1.0);
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn default_value(&self) -> T {
        self.default_value
    }
}

impl<T: Float> Parameters<T> for Threshold<T> {
    type Values = (T, T);

    /// Keras has no defaults: threshold `0`, default value `0`.
    fn keras_default() -> Self {
        Self::from_values((T::zero(), T::zero()))
    }
    fn values(&self) -> (T, T) {
        (self.threshold, self.default_value)
    }
    fn from_values((threshold, default_value): (T, T)) -> Self {
        Self {
            threshold,
            default_value,
        }
    }
    fn check((threshold, default_value): (T, T)) -> Result<(), Error> {
        finite("threshold", threshold)?;
        finite("default_value", default_value)
    }
}

impl<T: Float> Activation<T> for Threshold<T> {
    fn apply(&self, x: T) -> T {
        if x.is_nan() || x > self.threshold {
            x
        } else {
            self.default_value
        }
    }

    fn derivative(&self, x: T) -> T {
        if x > self.threshold {
            T::one()
        } else {
            T::zero()
        }
    }

    fn apply_slice(&self, xs: &mut [T]) {
        // Exact for the f32 and f64 parameters the kernels take.
        let (threshold, default_value) = (widen(self.threshold), widen(self.default_value));
        dispatch::map_in_place(
            xs,
            |xs| (kernels::f32_kernels().threshold)(xs, threshold as f32, default_value as f32),
            |xs| (kernels::f64_kernels().threshold)(xs, threshold, default_value),
            |x| self.apply(x),
        );
    }

    builtin_methods!(elementwise);
}

// Written by hand so that every `Float`, not only `Debug` ones, qualifies.
impl<T: Float> std::fmt::Debug for Threshold<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Threshold")
            .field("threshold", &self.threshold.to_f64())
            .field("default_value", &self.default_value.to_f64())
            .finish()
    }
}

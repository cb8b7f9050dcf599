//! Keras's `relu` with its arguments: a slope below a threshold and a cap.

use super::piecewise::non_negative;
use super::{Activation, BuiltinActivation, KerasName, Parameters, dispatch};
use crate::Error;
use crate::kernels;
use crate::precision::{narrow, widen};
use num_traits::Float;

/// Keras's `relu(x, negative_slope, max_value, threshold)`: `x` above
/// `threshold`, capped at `max_value`; `negative_slope · (x - threshold)`
/// below `threshold`; `0` at `threshold`.
///
/// So `relu(x, threshold=1)` jumps from `0` to `1` at `1`, and the slope
/// applies to the distance below the threshold, not to `x`. With the
/// defaults (slope `0`, no cap, threshold `0`) this is [`Relu`](crate::Relu),
/// which stays the type of the plain `"relu"`; this type is the table's
/// `"relu_with"`, for a `Dense` layer that Keras gave arguments.
///
/// Exact but for `negative_slope · (x - threshold)`, two roundings
/// (within 2 ULP; `x - threshold` is exact near the threshold). NaN gives
/// NaN (TensorFlow returns `0` when a threshold is set). The parameters
/// are used as given, in the network's type, like
/// [`LeakyRelu`](crate::LeakyRelu)'s slope: TensorFlow rounds the slope to
/// `f32` when only `negative_slope` is set (its `leaky_relu`), and the
/// threshold and cap to `f32` in the comparisons, also in `f64` networks;
/// give `f64::from(0.1_f32)` to reproduce that.
///
/// The derivative follows TensorFlow's conventions at the kinks. With only
/// `negative_slope` set, Keras calls `leaky_relu`: `1` above `0`, the slope
/// at and below `0` and at NaN. Otherwise it is `negative_slope` below the
/// threshold, `0` at it, `1` above it up to and including `max_value`
/// (TensorFlow's clip passes the gradient at its bound), and `0` above the
/// cap and at NaN; except that with threshold `0` and `max_value` `6`
/// Keras calls `relu6`, whose derivative is `0` at `6`.
///
/// Parameters must be finite and `≥ 0` (Keras's `ReLU` layer refuses
/// negative ones).
///
/// # Plot
///
/// Slope `0.1`, cap `4`, threshold `1` (blue) and the derivative (orange)
/// over `[-5, 5]`, drawn with its [`apply`](Activation::apply) and
/// [`derivative`](Activation::derivative) by
/// `cargo run --example plot_activations`. The dots mark the derivative at
/// the threshold (`0`) and at the cap (`1`).
///
#[doc = include_str!("../../docs/img/relu_with.svg")]
///
/// # Example
///
/// ```
/// use neurite::{Activation, ReluWith};
///
/// let relu = ReluWith::new(0.5_f32, Some(4.0), 1.0)?;
/// let mut xs = [-1.0, 1.0, 3.0, 9.0];
/// relu.apply_slice(&mut xs);
/// assert_eq!(xs, [-1.0, 0.0, 3.0, 4.0]);
/// assert_eq!(relu.derivative(4.0), 1.0);
/// # Ok::<(), neurite::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq)]
pub struct ReluWith<T> {
    negative_slope: T,
    max_value: Option<T>,
    threshold: T,
}

impl<T: Float> ReluWith<T> {
    /// Keras's `relu` with these arguments (`None`: no cap).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for a parameter below 0 or not finite.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::{Activation, ReluWith};
    ///
    /// let leaky = ReluWith::new(0.25_f64, None, 0.0)?;
    /// assert_eq!(leaky.apply(-2.0), -0.5);
    /// assert!(ReluWith::new(0.0_f64, None, -1.0).is_err());
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn new(negative_slope: T, max_value: Option<T>, threshold: T) -> Result<Self, Error> {
        Self::check((negative_slope, max_value, threshold))?;
        Ok(Self::from_values((negative_slope, max_value, threshold)))
    }

    /// The slope below the threshold.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::ReluWith;
    ///
    /// assert_eq!(ReluWith::new(0.5_f32, None, 0.0)?.negative_slope(), 0.5);
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn negative_slope(&self) -> T {
        self.negative_slope
    }

    /// The cap, if any.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::ReluWith;
    ///
    /// assert_eq!(ReluWith::new(0.0_f32, Some(6.0), 0.0)?.max_value(), Some(6.0));
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn max_value(&self) -> Option<T> {
        self.max_value
    }

    /// The threshold.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::ReluWith;
    ///
    /// assert_eq!(ReluWith::<f64>::default().threshold(), 0.0);
    /// ```
    pub fn threshold(&self) -> T {
        self.threshold
    }

    /// Whether Keras takes TensorFlow's `leaky_relu` for these arguments.
    fn is_leaky_relu(&self) -> bool {
        self.negative_slope != T::zero() && self.max_value.is_none() && self.threshold == T::zero()
    }

    /// Whether Keras takes TensorFlow's `relu6` for these arguments.
    fn is_relu6(&self) -> bool {
        self.threshold == T::zero() && self.max_value == Some(narrow(6.0))
    }
}

impl<T: Float> Default for ReluWith<T> {
    /// Keras's defaults: slope `0`, no cap, threshold `0` (plain relu).
    fn default() -> Self {
        Self::from_values((T::zero(), None, T::zero()))
    }
}

impl<T: Float> Parameters<T> for ReluWith<T> {
    type Values = (T, Option<T>, T);

    fn keras_default() -> Self {
        Self::default()
    }
    fn values(&self) -> (T, Option<T>, T) {
        (self.negative_slope, self.max_value, self.threshold)
    }
    fn from_values((negative_slope, max_value, threshold): (T, Option<T>, T)) -> Self {
        Self {
            negative_slope,
            max_value,
            threshold,
        }
    }
    fn check((negative_slope, max_value, threshold): (T, Option<T>, T)) -> Result<(), Error> {
        non_negative("negative_slope", negative_slope)?;
        max_value.map_or(Ok(()), |m| non_negative("max_value", m))?;
        non_negative("threshold", threshold)
    }
}

impl<T: Float> Activation<T> for ReluWith<T> {
    fn apply(&self, x: T) -> T {
        let (slope, threshold) = (self.negative_slope, self.threshold);
        if slope != T::zero() && x < threshold {
            slope * (x - threshold)
        } else if x.is_nan() || x > threshold {
            match self.max_value {
                Some(max_value) if max_value < x => max_value,
                _ => x,
            }
        } else {
            T::zero()
        }
    }

    fn derivative(&self, x: T) -> T {
        if self.is_leaky_relu() {
            return if x > T::zero() {
                T::one()
            } else {
                self.negative_slope
            };
        }
        let passes = if self.is_relu6() {
            x > T::zero() && x < narrow(6.0)
        } else {
            x > self.threshold && self.max_value.is_none_or(|m| x <= m)
        };
        match (passes, x < self.threshold) {
            (true, _) => T::one(),
            (false, true) => self.negative_slope,
            (false, false) => T::zero(),
        }
    }

    fn apply_slice(&self, xs: &mut [T]) {
        // Exact for the f32 and f64 parameters the kernels take; the slope
        // starts at -inf (never) when it is 0, so that 0 · -inf is not formed.
        let slope = widen(self.negative_slope);
        let max_value = self.max_value.map_or(f64::INFINITY, widen);
        let threshold = widen(self.threshold);
        let slope_from = if slope == 0.0 {
            f64::NEG_INFINITY
        } else {
            threshold
        };
        dispatch::map_in_place(
            xs,
            |xs| {
                let [s, m, t, from] = [slope, max_value, threshold, slope_from].map(|v| v as f32);
                (kernels::f32_kernels().relu_with)(xs, s, m, t, from)
            },
            |xs| (kernels::f64_kernels().relu_with)(xs, slope, max_value, threshold, slope_from),
            |x| self.apply(x),
        );
    }

    builtin_methods!(elementwise);
}

// Written by hand so that every `Float`, not only `Debug` ones, qualifies.
impl<T: Float> std::fmt::Debug for ReluWith<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReluWith")
            .field("negative_slope", &self.negative_slope.to_f64())
            .field("max_value", &self.max_value.and_then(|m| m.to_f64()))
            .field("threshold", &self.threshold.to_f64())
            .finish()
    }
}

//! The leaky rectified linear unit.

use super::dispatch;
use super::{Activation, BuiltinActivation, KerasName, Parameters};
use crate::kernels;
use crate::precision::{narrow, widen};
use num_traits::Float;

/// The leaky ReLU: `x` for `x > 0`, `slope · x` otherwise.
///
/// With a slope below 1 this is the tutorial's `max(0.1x, x)`.
/// [`LeakyRelu::default`] uses the tutorial's slope of `0.1`. Frameworks
/// disagree on the default, so say the slope when porting a model:
/// Keras 3 uses `0.2` for `activation="leaky_relu"` (and for
/// `keras.activations.leaky_relu`) but `0.3` for the `keras.layers.LeakyReLU`
/// layer, and PyTorch's `nn.LeakyReLU` uses `0.01`. Parsing the Keras name
/// `"leaky_relu"` into a [`BuiltinActivation`](crate::BuiltinActivation)
/// gives Keras's `0.2`.
///
/// The derivative is `1` for `x > 0` and `slope` otherwise (also at `0` and
/// at NaN, as TensorFlow does). NaN gives NaN.
///
/// # Plot
///
/// [`LeakyRelu::default()`](LeakyRelu::default) (slope `0.1`, blue) and its
/// derivative (orange) over `[-5, 5]`, drawn with its
/// [`apply`](Activation::apply) and [`derivative`](Activation::derivative)
/// by `cargo run --example plot_activations`. The dot marks
/// `leaky_relu'(0) = slope`; the open circle is the limit from the right.
///
#[doc = include_str!("../../docs/img/leaky_relu.svg")]
///
/// # Example
///
/// ```
/// use neurite::{Activation, LeakyRelu};
///
/// let tutorial = LeakyRelu::<f64>::default();
/// assert_eq!(tutorial.apply(-2.0), -0.2);
/// assert_eq!(tutorial.slope(), 0.1);
///
/// let pytorch = LeakyRelu::new(0.01_f32);
/// assert_eq!(pytorch.derivative(-1.0), 0.01);
/// assert_eq!(pytorch.apply(3.0), 3.0);
/// ```
#[derive(Clone, Copy, PartialEq)]
pub struct LeakyRelu<T> {
    slope: T,
}

impl<T: Float> LeakyRelu<T> {
    /// A leaky ReLU with the given slope for negative inputs, in the
    /// network's float type.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::{Activation, LeakyRelu};
    ///
    /// assert_eq!(LeakyRelu::new(0.3_f32).apply(-1.0), -0.3);
    /// ```
    pub fn new(slope: T) -> Self {
        Self { slope }
    }

    /// The slope for negative inputs.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::LeakyRelu;
    ///
    /// assert_eq!(LeakyRelu::new(0.2_f64).slope(), 0.2);
    /// ```
    pub fn slope(&self) -> T {
        self.slope
    }
}

impl<T: Float> Default for LeakyRelu<T> {
    /// The tutorial's `max(0.1x, x)`: slope `0.1`.
    fn default() -> Self {
        Self::new(narrow(0.1))
    }
}

impl<T: Float> Parameters<T> for LeakyRelu<T> {
    type Values = (T,);

    /// Keras's `activation="leaky_relu"`: slope `0.2` as TensorFlow stores
    /// it, the `f32` nearest 0.2 (also in `f64` networks).
    fn keras_default() -> Self {
        Self::new(narrow(f64::from(0.2_f32)))
    }
    fn values(&self) -> (T,) {
        (self.slope,)
    }
    fn from_values((slope,): (T,)) -> Self {
        Self::new(slope)
    }
}

impl<T: Float> Activation<T> for LeakyRelu<T> {
    fn apply(&self, x: T) -> T {
        if x > T::zero() { x } else { self.slope * x }
    }

    fn derivative(&self, x: T) -> T {
        if x > T::zero() { T::one() } else { self.slope }
    }

    fn apply_slice(&self, xs: &mut [T]) {
        // Exact for the f32 and f64 slopes the kernels take.
        let slope = widen(self.slope);
        dispatch::map_in_place(
            xs,
            |xs| (kernels::f32_kernels().leaky_relu)(xs, slope as f32),
            |xs| (kernels::f64_kernels().leaky_relu)(xs, slope),
            |x| self.apply(x),
        );
    }

    builtin_methods!(elementwise);
}

// Written by hand so that every `Float`, not only `Debug` ones, qualifies.
impl<T: Float> std::fmt::Debug for LeakyRelu<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LeakyRelu")
            .field("slope", &self.slope.to_f64())
            .finish()
    }
}

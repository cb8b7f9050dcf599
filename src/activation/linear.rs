//! The identity.

use super::{Activation, BuiltinActivation, KerasName};
use num_traits::Float;

/// The identity `f(x) = x` (Keras's `"linear"`, i.e. no activation).
///
/// Its derivative is `1` everywhere, NaN and infinities included.
///
/// # Plot
///
/// `f(x) = x` (blue) and its derivative `1` (orange) over `[-5, 5]`, drawn
/// with this type's [`apply`](Activation::apply) and [`derivative`](Activation::derivative)
/// by `cargo run --example plot_activations`:
///
#[doc = include_str!("../../docs/img/linear.svg")]
///
/// # Example
///
/// ```
/// use neurite::{Activation, Linear};
///
/// assert_eq!(Linear.apply(-3.5_f32), -3.5);
/// assert_eq!(Linear.derivative(f64::NAN), 1.0);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Linear;

impl<T: Float> Activation<T> for Linear {
    fn apply(&self, x: T) -> T {
        x
    }

    fn derivative(&self, _x: T) -> T {
        T::one()
    }

    fn apply_slice(&self, _xs: &mut [T]) {}

    builtin_methods!(elementwise);
}

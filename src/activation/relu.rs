//! The rectified linear unit.

use super::dispatch;
use super::{Activation, BuiltinActivation, KerasName};
use crate::kernels;
use num_traits::Float;

/// The rectified linear unit `relu(x) = max(0, x)`.
///
/// The derivative is `1` for `x > 0` and `0` otherwise (TensorFlow's
/// convention at the kink: `relu'(0) = 0`). NaN gives NaN; its derivative
/// at NaN is `0`.
///
/// # Plot
///
/// `relu(x)` (blue) and its derivative (orange) over `[-5, 5]`, drawn with
/// this type's [`apply`](Activation::apply) and [`derivative`](Activation::derivative)
/// by `cargo run --example plot_activations`. The dot marks `relu'(0) = 0`;
/// the open circle is the limit from the right.
///
#[doc = include_str!("../../docs/img/relu.svg")]
///
/// # Example
///
/// ```
/// use neurite::{Activation, Relu};
///
/// let mut xs = [-2.0_f32, 0.0, 3.5];
/// Relu.apply_slice(&mut xs);
/// assert_eq!(xs, [0.0, 0.0, 3.5]);
/// assert_eq!(Relu.derivative(0.0_f32), 0.0);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Relu;

impl<T: Float> Activation<T> for Relu {
    fn apply(&self, x: T) -> T {
        if x.is_nan() || x > T::zero() {
            x
        } else {
            T::zero()
        }
    }

    fn derivative(&self, x: T) -> T {
        if x > T::zero() { T::one() } else { T::zero() }
    }

    fn apply_slice(&self, xs: &mut [T]) {
        dispatch::map_in_place(
            xs,
            |xs| (kernels::f32_kernels().relu)(xs),
            |xs| (kernels::f64_kernels().relu)(xs),
            |x| self.apply(x),
        );
    }

    builtin_methods!(elementwise);
}

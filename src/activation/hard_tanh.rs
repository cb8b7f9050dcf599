//! The hard hyperbolic tangent.

use super::piecewise::clamp;
use super::{Activation, BuiltinActivation, KerasName, dispatch};
use crate::kernels;
use num_traits::Float;

/// `hard_tanh(x) = min(max(x, -1), 1)`, Keras's `hard_tanh`.
///
/// Exact: the result is `x` or `±1`, `-0` stays `-0`, the limits are `±1`,
/// and NaN gives NaN. The derivative is `1` on `-1 ≤ x ≤ 1` and `0`
/// elsewhere: TensorFlow's clip passes the gradient at both bounds,
/// `hard_tanh'(±1) = 1`; `0` at NaN.
///
/// # Plot
///
/// `hard_tanh(x)` (blue) and its derivative (orange) over `[-5, 5]`, drawn
/// with this type's [`apply`](Activation::apply) and
/// [`derivative`](Activation::derivative) by
/// `cargo run --example plot_activations`. The dots mark
/// `hard_tanh'(±1) = 1`.
///
#[doc = include_str!("../../docs/img/hard_tanh.svg")]
///
/// # Example
///
/// ```
/// use neurite::{Activation, HardTanh};
///
/// let mut xs = [-3.0_f32, 0.25, 2.0];
/// HardTanh.apply_slice(&mut xs);
/// assert_eq!(xs, [-1.0, 0.25, 1.0]);
/// assert_eq!(HardTanh.derivative(1.0_f64), 1.0);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct HardTanh;

impl<T: Float> Activation<T> for HardTanh {
    fn apply(&self, x: T) -> T {
        clamp(x, -T::one(), T::one())
    }

    fn derivative(&self, x: T) -> T {
        if x >= -T::one() && x <= T::one() {
            T::one()
        } else {
            T::zero()
        }
    }

    fn apply_slice(&self, xs: &mut [T]) {
        dispatch::map_in_place(
            xs,
            |xs| (kernels::f32_kernels().clamp)(xs, -1.0, 1.0),
            |xs| (kernels::f64_kernels().clamp)(xs, -1.0, 1.0),
            |x| self.apply(x),
        );
    }

    builtin_methods!(elementwise);
}

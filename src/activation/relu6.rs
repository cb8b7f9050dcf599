//! The rectified linear unit capped at 6.

use super::piecewise::clamp;
use super::{Activation, BuiltinActivation, KerasName, dispatch};
use crate::kernels;
use crate::precision::narrow;
use num_traits::Float;

/// `relu6(x) = min(max(x, 0), 6)`, Keras's `relu6` (TensorFlow's
/// `tf.nn.relu6`).
///
/// Exact: the result is `x`, `0` or `6`. `relu6(-0) = +0`, the limits are
/// `relu6(-inf) = 0` and `relu6(inf) = 6`, and NaN gives NaN. The
/// derivative is `1` on `0 < x < 6` and `0` elsewhere: TensorFlow's
/// convention at both kinks, `relu6'(0) = relu6'(6) = 0`, and `0` at NaN.
///
/// # Plot
///
/// `relu6(x)` (blue) and its derivative (orange) over `[-5, 5]`, drawn with
/// this type's [`apply`](Activation::apply) and
/// [`derivative`](Activation::derivative) by
/// `cargo run --example plot_activations`. The dot marks `relu6'(0) = 0`.
///
#[doc = include_str!("../../docs/img/relu6.svg")]
///
/// # Example
///
/// ```
/// use neurite::{Activation, Relu6};
///
/// let mut xs = [-2.0_f32, 3.5, 8.0];
/// Relu6.apply_slice(&mut xs);
/// assert_eq!(xs, [0.0, 3.5, 6.0]);
/// assert_eq!(Relu6.derivative(6.0_f64), 0.0);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Relu6;

impl<T: Float> Activation<T> for Relu6 {
    fn apply(&self, x: T) -> T {
        clamp(x, T::zero(), narrow(6.0))
    }

    fn derivative(&self, x: T) -> T {
        if x > T::zero() && x < narrow(6.0) {
            T::one()
        } else {
            T::zero()
        }
    }

    fn apply_slice(&self, xs: &mut [T]) {
        dispatch::map_in_place(
            xs,
            |xs| (kernels::f32_kernels().clamp)(xs, 0.0, 6.0),
            |xs| (kernels::f64_kernels().clamp)(xs, 0.0, 6.0),
            |x| self.apply(x),
        );
    }

    builtin_methods!(elementwise);
}

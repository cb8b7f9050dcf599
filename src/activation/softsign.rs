//! The softsign function, `x / (1 + |x|)`.

use super::dispatch;
use super::{Activation, BuiltinActivation, KerasName};
use crate::kernels;
use num_traits::Float;

/// Softsign, `softsign(x) = x / (1 + |x|)`, squashing any real to
/// `(-1, 1)` more slowly than `tanh`.
///
/// `softsign(±inf) = ±1`, the limits (TensorFlow's `x / (1 + |x|)` gives
/// NaN there); NaN gives NaN, `softsign(-0) = -0`. The derivative is
/// `1 / (1 + |x|)²`, `0` at `±inf`.
///
/// # Plot
///
/// `softsign(x)` (blue) and its derivative (orange) over `[-5, 5]`, drawn
/// with this type's [`apply`](Activation::apply) and
/// [`derivative`](Activation::derivative) by `cargo run --example plot_activations`:
///
#[doc = include_str!("../../docs/img/softsign.svg")]
///
/// # Example
///
/// ```
/// use neurite::{Activation, Softsign};
///
/// assert_eq!(Softsign.apply(1.0_f64), 0.5);
/// assert_eq!(Softsign.apply(f32::NEG_INFINITY), -1.0);
/// assert_eq!(Softsign.derivative(1.0_f32), 0.25);
/// let mut xs = [-3.0_f32, 0.0];
/// Softsign.apply_slice(&mut xs);
/// assert_eq!(xs, [-0.75, 0.0]);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Softsign;

impl<T: Float> Activation<T> for Softsign {
    fn apply(&self, x: T) -> T {
        if x.is_infinite() {
            return x.signum();
        }
        x / (T::one() + x.abs())
    }

    fn derivative(&self, x: T) -> T {
        let denominator = T::one() + x.abs();
        let square = denominator * denominator;
        if square.is_finite() {
            T::one() / square
        } else {
            // The square overflows, 1/(1 + |x|)² may still be a number.
            let reciprocal = T::one() / denominator;
            reciprocal * reciprocal
        }
    }

    fn apply_slice(&self, xs: &mut [T]) {
        dispatch::map_in_place(
            xs,
            |xs| (kernels::f32_kernels().softsign)(xs),
            |xs| (kernels::f64_kernels().softsign)(xs),
            |x| self.apply(x),
        );
    }

    builtin_methods!(elementwise);
}

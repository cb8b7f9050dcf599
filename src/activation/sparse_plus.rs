//! The sparse plus, a piecewise-quadratic softplus.

use super::{Activation, BuiltinActivation, KerasName, dispatch};
use crate::kernels;
use crate::precision::narrow;
use num_traits::Float;

/// `sparse_plus(x)`, Keras's `sparse_plus`: `0` up to `-1`, `(x + 1)²/4`
/// on `(-1, 1)`, `x` from `1`.
///
/// Computed as `(x + 1) · (x + 1) · ¼`: `x + 1` is exact near `-1` (where
/// the result is small), so within 2 ULP of the exact value (measured on
/// every `f32` input and on random `f64`s; TensorFlow's formula is also
/// within 2). The ends are exact; NaN gives NaN.
///
/// The derivative is `(x + 1)/2` on `(-1, 1)`, `0` up to `-1` and `1`
/// from `1` (TensorFlow's convention at the kinks, `sparse_plus'(-1) = 0`,
/// `sparse_plus'(1) = 1`). At `±inf` it is the limit, `1` and `0`
/// (TensorFlow: NaN); NaN gives NaN, as in TensorFlow.
///
/// # Plot
///
/// `sparse_plus(x)` (blue) and its derivative (orange) over `[-5, 5]`,
/// drawn with this type's [`apply`](Activation::apply) and
/// [`derivative`](Activation::derivative) by
/// `cargo run --example plot_activations`. The dots mark
/// `sparse_plus'(-1) = 0` and `sparse_plus'(1) = 1`.
///
#[doc = include_str!("../../docs/img/sparse_plus.svg")]
///
/// # Example
///
/// ```
/// use neurite::{Activation, SparsePlus};
///
/// let mut xs = [-2.0_f32, 0.0, 3.0];
/// SparsePlus.apply_slice(&mut xs);
/// assert_eq!(xs, [0.0, 0.25, 3.0]);
/// assert_eq!(SparsePlus.derivative(0.0_f64), 0.5);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct SparsePlus;

impl<T: Float> Activation<T> for SparsePlus {
    fn apply(&self, x: T) -> T {
        if x <= -T::one() {
            T::zero()
        } else if x >= T::one() {
            x
        } else {
            let shifted = x + T::one();
            shifted * shifted * narrow(0.25)
        }
    }

    fn derivative(&self, x: T) -> T {
        if x <= -T::one() {
            T::zero()
        } else if x >= T::one() {
            T::one()
        } else {
            (x + T::one()) * narrow(0.5)
        }
    }

    fn apply_slice(&self, xs: &mut [T]) {
        dispatch::map_in_place(
            xs,
            |xs| (kernels::f32_kernels().sparse_plus)(xs),
            |xs| (kernels::f64_kernels().sparse_plus)(xs),
            |x| self.apply(x),
        );
    }

    builtin_methods!(elementwise);
}

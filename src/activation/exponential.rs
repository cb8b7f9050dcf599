//! The exponential, `e^x`.

use super::dispatch;
use super::{Activation, BuiltinActivation, KerasName};
use crate::kernels;
use num_traits::Float;

/// The exponential `e^x` (Keras's `exponential`), its own derivative.
///
/// Overflows to `inf` above about 88.72 (`f32`) and 709.78 (`f64`), as in
/// TensorFlow; results below the normal range are subnormal and reach 0
/// below about -103.97 (`f32`) and -745.13 (`f64`), where TensorFlow
/// already returns 0 below -87.34 / -708.40 (it flushes subnormals).
/// `e^-inf = 0`, `e^inf = inf`, NaN gives NaN. The kernel (exp.rs) is
/// within 1 ULP of the rounded result on every `f32` input.
///
/// # Plot
///
/// `e^x` (blue) and its derivative (orange, the same curve) over
/// `[-5, 5]`, drawn with this type's [`apply`](Activation::apply) and
/// [`derivative`](Activation::derivative) by
/// `cargo run --example plot_activations`:
///
#[doc = include_str!("../../docs/img/exponential.svg")]
///
/// # Example
///
/// ```
/// use neurite::{Activation, Exponential};
///
/// let mut xs = [0.0_f32, 1.0, f32::NEG_INFINITY];
/// Exponential.apply_slice(&mut xs);
/// assert_eq!(xs, [1.0, std::f32::consts::E, 0.0]);
/// assert_eq!(Exponential.derivative(0.0_f64), 1.0);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Exponential;

impl<T: Float> Activation<T> for Exponential {
    fn apply(&self, x: T) -> T {
        x.exp()
    }

    fn derivative(&self, x: T) -> T {
        x.exp()
    }

    fn apply_slice(&self, xs: &mut [T]) {
        dispatch::map_in_place(
            xs,
            |xs| (kernels::f32_kernels().exp)(xs),
            |xs| (kernels::f64_kernels().exp)(xs),
            |x| self.apply(x),
        );
    }

    builtin_methods!(elementwise);
}

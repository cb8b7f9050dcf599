//! The sparse sigmoid.

use super::piecewise::clamp;
use super::{Activation, BuiltinActivation, KerasName, dispatch};
use crate::kernels;
use crate::precision::narrow;
use num_traits::Float;

/// `sparse_sigmoid(x) = (x + 1) / 2` clamped to `[0, 1]`, Keras's
/// `sparse_sigmoid`: `0` up to `-1`, `1` from `1`.
///
/// Computed as `clamp((x + 1) · ½, 0, 1)`: one rounding (halving is exact),
/// so correctly rounded, with the limits exact. NaN gives NaN. The
/// derivative is `½` on `-1 < x < 1` and `0` elsewhere (TensorFlow's
/// convention at the kinks, `sparse_sigmoid'(±1) = 0`); at NaN it is `½`,
/// as in TensorFlow.
///
/// # Plot
///
/// `sparse_sigmoid(x)` (blue) and its derivative (orange) over `[-5, 5]`,
/// drawn with this type's [`apply`](Activation::apply) and
/// [`derivative`](Activation::derivative) by
/// `cargo run --example plot_activations`. The dots mark
/// `sparse_sigmoid'(±1) = 0`.
///
#[doc = include_str!("../../docs/img/sparse_sigmoid.svg")]
///
/// # Example
///
/// ```
/// use neurite::{Activation, SparseSigmoid};
///
/// let mut xs = [-2.0_f32, 0.5, 1.0];
/// SparseSigmoid.apply_slice(&mut xs);
/// assert_eq!(xs, [0.0, 0.75, 1.0]);
/// assert_eq!(SparseSigmoid.derivative(1.0_f64), 0.0);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct SparseSigmoid;

impl<T: Float> Activation<T> for SparseSigmoid {
    fn apply(&self, x: T) -> T {
        clamp((x + T::one()) * narrow(0.5), T::zero(), T::one())
    }

    fn derivative(&self, x: T) -> T {
        if x <= -T::one() || x >= T::one() {
            T::zero()
        } else {
            narrow(0.5)
        }
    }

    fn apply_slice(&self, xs: &mut [T]) {
        dispatch::map_in_place(
            xs,
            |xs| (kernels::f32_kernels().affine_clamp)(xs, 1.0, 0.5, 0.0, 1.0),
            |xs| (kernels::f64_kernels().affine_clamp)(xs, 1.0, 0.5, 0.0, 1.0),
            |x| self.apply(x),
        );
    }

    builtin_methods!(elementwise);
}

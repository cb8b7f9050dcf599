//! The hard sigmoid of Keras 3.

use super::piecewise::clamp;
use super::{Activation, BuiltinActivation, KerasName, dispatch};
use crate::kernels;
use crate::precision::narrow;
use num_traits::Float;

/// `hard_sigmoid(x) = relu6(x + 3) / 6`, Keras 3's `hard_sigmoid`: `0` up
/// to `-3`, `1` from `3`, a line of slope `1/6` between.
///
/// Keras 2 (and `tf.keras`) used `0.2·x + 0.5`, saturating at `±2.5`: a
/// model trained there needs that function, not this one.
///
/// Computed as `clamp((x + 3) · ⅙, 0, 1)` with `⅙` rounded to the type:
/// within 1 ULP of the exact `(x + 3) / 6` (measured on every `f32` input
/// and on random `f64`s; TensorFlow's `relu6(x + 3) / 6` is also within
/// 1), with the limits `0` and `1` exact. NaN gives NaN. The derivative is
/// `1/6` on `-3 < x < 3` and `0` elsewhere (TensorFlow's convention at
/// the kinks, `hard_sigmoid'(±3) = 0`; `0` at NaN). TensorFlow's own
/// derivative is already `0` at the `f32` just below `3`, where its `x + 3`
/// rounds to `6`; this one is `1/6` there, the exact value.
///
/// # Plot
///
/// `hard_sigmoid(x)` (blue) and its derivative (orange) over `[-5, 5]`,
/// drawn with this type's [`apply`](Activation::apply) and
/// [`derivative`](Activation::derivative) by
/// `cargo run --example plot_activations`. The dots mark
/// `hard_sigmoid'(±3) = 0`.
///
#[doc = include_str!("../../docs/img/hard_sigmoid.svg")]
///
/// # Example
///
/// ```
/// use neurite::{Activation, HardSigmoid};
///
/// let mut xs = [-4.0_f32, 0.0, 1.5, 3.0];
/// HardSigmoid.apply_slice(&mut xs);
/// assert_eq!(xs, [0.0, 0.5, 0.75, 1.0]);
/// assert_eq!(HardSigmoid.derivative(3.0_f64), 0.0);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct HardSigmoid;

/// `1/6`, the slope, rounded to the type.
fn sixth<T: Float>() -> T {
    narrow(1.0 / 6.0)
}

impl<T: Float> Activation<T> for HardSigmoid {
    fn apply(&self, x: T) -> T {
        clamp((x + narrow(3.0)) * sixth(), T::zero(), T::one())
    }

    fn derivative(&self, x: T) -> T {
        if x > narrow(-3.0) && x < narrow(3.0) {
            sixth()
        } else {
            T::zero()
        }
    }

    fn apply_slice(&self, xs: &mut [T]) {
        dispatch::map_in_place(
            xs,
            |xs| (kernels::f32_kernels().affine_clamp)(xs, 3.0, sixth(), 0.0, 1.0),
            |xs| (kernels::f64_kernels().affine_clamp)(xs, 3.0, sixth(), 0.0, 1.0),
            |x| self.apply(x),
        );
    }

    builtin_methods!(elementwise);
}

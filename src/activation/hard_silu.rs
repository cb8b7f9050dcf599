//! The hard SiLU (hard swish).

use super::{Activation, BuiltinActivation, KerasName, dispatch};
use crate::kernels;
use crate::precision::narrow;
use num_traits::Float;

/// `hard_silu(x) = x · relu6(x + 3) / 6`, Keras's `hard_silu` (alias
/// `hard_swish`): `0` up to `-3`, `x` from `3`, `x·(x + 3)/6` between.
///
/// Computed as `x · ((x + 3) · ⅙)` on `(-3, 3)`, with `⅙` rounded to the
/// type: within 2 ULP of the exact value (measured on every `f32` input
/// and on random `f64`s; TensorFlow's formula is also within 2). The ends
/// are exact, and so is the limit `hard_silu(-inf) = 0` (TensorFlow's
/// `-inf · 0` gives NaN there). NaN gives NaN.
///
/// The derivative is `(2x + 3)/6` on `(-3, 3)`, `0` up to `-3` and `1`
/// from `3`: TensorFlow's convention at the kinks, `hard_silu'(-3) = 0`
/// and `hard_silu'(3) = 1`, computed from the exact `x` (TensorFlow's is
/// `1` already at the `f32` just below `3`, where its `x + 3` rounds to
/// `6`). At `±inf` it is the limit, `0` and `1` (TensorFlow: NaN); NaN
/// gives NaN, as in TensorFlow.
///
/// # Plot
///
/// `hard_silu(x)` (blue) and its derivative (orange) over `[-5, 5]`, drawn
/// with this type's [`apply`](Activation::apply) and
/// [`derivative`](Activation::derivative) by
/// `cargo run --example plot_activations`. The dots mark
/// `hard_silu'(-3) = 0` and `hard_silu'(3) = 1`.
///
#[doc = include_str!("../../docs/img/hard_silu.svg")]
///
/// # Example
///
/// ```
/// use neurite::{Activation, HardSilu};
///
/// let mut xs = [-4.0_f32, 1.5, 5.0];
/// HardSilu.apply_slice(&mut xs);
/// assert_eq!(xs, [0.0, 1.125, 5.0]);
/// assert_eq!(HardSilu.derivative(0.0_f64), 0.5);
/// assert_eq!(HardSilu.apply(f64::NEG_INFINITY), 0.0);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct HardSilu;

impl<T: Float> Activation<T> for HardSilu {
    fn apply(&self, x: T) -> T {
        let three: T = narrow(3.0);
        if x <= -three {
            T::zero()
        } else if x >= three {
            x
        } else {
            x * ((x + three) * narrow(1.0 / 6.0))
        }
    }

    fn derivative(&self, x: T) -> T {
        let three: T = narrow(3.0);
        if x <= -three {
            T::zero()
        } else if x >= three {
            T::one()
        } else {
            // `2x` is exact and so is `2x + 3` near the zero at -1.5: one
            // rounding there, and a correctly rounded division.
            (x + x + three) / narrow(6.0)
        }
    }

    fn apply_slice(&self, xs: &mut [T]) {
        dispatch::map_in_place(
            xs,
            |xs| (kernels::f32_kernels().hard_silu)(xs),
            |xs| (kernels::f64_kernels().hard_silu)(xs),
            |x| self.apply(x),
        );
    }

    builtin_methods!(elementwise);
}

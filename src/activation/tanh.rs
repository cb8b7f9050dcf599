//! The hyperbolic tangent.

use super::dispatch;
use super::{Activation, BuiltinActivation, KerasName};
use crate::kernels;
use crate::precision::narrow;
use num_traits::Float;

/// The hyperbolic tangent `tanh(x) = (e^x - e^(-x)) / (e^x + e^(-x))`,
/// squashing any real to `(-1, 1)` and centred on zero.
///
/// The derivative `1 - tanh²(x)` is formed as `4e / (1 + e)²` with
/// `e = exp(-2|x|)`, so it keeps full relative accuracy where `tanh(x)`
/// rounds to `±1`. `tanh(±inf) = ±1`, NaN gives NaN, and `tanh(-0.0)` is
/// `-0.0`.
///
/// # Plot
///
/// `tanh(x)` (blue) and its derivative (orange) over `[-5, 5]`, drawn with
/// this type's [`apply`](Activation::apply) and [`derivative`](Activation::derivative)
/// by `cargo run --example plot_activations`:
///
#[doc = include_str!("../../docs/img/tanh.svg")]
///
/// # Example
///
/// ```
/// use neurite::{Activation, Tanh};
///
/// assert_eq!(Tanh.apply(0.0_f32), 0.0);
/// assert_eq!(Tanh.apply(f64::NEG_INFINITY), -1.0);
/// assert_eq!(Tanh.derivative(0.0_f64), 1.0);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Tanh;

impl<T: Float> Activation<T> for Tanh {
    fn apply(&self, x: T) -> T {
        x.tanh()
    }

    fn derivative(&self, x: T) -> T {
        let e = (narrow::<T>(-2.0) * x.abs()).exp();
        let denominator = T::one() + e;
        narrow::<T>(4.0) * e / (denominator * denominator)
    }

    fn apply_slice(&self, xs: &mut [T]) {
        dispatch::map_in_place(
            xs,
            |xs| (kernels::f32_kernels().tanh)(xs),
            |xs| (kernels::f64_kernels().tanh)(xs),
            |x| self.apply(x),
        );
    }

    builtin_methods!(elementwise);
}

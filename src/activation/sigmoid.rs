//! The logistic sigmoid, `σ(x) = 1 / (1 + e^(-x))`.

use super::dispatch;
use super::{Activation, BuiltinActivation, KerasName};
use crate::kernels;
use num_traits::Float;

/// The logistic sigmoid `σ(x) = 1 / (1 + e^(-x))`, squashing any real to
/// `(0, 1)`.
///
/// Computed without overflow for every input: with `e = exp(-|x|) ≤ 1`,
/// `σ(x) = 1 / (1 + e)` for `x ≥ 0` and `e / (1 + e)` for `x < 0`, so
/// `σ(-x) = 1 - σ(x)` up to rounding, the limits are exactly `0` and `1`,
/// and NaN gives NaN. The derivative `σ'(x) = σ(x)(1 - σ(x))` is formed as
/// `e / (1 + e)²`, which keeps full relative accuracy in the tails where
/// `1 - σ(x)` would round to zero.
///
/// # Plot
///
/// `σ(x)` (blue) and `σ′(x)` (orange) over `[-5, 5]`, drawn with this
/// type's [`apply`](Activation::apply) and [`derivative`](Activation::derivative)
/// by `cargo run --example plot_activations`:
///
#[doc = include_str!("../../docs/img/sigmoid.svg")]
///
/// # Example
///
/// The tutorial's first computation:
///
/// ```
/// use neurite::{Activation, Sigmoid};
///
/// let mut xs = [0.25_f64, 7.0, 9.0, 20.0];
/// Sigmoid.apply_slice(&mut xs);
/// assert_eq!(xs[0], 0.5621765008857981);
/// assert_eq!(Sigmoid.apply(f64::INFINITY), 1.0);
/// assert_eq!(Sigmoid.derivative(0.0_f32), 0.25);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Sigmoid;

impl<T: Float> Activation<T> for Sigmoid {
    fn apply(&self, x: T) -> T {
        let e = (-x.abs()).exp();
        if x >= T::zero() {
            T::one() / (T::one() + e)
        } else {
            e / (T::one() + e)
        }
    }

    fn derivative(&self, x: T) -> T {
        let e = (-x.abs()).exp();
        let denominator = T::one() + e;
        e / (denominator * denominator)
    }

    fn apply_slice(&self, xs: &mut [T]) {
        dispatch::map_in_place(
            xs,
            |xs| (kernels::f32_kernels().sigmoid)(xs),
            |xs| (kernels::f64_kernels().sigmoid)(xs),
            |x| self.apply(x),
        );
    }

    builtin_methods!(elementwise);
}

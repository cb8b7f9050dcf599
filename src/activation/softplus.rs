//! The softplus function, `ln(1 + e^x)`.

use super::dispatch;
use super::{Activation, BuiltinActivation, KerasName, Sigmoid};
use crate::kernels;
use num_traits::Float;

/// Softplus, `softplus(x) = ln(1 + e^x)`, a smooth relu.
///
/// Computed as `max(x, 0) + ln(1 + e^(-|x|))`, which never overflows and
/// never takes the logarithm of 0: for `x → -inf` it is `e^x` to the last
/// bit (subnormal below about `-87.3` for `f32`), for large `x` exactly
/// `x`. `softplus(-inf) = 0`, `softplus(inf) = inf`, NaN gives NaN. The
/// derivative is `σ(x)` (see [`Sigmoid`]).
///
/// # Plot
///
/// `softplus(x)` (blue) and its derivative (orange) over `[-5, 5]`, drawn
/// with this type's [`apply`](Activation::apply) and
/// [`derivative`](Activation::derivative) by `cargo run --example plot_activations`:
///
#[doc = include_str!("../../docs/img/softplus.svg")]
///
/// # Example
///
/// ```
/// use neurite::{Activation, Softplus};
///
/// assert_eq!(Softplus.apply(0.0_f64), std::f64::consts::LN_2);
/// assert_eq!(Softplus.apply(100.0_f32), 100.0);
/// assert_eq!(Softplus.apply(-100.0_f64), (-100.0_f64).exp());
/// assert_eq!(Softplus.derivative(0.0_f32), 0.5);
/// let mut xs = [-1000.0_f32, 1000.0];
/// Softplus.apply_slice(&mut xs);
/// assert_eq!(xs, [0.0, 1000.0]);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Softplus;

impl<T: Float> Activation<T> for Softplus {
    fn apply(&self, x: T) -> T {
        // `Float::max` ignores NaN; the logarithm keeps it.
        x.max(T::zero()) + (-x.abs()).exp().ln_1p()
    }

    fn derivative(&self, x: T) -> T {
        Sigmoid.apply(x)
    }

    fn apply_slice(&self, xs: &mut [T]) {
        dispatch::map_in_place(
            xs,
            |xs| (kernels::f32_kernels().softplus)(xs),
            |xs| (kernels::f64_kernels().softplus)(xs),
            |x| self.apply(x),
        );
    }

    builtin_methods!(elementwise);
}

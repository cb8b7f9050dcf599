//! The logarithm of the sigmoid, `ln σ(x) = -softplus(-x)`.

use super::dispatch;
use super::{Activation, BuiltinActivation, KerasName, Sigmoid, Softplus};
use crate::kernels;
use num_traits::Float;

/// `log_sigmoid(x) = ln σ(x) = -ln(1 + e^(-x))`, Keras's `log_sigmoid`.
///
/// Computed as `-softplus(-x)` (see [`Softplus`]): `min(x, 0) - ln(1 +
/// e^(-|x|))`, with no overflow and no `ln 0`. It is `x` to the last bit for
/// large negative `x` and `-e^(-x)` for large positive `x` (subnormal above
/// about `87.3` for `f32`, then `-0`). `log_sigmoid(-inf) = -inf`,
/// `log_sigmoid(inf) = -0`, NaN gives NaN. The derivative is `σ(-x)`.
///
/// # Plot
///
/// `log_sigmoid(x)` (blue) and its derivative (orange) over `[-5, 5]`,
/// drawn with this type's [`apply`](Activation::apply) and
/// [`derivative`](Activation::derivative) by `cargo run --example plot_activations`:
///
#[doc = include_str!("../../docs/img/log_sigmoid.svg")]
///
/// # Example
///
/// ```
/// use neurite::{Activation, LogSigmoid};
///
/// assert_eq!(LogSigmoid.apply(0.0_f64), -std::f64::consts::LN_2);
/// assert_eq!(LogSigmoid.apply(-100.0_f32), -100.0);
/// assert_eq!(LogSigmoid.derivative(0.0_f32), 0.5);
/// let mut xs = [-1000.0_f64, 1000.0];
/// LogSigmoid.apply_slice(&mut xs);
/// assert_eq!(xs, [-1000.0, -0.0]);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct LogSigmoid;

impl<T: Float> Activation<T> for LogSigmoid {
    fn apply(&self, x: T) -> T {
        -Softplus.apply(-x)
    }

    fn derivative(&self, x: T) -> T {
        Sigmoid.apply(-x)
    }

    fn apply_slice(&self, xs: &mut [T]) {
        dispatch::map_in_place(
            xs,
            |xs| (kernels::f32_kernels().log_sigmoid)(xs),
            |xs| (kernels::f64_kernels().log_sigmoid)(xs),
            |x| self.apply(x),
        );
    }

    builtin_methods!(elementwise);
}

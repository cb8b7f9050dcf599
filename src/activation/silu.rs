//! The sigmoid linear unit (swish), `silu(x) = x·σ(x)`.

use super::dispatch;
use super::{Activation, BuiltinActivation, KerasName};
use crate::kernels;
use num_traits::Float;

/// The sigmoid linear unit `silu(x) = x·σ(x) = x / (1 + e^(-x))`, Keras's
/// `silu`, also called `swish`.
///
/// Exact to the last bits over the whole range: for `x < 0` it is formed
/// as `x·e^x / (1 + e^x)` with the power of two of `e^x` applied last, so
/// that the results below about `-87.3` (`f32`) or `-708` (`f64`), which
/// are subnormal, are rounded once. TensorFlow returns 0 there (its
/// `x·sigmoid(x)` takes a sigmoid that has already lost its digits), and
/// NaN at `-inf`; here `silu(-inf) = -0`, the limit, and `silu(+inf) =
/// +inf`. NaN gives NaN.
///
/// The derivative `σ(x)·(1 + x·(1 - σ(x)))` is formed as
/// `(1 + e + x·e) / (1 + e)²` with `e = e^(-x)` for `x ≥ 0` and as
/// `e·(1 + x + e) / (1 + e)²` with `e = e^x` below, again exact into the
/// subnormal range; its limits are `1` at `+inf` and `-0` at `-inf`
/// (TensorFlow: NaN). Near its zero (`x ≈ -1.2785`) the sum `1 + x + e`
/// cancels, so there the error is absolute (a few `ε·e`), not relative.
///
/// # Plot
///
/// `silu(x)` (blue) and its derivative (orange) over `[-5, 5]`, drawn with
/// this type's [`apply`](Activation::apply) and
/// [`derivative`](Activation::derivative) by `cargo run --example plot_activations`:
///
#[doc = include_str!("../../docs/img/silu.svg")]
///
/// # Example
///
/// ```
/// use neurite::{Activation, BuiltinActivation, Silu};
///
/// assert_eq!(Silu.apply(0.0_f64), 0.0);
/// assert_eq!(Silu.derivative(0.0_f32), 0.5);
/// // Subnormal, where TensorFlow gives 0.
/// assert!(Silu.apply(-100.0_f32) < 0.0);
/// let mut xs = [-1.0_f32, 20.0];
/// Silu.apply_slice(&mut xs);
/// assert!((xs[0] + 0.268_941_43).abs() <= 2.0 * f32::EPSILON * 0.27);
/// assert_eq!(xs[1], 20.0);
/// assert_eq!("swish".parse::<BuiltinActivation<f32>>()?, Silu.into());
/// # Ok::<(), neurite::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Silu;

/// `m·e^x` for a finite `m`, exact where `e^x` alone would be subnormal:
/// there `(m·e^(x/2))·e^(x/2)`, which rounds once.
pub(super) fn times_exp<T: Float>(m: T, x: T) -> T {
    let e = x.exp();
    if e >= T::min_positive_value() || x.is_nan() {
        m * e
    } else {
        let half = (x / (T::one() + T::one())).exp();
        m * half * half
    }
}

impl<T: Float> Activation<T> for Silu {
    fn apply(&self, x: T) -> T {
        if x >= T::zero() {
            return x / (T::one() + (-x).exp());
        }
        if x == T::neg_infinity() {
            return -T::zero();
        }
        times_exp(x, x) / (T::one() + x.exp())
    }

    fn derivative(&self, x: T) -> T {
        let one = T::one();
        if x == T::infinity() {
            return one;
        }
        if x >= T::zero() {
            let e = (-x).exp();
            let denominator = one + e;
            return (denominator + x * e) / (denominator * denominator);
        }
        if x == T::neg_infinity() {
            return -T::zero();
        }
        let e = x.exp();
        let denominator = one + e;
        // 1 + x is exact where it cancels most (x in [-2, -0.5]).
        times_exp((one + x) + e, x) / (denominator * denominator)
    }

    fn apply_slice(&self, xs: &mut [T]) {
        dispatch::map_in_place(
            xs,
            |xs| (kernels::f32_kernels().silu)(xs),
            |xs| (kernels::f64_kernels().silu)(xs),
            |x| self.apply(x),
        );
    }

    builtin_methods!(elementwise);
}

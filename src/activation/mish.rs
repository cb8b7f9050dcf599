//! The mish function, `x·tanh(softplus(x))`.

use super::dispatch;
use super::silu::times_exp;
use super::{Activation, BuiltinActivation, KerasName};
use crate::kernels;
use num_traits::Float;

/// Mish, `mish(x) = x·tanh(softplus(x)) = x·tanh(ln(1 + e^x))`.
///
/// With `tanh(ln(1 + E)) = E(E + 2) / (E(E + 2) + 2)`, it is computed from
/// `e = e^(-|x|)` alone: `x·(1 - 2e² / (1 + 2e + 2e²))` for `x ≥ 0` and
/// `x·e·(2 + e) / (2 + e(2 + e))` below, with the power of two of `e^x`
/// applied last. So it is exact into the subnormal range (below about
/// `-87.3` for `f32`), where TensorFlow returns 0, and `mish(-inf) = -0`,
/// the limit (TensorFlow: NaN); `mish(inf) = inf`, NaN gives NaN. The
/// `f32` and `f64` slices take a kernel that also evaluates a polynomial
/// near 0, where the formula's roundings add up.
///
/// The derivative `tanh(sp) + x·σ(x)·(1 - tanh²(sp))` (`sp =
/// softplus(x)`) is formed from the same `e`; its limits are `1` at `inf`
/// and `-0` at `-inf` (TensorFlow: NaN). Near its zero (`x ≈ -1.1924`)
/// the error is absolute (a few `ε·e^x`) rather than relative.
///
/// # Plot
///
/// `mish(x)` (blue) and its derivative (orange) over `[-5, 5]`, drawn with
/// this type's [`apply`](Activation::apply) and
/// [`derivative`](Activation::derivative) by `cargo run --example plot_activations`:
///
#[doc = include_str!("../../docs/img/mish.svg")]
///
/// # Example
///
/// ```
/// use neurite::{Activation, Mish};
///
/// assert_eq!(Mish.apply(0.0_f64), 0.0);
/// assert_eq!(Mish.apply(10.0_f32), 10.0);
/// assert_eq!(Mish.derivative(0.0_f64), 0.6);
/// // Subnormal, where TensorFlow gives 0.
/// assert!(Mish.apply(-100.0_f32) < 0.0);
/// let mut xs = [1.0_f32, -1.0];
/// Mish.apply_slice(&mut xs);
/// assert!((xs[0] - 0.865_098_4).abs() <= 2.0 * f32::EPSILON * 0.87);
/// assert!((xs[1] + 0.303_401_47).abs() <= 2.0 * f32::EPSILON * 0.31);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Mish;

impl<T: Float> Activation<T> for Mish {
    fn apply(&self, x: T) -> T {
        let (one, two) = (T::one(), T::one() + T::one());
        if x == T::infinity() {
            return x;
        }
        if x >= T::zero() {
            let e = (-x).exp();
            let two_e_squared = two * e * e;
            let w = two_e_squared / (one + two * e + two_e_squared);
            return x - x * w;
        }
        if x == T::neg_infinity() {
            return -T::zero();
        }
        // x·e·(1 - h), h = e(1 + e)/(2 + e(2 + e)) small: few roundings.
        let e = x.exp();
        let h = e * (one + e) / (two + e * (two + e));
        let x_e = times_exp(x, x);
        x_e - x_e * h
    }

    fn derivative(&self, x: T) -> T {
        let (one, two) = (T::one(), T::one() + T::one());
        let four = two + two;
        if x == T::infinity() {
            return one;
        }
        if x >= T::zero() {
            // tanh(sp) = (1 + 2e)/D, σ·(1 - tanh²(sp)) = 4e²(1 + e)/D².
            let e = (-x).exp();
            let two_e = two * e;
            let denominator = one + two_e + two_e * e;
            let tanh = (one + two_e) / denominator;
            return tanh + x * (four * e * e * (one + e)) / (denominator * denominator);
        }
        if x == T::neg_infinity() {
            return -T::zero();
        }
        // With D = 2 + e(2 + e): tanh(sp) = e(2 + e)/D, σ = e/(1 + e),
        // 1 - tanh²(sp) = 4(1 + e)²/D², so mish' = e·M/D² with
        // M = 4(1 + x) + e·(6 + 4x + e(4 + e)), whose terms share their
        // sign but near mish's minimum (1 + x is exact on [-2, -0.5]).
        let e = x.exp();
        let denominator = two + e * (two + e);
        let m = four * (one + x) + e * ((four + two + four * x) + e * (four + e));
        times_exp(m / (denominator * denominator), x)
    }

    fn apply_slice(&self, xs: &mut [T]) {
        dispatch::map_in_place(
            xs,
            |xs| (kernels::f32_kernels().mish)(xs),
            |xs| (kernels::f64_kernels().mish)(xs),
            |x| self.apply(x),
        );
    }

    builtin_methods!(elementwise);
}

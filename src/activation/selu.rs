//! The scaled exponential linear unit.

use super::dispatch;
use super::{Activation, BuiltinActivation, KerasName};
use crate::kernels;
use crate::precision::{narrow, widen};
use num_traits::Float;

/// Keras's `scale`, `1.05070098735548049341933`, as `hi + lo` in `f64`.
const SCALE: (f64, f64) = (1.050_700_987_355_480_5, 3.987_484_268_185_955e-17);
/// `scale·alpha` (`alpha = 1.67326324235437728481704`) as `hi + lo`.
const SCALE_ALPHA: (f64, f64) = (1.758_099_340_847_376_8, 1.415_350_789_502_188_2e-17);

/// The scaled exponential linear unit: `scale·x` for `x > 0`,
/// `scale·alpha·(e^x - 1)` otherwise, with Keras's constants
/// `alpha = 1.67326324235437728481704` and
/// `scale = 1.05070098735548049341933`.
///
/// Values are those of the exact constants, rounded once (within 2 ULP;
/// the constants are applied as two-part sums, so their rounding does not
/// count). `e^x - 1` is computed as `expm1(x)`: small negative inputs keep
/// their relative accuracy (`selu(-1e-8) = -1.758e-8`), where TensorFlow's
/// `exp(x) - 1` gives 0 for `-3e-8 < x < 0` in `f32`. `selu(-inf) =
/// -scale·alpha` (rounded), `selu(-0) = -0`; NaN gives NaN.
///
/// The derivative follows TensorFlow, which tests the sign of the output:
/// `scale·alpha·e^x` for `x < 0`, `scale` otherwise, so `scale` at `±0`
/// and at NaN.
///
/// # Plot
///
/// `selu(x)` (blue) and its derivative (orange) over `[-5, 5]`, drawn
/// with its [`apply`](Activation::apply) and
/// [`derivative`](Activation::derivative) by
/// `cargo run --example plot_activations`:
///
#[doc = include_str!("../../docs/img/selu.svg")]
///
/// # Example
///
/// ```
/// use neurite::{Activation, Selu};
///
/// assert_eq!(Selu.apply(1.0_f64), 1.0507009873554805);
/// assert_eq!(Selu.apply(f32::NEG_INFINITY), -1.7580993);
/// let mut xs = [-1e-8_f32, 2.0];
/// Selu.apply_slice(&mut xs);
/// assert_eq!(xs, [-1.7580993e-8, 2.101402]);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Selu;

/// `(hi + lo)·v` with one rounding of the sum (in `f64`).
fn times(constant: (f64, f64), v: f64) -> f64 {
    constant.0.mul_add(v, constant.1 * v)
}

impl<T: Float> Activation<T> for Selu {
    /// In `f64` (a single rounding to `T` after it for `f32`).
    fn apply(&self, x: T) -> T {
        let x = widen(x);
        narrow(if x > 0.0 {
            times(SCALE, x)
        } else {
            times(SCALE_ALPHA, x.exp_m1())
        })
    }

    fn derivative(&self, x: T) -> T {
        let x = widen(x);
        narrow(if x < 0.0 {
            times(SCALE_ALPHA, x.exp())
        } else {
            SCALE.0
        })
    }

    fn apply_slice(&self, xs: &mut [T]) {
        dispatch::map_in_place(
            xs,
            |xs| (kernels::f32_kernels().selu)(xs),
            |xs| (kernels::f64_kernels().selu)(xs),
            |x| self.apply(x),
        );
    }

    builtin_methods!(elementwise);
}

//! The Gaussian error linear unit, exact (erf) and approximate (tanh).

use super::dispatch;
use super::{Activation, BuiltinActivation, KerasName, Parameters};
use crate::kernels::{self, two_product};
use crate::precision::{narrow, widen};
use num_traits::Float;
use std::marker::PhantomData;

/// The Gaussian error linear unit, `gelu(x) = x·Φ(x)`, with `Φ` the
/// standard normal distribution function: `x/2 · erfc(-x/√2)`. With
/// `approximate`, Keras's tanh form
/// `x/2 · (1 + tanh(√(2/π)·(x + 0.044715·x³)))` instead.
///
/// Keras's string `"gelu"` (and [`Gelu::default`]) is the exact form
/// (`approximate=False`; `keras.ops.gelu` defaults to the tanh form, the
/// activation does not).
///
/// Both are computed to the exact function, not to TensorFlow's
/// arithmetic: within 2 ULP everywhere, the far negative tail included,
/// where the result is tiny but normal (`gelu(-10) ≈ -7.6e-23`). There
/// TensorFlow differs visibly: its `f32` erf form is up to 164 ULP off
/// (`x ≈ -11.6`) and 0 below -13.003 where the exact value is normal down
/// to about -13.3; its tanh form computes `1 + tanh(…)`, which cancels to
/// 0 below -4.84 (exact about -7e-7 there); in `f64` both use `f32`
/// constants (relative 2.6e-8 off at `x = -1`). neurite writes the tanh
/// form as `x·σ(2u)`, `u = √(2/π)·(x + 0.044715·x³)`, which does not
/// cancel, with `2u` carried in double precision.
///
/// Measured in `f64` (src/kernels/tests/random_f64_gelu.rs: 10^8 random
/// inputs and the special points, every dispatch path, against a
/// double-double reference): the exact form within 1 ULP of the rounded
/// result (1.50 before rounding), the tanh form within 2 (1.76).
///
/// Derivatives: `Φ(x) + x·φ(x)` (`φ` the normal density) for the exact
/// form (in `f64` within 2 ULP for `x ≥ 0` and 3 on `[-37, -3]`; near its
/// root, `x ≈ -0.7518`, where the terms cancel, within 1.03·2^-52 of
/// `|Φ(x)| + |x·φ(x)|`); for the tanh form `σ(2u) + x·σ(2u)·(1 - σ(2u))·2u'`, with
/// `2u' = 2√(2/π)·(1 + 3·0.044715·x²)`.
///
/// Non-finite inputs as TensorFlow: `gelu(inf) = inf`, `gelu(-inf)` is NaN
/// (`-inf·0`), both derivatives are NaN at `±inf`; NaN gives NaN.
///
/// # Plot
///
/// [`Gelu::default()`](Gelu::default) (exact, blue) and its derivative
/// (orange) over `[-5, 5]`, drawn with its [`apply`](Activation::apply)
/// and [`derivative`](Activation::derivative) by
/// `cargo run --example plot_activations`:
///
#[doc = include_str!("../../docs/img/gelu.svg")]
///
/// # Example
///
/// ```
/// use neurite::{Activation, Gelu};
///
/// let gelu = Gelu::<f32>::exact();
/// assert_eq!(gelu.apply(0.0), 0.0);
/// assert!((gelu.apply(1.0) - 0.841_344_7).abs() < 1e-7);
/// assert!((gelu.apply(-10.0) / -7.619_853e-23 - 1.0).abs() < 1e-6);
///
/// let mut xs = [-1.0_f64, 2.0];
/// Gelu::approximate().apply_slice(&mut xs);
/// assert!((xs[0] + 0.158_808).abs() < 1e-6);
/// ```
pub struct Gelu<T> {
    approximate: bool,
    element: PhantomData<fn() -> T>,
}

impl<T> Gelu<T> {
    /// The exact form, `x·Φ(x)`: Keras's default.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::Gelu;
    ///
    /// assert!(!Gelu::<f64>::exact().is_approximate());
    /// ```
    pub fn exact() -> Self {
        Self::new(false)
    }

    /// The tanh form, Keras's `approximate=True`.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::Gelu;
    ///
    /// assert!(Gelu::<f32>::approximate().is_approximate());
    /// ```
    pub fn approximate() -> Self {
        Self::new(true)
    }

    /// The exact form, or the tanh form if `approximate`, as Keras's
    /// argument of that name.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::Gelu;
    ///
    /// assert_eq!(Gelu::<f32>::new(true), Gelu::approximate());
    /// ```
    pub fn new(approximate: bool) -> Self {
        Self {
            approximate,
            element: PhantomData,
        }
    }

    /// Whether this is the tanh form.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::Gelu;
    ///
    /// assert!(!Gelu::<f32>::default().is_approximate());
    /// ```
    pub fn is_approximate(&self) -> bool {
        self.approximate
    }
}

impl<T> Default for Gelu<T> {
    /// Keras's default, the exact form.
    fn default() -> Self {
        Self::exact()
    }
}

// By hand: no bounds on `T`, which only marks the element type.
impl<T> Clone for Gelu<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Gelu<T> {}
impl<T> PartialEq for Gelu<T> {
    fn eq(&self, other: &Self) -> bool {
        self.approximate == other.approximate
    }
}
impl<T> std::fmt::Debug for Gelu<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gelu")
            .field("approximate", &self.approximate)
            .finish()
    }
}

impl<T: Float> Parameters<T> for Gelu<T> {
    type Values = (bool,);

    fn keras_default() -> Self {
        Self::exact()
    }
    fn values(&self) -> (bool,) {
        (self.approximate,)
    }
    fn from_values((approximate,): (bool,)) -> Self {
        Self::new(approximate)
    }
}

impl<T: Float> Activation<T> for Gelu<T> {
    fn apply(&self, x: T) -> T {
        let mut value = [x];
        self.apply_slice(&mut value);
        value[0]
    }

    fn derivative(&self, x: T) -> T {
        let x = widen(x);
        narrow(if self.approximate {
            tanh_form_derivative(x)
        } else {
            kernels::gelu_derivative_f64(x)
        })
    }

    /// Both forms through the kernels (src/kernels/gelu*.rs), the `f64`
    /// kernel on one value for other types; the exact form's `f64` kernel
    /// is scalar (gelu_f64.rs: musl's erfc from 0 up, Mills' ratio below).
    fn apply_slice(&self, xs: &mut [T]) {
        if self.approximate {
            dispatch::map_in_place(
                xs,
                |xs| (kernels::f32_kernels().gelu_tanh)(xs),
                |xs| (kernels::f64_kernels().gelu_tanh)(xs),
                |x| narrow(tanh_form(widen(x))),
            );
        } else {
            dispatch::map_in_place(
                xs,
                |xs| (kernels::f32_kernels().gelu)(xs),
                |xs| (kernels::f64_kernels().gelu)(xs),
                |x| narrow(exact_form(widen(x))),
            );
        }
    }

    builtin_methods!(elementwise);
}

/// The exact gelu in `f64`, by the kernel (src/kernels/gelu_f64.rs).
fn exact_form(x: f64) -> f64 {
    let mut value = [x];
    (kernels::f64_kernels().gelu)(&mut value);
    value[0]
}

/// `2√(2/π)`, the slope of `2u` at 0, as a sum of two `f64`s.
const TWO_SQRT_2_PI: (f64, f64) = (1.595_769_121_605_730_8, -9.969_308_809_110_92e-17);
/// `2√(2/π)·0.044715`, the cubic coefficient of `2u`, as two `f64`s.
const TWO_SQRT_2_PI_CUBIC: (f64, f64) = (0.071_354_816_272_600_25, -6.175_149_918_155_315e-19);

/// `2u = 2√(2/π)·(x + 0.044715·x³)` as `(high, low)`, their sum within
/// about 2^-100 relative: `σ(2u)` for negative `x` is about `e^(2u)`,
/// whose relative error is the absolute error of `2u` (up to 1400 in the
/// range where the result is normal).
fn doubled_argument(x: f64) -> (f64, f64) {
    let (square, square_error) = two_product(x, x);
    // c3·x² + c1 in two parts.
    let (cubic, cubic_error) = two_product(TWO_SQRT_2_PI_CUBIC.0, square);
    let cubic_error = TWO_SQRT_2_PI_CUBIC.0.mul_add(
        square_error,
        TWO_SQRT_2_PI_CUBIC.1.mul_add(square, cubic_error),
    );
    let sum = TWO_SQRT_2_PI.0 + cubic;
    // Fast2Sum: the error of the sum, exact with the larger addend first.
    let (big, small) = if TWO_SQRT_2_PI.0 >= cubic {
        (TWO_SQRT_2_PI.0, cubic)
    } else {
        (cubic, TWO_SQRT_2_PI.0)
    };
    let sum_error = small - (sum - big);
    let sum_low = sum_error + TWO_SQRT_2_PI.1 + cubic_error;
    let (high, error) = two_product(x, sum);
    (high, x.mul_add(sum_low, error))
}

/// `e^(-|h + l|)` for `|l| ≤ 2^-52·|h|`: `e^(-|h|)·(1 ∓ l)` to 2^-104·h².
fn exp_minus_abs(high: f64, low: f64) -> f64 {
    let e = (-high.abs()).exp();
    e.mul_add(if high < 0.0 { low } else { -low }, e)
}

/// The tanh form in `f64`, by the kernel (gelu_tanh.rs).
fn tanh_form(x: f64) -> f64 {
    let mut value = [x];
    (kernels::f64_kernels().gelu_tanh)(&mut value);
    value[0]
}

/// The tanh form's derivative, `σ + x·σ(1 - σ)·2u'` with
/// `σ(1 - σ) = e/(1 + e)²`; NaN at `±inf` as TensorFlow.
fn tanh_form_derivative(x: f64) -> f64 {
    if !x.is_finite() {
        return f64::NAN;
    }
    let (high, low) = doubled_argument(x);
    let e = exp_minus_abs(high, low);
    let sigma = if x >= 0.0 {
        1.0 / (1.0 + e)
    } else {
        e / (1.0 + e)
    };
    let slope = (3.0 * TWO_SQRT_2_PI_CUBIC.0).mul_add(x * x, TWO_SQRT_2_PI.0);
    (x * slope).mul_add(e / ((1.0 + e) * (1.0 + e)), sigma)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where the golden file's 200-bit reference for the tanh form cancels
    /// (tests/golden_activations_keras3.rs): 100-digit values of
    /// `x·σ(2u)`, mpmath.
    #[test]
    fn tanh_form_keeps_its_accuracy_in_the_far_tail() {
        let gelu = Gelu::<f64>::approximate();
        for (x, expected) in [
            (-10.811_803_222_099_44, -2.374_678_296_454_174e-46),
            (-11.015_148_424_683_023, -9.797_573_879_029_472e-49),
            (-20.0, -3.375_450_956_310_967_3e-261),
        ] {
            for y in [gelu.apply(x), {
                let mut v = [x];
                gelu.apply_slice(&mut v);
                v[0]
            }] {
                assert!((y / expected - 1.0).abs() < 4.5e-16, "{x}: {y:e}");
            }
        }
    }
}

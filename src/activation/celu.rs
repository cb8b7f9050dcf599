//! The continuously differentiable exponential linear unit.

use super::dispatch;
use super::{Activation, BuiltinActivation, KerasName, Parameters};
use crate::error::Error;
use crate::kernels;
use crate::precision::{narrow, widen};
use num_traits::Float;

/// The continuously differentiable exponential linear unit: `x` for
/// `x > 0`, `alpha·(e^(x/alpha) - 1)` otherwise (Keras's
/// `max(0, x) + min(0, alpha·(e^(x/alpha) - 1))`), for `alpha > 0`.
///
/// `e^t - 1` is computed as `expm1(t)`, so small negative inputs keep their
/// relative accuracy. `celu(-inf) = -alpha`, `celu(-0) = -0`; NaN gives
/// NaN. [`Celu::default`] uses Keras's `alpha = 1`.
///
/// The derivative is `1` for `x > 0` and `e^(x/alpha)` for `x < 0`. At
/// `0` it is `2`, as in TensorFlow, whose gradients of `max(0, x)` and of
/// `min(0, …)` both pass the whole gradient on a tie; at NaN it is `0`
/// (TF's too: both comparisons fail).
///
/// # Plot
///
/// [`Celu::default()`](Celu::default) (`alpha = 1`, blue) and its
/// derivative (orange) over `[-5, 5]`, drawn with its
/// [`apply`](Activation::apply) and [`derivative`](Activation::derivative)
/// by `cargo run --example plot_activations`:
///
#[doc = include_str!("../../docs/img/celu.svg")]
///
/// # Example
///
/// ```
/// use neurite::{Activation, Celu};
///
/// let celu = Celu::<f64>::default();
/// assert_eq!(celu.apply(2.0), 2.0);
/// assert_eq!(celu.derivative(0.0), 2.0);
/// let half = Celu::new(0.5_f32)?;
/// assert_eq!(half.apply(f32::NEG_INFINITY), -0.5);
/// # Ok::<(), neurite::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq)]
pub struct Celu<T> {
    alpha: T,
}

impl<T: Float> Celu<T> {
    /// A CELU with the given `alpha` (the negative saturation value and
    /// the scale of the exponent), in the network's float type.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] unless `alpha` is a finite number above
    /// 0 (Keras refuses `alpha = 0`, which divides by zero, and a negative
    /// `alpha` would turn the function upside down).
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::{Activation, Celu, Error};
    ///
    /// assert_eq!(Celu::new(0.5_f64)?.apply(-1.0), 0.5 * (-2.0_f64).exp_m1());
    /// assert!(matches!(Celu::new(0.0_f32), Err(Error::InvalidParameter { name: "alpha", .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn new(alpha: T) -> Result<Self, Error> {
        <Self as Parameters<T>>::check((alpha,))?;
        Ok(Self { alpha })
    }

    /// The `alpha` parameter.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::Celu;
    ///
    /// assert_eq!(Celu::<f32>::default().alpha(), 1.0);
    /// ```
    pub fn alpha(&self) -> T {
        self.alpha
    }
}

impl<T: Float> Default for Celu<T> {
    /// Keras's default, `alpha = 1`.
    fn default() -> Self {
        Self { alpha: T::one() }
    }
}

impl<T: Float> Parameters<T> for Celu<T> {
    type Values = (T,);

    fn keras_default() -> Self {
        Self::default()
    }
    fn values(&self) -> (T,) {
        (self.alpha,)
    }
    fn from_values((alpha,): (T,)) -> Self {
        Self { alpha }
    }
    fn check((alpha,): (T,)) -> Result<(), Error> {
        if alpha > T::zero() && alpha.is_finite() {
            Ok(())
        } else {
            Err(Error::InvalidParameter {
                name: "alpha",
                expected: "a finite number above 0",
                found: widen(alpha).to_string(),
            })
        }
    }
}

impl<T: Float> Activation<T> for Celu<T> {
    /// In `f64` (a single rounding to `T` after it for `f32`).
    fn apply(&self, x: T) -> T {
        if x > T::zero() {
            return x;
        }
        let (x, alpha) = (widen(x), widen(self.alpha));
        let t = x / alpha;
        // Where e^t - 1 rounds to t, x itself (t may have lost the bits of
        // a subnormal x).
        narrow(if t.abs() < 2.0_f64.powi(-55) {
            x
        } else {
            alpha * t.exp_m1()
        })
    }

    fn derivative(&self, x: T) -> T {
        if x > T::zero() {
            T::one()
        } else if x < T::zero() {
            narrow((widen(x) / widen(self.alpha)).exp())
        } else if x == T::zero() {
            narrow(2.0)
        } else {
            T::zero()
        }
    }

    fn apply_slice(&self, xs: &mut [T]) {
        // Exact for the f32 and f64 alphas the kernels take.
        let alpha = widen(self.alpha);
        dispatch::map_in_place(
            xs,
            |xs| (kernels::f32_kernels().celu)(xs, alpha as f32),
            |xs| (kernels::f64_kernels().celu)(xs, alpha),
            |x| self.apply(x),
        );
    }

    builtin_methods!(elementwise);
}

// Written by hand so that every `Float`, not only `Debug` ones, qualifies.
impl<T: Float> std::fmt::Debug for Celu<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Celu")
            .field("alpha", &self.alpha.to_f64())
            .finish()
    }
}

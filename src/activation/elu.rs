//! The exponential linear unit.

use super::dispatch;
use super::{Activation, BuiltinActivation, KerasName, Parameters};
use crate::kernels;
use crate::precision::narrow;
use crate::precision::widen;
use num_traits::Float;

/// The exponential linear unit: `x` for `x > 0`, `alpha · (e^x - 1)`
/// otherwise.
///
/// `e^x - 1` is computed as `expm1(x)`, so small negative inputs keep their
/// relative accuracy (`elu(-1e-8) = -1e-8`, where TensorFlow's
/// `exp(x) - 1` gives 0). The derivative is `1` for `x > 0` and
/// `alpha · e^x` otherwise (`alpha` at `0`, as TensorFlow; also `alpha` at
/// NaN). `elu(-inf) = -alpha`; NaN gives NaN. [`Elu::default`] uses Keras's
/// `alpha = 1`.
///
/// # Plot
///
/// [`Elu::default()`](Elu::default) (`alpha = 1`, blue) and its derivative
/// (orange) over `[-5, 5]`, drawn with its
/// [`apply`](Activation::apply) and [`derivative`](Activation::derivative)
/// by `cargo run --example plot_activations`:
///
#[doc = include_str!("../../docs/img/elu.svg")]
///
/// # Example
///
/// ```
/// use neurite::{Activation, Elu};
///
/// let elu = Elu::<f64>::default();
/// assert_eq!(elu.apply(2.0), 2.0);
/// assert!((elu.apply(-1e-8) + 1e-8).abs() < 1e-16);
/// assert_eq!(Elu::new(0.5_f32).apply(f32::NEG_INFINITY), -0.5);
/// ```
#[derive(Clone, Copy, PartialEq)]
pub struct Elu<T> {
    alpha: T,
}

impl<T: Float> Elu<T> {
    /// An ELU with the given `alpha` (the negative saturation value), in the
    /// network's float type.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::{Activation, Elu};
    ///
    /// assert_eq!(Elu::new(0.5_f64).derivative(0.0), 0.5);
    /// ```
    pub fn new(alpha: T) -> Self {
        Self { alpha }
    }

    /// The `alpha` parameter.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::Elu;
    ///
    /// assert_eq!(Elu::<f32>::default().alpha(), 1.0);
    /// ```
    pub fn alpha(&self) -> T {
        self.alpha
    }
}

impl<T: Float> Default for Elu<T> {
    /// Keras's default, `alpha = 1`.
    fn default() -> Self {
        Self::new(narrow(1.0))
    }
}

impl<T: Float> Parameters<T> for Elu<T> {
    type Values = (T,);

    fn keras_default() -> Self {
        Self::default()
    }
    fn values(&self) -> (T,) {
        (self.alpha,)
    }
    fn from_values((alpha,): (T,)) -> Self {
        Self::new(alpha)
    }
}

impl<T: Float> Activation<T> for Elu<T> {
    fn apply(&self, x: T) -> T {
        if x > T::zero() {
            x
        } else {
            self.alpha * x.exp_m1()
        }
    }

    fn derivative(&self, x: T) -> T {
        if x > T::zero() {
            T::one()
        } else {
            // `Float::min` ignores NaN, so NaN lands on `alpha · e^0`, as in TF.
            self.alpha * x.min(T::zero()).exp()
        }
    }

    fn apply_slice(&self, xs: &mut [T]) {
        // Exact for the f32 and f64 alphas the kernels take.
        let alpha = widen(self.alpha);
        dispatch::map_in_place(
            xs,
            |xs| (kernels::f32_kernels().elu)(xs, alpha as f32),
            |xs| (kernels::f64_kernels().elu)(xs, alpha),
            |x| self.apply(x),
        );
    }

    builtin_methods!(elementwise);
}

// Written by hand so that every `Float`, not only `Debug` ones, qualifies.
impl<T: Float> std::fmt::Debug for Elu<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Elu")
            .field("alpha", &self.alpha.to_f64())
            .finish()
    }
}

//! Squareplus, a smooth rectifier built from a square root.

use super::{Activation, BuiltinActivation, KerasName, Parameters};
use crate::error::Error;
use crate::precision::{narrow, widen};
use num_traits::Float;

/// Squareplus: `(x + √(x² + b)) / 2`, for `b ≥ 0` (Keras's default
/// `b = 4`; `b = 0` is relu).
///
/// Computed in `f64` without cancellation or overflow, where TensorFlow's
/// formula as written is up to 143 ULP off (`x + √(x² + b)` cancels for
/// negative `x`: `0` below `x ≈ -7130` in `f32`) and gives `inf` once `x²`
/// overflows (`|x| > 1.8e19` in `f32`): with `r = √(x² + b)` (one fused
/// `x² + b`, scaled by powers of two where it would overflow),
/// `(x + r) / 2` for `x ≥ 0` and `b / (2(r - x))` for `x < 0`, both sums of
/// positive terms. Within 2 ULP of the exact value for `f64` (1 for
/// `f32`, rounded once from `f64`). `squareplus(inf) = inf`,
/// `squareplus(-inf) = 0` (its limit; TensorFlow gives NaN); NaN gives NaN.
///
/// The derivative `(1 + x / r) / 2` is formed as `squareplus(x) / r`, again
/// without cancellation: `1` at `inf`, `0` at `-inf` (TensorFlow gives NaN
/// at both), NaN at NaN, and `1/2` at `0` when `b = 0`.
///
/// This activation has no vectorized kernel: `apply_slice` maps the scalar
/// function.
///
/// # Plot
///
/// [`Squareplus::default()`](Squareplus::default) (`b = 4`, blue) and its
/// derivative (orange) over `[-5, 5]`, drawn with its
/// [`apply`](Activation::apply) and [`derivative`](Activation::derivative)
/// by `cargo run --example plot_activations`:
///
#[doc = include_str!("../../docs/img/squareplus.svg")]
///
/// # Example
///
/// ```
/// use neurite::{Activation, Squareplus};
///
/// let f = Squareplus::<f32>::default();
/// assert_eq!(f.apply(0.0), 1.0);
/// assert!((f.apply(-1e4) - 1e-4).abs() < 1e-11);
/// assert_eq!(f.apply(1e30), 1e30);
/// assert_eq!(Squareplus::new(0.0_f64)?.apply(-2.0), 0.0);
/// # Ok::<(), neurite::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq)]
pub struct Squareplus<T> {
    b: T,
}

impl<T: Float> Squareplus<T> {
    /// Squareplus with the given `b` (the curvature near 0).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] unless `b` is a finite number `≥ 0`
    /// (Keras refuses a negative `b`).
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::{Activation, Error, Squareplus};
    ///
    /// assert_eq!(Squareplus::new(1.0_f64)?.apply(0.0), 0.5);
    /// assert!(matches!(Squareplus::new(-1.0_f32), Err(Error::InvalidParameter { name: "b", .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn new(b: T) -> Result<Self, Error> {
        <Self as Parameters<T>>::check((b,))?;
        Ok(Self { b })
    }

    /// The `b` parameter.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::Squareplus;
    ///
    /// assert_eq!(Squareplus::<f32>::default().b(), 4.0);
    /// ```
    pub fn b(&self) -> T {
        self.b
    }

    /// `(squareplus(x), √(x² + b))` in `f64`.
    fn value_and_root(&self, x: f64) -> (f64, f64) {
        let b = widen(self.b);
        let r = root(x, b);
        let y = if x >= 0.0 {
            let sum = x + r;
            if sum.is_finite() {
                0.5 * sum
            } else {
                0.5 * x + 0.5 * r
            }
        } else {
            // b / (2(r - x)), halved twice so that r - x cannot overflow.
            (0.25 * b) / (0.5 * r - 0.5 * x)
        };
        (y, r)
    }
}

/// `√(x² + b)` with one rounding of `x² + b`; scaled by 2^±600 where `x²`
/// or `b` is near overflow (the parts that then underflow are far below an
/// ULP of the rest).
fn root(x: f64, b: f64) -> f64 {
    const BIG: f64 = 1e150;
    if x.abs() > BIG || b > BIG * BIG {
        let (down, up) = (2.0_f64.powi(-600), 2.0_f64.powi(600));
        let x = x * down;
        up * x.mul_add(x, b * down * down).sqrt()
    } else {
        x.mul_add(x, b).sqrt()
    }
}

impl<T: Float> Default for Squareplus<T> {
    /// Keras's default, `b = 4`.
    fn default() -> Self {
        Self { b: narrow(4.0) }
    }
}

impl<T: Float> Parameters<T> for Squareplus<T> {
    type Values = (T,);

    fn keras_default() -> Self {
        Self::default()
    }
    fn values(&self) -> (T,) {
        (self.b,)
    }
    fn from_values((b,): (T,)) -> Self {
        Self { b }
    }
    fn check((b,): (T,)) -> Result<(), Error> {
        if b >= T::zero() && b.is_finite() {
            Ok(())
        } else {
            Err(Error::InvalidParameter {
                name: "b",
                expected: "a finite number ≥ 0",
                found: widen(b).to_string(),
            })
        }
    }
}

impl<T: Float> Activation<T> for Squareplus<T> {
    fn apply(&self, x: T) -> T {
        narrow(self.value_and_root(widen(x)).0)
    }

    fn derivative(&self, x: T) -> T {
        let x = widen(x);
        if x == f64::INFINITY {
            return T::one();
        }
        let (y, r) = self.value_and_root(x);
        // r = 0 only at x = 0 with b = 0 (relu): the mean of the sides.
        narrow(if r == 0.0 { 0.5 } else { y / r })
    }

    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn builtin(&self) -> Option<BuiltinActivation<T>> {
        Some((*self).into())
    }
}

// Written by hand so that every `Float`, not only `Debug` ones, qualifies.
impl<T: Float> std::fmt::Debug for Squareplus<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Squareplus")
            .field("b", &self.b.to_f64())
            .finish()
    }
}

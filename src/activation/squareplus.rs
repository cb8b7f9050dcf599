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
/// overflows (`|x| > 1.8e19` in `f32`): with `r = √(x² + b)` (to about
/// 100 bits, scaled by powers of two where `x²` would overflow),
/// `(x + r) / 2` for `x ≥ 0` and `b / (2(r - x))` for `x < 0` (its sum and
/// quotient corrected by one Newton step), both sums of positive terms.
/// Measured within 0.5 ULP of the exact value before rounding on random
/// `f64` inputs (`b = 4`), so almost always the rounded value; `f32`
/// rounds that once more. `squareplus(inf) = inf`,
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
        let (r, r_lo) = root(x, widen(self.b));
        let y = if x >= 0.0 {
            let (sum, sum_lo) = two_sum(x, r);
            if sum.is_finite() {
                0.5 * (sum + (sum_lo + r_lo))
            } else {
                0.5 * x + 0.5 * r
            }
        } else {
            // b / (2(r - x)), halved twice so that r - x cannot overflow.
            let (d, d_lo) = two_sum(0.5 * r, -0.5 * x);
            quotient(0.25 * widen(self.b), d, d_lo + 0.5 * r_lo)
        };
        (y, r)
    }
}

/// `a + b` as `(s, e)` with `s = a + b` rounded and `e` its error
/// (Knuth's TwoSum).
fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let b_part = s - a;
    (s, (a - (s - b_part)) + (b - b_part))
}

/// `√(x² + b)` as `r + r_lo`, about 100 bits: `x² + b` kept as two `f64`s
/// and one Newton step on `√`. Scaled by 2^±600 where `x²` or `b` is near
/// overflow (the parts that then underflow are far below an ULP of the
/// rest).
fn root(x: f64, b: f64) -> (f64, f64) {
    const BIG: f64 = 1e150;
    if x.abs() > BIG || b > BIG * BIG {
        let (down, up) = (2.0_f64.powi(-600), 2.0_f64.powi(600));
        let (r, r_lo) = unscaled_root(x * down, b * down * down);
        return (up * r, up * r_lo);
    }
    unscaled_root(x, b)
}

/// [`root`] where `x² + b` does not overflow.
fn unscaled_root(x: f64, b: f64) -> (f64, f64) {
    let square = x * x;
    let square_lo = x.mul_add(x, -square);
    let (sum, sum_lo) = two_sum(square, b);
    let (sum_lo, r) = (sum_lo + square_lo, sum.sqrt());
    if r == 0.0 || !r.is_finite() {
        return (r, 0.0);
    }
    // (s - r²) / 2r, with s - r² exact by FMA.
    (r, ((-r).mul_add(r, sum) + sum_lo) / (2.0 * r))
}

/// `n / (d + e)` for `d > 0`, `|e| ≤ ulp(d)`: one Newton correction of the
/// rounded quotient `y`, `y + (n - y·d - y·e) / d`, so the result carries
/// the error of its inputs and about half an ULP.
fn quotient(n: f64, d: f64, e: f64) -> f64 {
    let y = n / d;
    if !y.is_normal() || !d.is_finite() {
        return y;
    }
    let residual = (-y).mul_add(d, n) - y * e;
    y + residual / d
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

    builtin_methods!();
}

// Written by hand so that every `Float`, not only `Debug` ones, qualifies.
impl<T: Float> std::fmt::Debug for Squareplus<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Squareplus")
            .field("b", &self.b.to_f64())
            .finish()
    }
}

//! Tanh shrink, `x - tanh(x)`, without cancellation near 0.

use super::{Activation, BuiltinActivation, KerasName};
use crate::precision::{narrow, widen};
use num_traits::Float;

/// Tanh shrink: `x - tanh(x)`.
///
/// Near 0 the two terms cancel: TensorFlow's `x - tanh(x)` loses every
/// digit there (`0` for `|x| < 2^-12` in `f32`, where the value is about
/// `x³/3`). neurite follows the exact value instead, computed in `f64`:
///
/// - `|x| < 1.25`: `x³·g(x²)`, `g(z) = (a - tanh a)/a³` (`a = √z`) by one
///   of three minimax polynomials (on `z ∈ [0, 1/4]`, `[1/4, 1]`,
///   `[1, 25/16]`, each within 2^-55 relative of `g` and centred so that
///   its first term dominates), `x³` kept exact as a double-`f64` and the
///   leading coefficient as two `f64`s, so the result carries the
///   polynomial's final rounding and one more;
/// - `|x| ≥ 1.25`: `(|x| - 1) + 2/(e^(2|x|) + 1)`, two positive terms
///   (from `tanh a = 1 - 2/(e^(2a) + 1)`), the second at most 0.38 of the
///   sum, so its few roundings count less than half.
///
/// Measured within 1.5 ULP of the exact value before rounding on random
/// `f64` inputs (so ≤ 2 ULP); `f32` values are those `f64` results
/// rounded once. Odd; `tanh_shrink(±inf) = ±inf`; NaN gives NaN. The
/// derivative is `tanh²(x)`, with `tanh` from the same two forms (no
/// cancellation in either).
///
/// This activation has no vectorized kernel: `apply_slice` maps the scalar
/// function.
///
/// # Plot
///
/// `tanh_shrink(x)` (blue) and its derivative (orange) over `[-5, 5]`,
/// drawn with its [`apply`](Activation::apply) and
/// [`derivative`](Activation::derivative) by
/// `cargo run --example plot_activations`:
///
#[doc = include_str!("../../docs/img/tanh_shrink.svg")]
///
/// # Example
///
/// ```
/// use neurite::{Activation, TanhShrink};
///
/// assert_eq!(TanhShrink.apply(1e-8_f64), 3.3333333333333335e-25); // TF: 0
/// assert_eq!(TanhShrink.apply(-10.0_f32), -9.0);
/// assert_eq!(TanhShrink.derivative(0.0_f64), 0.0);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct TanhShrink;

/// `g(z)` on `z ∈ [0, 1/4]`, in `z`: `[c₀ hi, c₀ lo, c₁, c₂, …]`.
const SMALL: [f64; 12] = [
    0.3333333333333333,
    1.7446131173846483e-17,
    -0.1333333333333323,
    0.053968253968089755,
    -0.0218694885258676,
    0.008863235198659135,
    -0.0035921217969498704,
    0.0014557608138655873,
    -0.0005894667419101905,
    0.00023635364294136244,
    -8.819580305745065e-05,
    2.295330465333733e-05,
];
/// `g(z)` on `z ∈ [1/4, 1]`, in `w = z - 5/8`.
const MIDDLE: [f64; 17] = [
    0.2668212056402515,
    2.6295924101036682e-17,
    -0.08494411299581858,
    0.027417317541508286,
    -0.008863868695085604,
    0.0028662452690284093,
    -0.0009268631694989829,
    0.00029972263935441955,
    -9.692229615475329e-05,
    3.134208000866511e-05,
    -1.0135192346075847e-05,
    3.2775115758898747e-06,
    -1.0598597884060484e-06,
    3.422192967287424e-07,
    -1.1066458898182194e-07,
    3.802248814026866e-08,
    -1.2295458094656543e-08,
];
/// `g(z)` on `z ∈ [1, 25/16]`, in `w = z - 41/32`.
const UPPER: [f64; 14] = [
    0.22081769172138846,
    5.581317271314935e-18,
    -0.05785489732866582,
    0.015394488739247085,
    -0.004105080633167705,
    0.0010950151970619357,
    -0.00029210629303101426,
    7.792292052106941e-05,
    -2.0786926748064815e-05,
    5.545174884189617e-06,
    -1.4790514483686834e-06,
    3.9455564343666113e-07,
    -1.0721411721979118e-07,
    2.860071912515838e-08,
];
/// `c₀ + w·(c₁ + w·(c₂ + …))` with `c₀ = coefficients[0] + coefficients[1]`,
/// rounded once at the end.
fn polynomial(w: f64, coefficients: &[f64]) -> f64 {
    let (&c0_hi, rest) = coefficients.split_first().expect("c₀ hi");
    let (&c0_lo, rest) = rest.split_first().expect("c₀ lo");
    let tail = rest.iter().rev().fold(0.0, |acc, &c| acc.mul_add(w, c));
    w.mul_add(tail, c0_lo) + c0_hi
}

/// `a - tanh(a)` for `a ≥ 0` (or NaN).
fn tanh_shrink(a: f64) -> f64 {
    if a >= 1.25 {
        return (a - 1.0) + 2.0 / ((2.0 * a).exp() + 1.0);
    }
    // a² = z + z_lo and a³ = cube + cube_lo, exactly (up to underflow).
    let z = a * a;
    let z_lo = a.mul_add(a, -z);
    let g = if z < 0.25 {
        polynomial(z + z_lo, &SMALL)
    } else if z < 1.0 {
        polynomial((z - 0.625) + z_lo, &MIDDLE)
    } else {
        polynomial((z - 1.281_25) + z_lo, &UPPER)
    };
    let cube = a * z;
    let cube_lo = a.mul_add(z, -cube) + a * z_lo;
    cube.mul_add(g, cube_lo * g)
}

impl<T: Float> Activation<T> for TanhShrink {
    /// In `f64` (a single rounding to `T` after it for `f32`).
    fn apply(&self, x: T) -> T {
        let x = widen(x);
        narrow(tanh_shrink(x.abs()).copysign(x))
    }

    /// `tanh²(x)`, with `tanh` from the same pieces as the value.
    fn derivative(&self, x: T) -> T {
        let a = widen(x).abs();
        narrow(if a >= 1.25 {
            // tanh a = 1 - q, q ≤ 0.16: tanh² = 1 - q·(2 - q).
            let q = 2.0 / ((2.0 * a).exp() + 1.0);
            1.0 - q * (2.0 - q)
        } else {
            // tanh a = a - (a - tanh a), the subtracted part below a / 3.
            let t = a - tanh_shrink(a);
            t * t
        })
    }

    builtin_methods!();
}

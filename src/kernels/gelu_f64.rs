//! The exact gelu for `f64` results, and its derivative: `x·Φ(x)` with
//! musl's erfc (within 1 ULP) from [`TAIL_FROM`] up, gelu.rs's kernel
//! below, where `Φ` nears the subnormal range and that kernel's rational
//! is evaluated in `1/|x|`, within about 1 ULP. The kernel alone, a degree
//! 10/11 rational evaluated by Horner's rule, reaches 3 ULP near
//! `|x| ≈ 3`: enough for the `f32` results it gives, not for `f64`.
//!
//! Measured (tests/random_f64_gelu.rs, against a double-double reference
//! on 10^8 random inputs and the special points, every path): gelu within
//! 1 ULP of the rounded result (0.93 before rounding); the derivative
//! within 2 ULP (1.6 before rounding) except near its root
//! `x ≈ -0.7518`, where `Φ(x)` and `x·φ(x)` cancel.

use super::gelu::Gelu;
use super::vector::{Elementwise, Vector, map_in_place};

/// From here down, [`exact`] takes gelu.rs's kernel.
const TAIL_FROM: f64 = -26.0;

/// The exact gelu of each value, in place (the `f64` kernel of every
/// path; `V` is the path's vector type, for the tail).
pub(crate) fn exact<V: Vector<Scalar = f64>>(xs: &mut [f64])
where
    Gelu: Elementwise<V>,
{
    for x in xs {
        if x.is_finite() && *x >= TAIL_FROM {
            *x *= normal_cdf(*x);
        } else {
            map_in_place::<V>(std::slice::from_mut(x), Gelu);
        }
    }
}

/// `1/√2` as a sum of two `f64`s.
const FRAC_1_SQRT_2: (f64, f64) = (std::f64::consts::FRAC_1_SQRT_2, -4.833_646_656_726_457e-17);
/// `2/√π`.
const FRAC_2_SQRT_PI: f64 = std::f64::consts::FRAC_2_SQRT_PI;
/// `1/√(2π)` as a sum of two `f64`s.
const FRAC_1_SQRT_2PI: (f64, f64) = (0.398_942_280_401_432_7, -2.492_327_202_277_73e-17);

/// `Φ(x) = erfc(-x/√2)/2` for `x ≥ -26`, with the rounding `dz` of
/// `z = -x/√2` corrected to first order, `erfc(z + dz) ≈ erfc(z) -
/// dz·(2/√π)·e^(-z²)`: the rounding alone would cost `2z²` ULPs.
fn normal_cdf(x: f64) -> f64 {
    let z = -x * FRAC_1_SQRT_2.0;
    let dz = (-x).mul_add(FRAC_1_SQRT_2.0, -z) - x * FRAC_1_SQRT_2.1;
    let slope = FRAC_2_SQRT_PI * (-z * z).exp();
    0.5 * (-dz).mul_add(slope, libm::erfc(z))
}

/// `(p, e)`: `p = a·b` rounded, `p + e = a·b` exactly.
pub(crate) fn two_product(a: f64, b: f64) -> (f64, f64) {
    let p = a * b;
    (p, a.mul_add(b, -p))
}

/// `φ(x) = e^(-x²/2)/√(2π)`, with `x²` carried exactly into the exponent.
fn normal_density(x: f64) -> f64 {
    let (square, error) = two_product(x, x);
    // e^(-(s + ε)/2) = e^(-s/2)·(1 - ε/2) to 2^-106·s² (halving is exact).
    let e = (-0.5 * square).exp();
    let e = e.mul_add(-0.5 * error, e);
    e * FRAC_1_SQRT_2PI.0 + e * FRAC_1_SQRT_2PI.1
}

/// The exact gelu's derivative, `Φ(x) + x·φ(x)`; NaN at `±inf` as
/// TensorFlow.
pub(crate) fn derivative(x: f64) -> f64 {
    if !x.is_finite() {
        return f64::NAN;
    }
    // Below -20, x·φ(x) dominates (Φ/|x·φ| < 1/x² = 1/400) and Φ is
    // gelu(x)/x, whose error counts for less than 0.01 of it, also where
    // Φ alone would be subnormal.
    let cdf = if x < -20.0 {
        let mut gelu = [x];
        (super::f64_kernels().gelu)(&mut gelu);
        gelu[0] / x
    } else {
        normal_cdf(x)
    };
    x.mul_add(normal_density(x), cdf)
}

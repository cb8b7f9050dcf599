//! Double-double references for the `f64` kernels: each value is an
//! unevaluated sum `hi + lo` of two `f64`s, about 106 bits, so rounding it
//! to `f64` is exact except within 2^-100 or so of a tie.
//!
//! - `e^r - 1` for `|r| ≤ 0.35`: `r / 2^4` in a Taylor series of 14 terms,
//!   then four doublings `(1 + e)² - 1 = e·(2 + e)`, which keep the
//!   relative accuracy of small values.
//! - `e^x`, `e^x - 1`: `x = k·ln 2 + r` with `ln 2` in double-double.
//!   `e^x` is returned with its power of two apart ([`Scaled`]), so that
//!   subnormal results round once and correctly.
//! - `ln(1 + x)`: one Newton step on `e^y - 1 = x` from `f64::ln_1p`,
//!   which doubles its 53 correct bits.
//! - `ln x`: `x = 2^e·m` with `m ∈ [√½, √2)`, `e·ln 2 + ln(1 + (m - 1))`
//!   (`m - 1` exact, and no cancellation between the two terms).
//! - sigmoid and tanh from those, as `e / (1 + e)`, `1 / (1 + e)` and
//!   `u / (u + 2)` with `u = e^2|x| - 1`.

use std::ops::{Add, Div, Mul, Neg, Sub};
use std::sync::LazyLock;

/// `hi + lo`, with `|lo| ≤ ulp(hi) / 2`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Dd {
    pub(super) hi: f64,
    pub(super) lo: f64,
}

/// `a + b` exactly, as a normalised pair (Knuth's TwoSum).
fn two_sum(a: f64, b: f64) -> Dd {
    let hi = a + b;
    let b_part = hi - a;
    let lo = (a - (hi - b_part)) + (b - b_part);
    Dd { hi, lo }
}

/// `a + b` exactly for `|a| ≥ |b|` (Fast2Sum).
fn fast_two_sum(a: f64, b: f64) -> Dd {
    let hi = a + b;
    Dd {
        hi,
        lo: b - (hi - a),
    }
}

impl Dd {
    pub(super) fn new(x: f64) -> Self {
        Dd { hi: x, lo: 0.0 }
    }

    /// `self · 2^e`, exact while the parts stay normal.
    pub(super) fn scale(self, e: i32) -> Self {
        Dd {
            hi: scale(self.hi, e),
            lo: scale(self.lo, e),
        }
    }
}

impl Add for Dd {
    type Output = Dd;
    fn add(self, rhs: Dd) -> Dd {
        let s = two_sum(self.hi, rhs.hi);
        let t = two_sum(self.lo, rhs.lo);
        let s = fast_two_sum(s.hi, s.lo + t.hi);
        fast_two_sum(s.hi, s.lo + t.lo)
    }
}

impl Neg for Dd {
    type Output = Dd;
    fn neg(self) -> Dd {
        Dd {
            hi: -self.hi,
            lo: -self.lo,
        }
    }
}

impl Sub for Dd {
    type Output = Dd;
    fn sub(self, rhs: Dd) -> Dd {
        self + -rhs
    }
}

/// `(hi, lo)` with `hi` holding the upper 26 bits of `a` (Veltkamp).
fn split(a: f64) -> (f64, f64) {
    if a.abs() > 1e300 {
        // Scaled down first, so that `t` does not overflow.
        let (hi, lo) = split(a * 2f64.powi(-28));
        return (hi * 2f64.powi(28), lo * 2f64.powi(28));
    }
    let t = 134_217_729.0 * a; // 2^27 + 1
    let hi = t - (t - a);
    (hi, a - hi)
}

/// `a·b` exactly (Dekker's TwoProduct, without `mul_add`, which is a
/// library call when the test binary is built without FMA).
fn two_product(a: f64, b: f64) -> Dd {
    let hi = a * b;
    let (a_hi, a_lo) = split(a);
    let (b_hi, b_lo) = split(b);
    let lo = ((a_hi * b_hi - hi) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo;
    Dd { hi, lo }
}

impl Mul for Dd {
    type Output = Dd;
    fn mul(self, rhs: Dd) -> Dd {
        let p = two_product(self.hi, rhs.hi);
        fast_two_sum(p.hi, p.lo + (self.hi * rhs.lo + self.lo * rhs.hi))
    }
}

impl Div for Dd {
    type Output = Dd;
    fn div(self, rhs: Dd) -> Dd {
        // Two long-division steps.
        let q1 = self.hi / rhs.hi;
        let r = self - rhs * Dd::new(q1);
        let q2 = r.hi / rhs.hi;
        let r = r - rhs * Dd::new(q2);
        let q3 = r.hi / rhs.hi;
        fast_two_sum(q1, q2) + Dd::new(q3)
    }
}

/// `x · 2^e` in steps whose factors are normal, so that only the last
/// one can round.
pub(super) fn scale(mut x: f64, mut e: i32) -> f64 {
    while e != 0 {
        let step = e.clamp(-1000, 1000);
        x *= f64::from_bits(((1023 + step) as u64) << 52);
        e -= step;
    }
    x
}

/// `value · 2^exponent`: a result that may be subnormal, kept exact.
#[derive(Clone, Copy, Debug)]
pub(super) struct Scaled {
    pub(super) value: Dd,
    pub(super) exponent: i32,
}

impl Scaled {
    /// The `f64` nearest `value · 2^exponent` (ties aside).
    pub(super) fn rounded(self) -> f64 {
        let Dd { hi, lo } = self.value;
        let y = scale(hi, self.exponent);
        if y.abs() >= f64::MIN_POSITIVE || !y.is_finite() {
            // Normal: scaling the already rounded `hi` is exact.
            return y;
        }
        // Subnormal: round `value` to a multiple of 2^-1074 by hand.
        let units = scale(hi, 1074 + self.exponent);
        let whole = units.round_ties_even();
        let rest = (units - whole) + scale(lo, 1074 + self.exponent);
        let whole = if rest > 0.5 {
            whole + 1.0
        } else if rest < -0.5 {
            whole - 1.0
        } else {
            whole
        };
        scale(whole, -1074)
    }

    /// `|y - value·2^exponent|` in ULPs of the exact value (subnormal
    /// ULPs below `f64::MIN_POSITIVE`).
    pub(super) fn ulp_error(self, y: f64) -> f64 {
        let exact = self.rounded();
        if !exact.is_finite() || !y.is_finite() {
            return if y == exact { 0.0 } else { f64::INFINITY };
        }
        let y_scaled = scale(y, -self.exponent);
        let error = ((Dd::new(y_scaled) - self.value).hi).abs();
        let ulp = f64_ulp(self.value.hi).max(scale(f64::from_bits(1), -self.exponent));
        error / ulp
    }
}

impl From<Dd> for Scaled {
    fn from(value: Dd) -> Self {
        Scaled { value, exponent: 0 }
    }
}

/// The spacing of `f64`s at `x` (of normal `f64`s: never the subnormal one).
fn f64_ulp(x: f64) -> f64 {
    let exponent = ((x.abs().to_bits() >> 52) as i32).max(1);
    scale(1.0, exponent - 1023 - 52)
}

/// `ln 2` to 106 bits.
pub(super) const LN_2: Dd = Dd {
    hi: std::f64::consts::LN_2,
    lo: 2.319_046_813_846_299_6e-17,
};

/// Halvings of the argument before the Taylor series of [`expm1_reduced`].
const HALVINGS: i32 = 4;

/// `1/n!` for `n` in `0..=14`, the Taylor coefficients of `e^t`.
static INVERSE_FACTORIALS: LazyLock<[Dd; 15]> = LazyLock::new(|| {
    let mut coefficients = [Dd::new(1.0); 15];
    for n in 1..coefficients.len() {
        coefficients[n] = coefficients[n - 1] / Dd::new(n as f64);
    }
    coefficients
});

/// `e^r - 1` for `|r| ≤ 0.35`: `t = r / 2^4` (`|t| < 0.022`), the Taylor
/// series `t + t²/2! + … + t^14/14!` (the next term is below 2^-107
/// relative; the terms from `t^8` on, below 2^-53 relative, in `f64`),
/// then `(1 + e)² - 1 = e·(2 + e)` four times.
pub(super) fn expm1_reduced(r: Dd) -> Dd {
    let t = r.scale(-HALVINGS);
    let coefficients = &*INVERSE_FACTORIALS;
    let mut tail = coefficients[14].hi;
    for c in coefficients[8..14].iter().rev() {
        tail = tail * t.hi + c.hi;
    }
    let mut sum = Dd::new(tail);
    for c in coefficients[1..8].iter().rev() {
        sum = sum * t + *c;
    }
    let mut e = sum * t;
    for _ in 0..HALVINGS {
        e = e * (e + Dd::new(2.0));
    }
    e
}

/// `(k, r)` with `x = k·ln 2 + r`, `|r| ≤ ln2/2` (a little more).
fn reduce(x: f64) -> (i32, Dd) {
    let k = (x / std::f64::consts::LN_2).round();
    (k as i32, Dd::new(x) - LN_2 * Dd::new(k))
}

/// `e^x` (finite or infinite).
pub(super) fn exp(x: f64) -> Scaled {
    if x > 710.0 {
        return Dd::new(f64::INFINITY).into();
    }
    let (k, r) = reduce(x.max(-1100.0));
    Scaled {
        value: Dd::new(1.0) + expm1_reduced(r),
        exponent: k,
    }
}

/// Below this, `e^x - 1`, `ln(1 + x)` and `tanh(x)` round to `x` (and
/// double-double arithmetic would lose subnormal bits and signed zeros).
pub(super) const TINY: f64 = 1e-200;

/// `e^x - 1`.
pub(super) fn expm1(x: f64) -> Dd {
    if x.abs() < TINY {
        return Dd::new(x);
    }
    if x.abs() <= 0.35 {
        return expm1_reduced(Dd::new(x));
    }
    if x > 710.0 {
        return Dd::new(f64::INFINITY);
    }
    let (k, r) = reduce(x.max(-1100.0));
    (Dd::new(1.0) + expm1_reduced(r)).scale(k) - Dd::new(1.0)
}

/// `ln(1 + x)` for `x > -1`.
pub(super) fn log1p(x: f64) -> Dd {
    let y = x.ln_1p();
    if !y.is_finite() || x.abs() < TINY {
        return Dd::new(y);
    }
    // Newton on g(y) = e^y - 1 - x: y ← y - g(y) / e^y.
    if x > 1e300 {
        // e^y would overflow: ln(1 + x) = ln(x) to far more than 106 bits,
        // and ln(x) = ln(x / 2^600) + 600·ln 2, with Newton on
        // e^y = x / 2^600: y ← y - (1 - (x / 2^600)·e^-y).
        let scaled = scale(x, -600);
        let y = scaled.ln();
        let e = exp(-y);
        let y = Dd::new(y) - (Dd::new(1.0) - Dd::new(scaled) * e.value.scale(e.exponent));
        return y + LN_2 * Dd::new(600.0);
    }
    let e_y_minus_1 = expm1(y);
    Dd::new(y) - (e_y_minus_1 - Dd::new(x)) / (e_y_minus_1 + Dd::new(1.0))
}

/// `ln x` (`-inf` at 0, NaN below, `+inf` at `+inf`).
pub(super) fn ln(x: f64) -> Dd {
    if x <= 0.0 || x.is_infinite() {
        return Dd::new(x.ln());
    }
    // Subnormals made normal first (exactly).
    let (x, shift) = if x < f64::MIN_POSITIVE {
        (scale(x, 54), -54)
    } else {
        (x, 0)
    };
    let mut e = ((x.to_bits() >> 52) as i32) - 1023;
    let mut m = scale(x, -e);
    if m >= std::f64::consts::SQRT_2 {
        m /= 2.0;
        e += 1;
    }
    LN_2 * Dd::new(f64::from(e + shift)) + log1p(m - 1.0)
}

/// `σ(x) = 1 / (1 + e^-x)`.
pub(super) fn sigmoid(x: f64) -> Scaled {
    if x >= 0.0 {
        let e = exp(-x);
        return (Dd::new(1.0) / (Dd::new(1.0) + e.value.scale(e.exponent))).into();
    }
    // e / (1 + e), the power of two of e kept apart.
    let e = exp(x);
    let one_plus_e = Dd::new(1.0) + e.value.scale(e.exponent);
    Scaled {
        value: e.value / one_plus_e,
        exponent: e.exponent,
    }
}

/// `tanh(x) = u / (u + 2)` with `u = e^2|x| - 1`, and the sign of `x`.
pub(super) fn tanh(x: f64) -> Dd {
    let a = x.abs();
    if a < TINY {
        return Dd::new(x);
    }
    let t = if a > 30.0 {
        Dd::new(1.0)
    } else {
        let u = expm1(2.0 * a);
        u / (u + Dd::new(2.0))
    };
    if x.is_sign_negative() { -t } else { t }
}

/// `elu(x) = x` for `x > 0`, `alpha · (e^x - 1)` otherwise.
pub(super) fn elu(x: f64, alpha: f64) -> Dd {
    if x > 0.0 {
        Dd::new(x)
    } else if x.abs() < TINY {
        Dd::new(alpha * x)
    } else {
        Dd::new(alpha) * expm1(x)
    }
}

/// Keras's SELU: `scale·x` for `x > 0`, `scale·alpha·(e^x - 1)` otherwise,
/// with the exact products of Keras's decimal constants to 106 bits.
pub(super) fn selu(x: f64) -> Scaled {
    const SCALE: Dd = Dd {
        hi: 1.050_700_987_355_480_5,
        lo: 3.987_484_268_185_955e-17,
    };
    const SCALE_ALPHA: Dd = Dd {
        hi: 1.758_099_340_847_376_8,
        lo: 1.415_350_789_502_188_2e-17,
    };
    if x == f64::INFINITY || x == 0.0 {
        Dd::new(x).into()
    } else if x > 1e300 {
        // Scaled down first: the product's splitting needs room.
        Scaled {
            value: SCALE * Dd::new(scale(x, -600)),
            exponent: 600,
        }
    } else if x > 0.0 {
        (SCALE * Dd::new(x)).into()
    } else {
        (elu(x, 1.0) * SCALE_ALPHA).into()
    }
}

/// `celu(x) = x` for `x > 0`, `alpha·(e^(x/alpha) - 1)` otherwise, for a
/// power-of-two `alpha` (so that `x / alpha` is exact).
pub(super) fn celu(x: f64, alpha: f64) -> Dd {
    if x > 0.0 {
        Dd::new(x)
    } else {
        elu(x / alpha, alpha)
    }
}

/// `e^x` with its power of two applied (exact while normal).
fn exp_dd(x: f64) -> Dd {
    let e = exp(x);
    e.value.scale(e.exponent)
}

/// `silu(x) = x / (1 + e^-x)`; for `x < 0`, `x·e^x / (1 + e^x)` with the
/// power of two of `e^x` kept apart.
pub(super) fn silu(x: f64) -> Scaled {
    if x.abs() < TINY {
        // x / 2, rounded once (signed zeros and subnormals kept).
        return Scaled {
            value: Dd::new(x),
            exponent: -1,
        };
    }
    if x > 80.0 {
        // x·e^-x < 2^-110·x.
        return Dd::new(x).into();
    }
    if x >= 0.0 {
        return (Dd::new(x) / (Dd::new(1.0) + exp_dd(-x))).into();
    }
    if x < -800.0 {
        // Below 2^-1100: rounds to -0.
        return Dd::new(-0.0).into();
    }
    let e = exp(x);
    Scaled {
        value: Dd::new(x) * e.value / (Dd::new(1.0) + e.value.scale(e.exponent)),
        exponent: e.exponent,
    }
}

/// `softplus(x) = max(x, 0) + ln(1 + e^-|x|)`; where `e^-|x| < 2^-60`,
/// `ln(1 + e) = e·(1 - e/2)` to far more than 106 bits.
pub(super) fn softplus(x: f64) -> Scaled {
    if x == f64::INFINITY {
        return Dd::new(x).into();
    }
    let e = exp(-x.abs());
    let small = e.value.scale(e.exponent);
    let log1p_e = if small.hi < 2f64.powi(-60) {
        Scaled {
            value: e.value * (Dd::new(1.0) - Dd::new(small.hi / 2.0)),
            exponent: e.exponent,
        }
    } else {
        // ln(1 + hi + lo) = ln(1 + hi) + lo / (1 + hi).
        (log1p(small.hi) + Dd::new(small.lo / (1.0 + small.hi))).into()
    };
    if x <= 0.0 {
        return log1p_e;
    }
    (Dd::new(x) + log1p_e.value.scale(log1p_e.exponent)).into()
}

/// `mish(x) = x·N/(N + 2)`, `N = e^x(e^x + 2)`; for `x > 0` from
/// `e = e^-x`: `x·(1 + 2e) / (1 + 2e + 2e²)`.
pub(super) fn mish(x: f64) -> Scaled {
    let (one, two) = (Dd::new(1.0), Dd::new(2.0));
    if x == 0.0 {
        return Dd::new(x).into();
    }
    if x.abs() < TINY {
        // 3x/5, scaled up first so that the product keeps its bits.
        return Scaled {
            value: Dd::new(scale(x, 200)) * Dd::new(3.0) / Dd::new(5.0),
            exponent: -200,
        };
    }
    if x > 80.0 {
        return Dd::new(x).into();
    }
    if x > 0.0 {
        let e = exp_dd(-x);
        let n = one + two * e;
        return (Dd::new(x) * n / (n + two * e * e)).into();
    }
    if x < -800.0 {
        // Below 2^-1100: rounds to -0.
        return Dd::new(-0.0).into();
    }
    let e = exp(x);
    let whole = e.value.scale(e.exponent);
    let two_plus_e = two + whole;
    Scaled {
        value: Dd::new(x) * e.value * two_plus_e / (two + whole * two_plus_e),
        exponent: e.exponent,
    }
}

/// `softsign(x) = x / (1 + |x|)`, `±1` at `±inf`.
pub(super) fn softsign(x: f64) -> Dd {
    if x.abs() < TINY {
        return Dd::new(x);
    }
    if x.abs() > 1e30 {
        // ±(1 - 1/(1 + |x|)), with 1/|x| for 1/(1 + |x|) to 2^-100.
        return Dd {
            hi: x.signum(),
            lo: -1.0 / x,
        };
    }
    Dd::new(x) / (Dd::new(1.0) + Dd::new(x.abs()))
}

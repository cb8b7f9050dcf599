//! Double-double references for the exact gelu, `x·Φ(x)`, and its
//! derivative `Φ(x) + x·φ(x)`, for `f64` inputs (the harness:
//! random_f64.rs), and `e^x` of a double-double.
//!
//! With `a = |x|`, `Φ(-a) = φ(a)·R(a)`, `R` Mills' ratio, and
//! `φ(a) = e^(-a²/2)/√(2π)` (`a²` exact in double-double, `e^(-a²/2)`
//! with its power of two apart, so that subnormal results round once).
//! `R` is smooth, `1/a` for large `a`, and solves `R' = a·R - 1`, whose
//! Taylor coefficients at a centre `c` follow from `R(c)`:
//! `r₁ = c·r₀ - 1`, `r_(k+1) = (c·r_k + r_(k-1))/(k + 1)`. So:
//!
//! - `R(40)` by Laplace's continued fraction `1/(a + 1/(a + 2/(a + …)))`
//!   (200 levels: it converges fast there);
//! - from there down to 0, centre by centre (`c = j/64`), the Taylor
//!   series of [`TERMS`] terms at `c` gives `R(c - 1/64)`; the errors of
//!   each step are multiples of the other solution, `e^(a²/2)`, which
//!   shrinks on the way down, so they do not accumulate (`φ(0)·R(0)`
//!   comes out as 1/2 to the last bit, see the test below);
//! - `R(a)` from the series at the nearest centre, `|a - c| ≤ 1/128`,
//!   `a - c` exact, [`EVALUATED`] terms: the truncation is below 2^-115,
//!   the recurrence's roundings grow by at most `e^(c·|h|) < 1.4`.
//!
//! The largest error is `e^(-a²/2)`'s: `ln 2` to 106 bits times `k` up
//! to 1075 in its reduction, 2^-96.8 relative near `x = -36` against
//! mpmath at 300 bits on 800 points over [-40, 10] (2^-101 for
//! `|x| < 8`), all rounded to the same `f64` as mpmath's values. The test
//! below checks the golden file's 200-bit `y_exact` and `dy_dx_exact` for
//! gelu in `f64` (274 inputs from ±1e-30 to ±1e30), rounded to the same
//! bits.

use super::reference::{Dd, LN_2, Scaled, TINY, expm1_reduced};
use std::sync::LazyLock;

/// `e^x` of a double-double `x` with `|x| < 2^20`, its power of two apart.
pub(super) fn exp(x: Dd) -> Scaled {
    let k = (x.hi / std::f64::consts::LN_2).round();
    let r = x - LN_2 * Dd::new(k);
    Scaled {
        value: Dd::new(1.0) + expm1_reduced(r),
        exponent: k as i32,
    }
}

/// Centres of the Taylor series per unit of `a`.
const CENTRES_PER_UNIT: f64 = 64.0;
/// The last centre: beyond it, `gelu` rounds to `x` or to `-0`.
const LAST: f64 = 40.0;
/// Taylor terms per centre: `(1/64)^18 < 2^-108` when stepping down.
const TERMS: usize = 18;
/// Taylor terms summed at `|h| ≤ 1/128`: `r_14·h^14 < 2^-98·r_14`, and
/// `|r_14| < 2^-19` (the coefficients of the odd part of `R` at 0 are
/// about `1/k!!`, and smaller at larger centres).
const EVALUATED: usize = 14;

/// `1/√(2π)` to 106 bits.
const FRAC_1_SQRT_2PI: Dd = Dd {
    hi: 0.398_942_280_401_432_7,
    lo: -2.492_327_202_277_73e-17,
};

/// `R(a)` by Laplace's continued fraction, evaluated from the bottom.
fn continued_fraction(a: f64) -> Dd {
    let a = Dd::new(a);
    let mut tail = a;
    for k in (1..=200).rev() {
        tail = a + Dd::new(f64::from(k)) / tail;
    }
    Dd::new(1.0) / tail
}

/// The Taylor coefficients of `R` at `c`, from `R(c)`.
fn taylor(c: f64, value: Dd) -> [Dd; TERMS] {
    let c = Dd::new(c);
    let mut r = [value; TERMS];
    r[1] = c * value - Dd::new(1.0);
    for k in 1..TERMS - 1 {
        r[k + 1] = (c * r[k] + r[k - 1]) / Dd::new((k + 1) as f64);
    }
    r
}

/// `Σ r_k·h^k` by Horner's rule.
fn sum(coefficients: &[Dd], h: f64) -> Dd {
    let h = Dd::new(h);
    let (&last, rest) = coefficients.split_last().expect("coefficients");
    rest.iter().rev().fold(last, |sum, &r| sum * h + r)
}

/// The Taylor coefficients of `R` at every centre `j/64`, `0 ≤ j ≤ 2560`.
static MILLS_RATIO: LazyLock<Vec<[Dd; TERMS]>> = LazyLock::new(|| {
    let last = (LAST * CENTRES_PER_UNIT) as usize;
    let mut table = vec![[Dd::new(0.0); TERMS]; last + 1];
    let mut value = continued_fraction(LAST);
    for j in (0..=last).rev() {
        table[j] = taylor(j as f64 / CENTRES_PER_UNIT, value);
        value = sum(&table[j], -1.0 / CENTRES_PER_UNIT);
    }
    table
});

/// Mills' ratio `R(a) = Φ(-a)/φ(a)` for `0 ≤ a ≤ 40`.
fn mills_ratio(a: f64) -> Dd {
    let j = (a * CENTRES_PER_UNIT).round();
    // Exact: `a` and the centre are within a factor of 2 (Sterbenz).
    let h = a - j / CENTRES_PER_UNIT;
    sum(&MILLS_RATIO[j as usize][..EVALUATED], h)
}

/// `φ(a)` for `0 ≤ a ≤ 40`, its power of two apart.
fn density(a: f64) -> Scaled {
    let a = Dd::new(a);
    let e = exp(-(a * a).scale(-1));
    Scaled {
        value: e.value * FRAC_1_SQRT_2PI,
        exponent: e.exponent,
    }
}

/// `φ(a)·m`.
fn times(density: Scaled, m: Dd) -> Scaled {
    Scaled {
        value: density.value * m,
        exponent: density.exponent,
    }
}

/// `gelu(x) = x·Φ(x)`: `x·φ(a)·R(a)` for `x < 0`, `x·(1 - φ(a)·R(a))`
/// above. `-inf` gives NaN (TensorFlow's `-inf·0`).
pub(super) fn gelu(x: f64) -> Scaled {
    if x.abs() < TINY {
        // x/2 (+ x²/√(2π), below 2^-600 relative), rounded once.
        return Scaled {
            value: Dd::new(x),
            exponent: -1,
        };
    }
    if x == f64::NEG_INFINITY {
        return Dd::new(f64::NAN).into();
    }
    if x > LAST {
        // 1 - Φ(x) < 2^-1100.
        return Dd::new(x).into();
    }
    if x < -LAST {
        // |gelu| < 2^-1100: rounds to -0.
        return Dd::new(-0.0).into();
    }
    let a = x.abs();
    let tail = times(density(a), mills_ratio(a) * Dd::new(x));
    if x < 0.0 {
        return tail;
    }
    (Dd::new(x) - tail.value.scale(tail.exponent)).into()
}

/// `gelu'(x) = Φ(x) + x·φ(x)`: `φ(a)·(R(a) - a)` for `x < 0`,
/// `1 - φ(a)·(R(a) - a)` above; NaN at `±inf` as TensorFlow.
pub(super) fn gelu_derivative(x: f64) -> Scaled {
    if x.is_infinite() {
        return Dd::new(f64::NAN).into();
    }
    if x.abs() < TINY {
        // 1/2 + 2x/√(2π): the second term below 2^-600.
        return Dd::new(0.5).into();
    }
    if x > LAST {
        return Dd::new(1.0).into();
    }
    if x < -LAST {
        return Dd::new(-0.0).into();
    }
    let a = x.abs();
    let part = times(density(a), mills_ratio(a) - Dd::new(a));
    if x < 0.0 {
        return part;
    }
    (Dd::new(1.0) - part.value.scale(part.exponent)).into()
}

#[test]
fn mills_ratio_at_zero_is_half_over_density() {
    // Φ(0) = 1/2 = φ(0)·R(0) after 2560 steps down from the continued
    // fraction.
    let half = FRAC_1_SQRT_2PI * mills_ratio(0.0);
    let error = (half - Dd::new(0.5)).hi.abs();
    assert!(error < 2f64.powi(-100), "{error:e}");
}

#[test]
fn gelu_reference_matches_the_golden_exact_values() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/golden/activations_keras3.json"
    );
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("golden file")).expect("JSON");
    let cases = file["cases"].as_array().expect("cases");
    let mut checked = 0;
    for case in cases.iter().filter(|case| {
        case["function"] == "gelu"
            && case["dtype"] == "float64"
            && case["params"]["approximate"] == false
            && case["expected"]["y_exact"].is_array()
    }) {
        let column = |field: &serde_json::Value| -> Vec<f64> {
            let values = field.as_array().expect("array");
            values.iter().map(|v| v.as_f64().expect("finite")).collect()
        };
        let xs = column(&case["inputs"]["x"]);
        let ys = column(&case["expected"]["y_exact"]);
        let slopes = column(&case["expected"]["dy_dx_exact"]);
        for ((x, y), slope) in xs.into_iter().zip(ys).zip(slopes) {
            // The file's zeros carry no sign (mpmath's have none).
            let value = gelu(x).rounded();
            let same = value.to_bits() == y.to_bits() || (value == 0.0 && y == 0.0);
            assert!(same, "gelu({x:e}) = {value:e}, expected {y:e}");
            let derivative = gelu_derivative(x).rounded();
            assert_eq!(derivative, slope, "gelu'({x:e}): {derivative:e}");
            checked += 1;
        }
    }
    assert_eq!(checked, 274);
}

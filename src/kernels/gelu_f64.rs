//! The exact gelu for `f64` results, and its derivative. From 0 to 38.6,
//! `x·Φ(x)` with musl's erfc ([`gelu_by_erfc`]); from -38.6 to 0,
//! `-a·R(a)·e^(-a²/2)` with a rational for Mills' ratio `R` evaluated in
//! double words ([`gelu_by_mills_ratio`]); beyond, `x` above and `-0`
//! below (where gelu rounds to them); NaN for NaN and `-inf` (TensorFlow's
//! `-inf·0`), `inf` for `inf`.
//!
//! Neither of the simpler choices holds 2 ULP for `f64` on negative
//! inputs: musl's erfc from `z = 1.25` (`x ≤ -1.77`) is two `exp`s, a
//! product and a quotient, each rounded (3 ULP measured on gelu, 6840 of
//! 10^8 inputs above -8); the same rational evaluated in `f64` lanes by
//! Horner's rule (the former vector kernel) was 3 ULP near `|x| = 3` and
//! again between -8 and -20 (2145 of 10^8 inputs below -8).
//!
//! Measured (kernels/tests/random_f64_gelu.rs, against a double-double
//! reference, 10^8 random inputs and the special points, every path):
//! within 1 ULP of the rounded result, 1.50 before rounding. The
//! derivative `Φ(x) + x·φ(x)` (musl's erfc for `Φ` from -20, `gelu(x)/x`
//! below) is within 2 ULP for `x ≥ 0` and 3 ULP on `[-37, -3]`; where the
//! terms cancel (its root near -0.7518) its error is within 1.03·2^-52 of
//! `|Φ(x)| + |x·φ(x)|` (7 ULP on `[-3, 0)` away from the root), and its
//! subnormal results below -37 within 30 ULP.

/// From here on `a·Φ(-a)` rounds to 0 (`38.6·Φ(-38.6) < 2^-1075`).
const A_MAX: f64 = 38.6;

/// The exact gelu of each value, in place: the `f64` kernel of every
/// path, inlined (as its helpers) into each path's kernel, so that
/// `mul_add` is an instruction where the path has FMA.
#[inline(always)]
pub(crate) fn exact(xs: &mut [f64]) {
    xs.iter_mut().for_each(|x| *x = gelu(*x));
}

/// The exact gelu of one value (see the module).
#[inline(always)]
fn gelu(x: f64) -> f64 {
    if (0.0..=A_MAX).contains(&x) {
        gelu_by_erfc(x)
    } else if (-A_MAX..0.0).contains(&x) {
        gelu_by_mills_ratio(x)
    } else if x > 0.0 {
        // Beyond 38.6 (inf included), gelu rounds to x.
        x
    } else if x < 0.0 && x.is_finite() {
        -0.0
    } else {
        // NaN, and -inf: TensorFlow's -inf·0.
        f64::NAN
    }
}

/// `1/√2` as a sum of two `f64`s.
const FRAC_1_SQRT_2: (f64, f64) = (std::f64::consts::FRAC_1_SQRT_2, -4.833_646_656_726_457e-17);
/// `2/√π`.
const FRAC_2_SQRT_PI: f64 = std::f64::consts::FRAC_2_SQRT_PI;
/// `1/√(2π)` as a sum of two `f64`s.
const FRAC_1_SQRT_2PI: (f64, f64) = (0.398_942_280_401_432_7, -2.492_327_202_277_73e-17);

/// `(erfc(z), c)` with `Φ(x) = (erfc(z) + c)/2`, `z = -x/√2` rounded and
/// `c` the first-order correction of its rounding `dz`, `erfc(z + dz) ≈
/// erfc(z) - dz·(2/√π)·e^(-z²)`: the rounding alone would cost `2z²` ULPs.
#[inline(always)]
fn cdf_parts(x: f64) -> (f64, f64) {
    let z = -x * FRAC_1_SQRT_2.0;
    let dz = (-x).mul_add(FRAC_1_SQRT_2.0, -z) - x * FRAC_1_SQRT_2.1;
    let slope = FRAC_2_SQRT_PI * (-z * z).exp();
    (libm::erfc(z), -dz * slope)
}

/// `Φ(x)` for `x ≥ -26` (within 2 ULP from -20 up).
fn normal_cdf(x: f64) -> f64 {
    let (erfc, correction) = cdf_parts(x);
    0.5 * (erfc + correction)
}

/// `x·Φ(x)` for `0 ≤ x ≤ 38.6`, rounded once after musl's erfc: the product's
/// error and the correction join before the last addition.
#[inline(always)]
fn gelu_by_erfc(x: f64) -> f64 {
    let (erfc, correction) = cdf_parts(x);
    let (product, error) = two_product(x, erfc);
    // gelu has the sign of x, zeros included.
    (0.5 * (product + x.mul_add(correction, error))).copysign(x)
}

/// `(p, e)`: `p = a·b` rounded, `p + e = a·b` exactly.
#[inline(always)]
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
    if x.abs() > 40.0 {
        // Within 2^-1100 of 1 or of -0 (and x² would overflow from 1e154).
        return if x > 0.0 { 1.0 } else { -0.0 };
    }
    // Below -20, x·φ(x) dominates (Φ/|x·φ| < 1/x² = 1/400) and Φ is
    // gelu(x)/x, whose error counts for less than 0.01 of it, also where
    // Φ alone would be subnormal.
    let cdf = if x < -20.0 {
        gelu(x) / x
    } else {
        normal_cdf(x)
    };
    x.mul_add(normal_density(x), cdf)
}

/// `R(a) = Φ(-a)·e^(a²/2)` (Mills' ratio over √2π), smooth and decreasing
/// from `1/2` at 0 to about `1/(a·√(2π))`, as `P(a)/Q(a)` of degrees 10/11,
/// fitted for minimax relative error on `[0, 38.6]` (Lawson iterations on
/// Chebyshev nodes against a 60-digit reference, then the numerator
/// refitted for the rounded denominator): within 2^-59.9 before and
/// 2^-55.7 after rounding the coefficients.
/// `P`, lowest degree first.
const R_NUMERATOR: [f64; 11] = [
    0.5,
    0.827_744_041_807_402_7,
    0.679_328_059_411_511_8,
    0.357_128_839_937_921_4,
    0.131_940_603_917_866_74,
    0.035_632_002_619_623_675,
    0.007_114_169_851_909_728,
    0.001_038_196_403_032_547_1,
    0.000_106_388_628_696_301_67,
    6.961_798_817_031_837e-6,
    2.236_468_375_426_200_6e-7,
];

/// `Q`, lowest degree first, `Q(0) = 1`.
const R_DENOMINATOR: [f64; 12] = [
    1.0,
    2.453_372_644_417_671,
    2.816_164_273_699_973,
    2.000_506_872_604_566,
    0.979_475_336_708_409_8,
    0.348_030_872_845_780_05,
    0.091_883_656_719_436_12,
    0.018_098_134_837_959_603,
    0.002_619_823_100_426_883_7,
    0.000_267_237_344_272_647_6,
    1.745_064_175_709_529_5e-5,
    5.605_994_865_160_05e-7,
];

/// `hi + lo`, `|lo| ≤ ulp(hi)/2`: double-word arithmetic for the rational.
#[derive(Clone, Copy)]
struct Wide {
    hi: f64,
    lo: f64,
}

impl Wide {
    /// `self·a + c` to about 2^-104 relative when no term cancels.
    #[inline(always)]
    fn mul_add(self, a: f64, c: f64) -> Wide {
        let (product, error) = two_product(self.hi, a);
        let hi = product + c;
        // Fast2Sum's error, then the low parts.
        let (big, small) = if product.abs() >= c.abs() {
            (product, c)
        } else {
            (c, product)
        };
        let lo = (small - (hi - big)) + self.lo.mul_add(a, error);
        let sum = hi + lo;
        Wide {
            hi: sum,
            lo: lo - (sum - hi),
        }
    }

    /// `self / d` to about 2^-104 relative.
    #[inline(always)]
    fn div(self, d: Wide) -> Wide {
        let q = self.hi / d.hi;
        // self - d·q, exact in its leading part.
        let (product, error) = two_product(d.hi, q);
        let rest = ((self.hi - product) - error + self.lo) - d.lo * q;
        let correction = rest / d.hi;
        let sum = q + correction;
        Wide {
            hi: sum,
            lo: correction - (sum - q),
        }
    }
}

/// `P(a)` of the rational by Horner's rule in double words (every
/// coefficient is positive: no step cancels).
#[inline(always)]
fn wide_horner(coefficients: &[f64], a: f64) -> Wide {
    let (&last, rest) = coefficients.split_last().expect("coefficients");
    rest.iter()
        .rev()
        .fold(Wide { hi: last, lo: 0.0 }, |sum, &c| sum.mul_add(a, c))
}

/// `1024·ln 2` as two `f64`s (exact multiples of `ln 2`'s parts), added
/// to `-a²/2` where `e^(-a²/2)` nears the subnormal range.
const LN_2_TIMES_1024: (f64, f64) = (
    1024.0 * std::f64::consts::LN_2,
    1024.0 * 2.319_046_813_846_299_6e-17,
);

/// `2^-1024` (a subnormal: 2^50 units of 2^-1074), undoing the shift
/// with one rounding.
const TWO_TO_MINUS_1024: f64 = f64::from_bits(1 << 50);

/// `x·Φ(x) = -a·R(a)·e^(-a²/2)` for `-38.6 ≤ x < 0`, `a = -x`, with
/// the rational for `R` (within 2^-55.7) evaluated in double
/// words, `-a²/2` exact (and raised by `1024·ln 2` from `a = 27`, so that
/// `e^(…)` stays normal and a subnormal result rounds once more at most
/// by its own ULP), `e^(hi + lo) = e^hi·(1 + lo)`: std's `exp` and the
/// last product the only roundings that count, about 1.2 ULP.
#[inline(always)]
fn gelu_by_mills_ratio(x: f64) -> f64 {
    let a = -x;
    let numerator = wide_horner(&R_NUMERATOR, a);
    let denominator = wide_horner(&R_DENOMINATOR, a);
    let ratio = numerator.div(denominator);
    // a·R(a) in double words.
    let (hi, error) = two_product(ratio.hi, a);
    let scaled = ratio.lo.mul_add(a, error);
    let (square, square_error) = two_product(a, -0.5 * a);
    let raised = a > 27.0;
    let (shift, shift_low) = if raised { LN_2_TIMES_1024 } else { (0.0, 0.0) };
    // Exact (Sterbenz): from a = 27, -a²/2 is within a factor 2 of -shift.
    let exponent = square + shift;
    let exponent_error = square_error + shift_low;
    let e = exponent.exp();
    // e·(1 + ε)·(hi + scaled), one rounding.
    let t = e.mul_add(hi, e * hi.mul_add(exponent_error, scaled));
    if raised { -(t * TWO_TO_MINUS_1024) } else { -t }
}

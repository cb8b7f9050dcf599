//! Every kernel on every path against the scalar definitions (the
//! activations' `apply`, `std`'s `exp`, `ln_1p` and `ln`, a softmax in `f64`), on
//! random slices: lengths 0..1000 at random offsets in a larger buffer (so
//! every alignment and tail length occurs), values mixing NaN, `±inf`,
//! `±0`, subnormals and normal numbers of every magnitude. Checks that every
//! value of the slice is transformed, that nothing outside it changes, and
//! that the rectifiers are bit-exact.

use super::{Rng, f32_ulps, f64_ulps, paths};
use crate::activation::{Activation, Elu, LeakyRelu, Relu, Sigmoid, Tanh};
use crate::activation::{LogSigmoid, Mish, Silu, Softplus, Softsign};
use crate::kernels::{Isa, Kernels};
use num_traits::Float;
use std::fmt::{Debug, LowerExp};

/// Slices per element type (each run on every kernel and path).
const CASES: usize = if cfg!(debug_assertions) { 200 } else { 2000 };

/// Both kernels and the scalar definition have errors of their own; 4 ULP
/// between them is the sum of the two bounds.
const MAX_ULPS: u128 = 4;

/// What the test needs of `f32` and `f64`.
trait Sample: Float + Debug + LowerExp + Send + Sync + 'static {
    fn kernels(path: &Isa) -> &Kernels<Self>;
    fn ulps(a: Self, b: Self) -> u128;
    fn bits(self) -> u64;
    fn from_f64(x: f64) -> Self;
    /// A random subnormal.
    fn subnormal(rng: &mut Rng) -> Self;
}

impl Sample for f32 {
    fn kernels(path: &Isa) -> &Kernels<f32> {
        &path.f32
    }
    fn ulps(a: f32, b: f32) -> u128 {
        u128::from(f32_ulps(a, b))
    }
    fn bits(self) -> u64 {
        u64::from(self.to_bits())
    }
    fn from_f64(x: f64) -> f32 {
        x as f32
    }
    fn subnormal(rng: &mut Rng) -> f32 {
        f32::from_bits(rng.next_u64() as u32 & 0x807f_ffff)
    }
}

impl Sample for f64 {
    fn kernels(path: &Isa) -> &Kernels<f64> {
        &path.f64
    }
    fn ulps(a: f64, b: f64) -> u128 {
        f64_ulps(a, b)
    }
    fn bits(self) -> u64 {
        self.to_bits()
    }
    fn from_f64(x: f64) -> f64 {
        x
    }
    fn subnormal(rng: &mut Rng) -> f64 {
        f64::from_bits(rng.next_u64() & 0x800f_ffff_ffff_ffff)
    }
}

/// A random value: specials with probability `special_odds` / 100, else a
/// normal number `±2^u·(1 + v)`, `u` uniform in [-30, 10) mostly and
/// anywhere in the type's range sometimes.
fn random_value<T: Sample>(rng: &mut Rng, special_odds: usize) -> T {
    if rng.below(100) < special_odds {
        return match rng.below(6) {
            0 => T::nan(),
            1 => T::infinity(),
            2 => T::neg_infinity(),
            3 => T::zero(),
            4 => T::neg_zero(),
            _ => T::subnormal(rng),
        };
    }
    let exponent = if rng.below(10) == 0 {
        rng.unit() * 250.0 - 125.0
    } else {
        rng.unit() * 40.0 - 30.0
    };
    let magnitude = T::from_f64(exponent.exp2() * (1.0 + rng.unit()));
    if rng.below(2) == 0 {
        magnitude
    } else {
        -magnitude
    }
}

/// A kernel with its parameters bound.
type BoundKernel<T> = Box<dyn Fn(&Kernels<T>, &mut [T])>;

/// An element-wise kernel and its scalar definition.
struct Elementwise<T> {
    name: &'static str,
    kernel: BoundKernel<T>,
    scalar: Box<dyn Fn(T) -> T>,
    /// Bit for bit, or within [`MAX_ULPS`].
    exact: bool,
}

/// The element-wise kernels, with random parameters.
fn elementwise<T: Sample>(rng: &mut Rng) -> Vec<Elementwise<T>> {
    let alpha = T::from_f64([1.0, 0.5, 1.673_263_2, 0.1][rng.below(4)]);
    let slope = T::from_f64([0.1, 0.2, 0.3, 0.01][rng.below(4)]);
    let elu = Elu::new(alpha);
    let leaky = LeakyRelu::new(slope);
    vec![
        Elementwise {
            name: "sigmoid",
            kernel: Box::new(|k, xs| (k.sigmoid)(xs)),
            scalar: Box::new(|x| Sigmoid.apply(x)),
            exact: false,
        },
        Elementwise {
            name: "tanh",
            kernel: Box::new(|k, xs| (k.tanh)(xs)),
            scalar: Box::new(|x| Tanh.apply(x)),
            exact: false,
        },
        Elementwise {
            name: "elu",
            kernel: Box::new(move |k, xs| (k.elu)(xs, alpha)),
            scalar: Box::new(move |x| elu.apply(x)),
            exact: false,
        },
        Elementwise {
            name: "exp",
            kernel: Box::new(|k, xs| (k.exp)(xs)),
            scalar: Box::new(T::exp),
            exact: false,
        },
        Elementwise {
            name: "log1p",
            kernel: Box::new(|k, xs| (k.log1p)(xs)),
            scalar: Box::new(T::ln_1p),
            exact: false,
        },
        Elementwise {
            name: "ln",
            kernel: Box::new(|k, xs| (k.ln)(xs)),
            scalar: Box::new(T::ln),
            exact: false,
        },
        Elementwise {
            name: "silu",
            kernel: Box::new(|k, xs| (k.silu)(xs)),
            scalar: Box::new(|x| Silu.apply(x)),
            exact: false,
        },
        Elementwise {
            name: "softplus",
            kernel: Box::new(|k, xs| (k.softplus)(xs)),
            scalar: Box::new(|x| Softplus.apply(x)),
            exact: false,
        },
        Elementwise {
            name: "log_sigmoid",
            kernel: Box::new(|k, xs| (k.log_sigmoid)(xs)),
            scalar: Box::new(|x| LogSigmoid.apply(x)),
            exact: false,
        },
        Elementwise {
            name: "mish",
            kernel: Box::new(|k, xs| (k.mish)(xs)),
            scalar: Box::new(|x| Mish.apply(x)),
            exact: false,
        },
        Elementwise {
            name: "softsign",
            kernel: Box::new(|k, xs| (k.softsign)(xs)),
            scalar: Box::new(|x| Softsign.apply(x)),
            exact: false,
        },
        Elementwise {
            name: "relu",
            kernel: Box::new(|k, xs| (k.relu)(xs)),
            scalar: Box::new(|x| Relu.apply(x)),
            exact: true,
        },
        Elementwise {
            name: "leaky_relu",
            kernel: Box::new(move |k, xs| (k.leaky_relu)(xs, slope)),
            scalar: Box::new(move |x| leaky.apply(x)),
            exact: true,
        },
    ]
}

/// Softmax of a row in `f64`, with Keras's rules for NaN and infinities.
pub(super) fn softmax_reference(row: &[f64]) -> Vec<f64> {
    let max = row.iter().fold(f64::NEG_INFINITY, |m, &x| {
        if x.is_nan() || m.is_nan() {
            f64::NAN
        } else {
            m.max(x)
        }
    });
    if !max.is_finite() {
        return vec![f64::NAN; row.len()];
    }
    let exps: Vec<f64> = row.iter().map(|&x| (x - max).exp()).collect();
    let sum: f64 = exps.iter().sum();
    exps.iter().map(|e| e / sum).collect()
}

/// A buffer with a random slice in it: `(buffer, offset, length)`. The
/// values around the slice are a sentinel that no kernel produces from
/// itself unchanged.
fn random_case<T: Sample>(rng: &mut Rng, special_odds: usize) -> (Vec<T>, usize, usize) {
    let length = rng.below(1000);
    let offset = rng.below(17);
    let mut buffer = vec![T::from_f64(-12_345.678); offset + length + 17];
    for x in &mut buffer[offset..offset + length] {
        *x = random_value(rng, special_odds);
    }
    (buffer, offset, length)
}

/// Checks that only `[offset, offset + length)` changed.
fn assert_outside_unchanged<T: Sample>(
    before: &[T],
    after: &[T],
    offset: usize,
    length: usize,
    what: &str,
) {
    for (i, (b, a)) in before.iter().zip(after).enumerate() {
        if i < offset || i >= offset + length {
            assert_eq!(
                b.bits(),
                a.bits(),
                "{what}: index {i} outside the slice [{offset}, {}) changed",
                offset + length
            );
        }
    }
}

fn check_type<T: Sample>(seed: u64) {
    let mut rng = Rng(seed);
    let paths = paths();
    for case in 0..CASES {
        let (buffer, offset, length) = random_case::<T>(&mut rng, 20);
        for function in elementwise::<T>(&mut rng) {
            for (path_name, path) in &paths {
                let what = format!(
                    "case {case}: {} on {path_name}, length {length}, offset {offset}",
                    function.name
                );
                let mut out = buffer.clone();
                (function.kernel)(T::kernels(path), &mut out[offset..offset + length]);
                assert_outside_unchanged(&buffer, &out, offset, length, &what);
                for (&x, &y) in buffer[offset..offset + length]
                    .iter()
                    .zip(&out[offset..offset + length])
                {
                    let expected = (function.scalar)(x);
                    let ok = if function.exact {
                        y.bits() == expected.bits()
                    } else if expected.is_nan() || y.is_nan() {
                        expected.is_nan() && y.is_nan()
                    } else {
                        T::ulps(y, expected) <= MAX_ULPS
                    };
                    assert!(ok, "{what}: f({x:e}) = {y:e}, scalar {expected:e}");
                }
            }
        }

        // Softmax: rows mostly free of specials (one NaN makes a whole row
        // NaN), with some -inf.
        let special_odds = if rng.below(4) == 0 { 3 } else { 0 };
        let (buffer, offset, length) = random_case::<T>(&mut rng, special_odds);
        let row = &buffer[offset..offset + length];
        let expected = softmax_reference(
            &row.iter()
                .map(|x| x.to_f64().expect("a float"))
                .collect::<Vec<_>>(),
        );
        for (path_name, path) in &paths {
            let what =
                format!("case {case}: softmax on {path_name}, length {length}, offset {offset}");
            let mut out = buffer.clone();
            (T::kernels(path).softmax)(&mut out[offset..offset + length], length);
            assert_outside_unchanged(&buffer, &out, offset, length, &what);
            // Allowed: the rounding of `x - max` (its error grows with
            // `|x - max|` in e^(x - max)), sums in another order (growing
            // with the length), a few roundings more, and the subnormal
            // scale in absolute terms.
            let epsilon = T::epsilon().to_f64().expect("a float");
            let tiny = T::min_positive_value().to_f64().expect("a float");
            let max = buffer[offset..offset + length]
                .iter()
                .fold(T::neg_infinity(), |m, &x| m.max(x));
            for (i, ((&y, &want), &x)) in out[offset..offset + length]
                .iter()
                .zip(&expected)
                .zip(&buffer[offset..])
                .enumerate()
            {
                let y = y.to_f64().expect("a float");
                let spread = (x - max).abs().to_f64().expect("a float");
                let tolerance = (length as f64 + 8.0 + spread) * epsilon;
                let ok = if want.is_nan() {
                    y.is_nan()
                } else {
                    // (`-inf` entries have an infinite spread and give 0.)
                    y == want || (y - want).abs() <= tolerance * want + tiny
                };
                assert!(ok, "{what}: entry {i} = {y:e}, expected {want:e}");
            }
        }
    }
    println!(
        "{CASES} random slices of {} on {:?}: every kernel agrees with its scalar definition",
        std::any::type_name::<T>(),
        paths.iter().map(|(name, _)| *name).collect::<Vec<_>>()
    );
}

#[test]
fn f32_kernels_agree_with_the_scalar_definitions_on_random_slices() {
    check_type::<f32>(0x0f32);
}

#[test]
fn f64_kernels_agree_with_the_scalar_definitions_on_random_slices() {
    check_type::<f64>(0x0f64);
}

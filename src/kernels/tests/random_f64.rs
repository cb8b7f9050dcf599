//! `f64` kernels against the double-double references of reference.rs:
//! 10^8 random inputs per function in release builds (10^4 in debug
//! builds), on two threads, plus every edge of [`EDGES`] with 64
//! neighbours on each side. Same rules as the `f32` tests: at most 2 ULP
//! from the exactly rounded result, NaN for NaN, infinities and limits
//! exactly, zeros with their sign.

use super::reference::{self, Scaled};
use super::{EDGES, Kernel, Rng, f64_neighbours, f64_ulps, paths};
use std::time::Instant;

/// The requirement, in ULPs.
const MAX_ULPS: u128 = 2;

/// Inputs checked per batch.
const BATCH: usize = 4096;

/// A function under test.
pub(super) struct Spec {
    pub(super) name: &'static str,
    pub(super) kernel: Kernel<f64>,
    /// The exact result (not called for NaN).
    pub(super) reference: fn(f64) -> Scaled,
    /// Values that must be hit exactly wherever they are the rounded
    /// reference.
    pub(super) limits: &'static [f64],
}

/// What one path did on one function.
#[derive(Clone, Default)]
struct Outcome {
    checked: u64,
    max_ulps: u128,
    max_error: f64,
    worst_input: f64,
    failures: u64,
    examples: Vec<String>,
}

impl Outcome {
    fn merge(&mut self, other: Outcome) {
        self.checked += other.checked;
        self.max_ulps = self.max_ulps.max(other.max_ulps);
        if other.max_error > self.max_error {
            self.max_error = other.max_error;
            self.worst_input = other.worst_input;
        }
        self.failures += other.failures;
        self.examples.extend(other.examples);
        self.examples.truncate(10);
    }
}

/// The exact result of an input: `None` for NaN, else the double-double
/// value and its rounding.
type Expected = Option<(Scaled, f64)>;

/// `Ok((ulps, fractional error))` if `y` is acceptable (the fractional
/// error is only computed when `y` is not the rounded result, which is
/// within 0.5 ULP).
fn judge(y: f64, expected: Expected, limits: &[f64]) -> Result<(u128, f64), String> {
    let Some((exact, rounded)) = expected else {
        return if y.is_nan() {
            Ok((0, 0.0))
        } else {
            Err("expected NaN".into())
        };
    };
    if y.to_bits() == rounded.to_bits() {
        return Ok((0, 0.0));
    }
    if rounded.is_nan() || y.is_nan() {
        return if rounded.is_nan() && y.is_nan() {
            Ok((0, 0.0))
        } else {
            Err(format!("expected {rounded:e}"))
        };
    }
    if rounded.is_infinite() || limits.contains(&rounded) {
        return Err(format!("expected exactly {rounded:e}"));
    }
    if rounded == 0.0 && y.is_sign_negative() != rounded.is_sign_negative() {
        return Err(format!("expected {rounded:e} (sign of zero)"));
    }
    let ulps = f64_ulps(y, rounded);
    if ulps > MAX_ULPS {
        return Err(format!("expected {rounded:e}, {ulps} ULP away"));
    }
    Ok((ulps, exact.ulp_error(y)))
}

/// Checks a batch of inputs on every path.
fn check(
    spec: &Spec,
    paths: &[(&str, &crate::kernels::Isa)],
    xs: &[f64],
    outcomes: &mut [Outcome],
) {
    let expected: Vec<Expected> = xs
        .iter()
        .map(|&x| {
            (!x.is_nan()).then(|| {
                let exact = (spec.reference)(x);
                (exact, exact.rounded())
            })
        })
        .collect();
    let mut ys = xs.to_vec();
    for ((_, path), outcome) in paths.iter().zip(outcomes.iter_mut()) {
        ys.copy_from_slice(xs);
        (spec.kernel)(&path.f64, &mut ys);
        outcome.checked += xs.len() as u64;
        for ((&x, &y), &expected) in xs.iter().zip(&ys).zip(&expected) {
            match judge(y, expected, spec.limits) {
                Ok((ulps, error)) => {
                    outcome.max_ulps = outcome.max_ulps.max(ulps);
                    if error > outcome.max_error {
                        outcome.max_error = error;
                        outcome.worst_input = x;
                    }
                }
                Err(why) => {
                    outcome.failures += 1;
                    if outcome.examples.len() < 10 {
                        outcome
                            .examples
                            .push(format!("{}({x:e}) = {y:e}: {why}", spec.name));
                    }
                }
            }
        }
    }
}

/// A random input: a quarter random finite bit patterns (every magnitude),
/// an eighth uniform in (-1, 1), the rest `±2^u·(1 + v)` with `u` uniform
/// in [-40, 10) (where the functions change).
pub(super) fn random_input(rng: &mut Rng) -> f64 {
    match rng.below(8) {
        0 | 1 => loop {
            let x = f64::from_bits(rng.next_u64());
            if x.is_finite() {
                return x;
            }
        },
        2 => 2.0 * rng.unit() - 1.0,
        _ => {
            let magnitude = (rng.unit() * 50.0 - 40.0).exp2() * (1.0 + rng.unit());
            if rng.below(2) == 0 {
                magnitude
            } else {
                -magnitude
            }
        }
    }
}

/// The edges and their neighbours, both signs, and NaNs.
pub(super) fn special_inputs() -> Vec<f64> {
    let mut xs: Vec<f64> = EDGES
        .iter()
        .flat_map(|&edge| [edge, -edge])
        .flat_map(|x| f64_neighbours(x, 64))
        .collect();
    xs.extend([
        f64::NAN,
        -f64::NAN,
        f64::from_bits(0x7ff0_0000_0000_0001),
        -1.0,
        -0.5,
    ]);
    xs
}

/// Runs `spec` on the special inputs and the random ones, and asserts.
pub(super) fn run(spec: &Spec) {
    run_on(spec, random_input);
}

/// A positive input for `ln`: half from [`random_input`], half within
/// `2^-u` of 1 (`u` uniform in [0, 50)), where `ln x` nears 0.
fn positive_input(rng: &mut Rng) -> f64 {
    if rng.below(2) == 0 {
        random_input(rng).abs()
    } else {
        1.0 + (2.0 * rng.unit() - 1.0) * (-50.0 * rng.unit()).exp2()
    }
}

/// [`run`] with the random inputs drawn by `input`.
fn run_on(spec: &Spec, input: fn(&mut Rng) -> f64) {
    let started = Instant::now();
    let count: u64 = if cfg!(debug_assertions) {
        10_000
    } else {
        100_000_000
    };
    let paths = paths();
    let outcomes = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..2_u64)
            .map(|half| {
                let paths = &paths;
                scope.spawn(move || {
                    let mut outcomes = vec![Outcome::default(); paths.len()];
                    if half == 0 {
                        check(spec, paths, &special_inputs(), &mut outcomes);
                    }
                    let mut rng = Rng(0x5eed_0000 + half);
                    let mut xs = vec![0.0; BATCH];
                    for _ in 0..(count / 2).div_ceil(BATCH as u64) {
                        xs.iter_mut().for_each(|x| *x = input(&mut rng));
                        check(spec, paths, &xs, &mut outcomes);
                    }
                    outcomes
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().expect("worker panicked"))
            .reduce(|mut all, part| {
                for (outcome, part) in all.iter_mut().zip(part) {
                    outcome.merge(part);
                }
                all
            })
    });
    let outcomes = outcomes.expect("two workers");
    let mut failed = Vec::new();
    for ((name, _), outcome) in paths.iter().zip(&outcomes) {
        println!(
            "{} f64 on {name}: {} inputs, max {} ULP ({:.3} before rounding, at {:e}), {} failures, {:.1} s",
            spec.name,
            outcome.checked,
            outcome.max_ulps,
            outcome.max_error,
            outcome.worst_input,
            outcome.failures,
            started.elapsed().as_secs_f64()
        );
        if outcome.failures > 0 {
            failed.push(format!(
                "{name}: {} failures, e.g.\n  {}",
                outcome.failures,
                outcome.examples.join("\n  ")
            ));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn sigmoid_f64_within_2_ulp() {
    run(&Spec {
        name: "sigmoid",
        kernel: |kernels, xs| (kernels.sigmoid)(xs),
        reference: reference::sigmoid,
        limits: &[0.0, 1.0],
    });
}

#[test]
fn tanh_f64_within_2_ulp() {
    run(&Spec {
        name: "tanh",
        kernel: |kernels, xs| (kernels.tanh)(xs),
        reference: |x| reference::tanh(x).into(),
        limits: &[-1.0, 1.0],
    });
}

#[test]
fn elu_f64_within_2_ulp() {
    run(&Spec {
        name: "elu",
        kernel: |kernels, xs| (kernels.elu)(xs, 1.0),
        reference: |x| reference::elu(x, 1.0).into(),
        limits: &[-1.0],
    });
}

#[test]
fn selu_f64_within_2_ulp() {
    run(&Spec {
        name: "selu",
        kernel: |kernels, xs| (kernels.selu)(xs),
        reference: reference::selu,
        limits: &[],
    });
}

#[test]
fn celu_f64_within_2_ulp() {
    run(&Spec {
        name: "celu",
        kernel: |kernels, xs| (kernels.celu)(xs, 0.5),
        reference: |x| reference::celu(x, 0.5).into(),
        limits: &[-0.5],
    });
}

#[test]
fn exp_f64_within_2_ulp() {
    run(&Spec {
        name: "exp",
        kernel: |kernels, xs| (kernels.exp)(xs),
        reference: reference::exp,
        limits: &[0.0],
    });
}

#[test]
fn log1p_f64_within_2_ulp() {
    run(&Spec {
        name: "log1p",
        kernel: |kernels, xs| (kernels.log1p)(xs),
        reference: |x| reference::log1p(x).into(),
        limits: &[],
    });
}

#[test]
fn ln_f64_within_2_ulp() {
    run_on(
        &Spec {
            name: "ln",
            kernel: |kernels, xs| (kernels.ln)(xs),
            reference: |x| reference::ln(x).into(),
            limits: &[0.0],
        },
        positive_input,
    );
}

#[test]
fn silu_f64_within_2_ulp() {
    run(&Spec {
        name: "silu",
        kernel: |kernels, xs| (kernels.silu)(xs),
        reference: reference::silu,
        limits: &[],
    });
}

#[test]
fn softplus_f64_within_2_ulp() {
    run(&Spec {
        name: "softplus",
        kernel: |kernels, xs| (kernels.softplus)(xs),
        reference: reference::softplus,
        limits: &[],
    });
}

#[test]
fn log_sigmoid_f64_within_2_ulp() {
    run(&Spec {
        name: "log_sigmoid",
        kernel: |kernels, xs| (kernels.log_sigmoid)(xs),
        reference: |x| {
            let softplus = reference::softplus(-x);
            Scaled {
                value: -softplus.value,
                exponent: softplus.exponent,
            }
        },
        limits: &[],
    });
}

#[test]
fn mish_f64_within_2_ulp() {
    run(&Spec {
        name: "mish",
        kernel: |kernels, xs| (kernels.mish)(xs),
        reference: reference::mish,
        limits: &[],
    });
}

#[test]
fn softsign_f64_within_2_ulp() {
    run(&Spec {
        name: "softsign",
        kernel: |kernels, xs| (kernels.softsign)(xs),
        reference: |x| reference::softsign(x).into(),
        limits: &[-1.0, 1.0],
    });
}

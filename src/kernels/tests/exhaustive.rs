//! `f32` kernels against the exactly rounded result on every input
//! (inputs.rs: all 2^32 bit patterns in release builds, a sample in debug
//! builds).
//!
//! The references are the formulas in `f64` with `std`'s functions, whose
//! error (a few `f64` ULPs) only matters for an input within 2^-26 `f32`
//! ULPs of a rounding tie. Rules: at most 2 ULP from the rounded reference;
//! NaN for NaN; infinities, and the limits of each function, exactly; a
//! zero with the right sign.

use super::inputs::{for_all_inputs, for_all_magnitudes};
use super::{Kernel, exp_minus_abs, f32_ulps, paths};
use crate::activation::{Activation, LeakyRelu, Relu};
use std::time::Instant;

/// The requirement, in ULPs.
const MAX_ULPS: u64 = 2;

/// A function under test.
pub(super) struct Spec {
    pub(super) name: &'static str,
    pub(super) kernel: Kernel<f32>,
    /// The exact result, in `f64`.
    pub(super) reference: Reference,
    /// Values that must be hit exactly wherever they are the rounded
    /// reference.
    pub(super) limits: &'static [f32],
}

/// How the exact result of `x` is computed, in `f64`.
pub(super) enum Reference {
    /// Directly.
    Plain(fn(f32) -> f64),
    /// From a costly term that is the same for `x` and `-x` (say
    /// `e^-|x|`), computed once for both: `result(x, term(|x|))`.
    Even {
        term: fn(f32) -> f64,
        result: fn(f32, f64) -> f64,
    },
}

impl Reference {
    /// The rounded results of `xs`, which holds magnitudes followed by
    /// their negations in the same order, into `rounded`; `terms` is
    /// scratch.
    fn round(&self, xs: &[f32], terms: &mut Vec<f64>, rounded: &mut Vec<f32>) {
        rounded.clear();
        match *self {
            Reference::Plain(exact) => rounded.extend(xs.iter().map(|&x| exact(x) as f32)),
            Reference::Even { term, result } => {
                let half = xs.len() / 2;
                terms.clear();
                terms.extend(xs[..half].iter().map(|&x| term(x)));
                let terms = terms.iter().chain(terms.iter());
                rounded.extend(xs.iter().zip(terms).map(|(&x, &t)| result(x, t) as f32));
            }
        }
    }
}

/// What one path did on one function.
#[derive(Clone, Default)]
struct Outcome {
    checked: u64,
    max_ulps: u64,
    worst_input: f32,
    failures: u64,
    examples: Vec<String>,
}

impl Outcome {
    fn merge(&mut self, other: Outcome) {
        self.checked += other.checked;
        if other.max_ulps > self.max_ulps {
            self.max_ulps = other.max_ulps;
            self.worst_input = other.worst_input;
        }
        self.failures += other.failures;
        self.examples.extend(other.examples);
        self.examples.truncate(10);
    }
}

/// `Ok(ulps)` if `y` is acceptable for the exactly rounded result.
fn judge(y: f32, rounded: f32, limits: &[f32]) -> Result<u64, String> {
    if y.to_bits() == rounded.to_bits() {
        return Ok(0);
    }
    if rounded.is_nan() || y.is_nan() {
        return if rounded.is_nan() && y.is_nan() {
            Ok(0)
        } else {
            Err(format!("expected {rounded:e}"))
        };
    }
    if rounded.is_infinite() || limits.contains(&rounded) {
        return if y == rounded {
            Ok(0)
        } else {
            Err(format!("expected exactly {rounded:e}"))
        };
    }
    if rounded == 0.0 && y.is_sign_negative() != rounded.is_sign_negative() {
        return Err(format!("expected {rounded:e} (sign of zero)"));
    }
    let ulps = f32_ulps(y, rounded);
    if ulps > MAX_ULPS {
        return Err(format!("expected {rounded:e}, {ulps} ULP away"));
    }
    Ok(ulps)
}

/// A thread's outcomes (one per path), and the buffers it reuses from
/// batch to batch.
#[derive(Default)]
struct Scratch {
    outcomes: Vec<Outcome>,
    terms: Vec<f64>,
    rounded: Vec<f32>,
    ys: Vec<f32>,
}

/// Values per block of [`quietly_within`].
const BLOCK: usize = 64;

/// The most limits a [`Spec`] may have.
const MAX_LIMITS: usize = 2;

/// Checks a batch of magnitudes followed by their negations on every path.
fn check(spec: &Spec, paths: &[(&str, &crate::kernels::Isa)], xs: &[f32], scratch: &mut Scratch) {
    let Scratch {
        outcomes,
        terms,
        rounded,
        ys,
    } = scratch;
    outcomes.resize(paths.len(), Outcome::default());
    spec.reference.round(xs, terms, rounded);
    let mut limits = [f32::NAN; MAX_LIMITS];
    limits[..spec.limits.len()].copy_from_slice(spec.limits);
    for ((_, path), outcome) in paths.iter().zip(outcomes.iter_mut()) {
        ys.clear();
        ys.extend_from_slice(xs);
        (spec.kernel)(&path.f32, ys);
        outcome.checked += xs.len() as u64;
        let blocks = xs.chunks(BLOCK).zip(ys.chunks(BLOCK));
        for ((xs, ys), rounded) in blocks.zip(rounded.chunks(BLOCK)) {
            if quietly_within(ys, rounded, &limits, outcome.max_ulps) {
                continue;
            }
            for ((&x, &y), &rounded) in xs.iter().zip(ys).zip(rounded) {
                match judge(y, rounded, spec.limits) {
                    Ok(ulps) if ulps > outcome.max_ulps => {
                        outcome.max_ulps = ulps;
                        outcome.worst_input = x;
                    }
                    Ok(_) => {}
                    Err(why) => {
                        outcome.failures += 1;
                        if outcome.examples.len() < 10 {
                            outcome.examples.push(format!(
                                "{}({x:e} = {:#x}) = {y:e}: {why}",
                                spec.name,
                                x.to_bits()
                            ));
                        }
                    }
                }
            }
        }
    }
}

/// Whether [`judge`] would accept every result of a block and find none
/// farther than `max_ulps` from the rounded reference, so that the block
/// changes nothing: decided without a branch per value (the per-value
/// judgement was most of the harness's time). Besides the exact bits and
/// NaN for NaN, only the plain case passes: a non-NaN result against a finite, nonzero
/// reference that is not one of the `limits` (NaN-padded), where `judge`
/// looks at the distance alone.
fn quietly_within(ys: &[f32], rounded: &[f32], limits: &[f32; MAX_LIMITS], max_ulps: u64) -> bool {
    // The bits alone first: most blocks are exact.
    let exact = ys
        .iter()
        .zip(rounded)
        .fold(true, |all, (y, r)| all & (y.to_bits() == r.to_bits()));
    exact
        || ys.iter().zip(rounded).fold(true, |quiet, (&y, &r)| {
            let not_a_limit = limits.iter().fold(true, |all, &limit| all & (limit != r));
            let plain = r.is_finite() & (r != 0.0) & !y.is_nan() & not_a_limit;
            let same = (y.to_bits() == r.to_bits()) | (y.is_nan() & r.is_nan());
            // The distance of the bits, 32-bit: the ULPs for the same
            // sign, too large across signs (then `judge` decides).
            let bits = (y.to_bits() as i32).wrapping_sub(r.to_bits() as i32);
            quiet & (same | (plain & (u64::from(bits.unsigned_abs()) <= max_ulps)))
        })
}

/// Runs `spec` on every input of this build, on every path, and asserts.
pub(super) fn run(spec: &Spec) {
    let started = Instant::now();
    let paths = paths();
    assert!(
        spec.limits.len() <= MAX_LIMITS,
        "at most {MAX_LIMITS} limits"
    );
    let outcomes = for_all_magnitudes(|scratch: &mut Scratch, xs| {
        check(spec, &paths, xs, scratch);
    })
    .into_iter()
    .map(|scratch| scratch.outcomes)
    .reduce(|mut all, part| {
        for (outcome, part) in all.iter_mut().zip(part) {
            outcome.merge(part);
        }
        all
    })
    .expect("two workers");
    let mut failed = Vec::new();
    for ((name, _), outcome) in paths.iter().zip(&outcomes) {
        println!(
            "{} f32 on {name}: {} inputs, max {} ULP (at {:e}), {} failures, {:.1} s",
            spec.name,
            outcome.checked,
            outcome.max_ulps,
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
fn sigmoid_f32_within_2_ulp_everywhere() {
    run(&Spec {
        name: "sigmoid",
        kernel: |kernels, xs| (kernels.sigmoid)(xs),
        reference: Reference::Even {
            term: exp_minus_abs,
            result: |x, e| {
                if x >= 0.0 {
                    1.0 / (1.0 + e)
                } else {
                    e / (1.0 + e)
                }
            },
        },
        limits: &[0.0, 1.0],
    });
}

#[test]
fn tanh_f32_within_2_ulp_everywhere() {
    run(&Spec {
        name: "tanh",
        kernel: |kernels, xs| (kernels.tanh)(xs),
        // Odd: tanh(|x|) once for x and -x (std's tanh is odd too).
        reference: Reference::Even {
            term: |x| f64::from(x).abs().tanh(),
            result: |x, t| t.copysign(f64::from(x)),
        },
        limits: &[-1.0, 1.0],
    });
}

#[test]
fn elu_f32_within_2_ulp_everywhere() {
    run(&Spec {
        name: "elu",
        kernel: |kernels, xs| (kernels.elu)(xs, 1.0),
        reference: Reference::Plain(|x| {
            if x > 0.0 {
                f64::from(x)
            } else {
                f64::from(x).exp_m1()
            }
        }),
        limits: &[-1.0],
    });
}

/// Keras's SELU constants to 106 bits, as `hi + lo`.
const SELU_SCALE: (f64, f64) = (1.050_700_987_355_480_5, 3.987_484_268_185_955e-17);
const SELU_SCALE_ALPHA: (f64, f64) = (1.758_099_340_847_376_8, 1.415_350_789_502_188_2e-17);

#[test]
fn selu_f32_within_2_ulp_everywhere() {
    run(&Spec {
        name: "selu",
        kernel: |kernels, xs| (kernels.selu)(xs),
        reference: Reference::Plain(|x| {
            let x = f64::from(x);
            let ((hi, lo), v) = if x > 0.0 {
                (SELU_SCALE, x)
            } else {
                (SELU_SCALE_ALPHA, x.exp_m1())
            };
            hi.mul_add(v, lo * v)
        }),
        // None: near saturation -scale·alpha and its neighbour are a near
        // tie (special.rs checks the saturated values).
        limits: &[],
    });
}

/// Keras's alpha = 1. Also measured once with alpha = 0.7, where `x / alpha`
/// rounds (no limits: near saturation `-0.7` and its neighbour are a near
/// tie): at most 2 ULP on every path, left out of CI for its two minutes.
#[test]
fn celu_f32_within_2_ulp_everywhere() {
    run(&Spec {
        name: "celu",
        kernel: |kernels, xs| (kernels.celu)(xs, 1.0),
        reference: Reference::Plain(|x| {
            let x = f64::from(x);
            if x > 0.0 { x } else { x.exp_m1() }
        }),
        limits: &[-1.0],
    });
}

#[test]
fn exp_f32_within_2_ulp_everywhere() {
    run(&Spec {
        name: "exp",
        kernel: |kernels, xs| (kernels.exp)(xs),
        // std's exp, without its slow underflow and overflow paths where
        // it gives 0 and inf anyway (`e^-746 < 2^-1075`, `e^710 > f64::MAX`).
        reference: Reference::Plain(|x| match f64::from(x) {
            x if x <= -746.0 => 0.0,
            x if x >= 710.0 => f64::INFINITY,
            x => x.exp(),
        }),
        limits: &[0.0],
    });
}

#[test]
fn log1p_f32_within_2_ulp_everywhere() {
    run(&Spec {
        name: "log1p",
        kernel: |kernels, xs| (kernels.log1p)(xs),
        // NaN below -1 without std's slow domain-error path.
        reference: Reference::Plain(|x| match f64::from(x) {
            x if x < -1.0 => f64::NAN,
            x => x.ln_1p(),
        }),
        limits: &[],
    });
}

#[test]
fn ln_f32_within_2_ulp_everywhere() {
    run(&Spec {
        name: "ln",
        kernel: |kernels, xs| (kernels.ln)(xs),
        // NaN below 0 without std's slow domain-error path.
        reference: Reference::Plain(|x| match f64::from(x) {
            x if x < 0.0 => f64::NAN,
            x => x.ln(),
        }),
        limits: &[0.0],
    });
}

/// relu and leaky relu are compared bit for bit (NaN payloads included)
/// with the scalar definitions, on the same inputs.
#[test]
fn relu_and_leaky_relu_f32_match_the_scalar_definitions_bit_for_bit() {
    let started = Instant::now();
    let leaky = LeakyRelu::new(0.2_f32);
    let paths = paths();
    let counts = for_all_inputs(|count: &mut u64, xs| {
        let mut ys = xs.to_vec();
        for (name, path) in &paths {
            ys.copy_from_slice(xs);
            (path.f32.relu)(&mut ys);
            for (&x, &y) in xs.iter().zip(&ys) {
                assert_eq!(
                    y.to_bits(),
                    Relu.apply(x).to_bits(),
                    "relu({x:e}) on {name}"
                );
            }
            ys.copy_from_slice(xs);
            (path.f32.leaky_relu)(&mut ys, leaky.slope());
            for (&x, &y) in xs.iter().zip(&ys) {
                assert_eq!(
                    y.to_bits(),
                    leaky.apply(x).to_bits(),
                    "leaky_relu({x:e}) on {name}"
                );
            }
        }
        *count += xs.len() as u64;
    });
    println!(
        "relu and leaky relu f32 on {:?}: {} inputs each, bit-exact, {:.1} s",
        paths.iter().map(|(name, _)| *name).collect::<Vec<_>>(),
        counts.iter().sum::<u64>(),
        started.elapsed().as_secs_f64()
    );
}

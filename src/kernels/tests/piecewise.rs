//! The piecewise-linear kernels (piecewise.rs) against the scalar
//! definitions of src/activation/, bit for bit (any NaN for NaN), on every
//! path: every `f32` input in release builds (the sample of exhaustive.rs
//! in debug builds), random `f64`s (piecewise_f64.rs), and the kinks with
//! their neighbours.
//! The functions that round (hard_sigmoid, hard_silu, sparse_plus,
//! sparse_sigmoid, soft_shrink) have their scalar definitions measured
//! against the exactly rounded result too: an exact `f64` formula for
//! `f32` inputs, double-double for `f64`.

use super::inputs::for_all_inputs;
use super::{f32_neighbours, f32_ulps, paths};
use crate::activation::{
    Activation, HardShrink, HardSigmoid, HardSilu, HardTanh, Relu6, ReluWith, SoftShrink,
    SparsePlus, SparseSigmoid, Threshold,
};
use crate::kernels::Kernels;
use num_traits::Float;
use std::time::Instant;

/// A kernel of one path, with its parameters fixed as the activation
/// passes them.
type Kernel<T> = Box<dyn Fn(&Kernels<T>, &mut [T]) + Sync>;

/// The scalar definition over a slice: `apply` inlined in the loop.
type Scalar<T> = Box<dyn Fn(&[T], &mut [T]) + Sync>;

/// The exact results of a slice (as `f64` for `f32` inputs, as a
/// double-double for `f64` inputs), into the vector.
pub(super) type Exact<T, R> = Box<dyn Fn(&[T], &mut Vec<R>) + Sync>;

/// A function under test: its kernel, its scalar definition, and for the
/// ones that round, its exact value.
pub(super) struct Case<T: 'static, R> {
    pub(super) name: &'static str,
    kernel: Kernel<T>,
    scalar: Scalar<T>,
    exact: Option<Exact<T, R>>,
}

/// `exact` over a slice: a closure per function rather than a function
/// pointer per value, so that the formula inlines into the loop (an
/// indirect call per value was a third of the `f32` test).
pub(super) fn over_slices<T: Copy, R>(exact: impl Fn(T) -> R + Sync + 'static) -> Exact<T, R> {
    Box::new(move |xs: &[T], out: &mut Vec<R>| {
        out.clear();
        out.extend(xs.iter().map(|&x| exact(x)));
    })
}

/// `activation.apply` of each `x`, into `ys`.
fn scalar<T: Float, A: Activation<T> + Sync + 'static>(activation: A) -> Scalar<T> {
    Box::new(move |xs: &[T], ys: &mut [T]| {
        for (y, &x) in ys.iter_mut().zip(xs) {
            *y = activation.apply(x);
        }
    })
}

/// Bit for bit, any NaN matching any NaN.
pub(super) trait Same: Copy {
    fn same(self, other: Self) -> bool;
}

impl Same for f32 {
    #[inline]
    fn same(self, other: f32) -> bool {
        (self.to_bits() == other.to_bits()) | (self.is_nan() & other.is_nan())
    }
}

impl Same for f64 {
    #[inline]
    fn same(self, other: f64) -> bool {
        (self.to_bits() == other.to_bits()) | (self.is_nan() & other.is_nan())
    }
}

/// The kinks of every case, both signs: their neighbours are checked in
/// debug builds too.
pub(super) const KINKS: [f64; 8] = [0.0, 0.1, 0.3, 0.5, 1.0, 1.5, 3.0, 6.0];

/// Every piecewise function, with parameters that reach every branch
/// (relu with arguments in each of Keras's paths).
pub(super) fn cases<T: Float + Send + Sync + std::fmt::Debug + 'static, R>(
    exact: [Exact<T, R>; 5],
) -> Vec<Case<T, R>> {
    let t = |x: f64| T::from(x).expect("a number");
    let [
        hard_sigmoid,
        sparse_sigmoid,
        hard_silu,
        sparse_plus,
        soft_shrink,
    ] = exact.map(Some);
    let mut cases = vec![
        Case {
            name: "relu6",
            kernel: Box::new(move |k: &Kernels<T>, xs: &mut [T]| (k.clamp)(xs, t(0.0), t(6.0))),
            scalar: scalar(Relu6),
            exact: None,
        },
        Case {
            name: "hard_tanh",
            kernel: Box::new(move |k: &Kernels<T>, xs: &mut [T]| (k.clamp)(xs, t(-1.0), t(1.0))),
            scalar: scalar(HardTanh),
            exact: None,
        },
        Case {
            name: "hard_sigmoid",
            kernel: Box::new(move |k: &Kernels<T>, xs: &mut [T]| {
                (k.affine_clamp)(xs, t(3.0), t(1.0 / 6.0), t(0.0), t(1.0))
            }),
            scalar: scalar(HardSigmoid),
            exact: hard_sigmoid,
        },
        Case {
            name: "sparse_sigmoid",
            kernel: Box::new(move |k: &Kernels<T>, xs: &mut [T]| {
                (k.affine_clamp)(xs, t(1.0), t(0.5), t(0.0), t(1.0))
            }),
            scalar: scalar(SparseSigmoid),
            exact: sparse_sigmoid,
        },
        Case {
            name: "hard_silu",
            kernel: Box::new(|k: &Kernels<T>, xs: &mut [T]| (k.hard_silu)(xs)),
            scalar: scalar(HardSilu),
            exact: hard_silu,
        },
        Case {
            name: "sparse_plus",
            kernel: Box::new(|k: &Kernels<T>, xs: &mut [T]| (k.sparse_plus)(xs)),
            scalar: scalar(SparsePlus),
            exact: sparse_plus,
        },
        Case {
            name: "hard_shrink",
            kernel: Box::new(move |k: &Kernels<T>, xs: &mut [T]| (k.hard_shrink)(xs, t(0.5))),
            scalar: scalar(HardShrink::new(t(0.5)).expect("valid")),
            exact: None,
        },
        Case {
            name: "soft_shrink",
            kernel: Box::new(move |k: &Kernels<T>, xs: &mut [T]| {
                (k.soft_shrink)(xs, t(0.5), t(-0.5))
            }),
            scalar: scalar(SoftShrink::new(t(0.5)).expect("valid")),
            exact: soft_shrink,
        },
        Case {
            name: "soft_shrink(0)",
            kernel: Box::new(move |k: &Kernels<T>, xs: &mut [T]| {
                (k.soft_shrink)(xs, t(0.0), -t(0.0))
            }),
            scalar: scalar(SoftShrink::new(t(0.0)).expect("valid")),
            exact: None,
        },
        Case {
            name: "threshold",
            kernel: Box::new(move |k: &Kernels<T>, xs: &mut [T]| {
                (k.threshold)(xs, t(0.5), t(-1.0))
            }),
            scalar: scalar(Threshold::new(t(0.5), t(-1.0)).expect("valid")),
            exact: None,
        },
    ];
    let relus: [(&str, f64, Option<f64>, f64); 5] = [
        ("relu(slope 0.1)", 0.1, None, 0.0),
        ("relu(cap 6)", 0.0, Some(6.0), 0.0),
        ("relu(threshold 1)", 0.0, None, 1.0),
        ("relu(0.2, 4, 1)", 0.2, Some(4.0), 1.0),
        ("relu(cap 0.3, threshold 0.1)", 0.0, Some(0.3), 0.1),
    ];
    for (name, slope, cap, threshold) in relus {
        let relu = ReluWith::new(t(slope), cap.map(t), t(threshold)).expect("valid");
        let slope_from = if slope == 0.0 {
            f64::NEG_INFINITY
        } else {
            threshold
        };
        let parameters = [slope, cap.unwrap_or(f64::INFINITY), threshold, slope_from].map(t);
        cases.push(Case {
            name,
            kernel: Box::new(move |k: &Kernels<T>, xs: &mut [T]| {
                let [s, m, t, from] = parameters;
                (k.relu_with)(xs, s, m, t, from)
            }),
            scalar: scalar(relu),
            exact: None,
        });
    }
    cases
}

/// The exact results for `f32` inputs, in `f64`: exact but for one
/// rounding (`x + 3`, `x·(x + 3)` and `(x + 1)²` of an `f32` need at most
/// 50 bits), so within 2^-29 `f32` ULPs of the truth.
fn exact_for_f32() -> [Exact<f32, f64>; 5] {
    [
        over_slices(|x: f32| ((f64::from(x) + 3.0) / 6.0).clamp(0.0, 1.0)),
        over_slices(|x: f32| ((f64::from(x) + 1.0) / 2.0).clamp(0.0, 1.0)),
        over_slices(|x: f32| match f64::from(x) {
            x if x <= -3.0 => 0.0,
            x if x >= 3.0 => x,
            x => x * (x + 3.0) / 6.0,
        }),
        over_slices(|x: f32| match f64::from(x) {
            x if x <= -1.0 => 0.0,
            x if x >= 1.0 => x,
            x => (x + 1.0) * (x + 1.0) / 4.0,
        }),
        over_slices(|x: f32| f64::from(x) - f64::from(x).clamp(-0.5, 0.5)),
    ]
}

/// What one function did: inputs, kernel mismatches, and the scalar
/// definition's largest distance from the exact result.
#[derive(Clone, Default)]
pub(super) struct Outcome {
    checked: u64,
    max_ulps: u64,
    worst_input: f64,
    problems: Vec<String>,
}

impl Outcome {
    pub(super) fn merge(&mut self, other: Outcome) {
        self.checked += other.checked;
        if other.max_ulps > self.max_ulps {
            (self.max_ulps, self.worst_input) = (other.max_ulps, other.worst_input);
        }
        self.problems.extend(other.problems);
        self.problems.truncate(10);
    }

    fn problem(&mut self, message: String) {
        if self.problems.len() < 10 {
            self.problems.push(message);
        }
    }
}

/// Values per block of the exact values' quick check.
const BLOCK: usize = 64;

/// Checks `xs` for every case on every path; `rounded` gives the exact
/// value rounded to `T`, `ulps` the scalar value's distance from the
/// exact one (`None`: not acceptable). Both are type parameters, not
/// function pointers, so that they inline into the loops over the values
/// (an indirect call per value was a third of the `f32` test).
pub(super) fn check<T: Float + Same + std::fmt::LowerExp, R>(
    cases: &[Case<T, R>],
    paths: &[(&str, &crate::kernels::Isa)],
    kernels: fn(&crate::kernels::Isa) -> &Kernels<T>,
    (rounded, ulps): (impl Fn(&R) -> T, impl Fn(T, &R) -> Option<u64>),
    xs: &[T],
    outcomes: &mut [Outcome],
) {
    let (mut ys, mut scalar, mut exacts) = (xs.to_vec(), xs.to_vec(), Vec::new());
    for (case, outcome) in cases.iter().zip(outcomes.iter_mut()) {
        (case.scalar)(xs, &mut scalar);
        for (name, path) in paths {
            ys.copy_from_slice(xs);
            (case.kernel)(kernels(path), &mut ys);
            // Without short-circuits, so that the loop vectorizes.
            if ys
                .iter()
                .zip(&scalar)
                .fold(true, |all, (&y, &want)| all & y.same(want))
            {
                continue;
            }
            for ((&x, &y), &want) in xs.iter().zip(&ys).zip(&scalar) {
                if !y.same(want) {
                    outcome.problem(format!(
                        "{}({x:e}) on {name}: {y:e}, scalar {want:e}",
                        case.name
                    ));
                }
            }
        }
        outcome.checked += xs.len() as u64;
        let Some(exact) = &case.exact else { continue };
        exact(xs, &mut exacts);
        let blocks = xs.chunks(BLOCK).zip(scalar.chunks(BLOCK));
        for ((xs, ys), exacts) in blocks.zip(exacts.chunks(BLOCK)) {
            // Blocks where every value is the rounded exact one (0 ULP)
            // are skipped by a comparison without branches.
            if ys
                .iter()
                .zip(exacts)
                .fold(true, |all, (&y, exact)| all & y.same(rounded(exact)))
            {
                continue;
            }
            for ((&x, &y), exact) in xs.iter().zip(ys).zip(exacts) {
                match ulps(y, exact) {
                    Some(distance) if distance > outcome.max_ulps => {
                        (outcome.max_ulps, outcome.worst_input) =
                            (distance, x.to_f64().unwrap_or(0.0));
                    }
                    Some(_) => {}
                    None => outcome
                        .problem(format!("{}({x:e}) = {y:e}: more than 2 ULP off", case.name)),
                }
            }
        }
    }
}

/// Prints each case's outcome and asserts that none has a problem.
pub(super) fn report(kind: &str, names: &[&str], outcomes: &[Outcome], started: Instant) {
    let mut failed = Vec::new();
    for (name, outcome) in names.iter().zip(outcomes) {
        println!(
            "{name} {kind}: {} inputs, bit for bit on every path; scalar max {} ULP (at {:e}), {:.1} s",
            outcome.checked,
            outcome.max_ulps,
            outcome.worst_input,
            started.elapsed().as_secs_f64()
        );
        if !outcome.problems.is_empty() {
            failed.push(outcome.problems.join("\n  "));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n  "));
}

fn f32_rounded(&exact: &f64) -> f32 {
    exact as f32
}

/// `Some(ulps)` within 2 ULP (NaN for NaN), else `None`.
fn f32_distance(y: f32, exact: &f64) -> Option<u64> {
    let rounded = f32_rounded(exact);
    if y.is_nan() || rounded.is_nan() {
        return (y.is_nan() && rounded.is_nan()).then_some(0);
    }
    Some(f32_ulps(y, rounded)).filter(|&ulps| ulps <= 2)
}

#[test]
fn piecewise_f32_kernels_match_their_scalar_definitions_on_every_input() {
    let started = Instant::now();
    let (cases, paths) = (cases::<f32, f64>(exact_for_f32()), paths());
    let kinks: Vec<f32> = KINKS
        .iter()
        .flat_map(|&k| [k as f32, -k as f32])
        .flat_map(|x| f32_neighbours(x, 64))
        .chain([
            f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::MAX,
            f32::MIN,
        ])
        .collect();
    let outcomes = for_all_inputs(|outcomes: &mut Vec<Outcome>, xs| {
        outcomes.resize(cases.len(), Outcome::default());
        check(
            &cases,
            &paths,
            |isa| &isa.f32,
            (f32_rounded, f32_distance),
            xs,
            outcomes,
        );
    });
    let mut all = vec![Outcome::default(); cases.len()];
    check(
        &cases,
        &paths,
        |isa| &isa.f32,
        (f32_rounded, f32_distance),
        &kinks,
        &mut all,
    );
    for part in outcomes {
        all.iter_mut()
            .zip(part)
            .for_each(|(all, part)| all.merge(part));
    }
    let names: Vec<&str> = cases.iter().map(|case| case.name).collect();
    report("f32", &names, &all, started);
}

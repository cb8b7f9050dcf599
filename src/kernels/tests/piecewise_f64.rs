//! The piecewise-linear kernels on `f64` (the harness: piecewise.rs):
//! random inputs and the kinks with their neighbours, on every path,
//! against the scalar definitions bit for bit and, for the functions that
//! round, against the exact result in double-double.

use super::piecewise::{Exact, KINKS, Outcome, cases, check, over_slices, report};
use super::reference::{Dd, Scaled};
use super::{Rng, f64_neighbours, f64_ulps, paths};
use std::time::Instant;

/// The exact results for `f64` inputs, in double-double.
fn exact_for_f64() -> [Exact<f64, Dd>; 5] {
    [
        over_slices(|x: f64| match x {
            x if x <= -3.0 => Dd::new(0.0),
            x if x >= 3.0 => Dd::new(1.0),
            x => (Dd::new(x) + Dd::new(3.0)) / Dd::new(6.0),
        }),
        over_slices(|x: f64| (Dd::new(x.clamp(-1.0, 1.0)) + Dd::new(1.0)) / Dd::new(2.0)),
        over_slices(|x: f64| match x {
            x if x <= -3.0 => Dd::new(0.0),
            x if x >= 3.0 => Dd::new(x),
            x => Dd::new(x) * (Dd::new(x) + Dd::new(3.0)) / Dd::new(6.0),
        }),
        over_slices(|x: f64| match x {
            x if x <= -1.0 => Dd::new(0.0),
            x if x >= 1.0 => Dd::new(x),
            x => (Dd::new(x) + Dd::new(1.0)) * (Dd::new(x) + Dd::new(1.0)) / Dd::new(4.0),
        }),
        over_slices(|x: f64| match x {
            x if x.is_infinite() => Dd::new(x),
            x => Dd::new(x) - Dd::new(x.clamp(-0.5, 0.5)),
        }),
    ]
}

fn f64_rounded(&exact: &Dd) -> f64 {
    Scaled::from(exact).rounded()
}

fn f64_distance(y: f64, exact: &Dd) -> Option<u64> {
    let rounded = f64_rounded(exact);
    if y.is_nan() || rounded.is_nan() {
        return (y.is_nan() && rounded.is_nan()).then_some(0);
    }
    let ulps = u64::try_from(f64_ulps(y, rounded)).unwrap_or(u64::MAX);
    Some(ulps).filter(|&ulps| ulps <= 2)
}

#[test]
fn piecewise_f64_kernels_match_their_scalar_definitions() {
    let started = Instant::now();
    let (cases, paths) = (cases::<f64, Dd>(exact_for_f64()), paths());
    let count = if cfg!(debug_assertions) {
        10_000
    } else {
        100_000_000
    };
    let mut all = vec![Outcome::default(); cases.len()];
    let kinks: Vec<f64> = KINKS
        .iter()
        .flat_map(|&k| [k, -k, f64::from(k as f32)])
        .flat_map(|x| f64_neighbours(x, 64))
        .chain([
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MAX,
            f64::MIN,
        ])
        .collect();
    check(
        &cases,
        &paths,
        |isa| &isa.f64,
        (f64_rounded, f64_distance),
        &kinks,
        &mut all,
    );
    let parts: Vec<Vec<Outcome>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..2_u64)
            .map(|half| {
                let (cases, paths) = (&cases, &paths);
                scope.spawn(move || {
                    let mut outcomes = vec![Outcome::default(); cases.len()];
                    let mut rng = Rng(0x91ec_e000 + half);
                    let mut xs = vec![0.0; 4096];
                    for _ in 0..(count / 2_u64).div_ceil(4096) {
                        xs.iter_mut().for_each(|x| *x = random_input(&mut rng));
                        check(
                            cases,
                            paths,
                            |isa| &isa.f64,
                            (f64_rounded, f64_distance),
                            &xs,
                            &mut outcomes,
                        );
                    }
                    outcomes
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("worker panicked"))
            .collect()
    });
    for part in parts {
        all.iter_mut()
            .zip(part)
            .for_each(|(all, part)| all.merge(part));
    }
    let names: Vec<&str> = cases.iter().map(|case| case.name).collect();
    report("f64", &names, &all, started);
}

/// Three quarters uniform in (-8, 8), where the pieces are; the rest
/// random finite bit patterns (every magnitude).
fn random_input(rng: &mut Rng) -> f64 {
    if rng.below(4) == 0 {
        loop {
            let x = f64::from_bits(rng.next_u64());
            if x.is_finite() {
                return x;
            }
        }
    }
    16.0 * rng.unit() - 8.0
}

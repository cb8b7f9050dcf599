//! The softmax cross-entropy kernel (cross_entropy.rs) on every path,
//! against the row formulas in `f64`: random batches of widths around the
//! register sizes (1 to 40, and 1000), sparse and dense labels, with and
//! without smoothing and the gradient; `-inf` logits now and then, and rows
//! that must be NaN (`+inf`, NaN, only `-inf`).
//!
//! Bounds: the loss is a sum of non-negative terms (`m - z ≥ 0`, `ln s ≥ 0`,
//! `ŷ ≥ 0`), each within a few roundings, but `ln s` of a sum `s ≥ 1` of
//! `classes` rounded terms is only within `classes·u` absolutely: so
//! `(classes + 8)·u·(loss + 1)` here; each gradient entry is within
//! `(classes + 8)·u` of the exact one (`Σŷ` is a sum of `classes` terms). The value alone and with the gradient are bit for bit
//! the same.

use super::super::cross_entropy::{Labels, Rows};
use super::{Rng, paths};

/// The loss and the gradient (`scale`) of one row, plainly in `f64`;
/// `sparse` takes only the label's term (dense labels multiply every
/// term, so a zero label at a `-inf` logit makes a NaN, as in the dense
/// formula).
fn reference(z: &[f64], y: &[f64], scale: f64, sparse: bool) -> (f64, Vec<f64>) {
    let max = z.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v));
    if !max.is_finite() || z.iter().any(|v| v.is_nan()) {
        return (f64::NAN, vec![f64::NAN; z.len()]);
    }
    let sum: f64 = z.iter().map(|&v| (v - max).exp()).sum();
    let total: f64 = y.iter().sum();
    let loss = y
        .iter()
        .zip(z)
        .filter(|&(&y, _)| !sparse || y != 0.0)
        .map(|(y, z)| y * ((max - z) + sum.ln()))
        .sum();
    let gradient = z
        .iter()
        .zip(y)
        .map(|(&z, &y)| ((z - max).exp() / sum * total - y) * scale)
        .collect();
    (loss, gradient)
}

struct Batch {
    classes: usize,
    logits: Vec<f64>,
    sparse: Vec<f64>,
    dense: Vec<f64>,
}

fn random_batch(rng: &mut Rng, rows: usize, classes: usize) -> Batch {
    let scale = [1.0, 10.0, 1e4][rng.below(3)];
    let logits = (0..rows * classes)
        .map(|_| match rng.below(200) {
            0 => f64::NEG_INFINITY,
            1 if rows > 3 => f64::NAN,
            2 if rows > 3 => f64::INFINITY,
            _ => (rng.unit() * 2.0 - 1.0) * scale,
        })
        .collect();
    let sparse: Vec<f64> = (0..rows).map(|_| rng.below(classes) as f64).collect();
    let mut dense = vec![0.0; rows * classes];
    for (r, &c) in sparse.iter().enumerate() {
        dense[r * classes + c as usize] = 1.0;
    }
    Batch {
        classes,
        logits,
        sparse,
        dense,
    }
}

/// The smoothed one-hot rows of `batch`.
fn smoothed(batch: &Batch, smoothing: f64) -> Vec<f64> {
    let add = smoothing / batch.classes as f64;
    batch
        .dense
        .iter()
        .map(|y| y * (1.0 - smoothing) + add)
        .collect()
}

fn close(found: f64, want: f64, tolerance: f64) -> bool {
    found == want || (found.is_nan() && want.is_nan()) || (found - want).abs() <= tolerance
}

/// Runs every case of `batch` through `kernel` in `T` and checks it.
fn check<T: Copy + Into<f64>>(
    kernel: Rows<T>,
    narrow: fn(f64) -> T,
    unit: f64,
    batch: &Batch,
    path: &str,
) {
    let c = batch.classes;
    let rows = batch.sparse.len();
    let z: Vec<T> = batch.logits.iter().map(|&v| narrow(v)).collect();
    let exact_z: Vec<f64> = z.iter().map(|&v| v.into()).collect();
    for smoothing in [None, Some(0.0), Some(0.1)] {
        let (labels, y): (Vec<T>, Vec<f64>) = match smoothing {
            None => (
                batch.sparse.iter().map(|&v| narrow(v)).collect(),
                batch.dense.clone(),
            ),
            Some(s) => (
                batch.dense.iter().map(|&v| narrow(v)).collect(),
                smoothed(batch, s),
            ),
        };
        let wrap = match smoothing {
            None => Labels::Sparse(&labels[..]),
            Some(s) => Labels::Dense {
                labels: &labels[..],
                keep: narrow(1.0 - s),
                add: narrow(s / c as f64),
            },
        };
        let mut alone = vec![narrow(0.0); rows];
        kernel(&z, wrap, &mut alone, None);
        let (mut values, mut gradient) = (vec![narrow(0.0); rows], vec![narrow(0.0); rows * c]);
        kernel(&z, wrap, &mut values, Some((&mut gradient, narrow(0.5))));
        for r in 0..rows {
            let (a, v): (f64, f64) = (alone[r].into(), values[r].into());
            assert!(
                a.to_bits() == v.to_bits() || (a.is_nan() && v.is_nan()),
                "{path}: row {r}"
            );
            let row = &exact_z[r * c..][..c];
            let (loss, slopes) = reference(row, &y[r * c..][..c], 0.5, smoothing.is_none());
            let tolerance = (c as f64 + 8.0) * unit * (loss.abs() + 1.0);
            assert!(
                close(v, loss, tolerance),
                "{path} {smoothing:?}: row {r} loss {v} vs {loss}, logits {row:?}"
            );
            for (j, want) in slopes.into_iter().enumerate() {
                let found: f64 = gradient[r * c + j].into();
                assert!(
                    close(found, want, (c as f64 + 8.0) * unit),
                    "{path} {smoothing:?}: row {r} slope {j} {found} vs {want}"
                );
            }
        }
    }
}

#[test]
fn cross_entropy_kernels_match_the_row_formulas() {
    let mut rng = Rng(0x00c0_55e0);
    for (name, path) in paths() {
        for classes in (1..=40).chain([1000]) {
            let rows = if classes == 1000 {
                5
            } else {
                1 + rng.below(150)
            };
            let batch = random_batch(&mut rng, rows, classes);
            check::<f32>(
                path.f32.cross_entropy,
                |v| v as f32,
                f64::from(f32::EPSILON),
                &batch,
                name,
            );
            check::<f64>(path.f64.cross_entropy, |v| v, f64::EPSILON, &batch, name);
        }
    }
}

#[test]
fn huge_logits_are_exact_and_rows_without_a_finite_maximum_nan() {
    for (name, path) in paths() {
        let z = [
            1e4_f32,
            -1e4,
            f32::INFINITY,
            0.0,
            f32::NEG_INFINITY,
            f32::NEG_INFINITY,
        ];
        let mut values = [0.0_f32; 3];
        (path.f32.cross_entropy)(&z, Labels::Sparse(&[1.0, 0.0, 1.0]), &mut values, None);
        assert_eq!(values[0], 2e4, "{name}");
        assert!(values[1].is_nan() && values[2].is_nan(), "{name}");
    }
}

/// Rows of soft labels, some spoiled (a value below 0, above 1 or NaN, or
/// a sum off by far more than the tolerance): the kernel names the first
/// spoiled row, on every path, for widths around the register sizes.
#[test]
fn the_first_bad_probability_row_is_found() {
    let mut rng = Rng(0x0bad_0001);
    for (name, path) in paths() {
        for classes in (1..=40).chain([1000]) {
            let rows = 1 + rng.below(60);
            let mut labels = Vec::with_capacity(rows * classes);
            for _ in 0..rows {
                let weights: Vec<f64> = (0..classes).map(|_| rng.unit()).collect();
                let total: f64 = weights.iter().sum();
                labels.extend(weights.iter().map(|w| w / total));
            }
            let spoiled = (rng.below(3) > 0).then(|| rng.below(rows));
            if let Some(row) = spoiled {
                let at = row * classes + rng.below(classes);
                labels[at] = match rng.below(4) {
                    0 => -0.25,
                    1 => 1.5,
                    2 => f64::NAN,
                    _ => labels[at] + 0.01,
                };
            }
            let single: Vec<f32> = labels.iter().map(|&v| v as f32).collect();
            let f32_tolerance = f32::EPSILON * 4.0 * classes as f32;
            let f64_tolerance = f64::EPSILON * 4.0 * classes as f64;
            let found_f32 = (path.f32.first_bad_probability_row)(&single, classes, f32_tolerance);
            let found_f64 = (path.f64.first_bad_probability_row)(&labels, classes, f64_tolerance);
            assert_eq!(found_f32, spoiled, "{name}: f32, {classes} classes");
            assert_eq!(found_f64, spoiled, "{name}: f64, {classes} classes");
        }
    }
}

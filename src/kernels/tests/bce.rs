//! The binary cross-entropy kernels (bce.rs) on every path against the
//! scalar definitions of src/loss/, on random rows of random widths at
//! random offsets: hard labels (some arrays only those), soft and
//! out-of-range ones; predictions and logits with NaN, `±inf`, exact 0 and
//! 1, values outside `[0, 1]`, subnormals. Each row sum must be within a
//! few ULPs of the magnitude of its terms (summed in another order), NaN
//! exactly where the scalar sum is NaN, and a label out of range must give
//! the index of the first one.

use super::{Rng, exp_minus_abs, paths};
use crate::kernels::{Isa, Kernels};
use crate::loss::{clipped_loss, logit_loss};
use num_traits::Float;
use std::fmt::Debug;

/// Cases per element type and loss (each run on every path).
const CASES: usize = if cfg!(debug_assertions) { 300 } else { 3000 };

/// What the test needs of `f32` and `f64`.
pub(super) trait Sample: Float + Debug + 'static {
    fn kernels(path: &Isa) -> &Kernels<Self>;
    fn from_f64(x: f64) -> Self;
    fn widen(self) -> f64;
}

impl Sample for f32 {
    fn kernels(path: &Isa) -> &Kernels<f32> {
        &path.f32
    }
    fn from_f64(x: f64) -> f32 {
        x as f32
    }
    fn widen(self) -> f64 {
        f64::from(self)
    }
}

impl Sample for f64 {
    fn kernels(path: &Isa) -> &Kernels<f64> {
        &path.f64
    }
    fn from_f64(x: f64) -> f64 {
        x
    }
    fn widen(self) -> f64 {
        self
    }
}

/// A label: mostly 0 or 1, often soft, sometimes an edge of `[0, 1]`;
/// only 0, -0 and 1 if `hard` (the kernel's one-logarithm case).
fn random_label<T: Sample>(rng: &mut Rng, hard: bool) -> T {
    if hard {
        return [T::zero(), T::neg_zero(), T::one(), T::one()][rng.below(4)];
    }
    match rng.below(10) {
        0..=5 => T::from_f64(rng.below(2) as f64),
        6..=8 => T::from_f64(rng.unit()),
        _ => [
            T::neg_zero(),
            T::min_positive_value(),
            T::one() - T::epsilon(),
        ][rng.below(3)],
    }
}

/// A label outside `[0, 1]`, just outside or far.
fn bad_label<T: Sample>(rng: &mut Rng) -> T {
    let tiny = T::min_positive_value() / T::from_f64(8.0);
    [
        T::one() + T::epsilon(),
        -tiny,
        T::nan(),
        T::infinity(),
        T::neg_infinity(),
        T::from_f64(2.0),
    ][rng.below(6)]
}

/// A probability, with the specials of the clipping.
fn random_probability<T: Sample>(rng: &mut Rng, nan_odds: usize) -> T {
    if rng.below(1000) < nan_odds {
        return T::nan();
    }
    match rng.below(12) {
        0 => T::zero(),
        1 => T::one(),
        2 => T::from_f64(1e-9),
        3 => T::one() - T::epsilon(),
        4 => T::from_f64(rng.unit() * 3.0 - 1.0),
        5 => [T::infinity(), T::neg_infinity()][rng.below(2)],
        6 => T::min_positive_value() / T::from_f64(16.0),
        _ => T::from_f64(rng.unit()),
    }
}

/// A logit of any magnitude, with infinities.
fn random_logit<T: Sample>(rng: &mut Rng, nan_odds: usize) -> T {
    if rng.below(1000) < nan_odds {
        return T::nan();
    }
    let sign = if rng.below(2) == 0 { 1.0 } else { -1.0 };
    match rng.below(12) {
        0 => T::zero(),
        1 => T::from_f64(sign) * T::infinity(),
        2 => T::from_f64(sign * 1e4),
        _ => T::from_f64(sign * (rng.unit() * 30.0 - 20.0).exp2()),
    }
}

/// A kernel of [`Kernels`] as the loss calls it: `(labels, values, sums)`,
/// with `ε = 1e-7` for the clipped one.
type RowSums<T> = fn(&Kernels<T>, &[T], &[T], &mut [T]) -> Result<(), usize>;

/// One loss under test.
struct Loss<T> {
    name: &'static str,
    kernel: RowSums<T>,
    scalar: fn(T, T) -> T,
    /// The sum of the magnitudes of the terms of one element's loss, in
    /// `f64`: the scale of its rounding errors.
    magnitude: fn(f64, f64) -> f64,
    value: fn(&mut Rng, usize) -> T,
}

fn losses<T: Sample>() -> [Loss<T>; 2] {
    [
        Loss {
            name: "bce",
            kernel: |k, labels, values, sums| (k.bce)(labels, values, sums, T::from_f64(1e-7)),
            scalar: clipped_loss,
            magnitude: |y, p| {
                let p = p.clamp(1e-7, 1.0 - 1e-7);
                (y * p.ln()).abs() + ((1.0 - y) * (1.0 - p).ln()).abs()
            },
            value: random_probability,
        },
        Loss {
            name: "bce_logits",
            kernel: |k, labels, values, sums| (k.bce_logits)(labels, values, sums),
            scalar: logit_loss,
            magnitude: |y, z| z.max(0.0) + (z * y).abs() + (-z.abs()).exp().ln_1p(),
            value: random_logit,
        },
    ]
}

/// A random case: `(labels, values, rows, width)`, the arrays with a
/// random number of values before and after the rows.
struct Case<T> {
    labels: Vec<T>,
    values: Vec<T>,
    offset: usize,
    rows: usize,
    width: usize,
}

impl<T: Sample> Case<T> {
    fn random(rng: &mut Rng, value: fn(&mut Rng, usize) -> T) -> Self {
        let width = match rng.below(4) {
            0 => 1,
            1 => 1 + rng.below(20),
            2 => 1 + rng.below(80),
            _ => 100 + rng.below(300),
        };
        let rows = 1 + rng.below(if width == 1 { 500 } else { 12 });
        let offset = rng.below(17);
        let len = offset + rows * width + rng.below(17);
        let nan_odds = if rng.below(4) == 0 { 5 } else { 0 };
        let hard = rng.below(3) == 0;
        let mut labels: Vec<T> = (0..len).map(|_| random_label(rng, hard)).collect();
        let values = (0..len).map(|_| value(rng, nan_odds)).collect();
        for _ in 0..rng.below(3) {
            if rng.below(3) == 0 {
                labels[offset + rng.below(rows * width)] = bad_label(rng);
            }
        }
        Case {
            labels,
            values,
            offset,
            rows,
            width,
        }
    }

    fn labels(&self) -> &[T] {
        &self.labels[self.offset..self.offset + self.rows * self.width]
    }

    fn values(&self) -> &[T] {
        &self.values[self.offset..self.offset + self.rows * self.width]
    }

    /// The first label outside `[0, 1]`, found by the scalar definition.
    fn first_bad_label(&self) -> Option<usize> {
        self.labels()
            .iter()
            .position(|&y| !(y >= T::zero() && y <= T::one()))
    }
}

/// Checks one row sum against the scalar terms of its row.
fn check_row<T: Sample>(loss: &Loss<T>, labels: &[T], values: &[T], sum: T, what: &str) {
    let (mut exact, mut scale) = (0.0, 0.0);
    for (&y, &v) in labels.iter().zip(values) {
        exact += (loss.scalar)(y, v).widen();
        scale += (loss.magnitude)(y.widen(), v.widen());
    }
    let sum = sum.widen();
    let ok = if exact.is_nan() || exact.is_infinite() {
        sum.to_bits() == exact.to_bits() || (sum.is_nan() && exact.is_nan())
    } else {
        let ulp = T::epsilon().widen();
        let tolerance = (12.0 + labels.len() as f64 / 4.0) * ulp * scale;
        (sum - exact).abs() <= tolerance
    };
    assert!(ok, "{what}: sum {sum:e}, scalar {exact:e}");
}

fn check_type<T: Sample>(seed: u64) {
    let mut rng = Rng(seed);
    let paths = paths();
    for loss in losses::<T>() {
        for case_index in 0..CASES {
            let case = Case::random(&mut rng, loss.value);
            let expected_error = case.first_bad_label();
            for (path_name, path) in &paths {
                let what = format!(
                    "case {case_index}: {} on {path_name}, {} rows of {}",
                    loss.name, case.rows, case.width
                );
                let kernels = T::kernels(path);
                assert_eq!(
                    (kernels.first_bad_label)(case.labels()),
                    expected_error,
                    "{what}: first bad label"
                );
                let mut sums = vec![T::nan(); case.rows];
                let result = (loss.kernel)(kernels, case.labels(), case.values(), &mut sums);
                assert_eq!(result.err(), expected_error, "{what}: label check");
                if expected_error.is_some() {
                    continue;
                }
                let rows = case
                    .labels()
                    .chunks_exact(case.width)
                    .zip(case.values().chunks_exact(case.width));
                for (row, ((labels, values), &sum)) in rows.zip(&sums).enumerate() {
                    check_row(&loss, labels, values, sum, &format!("{what}, row {row}"));
                }
                // The whole array as one row: the sum the mean takes.
                let mut total = [T::nan()];
                (loss.kernel)(kernels, case.labels(), case.values(), &mut total)
                    .expect("labels in range");
                check_row(&loss, case.labels(), case.values(), total[0], &what);
            }
        }
    }
}

#[test]
fn f32_bce_kernels_agree_with_the_scalar_definitions() {
    check_type::<f32>(0xbce_f32);
}

#[test]
fn f64_bce_kernels_agree_with_the_scalar_definitions() {
    check_type::<f64>(0xbce_f64);
}

/// The bound of bce.rs's header on the from-logits loss of one `f32`
/// element, relative to the exact loss.
const LOGIT_LOSS_MAX_RELATIVE: f64 = 2.0 * f32::EPSILON as f64;

/// A thread's state in [`f32_logit_loss_is_within_its_bound_on_every_logit`]:
/// its worst errors and the buffers it reuses from batch to batch.
#[derive(Default)]
struct Scratch {
    worst: Vec<Worst>,
    losses: Vec<f32>,
    terms: Vec<f64>,
    ys: Vec<f32>,
}

/// The largest relative error of one path on one label, and where.
#[derive(Clone, Copy, Default)]
struct Worst {
    relative: f64,
    logit: f32,
}

/// `ln(1 + e^-|z|)` in `f64`, within a few `f64` ULPs (`std`'s `exp` and
/// `ln_1p`).
fn exact_softplus_term(z: f32) -> f64 {
    exp_minus_abs(z).ln_1p()
}

/// The exact loss of one `f32` element in `f64`, given its
/// [`exact_softplus_term`]: `max(z, 0) - z·y` is exact there.
fn exact_logit_loss(y: f32, z: f32, softplus_term: f64) -> f64 {
    let (y, z) = (f64::from(y), f64::from(z));
    let linear = if z > 0.0 { z * (1.0 - y) } else { -z * y };
    linear + softplus_term
}

/// Values per block of [`quietly_within`].
const BLOCK: usize = 64;

/// Whether a block of finite logits is within its bound and sets no new
/// worst relative error: the common case, decided without a branch per
/// value (the per-value check was a quarter of the test). A `false`
/// sends the block through [`check_logit_loss`].
fn quietly_within(y: f32, zs: &[f32], losses: &[f32], softplus_terms: &[f64], worst: f64) -> bool {
    let subnormal_step = f64::from(f32::from_bits(1));
    let elements = zs.iter().zip(losses).zip(softplus_terms);
    elements.fold(true, |quiet, ((&z, &loss), &softplus_term)| {
        let exact = exact_logit_loss(y, z, softplus_term);
        let error = (f64::from(loss) - exact).abs();
        let normal = exact >= f64::from(f32::MIN_POSITIVE);
        // Both sides computed, one taken (a NaN error fails either).
        let within =
            (normal & (error / exact <= worst)) | (!normal & (error <= 2.0 * subnormal_step));
        quiet & z.is_finite() & within
    })
}

/// Checks the loss of one element against its bound, and keeps its
/// relative error in `worst` if it is the largest yet.
fn check_logit_loss(name: &str, y: f32, z: f32, loss: f32, softplus_term: f64, worst: &mut Worst) {
    if !z.is_finite() {
        let scalar = logit_loss(y, z);
        assert!(
            loss.to_bits() == scalar.to_bits() || loss.is_nan() && scalar.is_nan(),
            "{name}: y = {y}, z = {z:e}: {loss:e}, scalar {scalar:e}"
        );
        return;
    }
    let exact = exact_logit_loss(y, z, softplus_term);
    let error = (f64::from(loss) - exact).abs();
    assert!(!error.is_nan(), "{name}: y = {y}, z = {z:e}: NaN");
    if exact < f64::from(f32::MIN_POSITIVE) {
        let step = f64::from(f32::from_bits(1));
        assert!(
            error <= 2.0 * step,
            "{name}: y = {y}, z = {z:e}: {loss:e}, exact {exact:e}"
        );
    } else if error / exact > worst.relative {
        *worst = Worst {
            relative: error / exact,
            logit: z,
        };
    }
}

/// Checks the from-logits kernel of every path, one element per row, on
/// every `f32` logit (release builds; a sample in debug builds) against
/// [`exact_logit_loss`], for hard and soft labels; returns the worst
/// relative error of each path and label. Results below the smallest
/// normal `f32` must be within two of its subnormal steps; non-finite
/// logits must give what the scalar definition gives.
#[test]
fn f32_logit_loss_is_within_its_bound_on_every_logit() {
    let labels = [0.0_f32, 1.0, 0.3];
    let paths = paths();
    // `ln(1 + e^-|z|)` is the same for `z` and `-z`: computed once for
    // both. The buffers are kept per thread (fresh megabytes per batch
    // cost more in page faults than the check).
    let scratch = super::inputs::for_all_magnitudes(|scratch: &mut Scratch, zs| {
        let Scratch {
            worst,
            losses,
            terms,
            ys,
        } = scratch;
        worst.resize(paths.len() * labels.len(), Worst::default());
        losses.resize(zs.len(), 0.0);
        let half = zs.len() / 2;
        terms.clear();
        terms.extend(zs[..half].iter().map(|&z| exact_softplus_term(z)));
        terms.extend_from_within(..);
        let softplus_terms = &terms[..];
        for (l, &y) in labels.iter().enumerate() {
            ys.clear();
            ys.resize(zs.len(), y);
            for (p, (name, path)) in paths.iter().enumerate() {
                (path.f32.bce_logits)(ys, zs, losses).expect("labels in range");
                let worst = &mut worst[p * labels.len() + l];
                let blocks = zs.chunks(BLOCK).zip(losses.chunks(BLOCK));
                for ((zs, losses), softplus_terms) in blocks.zip(softplus_terms.chunks(BLOCK)) {
                    if quietly_within(y, zs, losses, softplus_terms, worst.relative) {
                        continue;
                    }
                    let elements = zs.iter().zip(losses).zip(softplus_terms);
                    for ((&z, &loss), &softplus_term) in elements {
                        check_logit_loss(name, y, z, loss, softplus_term, worst);
                    }
                }
            }
        }
    });
    let worst = scratch
        .into_iter()
        .map(|scratch| scratch.worst)
        .reduce(|mut all, part| {
            for (a, b) in all.iter_mut().zip(part) {
                if b.relative > a.relative {
                    *a = b;
                }
            }
            all
        })
        .expect("two workers");
    for (p, (name, _)) in paths.iter().enumerate() {
        for (l, y) in labels.iter().enumerate() {
            let Worst { relative, logit } = worst[p * labels.len() + l];
            let ulps = relative / f64::from(f32::EPSILON);
            println!(
                "{name}, y = {y}: max relative error {relative:.3e} ({ulps:.3} × 2^-23) at z = {logit:e}"
            );
            assert!(
                relative <= LOGIT_LOSS_MAX_RELATIVE,
                "{name}, y = {y}: {relative:e} at z = {logit:e}"
            );
        }
    }
}

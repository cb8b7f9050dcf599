//! The row-wise log-softmax kernel on every path, against a reference in
//! `f64` (the kernel's algorithm with 29 more bits for `f32` rows; for
//! `f64` rows, the same steps in `f64`, so the bound covers both errors):
//! random rows of length 0..1100 at random offsets, logits at scales from
//! 1 to 10^4, with ties at the maximum, `-inf` entries, and now and then a
//! NaN or `+inf` (which make the row NaN).
//!
//! The bound is the one documented in src/kernels/log_softmax.rs:
//! `2 ULP + (n + 2)·u·ln S` where `ln S = -y_max` and `u` is the unit
//! roundoff: the rounding of a sum of `n` positive terms has no fixed ULP
//! bound. The test prints the largest error met, in ULPs.

use super::{Rng, f32_ulps, f64_ulps, paths};

const ROWS: usize = if cfg!(debug_assertions) { 300 } else { 3000 };

/// Log-softmax in `f64` with the kernel's rules: the first maximum's
/// term left out of the sum, `ln(1 + rest)`, NaN for NaN, `+inf` and
/// all-`-inf` rows.
fn reference(row: &[f64]) -> Vec<f64> {
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
    let first = row.iter().position(|&x| x == max).expect("a maximum");
    let rest: f64 = row
        .iter()
        .enumerate()
        .filter(|&(j, _)| j != first)
        .map(|(_, &x)| (x - max).exp())
        .sum();
    let log_sum = rest.ln_1p();
    row.iter().map(|&x| (x - max) - log_sum).collect()
}

/// A random row: `length` logits at one scale, with specials.
fn random_row(rng: &mut Rng) -> Vec<f64> {
    let length = rng.below(1100);
    let scale = [1.0, 10.0, 100.0, 1e4][rng.below(4)];
    let mut row: Vec<f64> = (0..length)
        .map(|_| (rng.unit() * 2.0 - 1.0) * scale)
        .collect();
    if length > 1 && rng.below(3) == 0 {
        // Ties at the maximum.
        let max = row.iter().fold(f64::NEG_INFINITY, |m, &x| m.max(x));
        for _ in 0..=rng.below(3) {
            let at = rng.below(length);
            row[at] = max;
        }
    }
    if length > 0 {
        for _ in 0..rng.below(3) {
            let at = rng.below(length);
            row[at] = match rng.below(20) {
                0 => f64::NAN,
                1 => f64::INFINITY,
                _ => f64::NEG_INFINITY,
            };
        }
    }
    row
}

/// Checks one kernel output against the reference: `(ok, error in ULPs)`.
fn within_bound(y: f64, want: f64, ulp: f64, ulps: u128, log_sum: f64, n: usize) -> (bool, u128) {
    if want.is_nan() || y.is_nan() {
        return (want.is_nan() && y.is_nan(), 0);
    }
    if want.is_infinite() || y.is_infinite() {
        return (want == y, 0);
    }
    let unit_roundoff = ulp / 2.0;
    let slack = (n as f64 + 2.0) * unit_roundoff * log_sum;
    let two_ulps = 2.0 * ulp * want.abs().max(f64::MIN_POSITIVE);
    (ulps <= 2 || (y - want).abs() <= two_ulps + slack, ulps)
}

#[test]
fn f32_log_softmax_is_within_its_bound_on_random_rows() {
    let mut rng = Rng(0x1_50f7);
    let mut worst = 0;
    for case in 0..ROWS {
        let row = random_row(&mut rng);
        let narrow: Vec<f32> = row.iter().map(|&x| x as f32).collect();
        let wide: Vec<f64> = narrow.iter().map(|&x| f64::from(x)).collect();
        let want = reference(&wide);
        let log_sum = -want.iter().fold(f64::NEG_INFINITY, |m, &y| m.max(y));
        for (path_name, path) in paths() {
            let offset = rng.below(17);
            let mut buffer = vec![-12_345.678_f32; offset + narrow.len() + 17];
            buffer[offset..offset + narrow.len()].copy_from_slice(&narrow);
            let before = buffer.clone();
            (path.f32.log_softmax)(&mut buffer[offset..offset + narrow.len()]);
            assert_eq!(&buffer[..offset], &before[..offset], "{path_name}: before");
            assert_eq!(
                &buffer[offset + narrow.len()..],
                &before[offset + narrow.len()..],
                "{path_name}: after"
            );
            for (i, (&y, &w)) in buffer[offset..].iter().zip(&want).enumerate() {
                let rounded = w as f32;
                let ulps = if y.is_finite() && rounded.is_finite() {
                    u128::from(f32_ulps(y, rounded))
                } else {
                    0
                };
                let ulp = f64::from(f32::EPSILON);
                let (ok, ulps) = within_bound(f64::from(y), w, ulp, ulps, log_sum, narrow.len());
                assert!(
                    ok,
                    "case {case} on {path_name}, entry {i} of {}: {y:e}, reference {w:e}",
                    narrow.len()
                );
                worst = worst.max(ulps);
            }
        }
    }
    println!("f32 log_softmax: {ROWS} random rows, at most {worst} ULP from the f64 reference");
}

#[test]
fn f64_log_softmax_is_within_its_bound_on_random_rows() {
    let mut rng = Rng(0x2_50f7);
    let mut worst = 0;
    for case in 0..ROWS {
        let row = random_row(&mut rng);
        let want = reference(&row);
        let log_sum = -want.iter().fold(f64::NEG_INFINITY, |m, &y| m.max(y));
        for (path_name, path) in paths() {
            let mut y = row.clone();
            (path.f64.log_softmax)(&mut y);
            for (i, (&y, &w)) in y.iter().zip(&want).enumerate() {
                let ulps = if y.is_finite() && w.is_finite() {
                    f64_ulps(y, w)
                } else {
                    0
                };
                // Twice the bound: the reference rounds as often.
                let (ok, ulps) = within_bound(y, w, 2.0 * f64::EPSILON, ulps, log_sum, row.len());
                assert!(
                    ok,
                    "case {case} on {path_name}, entry {i} of {}: {y:e}, reference {w:e}",
                    row.len()
                );
                worst = worst.max(ulps);
            }
        }
    }
    println!("f64 log_softmax: {ROWS} random rows, at most {worst} ULP from the f64 reference");
}

#[test]
fn log_softmax_kernels_keep_huge_and_tied_logits_exact() {
    for (path_name, path) in paths() {
        let mut row = [1000.0_f32, 1000.0, -1000.0];
        (path.f32.log_softmax)(&mut row);
        let ln2 = std::f32::consts::LN_2;
        assert_eq!(row, [-ln2, -ln2, -2000.0 - ln2], "{path_name}");
        let mut row = [88.0_f64, 89.0, 100.0];
        (path.f64.log_softmax)(&mut row);
        let exact = -((-12.0_f64).exp() + (-11.0_f64).exp()).ln_1p();
        assert!(f64_ulps(row[2], exact) <= 1, "{path_name}: {:e}", row[2]);
        let mut empty: [f32; 0] = [];
        (path.f32.log_softmax)(&mut empty);
        let mut nan_row = [f64::NAN, 0.0, f64::NEG_INFINITY];
        (path.f64.log_softmax)(&mut nan_row);
        assert!(nan_row.iter().all(|y| y.is_nan()), "{path_name}");
    }
}

//! What the finite-difference tests share: their random draws, the step,
//! the central difference and the comparison that records the worst error.

// Each test binary uses a subset of these.
#![allow(dead_code)]

use crate::rng::Rng;
use ndarray::Array2;

/// The draws of these tests.
pub trait Draw {
    fn matrix(&mut self, rows: usize, cols: usize, scale: f64) -> Array2<f64>;

    /// Labels in `[0, 1]`: hard 0/1 or soft.
    fn labels(&mut self, rows: usize, cols: usize) -> Array2<f64>;
}

impl Draw for Rng {
    fn matrix(&mut self, rows: usize, cols: usize, scale: f64) -> Array2<f64> {
        Array2::from_shape_simple_fn((rows, cols), || self.uniform(-scale, scale))
    }

    fn labels(&mut self, rows: usize, cols: usize) -> Array2<f64> {
        Array2::from_shape_simple_fn((rows, cols), || match self.next_u64() % 3 {
            0 => 0.0,
            1 => 1.0,
            _ => self.unit(),
        })
    }
}

pub const H: f64 = 1e-5;

thread_local! {
    /// Checks made by the current test and the worst error relative to
    /// `max(1, |numeric|)`, printed by [`summary`].
    static STATS: std::cell::Cell<(usize, f64)> = const { std::cell::Cell::new((0, 0.0)) };
}

/// Prints the current test's number of checks and worst error
/// (`--nocapture` shows it).
pub fn summary(test: &str) {
    let (count, worst) = STATS.with(|s| s.get());
    println!(
        "{test}: {count} checks, worst |analytic - numeric| / max(1, |numeric|) = {worst:.2e}"
    );
}

/// `|analytic - numeric| ≤ tol · max(1, |numeric|)`.
pub fn assert_close(what: &str, analytic: f64, numeric: f64, tol: f64) {
    let scale = numeric.abs().max(1.0);
    STATS.with(|s| {
        let (count, worst) = s.get();
        s.set((count + 1, worst.max((analytic - numeric).abs() / scale)));
    });
    assert!(
        (analytic - numeric).abs() <= tol * scale,
        "{what}: analytic {analytic:e}, finite difference {numeric:e}"
    );
}

/// The central difference of `f` along one coordinate of `values`.
pub fn central(values: &mut [f64], i: usize, mut f: impl FnMut(&[f64]) -> f64) -> f64 {
    let original = values[i];
    values[i] = original + H;
    let up = f(values);
    values[i] = original - H;
    let down = f(values);
    values[i] = original;
    (up - down) / (2.0 * H)
}

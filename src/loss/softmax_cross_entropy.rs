//! Categorical and sparse categorical cross-entropy from logits over a
//! whole batch, fused: the log-softmax and the sum against the labels in
//! one sweep over blocks of rows, the gradient (`softmax(z)·Σy - y`) in
//! the same sweep when training asks for it.
//!
//! A block is about [`BLOCK`] logits (a few rows, or one long row), small
//! enough to stay in the L1 cache while it is swept:
//!
//! 1. each row's maximum `m`, and `z - m` into the block's scratch (the
//!    gradient's buffer when there is one);
//! 2. `e^(z - m)` over the whole block in one call of the vectorized
//!    kernel (src/kernels/exp.rs);
//! 3. each row's sum `s` (eight interleaved sums), then `ln s` for all the
//!    block's rows in one call of the `ln` kernel;
//! 4. each row's loss, `Σ y·((m - z) + ln s)` (sparse: `(m - z_label) +
//!    ln s`), and with the gradient `(e/s·Σy - y)·scale` in place of `e`.
//!
//! So the logits are read twice (1), the scratch is swept four times (2,
//! 3, 4 and the gradient) while in L1, and the labels once (twice with
//! the gradient of the dense form, for `Σy`). The arithmetic is that of
//! the row formulas (exact for every finite logit, ±1e4 included: `z - m`
//! is exact and `e^(z - m) ≤ 1`); `e^x` and `ln x` round within 1 ULP
//! instead of the libm's half. A row holding `+inf`, or no finite logit,
//! has a NaN loss and gradient, as the softmax does.

use super::categorical::smooth;
use super::lanes;
use crate::kernels::{self, cross_entropy::Labels};
use crate::precision::narrow;
use num_traits::Float;

/// About how many logits one block holds.
const BLOCK: usize = 4096;

/// The labels of cross-entropy from logits.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Targets<T> {
    /// One class index per row (checked to be an integer in range).
    Sparse,
    /// One label row per row, smoothed by `smoothing`.
    Dense { smoothing: T },
}

/// Each row's loss into `values`, for row-major `logits` of
/// `values.len()` rows and their `labels`; with `gradient`, its buffer
/// (the logits' shape) receives `scale · ∂loss/∂z`. `f32` and `f64` go
/// through the vectorized kernel (src/kernels/cross_entropy.rs, the same
/// steps with a register per row), other types through [`scalar_rows`].
pub(crate) fn cross_entropy<T: Float>(
    targets: Targets<T>,
    labels: &[T],
    logits: &[T],
    values: &mut [T],
    gradient: Option<(&mut [T], T)>,
) {
    let Some(kernels) = kernels::for_type::<T>() else {
        return scalar_rows(targets, labels, logits, values, gradient);
    };
    let labels = match targets {
        Targets::Sparse => Labels::Sparse(labels),
        Targets::Dense { smoothing } => Labels::Dense {
            labels,
            keep: T::one() - smoothing,
            add: smoothing / narrow((logits.len() / values.len().max(1)) as f64),
        },
    };
    (kernels.cross_entropy)(logits, labels, values, gradient);
}

/// [`cross_entropy`] for any `T`, by the steps of the module.
fn scalar_rows<T: Float>(
    targets: Targets<T>,
    labels: &[T],
    logits: &[T],
    values: &mut [T],
    mut gradient: Option<(&mut [T], T)>,
) {
    let rows = values.len();
    if rows == 0 || logits.is_empty() {
        return;
    }
    let classes = logits.len() / rows;
    let label_width = match targets {
        Targets::Sparse => 1,
        Targets::Dense { .. } => classes,
    };
    let block_rows = (BLOCK / classes).max(1);
    let mut sums = vec![T::zero(); 2 * block_rows];
    let mut scratch = match gradient {
        Some(_) => Vec::new(),
        None => vec![T::zero(); block_rows * classes],
    };
    let blocks = logits
        .chunks(block_rows * classes)
        .zip(labels.chunks(block_rows * label_width))
        .zip(values.chunks_mut(block_rows));
    for (index, ((z, y), values)) in blocks.enumerate() {
        let (exps, scale) = match &mut gradient {
            Some((grad, scale)) => (
                &mut grad[index * block_rows * classes..][..z.len()],
                Some(*scale),
            ),
            None => (&mut scratch[..z.len()], None),
        };
        let block = Block {
            targets,
            classes,
            logits: z,
            labels: y,
        };
        let (sums, log_sums) = sums.split_at_mut(block_rows);
        block.run(exps, values, [sums, log_sums], scale);
    }
}

/// A block of rows: their logits and labels.
struct Block<'a, T> {
    targets: Targets<T>,
    classes: usize,
    logits: &'a [T],
    labels: &'a [T],
}

impl<T: Float> Block<'_, T> {
    /// Steps 1 to 4 (see the module): `exps` is the block's scratch, which
    /// ends as the gradient when there is a `scale`.
    fn run(
        &self,
        exps: &mut [T],
        values: &mut [T],
        [sums, log_sums]: [&mut [T]; 2],
        scale: Option<T>,
    ) {
        let c = self.classes;
        // Step 1; the maxima wait in `values` until step 4 replaces them.
        for ((z, e), max) in self
            .logits
            .chunks_exact(c)
            .zip(exps.chunks_exact_mut(c))
            .zip(values.iter_mut())
        {
            *max = lanes::max(z);
            e.iter_mut().zip(z).for_each(|(e, &z)| *e = z - *max);
        }
        lanes::exp_in_place(exps);
        let rows = values.len();
        let (sums, log_sums) = (&mut sums[..rows], &mut log_sums[..rows]);
        for (((e, max), sum), log_sum) in exps
            .chunks_exact(c)
            .zip(&*values)
            .zip(sums.iter_mut())
            .zip(log_sums.iter_mut())
        {
            *sum = if max.is_finite() {
                lanes::sum(e)
            } else {
                T::nan()
            };
            *log_sum = *sum;
        }
        lanes::ln_in_place(log_sums);
        let rows = self.logits.chunks_exact(c).zip(exps.chunks_exact_mut(c));
        let parts = values.iter_mut().zip(sums.iter().zip(log_sums.iter()));
        match self.targets {
            Targets::Sparse => {
                for (((z, e), label), (value, (&sum, &log_sum))) in rows.zip(self.labels).zip(parts)
                {
                    let label = label.to_usize().unwrap_or(0);
                    *value = (*value - z[label]) + log_sum;
                    if let Some(scale) = scale {
                        sparse_gradient(e, label, sum, scale);
                    }
                }
            }
            Targets::Dense { smoothing } if smoothing == T::zero() => {
                dense_rows(self.labels, rows, parts, scale, c, |y| y);
            }
            Targets::Dense { smoothing } => {
                let classes: T = narrow(c as f64);
                dense_rows(self.labels, rows, parts, scale, c, move |y| {
                    smooth(y, smoothing, classes)
                });
            }
        }
    }
}

/// Step 4 of the dense form, with the labels' smoothing as `smoothed`
/// (a loop of its own for unsmoothed labels). `values` hold the rows'
/// maxima on entry.
fn dense_rows<'a, T: Float + 'a>(
    labels: &[T],
    rows: impl Iterator<Item = (&'a [T], &'a mut [T])>,
    parts: impl Iterator<Item = (&'a mut T, (&'a T, &'a T))>,
    scale: Option<T>,
    classes: usize,
    smoothed: impl Fn(T) -> T + Copy,
) {
    for (((z, e), y), (value, (&sum, &log_sum))) in
        rows.zip(labels.chunks_exact(classes)).zip(parts)
    {
        let max = *value;
        *value = lanes::sum_pairs(y, z, |y, z| smoothed(y) * ((max - z) + log_sum));
        if let Some(scale) = scale {
            let total = lanes::sum_pairs(y, y, |y, _| smoothed(y));
            for (e, &y) in e.iter_mut().zip(y) {
                *e = (*e / sum * total - smoothed(y)) * scale;
            }
        }
    }
}

/// `e ← (softmax - onehot(label))·scale` from `e = e^(z - m)` and its sum.
fn sparse_gradient<T: Float>(e: &mut [T], label: usize, sum: T, scale: T) {
    let at_label = e[label] / sum - T::one();
    e.iter_mut().for_each(|e| *e = *e / sum * scale);
    e[label] = at_label * scale;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `ln Σ e^z` and the softmax of a row, plainly in `f64`.
    fn reference(z: &[f64]) -> (f64, Vec<f64>) {
        let max = z.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v));
        let sum: f64 = z.iter().map(|&v| (v - max).exp()).sum();
        (
            max + sum.ln(),
            z.iter().map(|&v| (v - max).exp() / sum).collect(),
        )
    }

    fn logits(rows: usize, classes: usize) -> Vec<f64> {
        (0..rows * classes)
            .map(|i| ((i * 37 % 101) as f64 - 50.0) * if i % 7 == 0 { 200.0 } else { 0.1 })
            .collect()
    }

    /// The scalar steps (what `f16` and `bf16` take; the kernel has its
    /// own tests on every path in src/kernels/tests/) across block
    /// boundaries (409 rows of 10, one row of 5000 split over no block),
    /// sparse and dense with smoothing.
    #[test]
    fn the_sweep_matches_the_row_formulas() {
        for (rows, classes) in [(1000, 10), (3, 5000), (5, 1), (9, 3)] {
            let z = logits(rows, classes);
            let sparse: Vec<f64> = (0..rows).map(|r| (r * 3 % classes) as f64).collect();
            let mut dense = vec![0.0; rows * classes];
            for (r, &c) in sparse.iter().enumerate() {
                dense[r * classes + c as usize] = 1.0;
            }
            for (targets, labels) in [
                (Targets::Sparse, &sparse),
                (Targets::Dense { smoothing: 0.0 }, &dense),
                (Targets::Dense { smoothing: 0.1 }, &dense),
            ] {
                let (mut values, mut grad) = (vec![0.0; rows], vec![0.0; rows * classes]);
                scalar_rows(targets, labels, &z, &mut values, Some((&mut grad, 0.5)));
                let mut alone = vec![0.0; rows];
                scalar_rows(targets, labels, &z, &mut alone, None);
                assert_eq!(alone, values);
                let smoothing = match targets {
                    Targets::Sparse => 0.0,
                    Targets::Dense { smoothing } => smoothing,
                };
                for r in 0..rows {
                    let row = &z[r * classes..][..classes];
                    let (lse, softmax) = reference(row);
                    let y: Vec<f64> = (0..classes)
                        .map(|j| {
                            let hot = if j == sparse[r] as usize { 1.0 } else { 0.0 };
                            hot * (1.0 - smoothing) + smoothing / classes as f64
                        })
                        .collect();
                    let value: f64 = y.iter().zip(row).map(|(y, z)| y * (lse - z)).sum();
                    assert!((values[r] - value).abs() <= 1e-12 * value.abs().max(1.0));
                    for j in 0..classes {
                        let expected = (softmax[j] - y[j]) * 0.5;
                        assert!((grad[r * classes + j] - expected).abs() <= 1e-15);
                    }
                }
            }
        }
    }

    #[test]
    fn rows_without_a_finite_maximum_are_nan_and_huge_logits_exact() {
        let z = [
            f32::INFINITY,
            0.0,
            f32::NEG_INFINITY,
            f32::NEG_INFINITY,
            1e4,
            -1e4,
        ];
        for rows in [cross_entropy, scalar_rows] {
            let mut values = [0.0_f32; 3];
            rows(Targets::Sparse, &[1.0, 0.0, 1.0], &z, &mut values, None);
            assert!(values[0].is_nan() && values[1].is_nan());
            assert_eq!(values[2], 2e4);
        }
    }
}

//! A [`Sample`] over a whole batch of row-major labels and predictions:
//! the per-sample values, their mean, the gradient, or values and
//! gradient together (training). The loss is dispatched once per batch:
//! the element losses run loops compiled for their formula (one `match`
//! per batch instead of one per element), cross-entropy from logits runs
//! the fused sweep of softmax_cross_entropy.rs, the others go row by row.

use super::elementwise::{Element, ForEachFormula};
use super::lanes::sum_pairs;
use super::sample::Sample;
use super::softmax_cross_entropy::cross_entropy;
use crate::kernels;
use crate::precision::{Accumulator, is_narrow, narrow};
use num_traits::Float;

/// A batch: `count` rows of labels and of predictions (or logits), each
/// row-major.
#[derive(Clone, Copy)]
pub(crate) struct Rows<'a, T> {
    pub(crate) labels: &'a [T],
    pub(crate) values: &'a [T],
    pub(crate) count: usize,
}

impl<T> Rows<'_, T> {
    fn label_width(&self) -> usize {
        self.labels.len() / self.count.max(1)
    }

    fn width(&self) -> usize {
        self.values.len() / self.count.max(1)
    }
}

impl<T: Float> Sample<T> {
    /// Each row's loss.
    pub(crate) fn per_sample(&self, rows: Rows<'_, T>) -> Vec<T> {
        let mut values = vec![T::zero(); rows.count];
        self.run(rows, Some(&mut values), None);
        values
    }

    /// The mean over rows of each row's loss. For element losses in `f32`
    /// and wider, without a per-sample array: the sum over all elements
    /// (the vectorized kernel for squared and absolute errors, eight
    /// interleaved sums for the others) divided by the width and the rows,
    /// Keras's mean of means rounded in another order (as the fused binary
    /// cross-entropy does); narrow types sum the rows wide.
    pub(crate) fn mean(&self, rows: Rows<'_, T>) -> T {
        if let Self::Element(element) = *self
            && !is_narrow::<T>()
        {
            let total =
                kernel_sum(&element, rows).unwrap_or_else(|| element.monomorphic(Sum(rows)));
            return total / row_divisor(&element, rows.width()) / narrow(rows.count as f64);
        }
        let mut sum = Accumulator::new();
        self.per_sample(rows).into_iter().for_each(|v| sum.add(v));
        sum.mean(rows.count)
    }

    /// `grad ← scale · ∂loss/∂values` for every row.
    pub(crate) fn gradient_into(&self, rows: Rows<'_, T>, scale: T, grad: &mut [T]) {
        self.run(rows, None, Some((grad, scale)));
    }

    /// Each row's loss into `values` and the gradient into `grad`, in one
    /// sweep where the loss has one (cross-entropy from logits).
    pub(crate) fn values_and_gradient(
        &self,
        rows: Rows<'_, T>,
        values: &mut [T],
        scale: T,
        grad: &mut [T],
    ) {
        self.run(rows, Some(values), Some((grad, scale)));
    }

    fn run(&self, rows: Rows<'_, T>, values: Option<&mut [T]>, gradient: Option<(&mut [T], T)>) {
        match *self {
            Self::Logits(targets) => {
                let mut own = Vec::new();
                let values = values.unwrap_or_else(|| {
                    own.resize(rows.count, T::zero());
                    &mut own
                });
                cross_entropy(targets, rows.labels, rows.values, values, gradient);
            }
            Self::Element(element) => {
                if let Some(out) = values {
                    element.monomorphic(PerSample { rows, out });
                }
                if let Some((grad, scale)) = gradient {
                    let scale = scale / row_divisor(&element, rows.width());
                    if !kernel_slopes(&element, rows, scale, grad) {
                        element.monomorphic(Slopes { rows, scale, grad });
                    }
                }
            }
            _ => self.row_by_row(rows, values, gradient),
        }
    }

    fn row_by_row(
        &self,
        rows: Rows<'_, T>,
        values: Option<&mut [T]>,
        gradient: Option<(&mut [T], T)>,
    ) {
        let (label_width, width) = (rows.label_width().max(1), rows.width().max(1));
        let pairs = rows
            .labels
            .chunks(label_width)
            .zip(rows.values.chunks(width));
        if let Some(values) = values {
            for ((y, p), value) in pairs.clone().zip(values.iter_mut()) {
                *value = self.value(y, p);
            }
        }
        if let Some((grad, scale)) = gradient {
            for ((y, p), g) in pairs.zip(grad.chunks_mut(width)) {
                self.gradient(y, p, scale, g);
            }
        }
    }
}

/// The divisor of a row's sum: its width, or 1 for a loss that sums.
fn row_divisor<T: Float>(element: &Element<T>, width: usize) -> T {
    if element.sums() {
        T::one()
    } else {
        narrow(width as f64)
    }
}

/// `Σ f(y, p)` over the batch through the kernel of src/kernels/ for
/// the element losses that have one (squared and absolute error, `f32`
/// and `f64`).
fn kernel_sum<T: Float>(element: &Element<T>, rows: Rows<'_, T>) -> Option<T> {
    let kernels = kernels::for_type::<T>()?;
    let sum = match element {
        Element::SquaredError => kernels.squared_error_sum,
        Element::AbsoluteError => kernels.absolute_error_sum,
        _ => return None,
    };
    Some(sum(rows.labels, rows.values))
}

/// `grad ← scale · f'(y, p)` through the kernel of src/kernels/ where
/// there is one (as [`kernel_sum`]), bit for bit [`Slopes`]; false if not.
fn kernel_slopes<T: Float>(
    element: &Element<T>,
    rows: Rows<'_, T>,
    scale: T,
    grad: &mut [T],
) -> bool {
    let Some(kernels) = kernels::for_type::<T>() else {
        return false;
    };
    let slopes = match element {
        Element::SquaredError => kernels.squared_error_slopes,
        Element::AbsoluteError => kernels.absolute_error_slopes,
        _ => return false,
    };
    slopes(rows.labels, rows.values, grad, scale);
    true
}

/// `Σ f(y, p)` over the batch, in eight interleaved sums.
struct Sum<'a, T>(Rows<'a, T>);

impl<T: Float> ForEachFormula<T> for Sum<'_, T> {
    type Output = T;

    fn run(self, element: impl Fn() -> Element<T> + Copy) -> T {
        let Self(rows) = self;
        sum_pairs(rows.labels, rows.values, |y, p| element().value(y, p))
    }
}

/// Each row's loss into `out`.
struct PerSample<'a, 'b, T> {
    rows: Rows<'a, T>,
    out: &'b mut [T],
}

impl<T: Float> ForEachFormula<T> for PerSample<'_, '_, T> {
    type Output = ();

    fn run(self, element: impl Fn() -> Element<T> + Copy) {
        let width = self.rows.width().max(1);
        let divisor = row_divisor(&element(), width);
        let pairs = self
            .rows
            .labels
            .chunks(width)
            .zip(self.rows.values.chunks(width));
        for ((y, p), out) in pairs.zip(self.out.iter_mut()) {
            *out = sum_pairs(y, p, |y, p| element().value(y, p)) / divisor;
        }
    }
}

/// `grad ← scale · f'(y, p)` over all elements.
struct Slopes<'a, 'b, T> {
    rows: Rows<'a, T>,
    scale: T,
    grad: &'b mut [T],
}

impl<T: Float> ForEachFormula<T> for Slopes<'_, '_, T> {
    type Output = ();

    fn run(self, element: impl Fn() -> Element<T> + Copy) {
        let scale = self.scale;
        let pairs = self.rows.labels.iter().zip(self.rows.values);
        for (g, (&y, &p)) in self.grad.iter_mut().zip(pairs) {
            *g = element().slope(y, p) * scale;
        }
    }
}

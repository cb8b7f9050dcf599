//! The metrics of [`FitOptions::metrics`](crate::FitOptions::metrics)
//! during [`Sequential::fit`](crate::Sequential::fit): running sums over
//! an epoch's training batches (Keras's running means), the values on the
//! validation data, and the names of everything an epoch logs.

use super::History;
use crate::error::Error;
use crate::loss::Loss;
use crate::metrics::{Metric, MetricKind, Resolved};
use crate::precision::{Accumulator, widen};
use crate::{Element, Sequential};
use ndarray::ArrayView2;

/// A name an epoch logs and whether larger values are better (what
/// callbacks in `"auto"` mode need to know).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct LogName {
    pub(super) name: String,
    pub(super) higher_is_better: bool,
}

/// The extra metrics of a `fit`, resolved for its model, with their sums
/// over the current epoch.
pub(super) struct MetricSums<T> {
    metrics: Vec<(String, Resolved)>,
    sums: Vec<Accumulator<T>>,
    seen: usize,
    /// Everything an epoch logs, in the history's order.
    names: Vec<LogName>,
}

impl<T: Element> MetricSums<T> {
    /// Resolves `metrics` for `model` and labels `label_width` wide.
    /// Keras's `"accuracy"` is left out: the history records it always.
    ///
    /// # Errors
    ///
    /// A metric whose labels do not fit (see `Metric::resolve`), or
    /// [`Error::InvalidParameter`] for two metrics of the same name.
    pub(super) fn new(
        model: &Sequential<T>,
        metrics: &[Metric],
        label_width: usize,
        validation: bool,
    ) -> Result<Self, Error> {
        let width = model.layers.last().map_or(0, |layer| layer.output_width());
        let loss: &Loss = &model.loss;
        let mut resolved: Vec<(String, Resolved)> = Vec::new();
        let mut names = vec![log_name("loss", false), log_name("accuracy", true)];
        for metric in metrics {
            let run = metric.resolve(loss, label_width, width)?;
            if metric.kind() == MetricKind::Accuracy && metric.name() == "accuracy" {
                continue;
            }
            if names.iter().any(|known| known.name == metric.name()) {
                return Err(Error::InvalidParameter {
                    name: "metrics",
                    expected: "metrics of different names",
                    found: format!("{:?} twice", metric.name()),
                });
            }
            names.push(log_name(metric.name(), metric.higher_is_better()));
            resolved.push((metric.name().to_owned(), run));
        }
        if validation {
            let val: Vec<LogName> = names
                .iter()
                .map(|n| log_name(&format!("val_{}", n.name), n.higher_is_better))
                .collect();
            names.extend(val);
        }
        Ok(Self {
            sums: vec![Accumulator::new(); resolved.len()],
            metrics: resolved,
            seen: 0,
            names,
        })
    }

    /// Whether there are extra metrics to compute.
    pub(super) fn is_empty(&self) -> bool {
        self.metrics.is_empty()
    }

    /// Everything an epoch logs: `loss`, `accuracy`, the metrics, then the
    /// same with `val_` with validation data.
    pub(super) fn names(&self) -> &[LogName] {
        &self.names
    }

    /// Starts an epoch's sums.
    pub(super) fn start_epoch(&mut self) {
        self.sums
            .iter_mut()
            .for_each(|sum| *sum = Accumulator::new());
        self.seen = 0;
    }

    /// Adds a batch's labels and predictions.
    pub(super) fn add_batch(&mut self, y: ArrayView2<'_, T>, p: ArrayView2<'_, T>) {
        for ((_, metric), sum) in self.metrics.iter().zip(&mut self.sums) {
            sum.merge(metric.sum(y, p));
        }
        self.seen += y.nrows();
    }

    /// The running mean of each metric over the epoch's rows so far, by
    /// name (for the progress line).
    pub(super) fn running(&self) -> impl Iterator<Item = (&str, f64)> {
        let means = self.sums.iter().map(|sum| widen(sum.mean(self.seen)));
        self.metrics
            .iter()
            .map(|(name, _)| name.as_str())
            .zip(means)
    }

    /// Records the epoch's training means and, given the validation
    /// labels and predictions, the validation values.
    pub(super) fn record(
        &self,
        history: &mut History<T>,
        validation: Option<(ArrayView2<'_, T>, ArrayView2<'_, T>)>,
    ) {
        for ((name, _), sum) in self.metrics.iter().zip(&self.sums) {
            history.record(name, sum.mean(self.seen));
        }
        if let Some((y, p)) = validation {
            for (name, metric) in &self.metrics {
                history.record(&format!("val_{name}"), metric.sum(y, p).mean(y.nrows()));
            }
        }
    }
}

fn log_name(name: &str, higher_is_better: bool) -> LogName {
    LogName {
        name: name.to_owned(),
        higher_is_better,
    }
}

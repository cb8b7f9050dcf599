//! [`Metric`]: a metric chosen for [`fit`](crate::Sequential::fit)'s
//! history by Keras's name, as `model.compile(metrics=[...])` takes it.

use super::{Accuracy, arg_max, in_top_k};
use crate::error::{Error, check_positive, check_shape};
use crate::loss::Loss;
use crate::precision::{Accumulator, narrow};
use ndarray::ArrayView2;
use num_traits::Float;
use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

/// What a [`Metric`] measures, each the mean over samples of a per-sample
/// value (Keras's `MeanMetricWrapper`): over an epoch of `fit`, the mean
/// over every row seen, as Keras's running metrics report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MetricKind {
    /// Keras's `"accuracy"`: binary, categorical or sparse categorical as
    /// [`Accuracy::for_loss`] resolves it for the compiled loss.
    Accuracy,
    /// Each prediction `> 0.5` against labels in `{0, 1}`, averaged over
    /// the row.
    BinaryAccuracy,
    /// The arg-max of the prediction row against the label row's.
    CategoricalAccuracy,
    /// The arg-max of the prediction row against a class index.
    SparseCategoricalAccuracy,
    /// The label row's arg-max among the `k` largest predictions.
    TopKCategoricalAccuracy {
        /// How many of the largest predictions count (Keras's default 5).
        k: usize,
    },
    /// The mean over the row of `|y - p|`.
    MeanAbsoluteError,
    /// The mean over the row of `(y - p)²`.
    MeanSquaredError,
}

/// A metric recorded in [`History`](crate::History) under its name, as
/// Keras's `compile(metrics=[...])` records it: the name given as a string
/// (`"mae"` is recorded as `mae`, `"mean_absolute_error"` as
/// `mean_absolute_error`), or the metric class's default name for
/// [`Metric::new`]. Validation values get the `val_` prefix.
///
/// # Example
///
/// ```
/// use neurite::metrics::{Metric, MetricKind};
///
/// let mae: Metric = "mae".parse()?;
/// assert_eq!((mae.name(), mae.kind()), ("mae", MetricKind::MeanAbsoluteError));
/// assert_eq!(Metric::new(MetricKind::MeanAbsoluteError).name(), "mean_absolute_error");
/// assert!("accuracy".parse::<Metric>()?.higher_is_better());
/// assert!("f1".parse::<Metric>().is_err());
/// # Ok::<(), neurite::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metric {
    kind: MetricKind,
    name: Cow<'static, str>,
}

/// Keras's names for each kind (`keras.metrics.get` and `compile`'s
/// `"accuracy"`/`"acc"`); the first name of a kind is its default name.
const NAMES: &[(&str, MetricKind)] = &[
    ("accuracy", MetricKind::Accuracy),
    ("acc", MetricKind::Accuracy),
    ("binary_accuracy", MetricKind::BinaryAccuracy),
    ("BinaryAccuracy", MetricKind::BinaryAccuracy),
    ("categorical_accuracy", MetricKind::CategoricalAccuracy),
    ("CategoricalAccuracy", MetricKind::CategoricalAccuracy),
    (
        "sparse_categorical_accuracy",
        MetricKind::SparseCategoricalAccuracy,
    ),
    (
        "SparseCategoricalAccuracy",
        MetricKind::SparseCategoricalAccuracy,
    ),
    (
        "top_k_categorical_accuracy",
        MetricKind::TopKCategoricalAccuracy { k: 5 },
    ),
    (
        "TopKCategoricalAccuracy",
        MetricKind::TopKCategoricalAccuracy { k: 5 },
    ),
    ("mean_absolute_error", MetricKind::MeanAbsoluteError),
    ("MeanAbsoluteError", MetricKind::MeanAbsoluteError),
    ("mae", MetricKind::MeanAbsoluteError),
    ("MAE", MetricKind::MeanAbsoluteError),
    ("mean_squared_error", MetricKind::MeanSquaredError),
    ("MeanSquaredError", MetricKind::MeanSquaredError),
    ("mse", MetricKind::MeanSquaredError),
    ("MSE", MetricKind::MeanSquaredError),
];

impl Metric {
    /// The metric of `kind` under its Keras class's default name
    /// (`binary_accuracy`, `top_k_categorical_accuracy`,
    /// `mean_squared_error`, …; `accuracy` for
    /// [`MetricKind::Accuracy`]).
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::metrics::{Metric, MetricKind};
    ///
    /// let top3 = Metric::new(MetricKind::TopKCategoricalAccuracy { k: 3 });
    /// assert_eq!(top3.name(), "top_k_categorical_accuracy");
    /// ```
    pub fn new(kind: MetricKind) -> Self {
        let default = |&&(_, known): &&(&str, MetricKind)| same_kind(known, kind);
        let name = NAMES
            .iter()
            .find(default)
            .map_or("metric", |(name, _)| name);
        Self {
            kind,
            name: Cow::Borrowed(name),
        }
    }

    /// The name the history records it under.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::metrics::Metric;
    ///
    /// assert_eq!("acc".parse::<Metric>()?.name(), "acc");
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What it measures.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::metrics::{Metric, MetricKind};
    ///
    /// assert_eq!("mse".parse::<Metric>()?.kind(), MetricKind::MeanSquaredError);
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn kind(&self) -> MetricKind {
        self.kind
    }

    /// Whether larger values are better (Keras's metric `_direction`
    /// `"up"`): the accuracies; the errors are better smaller. Callbacks
    /// in `"auto"` mode use it.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::metrics::Metric;
    ///
    /// assert!(!"mae".parse::<Metric>()?.higher_is_better());
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn higher_is_better(&self) -> bool {
        !matches!(
            self.kind,
            MetricKind::MeanAbsoluteError | MetricKind::MeanSquaredError
        )
    }

    /// The metric as it runs for a model compiled with `loss` with
    /// `width` outputs, after checking labels `label_width` wide.
    pub(crate) fn resolve(
        &self,
        loss: &Loss,
        label_width: usize,
        width: usize,
    ) -> Result<Resolved, Error> {
        let resolved = match self.kind {
            MetricKind::Accuracy => Resolved::Accuracy(Accuracy::for_loss(loss, width)),
            MetricKind::BinaryAccuracy => Resolved::Accuracy(Accuracy::Binary),
            MetricKind::CategoricalAccuracy => Resolved::Accuracy(Accuracy::Categorical),
            MetricKind::SparseCategoricalAccuracy => {
                Resolved::Accuracy(Accuracy::SparseCategorical)
            }
            MetricKind::TopKCategoricalAccuracy { k } => {
                check_positive("k", k)?;
                Resolved::TopK(k)
            }
            MetricKind::MeanAbsoluteError => Resolved::AbsoluteError,
            MetricKind::MeanSquaredError => Resolved::SquaredError,
        };
        let sparse = resolved == Resolved::Accuracy(Accuracy::SparseCategorical);
        let expected = if sparse { 1 } else { width };
        let what = format!("labels for the {} metric", self.name);
        check_shape(&what, &[expected], &[label_width])?;
        Ok(resolved)
    }
}

/// Whether two kinds are the same metric (top-k for any `k`).
fn same_kind(a: MetricKind, b: MetricKind) -> bool {
    std::mem::discriminant(&a) == std::mem::discriminant(&b)
}

/// A [`Metric`] with Keras's `"accuracy"` resolved for a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Resolved {
    Accuracy(Accuracy),
    TopK(usize),
    AbsoluteError,
    SquaredError,
}

impl Resolved {
    /// `Σ` over the rows of each sample's value.
    pub(crate) fn sum<T: Float>(
        self,
        y: ArrayView2<'_, T>,
        p: ArrayView2<'_, T>,
    ) -> Accumulator<T> {
        let mut sum = Accumulator::new();
        let width = narrow::<T>(p.ncols().max(1) as f64);
        let error = |y: &[T], p: &[T], f: fn(T) -> T| {
            let total = y.iter().zip(p).fold(T::zero(), |s, (&y, &p)| s + f(y - p));
            total / width
        };
        for (y, p) in y.rows().into_iter().zip(p.rows()) {
            let (y, p) = (y.to_vec(), p.to_vec());
            sum.add(match self {
                Self::Accuracy(accuracy) => accuracy.sample(&y, &p),
                Self::TopK(k) => hit(arg_max(&y).is_some_and(|label| in_top_k(&p, label, k))),
                Self::AbsoluteError => error(&y, &p, T::abs),
                Self::SquaredError => error(&y, &p, |d| d * d),
            });
        }
        sum
    }
}

/// 1 for a hit, 0 for a miss.
fn hit<T: Float>(yes: bool) -> T {
    if yes { T::one() } else { T::zero() }
}

impl From<MetricKind> for Metric {
    fn from(kind: MetricKind) -> Self {
        Self::new(kind)
    }
}

impl FromStr for Metric {
    type Err = Error;

    /// Keras's names, class names and aliases (`"acc"`, `"mae"`, `"mse"`),
    /// kept as the name the history records.
    fn from_str(name: &str) -> Result<Self, Error> {
        let kind = NAMES
            .iter()
            .find(|(known, _)| *known == name)
            .map(|&(_, kind)| kind)
            .ok_or_else(|| Error::InvalidParameter {
                name: "metric",
                expected: "a Keras metric name (accuracy, acc, binary_accuracy, \
                           categorical_accuracy, sparse_categorical_accuracy, \
                           top_k_categorical_accuracy, mean_absolute_error, mae, \
                           mean_squared_error, mse or a class name)",
                found: format!("{:?}", crate::error::shorten(name)),
            })?;
        Ok(Self {
            kind,
            name: Cow::Owned(name.to_owned()),
        })
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn every_name_parses_to_its_kind_and_keeps_the_name() {
        for &(name, kind) in NAMES {
            let metric: Metric = name.parse().unwrap();
            assert_eq!((metric.name(), metric.kind()), (name, kind));
        }
        assert_eq!(Metric::new(MetricKind::Accuracy).name(), "accuracy");
        assert_eq!(
            Metric::new(MetricKind::MeanSquaredError).name(),
            "mean_squared_error"
        );
    }

    #[test]
    fn sums_agree_with_the_batch_metrics() {
        let y = array![[0.0_f64, 1.0, 0.0], [1.0, 0.0, 0.0]];
        let p = array![[0.1, 0.7, 0.2], [0.2, 0.5, 0.3]];
        let mean = |r: Resolved| r.sum(y.view(), p.view()).mean(2);
        let mae = super::super::mean_absolute_error(&y, &p).unwrap();
        let mse = super::super::mean_squared_error(&y, &p).unwrap();
        assert!((mean(Resolved::AbsoluteError) - mae).abs() < 1e-15);
        assert!((mean(Resolved::SquaredError) - mse).abs() < 1e-15);
        assert_eq!(mean(Resolved::TopK(2)), 0.5);
        assert_eq!(mean(Resolved::Accuracy(Accuracy::Categorical)), 0.5);
    }

    #[test]
    fn labels_must_fit_the_metric() {
        let sparse = Metric::new(MetricKind::SparseCategoricalAccuracy);
        assert!(sparse.resolve(&Loss::default(), 3, 3).is_err());
        assert!(sparse.resolve(&Loss::default(), 1, 3).is_ok());
        let top0 = Metric::new(MetricKind::TopKCategoricalAccuracy { k: 0 });
        assert!(top0.resolve(&Loss::default(), 3, 3).is_err());
    }
}

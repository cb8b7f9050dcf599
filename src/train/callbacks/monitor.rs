//! A watched value of the history and when it improves, shared by
//! [`EarlyStopping`](super::EarlyStopping) and
//! [`ReduceLrOnPlateau`](super::ReduceLrOnPlateau) (Keras's
//! `MonitorCallback`).

use super::FitContext;
use crate::Element;
use crate::error::Error;
use crate::precision::narrow;

/// Whether a monitored value improves by going down or up (Keras's
/// `mode`).
///
/// # Example
///
/// ```
/// use neurite::train::{EarlyStopping, Mode};
///
/// let stop = EarlyStopping::<f32>::new("val_accuracy").mode(Mode::Max);
/// # let _ = stop;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// From the name, as Keras: the losses and errors go down, the
    /// accuracies up (see
    /// [`Metric::higher_is_better`](crate::metrics::Metric::higher_is_better)).
    #[default]
    Auto,
    /// Lower is better.
    Min,
    /// Higher is better.
    Max,
}

/// The state of a monitored value: its name, direction and best so far.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Monitor {
    pub(super) name: String,
    pub(super) mode: Mode,
    /// An improvement must beat the best by more than this (`≥ 0`).
    pub(super) min_delta: f64,
    higher_is_better: bool,
    pub(super) best: Option<f64>,
}

impl Monitor {
    pub(super) fn new(name: &str, mode: Mode, min_delta: f64) -> Self {
        Self {
            name: name.to_owned(),
            mode,
            min_delta: min_delta.abs(),
            higher_is_better: false,
            best: None,
        }
    }

    /// Resolves the direction for a `fit` and forgets the best value.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] when `fit` does not log the name, or
    /// `min_delta` is not finite.
    pub(super) fn begin<T: Element>(&mut self, fit: &FitContext<'_, T>) -> Result<(), Error> {
        let direction = fit.higher_is_better(&self.name).ok_or_else(|| Error::InvalidParameter {
            name: "monitor",
            expected: "a name fit logs (loss, accuracy, a metric's name, or val_ and one of these \
                       with validation data)",
            found: format!("{:?}; this fit logs {}", self.name, fit.log_names()),
        })?;
        if !self.min_delta.is_finite() {
            return Err(Error::InvalidParameter {
                name: "min_delta",
                expected: "a finite number",
                found: self.min_delta.to_string(),
            });
        }
        self.higher_is_better = match self.mode {
            Mode::Auto => direction,
            Mode::Min => false,
            Mode::Max => true,
        };
        self.best = None;
        Ok(())
    }

    /// Keras's `_is_improvement`: `current` beats `reference` by more than
    /// `min_delta` (anything beats no reference). As in Keras, the shifted
    /// value and the reference are compared in the model's float type
    /// (Keras's `ops.greater` converts both to `floatx`).
    pub(super) fn improves<T: Element>(&self, current: f64, reference: Option<f64>) -> bool {
        reference.is_none_or(|reference| {
            let reference = narrow::<T>(reference);
            if self.higher_is_better {
                narrow::<T>(current - self.min_delta) > reference
            } else {
                narrow::<T>(current + self.min_delta) < reference
            }
        })
    }
}

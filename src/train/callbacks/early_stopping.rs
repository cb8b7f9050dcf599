//! [`EarlyStopping`]: stop when a monitored value stops improving.

use super::monitor::{Mode, Monitor};
use super::{Callback, FitContext};
use crate::Element;
use crate::error::Error;
use ndarray::ArrayD;

/// Keras's `EarlyStopping`: stops training once the monitored value (by
/// default `val_loss`) has not improved for `patience` epochs, optionally
/// putting back the weights of the best epoch.
///
/// Keras 3.15's rule, step for step: an epoch improves when its value
/// beats the best so far by more than `min_delta` (lower for losses and
/// errors, higher for accuracies, or as [`Mode`] says); each epoch that
/// does not adds one to a wait that an improvement resets, and training
/// stops after an epoch (never the first) at which the wait reaches
/// `patience`. With `restore_best_weights`, the weights of the best epoch
/// are put back when training ends, whether or not it stopped early. A NaN
/// value never improves.
///
/// One difference on purpose: a monitor name that `fit` does not log is an
/// error before the first step ([`Error::InvalidParameter`]), where Keras
/// warns every epoch and never stops.
///
/// # Example
///
/// ```
/// use ndarray::array;
/// use neurite::train::EarlyStopping;
/// use neurite::{Dense, FitOptions, Sequential, Sgd, Sigmoid};
///
/// let mut model = Sequential::new();
/// model.add(Dense::new(array![[0.0_f64]], array![0.0], Sigmoid)?)?;
/// let (x, y) = (array![[1.0], [-1.0]], array![[1.0], [0.0]]);
/// // A validation set the model cannot fit: its loss rises from the start.
/// let (x_val, y_val) = (array![[1.0]], array![[0.0]]);
/// let stop = EarlyStopping::new("val_loss").patience(2).restore_best_weights(true);
/// let options = FitOptions::new(100).validation_data(&x_val, &y_val).callback(stop);
/// let history = model.fit(&x, &y, &mut Sgd::new(0.5), options)?;
/// assert_eq!(history.epochs(), 3); // the best epoch, then two without improvement
/// assert_eq!(model.evaluate(&x_val, &y_val)?.loss, history.val_loss[0]);
/// # Ok::<(), neurite::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct EarlyStopping<T> {
    monitor: Monitor,
    patience: usize,
    restore_best_weights: bool,
    wait: usize,
    best_weights: Option<Vec<ArrayD<T>>>,
    best_epoch: usize,
    stopped_epoch: Option<usize>,
}

impl<T: Element> EarlyStopping<T> {
    /// Watches `monitor` with Keras's defaults: patience 0, `min_delta`
    /// 0, [`Mode::Auto`], weights not restored.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::train::EarlyStopping;
    ///
    /// let stop = EarlyStopping::<f32>::new("val_accuracy");
    /// assert_eq!(stop.stopped_epoch(), None);
    /// ```
    pub fn new(monitor: &str) -> Self {
        Self {
            monitor: Monitor::new(monitor, Mode::Auto, 0.0),
            patience: 0,
            restore_best_weights: false,
            wait: 0,
            best_weights: None,
            best_epoch: 0,
            stopped_epoch: None,
        }
    }

    /// Epochs without improvement after which training stops.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::train::EarlyStopping;
    ///
    /// let stop = EarlyStopping::<f32>::new("loss").patience(5);
    /// # let _ = stop;
    /// ```
    pub fn patience(mut self, patience: usize) -> Self {
        self.patience = patience;
        self
    }

    /// The least change that counts as an improvement (its absolute value,
    /// as Keras takes it).
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::train::EarlyStopping;
    ///
    /// let stop = EarlyStopping::<f32>::new("val_loss").min_delta(1e-3);
    /// # let _ = stop;
    /// ```
    pub fn min_delta(mut self, min_delta: f64) -> Self {
        self.monitor.min_delta = min_delta.abs();
        self
    }

    /// Whether improving means going down or up.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::train::{EarlyStopping, Mode};
    ///
    /// let stop = EarlyStopping::<f64>::new("mae").mode(Mode::Min);
    /// # let _ = stop;
    /// ```
    pub fn mode(mut self, mode: Mode) -> Self {
        self.monitor.mode = mode;
        self
    }

    /// Whether to put back the weights of the best epoch when training
    /// ends.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::train::EarlyStopping;
    ///
    /// let stop = EarlyStopping::<f32>::new("val_loss").restore_best_weights(true);
    /// # let _ = stop;
    /// ```
    pub fn restore_best_weights(mut self, restore: bool) -> Self {
        self.restore_best_weights = restore;
        self
    }

    /// The epoch (from 0) after which the last `fit` stopped early, `None`
    /// if it ran every epoch.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::train::EarlyStopping;
    ///
    /// assert_eq!(EarlyStopping::<f64>::new("loss").stopped_epoch(), None);
    /// ```
    pub fn stopped_epoch(&self) -> Option<usize> {
        self.stopped_epoch
    }
}

impl<T: Element> Callback<T> for EarlyStopping<T> {
    fn on_train_begin(&mut self, fit: &mut FitContext<'_, T>) -> Result<(), Error> {
        self.monitor.begin(fit)?;
        self.wait = 0;
        self.best_weights = None;
        self.best_epoch = 0;
        self.stopped_epoch = None;
        Ok(())
    }

    fn on_epoch_end(&mut self, epoch: usize, fit: &mut FitContext<'_, T>) -> Result<(), Error> {
        let Some(current) = fit.log(&self.monitor.name) else {
            return Ok(());
        };
        if self.restore_best_weights && self.best_weights.is_none() {
            self.best_weights = Some(fit.model().get_weights());
            self.best_epoch = epoch;
        }
        self.wait += 1;
        if self.monitor.improves::<T>(current, self.monitor.best) {
            self.monitor.best = Some(current);
            self.best_epoch = epoch;
            if self.restore_best_weights {
                self.best_weights = Some(fit.model().get_weights());
            }
            self.wait = 0;
            return Ok(());
        }
        if self.wait >= self.patience && epoch > 0 {
            self.stopped_epoch = Some(epoch);
            fit.stop_training();
        }
        Ok(())
    }

    fn on_train_end(&mut self, fit: &mut FitContext<'_, T>) -> Result<(), Error> {
        match self.best_weights.take() {
            Some(weights) if self.restore_best_weights => fit.model_mut().set_weights(&weights),
            _ => Ok(()),
        }
    }
}

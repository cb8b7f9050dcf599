//! [`ReduceLrOnPlateau`]: lower the learning rate when a monitored value
//! stops improving.

use super::monitor::{Mode, Monitor};
use super::{Callback, FitContext};
use crate::Element;
use crate::error::Error;

/// Keras's `ReduceLROnPlateau`: multiplies the optimizer's learning rate
/// by `factor` once the monitored value (by default `val_loss`) has not
/// improved for `patience` epochs, never below `min_lr`, then waits
/// `cooldown` epochs before counting again.
///
/// Keras 3.15's rule, step for step: each epoch first records the learning
/// rate it trained with in the history as `learning_rate`; during a
/// cooldown the cooldown counts down and the wait is reset; an epoch whose
/// value beats the best by more than `min_delta` (default `1e-4`) resets
/// the wait, any other epoch outside a cooldown adds one to it; when the
/// wait reaches `patience` and the rate is above `min_lr`, the rate becomes
/// `max(rate · factor, min_lr)`, the cooldown starts and the wait is reset.
/// The rate is read as the optimizer applies it (rounded to `f32` in an
/// `f32` model, as Keras's `float32` variable holds it). A NaN value never
/// improves.
///
/// As [`EarlyStopping`](super::EarlyStopping), a monitor name `fit` does
/// not log is an error before the first step; so is an optimizer without a
/// learning rate ([`Optimizer::get_learning_rate`](crate::Optimizer::get_learning_rate)
/// gives `None`), or a `factor` outside `(0, 1)` or a `min_lr` below 0.
///
/// # Example
///
/// ```
/// use ndarray::array;
/// use neurite::train::ReduceLrOnPlateau;
/// use neurite::{Dense, FitOptions, Sequential, Sgd, Sigmoid};
///
/// let mut model = Sequential::new();
/// model.add(Dense::new(array![[0.0_f64]], array![0.0], Sigmoid)?)?;
/// let (x, y) = (array![[1.0], [-1.0]], array![[1.0], [0.0]]);
/// let (x_val, y_val) = (array![[1.0]], array![[0.0]]);
/// let reduce = ReduceLrOnPlateau::new("val_loss").factor(0.5).patience(1);
/// let options = FitOptions::new(4).validation_data(&x_val, &y_val).callback(reduce);
/// let mut sgd = Sgd::new(0.4);
/// let history = model.fit(&x, &y, &mut sgd, options)?;
/// // val_loss rises every epoch: the rate halves after each epoch but the first.
/// assert_eq!(history.get("learning_rate"), Some(&[0.4, 0.4, 0.2, 0.1][..]));
/// assert_eq!(sgd.learning_rate, 0.05);
/// # Ok::<(), neurite::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[doc(alias = "ReduceLROnPlateau")]
pub struct ReduceLrOnPlateau {
    monitor: Monitor,
    factor: f64,
    patience: usize,
    min_lr: f64,
    cooldown: usize,
    wait: usize,
    cooldown_counter: usize,
}

impl ReduceLrOnPlateau {
    /// Watches `monitor` with Keras's defaults: factor 0.1, patience 10,
    /// `min_delta` 1e-4, cooldown 0, `min_lr` 0, [`Mode::Auto`].
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::train::ReduceLrOnPlateau;
    ///
    /// let reduce = ReduceLrOnPlateau::new("val_loss");
    /// # let _ = reduce;
    /// ```
    pub fn new(monitor: &str) -> Self {
        Self {
            monitor: Monitor::new(monitor, Mode::Auto, 1e-4),
            factor: 0.1,
            patience: 10,
            min_lr: 0.0,
            cooldown: 0,
            wait: 0,
            cooldown_counter: 0,
        }
    }

    /// The factor the learning rate is multiplied by, in `(0, 1)`.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::train::ReduceLrOnPlateau;
    ///
    /// let reduce = ReduceLrOnPlateau::new("loss").factor(0.5);
    /// # let _ = reduce;
    /// ```
    pub fn factor(mut self, factor: f64) -> Self {
        self.factor = factor;
        self
    }

    /// Epochs without improvement before the rate is lowered.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::train::ReduceLrOnPlateau;
    ///
    /// let reduce = ReduceLrOnPlateau::new("loss").patience(3);
    /// # let _ = reduce;
    /// ```
    pub fn patience(mut self, patience: usize) -> Self {
        self.patience = patience;
        self
    }

    /// The least change that counts as an improvement (its absolute
    /// value).
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::train::ReduceLrOnPlateau;
    ///
    /// let reduce = ReduceLrOnPlateau::new("loss").min_delta(0.0);
    /// # let _ = reduce;
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
    /// use neurite::train::{Mode, ReduceLrOnPlateau};
    ///
    /// let reduce = ReduceLrOnPlateau::new("val_accuracy").mode(Mode::Max);
    /// # let _ = reduce;
    /// ```
    pub fn mode(mut self, mode: Mode) -> Self {
        self.monitor.mode = mode;
        self
    }

    /// The lowest learning rate it sets.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::train::ReduceLrOnPlateau;
    ///
    /// let reduce = ReduceLrOnPlateau::new("loss").min_lr(1e-5);
    /// # let _ = reduce;
    /// ```
    pub fn min_lr(mut self, min_lr: f64) -> Self {
        self.min_lr = min_lr;
        self
    }

    /// Epochs to wait after a reduction before counting again.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::train::ReduceLrOnPlateau;
    ///
    /// let reduce = ReduceLrOnPlateau::new("loss").cooldown(2);
    /// # let _ = reduce;
    /// ```
    pub fn cooldown(mut self, cooldown: usize) -> Self {
        self.cooldown = cooldown;
        self
    }

    /// Checks the settings that `new` and the setters cannot refuse.
    fn check(&self, has_learning_rate: bool) -> Result<(), Error> {
        let invalid = |name, expected, found: String| Error::InvalidParameter {
            name,
            expected,
            found,
        };
        if !(self.factor > 0.0 && self.factor < 1.0) {
            return Err(invalid(
                "factor",
                "a number in (0, 1)",
                self.factor.to_string(),
            ));
        }
        if !(self.min_lr >= 0.0 && self.min_lr.is_finite()) {
            return Err(invalid(
                "min_lr",
                "a finite number >= 0",
                self.min_lr.to_string(),
            ));
        }
        if !has_learning_rate {
            let found = "an optimizer without a learning rate".to_owned();
            return Err(invalid(
                "optimizer",
                "an optimizer with a learning rate",
                found,
            ));
        }
        Ok(())
    }

    /// Lowers the rate if it is above `min_lr` (as `f32`, as Keras
    /// compares); returns whether it did.
    fn reduce<T: Element>(&self, fit: &mut FitContext<'_, T>) -> bool {
        let Some(old) = fit.learning_rate() else {
            return false;
        };
        if old <= f64::from(self.min_lr as f32) {
            return false;
        }
        fit.set_learning_rate((old * self.factor).max(self.min_lr));
        true
    }
}

impl<T: Element> Callback<T> for ReduceLrOnPlateau {
    fn on_train_begin(&mut self, fit: &mut FitContext<'_, T>) -> Result<(), Error> {
        self.check(fit.learning_rate().is_some())?;
        self.monitor.begin(fit)?;
        self.wait = 0;
        self.cooldown_counter = 0;
        Ok(())
    }

    fn on_epoch_end(&mut self, _epoch: usize, fit: &mut FitContext<'_, T>) -> Result<(), Error> {
        if let Some(rate) = fit.learning_rate() {
            fit.record("learning_rate", rate);
        }
        let Some(current) = fit.log(&self.monitor.name) else {
            return Ok(());
        };
        if self.cooldown_counter > 0 {
            self.cooldown_counter -= 1;
            self.wait = 0;
        }
        if self.monitor.improves::<T>(current, self.monitor.best) {
            self.monitor.best = Some(current);
            self.wait = 0;
        } else if self.cooldown_counter == 0 {
            self.wait += 1;
            if self.wait >= self.patience && self.reduce(fit) {
                self.cooldown_counter = self.cooldown;
                self.wait = 0;
            }
        }
        Ok(())
    }
}

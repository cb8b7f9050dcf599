//! Callbacks of [`Sequential::fit`](crate::Sequential::fit), as Keras's
//! `callbacks=[...]`: the [`Callback`] trait, the [`FitContext`] it
//! sees, and Keras's [`EarlyStopping`] and [`ReduceLrOnPlateau`].

mod early_stopping;
mod monitor;
mod reduce_lr;

pub use early_stopping::EarlyStopping;
pub use monitor::Mode;
pub use reduce_lr::ReduceLrOnPlateau;

use super::History;
use super::metric_sums::LogName;
use crate::error::Error;
use crate::optimizer::Optimizer;
use crate::precision::{is_narrow, narrow, widen};
use crate::{Element, Sequential};

/// Something [`Sequential::fit`](crate::Sequential::fit) calls as it
/// trains, given with [`FitOptions::callback`](crate::FitOptions::callback):
/// before the first epoch, after every epoch (after validation and the
/// history's update) and after the last. Each method may read the history,
/// change the model's weights or the learning rate, or stop training
/// through the [`FitContext`]. Every method has a default that does nothing.
///
/// # Example
///
/// Stop once the training loss is below a target:
///
/// ```
/// use ndarray::array;
/// use neurite::train::{Callback, FitContext};
/// use neurite::{Dense, Error, FitOptions, Sequential, Sgd, Sigmoid};
///
/// struct StopBelow(f64);
///
/// impl Callback<f64> for StopBelow {
///     fn on_epoch_end(&mut self, _epoch: usize, fit: &mut FitContext<'_, f64>) -> Result<(), Error> {
///         if fit.log("loss").is_some_and(|loss| loss < self.0) {
///             fit.stop_training();
///         }
///         Ok(())
///     }
/// }
///
/// let mut model = Sequential::new();
/// model.add(Dense::new(array![[0.0_f64]], array![0.0], Sigmoid)?)?;
/// let (x, y) = (array![[1.0], [-1.0]], array![[1.0], [0.0]]);
/// let options = FitOptions::new(1000).callback(StopBelow(0.3));
/// let history = model.fit(&x, &y, &mut Sgd::new(0.5), options)?;
/// assert!(history.epochs() < 1000);
/// assert!(history.loss.last().unwrap() < &0.3);
/// # Ok::<(), Error>(())
/// ```
pub trait Callback<T: Element> {
    /// Called once before the first epoch, with an empty history: the
    /// place to reset state and check settings (an error here stops `fit`
    /// before anything changes).
    ///
    /// # Errors
    ///
    /// Whatever the callback finds wrong; `fit` returns it.
    fn on_train_begin(&mut self, fit: &mut FitContext<'_, T>) -> Result<(), Error> {
        let _ = fit;
        Ok(())
    }

    /// Called after epoch `epoch` (from 0), once the history holds its
    /// values.
    ///
    /// # Errors
    ///
    /// Whatever the callback finds wrong; `fit` stops and returns it.
    fn on_epoch_end(&mut self, epoch: usize, fit: &mut FitContext<'_, T>) -> Result<(), Error> {
        let _ = (epoch, fit);
        Ok(())
    }

    /// Called once after the last epoch (or the one a callback stopped at).
    ///
    /// # Errors
    ///
    /// Whatever the callback finds wrong; `fit` returns it.
    fn on_train_end(&mut self, fit: &mut FitContext<'_, T>) -> Result<(), Error> {
        let _ = fit;
        Ok(())
    }
}

/// What a [`Callback`] sees and may change during
/// [`Sequential::fit`](crate::Sequential::fit): the model, the history so
/// far, the optimizer's learning rate, and whether training goes on.
///
/// # Example
///
/// ```
/// use ndarray::array;
/// use neurite::train::{Callback, FitContext};
/// use neurite::{Dense, Error, FitOptions, Sequential, Sgd, Sigmoid};
///
/// /// Halves the learning rate after every epoch.
/// struct Halve;
///
/// impl Callback<f64> for Halve {
///     fn on_epoch_end(&mut self, _: usize, fit: &mut FitContext<'_, f64>) -> Result<(), Error> {
///         let rate = fit.learning_rate().unwrap_or(0.0);
///         fit.set_learning_rate(rate / 2.0);
///         Ok(())
///     }
/// }
///
/// let mut model = Sequential::new();
/// model.add(Dense::new(array![[0.0_f64]], array![0.0], Sigmoid)?)?;
/// let mut sgd = Sgd::new(0.5);
/// model.fit(&array![[1.0]], &array![[1.0]], &mut sgd, FitOptions::new(3).callback(Halve))?;
/// assert_eq!(sgd.learning_rate, 0.0625);
/// # Ok::<(), Error>(())
/// ```
pub struct FitContext<'a, T: Element> {
    model: &'a mut Sequential<T>,
    history: &'a mut History<T>,
    names: &'a [LogName],
    learning_rate: Option<f64>,
    stop: bool,
}

impl<'a, T: Element> FitContext<'a, T> {
    /// The model being trained.
    /// # Example
    ///
    /// ```
    /// # use ndarray::array;
    /// # use neurite::train::{Callback, FitContext};
    /// # use neurite::{Dense, Error, FitOptions, Sequential, Sgd, Sigmoid};
    /// struct Check;
    /// impl Callback<f64> for Check {
    ///     fn on_epoch_end(&mut self, _: usize, fit: &mut FitContext<'_, f64>) -> Result<(), Error> {
    ///         assert_eq!(fit.model().get_weights().len(), 2); // kernel and bias
    ///         Ok(())
    ///     }
    /// }
    /// # let mut model = Sequential::new();
    /// # model.add(Dense::new(array![[0.0_f64]], array![0.0], Sigmoid)?)?;
    /// # let options = FitOptions::new(1).metrics(["mae".parse()?]).callback(Check);
    /// # model.fit(&array![[1.0]], &array![[1.0]], &mut Sgd::new(0.25), options)?;
    /// # Ok::<(), Error>(())
    /// ```
    pub fn model(&self) -> &Sequential<T> {
        self.model
    }

    /// The model being trained, to change (e.g. to restore weights).
    /// # Example
    ///
    /// ```
    /// # use ndarray::array;
    /// # use neurite::train::{Callback, FitContext};
    /// # use neurite::{Dense, Error, FitOptions, Sequential, Sgd, Sigmoid};
    /// struct Check;
    /// impl Callback<f64> for Check {
    ///     fn on_epoch_end(&mut self, _: usize, fit: &mut FitContext<'_, f64>) -> Result<(), Error> {
    ///         let weights = fit.model().get_weights();
    ///         fit.model_mut().set_weights(&weights)?;
    ///         Ok(())
    ///     }
    /// }
    /// # let mut model = Sequential::new();
    /// # model.add(Dense::new(array![[0.0_f64]], array![0.0], Sigmoid)?)?;
    /// # let options = FitOptions::new(1).metrics(["mae".parse()?]).callback(Check);
    /// # model.fit(&array![[1.0]], &array![[1.0]], &mut Sgd::new(0.25), options)?;
    /// # Ok::<(), Error>(())
    /// ```
    pub fn model_mut(&mut self) -> &mut Sequential<T> {
        self.model
    }

    /// The history so far, this epoch's values included.
    /// # Example
    ///
    /// ```
    /// # use ndarray::array;
    /// # use neurite::train::{Callback, FitContext};
    /// # use neurite::{Dense, Error, FitOptions, Sequential, Sgd, Sigmoid};
    /// struct Check;
    /// impl Callback<f64> for Check {
    ///     fn on_epoch_end(&mut self, _: usize, fit: &mut FitContext<'_, f64>) -> Result<(), Error> {
    ///         assert_eq!(fit.history().epochs(), 1);
    ///         Ok(())
    ///     }
    /// }
    /// # let mut model = Sequential::new();
    /// # model.add(Dense::new(array![[0.0_f64]], array![0.0], Sigmoid)?)?;
    /// # let options = FitOptions::new(1).metrics(["mae".parse()?]).callback(Check);
    /// # model.fit(&array![[1.0]], &array![[1.0]], &mut Sgd::new(0.25), options)?;
    /// # Ok::<(), Error>(())
    /// ```
    pub fn history(&self) -> &History<T> {
        self.history
    }

    /// This epoch's value of `name` (`"val_loss"`, `"accuracy"`, `"mae"`,
    /// …), as Keras's `logs[name]`: the last value of the history's
    /// series.
    /// # Example
    ///
    /// ```
    /// # use ndarray::array;
    /// # use neurite::train::{Callback, FitContext};
    /// # use neurite::{Dense, Error, FitOptions, Sequential, Sgd, Sigmoid};
    /// struct Check;
    /// impl Callback<f64> for Check {
    ///     fn on_epoch_end(&mut self, _: usize, fit: &mut FitContext<'_, f64>) -> Result<(), Error> {
    ///         assert_eq!(fit.log("loss"), Some(2.0_f64.ln())); // σ(0) against 1
    ///         assert!(fit.log("val_loss").is_none());
    ///         Ok(())
    ///     }
    /// }
    /// # let mut model = Sequential::new();
    /// # model.add(Dense::new(array![[0.0_f64]], array![0.0], Sigmoid)?)?;
    /// # let options = FitOptions::new(1).metrics(["mae".parse()?]).callback(Check);
    /// # model.fit(&array![[1.0]], &array![[1.0]], &mut Sgd::new(0.25), options)?;
    /// # Ok::<(), Error>(())
    /// ```
    pub fn log(&self, name: &str) -> Option<f64> {
        let series = self.history.get(name)?;
        series.last().map(|&value| widen(value))
    }

    /// Whether `fit` logs `name` every epoch, and if so whether larger
    /// values are better (`Some(true)` for the accuracies, `Some(false)`
    /// for the losses and errors): Keras's `"auto"` mode.
    /// # Example
    ///
    /// ```
    /// # use ndarray::array;
    /// # use neurite::train::{Callback, FitContext};
    /// # use neurite::{Dense, Error, FitOptions, Sequential, Sgd, Sigmoid};
    /// struct Check;
    /// impl Callback<f64> for Check {
    ///     fn on_epoch_end(&mut self, _: usize, fit: &mut FitContext<'_, f64>) -> Result<(), Error> {
    ///         assert_eq!(fit.higher_is_better("accuracy"), Some(true));
    ///         assert_eq!(fit.higher_is_better("mae"), Some(false));
    ///         assert_eq!(fit.higher_is_better("val_mae"), None); // no validation data
    ///         Ok(())
    ///     }
    /// }
    /// # let mut model = Sequential::new();
    /// # model.add(Dense::new(array![[0.0_f64]], array![0.0], Sigmoid)?)?;
    /// # let options = FitOptions::new(1).metrics(["mae".parse()?]).callback(Check);
    /// # model.fit(&array![[1.0]], &array![[1.0]], &mut Sgd::new(0.25), options)?;
    /// # Ok::<(), Error>(())
    /// ```
    pub fn higher_is_better(&self, name: &str) -> Option<bool> {
        let known = self.names.iter().find(|known| known.name == name)?;
        Some(known.higher_is_better)
    }

    /// The names `fit` logs every epoch, e.g. for an error message.
    /// # Example
    ///
    /// ```
    /// # use ndarray::array;
    /// # use neurite::train::{Callback, FitContext};
    /// # use neurite::{Dense, Error, FitOptions, Sequential, Sgd, Sigmoid};
    /// struct Check;
    /// impl Callback<f64> for Check {
    ///     fn on_epoch_end(&mut self, _: usize, fit: &mut FitContext<'_, f64>) -> Result<(), Error> {
    ///         assert_eq!(fit.log_names(), "loss, accuracy, mae");
    ///         Ok(())
    ///     }
    /// }
    /// # let mut model = Sequential::new();
    /// # model.add(Dense::new(array![[0.0_f64]], array![0.0], Sigmoid)?)?;
    /// # let options = FitOptions::new(1).metrics(["mae".parse()?]).callback(Check);
    /// # model.fit(&array![[1.0]], &array![[1.0]], &mut Sgd::new(0.25), options)?;
    /// # Ok::<(), Error>(())
    /// ```
    pub fn log_names(&self) -> String {
        let names: Vec<&str> = self.names.iter().map(|n| n.name.as_str()).collect();
        names.join(", ")
    }

    /// The optimizer's learning rate as it applies it (rounded to the
    /// model's float type, as Keras's `optimizer.learning_rate` variable
    /// holds it), `None` for an optimizer without one.
    /// # Example
    ///
    /// ```
    /// # use ndarray::array;
    /// # use neurite::train::{Callback, FitContext};
    /// # use neurite::{Dense, Error, FitOptions, Sequential, Sgd, Sigmoid};
    /// struct Check;
    /// impl Callback<f64> for Check {
    ///     fn on_epoch_end(&mut self, _: usize, fit: &mut FitContext<'_, f64>) -> Result<(), Error> {
    ///         assert_eq!(fit.learning_rate(), Some(0.25));
    ///         Ok(())
    ///     }
    /// }
    /// # let mut model = Sequential::new();
    /// # model.add(Dense::new(array![[0.0_f64]], array![0.0], Sigmoid)?)?;
    /// # let options = FitOptions::new(1).metrics(["mae".parse()?]).callback(Check);
    /// # model.fit(&array![[1.0]], &array![[1.0]], &mut Sgd::new(0.25), options)?;
    /// # Ok::<(), Error>(())
    /// ```
    pub fn learning_rate(&self) -> Option<f64> {
        self.learning_rate.map(as_applied::<T>)
    }

    /// Sets the optimizer's learning rate from the next step on.
    /// # Example
    ///
    /// ```
    /// # use ndarray::array;
    /// # use neurite::train::{Callback, FitContext};
    /// # use neurite::{Dense, Error, FitOptions, Sequential, Sgd, Sigmoid};
    /// struct Check;
    /// impl Callback<f64> for Check {
    ///     fn on_epoch_end(&mut self, _: usize, fit: &mut FitContext<'_, f64>) -> Result<(), Error> {
    ///         fit.set_learning_rate(0.125);
    ///         assert_eq!(fit.learning_rate(), Some(0.125));
    ///         Ok(())
    ///     }
    /// }
    /// # let mut model = Sequential::new();
    /// # model.add(Dense::new(array![[0.0_f64]], array![0.0], Sigmoid)?)?;
    /// # let options = FitOptions::new(1).metrics(["mae".parse()?]).callback(Check);
    /// # model.fit(&array![[1.0]], &array![[1.0]], &mut Sgd::new(0.25), options)?;
    /// # Ok::<(), Error>(())
    /// ```
    pub fn set_learning_rate(&mut self, learning_rate: f64) {
        self.learning_rate = Some(learning_rate);
    }

    /// Appends `value` to the history's series `name` (added if new), as
    /// a Keras callback writes `logs[name]`.
    /// # Example
    ///
    /// ```
    /// # use ndarray::array;
    /// # use neurite::train::{Callback, FitContext};
    /// # use neurite::{Dense, Error, FitOptions, Sequential, Sgd, Sigmoid};
    /// struct Check;
    /// impl Callback<f64> for Check {
    ///     fn on_epoch_end(&mut self, _: usize, fit: &mut FitContext<'_, f64>) -> Result<(), Error> {
    ///         fit.record("epoch_seconds", 0.5);
    ///         assert_eq!(fit.history().get("epoch_seconds"), Some(&[0.5][..]));
    ///         Ok(())
    ///     }
    /// }
    /// # let mut model = Sequential::new();
    /// # model.add(Dense::new(array![[0.0_f64]], array![0.0], Sigmoid)?)?;
    /// # let options = FitOptions::new(1).metrics(["mae".parse()?]).callback(Check);
    /// # model.fit(&array![[1.0]], &array![[1.0]], &mut Sgd::new(0.25), options)?;
    /// # Ok::<(), Error>(())
    /// ```
    pub fn record(&mut self, name: &str, value: f64) {
        self.history.record(name, narrow(value));
    }

    /// Ends training after this epoch (Keras's `model.stop_training =
    /// True`).
    /// # Example
    ///
    /// ```
    /// # use ndarray::array;
    /// # use neurite::train::{Callback, FitContext};
    /// # use neurite::{Dense, Error, FitOptions, Sequential, Sgd, Sigmoid};
    /// struct Check;
    /// impl Callback<f64> for Check {
    ///     fn on_epoch_end(&mut self, _: usize, fit: &mut FitContext<'_, f64>) -> Result<(), Error> {
    ///         fit.stop_training(); // after this epoch
    ///         Ok(())
    ///     }
    /// }
    /// # let mut model = Sequential::new();
    /// # model.add(Dense::new(array![[0.0_f64]], array![0.0], Sigmoid)?)?;
    /// # let options = FitOptions::new(1).metrics(["mae".parse()?]).callback(Check);
    /// # model.fit(&array![[1.0]], &array![[1.0]], &mut Sgd::new(0.25), options)?;
    /// # Ok::<(), Error>(())
    /// ```
    pub fn stop_training(&mut self) {
        self.stop = true;
    }
}

/// `learning_rate` as an optimizer for `T` applies it: rounded to `T`, or
/// to `f32` for types narrower than `f32` (see [`crate::optimizer`]).
fn as_applied<T: Element>(learning_rate: f64) -> f64 {
    if is_narrow::<T>() {
        f64::from(learning_rate as f32)
    } else {
        widen(narrow::<T>(learning_rate))
    }
}

/// The callbacks of one `fit`, called in order.
pub(super) struct Callbacks<'c, T: Element> {
    pub(super) list: Vec<Box<dyn Callback<T> + 'c>>,
    pub(super) names: Vec<LogName>,
}

/// Which [`Callback`] method to call.
#[derive(Clone, Copy)]
pub(super) enum Event {
    Begin,
    Epoch(usize),
    End,
}

impl<T: Element> Callbacks<'_, T> {
    /// Calls every callback for `event`; a learning rate a callback set
    /// goes to `optimizer`. Returns whether training should stop.
    pub(super) fn call<O: Optimizer<T> + ?Sized>(
        &mut self,
        event: Event,
        model: &mut Sequential<T>,
        history: &mut History<T>,
        optimizer: &mut O,
    ) -> Result<bool, Error> {
        if self.list.is_empty() {
            return Ok(false);
        }
        let before = optimizer.get_learning_rate();
        let mut fit = FitContext {
            model,
            history,
            names: &self.names,
            learning_rate: before,
            stop: false,
        };
        for callback in &mut self.list {
            match event {
                Event::Begin => callback.on_train_begin(&mut fit)?,
                Event::Epoch(epoch) => callback.on_epoch_end(epoch, &mut fit)?,
                Event::End => callback.on_train_end(&mut fit)?,
            }
        }
        if let Some(rate) = fit.learning_rate.filter(|&rate| Some(rate) != before) {
            optimizer.set_learning_rate(rate);
        }
        Ok(fit.stop)
    }
}

#[cfg(test)]
mod tests;

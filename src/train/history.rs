//! What [`Sequential::fit`](crate::Sequential::fit) reports: a log after
//! each batch and epoch, and the [`History`] of every epoch.

/// What [`Sequential::fit`](crate::Sequential::fit) reports after each
/// step (see [`FitOptions::on_batch_end`](crate::FitOptions::on_batch_end)).
/// Epochs and batches count from 0.
///
/// # Example
///
/// ```
/// use ndarray::array;
/// use neurite::{BatchLog, Dense, FitOptions, Sequential, Sgd, Sigmoid};
///
/// let mut model = Sequential::new();
/// model.add(Dense::<f64, _>::glorot(1, 1, Sigmoid, 0)?)?;
/// let mut logs: Vec<BatchLog<f64>> = Vec::new();
/// let options = FitOptions::new(1).on_batch_end(|log| logs.push(*log));
/// model.fit(&array![[1.0]], &array![[1.0]], &mut Sgd::default(), options)?;
/// assert_eq!((logs[0].batch, logs[0].batches, logs[0].size), (0, 1, 1));
/// assert_eq!(logs[0].loss, logs[0].batch_loss);
/// # Ok::<(), neurite::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct BatchLog<T> {
    /// The epoch, from 0.
    pub epoch: usize,
    /// The number of epochs.
    pub epochs: usize,
    /// The batch within the epoch, from 0.
    pub batch: usize,
    /// The number of batches per epoch.
    pub batches: usize,
    /// The number of rows in this batch.
    pub size: usize,
    /// This batch's loss, before its update.
    pub batch_loss: T,
    /// The epoch's loss so far: the mean over the rows seen (as Keras logs).
    pub loss: T,
    /// The epoch's binary accuracy so far.
    pub accuracy: T,
}

/// What [`Sequential::fit`](crate::Sequential::fit) reports after each
/// epoch (see [`FitOptions::on_epoch_end`](crate::FitOptions::on_epoch_end)).
///
/// # Example
///
/// ```
/// use ndarray::array;
/// use neurite::{Dense, EpochLog, FitOptions, Sequential, Sgd, Sigmoid};
///
/// let mut model = Sequential::new();
/// model.add(Dense::<f64, _>::glorot(1, 1, Sigmoid, 0)?)?;
/// let mut last: Option<EpochLog<f64>> = None;
/// let options = FitOptions::new(2).on_epoch_end(|log| last = Some(*log));
/// model.fit(&array![[1.0]], &array![[1.0]], &mut Sgd::default(), options)?;
/// let last = last.unwrap();
/// assert_eq!((last.epoch, last.epochs, last.val_loss), (1, 2, None));
/// # Ok::<(), neurite::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct EpochLog<T> {
    /// The epoch, from 0.
    pub epoch: usize,
    /// The number of epochs.
    pub epochs: usize,
    /// The mean loss over the epoch's rows, each batch's loss taken before
    /// its update (Keras's `loss`).
    pub loss: T,
    /// The binary accuracy over the epoch's rows, likewise.
    pub accuracy: T,
    /// The loss on the validation data after the epoch, if given.
    pub val_loss: Option<T>,
    /// The accuracy on the validation data after the epoch, if given.
    pub val_accuracy: Option<T>,
    /// Wall-clock time of the epoch, in seconds.
    pub seconds: f64,
}

/// The metrics of every epoch, as Keras's `History.history`.
///
/// `loss[e]` is the mean over epoch `e`'s rows of the loss of each batch
/// before that batch's update, so with one full batch per epoch `loss[0]` is
/// [`evaluate`](crate::Sequential::evaluate) on the initial weights. The
/// `val_` lists are empty without validation data. The metrics of
/// [`FitOptions::metrics`](crate::FitOptions::metrics) and what callbacks
/// log (`learning_rate`) are in [`metrics`](History::metrics), by Keras's
/// names; [`get`](History::get) finds any series by name.
///
/// # Example
///
/// ```
/// use ndarray::array;
/// use neurite::{Dense, FitOptions, Sequential, Sgd, Sigmoid};
///
/// let mut model = Sequential::new();
/// model.add(Dense::new(array![[0.0_f64]], array![0.0], Sigmoid)?)?;
/// let (x, y) = (array![[1.0], [-1.0]], array![[1.0], [0.0]]);
/// let before = model.evaluate(&x, &y)?;
/// let options = FitOptions::new(3).metrics(["mse".parse()?]);
/// let history = model.fit(&x, &y, &mut Sgd::new(0.5), options)?;
/// assert_eq!(history.epochs(), 3);
/// assert_eq!(history.loss[0], before.loss);
/// assert!(history.val_loss.is_empty());
/// assert_eq!(history.get("mse").map(<[f64]>::len), Some(3));
/// assert_eq!(history.get("val_mse"), None);
/// # Ok::<(), neurite::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct History<T> {
    /// The training loss of each epoch.
    pub loss: Vec<T>,
    /// The training accuracy of each epoch (Keras's `"accuracy"`, see
    /// [`Accuracy::for_loss`](crate::metrics::Accuracy::for_loss)).
    pub accuracy: Vec<T>,
    /// The validation loss after each epoch.
    pub val_loss: Vec<T>,
    /// The validation accuracy after each epoch.
    pub val_accuracy: Vec<T>,
    /// Every other series by name, in Keras's order: each metric of
    /// [`FitOptions::metrics`](crate::FitOptions::metrics), then each
    /// metric's `val_` series (with validation data), then what callbacks
    /// log (e.g. [`ReduceLrOnPlateau`](crate::train::ReduceLrOnPlateau)'s
    /// `learning_rate`).
    pub metrics: Vec<(String, Vec<T>)>,
}

impl<T> History<T> {
    /// The number of epochs recorded.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::History;
    ///
    /// assert_eq!(History::<f32>::default().epochs(), 0);
    /// ```
    pub fn epochs(&self) -> usize {
        self.loss.len()
    }

    /// The series named `name` (`"loss"`, `"val_accuracy"`, `"mae"`, …),
    /// as `history.history[name]` in Keras; `None` for a series never
    /// recorded (the `val_` series without validation data).
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::History;
    ///
    /// let history = History { loss: vec![0.5_f32], ..History::default() };
    /// assert_eq!(history.get("loss"), Some(&[0.5][..]));
    /// assert_eq!(history.get("val_loss"), None);
    /// ```
    pub fn get(&self, name: &str) -> Option<&[T]> {
        self.series()
            .find(|(known, _)| *known == name)
            .map(|(_, s)| s)
    }

    /// Every series recorded, with its name: `loss`, `accuracy`, then
    /// `val_loss` and `val_accuracy` with validation data, then
    /// [`metrics`](History::metrics).
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::History;
    ///
    /// let history = History::<f64>::default();
    /// let names: Vec<&str> = history.series().map(|(name, _)| name).collect();
    /// assert_eq!(names, ["loss", "accuracy"]);
    /// ```
    pub fn series(&self) -> impl Iterator<Item = (&str, &[T])> {
        let fixed = [
            ("loss", &self.loss),
            ("accuracy", &self.accuracy),
            ("val_loss", &self.val_loss),
            ("val_accuracy", &self.val_accuracy),
        ];
        let fixed = fixed
            .into_iter()
            .filter(|&(name, values)| !(name.starts_with("val_") && values.is_empty()))
            .map(|(name, values)| (name, values.as_slice()));
        let metrics = self.metrics.iter().map(|(n, v)| (n.as_str(), v.as_slice()));
        fixed.chain(metrics)
    }

    /// Appends `value` to the series `name` in
    /// [`metrics`](History::metrics), which is added if new.
    pub(crate) fn record(&mut self, name: &str, value: T) {
        match self.metrics.iter_mut().find(|(known, _)| known == name) {
            Some((_, values)) => values.push(value),
            None => self.metrics.push((name.to_owned(), vec![value])),
        }
    }
}

// By hand: deriving would ask for `T: Default`.
impl<T> Default for History<T> {
    fn default() -> Self {
        Self {
            loss: Vec::new(),
            accuracy: Vec::new(),
            val_loss: Vec::new(),
            val_accuracy: Vec::new(),
            metrics: Vec::new(),
        }
    }
}

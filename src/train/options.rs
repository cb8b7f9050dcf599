//! [`FitOptions`]: the epochs, batches, validation data, output and
//! callbacks of [`Sequential::fit`](crate::Sequential::fit).

use super::{BatchLog, Callback, EpochLog};
use crate::Element;
use crate::metrics::Metric;
use ndarray::{ArrayBase, ArrayView2, Data, Ix2};
use std::fmt;

/// How [`Sequential::fit`](crate::Sequential::fit) trains: epochs, batch
/// size, shuffling, validation data, progress output and callbacks. Built
/// from [`FitOptions::new`] with chained setters.
///
/// Defaults follow Keras's `fit` where a library can: 1 epoch, batches of
/// 32, no validation data. Two differ on purpose: output is silent unless
/// [`verbose`](FitOptions::verbose) is set, and batches are taken in order
/// unless [`shuffle`](FitOptions::shuffle) gives a seed (Keras shuffles
/// with a random seed by default), so that a run is reproducible.
///
/// # Example
///
/// ```
/// use ndarray::array;
/// use neurite::{Adam, Dense, FitOptions, Sequential, Sigmoid};
///
/// let mut model = Sequential::new();
/// model.add(Dense::<f64, _>::glorot(1, 1, Sigmoid, 0)?)?;
/// let (x, y) = (array![[-2.0], [-1.0], [1.0], [2.0]], array![[0.0], [0.0], [1.0], [1.0]]);
/// let mut losses = Vec::new();
/// let options = FitOptions::new(200)
///     .batch_size(2)
///     .shuffle(7)
///     .validation_data(&x, &y)
///     .on_epoch_end(|log| losses.push(log.loss));
/// let history = model.fit(&x, &y, &mut Adam::new(0.05), options)?;
/// assert_eq!(history.val_accuracy.last(), Some(&1.0));
/// assert_eq!(losses, history.loss);
/// # Ok::<(), neurite::Error>(())
/// ```
pub struct FitOptions<'a, T: Element> {
    pub(super) epochs: usize,
    pub(super) batch_size: usize,
    pub(super) shuffle: Option<u64>,
    pub(super) validation: Option<(ArrayView2<'a, T>, ArrayView2<'a, T>)>,
    pub(super) verbose: bool,
    pub(super) on_batch_end: Option<Hook<'a, BatchLog<T>>>,
    pub(super) on_epoch_end: Option<Hook<'a, EpochLog<T>>>,
    pub(super) metrics: Vec<Metric>,
    pub(super) callbacks: Vec<Box<dyn Callback<T> + 'a>>,
}

/// A progress hook: called with a log after each batch or epoch.
type Hook<'a, Log> = Box<dyn FnMut(&Log) + 'a>;

impl<'a, T: Element> FitOptions<'a, T> {
    /// Options for `epochs` epochs, with the other defaults.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::FitOptions;
    ///
    /// let options = FitOptions::<f32>::new(10);
    /// assert_eq!((options.epoch_count(), options.batch_len()), (10, 32));
    /// ```
    pub fn new(epochs: usize) -> Self {
        Self {
            epochs,
            batch_size: 32,
            shuffle: None,
            validation: None,
            verbose: false,
            on_batch_end: None,
            on_epoch_end: None,
            metrics: Vec::new(),
            callbacks: Vec::new(),
        }
    }

    /// Sets the number of epochs (passes over the data).
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::FitOptions;
    ///
    /// assert_eq!(FitOptions::<f32>::default().epochs(5).epoch_count(), 5);
    /// ```
    pub fn epochs(mut self, epochs: usize) -> Self {
        self.epochs = epochs;
        self
    }

    /// Sets the number of rows per step (Keras's default is 32). The last
    /// batch of an epoch holds the remaining rows; a batch size above the
    /// number of rows means full-batch steps.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::FitOptions;
    ///
    /// assert_eq!(FitOptions::<f32>::new(1).batch_size(8).batch_len(), 8);
    /// ```
    pub fn batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size;
        self
    }

    /// Shuffles the rows before every epoch, reproducibly from `seed` (a
    /// Fisher–Yates shuffle driven by SplitMix64: the same seed gives the
    /// same batches on every machine).
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::FitOptions;
    ///
    /// let options = FitOptions::<f64>::new(3).shuffle(42);
    /// # let _ = options;
    /// ```
    pub fn shuffle(mut self, seed: u64) -> Self {
        self.shuffle = Some(seed);
        self
    }

    /// Data to evaluate the model on after each epoch (Keras's
    /// `validation_data`): its loss and accuracy go to the history as
    /// `val_loss` and `val_accuracy`, and each metric of
    /// [`metrics`](FitOptions::metrics) as `val_` and its name.
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::array;
    /// use neurite::FitOptions;
    ///
    /// let (x, y) = (array![[0.0_f32, 1.0]], array![[1.0_f32]]);
    /// let options = FitOptions::new(3).validation_data(&x, &y);
    /// # let _ = options;
    /// ```
    pub fn validation_data<S1, S2>(
        mut self,
        x: &'a ArrayBase<S1, Ix2>,
        y: &'a ArrayBase<S2, Ix2>,
    ) -> Self
    where
        S1: Data<Elem = T>,
        S2: Data<Elem = T>,
    {
        self.validation = Some((x.view(), y.view()));
        self
    }

    /// Prints Keras-like progress to standard error. On a terminal: an
    /// `Epoch 3/10` line, then a bar redrawn in place as the steps run
    /// (`12/45 ━━━━━─────────────── 0s 2ms/step - ETA: 0s - loss: 0.6909 -
    /// accuracy: 0.7500`, with the running metrics), and at the epoch's end
    /// `45/45 ━━━━━━━━━━━━━━━━━━━━ 0s 2ms/step - loss: … - val_loss: …` with
    /// every value the history holds. Elsewhere (a CI log, a file), one line
    /// per epoch: `Epoch 3/10 - 45/45 - 0s 2ms/step - loss: …`. Off by
    /// default.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::FitOptions;
    ///
    /// let options = FitOptions::<f32>::new(10).verbose(true);
    /// # let _ = options;
    /// ```
    pub fn verbose(mut self, verbose: bool) -> Self {
        self.verbose = verbose;
        self
    }

    /// Calls `callback` after every step with the batch's loss and the
    /// epoch's running loss and accuracy.
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::array;
    /// use neurite::{Dense, FitOptions, Sequential, Sgd, Sigmoid};
    ///
    /// let mut model = Sequential::new();
    /// model.add(Dense::<f32, _>::glorot(1, 1, Sigmoid, 0)?)?;
    /// let (x, y) = (array![[1.0], [2.0], [3.0]], array![[1.0], [1.0], [0.0]]);
    /// let mut steps = 0;
    /// let options = FitOptions::new(2).batch_size(2).on_batch_end(|_| steps += 1);
    /// model.fit(&x, &y, &mut Sgd::default(), options)?;
    /// assert_eq!(steps, 4); // two batches (2 + 1 rows) per epoch
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn on_batch_end(mut self, callback: impl FnMut(&BatchLog<T>) + 'a) -> Self {
        self.on_batch_end = Some(Box::new(callback));
        self
    }

    /// Calls `callback` after every epoch (after validation) with the
    /// epoch's metrics.
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::array;
    /// use neurite::{Dense, FitOptions, RmsProp, Sequential, Sigmoid};
    ///
    /// let mut model = Sequential::new();
    /// model.add(Dense::<f32, _>::glorot(1, 1, Sigmoid, 0)?)?;
    /// let (x, y) = (array![[1.0], [2.0]], array![[1.0], [0.0]]);
    /// let options = FitOptions::new(3).on_epoch_end(|log| {
    ///     println!("epoch {}: loss {:.4}", log.epoch + 1, log.loss)
    /// });
    /// model.fit(&x, &y, &mut RmsProp::default(), options)?;
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn on_epoch_end(mut self, callback: impl FnMut(&EpochLog<T>) + 'a) -> Self {
        self.on_epoch_end = Some(Box::new(callback));
        self
    }

    /// Metrics to record beside the loss and the accuracy, as Keras's
    /// `compile(metrics=[...])`: each epoch's mean over the training
    /// batches (each batch measured before its update, Keras's running
    /// mean) goes to the [`History`](crate::History) under the metric's
    /// name, and its value on the validation data under `val_` and the
    /// name. Keras's `"accuracy"` is always recorded (as
    /// [`History::accuracy`](crate::History::accuracy)), so naming it adds
    /// nothing. Replaces the metrics set before.
    ///
    /// `fit` checks the metrics against the labels before the first step:
    /// see [`Sequential::fit`](crate::Sequential::fit)'s errors.
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::array;
    /// use neurite::metrics::{Metric, MetricKind};
    /// use neurite::{Adam, Dense, FitOptions, Sequential, Sigmoid};
    ///
    /// let mut model = Sequential::new();
    /// model.add(Dense::<f64, _>::glorot(1, 1, Sigmoid, 0)?)?;
    /// let (x, y) = (array![[-2.0], [-1.0], [1.0], [2.0]], array![[0.0], [0.0], [1.0], [1.0]]);
    /// let metrics = ["mae".parse()?, Metric::new(MetricKind::BinaryAccuracy)];
    /// let options = FitOptions::new(3).metrics(metrics).validation_data(&x, &y);
    /// let history = model.fit(&x, &y, &mut Adam::new(0.05), options)?;
    /// let names: Vec<&str> = history.series().map(|(name, _)| name).collect();
    /// assert_eq!(
    ///     names,
    ///     ["loss", "accuracy", "val_loss", "val_accuracy", "mae", "binary_accuracy", "val_mae", "val_binary_accuracy"]
    /// );
    /// assert_eq!(history.get("binary_accuracy"), Some(&history.accuracy[..]));
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn metrics(mut self, metrics: impl IntoIterator<Item = Metric>) -> Self {
        self.metrics = metrics.into_iter().collect();
        self
    }

    /// Adds a [`Callback`] (Keras's `callbacks=[...]`), such as
    /// [`EarlyStopping`](crate::train::EarlyStopping) or
    /// [`ReduceLrOnPlateau`](crate::train::ReduceLrOnPlateau); callbacks
    /// run in the order they were added, after
    /// [`on_epoch_end`](FitOptions::on_epoch_end).
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::array;
    /// use neurite::train::EarlyStopping;
    /// use neurite::{Dense, FitOptions, Sequential, Sgd, Sigmoid};
    ///
    /// let mut model = Sequential::new();
    /// model.add(Dense::<f32, _>::glorot(1, 1, Sigmoid, 0)?)?;
    /// let (x, y) = (array![[1.0], [2.0]], array![[1.0], [0.0]]);
    /// let options = FitOptions::new(50).callback(EarlyStopping::new("loss").patience(3));
    /// model.fit(&x, &y, &mut Sgd::default(), options)?;
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn callback(mut self, callback: impl Callback<T> + 'a) -> Self {
        self.callbacks.push(Box::new(callback));
        self
    }

    /// The number of epochs.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::FitOptions;
    ///
    /// assert_eq!(FitOptions::<f32>::default().epoch_count(), 1);
    /// ```
    pub fn epoch_count(&self) -> usize {
        self.epochs
    }

    /// The batch size.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::FitOptions;
    ///
    /// assert_eq!(FitOptions::<f32>::default().batch_len(), 32);
    /// ```
    pub fn batch_len(&self) -> usize {
        self.batch_size
    }
}

impl<T: Element> Default for FitOptions<'_, T> {
    /// Keras's defaults: 1 epoch, batches of 32 (silent, not shuffled).
    fn default() -> Self {
        Self::new(1)
    }
}

// By hand: the callbacks are closures.
impl<T: Element> fmt::Debug for FitOptions<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FitOptions")
            .field("epochs", &self.epochs)
            .field("batch_size", &self.batch_size)
            .field("shuffle", &self.shuffle)
            .field("validation", &self.validation.is_some())
            .field("verbose", &self.verbose)
            .field("on_batch_end", &self.on_batch_end.is_some())
            .field("on_epoch_end", &self.on_epoch_end.is_some())
            .field("metrics", &self.metrics)
            .field("callbacks", &self.callbacks.len())
            .finish()
    }
}

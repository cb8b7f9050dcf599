//! [`Sequential::fit`]: epochs of mini-batch steps, with logs, callbacks
//! and a Keras-like progress line.

use super::{apply_update, forward_backward};
use crate::error::{Error, check_positive};
use crate::optimizer::Optimizer;
use crate::precision::Accumulator;
use crate::rng::SplitMix64;
use crate::{Element, Sequential};
use ndarray::{ArrayBase, ArrayView2, Data, Ix2, s};
use std::fmt;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// How [`Sequential::fit`] trains: epochs, batch size, shuffling,
/// validation data, progress output and callbacks. Built from
/// [`FitOptions::new`] with chained setters.
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
    epochs: usize,
    batch_size: usize,
    shuffle: Option<u64>,
    validation: Option<(ArrayView2<'a, T>, ArrayView2<'a, T>)>,
    verbose: bool,
    on_batch_end: Option<Callback<'a, BatchLog<T>>>,
    on_epoch_end: Option<Callback<'a, EpochLog<T>>>,
}

/// A progress hook: called with a log after each batch or epoch.
type Callback<'a, Log> = Box<dyn FnMut(&Log) + 'a>;

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
    /// `val_loss` and `val_accuracy`.
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

    /// Prints Keras-like progress to standard error: an `Epoch 3/10` line,
    /// then `4/4 ━━━━━━━━━━━━━━━━━━━━ 0s 2ms/step - loss: 0.6909 -
    /// accuracy: 0.7500` (updated in place on a terminal). Off by default.
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
            .finish()
    }
}

/// What [`Sequential::fit`] reports after each step (see
/// [`FitOptions::on_batch_end`]). Epochs and batches count from 0.
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

/// What [`Sequential::fit`] reports after each epoch (see
/// [`FitOptions::on_epoch_end`]).
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
/// [`evaluate`](Sequential::evaluate) on the initial weights. The `val_`
/// lists are empty without validation data.
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
/// let history = model.fit(&x, &y, &mut Sgd::new(0.5), FitOptions::new(3))?;
/// assert_eq!(history.epochs(), 3);
/// assert_eq!(history.loss[0], before.loss);
/// assert!(history.val_loss.is_empty());
/// # Ok::<(), neurite::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct History<T> {
    /// The training loss of each epoch.
    pub loss: Vec<T>,
    /// The training binary accuracy of each epoch.
    pub accuracy: Vec<T>,
    /// The validation loss after each epoch.
    pub val_loss: Vec<T>,
    /// The validation binary accuracy after each epoch.
    pub val_accuracy: Vec<T>,
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
}

// By hand: deriving would ask for `T: Default`.
impl<T> Default for History<T> {
    fn default() -> Self {
        Self {
            loss: Vec::new(),
            accuracy: Vec::new(),
            val_loss: Vec::new(),
            val_accuracy: Vec::new(),
        }
    }
}

impl<T: Element> Sequential<T> {
    /// Trains the model on `x` against the labels `y` for the epochs,
    /// batches and other options of `options`, as Keras's `model.fit`, and
    /// returns each epoch's metrics.
    ///
    /// Each epoch takes the rows in order (or shuffled, see
    /// [`FitOptions::shuffle`]) in batches of
    /// [`batch_size`](FitOptions::batch_size) rows and makes one
    /// [`train_step`](Sequential::train_step) per batch; after the epoch the
    /// validation data, if any, is evaluated. The batch buffers are
    /// allocated once, so steps do not allocate.
    ///
    /// # Errors
    ///
    /// Everything is checked before the first step, so on error the model
    /// and the optimizer are unchanged: the errors of
    /// [`train_step`](Sequential::train_step) for `x` and `y` and for the
    /// validation data, and [`Error::InvalidParameter`] for a batch size of
    /// 0.
    ///
    /// # Example
    ///
    /// XOR, learned by a small tanh network:
    ///
    /// ```
    /// use ndarray::array;
    /// use neurite::{Adam, Dense, FitOptions, Sequential, Sigmoid, Tanh};
    ///
    /// let mut model = Sequential::new();
    /// model
    ///     .add(Dense::<f64, _>::glorot(2, 8, Tanh, 1)?)?
    ///     .add(Dense::glorot(8, 1, Sigmoid, 2)?)?;
    /// let x = array![[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]];
    /// let y = array![[0.0], [1.0], [1.0], [0.0]];
    /// let history = model.fit(&x, &y, &mut Adam::new(0.05), FitOptions::new(300))?;
    /// assert_eq!(history.accuracy.last(), Some(&1.0));
    /// assert!(history.loss.last().unwrap() < &0.1);
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn fit<S1, S2, O>(
        &mut self,
        x: &ArrayBase<S1, Ix2>,
        y: &ArrayBase<S2, Ix2>,
        optimizer: &mut O,
        mut options: FitOptions<'_, T>,
    ) -> Result<History<T>, Error>
    where
        S1: Data<Elem = T>,
        S2: Data<Elem = T>,
        O: Optimizer<T> + ?Sized,
    {
        self.check_training_data(x, y, "input batch", "labels")?;
        if let Some((x, y)) = &options.validation {
            self.check_training_data(x, y, "validation input batch", "validation labels")?;
        }
        check_positive("batch_size", options.batch_size)?;
        optimizer.check()?;

        let mut batches = Batches::new(x.view(), y.view(), options.batch_size, options.shuffle);
        let mut progress = Progress::new(options.verbose);
        let mut history = History::default();
        for epoch in 0..options.epochs {
            let log =
                self.fit_epoch(epoch, &mut batches, optimizer, &mut options, &mut progress)?;
            history.loss.push(log.loss);
            history.accuracy.push(log.accuracy);
            history.val_loss.extend(log.val_loss);
            history.val_accuracy.extend(log.val_accuracy);
            progress.epoch_end(&log, batches.count());
            if let Some(callback) = options.on_epoch_end.as_mut() {
                callback(&log);
            }
        }
        Ok(history)
    }

    /// One epoch of [`fit`](Sequential::fit): every batch's step, then
    /// validation.
    fn fit_epoch<O: Optimizer<T> + ?Sized>(
        &mut self,
        epoch: usize,
        batches: &mut Batches<'_, T>,
        optimizer: &mut O,
        options: &mut FitOptions<'_, T>,
        progress: &mut Progress,
    ) -> Result<EpochLog<T>, Error> {
        let start = Instant::now();
        progress.epoch_start(epoch, options.epochs);
        batches.shuffle();
        let count = batches.count();
        // Sums over the epoch, wide for narrow types (src/precision.rs).
        let (mut loss_sum, mut hits, mut seen) = (Accumulator::new(), Accumulator::new(), 0);
        for batch in 0..count {
            let (x, y) = batches.get(batch);
            let pass = forward_backward(&self.layers, &mut self.training, x, y)?;
            apply_update(&mut self.layers, &self.training, optimizer);
            let size = x.nrows();
            // Keras's Mean metrics: batch losses weighted by batch size.
            loss_sum.add_scaled(pass.loss, size);
            hits.merge(pass.hits);
            seen += size;
            let log = BatchLog {
                epoch,
                epochs: options.epochs,
                batch,
                batches: count,
                size,
                batch_loss: pass.loss,
                loss: loss_sum.mean(seen),
                accuracy: hits.mean(seen),
            };
            progress.batch_end(&log, start.elapsed());
            if let Some(callback) = options.on_batch_end.as_mut() {
                callback(&log);
            }
        }
        let (val_loss, val_accuracy) = match &options.validation {
            Some((x, y)) => {
                let evaluation = self.evaluate(x, y)?;
                (Some(evaluation.loss), Some(evaluation.accuracy))
            }
            None => (None, None),
        };
        Ok(EpochLog {
            epoch,
            epochs: options.epochs,
            loss: loss_sum.mean(seen),
            accuracy: hits.mean(seen),
            val_loss,
            val_accuracy,
            seconds: start.elapsed().as_secs_f64(),
        })
    }
}

/// Cuts the data into batches, in order or shuffled; shuffled rows are
/// gathered into buffers allocated once.
struct Batches<'a, T> {
    x: ArrayView2<'a, T>,
    y: ArrayView2<'a, T>,
    size: usize,
    order: Vec<usize>,
    rng: Option<SplitMix64>,
    x_rows: Vec<T>,
    y_rows: Vec<T>,
}

impl<'a, T: Element> Batches<'a, T> {
    fn new(x: ArrayView2<'a, T>, y: ArrayView2<'a, T>, size: usize, seed: Option<u64>) -> Self {
        let size = size.min(x.nrows());
        let buffers = |cols: usize| match seed {
            Some(_) => vec![T::zero(); size * cols],
            None => Vec::new(),
        };
        Self {
            x,
            y,
            size,
            order: (0..x.nrows()).collect(),
            rng: seed.map(SplitMix64),
            x_rows: buffers(x.ncols()),
            y_rows: buffers(y.ncols()),
        }
    }

    fn count(&self) -> usize {
        self.x.nrows().div_ceil(self.size)
    }

    /// A new order of the rows (Fisher–Yates), when shuffling.
    fn shuffle(&mut self) {
        if let Some(rng) = self.rng.as_mut() {
            for i in (1..self.order.len()).rev() {
                let j = rng.next_below(i + 1);
                self.order.swap(i, j);
            }
        }
    }

    /// Batch `index`'s rows of `x` and `y`.
    fn get(&mut self, index: usize) -> (ArrayView2<'_, T>, ArrayView2<'_, T>) {
        let start = index * self.size;
        let end = (start + self.size).min(self.x.nrows());
        if self.rng.is_none() {
            return (
                self.x.slice(s![start..end, ..]),
                self.y.slice(s![start..end, ..]),
            );
        }
        let rows = &self.order[start..end];
        let x = gather(self.x, rows, &mut self.x_rows);
        let y = gather(self.y, rows, &mut self.y_rows);
        (x, y)
    }
}

/// Copies the given rows of `source` into the front of `buffer`.
fn gather<'b, T: Element>(
    source: ArrayView2<'_, T>,
    rows: &[usize],
    buffer: &'b mut [T],
) -> ArrayView2<'b, T> {
    let cols = source.ncols();
    for (chunk, &row) in buffer.chunks_exact_mut(cols).zip(rows) {
        chunk
            .iter_mut()
            .zip(source.row(row))
            .for_each(|(to, &from)| *to = from);
    }
    super::workspace::rows_of(buffer, rows.len(), cols)
}

/// The verbose mode's output on standard error.
struct Progress {
    verbose: bool,
    terminal: bool,
    last_print: Option<Instant>,
}

/// At most this often, a terminal's progress line is redrawn.
const REDRAW: Duration = Duration::from_millis(100);

impl Progress {
    fn new(verbose: bool) -> Self {
        Self {
            verbose,
            terminal: std::io::stderr().is_terminal(),
            last_print: None,
        }
    }

    fn epoch_start(&mut self, epoch: usize, epochs: usize) {
        if self.verbose {
            eprintln!("Epoch {}/{epochs}", epoch + 1);
            self.last_print = None;
        }
    }

    fn batch_end<T: Element>(&mut self, log: &BatchLog<T>, elapsed: Duration) {
        let due = self.last_print.is_none_or(|last| last.elapsed() >= REDRAW);
        if !(self.verbose && self.terminal && due) || log.batch + 1 == log.batches {
            return;
        }
        let metrics = metrics_text(log.loss, log.accuracy, None, None);
        let line = progress_line(log.batch + 1, log.batches, elapsed, &metrics);
        let mut stderr = std::io::stderr().lock();
        // Progress output is best effort: a closed stderr must not fail training.
        let _ = write!(stderr, "\r{line}");
        let _ = stderr.flush();
        self.last_print = Some(Instant::now());
    }

    fn epoch_end<T: Element>(&mut self, log: &EpochLog<T>, steps: usize) {
        if !self.verbose {
            return;
        }
        let metrics = metrics_text(log.loss, log.accuracy, log.val_loss, log.val_accuracy);
        let elapsed = Duration::from_secs_f64(log.seconds);
        let line = progress_line(steps, steps, elapsed, &metrics);
        let start = if self.terminal { "\r" } else { "" };
        eprintln!("{start}{line}");
    }
}

/// `loss: 0.6909 - accuracy: 0.7500`, with the validation metrics after.
fn metrics_text<T: Element>(
    loss: T,
    accuracy: T,
    val_loss: Option<T>,
    val_accuracy: Option<T>,
) -> String {
    let mut text = format!("loss: {:.4} - accuracy: {:.4}", wide(loss), wide(accuracy));
    if let (Some(loss), Some(accuracy)) = (val_loss, val_accuracy) {
        let val = format!(
            " - val_loss: {:.4} - val_accuracy: {:.4}",
            wide(loss),
            wide(accuracy)
        );
        text.push_str(&val);
    }
    text
}

fn wide<T: Element>(value: T) -> f64 {
    value.to_f64().unwrap_or(f64::NAN)
}

/// `4/4 ━━━━━━━━━━━━━━━━━━━━ 0s 2ms/step - <metrics>`, as Keras draws it.
fn progress_line(step: usize, steps: usize, elapsed: Duration, metrics: &str) -> String {
    const WIDTH: usize = 20;
    let done = (step * WIDTH).checked_div(steps).unwrap_or(WIDTH);
    let bar: String = "━".repeat(done) + &"─".repeat(WIDTH - done);
    let seconds = elapsed.as_secs_f64();
    let per_step = seconds / step.max(1) as f64;
    format!(
        "{step}/{steps} {bar} {:.0}s {} - {metrics}",
        seconds.floor(),
        step_time(per_step)
    )
}

/// Keras's per-step time: `2ms/step`, `150us/step` or `3s/step`.
fn step_time(seconds: f64) -> String {
    if seconds >= 1.0 {
        format!("{seconds:.0}s/step")
    } else if seconds >= 1e-3 {
        format!("{:.0}ms/step", seconds * 1e3)
    } else {
        format!("{:.0}us/step", seconds * 1e6)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_line_looks_like_keras() {
        let metrics = metrics_text(0.690_942_3_f32, 0.75, None, None);
        assert_eq!(metrics, "loss: 0.6909 - accuracy: 0.7500");
        let line = progress_line(4, 4, Duration::from_millis(8), &metrics);
        assert_eq!(
            line,
            "4/4 ━━━━━━━━━━━━━━━━━━━━ 0s 2ms/step - loss: 0.6909 - accuracy: 0.7500"
        );
        let half = progress_line(1, 2, Duration::from_micros(300), "m");
        assert_eq!(half, "1/2 ━━━━━━━━━━────────── 0s 300us/step - m");
    }

    #[test]
    fn validation_metrics_follow() {
        let text = metrics_text(1.0_f64, 0.5, Some(2.0), Some(0.25));
        assert_eq!(
            text,
            "loss: 1.0000 - accuracy: 0.5000 - val_loss: 2.0000 - val_accuracy: 0.2500"
        );
    }

    #[test]
    fn shuffles_are_permutations_and_reproducible() {
        let x = ndarray::Array2::<f64>::zeros((10, 1));
        let mut a = Batches::new(x.view(), x.view(), 3, Some(9));
        let mut b = Batches::new(x.view(), x.view(), 3, Some(9));
        a.shuffle();
        b.shuffle();
        assert_eq!(a.order, b.order);
        let mut sorted = a.order.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..10).collect::<Vec<_>>());
        assert_ne!(a.order, sorted);
        assert_eq!(a.count(), 4);
    }
}

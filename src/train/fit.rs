//! [`Sequential::fit`]: epochs of mini-batch steps over batches taken in
//! order or shuffled, with logs and callbacks.

use super::callbacks::{Callbacks, Event};
use super::metric_sums::MetricSums;
use super::progress::Progress;
use super::workspace::rows_of;
use super::{BatchLog, EpochLog, FitOptions, History, apply_update, forward_backward};
use crate::error::{Error, check_positive};
use crate::optimizer::Optimizer;
use crate::precision::Accumulator;
use crate::rng::SplitMix64;
use crate::{Element, Sequential};
use ndarray::{ArrayBase, ArrayView2, Data, Ix2, s};
use std::time::Instant;

impl<T: Element> Sequential<T> {
    /// Trains the model on `x` against the labels `y` for the epochs,
    /// batches and other options of `options`, as Keras's `model.fit`, and
    /// returns each epoch's metrics.
    ///
    /// Each epoch takes the rows in order (or shuffled, see
    /// [`FitOptions::shuffle`]) in batches of
    /// [`batch_size`](FitOptions::batch_size) rows and makes one
    /// [`train_step`](Sequential::train_step) per batch; after the epoch the
    /// validation data, if any, is evaluated, the metrics of
    /// [`FitOptions::metrics`] are recorded and the callbacks of
    /// [`FitOptions::callback`] run (one may stop training). The batch
    /// buffers are allocated once, so steps do not allocate. Steps run in
    /// training mode; dropout masks come from the shuffle seed (0 without
    /// one) and the model's count of steps (see
    /// [`TrainingStep`](crate::TrainingStep)).
    ///
    /// # Errors
    ///
    /// Everything is checked before the first step, so on error the model
    /// and the optimizer are unchanged: the errors of
    /// [`train_step`](Sequential::train_step) for `x` and `y` and for the
    /// validation data; [`Error::InvalidParameter`] for a batch size of
    /// 0, two metrics of one name or a top-k metric with `k = 0`;
    /// [`Error::ShapeMismatch`] for a metric the labels do not fit (a
    /// sparse accuracy on one-hot rows, …); and the errors of the
    /// callbacks' [`on_train_begin`](crate::train::Callback::on_train_begin)
    /// (an [`EarlyStopping`](crate::train::EarlyStopping) monitor `fit`
    /// does not log, …). Errors of callbacks after that stop training where
    /// it is.
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
        let validation = options.validation.is_some();
        let mut metrics = MetricSums::new(self, &options.metrics, y.ncols(), validation)?;
        let mut callbacks = Callbacks {
            list: std::mem::take(&mut options.callbacks),
            names: metrics.names().to_vec(),
        };
        let mut history = History::default();
        callbacks.call(Event::Begin, self, &mut history, optimizer)?;

        let mut batches = Batches::new(x.view(), y.view(), options.batch_size, options.shuffle);
        let mut progress = Progress::new(options.verbose);
        for epoch in 0..options.epochs {
            let mut epoch_run = EpochRun {
                batches: &mut batches,
                metrics: &mut metrics,
                progress: &mut progress,
            };
            let log = self.fit_epoch(epoch, &mut epoch_run, optimizer, &mut options)?;
            history.loss.push(log.loss);
            history.accuracy.push(log.accuracy);
            history.val_loss.extend(log.val_loss);
            history.val_accuracy.extend(log.val_accuracy);
            let validation = match (&options.validation, metrics.is_empty()) {
                (Some((x, y)), false) => Some((*y, self.forward(x)?)),
                _ => None,
            };
            let validation = validation.as_ref().map(|(y, p)| (y.view(), p.view()));
            metrics.record(&mut history, validation);
            progress.epoch_end(&log, &history, batches.count());
            if let Some(callback) = options.on_epoch_end.as_mut() {
                callback(&log);
            }
            if callbacks.call(Event::Epoch(epoch), self, &mut history, optimizer)? {
                break;
            }
        }
        callbacks.call(Event::End, self, &mut history, optimizer)?;
        Ok(history)
    }

    /// One epoch of [`fit`](Sequential::fit): every batch's step, then
    /// validation.
    fn fit_epoch<O: Optimizer<T> + ?Sized>(
        &mut self,
        epoch: usize,
        run: &mut EpochRun<'_, '_, T>,
        optimizer: &mut O,
        options: &mut FitOptions<'_, T>,
    ) -> Result<EpochLog<T>, Error> {
        let start = Instant::now();
        let EpochRun {
            batches,
            metrics,
            progress,
        } = run;
        progress.epoch_start(epoch, options.epochs);
        metrics.start_epoch();
        batches.shuffle();
        let count = batches.count();
        // Sums over the epoch, wide for narrow types (src/precision.rs).
        let (mut loss_sum, mut hits, mut seen) = (Accumulator::new(), Accumulator::new(), 0);
        for batch in 0..count {
            let (x, y) = batches.get(batch);
            let seed = options.shuffle.unwrap_or(0);
            let pass =
                forward_backward(&self.layers, &mut self.training, &self.loss, (x, y), seed)?;
            if !metrics.is_empty() {
                metrics.add_batch(y, self.training_outputs(x.nrows()));
            }
            apply_update(&mut self.layers, &mut self.training, optimizer);
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
            progress.batch_end(&log, metrics, start.elapsed());
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

impl<T: Element> Sequential<T> {
    /// The last layer's outputs of the training step just run on `rows`
    /// rows (what Keras's training metrics measure).
    fn training_outputs(&self, rows: usize) -> ArrayView2<'_, T> {
        let last = &self.training.layers[self.training.layers.len() - 1];
        rows_of(&last.out, rows, last.outputs)
    }
}

/// What an epoch of [`Sequential::fit`] works with besides the model.
struct EpochRun<'r, 'a, T> {
    batches: &'r mut Batches<'a, T>,
    metrics: &'r mut MetricSums<T>,
    progress: &'r mut Progress,
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
    match source.as_slice() {
        // Row-major, the usual case: slices, not a view per row (a label
        // column then costs a load, not a call of `memcpy` per row).
        Some(all) if cols == 1 => {
            for (to, &row) in buffer.iter_mut().zip(rows) {
                *to = all[row];
            }
        }
        Some(all) => {
            for (chunk, &row) in buffer.chunks_exact_mut(cols).zip(rows) {
                chunk.copy_from_slice(&all[row * cols..][..cols]);
            }
        }
        None => {
            for (chunk, &row) in buffer.chunks_exact_mut(cols).zip(rows) {
                chunk
                    .iter_mut()
                    .zip(source.row(row))
                    .for_each(|(to, &from)| *to = from);
            }
        }
    }
    super::workspace::rows_of(buffer, rows.len(), cols)
}

#[cfg(test)]
mod tests {
    use super::*;

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

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
/// `val_` lists are empty without validation data.
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

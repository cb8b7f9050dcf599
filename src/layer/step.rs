//! [`TrainingStep`]: what a training step tells a layer besides its data.

use crate::rng::SplitMix64;

/// What a layer's training-mode passes
/// ([`forward_train_step`](crate::Layer::forward_train_step),
/// [`backward_affine_step`](crate::Layer::backward_affine_step)) know of
/// the step: the seed of the layer's random draws, the batch row where the
/// block they see starts, and room for the layer's
/// [`batch_statistics`](crate::Layer::batch_statistics_len).
///
/// Training gives layer `i` at step `s` (the model's count of successful
/// steps) of a run seeded with `seed` the seed `SplitMix64::at(SplitMix64::at(seed, s), i)`:
/// [`fit`](crate::Sequential::fit) takes `seed` from
/// [`FitOptions::shuffle`](crate::FitOptions::shuffle) (0 without it),
/// [`train_step`](crate::Sequential::train_step) and
/// [`gradients`](crate::Sequential::gradients) use 0. A draw depends on the
/// seed and the value's position in the batch only, never on the row
/// blocks, so a run is the same with and without `rayon`.
///
/// # Example
///
/// ```
/// use ndarray::Array2;
/// use neurite::{Dropout, Layer, TrainingStep};
///
/// let layer = Dropout::new(0.5)?.with_width(8)?;
/// let x = Array2::<f32>::ones((4, 8));
/// let run = |seed| -> Result<Array2<f32>, neurite::Error> {
///     let (mut pre, mut out) = (Array2::zeros((4, 8)), Array2::zeros((4, 8)));
///     let mut step = TrainingStep::new(seed, 0, &mut []);
///     let trace = Array2::zeros((4, 0));
///     layer.forward_train_step(x.view(), pre.view_mut(), trace.clone().view_mut(), out.view_mut(), &mut step)?;
///     Ok(out)
/// };
/// assert_eq!(run(7)?, run(7)?);
/// assert_ne!(run(7)?, run(8)?);
/// assert!(run(7)?.iter().all(|&v| v == 0.0 || v == 2.0));
/// # Ok::<(), neurite::Error>(())
/// ```
#[derive(Debug)]
pub struct TrainingStep<'a, T> {
    seed: u64,
    first_row: usize,
    statistics: &'a mut [T],
}

impl<'a, T> TrainingStep<'a, T> {
    /// A step for one layer: `seed` for its random draws, `first_row` the
    /// row of the batch where the block starts, `statistics` room for the
    /// layer's [`batch_statistics_len`](crate::Layer::batch_statistics_len)
    /// values (empty for layers without).
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::TrainingStep;
    ///
    /// let mut statistics = [0.0_f64; 4];
    /// let step = TrainingStep::new(3, 512, &mut statistics);
    /// assert_eq!((step.seed(), step.first_row(), step.statistics().len()), (3, 512, 4));
    /// ```
    pub fn new(seed: u64, first_row: usize, statistics: &'a mut [T]) -> Self {
        Self {
            seed,
            first_row,
            statistics,
        }
    }

    /// The seed of the layer's random draws in this step.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(neurite::TrainingStep::<f32>::new(9, 0, &mut []).seed(), 9);
    /// ```
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The row of the batch where the block the layer sees starts.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(neurite::TrainingStep::<f32>::new(9, 64, &mut []).first_row(), 64);
    /// ```
    pub fn first_row(&self) -> usize {
        self.first_row
    }

    /// The layer's batch statistics, as its training forward pass left
    /// them.
    ///
    /// # Example
    ///
    /// ```
    /// let mut values = [1.0_f32, 2.0];
    /// assert_eq!(neurite::TrainingStep::new(0, 0, &mut values).statistics(), [1.0, 2.0]);
    /// ```
    pub fn statistics(&self) -> &[T] {
        self.statistics
    }

    /// The layer's batch statistics, to write.
    ///
    /// # Example
    ///
    /// ```
    /// let mut values = [0.0_f32; 2];
    /// let mut step = neurite::TrainingStep::new(0, 0, &mut values);
    /// step.statistics_mut()[1] = 5.0;
    /// assert_eq!(values, [0.0, 5.0]);
    /// ```
    pub fn statistics_mut(&mut self) -> &mut [T] {
        self.statistics
    }
}

/// The seed of layer `layer`'s draws at step `step` of a run seeded with
/// `seed` (see [`TrainingStep`]).
pub(crate) fn layer_seed(seed: u64, step: u64, layer: usize) -> u64 {
    SplitMix64::at(SplitMix64::at(seed, step), layer as u64)
}

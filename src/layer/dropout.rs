//! Keras's `Dropout`: in training, each value kept with probability
//! `1 − rate` and scaled by `1/(1 − rate)`; in inference, the identity.

use super::checks::{check_backward, check_buffer, check_io};
use super::normalization::with_row_major;
use super::spec::LayerSpec;
use super::{Layer, TrainingStep};
use crate::Element;
use crate::error::{Error, check_positive};
use crate::precision::narrow;
use crate::rng::{SplitMix64, Xoshiro256};
use ndarray::{ArrayView2, ArrayViewMut2};

/// Dropout, as Keras's `Dropout(rate)`: in training mode each value is
/// dropped (set to 0) with probability `rate` and the others are scaled by
/// `1/(1 − rate)` (computed in `f64`, then rounded to `T`, as Keras does),
/// so the mean is kept; in inference mode the layer is the identity.
///
/// The mask is drawn from the step's seed (see [`TrainingStep`]) and each
/// value's position in the batch: row `r` of the batch has a xoshiro256++
/// stream of its own, seeded with `SplitMix64::at(seed, r)`; value `c` of
/// the row takes the 16-bit part `c mod 4` (from the lowest) of the
/// stream's draw `c / 4` and is kept when that part is at least
/// `round(rate·2¹⁶)`, so `rate` is honoured to 2⁻¹⁷. (Draws without
/// multiplications, one per four values, and a branch-free select keep the
/// pass fast.) A dropped value is 0 even when it was NaN or infinite.
///
/// The layer takes the width of the layer before it when added to a
/// [`Sequential`](crate::Sequential); as a first layer, or alone, give it
/// with [`with_width`](Self::with_width).
///
/// # Example
///
/// ```
/// use ndarray::array;
/// use neurite::{Dense, Dropout, Layer, Relu, Sequential};
///
/// let mut model = Sequential::<f32>::new();
/// model.add(Dense::glorot(3, 4, Relu, 0)?)?.add(Dropout::new(0.5)?)?;
/// let dropout = model.layers().nth(1).unwrap();
/// assert_eq!((dropout.input_width(), dropout.param_count()), (4, 0));
/// let x = array![[1.0, 2.0, 3.0]];
/// assert_eq!(model.forward(&x)?, model.forward_to(&x, 0)?); // inference: the identity
/// # Ok::<(), neurite::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dropout {
    rate: f64,
    /// 0 until known.
    features: usize,
}

/// Values per block of [`Dropout::apply_mask`] (their draws stay in L1).
const MASK_BLOCK: usize = 256;

impl Dropout {
    /// A layer that drops a fraction `rate` of its inputs in training.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for a rate outside `[0, 1)` or NaN.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::Dropout;
    ///
    /// assert_eq!(Dropout::new(0.2)?.rate(), 0.2);
    /// assert!(Dropout::new(1.0).is_err() && Dropout::new(-0.1).is_err());
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn new(rate: f64) -> Result<Self, Error> {
        if !(0.0..1.0).contains(&rate) {
            return Err(Error::InvalidParameter {
                name: "Dropout rate",
                expected: "a rate in [0, 1)",
                found: rate.to_string(),
            });
        }
        Ok(Self { rate, features: 0 })
    }

    /// The layer with a width of its own, `features` in and out.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for 0 features.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::{Dropout, Layer};
    ///
    /// let layer = Dropout::new(0.5)?.with_width(3)?;
    /// assert_eq!(Layer::<f32>::output_width(&layer), 3);
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn with_width(self, features: usize) -> Result<Self, Error> {
        check_positive("Dropout features", features)?;
        Ok(Self { features, ..self })
    }

    /// The fraction of values dropped in training.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(neurite::Dropout::new(0.25)?.rate(), 0.25);
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// The bound a value's 16 random bits must reach to be kept.
    fn threshold(&self) -> u64 {
        (self.rate * 65_536.0).round() as u64
    }

    /// `out[i] = keep(i) ? x[i]·scale : 0` for the row-major rows `x`, the
    /// first being row `first_row` of the batch: mask and scaling in one
    /// pass. Each block of [`MASK_BLOCK`] values first takes its 16-bit
    /// draws (four per 64-bit draw of the row's stream), then is masked
    /// and scaled without a branch (a branch on a random bit mispredicts
    /// half the time), in a loop the compiler vectorizes.
    /// `copy`, when given, receives the same values block by block (while
    /// they are in L1: the training pass's pre-activations).
    fn apply_mask<T: Element>(
        &self,
        (seed, first_row): (u64, usize),
        x: &[T],
        out: &mut [T],
        mut copy: Option<&mut [T]>,
    ) {
        let scale = narrow::<T>(1.0 / (1.0 - self.rate));
        let threshold = self.threshold() as u32;
        let width = self.features.max(1);
        let mut draws = [0_u16; MASK_BLOCK];
        let rows = out.chunks_exact_mut(width).zip(x.chunks_exact(width));
        for (row, (out, x)) in rows.enumerate() {
            let mut stream = Xoshiro256::new(SplitMix64::at(seed, (first_row + row) as u64));
            let blocks = out.chunks_mut(MASK_BLOCK).zip(x.chunks(MASK_BLOCK));
            for (block, (out, x)) in blocks.enumerate() {
                for group in draws[..out.len().next_multiple_of(4)].chunks_exact_mut(4) {
                    let bits = stream.next_u64();
                    let parts = [0, 16, 32, 48].map(|shift| (bits >> shift) as u16);
                    group.copy_from_slice(&parts);
                }
                for ((o, &v), &d) in out.iter_mut().zip(x).zip(&draws) {
                    let scaled = v * scale;
                    *o = if u32::from(d) >= threshold {
                        scaled
                    } else {
                        T::zero()
                    };
                }
                if let Some(copy) = copy.as_deref_mut() {
                    let start = row * width + block * MASK_BLOCK;
                    copy[start..start + out.len()].copy_from_slice(out);
                }
            }
        }
    }

    /// The mask of `step` applied to `x` into `out`, and into `copy` too
    /// when given.
    fn masked<T: Element>(
        &self,
        step: &TrainingStep<'_, T>,
        x: ArrayView2<'_, T>,
        out: &mut ArrayViewMut2<'_, T>,
        copy: Option<&mut ArrayViewMut2<'_, T>>,
    ) {
        let x = x.as_standard_layout();
        let x = x.as_slice().expect("a standard-layout array");
        let key = (step.seed(), step.first_row());
        with_row_major(out, |out| match copy {
            Some(copy) => with_row_major(copy, |copy| self.apply_mask(key, x, out, Some(copy))),
            None => self.apply_mask(key, x, out, None),
        });
    }
}

impl<T: Element> Layer<T> for Dropout {
    fn input_width(&self) -> usize {
        self.features
    }

    fn output_width(&self) -> usize {
        self.features
    }

    fn class_name(&self) -> &'static str {
        "Dropout"
    }

    fn spec(&self) -> Option<LayerSpec> {
        Some(LayerSpec::Dropout {
            features: self.features,
            rate: self.rate,
        })
    }

    fn adopt_width(&mut self, width: usize) {
        self.features = width;
    }

    /// Inference: the identity.
    fn pre_activation_into(
        &self,
        x: ArrayView2<'_, T>,
        mut out: ArrayViewMut2<'_, T>,
    ) -> Result<(), Error> {
        check_io(self, &x, &out)?;
        out.assign(&x);
        Ok(())
    }

    /// Training mode with the mask of seed 0 and the block at row 0.
    fn forward_train(
        &self,
        x: ArrayView2<'_, T>,
        pre: ArrayViewMut2<'_, T>,
        trace: ArrayViewMut2<'_, T>,
        out: ArrayViewMut2<'_, T>,
    ) -> Result<(), Error> {
        self.forward_train_step(x, pre, trace, out, &mut TrainingStep::new(0, 0, &mut []))
    }

    fn forward_train_step(
        &self,
        x: ArrayView2<'_, T>,
        mut pre: ArrayViewMut2<'_, T>,
        _trace: ArrayViewMut2<'_, T>,
        mut out: ArrayViewMut2<'_, T>,
        step: &mut TrainingStep<'_, T>,
    ) -> Result<(), Error> {
        check_io(self, &x, &pre)?;
        check_buffer::<T>(self, "output", [x.nrows(), self.features], out.shape())?;
        self.masked(step, x, &mut out, Some(&mut pre));
        Ok(())
    }

    /// The gradient through the mask of seed 0 and the block at row 0, as
    /// [`forward_train`](Layer::forward_train) drew it.
    fn backward_affine(
        &self,
        x: ArrayView2<'_, T>,
        trace: ArrayViewMut2<'_, T>,
        grad_pre: ArrayView2<'_, T>,
        weight_grads: &mut [T],
        grad_input: Option<ArrayViewMut2<'_, T>>,
    ) -> Result<(), Error> {
        let mut step = TrainingStep::new(0, 0, &mut []);
        self.backward_affine_step(x, trace, grad_pre, weight_grads, grad_input, &mut step)
    }

    /// `∂L/∂x = mask·scale·∂L/∂y`, the forward pass's mask drawn again.
    fn backward_affine_step(
        &self,
        x: ArrayView2<'_, T>,
        _trace: ArrayViewMut2<'_, T>,
        grad_pre: ArrayView2<'_, T>,
        weight_grads: &mut [T],
        grad_input: Option<ArrayViewMut2<'_, T>>,
        step: &mut TrainingStep<'_, T>,
    ) -> Result<(), Error> {
        check_backward(self, &x, &grad_pre, weight_grads, grad_input.as_ref())?;
        if let Some(mut grad_x) = grad_input {
            self.masked(step, grad_pre, &mut grad_x, None);
        }
        Ok(())
    }
}

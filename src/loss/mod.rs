//! Binary cross-entropy and binary accuracy, with Keras's semantics.
//!
//! For a label `y ∈ [0, 1]` and a predicted probability `p`, binary
//! cross-entropy is `-(y·ln p + (1 - y)·ln(1 - p))`. As in Keras:
//!
//! - `p` is first clipped to `[ε, 1 - ε]` with `ε = 1e-7` rounded to `T`,
//!   so a perfectly wrong prediction costs about 16 instead of infinity;
//! - a *sample* is a lane along the last axis: its loss is the mean over
//!   that lane, and the loss of a batch is the sum of the sample losses
//!   divided by the number of samples (for equal lanes, the mean over all
//!   elements). A 1-D array is one sample.
//!
//! From logits `z` (the pre-activation of a sigmoid) the loss is
//! `max(z, 0) - z·y + ln(1 + e^(-|z|))`: exact for every `z`, without
//! clipping. [`Sequential::evaluate`](crate::Sequential::evaluate) uses
//! this form when the model ends in a sigmoid, as Keras does.
//!
//! Labels outside `[0, 1]`, NaN labels, shapes that differ and empty arrays
//! are errors. A NaN prediction or logit gives a NaN loss.
//!
//! # Half precision
//!
//! For element types narrower than `f32` (`half::f16`, `half::bf16`) two
//! things differ from the letter of Keras, which would break there:
//!
//! - `1 - ε` rounds to 1 in these types, which would make a perfectly wrong
//!   prediction cost `ln 0 = ∞`; the upper clip bound is the largest value
//!   below 1 instead (`1 - 2^-11` in `f16`, `1 - 2^-8` in `bf16`), so that
//!   prediction costs `11·ln 2 ≈ 7.6` (`f16`) or `8·ln 2 ≈ 5.5` (`bf16`);
//! - sums over a sample and over the batch accumulate in `f64` and are
//!   rounded to `T` once (a running sum in `f16` stops growing at 2048
//!   ones, as Keras's own metrics avoid by accumulating in `float32`).
//!
//! # Example
//!
//! ```
//! use ndarray::array;
//! use neurite::loss;
//!
//! let y_true = array![[1.0_f64], [0.0]];
//! let y_pred = array![[0.9], [0.2]];
//! let bce = loss::binary_cross_entropy(&y_true, &y_pred)?;
//! let by_hand = -(0.9_f64.ln() + 0.8_f64.ln()) / 2.0;
//! assert!((bce - by_hand).abs() < 1e-15);
//! assert_eq!(loss::binary_accuracy(&y_true, &y_pred)?, 1.0);
//! # Ok::<(), neurite::Error>(())
//! ```

// One file per loss (its public functions and its formula of one element),
// over what every loss shares: the checks of labels and predictions,
// Keras's reductions, and the glue to the fused kernels of src/kernels.
// Metrics live in their own files.
mod accuracy;
mod arguments;
mod batch;
mod binary_cross_entropy;
mod categorical;
mod checks;
mod elementwise;
mod fused;
mod kind;
mod lanes;
mod reduction;
mod sample;
mod softmax_cross_entropy;
mod whole_batch;

pub use accuracy::{binary_accuracy, binary_accuracy_weighted};
pub use binary_cross_entropy::{
    binary_cross_entropy, binary_cross_entropy_gradient, binary_cross_entropy_per_sample,
    binary_cross_entropy_with_logits, binary_cross_entropy_with_logits_gradient,
    binary_cross_entropy_with_logits_per_sample,
};
pub use kind::Loss;
pub use reduction::weighted_mean;

pub(crate) use accuracy::hit;
pub(crate) use binary_cross_entropy::clipped_loss_derivative;
#[cfg(test)]
pub(crate) use binary_cross_entropy::{clipped_loss, logit_loss};
pub(crate) use checks::check_labels;
pub(crate) use fused::{Bce, mean_over_rows};
pub(crate) use reduction::mean_gradient_scale;
pub(crate) use whole_batch::Rows;

/// Keras's `epsilon()`: predictions are clipped to `[ε, 1 - ε]`.
pub const EPSILON: f64 = 1e-7;

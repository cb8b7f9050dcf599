//! The table of kernels each instruction set provides ([`Kernels`], one
//! per element type, gathered in an [`Isa`]): what dispatch in mod.rs
//! hands out and what the tests run path by path.

use super::{adam, bce, cross_entropy, gemv};

/// The kernels of one instruction set for one element type, all in place
/// but the matrix product.
pub(crate) struct Kernels<T> {
    pub(crate) sigmoid: fn(&mut [T]),
    pub(crate) tanh: fn(&mut [T]),
    /// With `alpha`.
    pub(crate) elu: fn(&mut [T], T),
    pub(crate) relu: fn(&mut [T]),
    /// With the slope for negative inputs.
    pub(crate) leaky_relu: fn(&mut [T], T),
    /// Keras's SELU (selu.rs).
    pub(crate) selu: fn(&mut [T]),
    /// With `alpha` (celu.rs).
    pub(crate) celu: fn(&mut [T], T),
    /// `clamp(x, lo, hi)` (piecewise.rs): relu6, hard_tanh.
    pub(crate) clamp: fn(&mut [T], T, T),
    /// `clamp((x + shift) · scale, lo, hi)`: hard_sigmoid, sparse_sigmoid.
    pub(crate) affine_clamp: fn(&mut [T], T, T, T, T),
    pub(crate) hard_silu: fn(&mut [T]),
    pub(crate) sparse_plus: fn(&mut [T]),
    /// With the threshold.
    pub(crate) hard_shrink: fn(&mut [T], T),
    /// With the threshold and its negative.
    pub(crate) soft_shrink: fn(&mut [T], T, T),
    /// With the threshold and the default value.
    pub(crate) threshold: fn(&mut [T], T, T),
    /// With Keras's `negative_slope`, `max_value` (`+inf`: none),
    /// `threshold`, and where the slope starts (piecewise.rs).
    pub(crate) relu_with: fn(&mut [T], T, T, T, T),
    /// Rows of the given width, row-major (the width is at least 1).
    pub(crate) softmax: fn(&mut [T], usize),
    /// The whole slice as one row.
    pub(crate) log_softmax: fn(&mut [T]),
    pub(crate) silu: fn(&mut [T]),
    pub(crate) softplus: fn(&mut [T]),
    pub(crate) log_sigmoid: fn(&mut [T]),
    pub(crate) mish: fn(&mut [T]),
    pub(crate) softsign: fn(&mut [T]),
    /// `e^x`: the exponential activation; binary cross-entropy from
    /// logits has it fused
    /// ([`bce_logits`](Kernels::bce_logits)); categorical cross-entropy
    /// from logits runs it over blocks of rows (src/loss/).
    pub(crate) exp: fn(&mut [T]),
    /// The exact gelu, `x·Φ(x)` (gelu_f32.rs, avx512/gelu_table.rs,
    /// gelu_f64.rs).
    pub(crate) gelu: fn(&mut [T]),
    /// Keras's tanh form of gelu (gelu_tanh.rs).
    pub(crate) gelu_tanh: fn(&mut [T]),
    /// `ln(1 + x)`: the loss from logits has it fused.
    #[cfg_attr(
        not(test),
        expect(dead_code, reason = "tested alone; the loss kernels fuse it")
    )]
    pub(crate) log1p: fn(&mut [T]),
    /// `ln x`: binary cross-entropy from probabilities has it fused
    /// ([`bce`](Kernels::bce)); categorical cross-entropy from logits runs
    /// it over the rows' sums (src/loss/).
    pub(crate) ln: fn(&mut [T]),
    /// Binary cross-entropy of probabilities clipped to `[ε, 1 - ε]`,
    /// summed per row (bce.rs), not in place; `ε` is the last argument.
    pub(crate) bce: bce::ClippedRowSums<T>,
    /// Binary cross-entropy of logits, summed per row (bce.rs).
    pub(crate) bce_logits: bce::RowSums<T>,
    /// Softmax cross-entropy from logits per row, with its gradient
    /// (cross_entropy.rs).
    pub(crate) cross_entropy: cross_entropy::Rows<T>,
    /// The first label row that is not a distribution (cross_entropy.rs),
    /// for rows of the given width and the sum's tolerance.
    pub(crate) first_bad_probability_row: fn(&[T], usize, T) -> Option<usize>,
    /// The index of the first label outside `[0, 1]` (bce.rs).
    pub(crate) first_bad_label: fn(&[T]) -> Option<usize>,
    /// One row times a row-major matrix (gemv.rs), not in place.
    pub(crate) row_times_matrix: gemv::RowKernel<T>,
    /// `Σ (p - y)²` over labels and values (regression.rs).
    pub(crate) squared_error_sum: fn(&[T], &[T]) -> T,
    /// `Σ |p - y|` over labels and values (regression.rs).
    pub(crate) absolute_error_sum: fn(&[T], &[T]) -> T,
    /// `out ← (e + e)·scale`, `e = p - y`, over labels, values and `out`.
    pub(crate) squared_error_slopes: fn(&[T], &[T], &mut [T], T),
    /// `out ← sign(e)·scale` (`sign(0) = 0`), over labels, values and `out`.
    pub(crate) absolute_error_slopes: fn(&[T], &[T], &mut [T], T),
    /// Adam's update of a weight array and its moments (adam.rs).
    pub(crate) adam: adam::AdamStep<T>,
    /// Whether no value is `±inf` or NaN (finite.rs).
    pub(crate) all_finite: fn(&[T]) -> bool,
}

/// One instruction set's kernels: what dispatch picks, and what the tests
/// run one by one.
pub(crate) struct Isa {
    pub(crate) f32: Kernels<f32>,
    pub(crate) f64: Kernels<f64>,
}

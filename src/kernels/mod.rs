//! Kernels: the vectorized activations (and `e^x`, `ln x`, `ln(1 + x)`
//! and binary cross-entropy fused from them, for the loss), chosen at run
//! time for the CPU, and the matrix product of the
//! layers (matmul.rs, on the `gemm` crate, with gemv.rs's row-times-matrix
//! kernel for products of a row or two). The only place where the crate
//! uses `unsafe`.
//!
//! # Layout of the activation kernels
//!
//! - vector.rs: the [`Vector`](vector::Vector) trait, the lane-wise
//!   operations every instruction set provides, and the slice driver.
//! - exp.rs, elu.rs, sigmoid.rs, tanh.rs, log1p.rs, ln.rs, softmax.rs,
//!   log_softmax.rs, rectifier.rs, selu.rs, celu.rs, gelu_f32.rs and
//!   gelu_f64.rs (the exact gelu for `f32` and `f64` results),
//!   gelu_tanh.rs, silu.rs,
//!   softplus.rs (and log_sigmoid), mish.rs, softsign.rs: the maths,
//!   written once against `Vector`, each file explaining its range
//!   reduction, polynomial and error bound.
//! - piecewise.rs: the clamp and select kernels of relu6, the hard_*
//!   family, the shrinks, threshold, sparse_plus/sigmoid and Keras's relu
//!   with arguments, bit for bit their scalar definitions.
//! - bce.rs: the loss, summed over rows in one pass with the label check,
//!   from those; src/loss/ reaches it through [`kernels`]. regression.rs:
//!   mean squared and absolute error's sums and gradients, for the same.
//!   cross_entropy.rs: softmax cross-entropy from logits row by row, with
//!   its gradient, and the check of probability label rows.
//! - table.rs: [`Kernels`], the function table each path fills.
//! - adam.rs: Adam's update of a weight array, for src/optimizer/;
//!   finite.rs: the finiteness check of a training batch, for src/train/.
//! - avx512.rs (AVX-512F, 16 `f32` lanes), avx2.rs (AVX2 + FMA, 8 lanes)
//!   and portable.rs (plain Rust over fixed-size arrays, which the
//!   compiler turns into SSE2 or NEON code): the registers, and the kernels
//!   compiled for them. `unsafe` appears there only for intrinsics, and in
//!   [`native`] (native_types.rs) for one type cast. Two kernels are
//!   specific to a path: the AVX-512 `f32` tanh and exact gelu
//!   (avx512/tanh_table.rs, avx512/gelu_table.rs), tables of polynomials
//!   picked per lane by permutes (avx512/slots.rs).
//!
//! # Dispatch
//!
//! The best [`Isa`] the CPU supports is chosen once
//! (`is_x86_feature_detected!`, cached in a `OnceLock`): AVX-512F, else
//! AVX2 with FMA, else the portable code, which is also what every
//! non-x86-64 target gets. No build flag (`target-cpu`) is needed or used.
//! The activations reach the kernels through [`native`], which recognises
//! `f32` and `f64` slices of a generic `T: Float`, and with the `half`
//! feature `half::f16` and `half::bf16` slices, which run the `f32` kernels
//! on blocks widened to `f32` (half.rs); other types keep their scalar
//! `apply`.
//!
//! # Accuracy
//!
//! Measured against the exactly rounded result by the tests in tests/: for
//! `f32` sigmoid, tanh, elu, selu, celu, gelu (both forms), silu, softplus,
//! log_sigmoid, mish, softsign, `e^x`, `ln x` and `ln(1 + x)` on every one
//! of the 2^32 inputs, on every path, with the reference computed in `f64`;
//! for `f64` on 10^8 random inputs and the special points, with a
//! double-double reference (Taylor series after range reduction, about 106
//! bits). All are within 2 ULP (each file gives its bound and the measured
//! maximum). NaN gives NaN, the limits are exact (`σ → 0, 1`,
//! `tanh → ±1`, `elu → -alpha`, `ln 0 = -inf`, `ln 1 = +0`), `-0` is kept
//! where the function is odd or `alpha · -0`, subnormal inputs are not
//! flushed, and relu, leaky relu and the piecewise-linear functions are bit
//! for bit the scalar definitions.
//!
//! # Special inputs and speed
//!
//! On x86, an operation whose result (or input) is subnormal costs a
//! microcode assist of about 100 cycles for the whole register. The kernels
//! compute no value that underflows unless the result itself is subnormal:
//! `e^x` below its range is zeroed by masking
//! ([`Vector::scale_pow2_where`](vector::Vector::scale_pow2_where))
//! rather than computed, tiny arguments go through fused products. So huge
//! and tiny inputs run at full speed on AVX2 and AVX-512 (the portable code,
//! without FMA, still slows down on inputs below about 2^-60). Subnormal
//! inputs are the exception: a product with a subnormal factor takes the
//! assist too (measured on AVX-512: `f32` sigmoid and elu about 60 times
//! slower on them). The AVX-512 `f32` tanh and the `f64` sigmoid raise tiny
//! arguments first and keep their speed.

mod matmul;
mod native_types;

pub(crate) use adam::AdamConstants;
pub(crate) use gelu_f64::{derivative as gelu_derivative_f64, two_product};
pub(crate) use matmul::{is_tiny_on_slices, matmul, tiny_affine_rows, tiny_dot};
pub(crate) use native_types::{Native, for_type, native};

mod adam;
#[cfg(target_arch = "x86_64")]
mod avx2;
#[cfg(target_arch = "x86_64")]
mod avx512;
mod bce;
mod celu;
pub(crate) mod cross_entropy;
mod elu;
mod exp;
mod finite;
mod gelu_f32;
mod gelu_f64;
mod gelu_tanh;
mod gemv;
#[cfg(feature = "half")]
mod half;
mod ln;
mod log1p;
mod log_softmax;
mod mish;
mod piecewise;
mod portable;
mod rectifier;
mod regression;
mod selu;
mod sigmoid;
mod silu;
mod softmax;
mod softplus;
mod softsign;
mod table;
mod tanh;
mod vector;

#[cfg(test)]
mod tests;

use std::sync::OnceLock;
pub(crate) use table::{Isa, Kernels};

/// Defines the kernels of an instruction set and its `ISA`, from its
/// vector types. With `features`, each kernel is compiled with those target
/// features enabled and wrapped in a safe function; the caller must make
/// `ISA` reachable only once the features are detected. With `tanh_f32`,
/// that `Elementwise` replaces tanh.rs's for the `f32` tanh; with
/// `gelu_f32`, gelu_f32.rs's evaluation in `f64` lanes for the `f32` exact
/// gelu.
macro_rules! define_isa {
    (f32: $f32:ty, f64: $f64:ty $(, features: $features:literal)? $(, tanh_f32: $tanh_f32:expr)? $(, gelu_f32: $gelu_f32:expr)?) => {
        define_isa!(@kernels [$($features)?];
            sigmoid_f32(xs: f32) => $crate::kernels::vector::map_in_place::<$f32>(xs, $crate::kernels::sigmoid::Sigmoid);
            tanh_f32(xs: f32) => $crate::kernels::vector::map_in_place::<$f32>(xs, define_isa!(@tanh_f32 $($tanh_f32)?));
            relu_f32(xs: f32) => $crate::kernels::vector::map_in_place::<$f32>(xs, $crate::kernels::rectifier::Relu);
            exp_f32(xs: f32) => $crate::kernels::vector::map_in_place::<$f32>(xs, $crate::kernels::exp::Exp);
            log1p_f32(xs: f32) => $crate::kernels::vector::map_in_place::<$f32>(xs, $crate::kernels::log1p::Log1p);
            ln_f32(xs: f32) => $crate::kernels::vector::map_in_place::<$f32>(xs, $crate::kernels::ln::Ln);
            gelu_f32(xs: f32) => define_isa!(@gelu_f32 xs, $f32, $f64 $(, $gelu_f32)?);
            gelu_tanh_f32(xs: f32) => $crate::kernels::vector::map_in_place::<$f32>(xs, $crate::kernels::gelu_tanh::GeluTanh);
            log_softmax_f32(xs: f32) => $crate::kernels::log_softmax::log_softmax::<$f32>(xs);
            silu_f32(xs: f32) => $crate::kernels::vector::map_in_place::<$f32>(xs, $crate::kernels::silu::Silu);
            softplus_f32(xs: f32) => $crate::kernels::vector::map_in_place::<$f32>(xs, $crate::kernels::softplus::Softplus);
            log_sigmoid_f32(xs: f32) => $crate::kernels::vector::map_in_place::<$f32>(xs, $crate::kernels::softplus::LogSigmoid);
            mish_f32(xs: f32) => $crate::kernels::vector::map_in_place::<$f32>(xs, $crate::kernels::mish::Mish);
            softsign_f32(xs: f32) => $crate::kernels::vector::map_in_place::<$f32>(xs, $crate::kernels::softsign::Softsign);
            elu_f32(xs: f32, alpha) => {
                let alpha = <$f32 as $crate::kernels::vector::Vector>::splat(alpha);
                $crate::kernels::vector::map_in_place::<$f32>(xs, $crate::kernels::elu::Elu { alpha })
            };
            leaky_relu_f32(xs: f32, slope) => {
                let slope = <$f32 as $crate::kernels::vector::Vector>::splat(slope);
                $crate::kernels::vector::map_in_place::<$f32>(xs, $crate::kernels::rectifier::LeakyRelu { slope })
            };
            selu_f32(xs: f32) => $crate::kernels::vector::map_in_place::<$f32>(xs, $crate::kernels::selu::Selu);
            celu_f32(xs: f32, alpha) => {
                let alpha = <$f32 as $crate::kernels::vector::Vector>::splat(alpha);
                $crate::kernels::vector::map_in_place::<$f32>(xs, $crate::kernels::celu::Celu { alpha })
            };
            clamp_f32(xs: f32, lo, hi) => $crate::kernels::vector::map_in_place::<$f32>(xs, $crate::kernels::piecewise::Clamp::new(lo, hi));
            affine_clamp_f32(xs: f32, shift, scale, lo, hi) => $crate::kernels::vector::map_in_place::<$f32>(xs, $crate::kernels::piecewise::AffineClamp::new(shift, scale, lo, hi));
            hard_silu_f32(xs: f32) => $crate::kernels::vector::map_in_place::<$f32>(xs, $crate::kernels::piecewise::HardSilu);
            sparse_plus_f32(xs: f32) => $crate::kernels::vector::map_in_place::<$f32>(xs, $crate::kernels::piecewise::SparsePlus);
            hard_shrink_f32(xs: f32, threshold) => $crate::kernels::vector::map_in_place::<$f32>(xs, $crate::kernels::piecewise::HardShrink::new(threshold));
            soft_shrink_f32(xs: f32, threshold, negative_threshold) => $crate::kernels::vector::map_in_place::<$f32>(xs, $crate::kernels::piecewise::SoftShrink::new(threshold, negative_threshold));
            threshold_f32(xs: f32, threshold, default_value) => $crate::kernels::vector::map_in_place::<$f32>(xs, $crate::kernels::piecewise::Threshold::new(threshold, default_value));
            relu_with_f32(xs: f32, negative_slope, max_value, threshold, slope_from) => $crate::kernels::vector::map_in_place::<$f32>(xs, $crate::kernels::piecewise::ReluWith::new(negative_slope, max_value, threshold, slope_from));
            sigmoid_f64(xs: f64) => $crate::kernels::vector::map_in_place::<$f64>(xs, $crate::kernels::sigmoid::Sigmoid);
            tanh_f64(xs: f64) => $crate::kernels::vector::map_in_place::<$f64>(xs, $crate::kernels::tanh::Tanh);
            relu_f64(xs: f64) => $crate::kernels::vector::map_in_place::<$f64>(xs, $crate::kernels::rectifier::Relu);
            exp_f64(xs: f64) => $crate::kernels::vector::map_in_place::<$f64>(xs, $crate::kernels::exp::Exp);
            log1p_f64(xs: f64) => $crate::kernels::vector::map_in_place::<$f64>(xs, $crate::kernels::log1p::Log1p);
            ln_f64(xs: f64) => $crate::kernels::vector::map_in_place::<$f64>(xs, $crate::kernels::ln::Ln);
            gelu_f64(xs: f64) => $crate::kernels::gelu_f64::exact(xs);
            gelu_tanh_f64(xs: f64) => $crate::kernels::vector::map_in_place::<$f64>(xs, $crate::kernels::gelu_tanh::GeluTanh);
            log_softmax_f64(xs: f64) => $crate::kernels::log_softmax::log_softmax::<$f64>(xs);
            silu_f64(xs: f64) => $crate::kernels::vector::map_in_place::<$f64>(xs, $crate::kernels::silu::Silu);
            softplus_f64(xs: f64) => $crate::kernels::vector::map_in_place::<$f64>(xs, $crate::kernels::softplus::Softplus);
            log_sigmoid_f64(xs: f64) => $crate::kernels::vector::map_in_place::<$f64>(xs, $crate::kernels::softplus::LogSigmoid);
            mish_f64(xs: f64) => $crate::kernels::vector::map_in_place::<$f64>(xs, $crate::kernels::mish::Mish);
            softsign_f64(xs: f64) => $crate::kernels::vector::map_in_place::<$f64>(xs, $crate::kernels::softsign::Softsign);
            elu_f64(xs: f64, alpha) => {
                let alpha = <$f64 as $crate::kernels::vector::Vector>::splat(alpha);
                $crate::kernels::vector::map_in_place::<$f64>(xs, $crate::kernels::elu::Elu { alpha })
            };
            leaky_relu_f64(xs: f64, slope) => {
                let slope = <$f64 as $crate::kernels::vector::Vector>::splat(slope);
                $crate::kernels::vector::map_in_place::<$f64>(xs, $crate::kernels::rectifier::LeakyRelu { slope })
            };
            selu_f64(xs: f64) => $crate::kernels::vector::map_in_place::<$f64>(xs, $crate::kernels::selu::Selu);
            celu_f64(xs: f64, alpha) => {
                let alpha = <$f64 as $crate::kernels::vector::Vector>::splat(alpha);
                $crate::kernels::vector::map_in_place::<$f64>(xs, $crate::kernels::celu::Celu { alpha })
            };
            clamp_f64(xs: f64, lo, hi) => $crate::kernels::vector::map_in_place::<$f64>(xs, $crate::kernels::piecewise::Clamp::new(lo, hi));
            affine_clamp_f64(xs: f64, shift, scale, lo, hi) => $crate::kernels::vector::map_in_place::<$f64>(xs, $crate::kernels::piecewise::AffineClamp::new(shift, scale, lo, hi));
            hard_silu_f64(xs: f64) => $crate::kernels::vector::map_in_place::<$f64>(xs, $crate::kernels::piecewise::HardSilu);
            sparse_plus_f64(xs: f64) => $crate::kernels::vector::map_in_place::<$f64>(xs, $crate::kernels::piecewise::SparsePlus);
            hard_shrink_f64(xs: f64, threshold) => $crate::kernels::vector::map_in_place::<$f64>(xs, $crate::kernels::piecewise::HardShrink::new(threshold));
            soft_shrink_f64(xs: f64, threshold, negative_threshold) => $crate::kernels::vector::map_in_place::<$f64>(xs, $crate::kernels::piecewise::SoftShrink::new(threshold, negative_threshold));
            threshold_f64(xs: f64, threshold, default_value) => $crate::kernels::vector::map_in_place::<$f64>(xs, $crate::kernels::piecewise::Threshold::new(threshold, default_value));
            relu_with_f64(xs: f64, negative_slope, max_value, threshold, slope_from) => $crate::kernels::vector::map_in_place::<$f64>(xs, $crate::kernels::piecewise::ReluWith::new(negative_slope, max_value, threshold, slope_from));
        );
        define_isa!(@for_type [$($features)?]; $f32, f32, row_times_matrix_f32, bce_f32, bce_logits_f32, [cross_entropy_f32, first_bad_probability_row_f32, softmax_f32], first_bad_label_f32,
            [squared_error_sum_f32, absolute_error_sum_f32, squared_error_slopes_f32, absolute_error_slopes_f32, adam_f32, all_finite_f32]);
        define_isa!(@for_type [$($features)?]; $f64, f64, row_times_matrix_f64, bce_f64, bce_logits_f64, [cross_entropy_f64, first_bad_probability_row_f64, softmax_f64], first_bad_label_f64,
            [squared_error_sum_f64, absolute_error_sum_f64, squared_error_slopes_f64, absolute_error_slopes_f64, adam_f64, all_finite_f64]);

        static ISA: $crate::kernels::Isa = $crate::kernels::Isa {
            f32: $crate::kernels::Kernels {
                sigmoid: sigmoid_f32,
                tanh: tanh_f32,
                elu: elu_f32,
                relu: relu_f32,
                leaky_relu: leaky_relu_f32,
                selu: selu_f32,
                celu: celu_f32,
                clamp: clamp_f32,
                affine_clamp: affine_clamp_f32,
                hard_silu: hard_silu_f32,
                sparse_plus: sparse_plus_f32,
                hard_shrink: hard_shrink_f32,
                soft_shrink: soft_shrink_f32,
                threshold: threshold_f32,
                relu_with: relu_with_f32,
                softmax: softmax_f32,
                log_softmax: log_softmax_f32,
                silu: silu_f32,
                softplus: softplus_f32,
                log_sigmoid: log_sigmoid_f32,
                mish: mish_f32,
                softsign: softsign_f32,
                exp: exp_f32,
                log1p: log1p_f32,
                ln: ln_f32,
                gelu: gelu_f32,
                gelu_tanh: gelu_tanh_f32,
                bce: bce_f32,
                bce_logits: bce_logits_f32,
                cross_entropy: cross_entropy_f32,
                first_bad_probability_row: first_bad_probability_row_f32,
                first_bad_label: first_bad_label_f32,
                row_times_matrix: row_times_matrix_f32,
                squared_error_sum: squared_error_sum_f32,
                absolute_error_sum: absolute_error_sum_f32,
                squared_error_slopes: squared_error_slopes_f32,
                absolute_error_slopes: absolute_error_slopes_f32,
                adam: adam_f32,
                all_finite: all_finite_f32,
            },
            f64: $crate::kernels::Kernels {
                sigmoid: sigmoid_f64,
                tanh: tanh_f64,
                elu: elu_f64,
                relu: relu_f64,
                leaky_relu: leaky_relu_f64,
                selu: selu_f64,
                celu: celu_f64,
                clamp: clamp_f64,
                affine_clamp: affine_clamp_f64,
                hard_silu: hard_silu_f64,
                sparse_plus: sparse_plus_f64,
                hard_shrink: hard_shrink_f64,
                soft_shrink: soft_shrink_f64,
                threshold: threshold_f64,
                relu_with: relu_with_f64,
                softmax: softmax_f64,
                log_softmax: log_softmax_f64,
                silu: silu_f64,
                softplus: softplus_f64,
                log_sigmoid: log_sigmoid_f64,
                mish: mish_f64,
                softsign: softsign_f64,
                exp: exp_f64,
                log1p: log1p_f64,
                ln: ln_f64,
                gelu: gelu_f64,
                gelu_tanh: gelu_tanh_f64,
                bce: bce_f64,
                bce_logits: bce_logits_f64,
                cross_entropy: cross_entropy_f64,
                first_bad_probability_row: first_bad_probability_row_f64,
                first_bad_label: first_bad_label_f64,
                row_times_matrix: row_times_matrix_f64,
                squared_error_sum: squared_error_sum_f64,
                absolute_error_sum: absolute_error_sum_f64,
                squared_error_slopes: squared_error_slopes_f64,
                absolute_error_slopes: absolute_error_slopes_f64,
                adam: adam_f64,
                all_finite: all_finite_f64,
            },
        };
    };
    // The `f32` tanh: tanh.rs's formula unless the path brings its own.
    (@tanh_f32) => { $crate::kernels::tanh::Tanh };
    (@tanh_f32 $kernel:expr) => { $kernel };
    (@gelu_f32 $xs:ident, $f32:ty, $f64:ty) => { $crate::kernels::gelu_f32::through_f64::<$f64>($xs) };
    (@gelu_f32 $xs:ident, $f32:ty, $f64:ty, $kernel:expr) => { $crate::kernels::vector::map_in_place::<$f32>($xs, $kernel) };
    // The kernels that are not in place, for one element type.
    (@for_type $features:tt; $vector:ty, $t:ty, $row_times_matrix:ident, $bce:ident, $bce_logits:ident, [$cross_entropy:ident, $probability_rows:ident, $softmax:ident], $first_bad_label:ident,
        [$squared_sum:ident, $absolute_sum:ident, $squared_slopes:ident, $absolute_slopes:ident, $adam:ident, $all_finite:ident]) => {
        define_isa!(@wrap $features; fn $row_times_matrix(x: &[$t], w: &[$t], out: &mut [$t], accumulate: bool) =>
            $crate::kernels::gemv::row_times_matrix::<$vector>(x, w, out, accumulate));
        define_isa!(@wrap $features; fn $bce(labels: &[$t], values: &[$t], sums: &mut [$t], epsilon: $t) -> Result<(), usize> =>
            $crate::kernels::bce::row_sums::<$vector>(labels, values, sums, $crate::kernels::bce::Probabilities {
                epsilon: <$vector as $crate::kernels::vector::Vector>::splat(epsilon),
            }));
        define_isa!(@wrap $features; fn $bce_logits(labels: &[$t], values: &[$t], sums: &mut [$t]) -> Result<(), usize> =>
            $crate::kernels::bce::row_sums::<$vector>(labels, values, sums, $crate::kernels::bce::Logits));
        define_isa!(@wrap $features; fn $cross_entropy(logits: &[$t], labels: $crate::kernels::cross_entropy::Labels<'_, $t>, values: &mut [$t], gradient: Option<(&mut [$t], $t)>) =>
            $crate::kernels::cross_entropy::rows::<$vector>(logits, labels, values, gradient));
        define_isa!(@wrap $features; fn $probability_rows(labels: &[$t], classes: usize, tolerance: $t) -> Option<usize> =>
            $crate::kernels::cross_entropy::first_bad_probability_row::<$vector>(labels, classes, tolerance));
        define_isa!(@wrap $features; fn $softmax(values: &mut [$t], width: usize) =>
            $crate::kernels::softmax::softmax_rows::<$vector>(values, width));
        define_isa!(@wrap $features; fn $first_bad_label(labels: &[$t]) -> Option<usize> =>
            $crate::kernels::bce::first_bad_label::<$vector>(labels));
        define_isa!(@wrap $features; fn $squared_sum(labels: &[$t], values: &[$t]) -> $t =>
            $crate::kernels::regression::pair_sum::<$vector>(labels, values, $crate::kernels::regression::SquaredError));
        define_isa!(@wrap $features; fn $absolute_sum(labels: &[$t], values: &[$t]) -> $t =>
            $crate::kernels::regression::pair_sum::<$vector>(labels, values, $crate::kernels::regression::AbsoluteError));
        define_isa!(@wrap $features; fn $squared_slopes(labels: &[$t], values: &[$t], out: &mut [$t], scale: $t) =>
            $crate::kernels::regression::pair_map::<$vector>(labels, values, out, $crate::kernels::regression::SquaredErrorSlope {
                scale: <$vector as $crate::kernels::vector::Vector>::splat(scale),
            }));
        define_isa!(@wrap $features; fn $absolute_slopes(labels: &[$t], values: &[$t], out: &mut [$t], scale: $t) =>
            $crate::kernels::regression::pair_map::<$vector>(labels, values, out, $crate::kernels::regression::AbsoluteErrorSlope {
                scale: <$vector as $crate::kernels::vector::Vector>::splat(scale),
            }));
        define_isa!(@wrap $features; fn $adam(w: &mut [$t], g: &[$t], m: &mut [$t], v: &mut [$t], c: $crate::kernels::AdamConstants<$t>) =>
            $crate::kernels::adam::adam_step::<$vector>(w, g, m, v, c));
        define_isa!(@wrap $features; fn $all_finite(xs: &[$t]) -> bool =>
            $crate::kernels::finite::all_finite::<$vector>(xs));
    };
    (@kernels $features:tt; $($kernel:ident($xs:ident: $t:ty $(, $param:ident)*) => $body:expr;)*) => {
        $(define_isa!(@kernel $features; $kernel($xs: $t $(, $param)*) => $body);)*
    };
    (@kernel $features:tt; $kernel:ident($xs:ident: $t:ty $(, $param:ident)*) => $body:expr) => {
        define_isa!(@wrap $features; fn $kernel($xs: &mut [$t] $(, $param: $t)*) => $body);
    };
    // A kernel as a safe function: with `features`, its body compiled
    // with them enabled.
    (@wrap [$features:literal]; fn $kernel:ident($($arg:ident: $ty:ty),*) $(-> $ret:ty)? => $body:expr) => {
        fn $kernel($($arg: $ty),*) $(-> $ret)? {
            #[target_feature(enable = $features)]
            fn kernel($($arg: $ty),*) $(-> $ret)? {
                $body
            }
            // SAFETY: this function is only reachable through `ISA`, which
            // the module hands out only after detecting `$features`.
            unsafe { kernel($($arg),*) }
        }
    };
    (@wrap []; fn $kernel:ident($($arg:ident: $ty:ty),*) $(-> $ret:ty)? => $body:expr) => {
        fn $kernel($($arg: $ty),*) $(-> $ret)? {
            $body
        }
    };
}
use define_isa;

/// The best path for this CPU, detected once.
fn best_isa() -> &'static Isa {
    static BEST: OnceLock<&'static Isa> = OnceLock::new();
    BEST.get_or_init(|| {
        #[cfg(target_arch = "x86_64")]
        if let Some(path) = avx512::isa().or_else(avx2::isa) {
            return path;
        }
        portable::isa()
    })
}

/// The kernels for `f32` on this CPU.
pub(crate) fn f32_kernels() -> &'static Kernels<f32> {
    &best_isa().f32
}

/// The kernels for `f64` on this CPU.
pub(crate) fn f64_kernels() -> &'static Kernels<f64> {
    &best_isa().f64
}

//! The table of built-in activations: one line each, with its Keras name,
//! its aliases and its parameters (table.rs turns it into the
//! [`BuiltinActivation`] enum, parsing, and the type-free
//! [`ActivationSpec`]).
//!
//! A new built-in is a file of its own (the formula, the [`Activation`]
//! implementation, and [`Parameters`] if it has any) plus one line here.

use super::table::builtin_activations;
use super::{
    Activation, Elu, Exponential, Gelu, KerasName, LeakyRelu, Linear, Parameters, Relu, Sigmoid,
    Softmax, Tanh,
};
use super::{Celu, Selu, Squareplus, TanhShrink};
use super::{
    HardShrink, HardSigmoid, HardSilu, HardTanh, Relu6, ReluWith, SoftShrink, SparsePlus,
    SparseSigmoid, Threshold,
};
use super::{LogSigmoid, Mish, Silu, Softplus, Softsign};
use super::{LogSoftmax, Sparsemax};
use super::{SpecValue, spec_field};
use crate::error::{Error, format_error, shorten};
use ndarray::{ArrayView2, ArrayViewMut2};
use num_traits::Float;
use std::str::FromStr;

builtin_activations! {
    plain {
        Sigmoid = "sigmoid",
        Tanh = "tanh",
        Relu = "relu",
        Linear = "linear",
        Softmax = "softmax",
        LogSoftmax = "log_softmax",
        Sparsemax = "sparsemax",
        Selu = "selu",
        TanhShrink = "tanh_shrink",
        Exponential = "exponential",
        Relu6 = "relu6",
        HardSigmoid = "hard_sigmoid",
        HardSilu = "hard_silu" | "hard_swish",
        HardTanh = "hard_tanh",
        SparsePlus = "sparse_plus",
        SparseSigmoid = "sparse_sigmoid",
        Silu = "silu" | "swish",
        Softplus = "softplus",
        LogSigmoid = "log_sigmoid",
        Mish = "mish",
        Softsign = "softsign",
    }
    with_parameters {
        /// [`LeakyRelu`] with its slope for negative inputs.
        LeakyRelu {
            /// The slope for negative inputs.
            slope: f64
        } = "leaky_relu",
        /// [`Elu`] with its `alpha`.
        Elu {
            /// The negative saturation value.
            alpha: f64
        } = "elu",
        /// [`Celu`] with its `alpha`.
        Celu {
            /// The negative saturation value and the scale of the exponent.
            alpha: f64
        } = "celu",
        /// [`Squareplus`] with its `b`.
        Squareplus {
            /// The curvature near 0 (`squareplus(0) = √b / 2`).
            b: f64
        } = "squareplus",
        /// [`Gelu`], exact or in Keras's tanh form.
        Gelu {
            /// Whether it is the tanh form (Keras's default: `false`).
            approximate: bool
        } = "gelu",
        /// [`HardShrink`] with its threshold.
        HardShrink {
            /// Where the function starts to pass `x`.
            threshold: f64
        } = "hard_shrink",
        /// [`SoftShrink`] with its threshold.
        SoftShrink {
            /// How far the function shrinks `x` towards 0.
            threshold: f64
        } = "soft_shrink",
        /// [`Threshold`] with its threshold and default value.
        Threshold {
            /// Where the function starts to pass `x`.
            threshold: f64,
            /// The value at and below the threshold.
            default_value: f64
        } = "threshold",
        /// [`ReluWith`]: Keras's `relu` with arguments.
        ReluWith {
            /// The slope below the threshold.
            negative_slope: f64,
            /// The cap (`null`: none).
            max_value: Option<f64>,
            /// Where the function starts to pass `x`.
            threshold: f64
        } = "relu_with",
    }
}

// By hand, so that every `Float` qualifies: shows the chosen activation.
impl<T: Float> std::fmt::Debug for BuiltinActivation<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.inner().fmt(f)
    }
}

impl<T: Float> FromStr for BuiltinActivation<T> {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self, Error> {
        Self::from_keras_name(name).ok_or_else(|| Error::UnknownActivation {
            name: name.to_owned(),
        })
    }
}

impl<T: Float> Activation<T> for BuiltinActivation<T> {
    fn apply(&self, x: T) -> T {
        self.inner().apply(x)
    }
    fn derivative(&self, x: T) -> T {
        self.inner().derivative(x)
    }
    fn apply_slice(&self, xs: &mut [T]) {
        self.inner().apply_slice(xs)
    }
    fn apply_rows(&self, rows: ArrayViewMut2<'_, T>) {
        self.inner().apply_rows(rows)
    }
    fn apply_row_major(&self, values: &mut [T], width: usize) {
        self.inner().apply_row_major(values, width)
    }
    fn backward_rows(
        &self,
        pre: ArrayView2<'_, T>,
        out: ArrayView2<'_, T>,
        grad: ArrayViewMut2<'_, T>,
    ) {
        self.inner().backward_rows(pre, out, grad)
    }
    fn name(&self) -> &'static str {
        self.inner().name()
    }
    fn builtin(&self) -> Option<BuiltinActivation<T>> {
        Some(*self)
    }
}

impl<T: Float> From<ActivationSpec> for BuiltinActivation<T> {
    /// As [`ActivationSpec::to_builtin`].
    fn from(spec: ActivationSpec) -> Self {
        spec.to_builtin()
    }
}

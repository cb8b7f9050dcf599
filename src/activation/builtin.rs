//! The table of built-in activations: one line each, with its Keras name,
//! its aliases and its parameters (table.rs turns it into the
//! [`BuiltinActivation`] enum, parsing, and the type-free
//! [`ActivationSpec`]).
//!
//! A new built-in is a file of its own (the formula, the [`Activation`]
//! implementation, and [`Parameters`] if it has any) plus one line here.

use super::table::builtin_activations;
use super::{
    Activation, Elu, KerasName, LeakyRelu, Linear, Parameters, Relu, Sigmoid, Softmax, Tanh,
};
use super::{LogSigmoid, Mish, Silu, Softplus, Softsign};
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

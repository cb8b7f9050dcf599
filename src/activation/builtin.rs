//! The built-in activations as one type, chosen by Keras name.

use super::{Activation, Elu, LeakyRelu, Linear, Relu, Sigmoid, Softmax, Tanh, constant};
use crate::Error;
use ndarray::{ArrayView2, ArrayViewMut2};
use num_traits::Float;
use std::str::FromStr;

/// Any of the built-in activations, for choosing one at run time (by its
/// Keras name, from a configuration, or when loading a model).
///
/// Parsing accepts Keras's names: `"sigmoid"`, `"tanh"`, `"relu"`,
/// `"leaky_relu"`, `"elu"`, `"linear"`, `"softmax"`. Parameters take Keras's
/// defaults for those names: `"elu"` has `alpha = 1`, and `"leaky_relu"` has
/// Keras's slope `0.2` as TensorFlow stores it (the `f32` value nearest
/// 0.2, also in `f64` networks), so a model exported from Keras gives the
/// same outputs. This differs from [`LeakyRelu::default`], the tutorial's
/// `0.1`.
///
/// # Example
///
/// ```
/// use neurite::{Activation, BuiltinActivation, Error};
///
/// let relu: BuiltinActivation<f32> = "relu".parse()?;
/// assert_eq!(relu.apply(-1.0), 0.0);
///
/// let unknown = "swish".parse::<BuiltinActivation<f32>>();
/// assert!(matches!(unknown, Err(Error::UnknownActivation { .. })));
/// # Ok::<(), Error>(())
/// ```
#[derive(Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum BuiltinActivation<T> {
    /// [`Sigmoid`].
    Sigmoid(Sigmoid),
    /// [`Tanh`].
    Tanh(Tanh),
    /// [`Relu`].
    Relu(Relu),
    /// [`LeakyRelu`].
    LeakyRelu(LeakyRelu<T>),
    /// [`Elu`].
    Elu(Elu<T>),
    /// [`Linear`].
    Linear(Linear),
    /// [`Softmax`].
    Softmax(Softmax),
}

impl<T: Float> BuiltinActivation<T> {
    /// The activation as a trait object.
    fn inner(&self) -> &dyn Activation<T> {
        match self {
            Self::Sigmoid(f) => f,
            Self::Tanh(f) => f,
            Self::Relu(f) => f,
            Self::LeakyRelu(f) => f,
            Self::Elu(f) => f,
            Self::Linear(f) => f,
            Self::Softmax(f) => f,
        }
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
        Ok(match name {
            "sigmoid" => Self::Sigmoid(Sigmoid),
            "tanh" => Self::Tanh(Tanh),
            "relu" => Self::Relu(Relu),
            "leaky_relu" => Self::LeakyRelu(LeakyRelu::new(constant(f64::from(0.2_f32)))),
            "elu" => Self::Elu(Elu::default()),
            "linear" => Self::Linear(Linear),
            "softmax" => Self::Softmax(Softmax),
            _ => {
                return Err(Error::UnknownActivation {
                    name: name.to_owned(),
                });
            }
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

macro_rules! from_activation {
    ($($variant:ident($ty:ty)),*) => {$(
        impl<T> From<$ty> for BuiltinActivation<T> {
            fn from(activation: $ty) -> Self {
                Self::$variant(activation)
            }
        }
    )*};
}

from_activation!(
    Sigmoid(Sigmoid),
    Tanh(Tanh),
    Relu(Relu),
    LeakyRelu(LeakyRelu<T>),
    Elu(Elu<T>),
    Linear(Linear),
    Softmax(Softmax)
);

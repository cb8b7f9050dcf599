//! Activation functions and their derivatives.
//!
//! Each function is a small type implementing [`Activation<T>`] for every
//! `T: num_traits::Float`, in a file of its own: the formula, the scalar
//! definition, the closed-form derivative and the hook into the vectorized
//! kernels. [`BuiltinActivation`] gathers them so one can be chosen by its
//! Keras name at run time.
//!
//! # NaN and infinities
//!
//! NaN in gives NaN out for every function. `±inf` gives the mathematical
//! limit (`sigmoid(inf) = 1`, `tanh(-inf) = -1`, `elu(-inf) = -alpha`,
//! `relu(inf) = inf`). Derivatives follow TensorFlow's conventions at the
//! kinks and at NaN: `relu'(0) = 0`, `leaky_relu'(0) = slope`,
//! `elu'(0) = alpha`; at NaN the piecewise functions return the value of
//! their non-positive branch (`relu' = 0`, `leaky_relu' = slope`,
//! `elu' = alpha`, `linear' = 1`) and the smooth ones return NaN.
//!
//! NaN stays NaN also where TensorFlow returns a number because its
//! comparison with NaN is false: [`Threshold`] (TF: `default_value`),
//! [`HardShrink`] and [`SoftShrink`] (TF: `0`), [`ReluWith`] with a
//! threshold (TF: `0`). Where TensorFlow forms `-inf · 0`, the limit is
//! returned instead of its NaN (`hard_silu(-inf) = 0`, `hard_silu'(inf) =
//! 1`, `sparse_plus'(±inf) = 1, 0`). Each function's page gives its
//! derivative at the kinks.

/// The `Activation` methods every built-in writes alike: its name from the
/// name table and itself as a [`BuiltinActivation`]; with `elementwise`,
/// also the row-major hook as one slice (the values are independent).
macro_rules! builtin_methods {
    () => {
        fn name(&self) -> &'static str {
            Self::NAME
        }

        fn builtin(&self) -> Option<BuiltinActivation<T>> {
            Some((*self).into())
        }
    };
    (elementwise) => {
        /// Element-wise: the whole block at once.
        fn apply_row_major(&self, values: &mut [T], _width: usize) {
            self.apply_slice(values);
        }

        builtin_methods!();
    };
}

pub(crate) mod builtin;
mod celu;
mod dispatch;
mod elu;
mod exponential;
mod gelu;
mod hard_shrink;
mod hard_sigmoid;
mod hard_silu;
mod hard_tanh;
mod leaky_relu;
mod linear;
mod log_sigmoid;
mod log_softmax;
mod mish;
mod piecewise;
mod relu;
mod relu6;
mod relu_with;
mod row_wise;
mod selu;
mod sigmoid;
mod silu;
mod soft_shrink;
mod softmax;
mod softplus;
mod softsign;
mod sparse_plus;
mod sparse_sigmoid;
mod sparsemax;
mod spec;
mod squareplus;
mod table;
mod tanh;
mod tanh_shrink;
mod threshold;

pub(crate) use builtin::ActivationSpec;
pub use builtin::{BuiltinActivation, KERAS_NAMES};
pub use celu::Celu;
pub use elu::Elu;
pub use exponential::Exponential;
pub use gelu::Gelu;
pub use hard_shrink::HardShrink;
pub use hard_sigmoid::HardSigmoid;
pub use hard_silu::HardSilu;
pub use hard_tanh::HardTanh;
pub use leaky_relu::LeakyRelu;
pub use linear::Linear;
pub use log_sigmoid::LogSigmoid;
pub use log_softmax::LogSoftmax;
pub use mish::Mish;
pub use relu::Relu;
pub use relu_with::ReluWith;
pub use relu6::Relu6;
pub use selu::Selu;
pub use sigmoid::Sigmoid;
pub use silu::Silu;
pub use soft_shrink::SoftShrink;
pub use softmax::Softmax;
pub use softplus::Softplus;
pub use softsign::Softsign;
pub use sparse_plus::SparsePlus;
pub use sparse_sigmoid::SparseSigmoid;
pub use sparsemax::Sparsemax;
use spec::{SpecValue, spec_field};
pub use squareplus::Squareplus;
pub use tanh::Tanh;
pub use tanh_shrink::TanhShrink;
pub use threshold::Threshold;

use ndarray::{ArrayView2, ArrayViewMut2, Zip};
use num_traits::Float;
use std::fmt::Debug;

/// An activation function `f` with its derivative `f'`.
///
/// `apply` and `derivative` work on one value; `apply_slice` and
/// `apply_rows` work in place on many, and are where the vectorized kernels
/// for `f32` and `f64` come in. Layers ask for `Send + Sync` activations
/// so that a model can be shared between threads; all built-ins are.
///
/// Most activations are element-wise and only need `apply` and
/// `derivative`. A function that mixes the values of a row, such as
/// [`Softmax`], overrides [`apply_rows`](Activation::apply_rows): that is
/// the method a [`Dense`](crate::Dense) layer calls on its `(batch, units)`
/// output, so any activation, element-wise or not, plugs into a layer.
///
/// # Example
///
/// A custom activation, usable in a `Dense` layer like the built-ins:
///
/// ```
/// use neurite::Activation;
/// use num_traits::Float;
///
/// /// softplus(x) = ln(1 + e^x)
/// #[derive(Debug, Clone, Copy)]
/// struct Softplus;
///
/// impl<T: Float> Activation<T> for Softplus {
///     fn apply(&self, x: T) -> T {
///         x.max(T::zero()) + (-x.abs()).exp().ln_1p()
///     }
///     fn derivative(&self, x: T) -> T {
///         T::one() / (T::one() + (-x).exp())
///     }
/// }
///
/// let mut xs = [0.0_f64, 1.0];
/// Softplus.apply_slice(&mut xs);
/// assert!((xs[0] - 2.0_f64.ln()).abs() < 1e-15);
/// ```
pub trait Activation<T: Float>: Debug {
    /// `f(x)`.
    fn apply(&self, x: T) -> T;

    /// `f'(x)`, in closed form.
    fn derivative(&self, x: T) -> T;

    /// Replaces every value of `xs` by `f(x)`.
    ///
    /// The built-in activations override this with vectorized kernels for
    /// `f32` and `f64`; the default applies [`apply`](Activation::apply)
    /// to each value. An empty slice is fine.
    fn apply_slice(&self, xs: &mut [T]) {
        xs.iter_mut().for_each(|x| *x = self.apply(*x));
    }

    /// Applies the function to a `(batch, units)` block of layer outputs,
    /// in place.
    ///
    /// The default treats every value on its own (through
    /// [`apply_slice`](Activation::apply_slice) when the block is
    /// contiguous); row-wise functions such as [`Softmax`] override it.
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::array;
    /// use neurite::{Activation, Relu};
    ///
    /// let mut z = array![[-1.0_f32, 2.0], [3.0, -4.0]];
    /// Relu.apply_rows(z.view_mut());
    /// assert_eq!(z, array![[0.0, 2.0], [3.0, 0.0]]);
    /// ```
    fn apply_rows(&self, mut rows: ArrayViewMut2<'_, T>) {
        match rows.as_slice_memory_order_mut() {
            Some(values) => self.apply_slice(values),
            None => rows.map_inplace(|x| *x = self.apply(*x)),
        }
    }

    /// The fast-path hook on row-major slices:
    /// [`apply_rows`](Activation::apply_rows) where `values` holds rows of
    /// `width` values, one after the other. [`Dense`](crate::Dense) calls
    /// it from its own hook, [`Layer::forward_row_major`](crate::Layer::forward_row_major).
    /// The default builds the view and calls `apply_rows`, so an activation
    /// of your own is complete without it; override it only to spare small
    /// batches the view's set-up, with the same results as `apply_rows`, as
    /// the built-ins do. `values.len()` is a multiple of `width` (otherwise
    /// which values after the last whole row change is unspecified).
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::{Activation, Softmax};
    ///
    /// let mut z = [0.0_f64, 0.0, 5.0, 5.0];
    /// Softmax.apply_row_major(&mut z, 2);
    /// assert_eq!(z, [0.5; 4]);
    /// ```
    fn apply_row_major(&self, values: &mut [T], width: usize) {
        let rows = values.len().checked_div(width).unwrap_or(0);
        let whole = &mut values[..rows * width];
        let rows = ArrayViewMut2::from_shape((rows, width), whole)
            .expect("the slice holds exactly rows × width values");
        self.apply_rows(rows);
    }

    /// The backward pass over a `(batch, units)` block: turns the gradient
    /// of a loss with respect to the outputs `out = f(pre)` into its
    /// gradient with respect to the inputs `pre`, in place.
    ///
    /// The default is element-wise, `grad ← grad ⊙ f'(pre)`, using
    /// [`derivative`](Activation::derivative) (so TensorFlow's conventions
    /// at the kinks carry over). Functions that mix a row override it:
    /// [`Softmax`] applies its vector-Jacobian product to each row, using
    /// `out`. All three blocks have the same shape.
    ///
    /// # Panics
    ///
    /// May panic when the three blocks differ in shape (the default does,
    /// in ndarray's `Zip`). This is the one building block that takes shapes on trust, as
    /// `copy_from_slice` does: it returns nothing, so it has no error to
    /// give, and the training step that calls it sizes all three from one
    /// layer (every public entry point above it checks the caller's shapes).
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::array;
    /// use neurite::{Activation, Relu};
    ///
    /// let pre = array![[-1.0_f64, 2.0]];
    /// let out = array![[0.0, 2.0]];
    /// let mut grad = array![[5.0, 7.0]];
    /// Relu.backward_rows(pre.view(), out.view(), grad.view_mut());
    /// assert_eq!(grad, array![[0.0, 7.0]]);
    /// ```
    fn backward_rows(
        &self,
        pre: ArrayView2<'_, T>,
        _out: ArrayView2<'_, T>,
        grad: ArrayViewMut2<'_, T>,
    ) {
        Zip::from(grad)
            .and(pre)
            .for_each(|g, &z| *g = *g * self.derivative(z));
    }

    /// The Keras name of the function (`"sigmoid"`, `"relu"`, …), shown by
    /// [`Sequential::summary`](crate::Sequential::summary). Custom
    /// activations are `"custom"` unless they say otherwise.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::{Activation, Sigmoid};
    ///
    /// assert_eq!(Activation::<f32>::name(&Sigmoid), "sigmoid");
    /// ```
    fn name(&self) -> &'static str {
        "custom"
    }

    /// The function as a [`BuiltinActivation`], parameters included, when
    /// it is one of the built-ins: how [`Sequential::save`](crate::Sequential::save)
    /// describes it in a file. `None` for custom activations (the
    /// default), which cannot be saved.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::{Activation, BuiltinActivation, Elu, Relu};
    ///
    /// assert_eq!(Activation::<f32>::builtin(&Relu), Some(BuiltinActivation::Relu(Relu)));
    /// assert_eq!(Elu::new(0.5_f64).builtin(), Some(BuiltinActivation::Elu(Elu::new(0.5))));
    /// ```
    fn builtin(&self) -> Option<BuiltinActivation<T>> {
        None
    }
}

/// The Keras name of a built-in activation, from the name table
/// (builtin.rs): what its [`Activation::name`] returns.
pub(crate) trait KerasName {
    /// The name, e.g. `"leaky_relu"`.
    const NAME: &'static str;
}

/// The parameters of a built-in activation, for the name table
/// (builtin.rs): Keras's default arguments, and the values in the order
/// the table lists them.
pub(crate) trait Parameters<T>: Sized {
    /// The values, a tuple in the table's order (`(T,)`, `(T, bool)`, …).
    type Values;
    /// The function with the arguments Keras uses when a layer names it
    /// by string.
    fn keras_default() -> Self;
    /// The parameter values.
    fn values(&self) -> Self::Values;
    /// The function with these parameter values, unchecked (a
    /// description is checked first, with [`check`](Parameters::check)).
    fn from_values(values: Self::Values) -> Self;
    /// Whether the values are in the range the function accepts; the
    /// default accepts all.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`](crate::Error::InvalidParameter) naming
    /// the parameter.
    fn check(values: Self::Values) -> Result<(), crate::Error> {
        let _ = values;
        Ok(())
    }
}

impl<T: Float, A: Activation<T> + ?Sized> Activation<T> for Box<A> {
    fn apply(&self, x: T) -> T {
        (**self).apply(x)
    }
    fn derivative(&self, x: T) -> T {
        (**self).derivative(x)
    }
    fn apply_slice(&self, xs: &mut [T]) {
        (**self).apply_slice(xs)
    }
    fn apply_rows(&self, rows: ArrayViewMut2<'_, T>) {
        (**self).apply_rows(rows)
    }
    fn apply_row_major(&self, values: &mut [T], width: usize) {
        (**self).apply_row_major(values, width)
    }
    fn backward_rows(
        &self,
        pre: ArrayView2<'_, T>,
        out: ArrayView2<'_, T>,
        grad: ArrayViewMut2<'_, T>,
    ) {
        (**self).backward_rows(pre, out, grad)
    }
    fn name(&self) -> &'static str {
        (**self).name()
    }
    fn builtin(&self) -> Option<BuiltinActivation<T>> {
        (**self).builtin()
    }
}

#[cfg(test)]
mod tests;

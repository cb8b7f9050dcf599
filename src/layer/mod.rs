//! Layers: the [`Layer`] trait, [`Dense`] and [`Maxout`].
//!
//! A layer maps a `(batch, inputs)` block to a `(batch, outputs)` block in
//! two steps: an affine part that gives the pre-activations (Keras's
//! logits) and an in-place activation. [`Sequential`](crate::Sequential)
//! uses the split to read a sigmoid output layer's logits, as Keras's
//! `evaluate` does.

mod dense;
mod init;
mod maxout;

pub use dense::Dense;
pub use maxout::Maxout;

use crate::{Element, Error};
use ndarray::linalg::general_mat_mul;
use ndarray::{Array2, ArrayView1, ArrayView2, ArrayViewMut2, Zip};
use std::fmt::Debug;

/// One layer of a [`Sequential`](crate::Sequential) model.
///
/// Implementors give their widths, parameter count and the two halves of
/// the forward pass; [`forward_into`](Layer::forward_into) and
/// [`forward`](Layer::forward) come for free. Layers are `Send + Sync` so
/// that a model can be shared between threads.
///
/// # Example
///
/// ```
/// use ndarray::array;
/// use neurite::{Dense, Layer, Relu};
///
/// let layer = Dense::new(array![[1.0_f32, -1.0], [0.5, 0.5]], array![0.0, 0.25], Relu)?;
/// assert_eq!((layer.input_width(), layer.output_width()), (2, 2));
/// assert_eq!(layer.param_count(), 6);
/// let y = layer.forward(array![[2.0, 2.0]].view())?;
/// assert_eq!(y, array![[3.0, 0.0]]);
/// # Ok::<(), neurite::Error>(())
/// ```
pub trait Layer<T: Element>: Debug + Send + Sync {
    /// Number of input features the layer takes.
    fn input_width(&self) -> usize;

    /// Number of output features (units) the layer gives.
    fn output_width(&self) -> usize;

    /// Number of trainable parameters.
    fn param_count(&self) -> usize;

    /// The layer's type as Keras's summary shows it, e.g. `"Dense"`.
    fn class_name(&self) -> &'static str;

    /// The Keras name of the activation applied after the affine part
    /// (`"linear"` when there is none).
    fn activation_name(&self) -> &'static str;

    /// Writes the pre-activations (the affine part) for the batch `x` into
    /// `out`, which must be `(x.nrows(), output_width())`.
    ///
    /// # Errors
    ///
    /// [`Error::WidthMismatch`] when `x` does not have `input_width()`
    /// columns, [`Error::ShapeMismatch`] when `out` has the wrong shape.
    fn pre_activation_into(
        &self,
        x: ArrayView2<'_, T>,
        out: ArrayViewMut2<'_, T>,
    ) -> Result<(), Error>;

    /// Applies the activation in place to pre-activations written by
    /// [`pre_activation_into`](Layer::pre_activation_into).
    fn activate(&self, pre_activations: ArrayViewMut2<'_, T>);

    /// Writes the layer's output for the batch `x` into `out`, which must
    /// be `(x.nrows(), output_width())`.
    ///
    /// # Errors
    ///
    /// As [`pre_activation_into`](Layer::pre_activation_into).
    fn forward_into(
        &self,
        x: ArrayView2<'_, T>,
        mut out: ArrayViewMut2<'_, T>,
    ) -> Result<(), Error> {
        self.pre_activation_into(x, out.view_mut())?;
        self.activate(out);
        Ok(())
    }

    /// The layer's output for the batch `x`, newly allocated.
    ///
    /// # Errors
    ///
    /// [`Error::WidthMismatch`] when `x` does not have `input_width()`
    /// columns.
    fn forward(&self, x: ArrayView2<'_, T>) -> Result<Array2<T>, Error> {
        let mut out = Array2::zeros((x.nrows(), self.output_width()));
        self.forward_into(x, out.view_mut())?;
        Ok(out)
    }
}

/// Checks the input and output blocks handed to a layer.
fn check_io<T: Element>(
    layer: &dyn Layer<T>,
    x: &ArrayView2<'_, T>,
    out: &ArrayViewMut2<'_, T>,
) -> Result<(), Error> {
    let what = layer.class_name();
    crate::error::check_width(what, layer.input_width(), x.ncols())?;
    crate::error::check_shape(
        &format!("{what} output buffer"),
        &[x.nrows(), layer.output_width()],
        out.shape(),
    )
}

/// `out = x · kernel + bias`, with the product rounded before the bias is
/// added, as Keras does.
fn affine_into<T: Element>(
    x: ArrayView2<'_, T>,
    kernel: ArrayView2<'_, T>,
    bias: ArrayView1<'_, T>,
    mut out: ArrayViewMut2<'_, T>,
) {
    general_mat_mul(T::one(), &x, &kernel, T::zero(), &mut out);
    for mut row in out.rows_mut() {
        Zip::from(&mut row).and(&bias).for_each(|z, &b| *z = *z + b);
    }
}

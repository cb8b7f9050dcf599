//! Keras's standalone `Activation` layer.

use super::Layer;
use super::checks::{check_backward, check_io, check_rows};
use super::spec::LayerSpec;
use crate::Element;
use crate::activation::{Activation, BuiltinActivation};
use crate::error::{Error, check_positive};
use ndarray::{ArrayView2, ArrayViewMut2};

/// An activation as a layer of its own, Keras's `Activation(activation)`:
/// `y = activation(x)`, the same in training and inference. The activation
/// is any [`Activation<T>`], chosen by type or at run time as a
/// [`BuiltinActivation`] by its Keras name (the default type parameter).
///
/// The layer takes the width of the layer before it when added to a
/// [`Sequential`](crate::Sequential); as a first layer, or alone, give it
/// with [`with_width`](Self::with_width).
///
/// # Example
///
/// ```
/// use ndarray::array;
/// use neurite::layer::ActivationLayer;
/// use neurite::{BuiltinActivation, Dense, Layer, Linear, Sequential};
///
/// let gelu: BuiltinActivation<f64> = "gelu".parse()?;
/// let mut model = Sequential::new();
/// model
///     .add(Dense::new(array![[1.0, -1.0]], array![0.0, 0.0], Linear)?)?
///     .add(ActivationLayer::new(gelu))?;
/// let layer = model.layers().nth(1).unwrap();
/// assert_eq!((layer.class_name(), layer.activation_name(), layer.param_count()), ("Activation", "gelu", 0));
/// let y = model.forward(&array![[2.0]])?;
/// assert!((y[[0, 0]] - 1.9544997361036416).abs() < 1e-15 && y[[0, 1]] < 0.0);
/// # Ok::<(), neurite::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ActivationLayer<T, A = BuiltinActivation<T>> {
    activation: A,
    /// 0 until known.
    features: usize,
    element: std::marker::PhantomData<fn() -> T>,
}

impl<T: Element, A: Activation<T>> ActivationLayer<T, A> {
    /// A layer applying `activation`.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::layer::ActivationLayer;
    /// use neurite::Relu;
    ///
    /// let layer = ActivationLayer::<f32, _>::new(Relu);
    /// assert_eq!(layer.activation(), &Relu);
    /// ```
    pub fn new(activation: A) -> Self {
        Self {
            activation,
            features: 0,
            element: std::marker::PhantomData,
        }
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
    /// use ndarray::array;
    /// use neurite::layer::ActivationLayer;
    /// use neurite::{Layer, Relu};
    ///
    /// let layer = ActivationLayer::new(Relu).with_width(2)?;
    /// assert_eq!(layer.forward(array![[-1.0_f32, 2.0]].view())?, array![[0.0, 2.0]]);
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn with_width(self, features: usize) -> Result<Self, Error> {
        check_positive("Activation features", features)?;
        Ok(Self { features, ..self })
    }

    /// The activation.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::layer::ActivationLayer;
    /// use neurite::Tanh;
    ///
    /// assert_eq!(ActivationLayer::<f64, _>::new(Tanh).activation(), &Tanh);
    /// ```
    pub fn activation(&self) -> &A {
        &self.activation
    }
}

impl<T: Element, A: Activation<T> + Send + Sync> Layer<T> for ActivationLayer<T, A> {
    fn input_width(&self) -> usize {
        self.features
    }

    fn output_width(&self) -> usize {
        self.features
    }

    fn class_name(&self) -> &'static str {
        "Activation"
    }

    fn activation_name(&self) -> &'static str {
        self.activation.name()
    }

    fn spec(&self) -> Option<LayerSpec> {
        Some(LayerSpec::Activation {
            features: self.features,
            activation: self.activation.builtin()?.into(),
        })
    }

    fn adopt_width(&mut self, width: usize) {
        self.features = width;
    }

    /// The pre-activations are the inputs.
    fn pre_activation_into(
        &self,
        x: ArrayView2<'_, T>,
        mut out: ArrayViewMut2<'_, T>,
    ) -> Result<(), Error> {
        check_io(self, &x, &out)?;
        out.assign(&x);
        Ok(())
    }

    fn activate(&self, pre_activations: ArrayViewMut2<'_, T>) {
        self.activation.apply_rows(pre_activations);
    }

    fn forward_row_major(&self, rows: usize, x: &[T], out: &mut [T]) -> Result<(), Error> {
        check_rows(self, rows, x, out)?;
        out.copy_from_slice(x);
        self.activation.apply_row_major(out, self.features);
        Ok(())
    }

    fn backward_activation(
        &self,
        pre: ArrayView2<'_, T>,
        out: ArrayView2<'_, T>,
        grad: ArrayViewMut2<'_, T>,
    ) {
        self.activation.backward_rows(pre, out, grad);
    }

    /// The identity's backward pass: `∂L/∂x = ∂L/∂pre`.
    fn backward_affine(
        &self,
        x: ArrayView2<'_, T>,
        _trace: ArrayViewMut2<'_, T>,
        grad_pre: ArrayView2<'_, T>,
        weight_grads: &mut [T],
        grad_input: Option<ArrayViewMut2<'_, T>>,
    ) -> Result<(), Error> {
        check_backward(self, &x, &grad_pre, weight_grads, grad_input.as_ref())?;
        if let Some(mut grad_x) = grad_input {
            grad_x.assign(&grad_pre);
        }
        Ok(())
    }
}

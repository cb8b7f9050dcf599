//! [`LayerSpec`]: a layer's type, sizes and activation without its
//! weights, and the one place that builds a layer from it.

use super::normalization::{check_epsilon, check_momentum};
use super::{
    ActivationLayer, BatchNormalization, Dense, Dropout, Layer, LayerNormalization, Maxout,
};
use crate::Element;
use crate::activation::{ActivationSpec, BuiltinActivation};
use crate::error::{Error, format_error};
use ndarray::{Array2, Array3};

/// One layer of a [`ModelSpec`](crate::io::ModelSpec): its type, sizes and
/// hyper-parameters (named as Keras's configs name them), and for [`Dense`]
/// and [`ActivationLayer`] the activation with its parameters.
///
/// In JSON the type is the `"kind"` field:
/// `{"kind": "Dense", "inputs": 4, "units": 8, "activation": {"name": "relu"}}`
/// (with `"use_bias": false` for a layer without bias),
/// `{"kind": "Maxout", "inputs": 8, "units": 3, "pieces": 2}`,
/// `{"kind": "BatchNormalization", "features": 8, "momentum": 0.99, "epsilon": 0.001, "center": true, "scale": true}`,
/// `{"kind": "LayerNormalization", "features": 8, "epsilon": 0.001, "center": true, "scale": true}`,
/// `{"kind": "Dropout", "features": 8, "rate": 0.5}`,
/// `{"kind": "Activation", "features": 8, "activation": {"name": "gelu"}}`.
///
/// # Example
///
/// ```
/// use neurite::io::{ActivationSpec, LayerSpec};
/// use neurite::{Dense, Layer, Relu};
///
/// let layer = Dense::<f64, _>::glorot(4, 8, Relu, 0)?;
/// let spec = layer.spec().expect("a built-in activation");
/// assert_eq!(spec, LayerSpec::Dense { inputs: 4, units: 8, activation: ActivationSpec::Relu, use_bias: true });
/// assert_eq!(spec.weight_shapes(), [vec![4, 8], vec![8]]);
/// # Ok::<(), neurite::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", deny_unknown_fields)]
#[non_exhaustive]
pub enum LayerSpec {
    /// A [`Dense`] layer with a built-in activation.
    Dense {
        /// Input features.
        inputs: usize,
        /// Units (output features).
        units: usize,
        /// The activation after the affine part.
        activation: ActivationSpec,
        /// Whether the layer has a bias (absent in JSON: it has).
        #[serde(default = "with_bias", skip_serializing_if = "is_with_bias")]
        use_bias: bool,
    },
    /// A [`Maxout`] layer.
    Maxout {
        /// Input features.
        inputs: usize,
        /// Units (output features).
        units: usize,
        /// Affine pieces per unit, `k`.
        pieces: usize,
    },
    /// A [`BatchNormalization`] layer.
    BatchNormalization {
        /// Features in and out.
        features: usize,
        /// The moving averages' momentum.
        momentum: f64,
        /// Added to the variance.
        epsilon: f64,
        /// Whether it has `beta`.
        center: bool,
        /// Whether it has `gamma`.
        scale: bool,
    },
    /// A [`LayerNormalization`] layer.
    LayerNormalization {
        /// Features in and out.
        features: usize,
        /// Added to the variance.
        epsilon: f64,
        /// Whether it has `beta`.
        center: bool,
        /// Whether it has `gamma`.
        scale: bool,
    },
    /// A [`Dropout`] layer.
    Dropout {
        /// Features in and out.
        features: usize,
        /// The fraction dropped in training.
        rate: f64,
    },
    /// An [`ActivationLayer`] with a built-in activation (Keras's
    /// `Activation`).
    Activation {
        /// Features in and out.
        features: usize,
        /// The activation.
        activation: ActivationSpec,
    },
}

fn with_bias() -> bool {
    true
}

fn is_with_bias(use_bias: &bool) -> bool {
    *use_bias
}

/// Where a built layer's weights come from.
pub(crate) enum Weights<T> {
    /// Glorot-uniform kernels from this seed and zero biases, as the
    /// layers' `glorot` constructors draw them.
    Glorot(u64),
    /// These values, one vector per array of
    /// [`weight_shapes`](LayerSpec::weight_shapes), each of that shape's
    /// size.
    Given(Vec<Vec<T>>),
}

impl LayerSpec {
    /// The layer type's name, as [`Layer::class_name`] gives it and as the
    /// JSON `"kind"` field holds it.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::io::LayerSpec;
    ///
    /// assert_eq!(LayerSpec::Maxout { inputs: 2, units: 1, pieces: 2 }.kind(), "Maxout");
    /// ```
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Dense { .. } => "Dense",
            Self::Maxout { .. } => "Maxout",
            Self::BatchNormalization { .. } => "BatchNormalization",
            Self::LayerNormalization { .. } => "LayerNormalization",
            Self::Dropout { .. } => "Dropout",
            Self::Activation { .. } => "Activation",
        }
    }

    /// Input features.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::io::LayerSpec;
    ///
    /// assert_eq!(LayerSpec::Maxout { inputs: 2, units: 1, pieces: 2 }.inputs(), 2);
    /// ```
    pub fn inputs(&self) -> usize {
        match *self {
            Self::Dense { inputs, .. } | Self::Maxout { inputs, .. } => inputs,
            _ => self.units(),
        }
    }

    /// Units (output features).
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::io::LayerSpec;
    ///
    /// assert_eq!(LayerSpec::Maxout { inputs: 2, units: 1, pieces: 2 }.units(), 1);
    /// ```
    pub fn units(&self) -> usize {
        match *self {
            Self::Dense { units, .. } | Self::Maxout { units, .. } => units,
            Self::BatchNormalization { features, .. }
            | Self::LayerNormalization { features, .. }
            | Self::Dropout { features, .. }
            | Self::Activation { features, .. } => features,
        }
    }

    /// The shapes of the layer's weight arrays, as
    /// [`Layer::weight_shapes`] gives them (Keras's `get_weights()` order).
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::io::LayerSpec;
    ///
    /// let maxout = LayerSpec::Maxout { inputs: 4, units: 3, pieces: 2 };
    /// assert_eq!(maxout.weight_shapes(), [vec![2, 4, 3], vec![2, 3]]);
    /// ```
    pub fn weight_shapes(&self) -> Vec<Vec<usize>> {
        match *self {
            Self::Dense { inputs, units, .. } => {
                let mut shapes = vec![vec![inputs, units], vec![units]];
                shapes.truncate(self.weight_names().len());
                shapes
            }
            Self::Maxout {
                inputs,
                units,
                pieces,
            } => vec![vec![pieces, inputs, units], vec![pieces, units]],
            _ => vec![vec![self.units()]; self.weight_names().len()],
        }
    }

    /// The names of the layer's weight arrays, Keras's variable names in
    /// [`weight_shapes`](Self::weight_shapes) order (the model file's
    /// tensors are `layers.{i}.{name}`).
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::io::LayerSpec;
    ///
    /// let spec = LayerSpec::BatchNormalization {
    ///     features: 4, momentum: 0.99, epsilon: 1e-3, center: false, scale: true,
    /// };
    /// assert_eq!(spec.weight_names(), ["gamma", "moving_mean", "moving_variance"]);
    /// ```
    pub fn weight_names(&self) -> Vec<&'static str> {
        let normalization = |center: bool, scale: bool| {
            let optional = [(scale, "gamma"), (center, "beta")];
            optional
                .into_iter()
                .filter(|(on, _)| *on)
                .map(|(_, name)| name)
        };
        match *self {
            Self::Dense { use_bias: true, .. } | Self::Maxout { .. } => vec!["kernel", "bias"],
            Self::Dense { .. } => vec!["kernel"],
            Self::BatchNormalization { center, scale, .. } => normalization(center, scale)
                .chain(["moving_mean", "moving_variance"])
                .collect(),
            Self::LayerNormalization { center, scale, .. } => {
                normalization(center, scale).collect()
            }
            Self::Dropout { .. } | Self::Activation { .. } => Vec::new(),
        }
    }

    /// The number of parameters, or `None` if it overflows `usize`.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::io::{ActivationSpec, LayerSpec};
    ///
    /// let dense = LayerSpec::Dense { inputs: 2, units: 3, activation: ActivationSpec::Relu, use_bias: true };
    /// assert_eq!(dense.param_count(), Some(9));
    /// ```
    pub fn param_count(&self) -> Option<usize> {
        self.weight_shapes().iter().try_fold(0_usize, |sum, shape| {
            sum.checked_add(checked_product(shape)?)
        })
    }

    /// Checks the sizes (at least 1, a parameter count that fits in
    /// `usize`), the layer's hyper-parameters as its constructor does, and
    /// the activation's parameters (finite, JSON has no NaN; in the
    /// function's range).
    pub(crate) fn validate(&self, what: &str) -> Result<(), Error> {
        let mut sizes = match self {
            Self::Dense { .. } | Self::Maxout { .. } => {
                vec![("inputs", self.inputs()), ("units", self.units())]
            }
            _ => vec![("features", self.units())],
        };
        if let Self::Maxout { pieces, .. } = *self {
            sizes.push(("pieces", pieces));
        }
        if let Some((name, _)) = sizes.iter().find(|(_, size)| *size == 0) {
            return Err(format_error(
                &format!("{what} {name}"),
                "at least 1",
                "0".to_owned(),
            ));
        }
        if self.param_count().is_none() {
            return Err(format_error(
                &format!("{what} sizes"),
                "a parameter count that fits in memory",
                format!("{:?}", self.weight_shapes()),
            ));
        }
        match *self {
            Self::Dense { activation, .. } | Self::Activation { activation, .. } => {
                activation.check(what)
            }
            Self::BatchNormalization {
                momentum, epsilon, ..
            } => check_momentum(momentum).and(check_epsilon("BatchNormalization epsilon", epsilon)),
            Self::LayerNormalization { epsilon, .. } => {
                check_epsilon("LayerNormalization epsilon", epsilon)
            }
            Self::Dropout { rate, .. } => Dropout::new(rate).map(drop),
            Self::Maxout { .. } => Ok(()),
        }
    }

    /// The layer this describes, in the element type `T`: what
    /// [`ModelSpec::build`](crate::io::ModelSpec::build) and
    /// [`Sequential::load`](crate::Sequential::load) both add.
    ///
    /// # Errors
    ///
    /// As the layer's constructor, for sizes that [`validate`](Self::validate)
    /// refuses; [`Error::ShapeMismatch`] when a given array does not hold
    /// its shape's number of values.
    pub(crate) fn build<T: Element>(
        &self,
        weights: Weights<T>,
    ) -> Result<Box<dyn Layer<T>>, Error> {
        let arrays = match weights {
            Weights::Glorot(seed) => return self.fresh(seed),
            Weights::Given(arrays) => arrays,
        };
        match *self {
            Self::Dense {
                activation,
                use_bias,
                ..
            } => {
                let activation: BuiltinActivation<T> = activation.to_builtin();
                let mut arrays = self.shaped(arrays)?.into_iter();
                let kernel = arrays.next().map(|kernel| kernel.into_dimensionality());
                let kernel = kernel.ok_or_else(|| count_error(self, 0))?;
                let kernel = kernel.map_err(|e| shape_error("Dense kernel", e))?;
                match (use_bias, arrays.next()) {
                    (true, Some(bias)) => {
                        let bias = bias.into_dimensionality();
                        let bias = bias.map_err(|e| shape_error("Dense bias", e))?;
                        Ok(Box::new(Dense::new(kernel, bias, activation)?))
                    }
                    _ => Ok(Box::new(Dense::without_bias(kernel, activation)?)),
                }
            }
            Self::Maxout {
                inputs,
                units,
                pieces,
            } => {
                let [kernels, biases] = two_arrays(arrays, "Maxout")?;
                let kernels = Array3::from_shape_vec((pieces, inputs, units), kernels);
                let biases = Array2::from_shape_vec((pieces, units), biases);
                Ok(Box::new(Maxout::new(
                    kernels.map_err(|e| shape_error("Maxout kernels", e))?,
                    biases.map_err(|e| shape_error("Maxout biases", e))?,
                )?))
            }
            _ => {
                let mut layer = self.fresh(0)?;
                layer.set_weights(&self.shaped(arrays)?)?;
                Ok(layer)
            }
        }
    }

    /// The layer with Keras's initial weights: Glorot-uniform kernels
    /// from `seed` and zero biases, gamma 1, beta 0, moving mean 0, moving
    /// variance 1.
    fn fresh<T: Element>(&self, seed: u64) -> Result<Box<dyn Layer<T>>, Error> {
        Ok(match *self {
            Self::Dense {
                inputs,
                units,
                activation,
                use_bias,
            } => {
                let activation: BuiltinActivation<T> = activation.to_builtin();
                let layer = Dense::glorot(inputs, units, activation, seed)?;
                match use_bias {
                    true => Box::new(layer),
                    false => Box::new(Dense::without_bias(
                        layer.kernel().clone(),
                        *layer.activation(),
                    )?),
                }
            }
            Self::Maxout {
                inputs,
                units,
                pieces,
            } => Box::new(Maxout::<T>::glorot(pieces, inputs, units, seed)?),
            Self::BatchNormalization {
                features,
                momentum,
                epsilon,
                center,
                scale,
            } => Box::new(
                BatchNormalization::new(features)?
                    .momentum(momentum)?
                    .epsilon(epsilon)?
                    .center(center)
                    .scale(scale),
            ),
            Self::LayerNormalization {
                features,
                epsilon,
                center,
                scale,
            } => Box::new(
                LayerNormalization::new(features)?
                    .epsilon(epsilon)?
                    .center(center)
                    .scale(scale),
            ),
            Self::Dropout { features, rate } => Box::new(Dropout::new(rate)?.with_width(features)?),
            Self::Activation {
                features,
                activation,
            } => {
                let activation: BuiltinActivation<T> = activation.to_builtin();
                Box::new(ActivationLayer::new(activation).with_width(features)?)
            }
        })
    }

    /// The given values as arrays of [`weight_shapes`](Self::weight_shapes).
    fn shaped<T: Element>(&self, arrays: Vec<Vec<T>>) -> Result<Vec<ndarray::ArrayD<T>>, Error> {
        let shapes = self.weight_shapes();
        if shapes.len() != arrays.len() {
            return Err(count_error(self, arrays.len()));
        }
        let names = self.weight_names();
        let arrays = shapes.into_iter().zip(arrays).zip(names);
        arrays
            .map(|((shape, values), name)| {
                ndarray::ArrayD::from_shape_vec(shape, values)
                    .map_err(|e| shape_error(&format!("{} {name}", self.kind()), e))
            })
            .collect()
    }
}

/// A kernel and a bias, or an error naming how many arrays there were.
fn two_arrays<T>(arrays: Vec<Vec<T>>, class_name: &str) -> Result<[Vec<T>; 2], Error> {
    let found = arrays.len();
    <[Vec<T>; 2]>::try_from(arrays).map_err(|_| Error::WeightCountMismatch {
        what: class_name.to_owned(),
        expected: 2,
        found,
    })
}

/// The wrong number of weight arrays for `spec`.
fn count_error(spec: &LayerSpec, found: usize) -> Error {
    Error::WeightCountMismatch {
        what: spec.kind().to_owned(),
        expected: spec.weight_shapes().len(),
        found,
    }
}

/// A vector whose length does not fit the shape it was given.
fn shape_error(what: &str, error: ndarray::ShapeError) -> Error {
    format_error(what, "as many values as its shape holds", error.to_string())
}

/// The product of the sizes, or `None` on overflow.
pub(crate) fn checked_product(shape: &[usize]) -> Option<usize> {
    shape
        .iter()
        .try_fold(1_usize, |product, &size| product.checked_mul(size))
}

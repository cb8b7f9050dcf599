//! [`LayerSpec`]: a layer's type, sizes and activation without its
//! weights, and the one place that builds a layer from it.

use super::{Dense, Layer, Maxout};
use crate::Element;
use crate::activation::{ActivationSpec, BuiltinActivation};
use crate::error::{Error, format_error};
use ndarray::{Array1, Array2, Array3};

/// One layer of a [`ModelSpec`](crate::io::ModelSpec): its type and sizes,
/// and for [`Dense`] its activation with the activation's parameters.
///
/// In JSON the type is the `"kind"` field:
/// `{"kind": "Dense", "inputs": 4, "units": 8, "activation": {"name": "relu"}}`,
/// `{"kind": "Maxout", "inputs": 8, "units": 3, "pieces": 2}`.
///
/// # Example
///
/// ```
/// use neurite::io::{ActivationSpec, LayerSpec};
/// use neurite::{Dense, Layer, Relu};
///
/// let layer = Dense::<f64, _>::glorot(4, 8, Relu, 0)?;
/// let spec = layer.spec().expect("a built-in activation");
/// assert_eq!(spec, LayerSpec::Dense { inputs: 4, units: 8, activation: ActivationSpec::Relu });
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
        }
    }

    /// The shapes of the layer's weight arrays, as
    /// [`Layer::weight_shapes`] gives them: kernel then bias.
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
            Self::Dense { inputs, units, .. } => vec![vec![inputs, units], vec![units]],
            Self::Maxout {
                inputs,
                units,
                pieces,
            } => vec![vec![pieces, inputs, units], vec![pieces, units]],
        }
    }

    /// The number of parameters, or `None` if it overflows `usize`.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::io::{ActivationSpec, LayerSpec};
    ///
    /// let dense = LayerSpec::Dense { inputs: 2, units: 3, activation: ActivationSpec::Relu };
    /// assert_eq!(dense.param_count(), Some(9));
    /// ```
    pub fn param_count(&self) -> Option<usize> {
        self.weight_shapes().iter().try_fold(0_usize, |sum, shape| {
            sum.checked_add(checked_product(shape)?)
        })
    }

    /// Checks the sizes (at least 1, a parameter count that fits in
    /// `usize`) and the activation's parameters (finite, JSON has no NaN;
    /// in the function's range).
    pub(crate) fn validate(&self, what: &str) -> Result<(), Error> {
        let mut sizes = vec![("inputs", self.inputs()), ("units", self.units())];
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
        if let Self::Dense { activation, .. } = self {
            activation.check(what)?;
        }
        Ok(())
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
        Ok(match (*self, weights) {
            (
                Self::Dense {
                    inputs,
                    units,
                    activation,
                },
                Weights::Glorot(seed),
            ) => {
                let activation: BuiltinActivation<T> = activation.to_builtin();
                Box::new(Dense::glorot(inputs, units, activation, seed)?)
            }
            (
                Self::Dense {
                    inputs,
                    units,
                    activation,
                },
                Weights::Given(arrays),
            ) => {
                let [kernel, bias] = two_arrays(arrays, "Dense")?;
                let kernel = Array2::from_shape_vec((inputs, units), kernel);
                let activation: BuiltinActivation<T> = activation.to_builtin();
                Box::new(Dense::new(
                    kernel.map_err(|e| shape_error("Dense kernel", e))?,
                    Array1::from_vec(bias),
                    activation,
                )?)
            }
            (
                Self::Maxout {
                    inputs,
                    units,
                    pieces,
                },
                Weights::Glorot(seed),
            ) => Box::new(Maxout::<T>::glorot(pieces, inputs, units, seed)?),
            (
                Self::Maxout {
                    inputs,
                    units,
                    pieces,
                },
                Weights::Given(arrays),
            ) => {
                let [kernels, biases] = two_arrays(arrays, "Maxout")?;
                let kernels = Array3::from_shape_vec((pieces, inputs, units), kernels);
                let biases = Array2::from_shape_vec((pieces, units), biases);
                Box::new(Maxout::new(
                    kernels.map_err(|e| shape_error("Maxout kernels", e))?,
                    biases.map_err(|e| shape_error("Maxout biases", e))?,
                )?)
            }
        })
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

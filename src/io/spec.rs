//! The architecture description: [`ModelSpec`], [`LayerSpec`] and
//! [`ActivationSpec`], with their JSON form.

use crate::activation::{Activation, BuiltinActivation, Elu, LeakyRelu};
use crate::error::Error;
use crate::{Dense, Element, Maxout, Sequential};
use num_traits::Float;
use serde_json::{Map, Value};

/// The version of the file layout and of the JSON description that this
/// crate writes. Files with a larger version are refused.
///
/// # Example
///
/// ```
/// use neurite::io::{FORMAT_VERSION, ModelSpec};
///
/// assert_eq!(ModelSpec::new(Vec::new()).format_version, FORMAT_VERSION);
/// ```
pub const FORMAT_VERSION: u32 = 1;

/// The architecture of a [`Sequential`] model: its layers, and, when it was
/// taken from a model, the element type and the crate version that wrote
/// it. Everything a file needs besides the weights.
///
/// [`Sequential::spec`] describes a model, [`ModelSpec::build`] builds an
/// untrained one, and [`to_json`](ModelSpec::to_json) /
/// [`from_json`](ModelSpec::from_json) give the JSON that
/// [`Sequential::save`] stores (see `docs/file-format.md`). With the
/// `serde` feature the three spec types implement `Serialize` and
/// `Deserialize` in the same layout, so a model's shape can live in a
/// configuration file of any serde format.
///
/// # Example
///
/// ```
/// use neurite::io::{ActivationSpec, LayerSpec, ModelSpec};
///
/// let spec = ModelSpec::new(vec![
///     LayerSpec::Dense { inputs: 4, units: 8, activation: ActivationSpec::Relu },
///     LayerSpec::Maxout { inputs: 8, units: 3, pieces: 2 },
///     LayerSpec::Dense { inputs: 3, units: 1, activation: ActivationSpec::Sigmoid },
/// ]);
/// let model = spec.build::<f32>(42)?;
/// assert_eq!(model.param_count(), 4 * 8 + 8 + 2 * (8 * 3 + 3) + 3 + 1);
///
/// let json = spec.to_json();
/// assert_eq!(ModelSpec::from_json(&json)?, spec);
/// # Ok::<(), neurite::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields)
)]
pub struct ModelSpec {
    /// The layout version ([`FORMAT_VERSION`] for descriptions made by this
    /// crate; optional in JSON, where it defaults to that).
    #[cfg_attr(feature = "serde", serde(default = "current_format_version"))]
    pub format_version: u32,
    /// The version of neurite that wrote the description, for the record
    /// (not checked when loading). `None` in hand-written descriptions.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub crate_version: Option<String>,
    /// The element type of the weights: `"float32"`, `"float64"`, or for
    /// other types their [`std::any::type_name`]. [`Sequential::load`]
    /// requires its own type here; [`build`](ModelSpec::build) ignores it.
    /// `None` in hand-written descriptions.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub dtype: Option<String>,
    /// The layers, first to last.
    pub layers: Vec<LayerSpec>,
}

#[cfg(feature = "serde")]
fn current_format_version() -> u32 {
    FORMAT_VERSION
}

/// One layer of a [`ModelSpec`]: its type and sizes, and for [`Dense`]
/// its activation with the activation's parameters.
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
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(tag = "kind", deny_unknown_fields)
)]
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

/// A built-in activation with its parameters, in a form that does not
/// depend on the element type: the parameters are `f64`s (the exact value
/// of an `f32` or `f64` parameter, so converting back is exact).
///
/// In JSON the function is the `"name"` field (Keras's names):
/// `{"name": "relu"}`, `{"name": "leaky_relu", "slope": 0.2}`,
/// `{"name": "elu", "alpha": 1.0}`.
///
/// # Example
///
/// ```
/// use neurite::io::ActivationSpec;
/// use neurite::{Activation, BuiltinActivation, LeakyRelu};
///
/// let spec = ActivationSpec::from(BuiltinActivation::from(LeakyRelu::new(0.1_f32)));
/// assert_eq!(spec, ActivationSpec::LeakyRelu { slope: f64::from(0.1_f32) });
/// let back: BuiltinActivation<f32> = spec.to_builtin();
/// assert_eq!(back.apply(-1.0), -0.1_f32);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(tag = "name", rename_all = "snake_case", try_from = "RawActivation")
)]
#[non_exhaustive]
pub enum ActivationSpec {
    /// [`Sigmoid`](crate::Sigmoid).
    Sigmoid,
    /// [`Tanh`](crate::Tanh).
    Tanh,
    /// [`Relu`](crate::Relu).
    Relu,
    /// [`LeakyRelu`] with its slope for negative inputs.
    LeakyRelu {
        /// The slope for negative inputs.
        slope: f64,
    },
    /// [`Elu`] with its `alpha`.
    Elu {
        /// The negative saturation value.
        alpha: f64,
    },
    /// [`Linear`](crate::Linear).
    Linear,
    /// [`Softmax`](crate::Softmax).
    Softmax,
}

/// What serde reads for an [`ActivationSpec`]: the derive for an
/// internally tagged enum would ignore unknown fields of the variants
/// without parameters, so the checks are those of
/// [`ModelSpec::from_json`].
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawActivation {
    name: String,
    slope: Option<f64>,
    alpha: Option<f64>,
}

#[cfg(feature = "serde")]
impl TryFrom<RawActivation> for ActivationSpec {
    type Error = Error;

    fn try_from(raw: RawActivation) -> Result<Self, Error> {
        let mut map = Map::new();
        map.insert("name".into(), Value::from(raw.name));
        if let Some(slope) = raw.slope {
            map.insert("slope".into(), number(slope));
        }
        if let Some(alpha) = raw.alpha {
            map.insert("alpha".into(), number(alpha));
        }
        Self::from_value(&Value::Object(map), "activation")
    }
}

impl ActivationSpec {
    /// The Keras name of the function (`"relu"`, `"leaky_relu"`, …), as in
    /// the JSON form.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::io::ActivationSpec;
    ///
    /// assert_eq!(ActivationSpec::Elu { alpha: 1.0 }.name(), "elu");
    /// ```
    pub fn name(&self) -> &'static str {
        match self {
            Self::Sigmoid => "sigmoid",
            Self::Tanh => "tanh",
            Self::Relu => "relu",
            Self::LeakyRelu { .. } => "leaky_relu",
            Self::Elu { .. } => "elu",
            Self::Linear => "linear",
            Self::Softmax => "softmax",
        }
    }

    /// The activation in the element type `T`. Parameters are converted
    /// with `T::from(f64)`: exact for a parameter that came from a `T`.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::io::ActivationSpec;
    /// use neurite::{Activation, BuiltinActivation};
    ///
    /// let elu: BuiltinActivation<f64> = ActivationSpec::Elu { alpha: 0.5 }.to_builtin();
    /// assert_eq!(elu.apply(f64::NEG_INFINITY), -0.5);
    /// ```
    pub fn to_builtin<T: Float>(&self) -> BuiltinActivation<T> {
        let convert = |value: f64| T::from(value).unwrap_or_else(T::nan);
        match *self {
            Self::Sigmoid => BuiltinActivation::Sigmoid(crate::Sigmoid),
            Self::Tanh => BuiltinActivation::Tanh(crate::Tanh),
            Self::Relu => BuiltinActivation::Relu(crate::Relu),
            Self::LeakyRelu { slope } => {
                BuiltinActivation::LeakyRelu(LeakyRelu::new(convert(slope)))
            }
            Self::Elu { alpha } => BuiltinActivation::Elu(Elu::new(convert(alpha))),
            Self::Linear => BuiltinActivation::Linear(crate::Linear),
            Self::Softmax => BuiltinActivation::Softmax(crate::Softmax),
        }
    }

    /// The parameter, if the function has one: `("slope", value)` or
    /// `("alpha", value)`.
    fn parameter(&self) -> Option<(&'static str, f64)> {
        match *self {
            Self::LeakyRelu { slope } => Some(("slope", slope)),
            Self::Elu { alpha } => Some(("alpha", alpha)),
            _ => None,
        }
    }

    fn to_value(self) -> Value {
        let mut map = Map::new();
        map.insert("name".into(), Value::from(self.name()));
        if let Some((key, value)) = self.parameter() {
            map.insert(key.into(), number(value));
        }
        Value::Object(map)
    }

    fn from_value(value: &Value, what: &str) -> Result<Self, Error> {
        let map = object(value, what)?;
        let name = string_field(map, "name", what)?;
        let (spec, allowed): (Self, &[&str]) = match name {
            "sigmoid" => (Self::Sigmoid, &["name"]),
            "tanh" => (Self::Tanh, &["name"]),
            "relu" => (Self::Relu, &["name"]),
            "linear" => (Self::Linear, &["name"]),
            "softmax" => (Self::Softmax, &["name"]),
            "leaky_relu" => (
                Self::LeakyRelu {
                    slope: float_field(map, "slope", what)?,
                },
                &["name", "slope"],
            ),
            "elu" => (
                Self::Elu {
                    alpha: float_field(map, "alpha", what)?,
                },
                &["name", "alpha"],
            ),
            _ => {
                return Err(Error::UnknownActivation {
                    name: shorten(name),
                });
            }
        };
        only_keys(map, allowed, what)?;
        Ok(spec)
    }
}

impl<T: Float> From<BuiltinActivation<T>> for ActivationSpec {
    /// The description of a built-in activation; parameters are widened to
    /// `f64` (exactly, for `f32` and `f64`).
    fn from(activation: BuiltinActivation<T>) -> Self {
        let widen = |value: T| value.to_f64().unwrap_or(f64::NAN);
        match activation {
            BuiltinActivation::Sigmoid(_) => Self::Sigmoid,
            BuiltinActivation::Tanh(_) => Self::Tanh,
            BuiltinActivation::Relu(_) => Self::Relu,
            BuiltinActivation::LeakyRelu(f) => Self::LeakyRelu {
                slope: widen(f.slope()),
            },
            BuiltinActivation::Elu(f) => Self::Elu {
                alpha: widen(f.alpha()),
            },
            BuiltinActivation::Linear(_) => Self::Linear,
            BuiltinActivation::Softmax(_) => Self::Softmax,
        }
    }
}

impl<T: Float> From<ActivationSpec> for BuiltinActivation<T> {
    /// As [`ActivationSpec::to_builtin`].
    fn from(spec: ActivationSpec) -> Self {
        spec.to_builtin()
    }
}

impl LayerSpec {
    /// The layer type's name, as [`Layer::class_name`](crate::Layer::class_name)
    /// gives it and as the JSON `"kind"` field holds it.
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
    /// [`Layer::weight_shapes`](crate::Layer::weight_shapes) gives them:
    /// kernel then bias.
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
    /// `usize`) and the activation's parameters (finite: JSON has no NaN).
    fn validate(&self, what: &str) -> Result<(), Error> {
        let mut sizes = vec![("inputs", self.inputs()), ("units", self.units())];
        if let Self::Maxout { pieces, .. } = *self {
            sizes.push(("pieces", pieces));
        }
        for (name, value) in sizes {
            if value == 0 {
                return Err(format_error(
                    &format!("{what} {name}"),
                    "at least 1",
                    "0".to_owned(),
                ));
            }
        }
        if self.param_count().is_none() {
            return Err(format_error(
                &format!("{what} sizes"),
                "a parameter count that fits in memory",
                format!("{:?}", self.weight_shapes()),
            ));
        }
        if let Self::Dense { activation, .. } = self
            && let Some((name, value)) = activation.parameter()
            && !value.is_finite()
        {
            return Err(format_error(
                &format!("{what} activation {}", activation.name()),
                &format!("a finite {name} (JSON has no NaN or infinity)"),
                value.to_string(),
            ));
        }
        Ok(())
    }

    fn to_value(self) -> Value {
        let mut map = Map::new();
        map.insert("kind".into(), Value::from(self.kind()));
        map.insert("inputs".into(), Value::from(self.inputs()));
        map.insert("units".into(), Value::from(self.units()));
        match self {
            Self::Dense { activation, .. } => {
                map.insert("activation".into(), activation.to_value());
            }
            Self::Maxout { pieces, .. } => {
                map.insert("pieces".into(), Value::from(pieces));
            }
        }
        Value::Object(map)
    }

    fn from_value(value: &Value, what: &str) -> Result<Self, Error> {
        let map = object(value, what)?;
        let kind = string_field(map, "kind", what)?;
        let inputs = size_field(map, "inputs", what)?;
        let units = size_field(map, "units", what)?;
        match kind {
            "Dense" => {
                only_keys(map, &["kind", "inputs", "units", "activation"], what)?;
                let activation = map
                    .get("activation")
                    .ok_or_else(|| missing(what, "activation"))?;
                Ok(Self::Dense {
                    inputs,
                    units,
                    activation: ActivationSpec::from_value(
                        activation,
                        &format!("{what} activation"),
                    )?,
                })
            }
            "Maxout" => {
                only_keys(map, &["kind", "inputs", "units", "pieces"], what)?;
                Ok(Self::Maxout {
                    inputs,
                    units,
                    pieces: size_field(map, "pieces", what)?,
                })
            }
            _ => Err(format_error(
                &format!("{what} kind"),
                "\"Dense\" or \"Maxout\"",
                format!("{:?}", shorten(kind)),
            )),
        }
    }
}

impl ModelSpec {
    /// A description of the given layers, with the current
    /// [`FORMAT_VERSION`] and no element type or crate version.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::io::{ActivationSpec, LayerSpec, ModelSpec};
    ///
    /// let spec = ModelSpec::new(vec![LayerSpec::Dense {
    ///     inputs: 2,
    ///     units: 1,
    ///     activation: ActivationSpec::Sigmoid,
    /// }]);
    /// assert_eq!(spec.dtype, None);
    /// assert_eq!(spec.param_count(), Some(3));
    /// ```
    pub fn new(layers: Vec<LayerSpec>) -> Self {
        Self {
            format_version: FORMAT_VERSION,
            crate_version: None,
            dtype: None,
            layers,
        }
    }

    /// The number of parameters of all layers, or `None` if it overflows
    /// `usize`.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::io::{LayerSpec, ModelSpec};
    ///
    /// let spec = ModelSpec::new(vec![LayerSpec::Maxout { inputs: 2, units: 1, pieces: 2 }]);
    /// assert_eq!(spec.param_count(), Some(6));
    /// ```
    pub fn param_count(&self) -> Option<usize> {
        self.layers
            .iter()
            .try_fold(0_usize, |sum, layer| sum.checked_add(layer.param_count()?))
    }

    /// Checks the description: a [`format_version`](ModelSpec::format_version)
    /// this crate reads, sizes of at least 1 whose parameter counts fit in
    /// `usize`, finite activation parameters, and each layer taking as
    /// many inputs as the previous one gives.
    ///
    /// # Errors
    ///
    /// [`Error::Format`] naming the first problem.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::io::{ActivationSpec, LayerSpec, ModelSpec};
    /// use neurite::Error;
    ///
    /// let spec = ModelSpec::new(vec![
    ///     LayerSpec::Dense { inputs: 2, units: 4, activation: ActivationSpec::Relu },
    ///     LayerSpec::Dense { inputs: 3, units: 1, activation: ActivationSpec::Sigmoid },
    /// ]);
    /// assert!(matches!(spec.validate(), Err(Error::Format { .. })));
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        if self.format_version == 0 || self.format_version > FORMAT_VERSION {
            return Err(format_error(
                "format_version",
                &format!(
                    "1 to {FORMAT_VERSION} (this is neurite {})",
                    env!("CARGO_PKG_VERSION")
                ),
                self.format_version.to_string(),
            ));
        }
        let mut previous: Option<usize> = None;
        for (i, layer) in self.layers.iter().enumerate() {
            let what = format!("layer {i} ({})", layer.kind());
            layer.validate(&what)?;
            if let Some(width) = previous
                && width != layer.inputs()
            {
                return Err(format_error(
                    &format!("{what} inputs"),
                    &format!("{width} (the units of layer {})", i - 1),
                    layer.inputs().to_string(),
                ));
            }
            previous = Some(layer.units());
        }
        if self.param_count().is_none() {
            return Err(format_error(
                "parameter count",
                "a total that fits in memory",
                "an overflow".to_owned(),
            ));
        }
        Ok(())
    }

    /// An untrained model of this architecture, in the element type `T`:
    /// every kernel drawn from Glorot's uniform distribution (layer `i`
    /// from seed `seed + i`), biases zero, as [`Dense::glorot`] and
    /// [`Maxout::glorot`] do. [`dtype`](ModelSpec::dtype) is not checked.
    ///
    /// # Errors
    ///
    /// As [`validate`](ModelSpec::validate).
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::io::ModelSpec;
    ///
    /// let json = r#"{"layers": [
    ///     {"kind": "Dense", "inputs": 3, "units": 4, "activation": {"name": "leaky_relu", "slope": 0.1}},
    ///     {"kind": "Dense", "inputs": 4, "units": 2, "activation": {"name": "softmax"}}
    /// ]}"#;
    /// let model = ModelSpec::from_json(json)?.build::<f64>(7)?;
    /// assert_eq!(model.param_count(), 3 * 4 + 4 + 4 * 2 + 2);
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn build<T: Element>(&self, seed: u64) -> Result<Sequential<T>, Error> {
        self.validate()?;
        let mut model = Sequential::new();
        for (i, layer) in self.layers.iter().enumerate() {
            let seed = seed.wrapping_add(i as u64);
            match *layer {
                LayerSpec::Dense {
                    inputs,
                    units,
                    activation,
                } => {
                    let activation: BuiltinActivation<T> = activation.to_builtin();
                    model.add(Dense::glorot(inputs, units, activation, seed)?)?;
                }
                LayerSpec::Maxout {
                    inputs,
                    units,
                    pieces,
                } => {
                    model.add(Maxout::<T>::glorot(pieces, inputs, units, seed)?)?;
                }
            }
        }
        Ok(model)
    }

    /// The description as compact JSON (the layout of
    /// `docs/file-format.md`; keys in alphabetical order).
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::io::{ActivationSpec, LayerSpec, ModelSpec};
    ///
    /// let spec = ModelSpec::new(vec![LayerSpec::Dense {
    ///     inputs: 2,
    ///     units: 1,
    ///     activation: ActivationSpec::Elu { alpha: 0.5 },
    /// }]);
    /// assert_eq!(
    ///     spec.to_json(),
    ///     r#"{"format_version":1,"layers":[{"activation":{"alpha":0.5,"name":"elu"},"inputs":2,"kind":"Dense","units":1}]}"#
    /// );
    /// ```
    pub fn to_json(&self) -> String {
        let mut map = Map::new();
        map.insert("format_version".into(), Value::from(self.format_version));
        if let Some(version) = &self.crate_version {
            map.insert("crate_version".into(), Value::from(version.as_str()));
        }
        if let Some(dtype) = &self.dtype {
            map.insert("dtype".into(), Value::from(dtype.as_str()));
        }
        let layers = self.layers.iter().map(|layer| layer.to_value()).collect();
        map.insert("layers".into(), Value::Array(layers));
        Value::Object(map).to_string()
    }

    /// Parses the JSON form. Only the known keys are accepted, each with
    /// the right type; `format_version` defaults to [`FORMAT_VERSION`],
    /// `crate_version` and `dtype` to `None`. The sizes are not checked
    /// here: see [`validate`](ModelSpec::validate).
    ///
    /// # Errors
    ///
    /// [`Error::Format`] for text that is not JSON or not this layout,
    /// [`Error::UnknownActivation`] for an activation name that is not one
    /// of the built-ins.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::io::{LayerSpec, ModelSpec};
    /// use neurite::Error;
    ///
    /// let spec = ModelSpec::from_json(r#"{"layers": [{"kind": "Maxout", "inputs": 2, "units": 1, "pieces": 3}]}"#)?;
    /// assert_eq!(spec.layers, [LayerSpec::Maxout { inputs: 2, units: 1, pieces: 3 }]);
    ///
    /// let swish = r#"{"layers": [{"kind": "Dense", "inputs": 2, "units": 1, "activation": {"name": "swish"}}]}"#;
    /// assert!(matches!(ModelSpec::from_json(swish), Err(Error::UnknownActivation { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn from_json(json: &str) -> Result<Self, Error> {
        let value: Value = serde_json::from_str(json).map_err(|error| {
            format_error(
                "model description",
                "JSON",
                format!("invalid JSON ({error})"),
            )
        })?;
        let what = "model description";
        let map = object(&value, what)?;
        only_keys(
            map,
            &["format_version", "crate_version", "dtype", "layers"],
            what,
        )?;
        let format_version = match map.get("format_version") {
            None => FORMAT_VERSION,
            Some(value) => value
                .as_u64()
                .and_then(|v| u32::try_from(v).ok())
                .ok_or_else(|| format_error("format_version", "an integer", describe(value)))?,
        };
        let optional_string = |key: &str| match map.get(key) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.clone())),
            Some(other) => Err(format_error(key, "a string", describe(other))),
        };
        let crate_version = optional_string("crate_version")?;
        let dtype = optional_string("dtype")?;
        let layers = match map.get("layers") {
            Some(Value::Array(layers)) => layers
                .iter()
                .enumerate()
                .map(|(i, layer)| LayerSpec::from_value(layer, &format!("layer {i}")))
                .collect::<Result<Vec<_>, _>>()?,
            Some(other) => return Err(format_error("layers", "an array", describe(other))),
            None => return Err(missing(what, "layers")),
        };
        Ok(Self {
            format_version,
            crate_version,
            dtype,
            layers,
        })
    }
}

impl<T: Element> Sequential<T> {
    /// The model's architecture: every layer's [`Layer::spec`](crate::Layer::spec),
    /// the element type's name and this crate's version. What
    /// [`save`](Sequential::save) stores besides the weights.
    ///
    /// # Errors
    ///
    /// [`Error::UnsupportedLayer`] for a layer without a description: a
    /// custom layer, or a [`Dense`] layer with a custom activation.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::io::{ActivationSpec, LayerSpec};
    /// use neurite::{Dense, LeakyRelu, Sequential};
    ///
    /// let mut model = Sequential::<f32>::new();
    /// model.add(Dense::glorot(3, 2, LeakyRelu::new(0.3), 0)?)?;
    /// let spec = model.spec()?;
    /// assert_eq!(spec.dtype.as_deref(), Some("float32"));
    /// assert_eq!(
    ///     spec.layers,
    ///     [LayerSpec::Dense { inputs: 3, units: 2, activation: ActivationSpec::LeakyRelu { slope: f64::from(0.3_f32) } }]
    /// );
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn spec(&self) -> Result<ModelSpec, Error> {
        let layers = self
            .layers()
            .enumerate()
            .map(|(index, layer)| {
                layer.spec().ok_or_else(|| Error::UnsupportedLayer {
                    index,
                    class_name: layer.class_name().to_owned(),
                    activation: layer.activation_name().to_owned(),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ModelSpec {
            format_version: FORMAT_VERSION,
            crate_version: Some(env!("CARGO_PKG_VERSION").to_owned()),
            dtype: Some(super::dtype_name::<T>().to_owned()),
            layers,
        })
    }
}

/// `activation.builtin()` for a layer's activation, as a description.
pub(crate) fn describe_activation<T: Float, A: Activation<T> + ?Sized>(
    activation: &A,
) -> Option<ActivationSpec> {
    activation.builtin().map(ActivationSpec::from)
}

/// The product of the sizes, or `None` on overflow.
pub(crate) fn checked_product(shape: &[usize]) -> Option<usize> {
    shape
        .iter()
        .try_fold(1_usize, |product, &size| product.checked_mul(size))
}

/// An [`Error::Format`].
pub(crate) fn format_error(what: &str, expected: &str, found: String) -> Error {
    Error::Format {
        what: what.to_owned(),
        expected: expected.to_owned(),
        found,
    }
}

/// At most 64 characters of a string from a file, for messages.
pub(crate) fn shorten(text: &str) -> String {
    match text.char_indices().nth(64) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

/// A JSON value in a message: its type, and the value if short.
fn describe(value: &Value) -> String {
    let kind = match value {
        Value::Null => return "null".to_owned(),
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    };
    let text = value.to_string();
    if text.len() <= 64 {
        format!("{kind} ({text})")
    } else {
        kind.to_owned()
    }
}

/// An `f64` as a JSON number (finite values only reach this: `validate`
/// refuses the others before anything is written).
fn number(value: f64) -> Value {
    serde_json::Number::from_f64(value).map_or(Value::Null, Value::Number)
}

fn object<'a>(value: &'a Value, what: &str) -> Result<&'a Map<String, Value>, Error> {
    value
        .as_object()
        .ok_or_else(|| format_error(what, "a JSON object", describe(value)))
}

fn missing(what: &str, key: &str) -> Error {
    format_error(
        &format!("{what} field {key:?}"),
        "present",
        "missing".to_owned(),
    )
}

fn only_keys(map: &Map<String, Value>, allowed: &[&str], what: &str) -> Result<(), Error> {
    match map.keys().find(|key| !allowed.contains(&key.as_str())) {
        None => Ok(()),
        Some(key) => Err(format_error(
            &format!("{what} field {:?}", shorten(key)),
            &format!("one of {allowed:?}"),
            "an unknown field".to_owned(),
        )),
    }
}

fn string_field<'a>(map: &'a Map<String, Value>, key: &str, what: &str) -> Result<&'a str, Error> {
    match map.get(key) {
        Some(Value::String(text)) => Ok(text),
        Some(other) => Err(format_error(
            &format!("{what} field {key:?}"),
            "a string",
            describe(other),
        )),
        None => Err(missing(what, key)),
    }
}

fn size_field(map: &Map<String, Value>, key: &str, what: &str) -> Result<usize, Error> {
    match map.get(key) {
        Some(value) => value
            .as_u64()
            .and_then(|v| usize::try_from(v).ok())
            .ok_or_else(|| {
                format_error(
                    &format!("{what} field {key:?}"),
                    "a non-negative integer",
                    describe(value),
                )
            }),
        None => Err(missing(what, key)),
    }
}

fn float_field(map: &Map<String, Value>, key: &str, what: &str) -> Result<f64, Error> {
    match map.get(key) {
        Some(value) => value.as_f64().ok_or_else(|| {
            format_error(
                &format!("{what} field {key:?}"),
                "a number",
                describe(value),
            )
        }),
        None => Err(missing(what, key)),
    }
}

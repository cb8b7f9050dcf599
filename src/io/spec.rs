//! The architecture description [`ModelSpec`] and its JSON form. Its
//! parts are described where they live: [`LayerSpec`] in the layer module,
//! [`ActivationSpec`] in the activation module's name table.

pub use crate::activation::builtin::ActivationSpec;
pub use crate::layer::spec::LayerSpec;

// Until the npz and safetensors readers take these from their homes.
pub(crate) use crate::error::{format_error, shorten};
pub(crate) use crate::layer::spec::checked_product;

use crate::error::{Error, serde_cause};
use crate::layer::Weights;
use crate::{Element, Sequential};

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
/// [`Sequential::save`] stores (see `docs/file-format.md`). The three spec
/// types implement serde's `Serialize` and `Deserialize` in the same
/// layout, so a model's shape can live in a configuration file of any
/// serde format.
///
/// # Example
///
/// ```
/// use neurite::io::{ActivationSpec, LayerSpec, ModelSpec};
///
/// let spec = ModelSpec::new(vec![
///     LayerSpec::Dense { inputs: 4, units: 8, activation: ActivationSpec::Relu, use_bias: true },
///     LayerSpec::Maxout { inputs: 8, units: 3, pieces: 2 },
///     LayerSpec::Dense { inputs: 3, units: 1, activation: ActivationSpec::Sigmoid, use_bias: true },
/// ]);
/// let model = spec.build::<f32>(42)?;
/// assert_eq!(model.param_count(), 4 * 8 + 8 + 2 * (8 * 3 + 3) + 3 + 1);
///
/// let json = spec.to_json();
/// assert_eq!(ModelSpec::from_json(&json)?, spec);
/// # Ok::<(), neurite::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSpec {
    /// The layout version ([`FORMAT_VERSION`] for descriptions made by this
    /// crate; optional in JSON, where it defaults to that).
    #[serde(default = "current_format_version")]
    pub format_version: u32,
    /// The version of neurite that wrote the description, for the record
    /// (not checked when loading). `None` in hand-written descriptions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crate_version: Option<String>,
    /// The element type of the weights: `"float32"`, `"float64"`, or for
    /// other types their [`std::any::type_name`]. [`Sequential::load`]
    /// requires its own type here; [`build`](ModelSpec::build) ignores it.
    /// `None` in hand-written descriptions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dtype: Option<String>,
    /// The layers, first to last.
    pub layers: Vec<LayerSpec>,
}

fn current_format_version() -> u32 {
    FORMAT_VERSION
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
    ///     use_bias: true,
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
    ///     LayerSpec::Dense { inputs: 2, units: 4, activation: ActivationSpec::Relu, use_bias: true },
    ///     LayerSpec::Dense { inputs: 3, units: 1, activation: ActivationSpec::Sigmoid, use_bias: true },
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
    /// from seed `seed + i`), biases zero, as [`Dense::glorot`](crate::Dense::glorot) and
    /// [`Maxout::glorot`](crate::Maxout::glorot) do. [`dtype`](ModelSpec::dtype) is not checked.
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
            model.add_boxed(layer.build(Weights::Glorot(seed))?)?;
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
    ///     use_bias: true,
    /// }]);
    /// assert_eq!(
    ///     spec.to_json(),
    ///     r#"{"format_version":1,"layers":[{"activation":{"alpha":0.5,"name":"elu"},"inputs":2,"kind":"Dense","units":1}]}"#
    /// );
    /// ```
    pub fn to_json(&self) -> String {
        // Through a `Value`, whose maps keep their keys sorted. Turning
        // these types into a `Value` cannot fail (every map key is a
        // string), so the empty fallback is never taken.
        serde_json::to_value(self).map_or_else(|_| String::new(), |value| value.to_string())
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
        serde_cause();
        serde_json::from_str(json).map_err(|error| {
            // An activation's own check keeps its typed error.
            serde_cause().unwrap_or_else(|| {
                let expected = match error.classify() {
                    serde_json::error::Category::Data => "the layout of docs/file-format.md",
                    _ => "JSON",
                };
                format_error("model description", expected, error.to_string())
            })
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
    /// custom layer, or a [`Dense`](crate::Dense) layer with a custom activation.
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
    ///     [LayerSpec::Dense { inputs: 3, units: 2, activation: ActivationSpec::LeakyRelu { slope: f64::from(0.3_f32) }, use_bias: true }]
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-layer description whose Dense layer has `layer_extra` and whose
    /// activation is `activation`.
    fn dense(activation: &str, layer_extra: &str) -> String {
        format!(
            r#"{{"layers": [{{"kind": "Dense", "inputs": 2, "units": 1{layer_extra}, "activation": {activation}}}]}}"#
        )
    }

    fn format_what(json: &str) -> String {
        match ModelSpec::from_json(json) {
            Err(Error::Format { what, .. }) => what,
            other => panic!("expected a format error for {json}, got {other:?}"),
        }
    }

    #[test]
    fn every_built_in_survives_json() {
        for name in crate::activation::KERAS_NAMES {
            let activation: ActivationSpec = name
                .parse::<crate::BuiltinActivation<f64>>()
                .unwrap()
                .into();
            let spec = ModelSpec::new(vec![LayerSpec::Dense {
                inputs: 3,
                units: 2,
                activation,
                use_bias: true,
            }]);
            assert_eq!(
                ModelSpec::from_json(&spec.to_json()).unwrap(),
                spec,
                "{name}"
            );
        }
    }

    #[test]
    fn stray_fields_are_refused_at_every_level() {
        assert!(format_what(r#"{"layers": [], "colour": 1}"#).contains("model description"));
        assert!(format_what(&dense(r#"{"name": "relu"}"#, r#", "colour": 1"#)).contains("model"));
        let what = format_what(&dense(r#"{"name": "relu", "slope": 0.1}"#, ""));
        assert!(what.contains("\"slope\""), "{what}");
        let what = format_what(&dense(r#"{"name": "elu", "alpha": 1, "beta": 2}"#, ""));
        assert!(what.contains("\"beta\""), "{what}");
    }

    #[test]
    fn wrong_types_and_missing_fields_say_what_was_found() {
        match ModelSpec::from_json(&dense(r#"{"name": "elu", "alpha": "one"}"#, "")) {
            Err(Error::Format { what, found, .. }) => {
                assert!(what.contains("\"alpha\""), "{what}");
                assert!(found.contains("a string"), "{found}");
            }
            other => panic!("{other:?}"),
        }
        let what = format_what(&dense(r#"{"name": "leaky_relu"}"#, ""));
        assert!(what.contains("\"slope\""), "{what}");
        let what = format_what(&dense(r#"{"name": 3}"#, ""));
        assert!(what.contains("\"name\""), "{what}");
        assert!(ModelSpec::from_json(r#"{"layers": "none"}"#).is_err());
        assert!(ModelSpec::from_json(r#"{"layers": [{"kind": "Conv2D"}]}"#).is_err());
        assert!(ModelSpec::from_json("{").is_err());
    }

    #[test]
    fn an_unknown_name_keeps_its_typed_error_and_the_next_parse_starts_clean() {
        let swish = dense(r#"{"name": "swishy"}"#, "");
        assert!(matches!(
            ModelSpec::from_json(&swish),
            Err(Error::UnknownActivation { name }) if name == "swishy"
        ));
        // A later error without a typed cause is not mistaken for it.
        assert!(matches!(
            ModelSpec::from_json(r#"{"layers": 1}"#),
            Err(Error::Format { .. })
        ));
    }
}

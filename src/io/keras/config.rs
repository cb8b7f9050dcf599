//! A Keras model's configuration (`config.json` of a `.keras` file, the
//! `model_config` attribute of a legacy `.h5`) read into a plain
//! description: the stack of layers with the fields neurite uses, in the
//! form either Keras writes (Keras 3 and tf_keras 2).

use crate::activation::{ActivationSpec, BuiltinActivation};
use crate::error::{Error, format_error, shorten};
use serde_json::{Map, Value};

/// Keras 3's name for a layer's group in `model.weights.h5`, from its
/// class name (`keras.src.utils.naming.to_snake_case`:
/// `BatchNormalization` → `batch_normalization`).
pub(super) fn snake_case(class_name: &str) -> String {
    let mut snake = String::with_capacity(class_name.len() + 4);
    for (i, c) in class_name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            snake.push('_');
        }
        snake.push(c.to_ascii_lowercase());
    }
    snake
}

/// The model: its name, its dtype policy, the width of its input rows
/// when the file says, and its layers without the `InputLayer`.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct KerasModel {
    pub(super) name: String,
    pub(super) dtype: Precision,
    pub(super) input_width: Option<usize>,
    pub(super) layers: Vec<KerasLayer>,
}

/// A dtype policy neurite honours: the variables' type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Precision {
    Float32,
    Float64,
}

/// One layer, with its own name and the config fields neurite needs.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct KerasLayer {
    pub(super) name: String,
    pub(super) kind: LayerKind,
}

/// The layer classes a neurite model can hold. The normalization,
/// Dropout and Activation layers are parsed with the Keras field names
/// their neurite layers take.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum LayerKind {
    Dense {
        units: usize,
        activation: ActivationSpec,
        use_bias: bool,
    },
    Activation {
        activation: ActivationSpec,
    },
    Dropout {
        rate: f64,
    },
    BatchNormalization {
        momentum: f64,
        epsilon: f64,
        center: bool,
        scale: bool,
    },
    LayerNormalization {
        epsilon: f64,
        center: bool,
        scale: bool,
    },
}

impl LayerKind {
    /// Keras's class name.
    pub(super) fn class_name(&self) -> &'static str {
        match self {
            Self::Dense { .. } => "Dense",
            Self::Activation { .. } => "Activation",
            Self::Dropout { .. } => "Dropout",
            Self::BatchNormalization { .. } => "BatchNormalization",
            Self::LayerNormalization { .. } => "LayerNormalization",
        }
    }
}

/// What a layer's config is read with: the file and the layer, for
/// messages, and whether tf_keras 2 wrote it (its `hard_sigmoid` is
/// another function).
struct Reader<'a> {
    what: &'a str,
    keras2: bool,
}

/// Parses a model configuration. `keras2` says the file was written by
/// Keras 2 (tf_keras), `what` names the file.
pub(super) fn parse(json: &str, keras2: bool, what: &str) -> Result<KerasModel, Error> {
    let root: Value = serde_json::from_str(json).map_err(|error| {
        format_error(&format!("{what}: model config"), "JSON", error.to_string())
    })?;
    let reader = Reader { what, keras2 };
    reader.model(&root)
}

impl Reader<'_> {
    fn error(&self, part: &str, expected: &str, found: String) -> Error {
        format_error(&format!("{}: {part}", self.what), expected, found)
    }

    fn model(&self, root: &Value) -> Result<KerasModel, Error> {
        let class = root.get("class_name").and_then(Value::as_str).unwrap_or("");
        if class != "Sequential" {
            return Err(self.error(
                "model class",
                "a Sequential model (a plain stack of layers)",
                describe(root.get("class_name")),
            ));
        }
        let config = self.object(root.get("config"), "model config")?;
        let name = config
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("sequential");
        let dtype = match config.get("dtype") {
            Some(policy) => self.precision(policy, "model dtype")?,
            None => Precision::Float32,
        };
        let entries = config
            .get("layers")
            .and_then(Value::as_array)
            .ok_or_else(|| {
                self.error(
                    "model config",
                    "a list of layers",
                    describe(config.get("layers")),
                )
            })?;
        let mut input_width = self.width(config.get("build_input_shape"));
        let mut layers = Vec::new();
        for (index, entry) in entries.iter().enumerate() {
            let class = entry
                .get("class_name")
                .and_then(Value::as_str)
                .unwrap_or("");
            let layer_config =
                self.object(entry.get("config"), &format!("layer {index} config"))?;
            let name = layer_config
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("");
            let part = format!("layer {index} ({:?}, {class})", shorten(name));
            if let Some(policy) = layer_config.get("dtype")
                && class != "InputLayer"
                && self.precision(policy, &format!("{part} dtype"))? != dtype
            {
                return Err(self.error(
                    &format!("{part} dtype"),
                    "the model's dtype policy",
                    describe(Some(policy)),
                ));
            }
            let shape = layer_config
                .get("batch_shape")
                .or_else(|| layer_config.get("batch_input_shape"));
            if let Some(width) = self.width(shape) {
                input_width.get_or_insert(width);
            } else if shape.is_some_and(|shape| !shape.is_null()) {
                return Err(self.error(
                    &format!("{part} input shape"),
                    "[null, features]",
                    describe(shape),
                ));
            }
            if class == "InputLayer" {
                continue;
            }
            let kind = self.layer(class, layer_config, &part)?;
            layers.push(KerasLayer {
                name: name.to_owned(),
                kind,
            });
        }
        Ok(KerasModel {
            name: name.to_owned(),
            dtype,
            input_width,
            layers,
        })
    }

    fn layer(
        &self,
        class: &str,
        config: &Map<String, Value>,
        part: &str,
    ) -> Result<LayerKind, Error> {
        let number = |key: &str| self.number(config, key, part);
        let flag = |key: &str| self.flag(config, key, part);
        Ok(match class {
            "Dense" => {
                let units = config.get("units").and_then(Value::as_u64);
                let units = units
                    .and_then(|units| usize::try_from(units).ok())
                    .filter(|&units| units > 0)
                    .ok_or_else(|| {
                        self.error(
                            &format!("{part} units"),
                            "a count of at least 1",
                            describe(config.get("units")),
                        )
                    })?;
                LayerKind::Dense {
                    units,
                    activation: self.activation(config.get("activation"), part)?,
                    use_bias: flag("use_bias")?,
                }
            }
            "Activation" => LayerKind::Activation {
                activation: self.activation(config.get("activation"), part)?,
            },
            "Dropout" => LayerKind::Dropout {
                rate: number("rate")?,
            },
            "BatchNormalization" => {
                self.last_axis(config, part)?;
                LayerKind::BatchNormalization {
                    momentum: number("momentum")?,
                    epsilon: number("epsilon")?,
                    center: flag("center")?,
                    scale: flag("scale")?,
                }
            }
            "LayerNormalization" => {
                self.last_axis(config, part)?;
                LayerKind::LayerNormalization {
                    epsilon: number("epsilon")?,
                    center: flag("center")?,
                    scale: flag("scale")?,
                }
            }
            other => {
                return Err(self.error(
                    &format!("{part} class"),
                    "a layer neurite has (InputLayer, Dense, Activation, Dropout, BatchNormalization, LayerNormalization)",
                    format!("unsupported layer {}", shorten(other)),
                ));
            }
        })
    }

    /// An activation: a name string, or a Keras 3 serialized function
    /// `{"class_name": "function", "config": "relu", …}`.
    fn activation(&self, value: Option<&Value>, part: &str) -> Result<ActivationSpec, Error> {
        let part = format!("{part} activation");
        let name = match value {
            Some(Value::String(name)) => name.as_str(),
            Some(Value::Object(object)) => {
                let module = object.get("module").and_then(Value::as_str).unwrap_or("");
                match object.get("config").and_then(Value::as_str) {
                    Some(name)
                        if module == "keras.activations" || module == "keras.src.activations" =>
                    {
                        name
                    }
                    _ => {
                        let function = object
                            .get("config")
                            .map_or_else(String::new, Value::to_string);
                        return Err(self.error(
                            &part,
                            "a built-in Keras activation",
                            format!(
                                "unknown activation: the custom function {}",
                                shorten(&function)
                            ),
                        ));
                    }
                }
            }
            other => return Err(self.error(&part, "an activation name", describe(other))),
        };
        if self.keras2 && name == "hard_sigmoid" {
            return Err(self.error(
                &part,
                "an activation neurite has",
                "Keras 2's hard_sigmoid, clip(0.2x + 0.5, 0, 1); neurite's is Keras 3's relu6(x + 3) / 6".to_owned(),
            ));
        }
        name.parse::<BuiltinActivation<f64>>()
            .map(ActivationSpec::from)
            .map_err(|error| {
                self.error(
                    &part,
                    "a built-in Keras activation",
                    format!("unknown activation: {error}"),
                )
            })
    }

    /// The feature axis must be the last: `-1`, `[-1]`, or tf_keras's
    /// `[1]` for rank-2 inputs.
    fn last_axis(&self, config: &Map<String, Value>, part: &str) -> Result<(), Error> {
        let axis = config.get("axis");
        let single = match axis {
            Some(Value::Array(list)) if list.len() == 1 => list[0].as_i64(),
            Some(value) => value.as_i64(),
            None => Some(-1),
        };
        match single {
            Some(-1 | 1) => Ok(()),
            _ => Err(self.error(
                &format!("{part} axis"),
                "the feature axis (-1)",
                describe(axis),
            )),
        }
    }

    /// A dtype policy (a string, or a Keras 3 `DTypePolicy` object).
    fn precision(&self, policy: &Value, part: &str) -> Result<Precision, Error> {
        let name = match policy {
            Value::String(name) => Some(name.as_str()),
            Value::Object(object) => object
                .get("config")
                .and_then(|config| config.get("name"))
                .and_then(Value::as_str),
            _ => None,
        };
        match name {
            Some("float32") => Ok(Precision::Float32),
            Some("float64") => Ok(Precision::Float64),
            _ => Err(self.error(
                part,
                "the dtype policy float32 or float64",
                describe(Some(policy)),
            )),
        }
    }

    /// The feature count of a `[null, features]` shape.
    fn width(&self, shape: Option<&Value>) -> Option<usize> {
        match shape?.as_array()?.as_slice() {
            [Value::Null, features] => usize::try_from(features.as_u64()?).ok().filter(|&n| n > 0),
            _ => None,
        }
    }

    fn object<'v>(
        &self,
        value: Option<&'v Value>,
        part: &str,
    ) -> Result<&'v Map<String, Value>, Error> {
        value
            .and_then(Value::as_object)
            .ok_or_else(|| self.error(part, "a JSON object", describe(value)))
    }

    fn number(&self, config: &Map<String, Value>, key: &str, part: &str) -> Result<f64, Error> {
        config.get(key).and_then(Value::as_f64).ok_or_else(|| {
            self.error(
                &format!("{part} {key}"),
                "a number",
                describe(config.get(key)),
            )
        })
    }

    /// A boolean field; absent means Keras's default, `true`.
    fn flag(&self, config: &Map<String, Value>, key: &str, part: &str) -> Result<bool, Error> {
        match config.get(key) {
            None => Ok(true),
            Some(value) => value.as_bool().ok_or_else(|| {
                self.error(
                    &format!("{part} {key}"),
                    "true or false",
                    describe(Some(value)),
                )
            }),
        }
    }
}

/// A JSON value for a message, shortened.
fn describe(value: Option<&Value>) -> String {
    value.map_or_else(|| "nothing".to_owned(), |value| shorten(&value.to_string()))
}

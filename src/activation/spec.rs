//! Reading an [`ActivationSpec`] from any serde format: a map with the
//! `"name"` and the function's parameters, and nothing else.
//!
//! By hand rather than derived: serde's internally tagged enums ignore
//! unknown fields of variants without parameters, and a description with
//! a stray field should be refused, not half read.

use super::ActivationSpec;
use crate::error::{Error, format_error, serde_error};
use crate::precision;
use num_traits::Float;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

impl<'de> Deserialize<'de> for ActivationSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let fields = Map::<String, Value>::deserialize(deserializer)?;
        Self::from_fields(&fields, "activation").map_err(serde_error)
    }
}

impl ActivationSpec {
    /// The description held by `fields`: `"name"`, a string naming a
    /// built-in, and its parameters, each exactly once.
    pub(crate) fn from_fields(fields: &Map<String, Value>, what: &str) -> Result<Self, Error> {
        let name = match fields.get("name") {
            Some(Value::String(name)) => name,
            Some(other) => return Err(field_error(what, "name", "a string", other)),
            None => return Err(missing(what, "name")),
        };
        let (spec, allowed) = Self::from_parameters(name, fields, what)?;
        match fields.keys().find(|key| !allowed.contains(&key.as_str())) {
            None => Ok(spec),
            Some(key) => Err(unknown_field(what, key, allowed)),
        }
    }
}

/// The type of a parameter in an [`ActivationSpec`] (`f64`, `bool` or
/// `Option<f64>`), and
/// its conversions to the activation's own type.
pub(crate) trait SpecValue: Copy + std::fmt::Debug {
    /// The parameter in an activation of element type `T`.
    type In<T: Float>: Copy;
    /// What a description must hold, for messages.
    const EXPECTED: &'static str;
    /// The value read from a description, if it has this type.
    fn from_json(value: &Value) -> Option<Self>;
    /// Whether a file may hold it (numbers: finite; JSON has no NaN).
    fn is_valid(self) -> bool;
    /// The value in the activation's type (rounded once, for numbers).
    fn narrow<T: Float>(self) -> Self::In<T>;
    /// The activation's value back (exact for `f32` and `f64`).
    fn widen<T: Float>(value: Self::In<T>) -> Self;
}

impl SpecValue for f64 {
    type In<T: Float> = T;
    const EXPECTED: &'static str = "a finite number (JSON has no NaN or infinity)";
    fn from_json(value: &Value) -> Option<Self> {
        value.as_f64()
    }
    fn is_valid(self) -> bool {
        self.is_finite()
    }
    fn narrow<T: Float>(self) -> T {
        precision::narrow(self)
    }
    fn widen<T: Float>(value: T) -> Self {
        precision::widen(value)
    }
}

impl SpecValue for bool {
    type In<T: Float> = bool;
    const EXPECTED: &'static str = "a boolean";
    fn from_json(value: &Value) -> Option<Self> {
        value.as_bool()
    }
    fn is_valid(self) -> bool {
        true
    }
    fn narrow<T: Float>(self) -> bool {
        self
    }
    fn widen<T: Float>(value: bool) -> Self {
        value
    }
}

/// An optional number (`max_value` of [`ReluWith`](super::ReluWith)):
/// JSON `null` is `None`. The field must still be present, as every
/// parameter must: a description says "no cap" explicitly.
impl SpecValue for Option<f64> {
    type In<T: Float> = Option<T>;
    const EXPECTED: &'static str = "a finite number or null";
    fn from_json(value: &Value) -> Option<Self> {
        match value {
            Value::Null => Some(None),
            other => other.as_f64().map(Some),
        }
    }
    fn is_valid(self) -> bool {
        self.is_none_or(f64::is_finite)
    }
    fn narrow<T: Float>(self) -> Option<T> {
        self.map(precision::narrow)
    }
    fn widen<T: Float>(value: Option<T>) -> Self {
        value.map(precision::widen)
    }
}

/// The parameter `key` of a description.
pub(crate) fn spec_field<V: SpecValue>(
    fields: &Map<String, Value>,
    key: &str,
    what: &str,
) -> Result<V, Error> {
    match fields.get(key) {
        Some(value) => {
            V::from_json(value).ok_or_else(|| field_error(what, key, V::EXPECTED, value))
        }
        None => Err(missing(what, key)),
    }
}

/// A field that is there, but not of the type it should be.
fn field_error(what: &str, key: &str, expected: &str, found: &Value) -> Error {
    format_error(&format!("{what} field {key:?}"), expected, describe(found))
}

/// A field that should be there and is not.
fn missing(what: &str, key: &str) -> Error {
    format_error(
        &format!("{what} field {key:?}"),
        "present",
        "missing".to_owned(),
    )
}

/// A field that the description does not have.
fn unknown_field(what: &str, key: &str, allowed: &[&str]) -> Error {
    format_error(
        &format!("{what} field {:?}", crate::error::shorten(key)),
        &format!("one of {allowed:?}"),
        "an unknown field".to_owned(),
    )
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

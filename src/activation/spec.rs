//! Reading an [`ActivationSpec`] from any serde format: a map with the
//! `"name"` and the function's parameters, and nothing else.
//!
//! By hand rather than derived: serde's internally tagged enums ignore
//! unknown fields of variants without parameters, and a description with
//! a stray field should be refused, not half read.

use super::ActivationSpec;
use crate::error::{Error, format_error, serde_error};
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
    /// built-in, and its parameters, numbers, each exactly once.
    pub(crate) fn from_fields(fields: &Map<String, Value>, what: &str) -> Result<Self, Error> {
        let name = match fields.get("name") {
            Some(Value::String(name)) => name,
            Some(other) => return Err(field_error(what, "name", "a string", other)),
            None => return Err(missing(what, "name")),
        };
        let (spec, allowed) = Self::from_parameters(name, |key| match fields.get(key) {
            Some(value) => value
                .as_f64()
                .ok_or_else(|| field_error(what, key, "a number", value)),
            None => Err(missing(what, key)),
        })?;
        match fields.keys().find(|key| !allowed.contains(&key.as_str())) {
            None => Ok(spec),
            Some(key) => Err(unknown_field(what, key, allowed)),
        }
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

//! Keras 3's config of each layer neurite saves in a `.keras` file:
//! `Dense` (with or without bias), `BatchNormalization`,
//! `LayerNormalization`, `Dropout` and `Activation`, with Keras's own
//! defaults for what neurite does not model (initializers, regularizers).

use crate::Element;
use crate::activation::BuiltinActivation;
use crate::error::{Error, format_error};
use crate::io::{ActivationSpec, LayerSpec};
use serde_json::{Value, json};

/// Activation names a Keras layer cannot take as a string for neurite's
/// function: `threshold` needs arguments in Keras, `relu_with` is
/// neurite's own, and Keras 3.15.1's `sparsemax` (TensorFlow backend)
/// returns zeros where neurite's sums to 1, so the file would not predict
/// what the model predicts.
const NOT_BY_NAME: &[&str] = &["threshold", "relu_with", "sparsemax"];

/// Keras 3's serialized dtype policy.
pub(super) fn dtype_policy(name: &str) -> Value {
    json!({
        "module": "keras",
        "class_name": "DTypePolicy",
        "config": {"name": name},
        "registered_name": null,
    })
}

/// A Keras initializer without arguments (`Zeros`, `Ones`).
fn initializer(class_name: &str) -> Value {
    json!({"module": "keras.initializers", "class_name": class_name, "config": {}, "registered_name": null})
}

/// The config of layer `index` (`spec`), named `name`, with the dtype
/// policy `policy`.
pub(super) fn layer_config<T: Element>(
    index: usize,
    spec: &LayerSpec,
    name: &str,
    policy: &str,
) -> Result<Value, Error> {
    let common = json!({"name": name, "trainable": true, "dtype": dtype_policy(policy)});
    let (class_name, own) = match *spec {
        LayerSpec::Dense {
            units,
            activation,
            use_bias,
            ..
        } => ("Dense", dense::<T>(index, units, activation, use_bias)?),
        LayerSpec::BatchNormalization {
            momentum,
            epsilon,
            center,
            scale,
            ..
        } => (
            "BatchNormalization",
            batch_normalization(momentum, epsilon, center, scale),
        ),
        LayerSpec::LayerNormalization {
            epsilon,
            center,
            scale,
            ..
        } => (
            "LayerNormalization",
            layer_normalization(epsilon, center, scale),
        ),
        LayerSpec::Dropout { rate, .. } => (
            "Dropout",
            json!({"rate": rate, "seed": null, "noise_shape": null}),
        ),
        LayerSpec::Activation { activation, .. } => (
            "Activation",
            json!({"activation": keras_activation::<T>(index, spec.kind(), activation)?}),
        ),
        LayerSpec::Maxout { .. } => {
            return Err(format_error(
                &format!("layer {index} (Maxout)"),
                "layers Keras has (Dense, BatchNormalization, LayerNormalization, Dropout, Activation)",
                "a Maxout layer, which Keras has not: save the model with `save` (neurite's own file) instead"
                    .to_owned(),
            ));
        }
    };
    let mut config = common;
    if let (Value::Object(config), Value::Object(own)) = (&mut config, own) {
        config.extend(own);
    }
    let mut layer = json!({"module": "keras.layers", "class_name": class_name, "config": config, "registered_name": null});
    if !matches!(
        spec,
        LayerSpec::Dropout { .. } | LayerSpec::Activation { .. }
    ) {
        layer["build_config"] = json!({"input_shape": [null, spec.inputs()]});
    }
    Ok(layer)
}

/// A `Dense` layer's own keys.
fn dense<T: Element>(
    index: usize,
    units: usize,
    activation: ActivationSpec,
    use_bias: bool,
) -> Result<Value, Error> {
    Ok(json!({
        "units": units,
        "activation": keras_activation::<T>(index, "Dense", activation)?,
        "use_bias": use_bias,
        "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null},
        "bias_initializer": initializer("Zeros"),
        "kernel_regularizer": null,
        "bias_regularizer": null,
        "kernel_constraint": null,
        "bias_constraint": null,
    }))
}

/// A `BatchNormalization` layer's own keys (axis -1, as neurite's).
fn batch_normalization(momentum: f64, epsilon: f64, center: bool, scale: bool) -> Value {
    json!({
        "axis": -1,
        "momentum": momentum,
        "epsilon": epsilon,
        "center": center,
        "scale": scale,
        "beta_initializer": initializer("Zeros"),
        "gamma_initializer": initializer("Ones"),
        "moving_mean_initializer": initializer("Zeros"),
        "moving_variance_initializer": initializer("Ones"),
        "beta_regularizer": null,
        "gamma_regularizer": null,
        "beta_constraint": null,
        "gamma_constraint": null,
        "synchronized": false,
    })
}

/// A `LayerNormalization` layer's own keys (axis -1, as neurite's).
fn layer_normalization(epsilon: f64, center: bool, scale: bool) -> Value {
    json!({
        "axis": [-1],
        "epsilon": epsilon,
        "center": center,
        "scale": scale,
        "rms_scaling": false,
        "beta_initializer": initializer("Zeros"),
        "gamma_initializer": initializer("Ones"),
        "beta_regularizer": null,
        "gamma_regularizer": null,
        "beta_constraint": null,
        "gamma_constraint": null,
    })
}

/// The activation's Keras name, when Keras's function of that name is
/// this activation: the name with Keras's own arguments. `T` is the
/// model's element type, in which the name's defaults are compared.
fn keras_activation<T: Element>(
    index: usize,
    class_name: &str,
    activation: ActivationSpec,
) -> Result<&'static str, Error> {
    let name = activation.name();
    let by_name = name
        .parse::<BuiltinActivation<T>>()
        .map(ActivationSpec::from)
        .is_ok_and(|keras| keras == activation);
    if by_name && !NOT_BY_NAME.contains(&name) {
        Ok(name)
    } else {
        Err(format_error(
            &format!("layer {index} ({class_name}) activation"),
            "an activation a Keras layer takes by name, with Keras's arguments",
            format!("{activation:?}: save the model with `save` (neurite's own file) instead"),
        ))
    }
}

//! From a Keras model's description and weight arrays to neurite layers,
//! through the one builder, [`LayerSpec::build`].

use super::config::{KerasLayer, KerasModel, LayerKind};
use super::hdf5::Dataset;
use crate::error::{Error, format_error};
use crate::io::LayerSpec;
use crate::layer::Weights;
use crate::{Element, Sequential};

/// The model `model` describes, with the weight arrays `arrays` (one list
/// per layer); `what` names the file.
pub(super) fn build<T: Element>(
    model: &KerasModel,
    arrays: &[Vec<Dataset<'_>>],
    what: &str,
) -> Result<Sequential<T>, Error> {
    if model.layers.is_empty() {
        return Err(format_error(
            what,
            "a model with at least one layer",
            "none".to_owned(),
        ));
    }
    let mut width = model.input_width;
    let mut sequential = Sequential::new();
    for (index, (layer, arrays)) in model.layers.iter().zip(arrays).enumerate() {
        let part = layer_part(what, index, layer);
        let spec = layer_spec(layer.kind, width, arrays, &part)?;
        spec.validate(&part)?;
        let values = spec_values::<T>(&spec, arrays, &part)?;
        sequential.add_boxed(spec.build(Weights::Given(values))?)?;
        width = Some(spec.units());
    }
    Ok(sequential)
}

/// The neurite layer of a Keras layer whose rows are `width` wide: as the
/// config says, or, without an input shape in it, as the first weight
/// array says (a kernel's rows, a normalization's features).
fn layer_spec(
    kind: LayerKind,
    width: Option<usize>,
    arrays: &[Dataset<'_>],
    part: &str,
) -> Result<LayerSpec, Error> {
    let features = width
        .or_else(|| arrays.first()?.shape.first().copied())
        .ok_or_else(|| {
            format_error(
                part,
                "an input shape (the model's, or a first layer with weights)",
                "none".to_owned(),
            )
        })?;
    Ok(match kind {
        LayerKind::Dense {
            units,
            activation,
            use_bias,
        } => LayerSpec::Dense {
            inputs: features,
            units,
            activation,
            use_bias,
        },
        LayerKind::Activation { activation } => LayerSpec::Activation {
            features,
            activation,
        },
        LayerKind::Dropout { rate } => LayerSpec::Dropout { features, rate },
        LayerKind::BatchNormalization {
            momentum,
            epsilon,
            center,
            scale,
        } => LayerSpec::BatchNormalization {
            features,
            momentum,
            epsilon,
            center,
            scale,
        },
        LayerKind::LayerNormalization {
            epsilon,
            center,
            scale,
        } => LayerSpec::LayerNormalization {
            features,
            epsilon,
            center,
            scale,
        },
    })
}

/// "file: layer 2 ("out", Dense)", for messages.
fn layer_part(what: &str, index: usize, layer: &KerasLayer) -> String {
    format!(
        "{what}: layer {index} ({:?}, {})",
        crate::error::shorten(&layer.name),
        layer.kind.class_name()
    )
}

/// The weight values of `spec` in `T` from its arrays, which must be
/// Keras's variables of the layer in `get_weights` order, of the spec's
/// shapes.
fn spec_values<T: Element>(
    spec: &LayerSpec,
    arrays: &[Dataset<'_>],
    part: &str,
) -> Result<Vec<Vec<T>>, Error> {
    let (shapes, names) = (spec.weight_shapes(), spec.weight_names());
    if arrays.len() != shapes.len() {
        return Err(Error::WeightCountMismatch {
            what: part.to_owned(),
            expected: shapes.len(),
            found: arrays.len(),
        });
    }
    let named = arrays.iter().zip(&shapes).zip(names);
    named
        .map(|((array, shape), name)| {
            let what = format!("{part} {name}");
            crate::error::check_shape(&what, shape, &array.shape)?;
            array.float.decode::<T>(&array.bytes, &what)
        })
        .collect()
}

/// [`spec_values`] for a layer built in Rust, where a Keras `Dense`
/// without bias (its kernel alone) may fill a `Dense` with one: the bias
/// is then zero.
pub(super) fn layer_values<T: Element>(
    spec: &LayerSpec,
    arrays: &[Dataset<'_>],
    part: &str,
) -> Result<Vec<Vec<T>>, Error> {
    if let LayerSpec::Dense {
        inputs,
        units,
        activation,
        use_bias: true,
    } = *spec
        && arrays.len() == 1
    {
        let kernel_only = LayerSpec::Dense {
            inputs,
            units,
            activation,
            use_bias: false,
        };
        let mut values = spec_values::<T>(&kernel_only, arrays, part)?;
        values.push(vec![T::zero(); units]);
        return Ok(values);
    }
    spec_values(spec, arrays, part)
}

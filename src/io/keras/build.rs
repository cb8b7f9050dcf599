//! From a Keras model's description and weight arrays to neurite layers,
//! through the one builder, [`LayerSpec::build`].

use super::config::{KerasLayer, KerasModel, LayerKind};
use super::hdf5::Dataset;
use super::weights::to_element;
use crate::error::{Error, format_error};
use crate::io::LayerSpec;
use crate::layer::Weights;
use crate::{Element, Sequential};

/// The model `model` describes, with the weight arrays `arrays` (one list
/// per layer); `what` names the file.
pub(super) fn build<T: Element>(
    model: &KerasModel,
    arrays: &[Vec<Dataset>],
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
        let out = match layer.kind {
            LayerKind::Dense {
                units,
                activation,
                use_bias,
            } => {
                // Without an input shape in the config, the first kernel
                // says how wide the rows are.
                let inputs = width
                    .or_else(|| arrays.first()?.shape.first().copied())
                    .unwrap_or(0);
                let values = dense_values::<T>(arrays, inputs, units, Some(use_bias), &part)?;
                let spec = LayerSpec::Dense {
                    inputs,
                    units,
                    activation,
                };
                spec.validate(&part)?;
                sequential.add_boxed(spec.build(Weights::Given(values))?)?;
                units
            }
            // MERGE(#14): map Activation, Dropout, BatchNormalization and
            // LayerNormalization to their LayerSpec variants here (the
            // fields carry Keras's names; BatchNormalization's arrays are
            // gamma if scale, beta if center, moving_mean, moving_variance;
            // LayerNormalization's gamma if scale, beta if center), then
            // drop this arm.
            LayerKind::Activation { .. }
            | LayerKind::Dropout { .. }
            | LayerKind::BatchNormalization { .. }
            | LayerKind::LayerNormalization { .. } => {
                return Err(format_error(
                    &format!("{part} class"),
                    "a layer neurite has (InputLayer, Dense)",
                    format!(
                        "unsupported layer {} (not in this version of neurite)",
                        layer.kind.class_name()
                    ),
                ));
            }
        };
        width = Some(out);
    }
    Ok(sequential)
}

/// "file: layer 2 ("out", Dense)", for messages.
fn layer_part(what: &str, index: usize, layer: &KerasLayer) -> String {
    format!(
        "{what}: layer {index} ({:?}, {})",
        crate::error::shorten(&layer.name),
        layer.kind.class_name()
    )
}

/// A Dense layer's kernel and bias in `T` from its arrays: `[kernel]`
/// (`use_bias=False`: the bias is zero) or `[kernel, bias]`, of shapes
/// `[inputs, units]` and `[units]`. `use_bias` is what the config says,
/// `None` for a weights file without config (both are taken).
pub(super) fn dense_values<T: Element>(
    arrays: &[Dataset],
    inputs: usize,
    units: usize,
    use_bias: Option<bool>,
    part: &str,
) -> Result<Vec<Vec<T>>, Error> {
    let count = arrays.len();
    let expected = match use_bias {
        Some(true) => 2,
        Some(false) => 1,
        None if count == 1 => 1,
        None => 2,
    };
    if count != expected {
        return Err(Error::WeightCountMismatch {
            what: part.to_owned(),
            expected,
            found: count,
        });
    }
    let shapes = [vec![inputs, units], vec![units]];
    let mut values = Vec::with_capacity(2);
    for ((array, shape), name) in arrays.iter().zip(&shapes).zip(["kernel", "bias"]) {
        let what = format!("{part} {name}");
        crate::error::check_shape(&what, shape, &array.shape)?;
        values.push(to_element::<T>(array, &what)?);
    }
    if values.len() == 1 {
        values.push(vec![T::zero(); units]);
    }
    Ok(values)
}

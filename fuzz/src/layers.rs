//! The layers of an [`OpsCase`](crate::OpsCase): every kind the crate
//! has, with sizes and hyper-parameters from bytes.

use crate::{ActivationInput, MAX_WIDTH, OpsCase, hyper_parameter, same_weights, size};
use arbitrary::Arbitrary;
use neurite::layer::ActivationLayer;
use neurite::{
    BatchNormalization, Dense, Dropout, Element, Error, LayerNormalization, Maxout, Sequential,
};

#[derive(Debug, Arbitrary)]
pub(crate) enum LayerInput {
    Dense {
        /// `None`: the previous layer's units.
        inputs: Option<u8>,
        units: u8,
        /// `None`: one bias per unit.
        bias: Option<u8>,
        activation: ActivationInput,
        /// Glorot-initialised from this seed, else weights from the pool.
        glorot: Option<u64>,
        use_bias: bool,
    },
    Maxout {
        inputs: Option<u8>,
        units: u8,
        pieces: u8,
        glorot: Option<u64>,
    },
    BatchNormalization {
        features: Option<u8>,
        momentum: u8,
        epsilon: u8,
        center: bool,
        scale: bool,
        /// Weights from the pool (negative variances included), else Keras's initial ones.
        from_pool: bool,
    },
    LayerNormalization {
        features: Option<u8>,
        epsilon: u8,
        center: bool,
        scale: bool,
    },
    Dropout {
        rate: u8,
        /// A width of its own, else the previous layer's.
        features: Option<u8>,
    },
    Activation {
        activation: ActivationInput,
        features: Option<u8>,
    },
}

impl LayerInput {
    /// Adds the layer to `model` after a layer of `previous` units, with
    /// values from `case`'s pool from `offset`; gives its units.
    pub(crate) fn add_to<T: Element>(
        &self,
        case: &OpsCase,
        model: &mut Sequential<T>,
        previous: usize,
        offset: usize,
    ) -> Result<usize, Error> {
        let width = |byte: &Option<u8>| byte.map_or(previous, |byte| size(byte, MAX_WIDTH));
        match self {
            Self::Dense {
                inputs,
                units,
                bias,
                activation,
                glorot,
                use_bias,
            } => {
                let (inputs, units) = (width(inputs), size(*units, MAX_WIDTH));
                let bias = bias.map_or(units, |len| size(len, MAX_WIDTH));
                let activation = activation.build::<T>()?;
                let kernel = case.array(ndarray::Ix2(inputs, units), offset);
                let layer = match (glorot, use_bias) {
                    (Some(seed), true) => Dense::glorot(inputs, units, activation, *seed),
                    (None, true) => {
                        let bias = case.array(ndarray::Ix1(bias), offset + 11);
                        Dense::new(kernel, bias, activation)
                    }
                    (_, false) => Dense::without_bias(kernel, activation),
                }?;
                model.add(layer).map(|_| units)
            }
            Self::Maxout {
                inputs,
                units,
                pieces,
                glorot,
            } => {
                let (inputs, units) = (width(inputs), size(*units, MAX_WIDTH));
                let pieces = size(*pieces, 3);
                let layer = match glorot {
                    Some(seed) => Maxout::glorot(pieces, inputs, units, *seed),
                    None => Maxout::new(
                        case.array(ndarray::Ix3(pieces, inputs, units), offset),
                        case.array(ndarray::Ix2(pieces, units), offset + 11),
                    ),
                }?;
                model.add(layer).map(|_| units)
            }
            Self::BatchNormalization {
                features,
                momentum,
                epsilon,
                center,
                scale,
                from_pool,
            } => {
                let features = width(features);
                let mut layer = BatchNormalization::new(features)?
                    .momentum(hyper_parameter(*momentum))?
                    .epsilon(hyper_parameter(*epsilon))?
                    .center(*center)
                    .scale(*scale);
                if *from_pool {
                    let shapes = neurite::Layer::<T>::weight_shapes(&layer);
                    let arrays: Vec<_> = (0..shapes.len())
                        .map(|i| case.array(ndarray::IxDyn(&shapes[i]), offset + 7 * i))
                        .collect();
                    let before = neurite::Layer::<T>::weights(&layer);
                    if neurite::Layer::<T>::set_weights(&mut layer, &arrays).is_err() {
                        let after = neurite::Layer::<T>::weights(&layer);
                        assert!(
                            same_weights(&after, &before),
                            "a refused set_weights changed the layer"
                        );
                    }
                }
                model.add(layer).map(|_| features)
            }
            Self::LayerNormalization {
                features,
                epsilon,
                center,
                scale,
            } => {
                let features = width(features);
                let layer = LayerNormalization::new(features)?
                    .epsilon(hyper_parameter(*epsilon))?
                    .center(*center)
                    .scale(*scale);
                model.add(layer).map(|_| features)
            }
            Self::Dropout { rate, features } => {
                let mut layer = Dropout::new(hyper_parameter(*rate))?;
                if let Some(features) = features {
                    layer = layer.with_width(size(*features, MAX_WIDTH))?;
                }
                model.add(layer).map(|model| last_width(model, previous))
            }
            Self::Activation {
                activation,
                features,
            } => {
                let mut layer = ActivationLayer::new(activation.build::<T>()?);
                if let Some(features) = features {
                    layer = layer.with_width(size(*features, MAX_WIDTH))?;
                }
                model.add(layer).map(|model| last_width(model, previous))
            }
        }
    }
}

/// The output width of the model's last layer.
fn last_width<T: Element>(model: &Sequential<T>, otherwise: usize) -> usize {
    model
        .layers()
        .last()
        .map_or(otherwise, |layer| layer.output_width())
}

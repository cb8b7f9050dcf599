use super::*;

// ---------------------------------------------------------------------------
// Layer stacks

/// How to make one layer. The widths need not fit the constructor (0
/// units) or the previous layer.
#[derive(Debug, Clone)]
pub(crate) enum LayerPlan<T: neurite::Element> {
    Dense {
        kernel: Array2<T>,
        bias: Array1<T>,
        activation: BuiltinActivation<T>,
    },
    DenseGlorot {
        inputs: usize,
        units: usize,
        activation: BuiltinActivation<T>,
        seed: u64,
    },
    Maxout {
        kernels: Array3<T>,
        biases: Array2<T>,
    },
    MaxoutGlorot {
        pieces: usize,
        inputs: usize,
        units: usize,
        seed: u64,
    },
}

impl<T: neurite::Element> LayerPlan<T> {
    pub(crate) fn inputs(&self) -> usize {
        match self {
            Self::Dense { kernel, .. } => kernel.nrows(),
            Self::Maxout { kernels, .. } => kernels.dim().1,
            Self::DenseGlorot { inputs, .. } | Self::MaxoutGlorot { inputs, .. } => *inputs,
        }
    }

    pub(crate) fn units(&self) -> usize {
        match self {
            Self::Dense { kernel, .. } => kernel.ncols(),
            Self::Maxout { kernels, .. } => kernels.dim().2,
            Self::DenseGlorot { units, .. } | Self::MaxoutGlorot { units, .. } => *units,
        }
    }

    /// The shapes of the weights the layer would have.
    pub(crate) fn weight_shapes(&self) -> Vec<Vec<usize>> {
        match self {
            Self::Dense { kernel, bias, .. } => {
                vec![kernel.shape().to_vec(), bias.shape().to_vec()]
            }
            Self::Maxout { kernels, biases } => {
                vec![kernels.shape().to_vec(), biases.shape().to_vec()]
            }
            Self::DenseGlorot { inputs, units, .. } => vec![vec![*inputs, *units], vec![*units]],
            Self::MaxoutGlorot {
                pieces,
                inputs,
                units,
                ..
            } => vec![vec![*pieces, *inputs, *units], vec![*pieces, *units]],
        }
    }

    /// The layer, or the constructor's error.
    pub(crate) fn build(&self) -> Result<Result<Box<dyn Layer<T>>, Error>, TestCaseError> {
        let dense = |layer: Result<Dense<T>, Error>| layer.map(boxed);
        let maxout = |layer: Result<Maxout<T>, Error>| layer.map(boxed);
        Ok(match self.clone() {
            Self::Dense {
                kernel,
                bias,
                activation,
            } => dense(guard("Dense::new", self, || {
                Dense::new(kernel, bias, activation)
            })?),
            Self::DenseGlorot {
                inputs,
                units,
                activation,
                seed,
            } => dense(guard("Dense::glorot", self, || {
                Dense::glorot(inputs, units, activation, seed)
            })?),
            Self::Maxout { kernels, biases } => {
                maxout(guard("Maxout::new", self, || Maxout::new(kernels, biases))?)
            }
            Self::MaxoutGlorot {
                pieces,
                inputs,
                units,
                seed,
            } => maxout(guard("Maxout::glorot", self, || {
                Maxout::glorot(pieces, inputs, units, seed)
            })?),
        })
    }

    /// Adds the layer to `model` when its constructor accepts the plan.
    pub(crate) fn add_to(&self, model: &mut Sequential<T>) -> Result<(), TestCaseError> {
        let built = match self.clone() {
            Self::Dense {
                kernel,
                bias,
                activation,
            } => guard("Dense::new", self, || Dense::new(kernel, bias, activation))?
                .map(|layer| add(model, layer, self)),
            Self::DenseGlorot {
                inputs,
                units,
                activation,
                seed,
            } => guard("Dense::glorot", self, || {
                Dense::glorot(inputs, units, activation, seed)
            })?
            .map(|layer| add(model, layer, self)),
            Self::Maxout { kernels, biases } => {
                guard("Maxout::new", self, || Maxout::new(kernels, biases))?
                    .map(|layer| add(model, layer, self))
            }
            Self::MaxoutGlorot {
                pieces,
                inputs,
                units,
                seed,
            } => guard("Maxout::glorot", self, || {
                Maxout::glorot(pieces, inputs, units, seed)
            })?
            .map(|layer| add(model, layer, self)),
        };
        built.unwrap_or(Ok(()))
    }
}

pub(crate) fn boxed<T: neurite::Element, L: Layer<T> + 'static>(layer: L) -> Box<dyn Layer<T>> {
    Box::new(layer)
}

pub(crate) fn add<T: neurite::Element, L: Layer<T> + 'static>(
    model: &mut Sequential<T>,
    layer: L,
    plan: &LayerPlan<T>,
) -> Result<(), TestCaseError> {
    let before = model.len();
    let added = guard("Sequential::add", plan, || model.add(layer).map(|_| ()))?;
    let expected = before + usize::from(added.is_ok());
    prop_assert_eq!(model.len(), expected, "Sequential::add: {:?}", added);
    Ok(())
}

/// Any built-in activation, parameters included (NaN and infinite ones too).
pub(crate) fn activation<T: neurite::Element>() -> impl Strategy<Value = BuiltinActivation<T>> {
    prop_oneof![
        Just(BuiltinActivation::from(Sigmoid)),
        Just(BuiltinActivation::from(Tanh)),
        Just(BuiltinActivation::from(Relu)),
        Just(BuiltinActivation::from(Linear)),
        Just(BuiltinActivation::from(Softmax)),
        value::<T>(2).prop_map(|slope| BuiltinActivation::from(LeakyRelu::new(slope))),
        value::<T>(2).prop_map(|alpha| BuiltinActivation::from(Elu::new(alpha))),
    ]
}

/// A plan for a layer from `inputs` to `units` features, with weights that
/// may hold special values and a bias that may have the wrong length.
pub(crate) fn layer_plan<T: neurite::Element>(
    inputs: usize,
    units: usize,
) -> BoxedStrategy<LayerPlan<T>> {
    let kernel = array(ndarray::Ix2(inputs, units), value::<T>(1));
    let bias = mostly(units).prop_flat_map(|len| array(ndarray::Ix1(len), value::<T>(1)));
    let dense =
        (kernel, bias, activation::<T>()).prop_map(|(kernel, bias, activation)| LayerPlan::Dense {
            kernel,
            bias,
            activation,
        });
    let dense_glorot = (activation::<T>(), any::<u64>()).prop_map(move |(activation, seed)| {
        LayerPlan::DenseGlorot {
            inputs,
            units,
            activation,
            seed,
        }
    });
    let pieces = prop_oneof![1 => Just(0_usize), 6 => 1..=3_usize];
    let maxout = (pieces.clone(), 0..10_u8).prop_flat_map(move |(pieces, odd)| {
        let bias_pieces = if odd == 0 { pieces + 1 } else { pieces };
        (
            array(ndarray::Ix3(pieces, inputs, units), value::<T>(1)),
            array(ndarray::Ix2(bias_pieces, units), value::<T>(1)),
        )
            .prop_map(|(kernels, biases)| LayerPlan::Maxout { kernels, biases })
    });
    let maxout_glorot =
        (pieces, any::<u64>()).prop_map(move |(pieces, seed)| LayerPlan::MaxoutGlorot {
            pieces,
            inputs,
            units,
            seed,
        });
    prop_oneof![3 => dense, 3 => dense_glorot, 1 => maxout, 1 => maxout_glorot].boxed()
}

/// 1 to 4 layers (sometimes none) whose widths mostly chain (one in
/// twenty does not).
pub(crate) fn stack<T: neurite::Element>() -> impl Strategy<Value = Vec<LayerPlan<T>>> {
    let mismatches = vec((prop::bool::weighted(0.05), width()), 4);
    let widths = prop_oneof![1 => vec(width(), 1), 12 => vec(width(), 2..=5)];
    (widths, mismatches)
        .prop_map(|(widths, mismatches)| {
            widths
                .windows(2)
                .zip(mismatches)
                .map(|(pair, (mismatched, odd_width))| {
                    let inputs = if mismatched { odd_width } else { pair[0] };
                    layer_plan::<T>(inputs, pair[1])
                })
                .collect::<Vec<_>>()
        })
        .prop_flat_map(|layers| layers)
}

pub(crate) fn build_model<T: neurite::Element>(
    plans: &[LayerPlan<T>],
) -> Result<Sequential<T>, TestCaseError> {
    let mut model = Sequential::new();
    for plan in plans {
        plan.add_to(&mut model)?;
    }
    Ok(model)
}

pub(crate) fn first_inputs<T: neurite::Element>(plans: &[LayerPlan<T>]) -> usize {
    plans.first().map_or(1, LayerPlan::inputs)
}

pub(crate) fn last_units<T: neurite::Element>(plans: &[LayerPlan<T>]) -> usize {
    plans.last().map_or(1, LayerPlan::units)
}

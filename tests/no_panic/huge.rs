use super::*;

// ---------------------------------------------------------------------------
// Sizes no memory holds

/// A layer size: small, or one whose weights cannot be allocated (never
/// one in between, which would fill this machine's memory).
pub(crate) fn layer_size() -> impl Strategy<Value = usize> {
    prop_oneof![
        3 => 0..=3_usize,
        1 => select(vec![HUGE, 1 << 62, usize::MAX / 2, usize::MAX]),
    ]
}

pub(crate) fn layer_spec() -> impl Strategy<Value = LayerSpec> {
    let activation = prop_oneof![
        Just(ActivationSpec::Relu),
        Just(ActivationSpec::Softmax),
        hyper_parameter().prop_map(|slope| ActivationSpec::LeakyRelu { slope }),
        hyper_parameter().prop_map(|alpha| ActivationSpec::Elu { alpha }),
    ];
    prop_oneof![
        (layer_size(), layer_size(), activation).prop_map(|(inputs, units, activation)| {
            LayerSpec::Dense {
                inputs,
                units,
                activation,
                use_bias: true,
            }
        }),
        (layer_size(), layer_size(), layer_size()).prop_map(|(inputs, units, pieces)| {
            LayerSpec::Maxout {
                inputs,
                units,
                pieces,
            }
        }),
    ]
}

/// The smallest size [`layer_size`] draws that no memory holds.
pub(crate) const HUGE: usize = 1 << 40;

/// Whether a layer has a size of [`HUGE`] or more (and so, whatever its
/// other sizes, cannot be built).
pub(crate) fn is_huge(layer: &LayerSpec) -> bool {
    let pieces = match *layer {
        LayerSpec::Maxout { pieces, .. } => pieces,
        _ => 1,
    };
    [layer.inputs(), layer.units(), pieces]
        .iter()
        .any(|&size| size >= HUGE)
}

pub(crate) fn check_huge_layers<T: neurite::Element>(
    specs: &[LayerSpec],
    seed: u64,
) -> Result<(), TestCaseError> {
    let spec = ModelSpec::new(specs.to_vec());
    runs("ModelSpec::validate", &spec, || spec.validate())?;
    runs("ModelSpec::param_count", &spec, || spec.param_count())?;
    let built = guard("ModelSpec::build", &spec, || spec.build::<T>(seed))?;
    if specs.iter().any(is_huge) {
        prop_assert!(built.is_err(), "ModelSpec::build made a model of {spec:?}");
    }
    for layer in specs {
        let (inputs, units) = (layer.inputs(), layer.units());
        let built = match *layer {
            LayerSpec::Dense { activation, .. } => guard("Dense::glorot", layer, || {
                Dense::glorot(inputs, units, activation.to_builtin::<T>(), seed).map(drop)
            })?,
            LayerSpec::Maxout { pieces, .. } => guard("Maxout::glorot", layer, || {
                Maxout::<T>::glorot(pieces, inputs, units, seed).map(drop)
            })?,
            _ => Ok(()),
        };
        if is_huge(layer) {
            prop_assert!(built.is_err(), "a layer of {layer:?} was made");
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Batches whose outputs no memory holds

/// A broadcast view repeats one row any number of times at no cost, so a
/// batch can ask for outputs of more values than `usize` counts (2^61 rows
/// × a hidden width of 8 × 2 scratch halves), more bytes than an
/// allocation may have (2^61 rows × 1 output) or more than any address
/// space holds (2^59 rows, 2^61 bytes and more): every entry point that
/// allocates per row must refuse it with an error.
pub(crate) fn check_huge_batches<T: neurite::Element>() {
    let mut model = Sequential::<T>::new();
    model
        .add(Dense::glorot(2, 8, Relu, 1).unwrap())
        .unwrap()
        .add(Dense::glorot(8, 3, Tanh, 2).unwrap())
        .unwrap()
        .add(Dense::glorot(3, 1, Sigmoid, 3).unwrap())
        .unwrap();
    let maxout = Maxout::<T>::glorot(2, 2, 3, 4).unwrap();
    let (row, label) = (Array2::<T>::zeros((1, 2)), Array2::<T>::zeros((1, 1)));
    for rows in [1_usize << 59, 1 << 61] {
        let x = row.broadcast((rows, 2)).unwrap();
        let y = label.broadcast((rows, 1)).unwrap();
        let refused = |what: &str, result: Result<(), Error>| {
            assert!(
                matches!(result, Err(Error::InvalidParameter { .. })),
                "{what} on {rows} rows: {result:?}"
            );
        };
        refused("forward", model.forward(&x).map(drop));
        for layer in 0..3 {
            refused("forward_to", model.forward_to(&x, layer).map(drop));
        }
        refused("layer_outputs", model.layer_outputs(&x).map(drop));
        refused("evaluate", model.evaluate(&x, &y).map(drop));
        let mut workspace = Workspace::new();
        refused(
            "forward_with",
            model.forward_with(&x, &mut workspace).map(drop),
        );
        refused("Layer::forward", maxout.forward(x.view()).map(drop));
        refused(
            "pieces_and_winners",
            maxout.pieces_and_winners(x.view()).map(drop),
        );
    }
}

#[test]
pub(crate) fn huge_batches_are_errors_f32() {
    check_huge_batches::<f32>();
}

#[test]
pub(crate) fn huge_batches_are_errors_f64() {
    check_huge_batches::<f64>();
}

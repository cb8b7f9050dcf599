use super::*;

// ---------------------------------------------------------------------------
// Activations

#[derive(Debug, Clone)]
pub(crate) struct ActivationCase<T: neurite::Element> {
    pub(crate) name: String,
    pub(crate) activation: BuiltinActivation<T>,
    pub(crate) values: Vec<T>,
    pub(crate) block: Batch<T>,
    pub(crate) upstream: Vec<T>,
}

/// A name for `FromStr`: a Keras name, one spelled almost right, or any
/// string.
pub(crate) fn activation_name() -> impl Strategy<Value = String> {
    let names = vec![
        "sigmoid",
        "tanh",
        "relu",
        "leaky_relu",
        "elu",
        "linear",
        "softmax",
    ];
    prop_oneof![
        4 => select(names.clone()).prop_map(str::to_owned),
        1 => (select(names), "[ A-Z_\\x00é]{0,2}").prop_map(|(name, noise)| format!("{noise}{name}{noise}")),
        1 => any::<String>(),
    ]
}

pub(crate) fn activation_case<T: neurite::Element>() -> impl Strategy<Value = ActivationCase<T>> {
    (rows(), 0..=5_usize, 0..=70_usize, select(SMALL_LAYOUTS))
        .prop_flat_map(|(rows, cols, len, layout)| {
            (
                activation_name(),
                activation::<T>(),
                vec(value::<T>(2), len),
                batch(rows, cols, layout, value::<T>(2)),
                vec(value::<T>(2), rows * cols),
            )
        })
        .prop_map(
            |(name, activation, values, block, upstream)| ActivationCase {
                name,
                activation,
                values,
                block,
                upstream,
            },
        )
}

pub(crate) fn check_activation<T: neurite::Element>(
    case: &ActivationCase<T>,
) -> Result<(), TestCaseError> {
    let parsed = guard("BuiltinActivation::from_str", case, || {
        case.name.parse::<BuiltinActivation<T>>()
    })?;
    for activation in parsed.into_iter().chain([case.activation]) {
        let mut values = case.values.clone();
        runs("Activation::apply_slice", case, || {
            activation.apply_slice(&mut values)
        })?;
        for &x in &case.values {
            runs("Activation::apply", case, || activation.apply(x))?;
            runs("Activation::derivative", case, || activation.derivative(x))?;
        }
        let mut out = case.block.clone();
        runs("Activation::apply_rows", case, || {
            activation.apply_rows(out.view_mut())
        })?;
        let shape = out.view().raw_dim();
        let mut grad = Array2::from_shape_vec(shape, case.upstream.clone())
            .expect("one upstream value per output");
        runs("Activation::backward_rows", case, || {
            activation.backward_rows(case.block.view(), out.view(), grad.view_mut())
        })?;
    }
    let half = case.values.len() / 2;
    runs("Softmax::vjp", case, || {
        Softmax::vjp(&case.values[..half], &case.values[half..])
    })?;
    Ok(())
}

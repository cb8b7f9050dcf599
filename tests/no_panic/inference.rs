use super::*;

// ---------------------------------------------------------------------------
// Inference

#[derive(Debug, Clone)]
pub(crate) struct ModelCase<T: neurite::Element> {
    pub(crate) stack: Vec<LayerPlan<T>>,
    pub(crate) x: Batch<T>,
    pub(crate) y: Batch<T>,
    pub(crate) layer: usize,
}

pub(crate) fn model_case<T: neurite::Element>() -> impl Strategy<Value = ModelCase<T>> {
    stack::<T>().prop_flat_map(|stack| {
        let (inputs, outputs) = (first_inputs(&stack), last_units(&stack));
        (
            Just(stack),
            data::<T>(inputs, outputs, ALL_LAYOUTS, 1),
            0..=5_usize,
        )
            .prop_map(|(stack, (x, y), layer)| ModelCase { stack, x, y, layer })
    })
}

pub(crate) fn check_inference<T: neurite::Element>(
    case: &ModelCase<T>,
) -> Result<(), TestCaseError> {
    let model = build_model(&case.stack)?;
    let (x, y) = (case.x.view(), case.y.view());
    let outputs = model.layers().last().map(|layer| layer.output_width());

    let forward = guard("Sequential::forward", case, || model.forward(&x))?;
    if let Ok(out) = &forward {
        prop_assert_eq!(Some(out.dim()), outputs.map(|units| (x.nrows(), units)));
    }
    runs("Sequential::forward_to", case, || {
        model.forward_to(&x, case.layer)
    })?;
    let all = guard("Sequential::layer_outputs", case, || {
        model.layer_outputs(&x)
    })?;
    if let (Ok(all), Ok(out)) = (&all, &forward) {
        prop_assert_eq!(all.len(), model.len());
        prop_assert_eq!(all.last().map(|last| last.dim()), Some(out.dim()));
    }
    let mut workspace = Workspace::new();
    runs("Sequential::forward_with", case, || {
        model.forward_with(&x, &mut workspace).map(|out| out.dim())
    })?;
    let evaluation = guard("Sequential::evaluate", case, || model.evaluate(&x, &y))?;
    if let Ok(evaluation) = evaluation {
        let accuracy = evaluation.accuracy;
        prop_assert!(
            accuracy >= T::zero() && accuracy <= T::one(),
            "accuracy {accuracy:?}"
        );
    }
    runs("Sequential::gradients", case, || model.gradients(&x, &y))?;
    runs("Sequential::summary", case, || model.summary().to_string())?;
    runs("Sequential::get_weights", case, || model.get_weights())?;
    check_bytes_round_trip(&model, case)
}

/// A model `to_bytes` accepts comes back from `from_bytes` with the same
/// weights.
pub(crate) fn check_bytes_round_trip<T: neurite::Element>(
    model: &Sequential<T>,
    case: &dyn Debug,
) -> Result<(), TestCaseError> {
    runs("Sequential::spec", case, || model.spec())?;
    if let Ok(bytes) = guard("Sequential::to_bytes", case, || model.to_bytes())? {
        let loaded = guard("Sequential::from_bytes", case, || {
            Sequential::<T>::from_bytes(&bytes)
        })?;
        let loaded = loaded.map_err(|error| {
            TestCaseError::fail(format!("from_bytes refused to_bytes's output: {error}"))
        })?;
        prop_assert!(same_weights(&loaded.get_weights(), &model.get_weights()));
    }
    Ok(())
}

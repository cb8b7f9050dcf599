use super::*;

// ---------------------------------------------------------------------------
// Layers on their own

/// A layer and the blocks handed to its methods, each sometimes of the
/// wrong shape (`None`: the shape the layer expects).
#[derive(Debug, Clone)]
pub(crate) struct LayerCase<T: neurite::Element> {
    pub(crate) plan: LayerPlan<T>,
    pub(crate) x: Batch<T>,
    pub(crate) grad: Batch<T>,
    pub(crate) buffers: [Option<(usize, usize)>; 4],
    pub(crate) weight_grads: Option<usize>,
    pub(crate) transposed_buffers: bool,
    pub(crate) weights: Vec<ArrayD<T>>,
}

pub(crate) fn odd_shape() -> impl Strategy<Value = Option<(usize, usize)>> {
    prop_oneof![8 => Just(None), 1 => (0..=5_usize, 0..=8_usize).prop_map(Some)]
}

pub(crate) fn layer_case<T: neurite::Element>() -> impl Strategy<Value = LayerCase<T>> {
    (width(), width())
        .prop_flat_map(|(inputs, units)| layer_plan::<T>(inputs, units))
        .prop_flat_map(|plan| {
            let (inputs, units) = (plan.inputs(), plan.units());
            let shapes = plan.weight_shapes();
            (
                Just(plan),
                data::<T>(inputs, units, ALL_LAYOUTS, 1),
                [odd_shape(), odd_shape(), odd_shape(), odd_shape()],
                prop_oneof![8 => Just(None), 1 => (0..=40_usize).prop_map(Some)],
                any::<bool>(),
                weight_list::<T>(shapes),
            )
        })
        .prop_map(
            |(plan, (x, grad), buffers, weight_grads, transposed_buffers, weights)| LayerCase {
                plan,
                x,
                grad,
                buffers,
                weight_grads,
                transposed_buffers,
                weights,
            },
        )
}

/// A zeroed `(rows, cols)` buffer, row-major or the transpose of a
/// column-major one.
pub(crate) fn buffer<T: neurite::Element>(
    (rows, cols): (usize, usize),
    transposed: bool,
) -> Array2<T> {
    if transposed {
        Array2::zeros((cols, rows)).reversed_axes()
    } else {
        Array2::zeros((rows, cols))
    }
}

pub(crate) fn check_layer<T: neurite::Element>(case: &LayerCase<T>) -> Result<(), TestCaseError> {
    let Ok(mut layer) = case.plan.build()? else {
        return Ok(());
    };
    let x = case.x.view();
    let rows = x.nrows();
    let units = layer.output_width();
    let shape = |i: usize, expected: (usize, usize)| case.buffers[i].unwrap_or(expected);
    let transposed = case.transposed_buffers;

    let out = guard("Layer::forward", case, || layer.forward(x))?;
    if let Ok(out) = &out {
        prop_assert_eq!(out.dim(), (rows, units));
    }
    let mut pre = buffer::<T>(shape(0, (rows, units)), transposed);
    let mut trace = buffer::<T>(shape(1, (rows, layer.trace_width())), transposed);
    let mut out = buffer::<T>(shape(2, (rows, units)), transposed);
    runs("Layer::pre_activation_into", case, || {
        layer.pre_activation_into(x, pre.view_mut())
    })?;
    runs("Layer::forward_into", case, || {
        layer.forward_into(x, out.view_mut())
    })?;
    let trained = guard("Layer::forward_train", case, || {
        layer.forward_train(x, pre.view_mut(), trace.view_mut(), out.view_mut())
    })?;
    let mut grad = case.grad.clone();
    if trained.is_ok() && grad.view().dim() == pre.dim() {
        runs("Layer::backward_activation", case, || {
            layer.backward_activation(pre.view(), out.view(), grad.view_mut())
        })?;
    }
    let mut weight_grads = vec![T::zero(); case.weight_grads.unwrap_or(layer.param_count())];
    let mut grad_input = buffer::<T>(shape(3, (rows, x.ncols())), transposed);
    runs("Layer::backward_affine", case, || {
        layer.backward_affine(
            x,
            trace.view_mut(),
            grad.view(),
            &mut weight_grads,
            Some(grad_input.view_mut()),
        )
    })?;
    runs(
        "Layer::backward_affine without input gradient",
        case,
        || layer.backward_affine(x, trace.view_mut(), grad.view(), &mut weight_grads, None),
    )?;
    if let LayerPlan::Maxout { kernels, biases } = &case.plan
        && let Ok(maxout) = Maxout::new(kernels.clone(), biases.clone())
    {
        runs("Maxout::pieces_and_winners", case, || {
            maxout.pieces_and_winners(x)
        })?;
    }
    check_layer_weights(layer.as_mut(), case)
}

/// `Layer::set_weights` takes the arrays or refuses them and changes nothing.
pub(crate) fn check_layer_weights<T: neurite::Element>(
    layer: &mut dyn Layer<T>,
    case: &LayerCase<T>,
) -> Result<(), TestCaseError> {
    let before = guard("Layer::weights", case, || layer.weights())?;
    let result = guard("Layer::set_weights", case, || {
        layer.set_weights(&case.weights)
    })?;
    let after = layer.weights();
    match result {
        Ok(()) => prop_assert!(same_weights(&after, &case.weights)),
        Err(_) => prop_assert!(same_weights(&after, &before)),
    }
    Ok(())
}

use super::*;

// ---------------------------------------------------------------------------
// Weights

/// A list of weight arrays for the given shapes: mostly those shapes, some
/// arrays with a dimension more, less or of another size, sometimes one
/// array too few or too many; some stored transposed.
pub(crate) fn weight_list<T: neurite::Element>(
    shapes: Vec<Vec<usize>>,
) -> BoxedStrategy<Vec<ArrayD<T>>> {
    let count = shapes.len();
    let shapes = prop_oneof![
        8 => Just(shapes.clone()),
        1 => Just(shapes[..count.saturating_sub(1)].to_vec()),
        1 => Just([shapes, vec![vec![2]]].concat()),
    ];
    shapes
        .prop_flat_map(|shapes| {
            shapes
                .into_iter()
                .map(|shape| odd_array_shape(shape).prop_flat_map(weight_array::<T>))
                .collect::<Vec<_>>()
        })
        .boxed()
}

/// `shape`, or one with a dimension changed, dropped or added.
pub(crate) fn odd_array_shape(shape: Vec<usize>) -> impl Strategy<Value = Vec<usize>> {
    let rank = shape.len();
    (0..10_u8, 0..=rank, 0..=3_usize).prop_map(move |(kind, axis, size)| {
        let mut shape = shape.clone();
        match kind {
            0 if axis < rank => shape[axis] = size,
            1 if axis < rank => {
                shape.remove(axis);
            }
            2 => shape.insert(axis, size),
            _ => {}
        }
        shape
    })
}

/// An array of the given shape, row-major or with its axes reversed.
pub(crate) fn weight_array<T: neurite::Element>(
    shape: Vec<usize>,
) -> impl Strategy<Value = ArrayD<T>> {
    let reversed: Vec<usize> = shape.iter().rev().copied().collect();
    (
        any::<bool>(),
        vec(value::<T>(1), shape.iter().product::<usize>()),
    )
        .prop_map(move |(transposed, values)| {
            if transposed {
                ArrayD::from_shape_vec(IxDyn(&reversed), values)
                    .expect("as many values as the shape holds")
                    .reversed_axes()
            } else {
                ArrayD::from_shape_vec(IxDyn(&shape), values)
                    .expect("as many values as the shape holds")
            }
        })
}

#[derive(Debug, Clone)]
pub(crate) struct WeightsCase<T: neurite::Element> {
    pub(crate) stack: Vec<LayerPlan<T>>,
    pub(crate) weights: Vec<ArrayD<T>>,
}

pub(crate) fn weights_case<T: neurite::Element>() -> impl Strategy<Value = WeightsCase<T>> {
    stack::<T>().prop_flat_map(|stack| {
        let shapes = stack.iter().flat_map(LayerPlan::weight_shapes).collect();
        (Just(stack), weight_list::<T>(shapes))
            .prop_map(|(stack, weights)| WeightsCase { stack, weights })
    })
}

pub(crate) fn check_set_weights<T: neurite::Element>(
    case: &WeightsCase<T>,
) -> Result<(), TestCaseError> {
    let mut model = build_model(&case.stack)?;
    let before = model.get_weights();
    let result = guard("Sequential::set_weights", case, || {
        model.set_weights(&case.weights)
    })?;
    let after = model.get_weights();
    match &result {
        Ok(()) => prop_assert!(same_weights(&after, &case.weights)),
        Err(_) => prop_assert!(
            same_weights(&after, &before),
            "{result:?} changed the weights"
        ),
    }
    let inputs = model.layers().next().map_or(1, |layer| layer.input_width());
    let x = Array2::<T>::ones((3, inputs));
    let y = Array2::<T>::zeros((3, model.layers().last().map_or(1, |l| l.output_width())));
    runs("Sequential::forward after set_weights", case, || {
        model.forward(&x)
    })?;
    runs("Sequential::evaluate after set_weights", case, || {
        model.evaluate(&x, &y)
    })?;
    check_bytes_round_trip(&model, case)
}

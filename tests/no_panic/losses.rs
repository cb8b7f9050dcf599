use super::*;

// ---------------------------------------------------------------------------
// Loss functions

#[derive(Debug, Clone)]
pub(crate) struct LossCase<T: neurite::Element> {
    pub(crate) y_true: ArrayD<T>,
    pub(crate) y_pred: ArrayD<T>,
    pub(crate) sample_weight: Array1<T>,
    pub(crate) transposed: bool,
}

pub(crate) fn loss_shape() -> impl Strategy<Value = Vec<usize>> {
    vec(prop_oneof![1 => Just(0_usize), 5 => 1..=4_usize], 0..=3)
}

pub(crate) fn loss_case<T: neurite::Element>() -> impl Strategy<Value = LossCase<T>> {
    loss_shape()
        .prop_flat_map(|shape| {
            let pred_shape = prop_oneof![8 => Just(shape.clone()), 1 => loss_shape()];
            let samples = shape
                .split_last()
                .map_or(1, |(_, rest)| rest.iter().product());
            (Just(shape), pred_shape, mostly(samples))
        })
        .prop_flat_map(|(shape, pred_shape, samples)| {
            let predictions = prop_oneof![label::<T>(), value::<T>(2)];
            (
                array(IxDyn(&shape), label::<T>()),
                array(IxDyn(&pred_shape), predictions.boxed()),
                array(ndarray::Ix1(samples), value::<T>(1)),
                any::<bool>(),
            )
        })
        .prop_map(|(y_true, y_pred, sample_weight, transposed)| LossCase {
            y_true,
            y_pred,
            sample_weight,
            transposed,
        })
}

pub(crate) fn check_losses<T: neurite::Element>(case: &LossCase<T>) -> Result<(), TestCaseError> {
    let (y_true, y_pred) = if case.transposed {
        (case.y_true.t(), case.y_pred.t())
    } else {
        (case.y_true.view(), case.y_pred.view())
    };
    let weights = &case.sample_weight;
    let lanes = y_true
        .shape()
        .split_last()
        .map(|(_, rest)| rest.iter().product::<usize>());

    runs("loss::binary_cross_entropy", case, || {
        loss::binary_cross_entropy(&y_true, &y_pred)
    })?;
    runs("loss::binary_cross_entropy_with_logits", case, || {
        loss::binary_cross_entropy_with_logits(&y_true, &y_pred)
    })?;
    let per_sample = guard("loss::binary_cross_entropy_per_sample", case, || {
        loss::binary_cross_entropy_per_sample(&y_true, &y_pred)
    })?;
    let per_sample_logits = guard(
        "loss::binary_cross_entropy_with_logits_per_sample",
        case,
        || loss::binary_cross_entropy_with_logits_per_sample(&y_true, &y_pred),
    )?;
    for losses in [&per_sample, &per_sample_logits].into_iter().flatten() {
        prop_assert_eq!(Some(losses.len()), lanes);
        runs("loss::weighted_mean", case, || {
            loss::weighted_mean(losses, weights)
        })?;
    }
    runs("loss::weighted_mean of the weights", case, || {
        loss::weighted_mean(weights, weights)
    })?;
    let accuracy = guard("loss::binary_accuracy", case, || {
        loss::binary_accuracy(&y_true, &y_pred)
    })?;
    if let Ok(accuracy) = accuracy {
        prop_assert!(
            accuracy >= T::zero() && accuracy <= T::one(),
            "accuracy {accuracy:?}"
        );
    }
    runs("loss::binary_accuracy_weighted", case, || {
        loss::binary_accuracy_weighted(&y_true, &y_pred, weights)
    })?;
    let gradients = [
        guard("loss::binary_cross_entropy_gradient", case, || {
            loss::binary_cross_entropy_gradient(&y_true, &y_pred)
        })?,
        guard(
            "loss::binary_cross_entropy_with_logits_gradient",
            case,
            || loss::binary_cross_entropy_with_logits_gradient(&y_true, &y_pred),
        )?,
    ];
    for gradient in gradients.iter().flatten() {
        prop_assert_eq!(gradient.shape(), y_true.shape());
    }
    Ok(())
}

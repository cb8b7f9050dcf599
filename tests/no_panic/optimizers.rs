use super::*;

// ---------------------------------------------------------------------------
// Optimizers called directly

/// `Optimizer::update` outside a model: any index, gradients shorter or
/// longer than the weights, special values. Only the weights with a
/// gradient move.
pub(crate) fn check_direct_updates<T: neurite::Element>() {
    let optimizers: Vec<Box<dyn Optimizer<T>>> = vec![
        Box::new(Sgd::new(0.1)),
        Box::new(Sgd::with_momentum(0.1, 0.9).nesterov(true)),
        Box::new(RmsProp::new(0.01).centered(true).momentum(0.5)),
        Box::new(Adam::new(0.01).amsgrad(true)),
    ];
    let special = [
        T::nan(),
        T::infinity(),
        T::min_positive_value(),
        -T::max_value(),
    ];
    for mut optimizer in optimizers {
        optimizer.begin_step(&[3]);
        for index in [0, 1, 1 << 40, usize::MAX] {
            for gradient_len in [0, 2, 3, 5] {
                let gradient: Vec<T> = (0..gradient_len)
                    .map(|i| special.get(i).copied().unwrap_or_else(T::one))
                    .collect();
                let mut weights = [T::one(); 3];
                let updated = catch_unwind(AssertUnwindSafe(|| {
                    optimizer.update(index, &mut weights, &gradient);
                }));
                assert!(
                    updated.is_ok(),
                    "{optimizer:?}: index {index}, {gradient_len} gradients"
                );
                assert!(
                    weights[gradient_len.min(3)..]
                        .iter()
                        .all(|w| *w == T::one()),
                    "{optimizer:?} moved a weight without a gradient"
                );
            }
        }
    }
}

#[test]
pub(crate) fn direct_optimizer_updates_f32() {
    check_direct_updates::<f32>();
}

#[test]
pub(crate) fn direct_optimizer_updates_f64() {
    check_direct_updates::<f64>();
}

#[cfg(feature = "half")]
#[test]
pub(crate) fn direct_optimizer_updates_f16() {
    check_direct_updates::<neurite::half::f16>();
}

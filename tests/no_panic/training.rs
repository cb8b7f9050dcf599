use super::*;

// ---------------------------------------------------------------------------
// Training

#[derive(Debug, Clone)]
pub(crate) enum OptimizerPlan {
    Sgd {
        learning_rate: f64,
        momentum: f64,
        nesterov: bool,
    },
    RmsProp {
        learning_rate: f64,
        rho: f64,
        momentum: f64,
        epsilon: f64,
        centered: bool,
    },
    Adam {
        learning_rate: f64,
        beta_1: f64,
        beta_2: f64,
        epsilon: f64,
        amsgrad: bool,
    },
}

impl OptimizerPlan {
    pub(crate) fn build<T: neurite::Element>(&self) -> Box<dyn Optimizer<T>> {
        match *self {
            Self::Sgd {
                learning_rate,
                momentum,
                nesterov,
            } => Box::new(
                Sgd::new(learning_rate)
                    .momentum(momentum)
                    .nesterov(nesterov),
            ),
            Self::RmsProp {
                learning_rate,
                rho,
                momentum,
                epsilon,
                centered,
            } => Box::new(
                RmsProp::new(learning_rate)
                    .rho(rho)
                    .momentum(momentum)
                    .epsilon(epsilon)
                    .centered(centered),
            ),
            Self::Adam {
                learning_rate,
                beta_1,
                beta_2,
                epsilon,
                amsgrad,
            } => Box::new(
                Adam::new(learning_rate)
                    .beta_1(beta_1)
                    .beta_2(beta_2)
                    .epsilon(epsilon)
                    .amsgrad(amsgrad),
            ),
        }
    }
}

pub(crate) fn optimizer_plan() -> impl Strategy<Value = OptimizerPlan> {
    let h = hyper_parameter;
    prop_oneof![
        (h(), h(), any::<bool>()).prop_map(|(learning_rate, momentum, nesterov)| {
            OptimizerPlan::Sgd {
                learning_rate,
                momentum,
                nesterov,
            }
        }),
        (h(), h(), h(), h(), any::<bool>()).prop_map(
            |(learning_rate, rho, momentum, epsilon, centered)| OptimizerPlan::RmsProp {
                learning_rate,
                rho,
                momentum,
                epsilon,
                centered,
            }
        ),
        (h(), h(), h(), h(), any::<bool>()).prop_map(
            |(learning_rate, beta_1, beta_2, epsilon, amsgrad)| OptimizerPlan::Adam {
                learning_rate,
                beta_1,
                beta_2,
                epsilon,
                amsgrad,
            }
        ),
    ]
}

#[derive(Debug, Clone)]
pub(crate) struct FitPlan {
    pub(crate) epochs: usize,
    pub(crate) batch_size: usize,
    pub(crate) shuffle: Option<u64>,
    pub(crate) verbose: bool,
}

pub(crate) fn fit_plan() -> impl Strategy<Value = FitPlan> {
    (
        0..=3_usize,
        prop_oneof![1 => Just(0_usize), 6 => 1..=8_usize, 1 => Just(usize::MAX)],
        prop::option::of(any::<u64>()),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(epochs, batch_size, shuffle, verbose)| FitPlan {
            epochs,
            batch_size,
            shuffle,
            verbose,
        })
}

#[derive(Debug, Clone)]
pub(crate) struct TrainCase<T: neurite::Element> {
    pub(crate) stack: Vec<LayerPlan<T>>,
    pub(crate) x: Batch<T>,
    pub(crate) y: Batch<T>,
    pub(crate) optimizer: OptimizerPlan,
    pub(crate) fit: FitPlan,
    pub(crate) validation: Option<(Batch<T>, Batch<T>)>,
}

pub(crate) fn train_case<T: neurite::Element>() -> impl Strategy<Value = TrainCase<T>> {
    stack::<T>().prop_flat_map(|stack| {
        let (inputs, outputs) = (first_inputs(&stack), last_units(&stack));
        (
            Just(stack),
            // NaN or infinite inputs in one case in four: most steps run.
            prop_oneof![
                3 => data::<T>(inputs, outputs, SMALL_LAYOUTS, 0),
                1 => data::<T>(inputs, outputs, SMALL_LAYOUTS, 1),
            ],
            optimizer_plan(),
            fit_plan(),
            prop::option::of(data::<T>(inputs, outputs, SMALL_LAYOUTS, 0)),
        )
            .prop_map(|(stack, (x, y), optimizer, fit, validation)| TrainCase {
                stack,
                x,
                y,
                optimizer,
                fit,
                validation,
            })
    })
}

pub(crate) fn check_training<T: neurite::Element>(
    case: &TrainCase<T>,
) -> Result<(), TestCaseError> {
    let mut model = build_model(&case.stack)?;
    let mut optimizer = case.optimizer.build::<T>();
    let (x, y) = (case.x.view(), case.y.view());
    for _ in 0..2 {
        unchanged_on_error("Sequential::train_step", case, &mut model, |model| {
            model.train_step(&x, &y, optimizer.as_mut())
        })?;
    }
    check_fit(&mut model, optimizer.as_mut(), case)?;
    check_bytes_round_trip(&model, case)
}

pub(crate) fn check_fit<T: neurite::Element>(
    model: &mut Sequential<T>,
    optimizer: &mut dyn Optimizer<T>,
    case: &TrainCase<T>,
) -> Result<(), TestCaseError> {
    let (x, y) = (case.x.view(), case.y.view());
    let validation = case.validation.as_ref().map(|(x, y)| (x.view(), y.view()));
    let (mut batches, mut epochs) = (0, 0);
    let mut options = FitOptions::new(case.fit.epochs)
        .batch_size(case.fit.batch_size)
        .verbose(case.fit.verbose)
        .on_batch_end(|_| batches += 1)
        .on_epoch_end(|_| epochs += 1);
    if let Some(seed) = case.fit.shuffle {
        options = options.shuffle(seed);
    }
    if let Some((x, y)) = &validation {
        options = options.validation_data(x, y);
    }
    let history = guard("Sequential::fit", case, || {
        model.fit(&x, &y, optimizer, options)
    })?;
    if let Ok(history) = history {
        prop_assert_eq!(history.epochs(), case.fit.epochs);
        prop_assert_eq!(epochs, case.fit.epochs);
        let validated = if validation.is_some() { epochs } else { 0 };
        prop_assert_eq!(history.val_loss.len(), validated);
        let per_epoch = x.nrows().div_ceil(case.fit.batch_size.min(x.nrows()));
        prop_assert_eq!(batches, per_epoch * epochs);
    }
    Ok(())
}

//! Every loss's gradient against central finite differences of its value
//! (in f64, logits forms included), and the errors a loss gives for
//! labels and shapes it does not take, through `Loss` and through a
//! compiled model (whose failed step must leave the weights untouched).

use ndarray::{Array2, ShapeBuilder, array};
use neurite::loss::Loss;
use neurite::{Dense, Error, Linear, Sequential, Sgd, Softmax};

/// Every loss with arguments that exercise its branches.
fn losses() -> Vec<Loss> {
    let focal = Loss::binary_focal_crossentropy();
    vec![
        Loss::binary_crossentropy(),
        Loss::binary_crossentropy().label_smoothing(0.1).unwrap(),
        Loss::binary_crossentropy().from_logits(true).unwrap(),
        focal,
        focal
            .class_balancing(true)
            .unwrap()
            .focal(0.3, 1.5)
            .unwrap(),
        focal.from_logits(true).unwrap(),
        Loss::categorical_crossentropy(),
        Loss::categorical_crossentropy()
            .label_smoothing(0.2)
            .unwrap(),
        Loss::categorical_crossentropy().from_logits(true).unwrap(),
        Loss::categorical_focal_crossentropy(),
        Loss::categorical_focal_crossentropy()
            .from_logits(true)
            .unwrap(),
        Loss::sparse_categorical_crossentropy(),
        Loss::sparse_categorical_crossentropy()
            .from_logits(true)
            .unwrap(),
        Loss::MeanSquaredError,
        Loss::MeanAbsoluteError,
        Loss::MeanAbsolutePercentageError,
        Loss::MeanSquaredLogarithmicError,
        Loss::huber().delta(0.3).unwrap(),
        Loss::LogCosh,
        Loss::KlDivergence,
        Loss::Poisson,
        Loss::Hinge,
        Loss::SquaredHinge,
        Loss::CategoricalHinge,
        Loss::CosineSimilarity,
    ]
}

/// Labels and predictions (away from every kink and clip bound) that fit
/// the loss.
fn batch(loss: &Loss) -> (Array2<f64>, Array2<f64>) {
    let p = array![[0.21, 0.47, 0.32], [0.63, 0.12, 0.25]];
    let logits = array![[1.3, -0.4, 0.2], [-2.1, 0.7, 1.9]];
    let one_hot = array![[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
    let from_logits = loss.is_from_logits();
    let predictions = if from_logits { logits } else { p.clone() };
    match loss {
        Loss::SparseCategoricalCrossentropy { .. } => (array![[1.0], [2.0]], predictions),
        Loss::BinaryCrossentropy { .. } | Loss::BinaryFocalCrossentropy { .. } => {
            (array![[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]], predictions)
        }
        Loss::Hinge | Loss::SquaredHinge => {
            (array![[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]], p * 3.0 - 0.9)
        }
        Loss::MeanAbsolutePercentageError
        | Loss::MeanSquaredError
        | Loss::Huber { .. }
        | Loss::LogCosh => (array![[0.3, -1.2, 2.0], [0.05, 0.9, -0.4]], p * 2.0 - 0.6),
        _ => (one_hot, predictions),
    }
}

#[test]
fn every_gradient_matches_finite_differences() {
    let h = 1e-6;
    for loss in losses() {
        let (y, p) = batch(&loss);
        let gradient = loss.gradient(&y, &p).unwrap();
        for index in ndarray::indices_of(&p) {
            let mut plus = p.clone();
            plus[index] += h;
            let mut minus = p.clone();
            minus[index] -= h;
            let numeric =
                (loss.value(&y, &plus).unwrap() - loss.value(&y, &minus).unwrap()) / (2.0 * h);
            let analytic = gradient[index];
            assert!(
                (numeric - analytic).abs() <= 1e-6 * (1.0 + analytic.abs()),
                "{loss:?} at {index:?}: analytic {analytic:e}, numeric {numeric:e}"
            );
        }
    }
}

#[test]
fn every_loss_name_parses_to_its_own_name() {
    for loss in losses() {
        let named: Loss = loss.name().parse().unwrap();
        assert_eq!(
            std::mem::discriminant(&named),
            std::mem::discriminant(&loss),
            "{loss:?}"
        );
    }
    for alias in [
        "mse",
        "mae",
        "mape",
        "msle",
        "kld",
        "logcosh",
        "bce",
        "huber_loss",
        "MeanSquaredError",
    ] {
        assert!(alias.parse::<Loss>().is_ok(), "{alias}");
    }
    let unknown = "mean_cubed_error".parse::<Loss>();
    assert!(
        matches!(unknown, Err(Error::InvalidParameter { name: "loss", .. })),
        "{unknown:?}"
    );
}

#[test]
fn labels_that_do_not_fit_are_typed_errors() {
    let sparse = Loss::sparse_categorical_crossentropy();
    let p = array![[0.2_f32, 0.8], [0.5, 0.5]];
    for (labels, what) in [
        (array![[1.0], [2.0]], "out of range"),
        (array![[0.5], [1.0]], "not an integer"),
        (array![[-1.0], [0.0]], "negative"),
    ] {
        let result = sparse.value(&labels, &p);
        assert!(
            matches!(result, Err(Error::InvalidLabel { .. })),
            "{what}: {result:?}"
        );
    }
    let nan = sparse.value(&array![[f32::NAN], [0.0]], &p);
    assert!(
        matches!(nan, Err(Error::InvalidLabel { index: 0, .. })),
        "{nan:?}"
    );

    let cce = Loss::categorical_crossentropy();
    let not_a_row = cce.value(&array![[1.0_f64, 1.0]], &array![[0.5, 0.5]]);
    assert!(
        matches!(not_a_row, Err(Error::InvalidLabel { .. })),
        "{not_a_row:?}"
    );
    let poisson = Loss::Poisson.value(&array![[-1.0_f64]], &array![[0.5]]);
    assert!(
        matches!(poisson, Err(Error::InvalidLabel { .. })),
        "{poisson:?}"
    );
    let bce = Loss::binary_crossentropy().value(&array![[2.0_f64]], &array![[0.5]]);
    assert!(matches!(bce, Err(Error::LabelOutOfRange { .. })), "{bce:?}");

    let shapes = Loss::MeanSquaredError.value(&array![[1.0_f64, 2.0]], &array![[1.0]]);
    assert!(
        matches!(shapes, Err(Error::ShapeMismatch { .. })),
        "{shapes:?}"
    );
    let empty = Loss::MeanSquaredError.value(&Array2::<f64>::zeros((0, 1)), &Array2::zeros((0, 1)));
    assert!(matches!(empty, Err(Error::EmptyBatch { .. })), "{empty:?}");
    let weights = Loss::MeanSquaredError.value_weighted(
        &array![[1.0_f64]],
        &array![[1.0]],
        &array![1.0, 2.0],
    );
    assert!(
        matches!(weights, Err(Error::ShapeMismatch { .. })),
        "{weights:?}"
    );
}

#[test]
fn arguments_out_of_range_are_typed_errors() {
    assert!(Loss::MeanSquaredError.from_logits(true).is_err());
    assert!(Loss::MeanSquaredError.from_logits(false).is_ok());
    assert!(
        Loss::categorical_crossentropy()
            .label_smoothing(-0.1)
            .is_err()
    );
    assert!(Loss::huber().delta(f64::NAN).is_err());
    assert!(Loss::binary_focal_crossentropy().focal(1.5, 2.0).is_err());
    assert!(Loss::LogCosh.delta(1.0).is_err());
}

#[test]
fn a_failed_compiled_step_leaves_the_weights_untouched() {
    let mut model = Sequential::<f64>::new();
    model
        .add(Dense::glorot(2, 3, Linear, 1).unwrap())
        .unwrap()
        .add(Dense::glorot(3, 3, Softmax, 2).unwrap())
        .unwrap();
    model.compile(Loss::sparse_categorical_crossentropy());
    let before = model.get_weights();
    let x = array![[0.5, -1.0], [1.5, 0.25]];
    let mut sgd = Sgd::new(0.1);
    let bad = model.train_step(&x, &array![[0.0], [3.0]], &mut sgd);
    assert!(
        matches!(bad, Err(Error::InvalidLabel { index: 1, .. })),
        "{bad:?}"
    );
    assert_eq!(model.get_weights(), before);
    let one_hot = model.train_step(&x, &array![[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], &mut sgd);
    assert!(
        matches!(one_hot, Err(Error::ShapeMismatch { .. })),
        "{one_hot:?}"
    );
    assert_eq!(model.get_weights(), before);
    let good = model
        .train_step(&x, &array![[0.0], [2.0]], &mut sgd)
        .unwrap();
    assert!(good.is_finite());
    assert_ne!(model.get_weights(), before);
}

#[test]
fn a_softmax_output_is_trained_through_its_logits() {
    // Logits of ±1e4: the probabilities round to 0 and 1, so the clipped
    // probability form would cost about 16; through the logits the loss is
    // the exact 2e4, and the gradient is softmax - y, not 0.
    let mut model = Sequential::<f64>::new();
    model
        .add(Dense::new(array![[1e4, -1e4, 0.0]], array![0.0, 0.0, 0.0], Softmax).unwrap())
        .unwrap();
    model.compile(Loss::categorical_crossentropy());
    let (x, y) = (array![[1.0]], array![[0.0, 1.0, 0.0]]);
    assert_eq!(model.evaluate(&x, &y).unwrap().loss, 2e4);
    let gradients = model.gradients(&x, &y).unwrap();
    assert_eq!(gradients[1].as_slice().unwrap(), [1.0, -1.0, 0.0]);
}

#[test]
fn gradient_into_a_kept_buffer_is_the_gradient() {
    for loss in losses() {
        let (y, p) = batch(&loss);
        let expected = loss.gradient(&y, &p).unwrap();
        let mut row_major = Array2::from_elem(p.raw_dim(), f64::NAN);
        loss.gradient_into(&y, &p, row_major.view_mut()).unwrap();
        assert_eq!(row_major, expected, "{}", loss.name());
        // A column-major buffer takes the copy path: the same values.
        let mut column_major = Array2::from_elem(p.raw_dim().f(), f64::NAN);
        loss.gradient_into(&y, &p, column_major.view_mut()).unwrap();
        assert_eq!(column_major, expected, "{}", loss.name());
    }
}

#[test]
fn gradient_into_a_buffer_of_the_wrong_shape_is_refused_and_left_as_is() {
    let (y, p) = (array![[0.0_f32, 1.0]], array![[0.5_f32, 0.5]]);
    let mut grad = Array2::from_elem((2, 1), 7.0_f32);
    let result = Loss::MeanSquaredError.gradient_into(&y, &p, grad.view_mut());
    assert!(
        matches!(result, Err(Error::ShapeMismatch { ref expected, ref found, .. })
        if expected == &[1, 2] && found == &[2, 1])
    );
    assert!(grad.iter().all(|&g| g == 7.0));
}

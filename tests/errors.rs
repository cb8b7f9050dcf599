//! Bad input gives the right `neurite::Error` variant, carrying what was
//! expected and what was found, and a message that says both; never a
//! panic.

use ndarray::{Array, Array1, Array2, Array3, array};
use neurite::{
    BuiltinActivation, Dense, Error, Layer, Linear, Maxout, Relu, Sequential, Sigmoid, Softmax,
    loss,
};

/// Dense(2 -> 4, relu) then Dense(4 -> 1, sigmoid).
fn model() -> Sequential<f64> {
    let mut model = Sequential::new();
    model
        .add(Dense::glorot(2, 4, Relu, 1).unwrap())
        .unwrap()
        .add(Dense::glorot(4, 1, Sigmoid, 2).unwrap())
        .unwrap();
    model
}

fn batch(rows: usize, columns: usize) -> Array2<f64> {
    Array2::from_elem((rows, columns), 0.5)
}

/// The error's message, after checking it mentions every given value.
#[track_caller]
fn message_mentions(error: &Error, parts: &[&str]) -> String {
    let message = error.to_string();
    for part in parts {
        assert!(
            message.contains(part),
            "{message:?} does not mention {part:?}"
        );
    }
    message
}

#[track_caller]
fn assert_width_mismatch<T: std::fmt::Debug>(
    result: Result<T, Error>,
    expected: usize,
    found: usize,
) {
    match result {
        Err(
            error @ Error::WidthMismatch {
                expected: e,
                found: f,
                ..
            },
        ) => {
            assert_eq!((e, f), (expected, found));
            message_mentions(
                &error,
                &[&format!("expected {expected}"), &format!("found {found}")],
            );
        }
        other => panic!("expected a WidthMismatch, got {other:?}"),
    }
}

#[track_caller]
fn assert_shape_mismatch<T: std::fmt::Debug>(
    result: Result<T, Error>,
    expected: &[usize],
    found: &[usize],
) {
    let error = result.expect_err("a ShapeMismatch");
    let Error::ShapeMismatch {
        expected: e,
        found: f,
        ..
    } = &error
    else {
        panic!("expected a ShapeMismatch, got {error:?}")
    };
    assert_eq!((e.as_slice(), f.as_slice()), (expected, found));
    message_mentions(&error, &[&format!("{expected:?}"), &format!("{found:?}")]);
}

#[track_caller]
fn assert_label_out_of_range<T: std::fmt::Debug>(
    result: Result<T, Error>,
    index: usize,
    value: f64,
) {
    match result {
        Err(error @ Error::LabelOutOfRange { index: i, value: v }) => {
            assert_eq!(i, index);
            assert!(v == value || (v.is_nan() && value.is_nan()), "value {v}");
            message_mentions(
                &error,
                &[&format!("label {index}"), &format!("found {value}")],
            );
        }
        other => panic!("expected a LabelOutOfRange, got {other:?}"),
    }
}

#[track_caller]
fn assert_invalid_parameter<T: std::fmt::Debug>(result: Result<T, Error>, name: &str, found: &str) {
    let error = result.expect_err("an InvalidParameter");
    let Error::InvalidParameter {
        name: n, found: f, ..
    } = &error
    else {
        panic!("expected an InvalidParameter, got {error:?}")
    };
    assert_eq!(*n, name);
    assert!(f.starts_with(found), "found {f:?}");
    message_mentions(&error, &[name, found]);
}

#[track_caller]
fn assert_empty_batch<T: std::fmt::Debug>(result: Result<T, Error>) {
    match result {
        Err(error @ Error::EmptyBatch { .. }) => {
            message_mentions(&error, &["at least one row", "found 0"]);
        }
        other => panic!("expected an EmptyBatch, got {other:?}"),
    }
}

#[test]
fn wrong_input_width_is_a_width_mismatch() {
    let model = model();
    let x = batch(3, 5);
    let y = batch(3, 1);
    assert_width_mismatch(model.forward(&x), 2, 5);
    assert_width_mismatch(model.evaluate(&x, &y), 2, 5);
    assert_width_mismatch(model.layer_outputs(&x), 2, 5);
    assert_width_mismatch(model.forward_to(&x, 0), 2, 5);

    let layer = Dense::glorot(2, 4, Relu, 1).unwrap();
    assert_width_mismatch(layer.forward(x.view()), 2, 5);
    let maxout = Maxout::<f64>::glorot(2, 3, 1, 1).unwrap();
    assert_width_mismatch(maxout.forward(x.view()), 3, 5);
    assert_width_mismatch(maxout.pieces_and_winners(batch(1, 2).view()), 3, 2);
}

#[test]
fn wrong_output_buffer_is_a_shape_mismatch() {
    let layer = Dense::glorot(2, 4, Relu, 1).unwrap();
    let mut out = Array2::zeros((3, 5));
    assert_shape_mismatch(
        layer.pre_activation_into(batch(3, 2).view(), out.view_mut()),
        &[3, 4],
        &[3, 5],
    );
    assert_shape_mismatch(
        layer.forward_into(batch(3, 2).view(), out.view_mut()),
        &[3, 4],
        &[3, 5],
    );
}

#[test]
fn empty_batch_is_an_error() {
    let model = model();
    let x = batch(0, 2);
    assert_empty_batch(model.forward(&x));
    assert_empty_batch(model.evaluate(&x, &batch(0, 1)));
    assert_empty_batch(model.layer_outputs(&x));
    assert_empty_batch(model.forward_to(&x, 0));

    let empty = Array1::<f64>::zeros(0);
    assert_empty_batch(loss::binary_cross_entropy(&empty, &empty));
    assert_empty_batch(loss::binary_cross_entropy_with_logits(&empty, &empty));
    assert_empty_batch(loss::binary_accuracy(&empty, &empty));
    assert_empty_batch(loss::weighted_mean(&empty, &empty));
}

#[test]
fn empty_model_is_an_error() {
    let model = Sequential::<f32>::new();
    let x = Array2::<f32>::zeros((2, 2));
    assert_eq!(model.forward(&x), Err(Error::EmptyModel));
    assert_eq!(model.layer_outputs(&x), Err(Error::EmptyModel));
    assert_eq!(model.forward_to(&x, 0), Err(Error::EmptyModel));
    assert_eq!(
        model.evaluate(&x, &Array2::zeros((2, 1))),
        Err(Error::EmptyModel)
    );
    assert!(Error::EmptyModel.to_string().contains("no layers"));
    assert_eq!(model.param_count(), 0);
}

#[test]
fn labels_outside_zero_one_are_rejected() {
    let model = model();
    let x = batch(3, 2);
    for bad in [2.0, -0.1, f64::NAN, f64::INFINITY] {
        let y = array![[1.0], [0.0], [bad]];
        assert_label_out_of_range(model.evaluate(&x, &y), 2, bad);

        let y_true = array![[0.0, bad], [1.0, 0.5]];
        let p = array![[0.5, 0.5], [0.5, 0.5]];
        assert_label_out_of_range(loss::binary_cross_entropy(&y_true, &p), 1, bad);
        assert_label_out_of_range(loss::binary_cross_entropy_per_sample(&y_true, &p), 1, bad);
        assert_label_out_of_range(loss::binary_cross_entropy_with_logits(&y_true, &p), 1, bad);
        assert_label_out_of_range(loss::binary_accuracy(&y_true, &p), 1, bad);
        let weights = array![1.0, 1.0];
        assert_label_out_of_range(
            loss::binary_accuracy_weighted(&y_true, &p, &weights),
            1,
            bad,
        );
    }
    // The bounds themselves are labels.
    let edges = array![0.0_f64, 1.0, -0.0];
    assert!(loss::binary_cross_entropy(&edges, &array![0.5, 0.5, 0.5]).is_ok());
}

/// NaN in the data is not an error: it propagates (the clipping to
/// [ε, 1 - ε] must not turn a NaN prediction into ε).
#[test]
fn nan_predictions_give_nan_losses() {
    let y_true = array![[1.0_f64], [0.0]];
    let nan = array![[f64::NAN], [0.5]];
    assert!(loss::binary_cross_entropy(&y_true, &nan).unwrap().is_nan());
    let per_sample = loss::binary_cross_entropy_per_sample(&y_true, &nan).unwrap();
    assert!(per_sample[0].is_nan() && !per_sample[1].is_nan());
    assert!(
        loss::binary_cross_entropy_with_logits(&y_true, &nan)
            .unwrap()
            .is_nan()
    );
    // A NaN prediction is not above the threshold: class 0, as in Keras.
    assert_eq!(loss::binary_accuracy(&y_true, &nan).unwrap(), 0.5);
}

#[test]
fn label_shape_mismatch_is_a_shape_mismatch() {
    let model = model();
    let x = batch(3, 2);
    assert_shape_mismatch(model.evaluate(&x, &batch(3, 2)), &[3, 1], &[3, 2]);
    assert_shape_mismatch(model.evaluate(&x, &batch(2, 1)), &[3, 1], &[2, 1]);

    let y3 = array![1.0_f32, 0.0, 1.0];
    let p4 = array![0.5_f32, 0.5, 0.5, 0.5];
    assert_shape_mismatch(loss::binary_cross_entropy(&y3, &p4), &[3], &[4]);
    assert_shape_mismatch(loss::binary_cross_entropy_with_logits(&y3, &p4), &[3], &[4]);
    assert_shape_mismatch(loss::binary_accuracy(&y3, &p4), &[3], &[4]);
    assert_shape_mismatch(loss::weighted_mean(&y3, &p4), &[3], &[4]);
    let y = array![[1.0_f32], [0.0], [1.0]];
    assert_shape_mismatch(loss::binary_accuracy_weighted(&y, &y, &p4), &[3], &[4]);

    // A 0-D array has no samples.
    let scalar = Array::from_elem((), 1.0_f64);
    assert_shape_mismatch(loss::binary_cross_entropy(&scalar, &scalar), &[1], &[]);
}

#[test]
fn dense_bias_length_mismatch() {
    let result = Dense::new(Array2::<f32>::zeros((2, 3)), Array1::zeros(4), Relu);
    assert_shape_mismatch(result, &[3], &[4]);
}

#[test]
fn zero_size_layers_are_invalid() {
    let no_inputs = Dense::new(Array2::<f32>::zeros((0, 3)), Array1::zeros(3), Relu);
    assert_invalid_parameter(no_inputs, "Dense inputs", "0");
    let no_units = Dense::new(Array2::<f32>::zeros((2, 0)), Array1::zeros(0), Relu);
    assert_invalid_parameter(no_units, "Dense units", "0");
    assert_invalid_parameter(
        Dense::<f64, _>::glorot(0, 3, Linear, 0),
        "Dense inputs",
        "0",
    );
    assert_invalid_parameter(Dense::<f64, _>::glorot(3, 0, Linear, 0), "Dense units", "0");

    let maxout = |k, inputs, units| {
        Maxout::new(
            Array3::<f32>::zeros((k, inputs, units)),
            Array2::zeros((k, units)),
        )
    };
    assert_invalid_parameter(maxout(0, 2, 1), "Maxout pieces", "0");
    assert_invalid_parameter(maxout(2, 0, 1), "Maxout inputs", "0");
    assert_invalid_parameter(maxout(2, 2, 0), "Maxout units", "0");
    assert_invalid_parameter(Maxout::<f64>::glorot(0, 2, 1, 0), "Maxout pieces", "0");
}

#[test]
fn maxout_bias_shape_mismatch() {
    let result = Maxout::new(Array3::<f64>::zeros((2, 3, 1)), Array2::zeros((3, 1)));
    assert_shape_mismatch(result, &[2, 1], &[3, 1]);
    let result = Maxout::new(Array3::<f64>::zeros((2, 3, 4)), Array2::zeros((2, 3)));
    assert_shape_mismatch(result, &[2, 4], &[2, 3]);
}

#[test]
fn unknown_activation_name() {
    for name in ["glu", "", "Relu", "leaky relu"] {
        match name.parse::<BuiltinActivation<f32>>() {
            Err(error @ Error::UnknownActivation { .. }) => {
                assert_eq!(
                    error,
                    Error::UnknownActivation {
                        name: name.to_owned()
                    }
                );
                // The message repeats the name and lists the known ones.
                message_mentions(
                    &error,
                    &[&format!("{name:?}"), "sigmoid", "leaky_relu", "softmax"],
                );
            }
            other => panic!("{name:?}: expected UnknownActivation, got {other:?}"),
        }
    }
}

#[test]
fn adding_a_layer_that_does_not_fit_leaves_the_model_unchanged() {
    let mut model = model();
    let x = batch(2, 2);
    let before = (model.forward(&x).unwrap(), model.summary().to_string());
    let misfit = Dense::<f64, _>::glorot(3, 2, Relu, 5).unwrap();
    match model.add(misfit) {
        Err(
            error @ Error::WidthMismatch {
                expected: 1,
                found: 3,
                ..
            },
        ) => {
            message_mentions(&error, &["layer 2 (Dense)", "expected 1", "found 3"]);
        }
        other => panic!("expected a WidthMismatch, got {other:?}"),
    }
    assert_eq!(model.len(), 2);
    assert_eq!(model.layer_param_counts(), [12, 5]);
    assert_eq!(
        (model.forward(&x).unwrap(), model.summary().to_string()),
        before
    );
    // A layer that fits can still be added.
    assert!(model.add(Dense::glorot(1, 1, Linear, 6).unwrap()).is_ok());
    assert_eq!(model.len(), 3);
}

#[test]
fn forward_to_out_of_range() {
    let model = model();
    let x = batch(2, 2);
    assert!(model.forward_to(&x, 1).is_ok());
    assert_invalid_parameter(model.forward_to(&x, 2), "layer index", "2");
    assert_invalid_parameter(
        model.forward_to(&x, usize::MAX),
        "layer index",
        &usize::MAX.to_string(),
    );
}

#[test]
fn softmax_vjp_length_mismatch() {
    assert_shape_mismatch(Softmax::vjp(&[0.5_f32, 0.5], &[1.0, 0.0, 0.0]), &[2], &[3]);
}

#[test]
fn errors_are_standard_errors() {
    fn boxed(error: Error) -> Box<dyn std::error::Error + Send + Sync + 'static> {
        Box::new(error)
    }
    let error = boxed(Error::EmptyBatch {
        what: "input batch".to_owned(),
    });
    assert_eq!(
        error.to_string(),
        "input batch: expected at least one row, found 0"
    );
}

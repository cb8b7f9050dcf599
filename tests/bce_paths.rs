//! The two ways binary cross-entropy is computed give the same results:
//! the fused kernels (row-major `f32` and `f64` arrays) and the scalar
//! path (any other layout, any other element type), here on the same
//! values, one array row-major and one a strided view. Also the
//! documented special values on both, the errors, and that the fused mean
//! allocates nothing.

use allocation_counter::measure;
use ndarray::{Array2, ArrayView2, array, s};
use neurite::{Error, loss};
use num_traits::Float;
use std::fmt::Debug;

/// `values` as a strided view (every other column of a wider array), so
/// that the loss takes the scalar path.
fn strided<T: Float>(values: &Array2<T>) -> Array2<T> {
    let (rows, cols) = values.dim();
    let mut wide = Array2::from_elem((rows, 2 * cols), T::nan());
    wide.slice_mut(s![.., ..;2]).assign(values);
    wide
}

fn view<T>(wide: &Array2<T>) -> ArrayView2<'_, T> {
    wide.slice(s![.., ..;2])
}

/// Deterministic pseudo-random values in [0, 1).
fn unit(i: usize, salt: u64) -> f64 {
    let h = (i as u64 ^ salt).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (h >> 11) as f64 / (1_u64 << 53) as f64
}

/// Labels (hard and soft) and predictions (with specials) of one shape.
fn data<T: Float>(rows: usize, cols: usize) -> (Array2<T>, Array2<T>) {
    let c = |x: f64| T::from(x).expect("a float");
    let labels = Array2::from_shape_fn((rows, cols), |(i, j)| {
        let u = unit(i * cols + j, 1);
        c(if u < 0.7 { u.round() } else { u })
    });
    let specials = [0.0, 1.0, -0.5, 1.5, f64::INFINITY, f64::NEG_INFINITY, 1e-12];
    let predictions = Array2::from_shape_fn((rows, cols), |(i, j)| {
        let k = i * cols + j;
        c(if k % 13 == 5 {
            specials[k % specials.len()]
        } else {
            unit(k, 2)
        })
    });
    (labels, predictions)
}

/// Both within a few ULPs of the larger (sums in another order), or the
/// same non-finite value.
fn assert_close<T: Float + Debug>(fused: T, scalar: T, what: &str) {
    let ok = if fused.is_finite() && scalar.is_finite() {
        (fused - scalar).abs() <= T::from(64.0).expect("a float") * T::epsilon() * scalar.abs()
    } else {
        fused == scalar || (fused.is_nan() && scalar.is_nan())
    };
    assert!(ok, "{what}: fused {fused:?}, scalar {scalar:?}");
}

fn fused_and_scalar_agree<T: Float + Debug>() {
    for (rows, cols) in [
        (2, 1),
        (37, 1),
        (1000, 1),
        (5, 3),
        (9, 17),
        (4, 100),
        (2, 1000),
    ] {
        let (labels, predictions) = data::<T>(rows, cols);
        let (wide_labels, wide_predictions) = (strided(&labels), strided(&predictions));
        let (strided_labels, strided_predictions) = (view(&wide_labels), view(&wide_predictions));
        assert!(predictions.as_slice().is_some() && strided_predictions.as_slice().is_none());
        let what = format!("{rows}x{cols}");
        assert_close(
            loss::binary_cross_entropy(&labels, &predictions).unwrap(),
            loss::binary_cross_entropy(&strided_labels, &strided_predictions).unwrap(),
            &what,
        );
        assert_close(
            loss::binary_cross_entropy_with_logits(&labels, &predictions).unwrap(),
            loss::binary_cross_entropy_with_logits(&strided_labels, &strided_predictions).unwrap(),
            &format!("{what} from logits"),
        );
        let per_sample = loss::binary_cross_entropy_per_sample(&labels, &predictions).unwrap();
        let scalar = loss::binary_cross_entropy_per_sample(&strided_labels, &strided_predictions);
        for (&fused, &scalar) in per_sample.iter().zip(&scalar.unwrap()) {
            assert_close(fused, scalar, &format!("{what} per sample"));
        }
        let per_sample =
            loss::binary_cross_entropy_with_logits_per_sample(&labels, &predictions).unwrap();
        let scalar = loss::binary_cross_entropy_with_logits_per_sample(
            &strided_labels,
            &strided_predictions,
        );
        for (&fused, &scalar) in per_sample.iter().zip(&scalar.unwrap()) {
            assert_close(fused, scalar, &format!("{what} per sample from logits"));
        }
    }
}

#[test]
fn f32_fused_and_scalar_losses_agree() {
    fused_and_scalar_agree::<f32>();
}

#[test]
fn f64_fused_and_scalar_losses_agree() {
    fused_and_scalar_agree::<f64>();
}

/// The values src/loss/ documents, on both paths: a NaN prediction or
/// logit gives NaN (the clipping does not swallow it), infinite
/// predictions are clipped, an infinite logit costs what it should.
fn special_values<T: Float + Debug>() {
    let c = |x: f64| T::from(x).expect("a float");
    let (inf, nan) = (T::infinity(), T::nan());
    let labels =
        Array2::from_shape_vec((6, 1), vec![c(1.0), c(0.0), c(1.0), c(0.0), c(1.0), c(0.5)])
            .unwrap();
    let predictions =
        Array2::from_shape_vec((6, 1), vec![inf, -inf, -inf, inf, nan, c(0.5)]).unwrap();
    let wide = (strided(&labels), strided(&predictions));
    let strided_pair = (view(&wide.0), view(&wide.1));
    // The clip bounds, rounded to `T` as Keras rounds them.
    let (low, high) = (c(1e-7), c(1.0) - c(1e-7));
    for (labels, predictions) in [(labels.view(), predictions.view()), strided_pair] {
        let per_sample = loss::binary_cross_entropy_per_sample(&labels, &predictions).unwrap();
        assert_close(per_sample[0], -high.ln(), "p = inf, y = 1");
        assert_close(per_sample[1], -(c(1.0) - low).ln(), "p = -inf, y = 0");
        assert_close(per_sample[2], -low.ln(), "p = -inf, y = 1");
        assert_close(per_sample[3], -(c(1.0) - high).ln(), "p = inf, y = 0");
        assert!(per_sample[4].is_nan(), "a NaN prediction gives NaN");
        assert_close(per_sample[5], c(2.0).ln(), "p = 0.5");
        assert!(
            loss::binary_cross_entropy(&labels, &predictions)
                .unwrap()
                .is_nan()
        );

        let logits = loss::binary_cross_entropy_with_logits_per_sample(&labels, &predictions);
        let logits = logits.unwrap();
        assert_eq!(logits[2], inf, "z = -inf, y = 1");
        assert!(logits[4].is_nan(), "a NaN logit gives NaN");
        assert_close(
            logits[5],
            c(0.5).exp().ln_1p() - c(0.25),
            "z = 0.5, y = 0.5",
        );
    }
    // Where `max(z, 0) - z·y` is `inf - inf` or `inf · 0`, NaN on both.
    let fused = loss::binary_cross_entropy_with_logits_per_sample(&labels, &predictions).unwrap();
    let scalar =
        loss::binary_cross_entropy_with_logits_per_sample(&strided_pair.0, &strided_pair.1);
    for (&fused, &scalar) in fused.iter().zip(&scalar.unwrap()) {
        assert_close(fused, scalar, "infinite logits");
    }
}

#[test]
fn f32_special_values_follow_the_documentation() {
    special_values::<f32>();
}

#[test]
fn f64_special_values_follow_the_documentation() {
    special_values::<f64>();
}

/// The first label out of range is named with its value, whether it lies
/// in a full register, in the tail, or in a later row.
#[test]
fn the_first_label_out_of_range_is_reported_on_both_paths() {
    for (rows, cols) in [(1, 1), (40, 1), (3, 37), (100, 3)] {
        for bad_index in [0, rows * cols / 2, rows * cols - 1] {
            for bad in [1.0 + f64::EPSILON, -1e-300, f64::NAN, f64::NEG_INFINITY] {
                let (mut labels, predictions) = data::<f64>(rows, cols);
                labels[(bad_index / cols, bad_index % cols)] = bad;
                if bad_index + 1 < rows * cols {
                    // A second bad label after the first is not reported.
                    labels[(rows - 1, cols - 1)] = 2.0;
                }
                let wide = (strided(&labels), strided(&predictions));
                for (labels, predictions) in [
                    (labels.view(), predictions.view()),
                    (view(&wide.0), view(&wide.1)),
                ] {
                    let results = [
                        loss::binary_cross_entropy(&labels, &predictions).map(|_| ()),
                        loss::binary_cross_entropy_with_logits(&labels, &predictions).map(|_| ()),
                        loss::binary_cross_entropy_per_sample(&labels, &predictions).map(|_| ()),
                        loss::binary_accuracy(&labels, &predictions).map(|_| ()),
                    ];
                    for result in results {
                        match result {
                            Err(Error::LabelOutOfRange { index, value }) => {
                                assert_eq!(index, bad_index, "{rows}x{cols}");
                                assert!(value == bad || (value.is_nan() && bad.is_nan()));
                            }
                            other => panic!("{rows}x{cols}: expected a bad label, got {other:?}"),
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn the_fused_mean_does_not_allocate() {
    let labels = array![[1.0_f32, 0.0, 0.3], [0.0, 1.0, 1.0]];
    let predictions = array![[0.9_f32, 0.2, 0.5], [0.1, 0.7, 1.0]];
    let counts = measure(|| {
        let bce = loss::binary_cross_entropy(&labels, &predictions).unwrap();
        let logits = loss::binary_cross_entropy_with_logits(&labels, &predictions).unwrap();
        assert!(bce > 0.0 && logits > 0.0);
    });
    assert_eq!(counts.count_total, 0, "{counts:?}");
}

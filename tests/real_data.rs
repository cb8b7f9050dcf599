//! The recipes of `examples/breast_cancer.rs` and `examples/digits.rs` on
//! their real data (issue #16), with the seed the examples use by
//! default: the test accuracy each must reach.
//!
//! The thresholds sit below every accuracy measured over five seeds (1 to
//! 5, in release; see docs/performance.md), with a row or more to spare:
//! breast cancer 0.956–0.965 (114 test rows: one row is 0.0088), digits
//! 0.967–0.981 (360 rows), against Keras's means of 0.967 and 0.974; test
//! losses at most 0.117 and 0.105. A model that learns nothing scores
//! 0.65 (breast cancer: the benign share) and about 0.13 (digits).

#[path = "../examples/support/recipe.rs"]
mod recipe;

#[test]
fn breast_cancer_recipe_reaches_keras_accuracy() {
    let (split, mut model) = recipe::breast_cancer(1).unwrap();
    let (history, seconds) = recipe::train(&mut model, &split, 100, 1, false).unwrap();
    assert_eq!(seconds.len(), 100);
    let test = model.evaluate(&split.x_test, &split.y_test).unwrap();
    assert_eq!(history.val_accuracy.last(), Some(&test.accuracy));
    assert!(test.accuracy >= 0.94, "test accuracy {}", test.accuracy);
    assert!(test.loss < 0.15, "test loss {}", test.loss);
}

#[test]
fn digits_recipe_reaches_keras_accuracy() {
    let (split, mut model) = recipe::digits(1).unwrap();
    recipe::train(&mut model, &split, 50, 1, false).unwrap();
    let test = model.evaluate(&split.x_test, &split.y_test).unwrap();
    assert!(test.accuracy >= 0.955, "test accuracy {}", test.accuracy);
    assert!(test.loss < 0.15, "test loss {}", test.loss);
    let probabilities = model.forward(&split.x_test).unwrap();
    let matrix = recipe::confusion_matrix(&split.y_test, &probabilities);
    let correct: usize = (0..10).map(|d| matrix[d][d]).sum();
    assert_eq!(correct as f32 / 360.0, test.accuracy);
}

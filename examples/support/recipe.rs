//! The recipes of `examples/breast_cancer.rs` and `examples/digits.rs`
//! (issue #16), shared with `tests/real_data.rs` so that the test runs
//! exactly what the examples run: the data with its fixed split, the
//! preprocessing, the model, and `fit`'s options. `keras_side.py` beside
//! the examples is the same recipe in Keras.

// Each example uses its own recipe and the test both.
#![allow(dead_code)]

use ndarray::{Array2, Axis};
use neurite::data::{CsvOptions, load_csv};
use neurite::loss::Loss;
use neurite::train::FitOptions;
use neurite::{Adam, Dense, Error, History, Relu, Sequential, Sigmoid, Softmax};
use std::path::PathBuf;

/// A data set's training and test rows: features and labels.
pub struct Split {
    pub x_train: Array2<f32>,
    pub y_train: Array2<f32>,
    pub x_test: Array2<f32>,
    pub y_test: Array2<f32>,
}

/// Reads `examples/data/NAME.csv` and splits it as its README says: a row
/// (from 0, the header is not one) is a test row when `index % 5 == 0`.
pub fn load(name: &str) -> Result<Split, Error> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("examples/data/{name}.csv"));
    let table = load_csv::<f32>(&path, &CsvOptions::new())?;
    let test: Vec<usize> = (0..table.features.nrows()).filter(|i| i % 5 == 0).collect();
    let train: Vec<usize> = (0..table.features.nrows()).filter(|i| i % 5 != 0).collect();
    Ok(Split {
        x_train: table.features.select(Axis(0), &train),
        y_train: table.labels.select(Axis(0), &train),
        x_test: table.features.select(Axis(0), &test),
        y_test: table.labels.select(Axis(0), &test),
    })
}

/// Standardizes every feature with the mean and population standard
/// deviation (ddof 0) of the *training* rows, as sklearn's
/// `StandardScaler` fitted on them.
pub fn standardize(split: &mut Split) {
    let mean = split.x_train.mean_axis(Axis(0)).expect("training rows");
    let std = split
        .x_train
        .std_axis(Axis(0), 0.0)
        .mapv(|s| if s > 0.0 { s } else { 1.0 });
    for x in [&mut split.x_train, &mut split.x_test] {
        *x -= &mean;
        *x /= &std;
    }
}

/// The breast cancer recipe: standardized features, 30 → 16 relu →
/// 1 sigmoid, binary cross-entropy.
pub fn breast_cancer(seed: u64) -> Result<(Split, Sequential<f32>), Error> {
    let mut split = load("breast_cancer")?;
    standardize(&mut split);
    let mut model = Sequential::new();
    model
        .add(Dense::glorot(30, 16, Relu, seed)?)?
        .add(Dense::glorot(16, 1, Sigmoid, seed + 1)?)?;
    model.compile(Loss::binary_crossentropy());
    Ok((split, model))
}

/// The digits recipe: pixels scaled by 1/16, 64 → 64 relu → 10 softmax,
/// sparse categorical cross-entropy on the digit as a class index.
pub fn digits(seed: u64) -> Result<(Split, Sequential<f32>), Error> {
    let mut split = load("digits")?;
    split.x_train /= 16.0;
    split.x_test /= 16.0;
    let mut model = Sequential::new();
    model
        .add(Dense::glorot(64, 64, Relu, seed)?)?
        .add(Dense::glorot(64, 10, Softmax, seed + 1)?)?;
    model.compile(Loss::sparse_categorical_crossentropy());
    Ok((split, model))
}

/// Trains as both recipes do: Adam(0.001), batches of 32 shuffled each
/// epoch from `seed`, the test rows as validation data (they only watch:
/// the curves' validation series).
pub fn train(
    model: &mut Sequential<f32>,
    split: &Split,
    epochs: usize,
    seed: u64,
    verbose: bool,
) -> Result<(History<f32>, Vec<f64>), Error> {
    let mut seconds = Vec::with_capacity(epochs);
    let options = FitOptions::new(epochs)
        .batch_size(32)
        .shuffle(seed)
        .validation_data(&split.x_test, &split.y_test)
        .verbose(verbose)
        .on_epoch_end(|log| seconds.push(log.seconds));
    let history = model.fit(
        &split.x_train,
        &split.y_train,
        &mut Adam::new(0.001),
        options,
    )?;
    Ok((history, seconds))
}

/// The median of the epochs' times after the first (which pays for
/// first-touch page faults and cold caches), the statistic
/// `examples/keras_side.py` reports for Keras (whose first epoch traces
/// the graph).
pub fn median_epoch(seconds: &[f64]) -> f64 {
    let mut later = seconds.get(1..).unwrap_or_default().to_vec();
    later.sort_by(f64::total_cmp);
    later.get(later.len() / 2).copied().unwrap_or(f64::NAN)
}

/// `matrix[true][predicted]` counts of the test rows, from a `(rows, 1)`
/// column of class indices and the model's class probabilities.
pub fn confusion_matrix(labels: &Array2<f32>, probabilities: &Array2<f32>) -> Vec<Vec<usize>> {
    let classes = probabilities.ncols();
    let mut matrix = vec![vec![0; classes]; classes];
    for (label, row) in labels.column(0).iter().zip(probabilities.rows()) {
        let predicted = row
            .iter()
            .enumerate()
            .fold(0, |best, (i, &p)| if p > row[best] { i } else { best });
        matrix[*label as usize][predicted] += 1;
    }
    matrix
}

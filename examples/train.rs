//! Training small networks from scratch.
//!
//! 1. XOR, the classic problem a single layer cannot solve.
//! 2. Two interleaved spirals, generated here, with mini-batches, shuffling
//!    and a held-out validation set.
//! 3. Three classes (three spiral arms): softmax output and sparse
//!    categorical cross-entropy, chosen with `model.compile(loss)`.
//! 4. A regression, `y = sin(3x) + x²/2` with noise: mean squared error.
//! 5. The tutorial's data set and model 2, trained as the tutorial does:
//!    `model.compile(loss='binary_crossentropy', metrics=['accuracy'])`
//!    picks Keras's default optimizer, RMSprop, and `model.fit(x, y)` runs
//!    one epoch of batches of 32, printing Keras's progress line.
//!
//! Run with `cargo run --release --example train`.

use ndarray::{Array2, array};
use neurite::loss::Loss;
use neurite::{
    Adam, Dense, EpochLog, Error, FitOptions, Linear, Relu, RmsProp, Sequential, Sigmoid, Softmax,
    Tanh,
};
use std::f32::consts::PI;

fn main() -> Result<(), Error> {
    xor()?;
    spirals()?;
    three_classes()?;
    regression()?;
    tutorial()?;
    Ok(())
}

/// Prints every `every`-th epoch's metrics (and the last one).
fn curve(every: usize) -> impl FnMut(&EpochLog<f32>) {
    move |log| {
        if log.epoch % every == 0 || log.epoch + 1 == log.epochs {
            let validation = match (log.val_loss, log.val_accuracy) {
                (Some(loss), Some(accuracy)) => {
                    format!("   val_loss {loss:.4}   val_accuracy {accuracy:.4}")
                }
                _ => String::new(),
            };
            println!(
                "  epoch {:>4}   loss {:.4}   accuracy {:.4}{validation}",
                log.epoch + 1,
                log.loss,
                log.accuracy
            );
        }
    }
}

/// XOR: 2 → 8 tanh → 1 sigmoid, full-batch Adam.
fn xor() -> Result<(), Error> {
    println!("XOR: 2 → 8 tanh → 1 sigmoid, Adam(0.05), full batch");
    let x = array![[0.0_f32, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]];
    let y = array![[0.0_f32], [1.0], [1.0], [0.0]];
    let mut model = Sequential::new();
    model
        .add(Dense::glorot(2, 8, Tanh, 1)?)?
        .add(Dense::glorot(8, 1, Sigmoid, 2)?)?;
    let options = FitOptions::new(400).batch_size(4).on_epoch_end(curve(50));
    model.fit(&x, &y, &mut Adam::new(0.05), options)?;
    let evaluation = model.evaluate(&x, &y)?;
    println!("  predictions {:.3}", model.forward(&x)?.column(0));
    println!(
        "  final: loss {:.4}, accuracy {:.4}\n",
        evaluation.loss, evaluation.accuracy
    );
    Ok(())
}

/// A tiny deterministic generator (SplitMix64) for the data.
struct Rng(u64);

impl Rng {
    fn unit(&mut self) -> f32 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 40) as f32 / (1u64 << 24) as f32
    }
}

/// `n` points per class on two interleaved spirals (1.75 turns each), with
/// a little noise; class 1 is class 0 turned by half a turn.
fn two_spirals(n: usize, seed: u64) -> (Array2<f32>, Array2<f32>) {
    let mut rng = Rng(seed);
    let mut x = Array2::zeros((2 * n, 2));
    let mut y = Array2::zeros((2 * n, 1));
    for i in 0..2 * n {
        let class = i % 2;
        let t = 0.25 + 3.5 * PI * rng.unit();
        let r = t / (3.5 * PI);
        let angle = t + PI * class as f32;
        x[[i, 0]] = r * angle.cos() + 0.02 * (rng.unit() - 0.5);
        x[[i, 1]] = r * angle.sin() + 0.02 * (rng.unit() - 0.5);
        y[[i, 0]] = class as f32;
    }
    (x, y)
}

/// Two spirals: 2 → 32 tanh → 32 tanh → 1 sigmoid, Adam, batches of 32,
/// shuffled, validated on fresh points.
fn spirals() -> Result<(), Error> {
    println!("Two spirals: 2 → 32 tanh → 32 tanh → 1 sigmoid, Adam(0.01), batches of 32, shuffled");
    let (x, y) = two_spirals(300, 7);
    let (x_val, y_val) = two_spirals(200, 8);
    let mut model = Sequential::new();
    model
        .add(Dense::glorot(2, 32, Tanh, 3)?)?
        .add(Dense::glorot(32, 32, Tanh, 4)?)?
        .add(Dense::glorot(32, 1, Sigmoid, 5)?)?;
    let options = FitOptions::new(600)
        .batch_size(32)
        .shuffle(42)
        .validation_data(&x_val, &y_val)
        .on_epoch_end(curve(50));
    let history = model.fit(&x, &y, &mut Adam::new(0.01), options)?;
    println!(
        "  final: training accuracy {:.4}, validation accuracy {:.4}\n",
        history.accuracy.last().copied().unwrap_or(0.0),
        history.val_accuracy.last().copied().unwrap_or(0.0),
    );
    Ok(())
}

/// `n` points on each of three spiral arms, labelled by arm (a class
/// index, as sparse categorical cross-entropy takes it).
fn three_arms(n: usize, seed: u64) -> (Array2<f32>, Array2<f32>) {
    let mut rng = Rng(seed);
    let mut x = Array2::zeros((3 * n, 2));
    let mut y = Array2::zeros((3 * n, 1));
    for i in 0..3 * n {
        let class = i % 3;
        let r = 0.1 + 0.9 * rng.unit();
        let angle = 2.0 * PI * class as f32 / 3.0 + 2.5 * r + 0.15 * (rng.unit() - 0.5);
        x[[i, 0]] = r * angle.cos();
        x[[i, 1]] = r * angle.sin();
        y[[i, 0]] = class as f32;
    }
    (x, y)
}

/// Three classes: 2 → 32 relu → 3 softmax with sparse categorical
/// cross-entropy (Keras: `model.compile(loss="sparse_categorical_crossentropy",
/// metrics=["accuracy"])`), so the accuracy is the sparse categorical one.
fn three_classes() -> Result<(), Error> {
    println!(
        "Three spiral arms: 2 → 32 relu → 3 softmax, sparse categorical cross-entropy, Adam(0.01)"
    );
    let (x, y) = three_arms(200, 11);
    let (x_val, y_val) = three_arms(100, 12);
    let mut model = Sequential::new();
    model
        .add(Dense::glorot(2, 32, Relu, 6)?)?
        .add(Dense::glorot(32, 3, Softmax, 7)?)?;
    model.compile("sparse_categorical_crossentropy".parse::<Loss>()?);
    let options = FitOptions::new(300)
        .batch_size(32)
        .shuffle(3)
        .validation_data(&x_val, &y_val)
        .on_epoch_end(curve(50));
    model.fit(&x, &y, &mut Adam::new(0.01), options)?;
    let evaluation = model.evaluate(&x_val, &y_val)?;
    println!(
        "  validation: loss {:.4}, accuracy {:.4}\n",
        evaluation.loss, evaluation.accuracy
    );
    Ok(())
}

/// A regression: 1 → 32 tanh → 1 linear on `sin(3x) + x²/2` plus noise,
/// mean squared error (`model.compile(loss="mse")`); the mean absolute
/// error is the metric that means something here.
fn regression() -> Result<(), Error> {
    println!("Regression: 1 → 32 tanh → 1 linear, mean squared error, Adam(0.01)");
    let mut rng = Rng(21);
    let x = Array2::from_shape_fn((256, 1), |_| 4.0 * rng.unit() - 2.0);
    let y = x.mapv(|x| (3.0 * x).sin() + 0.5 * x * x + 0.05 * (rng.unit() - 0.5));
    let mut model = Sequential::new();
    model
        .add(Dense::glorot(1, 32, Tanh, 8)?)?
        .add(Dense::glorot(32, 1, Linear, 9)?)?;
    model.compile("mse".parse::<Loss>()?);
    let history = model.fit(
        &x,
        &y,
        &mut Adam::new(0.01),
        FitOptions::new(500).batch_size(32).shuffle(5),
    )?;
    let predictions = model.forward(&x)?;
    println!(
        "  final: mse {:.4} (first epoch {:.4}), mae {:.4}\n",
        history.loss.last().copied().unwrap_or(f32::NAN),
        history.loss.first().copied().unwrap_or(f32::NAN),
        neurite::metrics::mean_absolute_error(&y, &predictions)?
    );
    Ok(())
}

/// The tutorial: model 2 (Dense(1, relu) then Dense(1, sigmoid)) with the
/// tutorial's weights, fitted with Keras's defaults.
fn tutorial() -> Result<(), Error> {
    println!("The tutorial's data and model 2, Keras's default optimizer (RMSprop)");
    // Rooms and build year scaled to 0/1; label: rebuilt or not.
    let x = array![
        [1.0_f32, 1.0],
        [2.0, 0.0],
        [1.0, 0.0],
        [1.0, 1.0],
        [2.0, 0.0],
        [1.0, 0.0],
        [3.0, 1.0],
        [4.0, 1.0]
    ];
    let y = array![[1.0_f32], [0.0], [0.0], [1.0], [1.0], [1.0], [1.0], [0.0]];
    let mut model = Sequential::new();
    model
        .add(Dense::new(
            array![[0.110_753_78_f32], [-0.379_753_95]],
            array![0.003_162_24],
            Relu,
        )?)?
        .add(Dense::new(
            array![[-0.608_115_26_f32]],
            array![0.003_162_27],
            Sigmoid,
        )?)?;
    println!("{}", model.summary());

    // model.fit(x, y): one epoch, batch size 32, Keras's progress line.
    println!("model.fit(x, y) prints (to stderr):");
    let mut rmsprop = RmsProp::default();
    model.fit(&x, &y, &mut rmsprop, FitOptions::default().verbose(true))?;

    // Keep going with the same optimizer, printing the loss curve.
    println!("then 300 more epochs:");
    let options = FitOptions::new(300).on_epoch_end(curve(50));
    let history = model.fit(&x, &y, &mut rmsprop, options)?;
    let evaluation = model.evaluate(&x, &y)?;
    println!(
        "  final: loss {:.4}, accuracy {:.4} (epochs' best {:.4}; the labels contradict each \
         other on two inputs, so 0.75 is the most any model can reach)",
        evaluation.loss,
        evaluation.accuracy,
        history.accuracy.iter().copied().fold(0.0, f32::max)
    );
    let weights: Vec<String> = model
        .get_weights()
        .iter()
        .map(|w| format!("{w:.4}"))
        .collect();
    println!(
        "  weights (kernel, bias per layer): {}",
        weights.join(", ").replace('\n', "")
    );
    Ok(())
}

//! The Keras activation-function tutorial, step by step, in Rust.
//!
//! Run with `cargo run --release --example walkthrough`. Every number the
//! tutorial prints comes out here too; where TensorFlow's float32 kernels
//! round differently in the last place, the output says so.

use ndarray::{Array1, Array2, array};
use neurite::{
    Activation, Dense, Elu, Layer, LeakyRelu, Maxout, Relu, Sequential, Sigmoid, Tanh, loss,
};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn main() -> Result<()> {
    sigmoid_by_three_routes();
    the_six_functions()?;
    let (x, y) = tutorial_data();
    model_one(&x)?;
    model_two(&x, &y)?;
    Ok(())
}

fn heading(title: &str) {
    println!("\n=== {title} ===\n");
}

/// `expit(x)`, `1/(1 + e**-x)` and `1/(1 + np.exp(-x))` in the tutorial.
fn sigmoid_by_three_routes() {
    heading("1. Sigmoid: σ(x) = 1 / (1 + e^-x)");
    let xs = [0.25_f64, 7.0, 9.0, 20.0];
    let mut by_slice = xs;
    Sigmoid.apply_slice(&mut by_slice);
    println!(
        "{:>6}  {:>20}  {:>20}",
        "x", "Sigmoid.apply_slice", "by hand 1/(1+e^-x)"
    );
    for (x, y) in xs.iter().zip(by_slice) {
        let by_hand = 1.0 / (1.0 + std::f64::consts::E.powf(-x));
        println!("{x:>6}  {y:>20.16}  {by_hand:>20.16}");
    }
    println!(
        "(the tutorial prints 0.5621765008857981, 0.9990889488055994, 0.9998766054240137, 0.9999999979388463)"
    );
}

/// The six functions the tutorial opens with, on a few points.
fn the_six_functions() -> Result<()> {
    heading("2. The six activation functions");
    let xs = [-2.0_f64, -0.5, 0.0, 0.5, 2.0];
    let leaky = LeakyRelu::default();
    let elu = Elu::default();
    let rows: [(&str, &dyn Activation<f64>); 5] = [
        ("sigmoid", &Sigmoid),
        ("leaky relu max(0.1x, x)", &leaky),
        ("tanh", &Tanh),
        ("relu max(0, x)", &Relu),
        ("elu (alpha = 1)", &elu),
    ];
    print!("{:<26}", "x");
    xs.iter().for_each(|x| print!("{x:>10.4}"));
    println!();
    for (name, f) in rows {
        print!("{name:<26}");
        xs.iter().for_each(|&x| print!("{:>10.4}", f.apply(x)));
        println!();
    }

    // Maxout: max(w1·x + b1, w2·x + b2) with w1 = 1, w2 = -1, b = 0 is |x|.
    let maxout = Maxout::new(array![[[1.0_f64]], [[-1.0]]], array![[0.0], [0.0]])?;
    let column = Array2::from_shape_vec((xs.len(), 1), xs.to_vec())?;
    print!("{:<26}", "maxout max(x, -x)");
    maxout
        .forward(column.view())?
        .iter()
        .for_each(|y| print!("{y:>10.4}"));
    println!();
    Ok(())
}

/// The tutorial's 8 flats: rooms, build year / 2000 truncated to 0 or 1,
/// and whether the flat was rebuilt.
fn tutorial_data() -> (Array2<f32>, Array2<f32>) {
    let rooms = [1.0_f32, 2.0, 1.0, 1.0, 2.0, 1.0, 3.0, 4.0];
    let years = [
        2001.0_f32, 1997.0, 1998.0, 2020.0, 1994.0, 1999.0, 2000.0, 2010.0,
    ];
    let rebuilt = [1.0_f32, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 0.0];
    let x = Array2::from_shape_fn((8, 2), |(i, j)| match j {
        0 => rooms[i],
        _ => (years[i] / 2000.0).trunc(),
    });
    let y = Array1::from(rebuilt.to_vec()).insert_axis(ndarray::Axis(1));
    heading("3. The data (rooms, year/2000 as an integer) and labels");
    for (row, label) in x.rows().into_iter().zip(&y) {
        println!("rooms {}  year {}  ->  rebuilt {}", row[0], row[1], label);
    }
    (x, y)
}

/// `Dense(units=1, activation='sigmoid')` with the weights Keras drew for
/// `tf.random.set_seed(1234)`.
fn model_one(x: &Array2<f32>) -> Result<()> {
    heading("4. Model 1: Dense(1, sigmoid) on 2 inputs");
    let kernel = array![[0.110_753_77_f32], [-0.379_753_95]];
    let bias = array![0.003_162_27_f32];
    let mut model = Sequential::new();
    model.add(Dense::new(kernel.clone(), bias.clone(), Sigmoid)?)?;
    println!("{}", model.summary());
    println!("2 weights + 1 bias = {} parameters\n", model.param_count());

    let outputs = model.forward(x)?;
    println!(
        "{:>4} {:>4}  {:>14}  {:>12}  {:>14}",
        "x1", "x2", "x·w + b", "forward", "1/(1+e^-z)"
    );
    for (row, output) in x.rows().into_iter().zip(&outputs) {
        let z = row[0] * kernel[[0, 0]] + row[1] * kernel[[1, 0]] + bias[0];
        let by_hand = 1.0 / (1.0 + (-z).exp());
        println!(
            "{:>4} {:>4}  {z:>14}  {output:>12}  {by_hand:>14}",
            row[0], row[1]
        );
    }
    println!("(the tutorial prints 0.43392918 … 0.5165997. `forward` agrees with TensorFlow 2.21,");
    println!(
        " which gives 0.43392915 in the first row; the float32 hand formula and the tutorial's"
    );
    println!(" older TensorFlow round that row 1 ULP higher)");
    Ok(())
}

/// A one-unit ReLU hidden layer before the sigmoid: 3 + 2 parameters.
fn model_two(x: &Array2<f32>, y: &Array2<f32>) -> Result<()> {
    heading("5. Model 2: Dense(1, relu) -> Dense(1, sigmoid)");
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
    println!(
        "hidden: 2 weights + 1 bias = {}; output: 1 weight + 1 bias = {}\n",
        model.layer_param_counts()[0],
        model.layer_param_counts()[1]
    );

    let outputs = model.layer_outputs(x)?;
    println!(
        "{:>4} {:>4}  {:>12}  {:>12}",
        "x1", "x2", "hidden relu", "output"
    );
    for ((row, hidden), output) in x.rows().into_iter().zip(&outputs[0]).zip(&outputs[1]) {
        println!("{:>4} {:>4}  {hidden:>12}  {output:>12}", row[0], row[1]);
    }
    println!("(the tutorial prints hidden 0 … 0.06642342 and outputs 0.5007906 … 0.49069336)");

    heading("6. Binary cross-entropy and accuracy");
    let evaluation = model.evaluate(x, y)?;
    println!(
        "model.evaluate:        loss {}  accuracy {}",
        f64::from(evaluation.loss),
        evaluation.accuracy
    );
    println!("(Keras: [0.6909422874450684, 0.75]; it computes the loss from the sigmoid's logits)");

    let predictions = &outputs[1];
    let by_hand = -y
        .iter()
        .zip(predictions)
        .map(|(&y, &p)| {
            let (y, p) = (f64::from(y), f64::from(p));
            y * p.ln() + (1.0 - y) * (1.0 - p).ln()
        })
        .sum::<f64>()
        / y.len() as f64;
    println!("by hand, -mean(y ln p + (1-y) ln(1-p)) in f64: {by_hand}");
    println!("(the tutorial's numpy gives 0.6909422129392624 from the printed predictions)");
    let on_probabilities = loss::binary_cross_entropy(y, predictions)?;
    println!("loss::binary_cross_entropy on the probabilities: {on_probabilities}");
    let accuracy = loss::binary_accuracy(y, predictions)?;
    println!("loss::binary_accuracy (p > 0.5 counts as 1): {accuracy}");
    Ok(())
}

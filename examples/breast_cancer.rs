//! Wisconsin breast cancer (569 × 30, binary), end to end: read the CSV,
//! standardize with the training rows' mean and standard deviation,
//! train 30 → 16 relu → 1 sigmoid with Adam(0.001), batches of 32, 100
//! epochs, binary cross-entropy; report the test loss and accuracy, save
//! the model as a `.keras` file and draw the training curves to an SVG.
//!
//! ```text
//! cargo run --release --example breast_cancer [-- SEED]
//! ```
//!
//! `examples/keras_side.py` runs the same recipe in Keras.

#[path = "support/recipe.rs"]
mod recipe;

use std::path::PathBuf;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seed = std::env::args().nth(1).map_or(Ok(1), |s| s.parse())?;
    let (split, mut model) = recipe::breast_cancer(seed)?;
    println!("{}", model.summary());

    let epochs = 100;
    let start = Instant::now();
    let (history, seconds) = recipe::train(&mut model, &split, epochs, seed, true)?;
    let per_epoch = start.elapsed().as_secs_f64() / epochs as f64;

    let test = model.evaluate(&split.x_test, &split.y_test)?;
    println!(
        "seed {seed}: test loss {:.4}, test accuracy {:.4} ({} rows); {:.3} ms per epoch \
         ({:.3} ms the median epoch after the first, Keras's figure)",
        test.loss,
        test.accuracy,
        split.x_test.nrows(),
        per_epoch * 1e3,
        recipe::median_epoch(&seconds) * 1e3
    );

    let out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/real_data");
    std::fs::create_dir_all(&out)?;
    // The file Keras's `keras.saving.load_model` reads.
    model.save_keras(out.join("breast_cancer.keras"))?;
    history.save_svg(out.join("breast_cancer_curves.svg"))?;
    println!(
        "wrote {}/breast_cancer.keras and breast_cancer_curves.svg",
        out.display()
    );
    Ok(())
}

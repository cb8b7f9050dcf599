//! Optical digits (1797 8×8 images, 10 classes), end to end: read the
//! CSV, scale the pixels by 1/16, train 64 → 64 relu → 10 softmax with
//! Adam(0.001), batches of 32, 50 epochs, sparse categorical
//! cross-entropy; report the test loss and accuracy and the confusion
//! matrix, save the model and draw the training curves to an SVG.
//!
//! ```text
//! cargo run --release --example digits [-- SEED]
//! ```
//!
//! `examples/keras_side.py` runs the same recipe in Keras.

#[path = "support/recipe.rs"]
mod recipe;

use std::path::PathBuf;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seed = std::env::args().nth(1).map_or(Ok(1), |s| s.parse())?;
    let (split, mut model) = recipe::digits(seed)?;
    println!("{}", model.summary());

    let epochs = 50;
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
    let probabilities = model.forward(&split.x_test)?;
    print_confusion_matrix(&recipe::confusion_matrix(&split.y_test, &probabilities));

    let out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/real_data");
    std::fs::create_dir_all(&out)?;
    // The file Keras's `keras.saving.load_model` reads.
    model.save_keras(out.join("digits.keras"))?;
    history.save_svg(out.join("digits_curves.svg"))?;
    println!("wrote {}/digits.keras and digits_curves.svg", out.display());
    Ok(())
}

/// Rows are the true digits, columns the predicted ones.
fn print_confusion_matrix(matrix: &[Vec<usize>]) {
    println!("\nconfusion matrix (rows: true digit, columns: predicted)");
    let header: String = (0..matrix.len()).map(|c| format!("{c:>4}")).collect();
    println!("    {header}");
    for (digit, row) in matrix.iter().enumerate() {
        let cells: String = row.iter().map(|n| format!("{n:>4}")).collect();
        println!("{digit:>3} {cells}");
    }
}

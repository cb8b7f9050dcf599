//! Writes the seed corpora of the file targets into `fuzz/corpus/`: the
//! fuzz model saved by the crate (model files and weights files, `f32` and
//! `f64`) for `model_file`, and its weights as `np.savez` writes them
//! (stored, deflated, Zip64, Fortran order) for `npz`. A few kilobytes;
//! libFuzzer adds what it finds to the same folders.
//!
//! Run it from the repository root:
//! `cargo run --manifest-path fuzz/Cargo.toml --example make_seeds`.

#[path = "../../tests/npz_writer/mod.rs"]
mod npz_writer;

use ndarray::ArrayD;
use neurite::{Element, Sequential};
use neurite_fuzz::{fuzz_model, scratch_file};
use npz_writer::{ZipOptions, f32_bytes, f64_bytes, npy, zip};
use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let model_files = corpus.join("model_file");
    let npz_files = corpus.join("npz");
    std::fs::create_dir_all(&model_files)?;
    std::fs::create_dir_all(&npz_files)?;

    write_model_files(&fuzz_model::<f32>(), "f32", &model_files)?;
    write_model_files(&fuzz_model::<f64>(), "f64", &model_files)?;

    let weights = fuzz_model::<f32>().get_weights();
    for float64 in [false, true] {
        for fortran_order in [false, true] {
            for (deflate, zip64) in [(false, false), (true, false), (false, true)] {
                let name = format!(
                    "{}{}{}{}.npz",
                    if float64 { "f8" } else { "f4" },
                    if fortran_order { "-fortran" } else { "" },
                    if deflate { "-deflated" } else { "" },
                    if zip64 { "-zip64" } else { "" },
                );
                let options = ZipOptions { deflate, zip64 };
                let path = npz_files.join(name);
                std::fs::write(&path, savez(&weights, float64, fortran_order, options))?;
                // A seed the loader refuses would only start the fuzzer on
                // its first check.
                fuzz_model::<f64>().load_npz(&path)?;
            }
        }
    }
    println!("seeds written to {}", corpus.display());
    Ok(())
}

/// The model's file (`to_bytes`, as `save` writes it) and its weights file
/// (`save_weights`).
fn write_model_files<T: Element>(
    model: &Sequential<T>,
    dtype: &str,
    folder: &Path,
) -> Result<(), Box<dyn std::error::Error>> {
    let model_file = folder.join(format!("model-{dtype}.safetensors"));
    std::fs::write(&model_file, model.to_bytes()?)?;
    Sequential::<T>::load(&model_file)?;
    let weights_file = folder.join(format!("weights-{dtype}.safetensors"));
    let scratch = scratch_file("make_seeds", &[]);
    model.save_weights(&scratch)?;
    std::fs::rename(&scratch, &weights_file)?;
    fuzz_model::<T>().load_weights(&weights_file)?;
    Ok(())
}

/// What `np.savez(path, *weights)` writes, in the given dtype and order.
fn savez(
    weights: &[ArrayD<f32>],
    float64: bool,
    fortran_order: bool,
    options: ZipOptions,
) -> Vec<u8> {
    let entries: Vec<(String, Vec<u8>)> = weights
        .iter()
        .enumerate()
        .map(|(i, array)| {
            let values: Vec<f32> = if fortran_order {
                array.t().iter().copied().collect()
            } else {
                array.iter().copied().collect()
            };
            let (descr, data) = if float64 {
                let wide: Vec<f64> = values.iter().map(|&v| f64::from(v)).collect();
                ("<f8", f64_bytes(&wide))
            } else {
                ("<f4", f32_bytes(&values))
            };
            (
                format!("arr_{i}.npy"),
                npy(descr, fortran_order, array.shape(), &data),
            )
        })
        .collect();
    let entries: Vec<(&str, Vec<u8>)> = entries
        .iter()
        .map(|(name, npy)| (name.as_str(), npy.clone()))
        .collect();
    zip(&entries, options)
}

//! Draws the activation plots in `docs/img/`: each built-in activation and
//! its derivative over `[-5, 5]`, and the tutorial's sigmoid plot.
//!
//! Run with `cargo run --example plot_activations` after changing an
//! activation or the drawing code, and commit the SVG files it writes;
//! `tests/plots.rs` fails while a committed plot differs from what this
//! draws. The API docs embed the files inline (no network needed), and
//! `docs/guide.md` shows the tutorial's plot.

mod plots;

use std::error::Error;
use std::fs;
use std::path::Path;

fn main() -> Result<(), Box<dyn Error>> {
    let directory = Path::new(env!("CARGO_MANIFEST_DIR")).join(plots::DIRECTORY);
    fs::create_dir_all(&directory)?;
    for (file, svg) in plots::draw_all()? {
        let path = directory.join(file);
        let unchanged = fs::read_to_string(&path).is_ok_and(|old| old == svg);
        fs::write(&path, &svg)?;
        let status = if unchanged { "unchanged" } else { "written" };
        println!(
            "{}/{file}: {status} ({} bytes)",
            plots::DIRECTORY,
            svg.len()
        );
    }
    Ok(())
}

//! The plots in `docs/img/` are what `examples/plot_activations` draws.
//!
//! The drawing code is the example's own module, included here, so a change
//! to an activation, to its parameters or to the drawing code that alters a
//! plot fails this test until the plots are redrawn with
//! `cargo run --example plot_activations` and committed.

#[path = "../examples/plot_activations/plots.rs"]
mod plots;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

fn directory() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(plots::DIRECTORY)
}

#[test]
fn committed_plots_match_the_example() {
    let mut stale = Vec::new();
    for (file, svg) in plots::draw_all().expect("the plots draw") {
        let path = directory().join(file);
        match fs::read_to_string(&path) {
            Ok(committed) if committed == svg => {}
            Ok(committed) => {
                let line = committed
                    .lines()
                    .zip(svg.lines())
                    .position(|(old, new)| old != new)
                    .map_or_else(
                        || "a different length".to_owned(),
                        |index| format!("line {}", index + 1),
                    );
                stale.push(format!(
                    "{}/{file} differs from the drawing at {line}",
                    plots::DIRECTORY
                ));
            }
            Err(error) => stale.push(format!(
                "{}/{file} cannot be read: {error}",
                plots::DIRECTORY
            )),
        }
    }
    assert!(
        stale.is_empty(),
        "{}\nRun `cargo run --example plot_activations` to redraw the plots, and commit docs/img/.",
        stale.join("\n")
    );
}

#[test]
fn drawing_is_deterministic() {
    assert_eq!(plots::draw_all().unwrap(), plots::draw_all().unwrap());
}

/// Every SVG in `docs/img/` is one the example draws, so none is left over
/// from a plot that no longer exists.
#[test]
fn no_plot_is_left_over() {
    let drawn: BTreeSet<String> = plots::draw_all()
        .unwrap()
        .into_iter()
        .map(|(file, _)| file.to_owned())
        .collect();
    let committed: BTreeSet<String> = fs::read_dir(directory())
        .expect("docs/img/ exists")
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".svg"))
        .collect();
    let extra: Vec<_> = committed.difference(&drawn).collect();
    assert!(
        extra.is_empty(),
        "not drawn by examples/plot_activations: {extra:?}"
    );
}

/// The API docs include the SVGs inline, in Markdown: an HTML block there
/// ends at the first blank line, after which the rest of the SVG would be
/// read as Markdown (and indented lines as code, even as doctests).
#[test]
fn plots_embed_in_rustdoc_as_one_html_block() {
    for (file, svg) in plots::draw_all().unwrap() {
        assert!(
            svg.starts_with("<svg "),
            "{file} must start with its <svg> tag"
        );
        assert!(svg.ends_with("</svg>\n"), "{file} must end with </svg>");
        assert!(
            svg.lines().all(|line| !line.trim().is_empty()),
            "{file} has a blank line, which ends rustdoc's HTML block"
        );
        assert!(
            svg.lines().all(|line| !line.starts_with("    ")),
            "{file} has an indented line"
        );
    }
}

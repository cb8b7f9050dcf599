//! Training curves as SVG (the `plot` feature): the picture a Keras user
//! draws with matplotlib from `history.history`, one panel per quantity
//! with its training and validation series.

use super::History;
use crate::Element;
use crate::error::{Error, format_error};
use crate::precision::widen;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::ops::Range;
use std::path::Path;

/// The size of one panel, in pixels.
const PANEL: (u32, u32) = (480, 360);
const FONT: &str = "sans-serif";
const TRAINING: RGBColor = RGBColor(31, 119, 180);
const VALIDATION: RGBColor = RGBColor(255, 127, 14);

impl<T: Element> History<T> {
    /// The history as an SVG document: one panel per quantity (`loss`,
    /// `accuracy`, each metric, `learning_rate` if a callback logged it),
    /// side by side, each with the epochs (from 1) on the x axis, a legend,
    /// the training series in blue and its `val_` series in orange where
    /// there is one. Values that are not finite are left out of a line.
    /// With the `plot` feature.
    ///
    /// # Errors
    ///
    /// [`Error::Format`] if plotters fails to draw (it does not for an SVG
    /// in memory, but its API can report it), or for a history with no
    /// epochs.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::History;
    ///
    /// let history = History {
    ///     loss: vec![0.7_f32, 0.5, 0.4],
    ///     accuracy: vec![0.5, 0.75, 0.8],
    ///     val_loss: vec![0.72, 0.6, 0.55],
    ///     val_accuracy: vec![0.5, 0.7, 0.7],
    ///     ..History::default()
    /// };
    /// let svg = history.to_svg()?;
    /// assert!(svg.starts_with("<svg") && svg.contains("val_loss"));
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn to_svg(&self) -> Result<String, Error> {
        if self.epochs() == 0 {
            return Err(format_error(
                "history plot",
                "at least one epoch",
                "none".into(),
            ));
        }
        let panels = self.panels();
        let size = (PANEL.0 * panels.len() as u32, PANEL.1);
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
            root.fill(&WHITE).map_err(drawing)?;
            let areas = root.split_evenly((1, panels.len()));
            for (area, panel) in areas.iter().zip(&panels) {
                draw_panel(area, panel).map_err(drawing)?;
            }
            root.present().map_err(drawing)?;
        }
        Ok(svg)
    }

    /// Writes [`to_svg`](History::to_svg) to `path`. With the `plot`
    /// feature.
    ///
    /// # Errors
    ///
    /// As [`to_svg`](History::to_svg), and [`Error::Io`] if the file cannot
    /// be written.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::History;
    ///
    /// let history = History { loss: vec![0.7_f64, 0.5], accuracy: vec![0.5, 0.75], ..History::default() };
    /// let path = std::env::temp_dir().join("neurite_history_doc.svg");
    /// history.save_svg(&path)?;
    /// assert!(std::fs::read_to_string(&path).unwrap().contains("accuracy"));
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn save_svg(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        let path = path.as_ref();
        std::fs::write(path, self.to_svg()?).map_err(|error| Error::io(path, error))
    }

    /// Each training series with its validation series, if any.
    fn panels(&self) -> Vec<Panel<'_>> {
        self.series()
            .filter(|(name, _)| !name.starts_with("val_"))
            .map(|(name, values)| Panel {
                name,
                training: widened(values),
                validation: self.get(&format!("val_{name}")).map(widened),
            })
            .collect()
    }
}

/// One panel's quantity and its series, widened to `f64`.
struct Panel<'h> {
    name: &'h str,
    training: Vec<f64>,
    validation: Option<Vec<f64>>,
}

fn widened<T: Element>(values: &[T]) -> Vec<f64> {
    values.iter().map(|&v| widen(v)).collect()
}

/// A plotters error as an [`Error::Format`].
fn drawing<E: std::error::Error>(error: E) -> Error {
    format_error("history plot", "a drawable SVG", error.to_string())
}

type DrawResult = Result<(), DrawingAreaErrorKind<std::io::Error>>;

fn draw_panel(area: &DrawingArea<SVGBackend<'_>, Shift>, panel: &Panel<'_>) -> DrawResult {
    let all = panel
        .training
        .iter()
        .chain(panel.validation.iter().flatten());
    let epochs = panel.training.len().max(1) as f64;
    let mut chart = ChartBuilder::on(area)
        .caption(panel.name, (FONT, 20))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(56)
        .build_cartesian_2d(1.0..epochs.max(2.0), y_range(all.copied()))?;
    chart
        .configure_mesh()
        .x_desc("epoch")
        .light_line_style(TRANSPARENT)
        .bold_line_style(BLACK.mix(0.12))
        .label_style((FONT, 12))
        .axis_desc_style((FONT, 14))
        .x_label_formatter(&|x| format!("{x:.0}"))
        .draw()?;
    let series = [
        (panel.name.to_owned(), Some(&panel.training), TRAINING),
        (
            format!("val_{}", panel.name),
            panel.validation.as_ref(),
            VALIDATION,
        ),
    ];
    for (label, values, colour) in series {
        let Some(values) = values else { continue };
        let style = colour.stroke_width(2);
        let points = values.iter().enumerate().map(|(e, &v)| ((e + 1) as f64, v));
        chart
            .draw_series(LineSeries::new(
                points.filter(|(_, v)| v.is_finite()),
                style,
            ))?
            .label(label)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], style));
    }
    // The legend in the corner the curves leave free: a rising series ends
    // high on the right, a falling one low.
    let rising = panel.training.last() > panel.training.first();
    let corner = match rising {
        true => SeriesLabelPosition::LowerRight,
        false => SeriesLabelPosition::UpperRight,
    };
    chart
        .configure_series_labels()
        .position(corner)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .label_font((FONT, 13))
        .draw()
}

/// The y range holding every finite value, with a margin (a unit range
/// around a constant series).
fn y_range(values: impl Iterator<Item = f64>) -> Range<f64> {
    let (low, high) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(low, high), v| {
            (low.min(v), high.max(v))
        });
    if low > high {
        return 0.0..1.0;
    }
    let margin = if high > low { 0.08 * (high - low) } else { 0.5 };
    (low - margin)..(high + margin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panels_pair_each_series_with_its_validation() {
        let mut history = History {
            loss: vec![1.0_f64, 0.5],
            accuracy: vec![0.5, 0.75],
            val_loss: vec![1.2, 0.7],
            val_accuracy: vec![0.5, 0.5],
            ..History::default()
        };
        history.record("mae", 0.3);
        history.record("mae", 0.2);
        history.record("val_mae", 0.4);
        history.record("val_mae", f64::NAN);
        let panels = history.panels();
        let names: Vec<&str> = panels.iter().map(|p| p.name).collect();
        assert_eq!(names, ["loss", "accuracy", "mae"]);
        assert_eq!(panels[0].validation, Some(vec![1.2, 0.7]));
        let svg = history.to_svg().unwrap();
        for label in ["loss", "val_loss", "val_accuracy", "val_mae", "epoch"] {
            assert!(svg.lines().any(|line| line.trim() == label), "{label}");
        }
        assert!(svg.contains(r#"width="1440""#));
        assert_eq!(y_range([2.0].into_iter()), 1.5..2.5);
        assert!(History::<f32>::default().to_svg().is_err());
    }
}

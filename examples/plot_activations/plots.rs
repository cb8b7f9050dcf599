//! The plots in `docs/img/`, drawn into strings.
//!
//! `examples/plot_activations/main.rs` writes them to `docs/img/`;
//! `tests/plots.rs` includes this file too, redraws every plot and checks
//! that the committed file is the same byte for byte. Nothing here reads a
//! clock, a random number or a font file, so the same code draws the same
//! bytes every time.
//!
//! plotters places everything on whole pixels, which makes a curve drawn at
//! its display size visibly stepped. So every plot is drawn [`SCALE`] times
//! larger (fonts, lines and margins too) and the SVG's `width` and
//! `height` then say the display size: the `viewBox` scales it down, and
//! coordinates land on quarter pixels.

#[path = "piecewise.rs"]
mod piecewise;
#[path = "sigmoid_family.rs"]
mod sigmoid_family;
#[path = "smooth.rs"]
mod smooth;

use neurite::{Activation, Elu, LeakyRelu, Linear, Relu, Sigmoid, Softmax, Tanh};
use neurite::{LogSoftmax, Sparsemax};
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use std::error::Error;

/// Where the plots live, relative to the crate root.
pub const DIRECTORY: &str = "docs/img";

/// The display size of every plot, in pixels.
const SIZE: (u32, u32) = (640, 420);

/// How much larger than [`SIZE`] the plots are drawn.
const SCALE: u32 = 4;

/// Line intervals over `[-5, 5]`: a step of `0.05`, with `x = 0` a sample.
const INTERVALS: u32 = 200;

/// matplotlib's first two colours, which PyTorch's plots use too.
const FUNCTION_COLOUR: RGBColor = RGBColor(0x1f, 0x77, 0xb4);
const DERIVATIVE_COLOUR: RGBColor = RGBColor(0xff, 0x7f, 0x0e);
const FONT: &str = "sans-serif";

type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// Every plot as `(file name, SVG document)`, in a fixed order.
pub fn draw_all() -> Result<Vec<(&'static str, String)>> {
    let mut plots = Vec::new();
    for curve in curves()
        .into_iter()
        .chain(piecewise::curves())
        .chain(sigmoid_family::curves())
        .chain(smooth::curves())
    {
        plots.push((curve.file, draw_curve(&curve)?));
    }
    plots.push(("sigmoid_tutorial.svg", draw_tutorial_sigmoid()?));
    Ok(plots)
}

/// A function and its derivative over `[-5, 5]`.
struct Curve {
    file: &'static str,
    title: String,
    function_label: &'static str,
    derivative_label: &'static str,
    function: Box<dyn Fn(f64) -> f64>,
    derivative: Box<dyn Fn(f64) -> f64>,
    /// Where the derivative jumps: drawn as two pieces, with a dot at the
    /// value the derivative takes there.
    kinks: &'static [f64],
    /// How the dot is described in the legend.
    kink_label: Option<String>,
}

impl Curve {
    /// The curve of an element-wise activation, drawn with its own
    /// `apply` and `derivative`.
    fn of<A: Activation<f64> + Clone + 'static>(
        activation: A,
        file: &'static str,
        title: String,
        labels: (&'static str, &'static str),
    ) -> Self {
        let derivative = activation.clone();
        Curve {
            file,
            title,
            function_label: labels.0,
            derivative_label: labels.1,
            function: Box::new(move |x| activation.apply(x)),
            derivative: Box::new(move |x| derivative.derivative(x)),
            kinks: &[],
            kink_label: None,
        }
    }

    /// Marks a jump of the derivative at `x = 0`.
    fn with_kink_at_zero(self, label: String) -> Self {
        self.with_kinks(&[0.0], label)
    }

    /// Marks jumps of the derivative (or of the function) at `kinks`.
    fn with_kinks(mut self, kinks: &'static [f64], label: String) -> Self {
        self.kinks = kinks;
        self.kink_label = Some(label);
        self
    }
}

fn curves() -> Vec<Curve> {
    let leaky = LeakyRelu::<f64>::default();
    let elu = Elu::<f64>::default();
    vec![
        Curve::of(
            Sigmoid,
            "sigmoid.svg",
            "Sigmoid: σ(x) = 1 / (1 + e^−x)".into(),
            ("σ(x)", "σ′(x) = σ(x)(1 − σ(x))"),
        ),
        Curve::of(
            Tanh,
            "tanh.svg",
            "Tanh: tanh(x)".into(),
            ("tanh(x)", "tanh′(x) = 1 − tanh²(x)"),
        ),
        Curve::of(
            Relu,
            "relu.svg",
            "Relu: max(0, x)".into(),
            ("relu(x)", "relu′(x)"),
        )
        .with_kink_at_zero(format!("relu′(0) = {}", Relu.derivative(0.0_f64))),
        Curve::of(
            leaky,
            "leaky_relu.svg",
            format!(
                "LeakyRelu::default(): slope {}, max({}x, x)",
                leaky.slope(),
                leaky.slope()
            ),
            ("leaky_relu(x)", "leaky_relu′(x)"),
        )
        .with_kink_at_zero(format!("leaky_relu′(0) = {}", leaky.derivative(0.0))),
        Curve::of(
            elu,
            "elu.svg",
            format!(
                "Elu::default(): alpha · (e^x − 1) below 0, alpha = {}",
                elu.alpha()
            ),
            ("elu(x)", "elu′(x)"),
        ),
        Curve::of(
            Linear,
            "linear.svg",
            "Linear: f(x) = x".into(),
            ("linear(x)", "linear′(x)"),
        ),
        // Softmax of one value is the constant 1; a row of two, (x, 0),
        // shows its shape. Its first entry is σ(x), and its derivative
        // comes from the vector-Jacobian product with upstream (1, 0).
        Curve {
            file: "softmax.svg",
            title: "Softmax of the row (x, 0): first entry".into(),
            function_label: "y₀ = softmax(x, 0)₀",
            derivative_label: "∂y₀/∂x = y₀(1 − y₀)",
            function: Box::new(|x| softmax_pair(x)[0]),
            derivative: Box::new(|x| {
                let y = softmax_pair(x);
                Softmax::vjp(&y, &[1.0, 0.0]).map_or(f64::NAN, |grad| grad[0])
            }),
            kinks: &[],
            kink_label: None,
        },
        Curve::of_row_pair(
            LogSoftmax,
            "log_softmax.svg",
            "LogSoftmax of the row (x, 0): first entry, −ln(1 + e^−x)",
            ("y₀ = log_softmax(x, 0)₀", "∂y₀/∂x = 1 − softmax(x, 0)₀"),
        ),
        Curve {
            kinks: &[-1.0, 1.0],
            kink_label: Some("∂y₀/∂x(±1) = 0: the other entry leaves the support".into()),
            ..Curve::of_row_pair(
                Sparsemax,
                "sparsemax.svg",
                "Sparsemax of the row (x, 0): first entry",
                ("y₀ = sparsemax(x, 0)₀", "∂y₀/∂x"),
            )
        },
    ]
}

impl Curve {
    /// The first entry of a row-wise function of the row `(x, 0)`, and its
    /// derivative from `backward_rows` with upstream gradient `(1, 0)`.
    fn of_row_pair<A: Activation<f64> + Clone + 'static>(
        activation: A,
        file: &'static str,
        title: &str,
        labels: (&'static str, &'static str),
    ) -> Self {
        let derivative = activation.clone();
        Curve {
            file,
            title: title.into(),
            function_label: labels.0,
            derivative_label: labels.1,
            function: Box::new(move |x| {
                let mut row = [x, 0.0];
                activation.apply_slice(&mut row);
                row[0]
            }),
            derivative: Box::new(move |x| {
                let pre = ndarray::array![[x, 0.0]];
                let mut out = pre.clone();
                derivative.apply_rows(out.view_mut());
                let mut grad = ndarray::array![[1.0, 0.0]];
                derivative.backward_rows(pre.view(), out.view(), grad.view_mut());
                grad[[0, 0]]
            }),
            kinks: &[],
            kink_label: None,
        }
    }
}

/// `softmax([x, 0])`, through neurite's row kernel.
fn softmax_pair(x: f64) -> [f64; 2] {
    let mut row = [x, 0.0];
    Softmax.apply_slice(&mut row);
    row
}

/// The sample points of `[-5, 5]`, exact at every multiple of `0.05`'s
/// index (so `0` is `0.0`, not a rounding error away).
fn samples() -> impl Iterator<Item = f64> {
    (0..=INTERVALS).map(|i| f64::from(i) * 10.0 / f64::from(INTERVALS) - 5.0)
}

/// Splits `[-5, 5]` at the kinks into pieces whose ends sit just inside
/// each kink, so a jump is not drawn as a steep line.
fn pieces(kinks: &[f64]) -> Vec<Vec<f64>> {
    const INSIDE: f64 = 1e-9;
    let mut kinks = kinks.iter().copied().peekable();
    let (mut pieces, mut piece) = (Vec::new(), Vec::new());
    for x in samples() {
        let mut on_kink = false;
        while let Some(kink) = kinks.next_if(|&kink| kink <= x) {
            piece.push(kink - INSIDE);
            pieces.push(std::mem::replace(&mut piece, vec![kink + INSIDE]));
            on_kink |= kink == x;
        }
        if !on_kink {
            piece.push(x);
        }
    }
    pieces.push(piece);
    pieces
}

/// `size` display pixels in drawing units.
fn px(size: u32) -> u32 {
    size * SCALE
}

/// [`px`] for coordinates and offsets.
fn ipx(size: i32) -> i32 {
    size * SCALE as i32
}

/// A font of `size` display pixels.
fn font(size: u32) -> (&'static str, u32) {
    (FONT, px(size))
}

/// A line `width` display pixels wide.
fn line(colour: impl Color, width: u32) -> ShapeStyle {
    colour.stroke_width(px(width))
}

/// The legend's sample of a line series.
fn legend_line(style: ShapeStyle) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
    move |(x, y)| PathElement::new([(x, y), (x + ipx(20), y)], style)
}

/// The SVG document `draw` paints on a white canvas, drawn at [`SCALE`]
/// times [`SIZE`] and displayed at [`SIZE`].
fn render(draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Result<()>) -> Result<String> {
    let (width, height) = SIZE;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (px(width), px(height))).into_drawing_area();
        root.fill(&WHITE)?;
        draw(&root)?;
        root.present()?;
    }
    let drawn = format!(r#"<svg width="{}" height="{}" "#, px(width), px(height));
    let shown = format!(r#"<svg width="{width}" height="{height}" "#);
    if !svg.starts_with(&drawn) {
        return Err(format!("plotters' SVG does not start with {drawn}").into());
    }
    Ok(svg.replacen(&drawn, &shown, 1))
}

/// The y range holding every value, with a margin.
fn y_range(values: impl Iterator<Item = f64>) -> std::ops::Range<f64> {
    let (low, high) = values
        .filter(|y| y.is_finite())
        .fold((0.0_f64, 0.0_f64), |(low, high), y| {
            (low.min(y), high.max(y))
        });
    let margin = 0.08 * (high - low);
    (low - margin)..(high + margin)
}

type Chart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// A tick label: at most three decimals, without trailing zeros, so the
/// ticks plotters places at `0.1 · k` do not show rounding errors.
fn tick(value: &f64) -> String {
    let text = format!("{value:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".into()
    } else {
        text.into()
    }
}

/// A chart with a title, axes, tick labels and a grid.
fn chart<'a, 'b: 'a>(
    root: &'a DrawingArea<SVGBackend<'b>, Shift>,
    title: &str,
    x_range: std::ops::Range<f64>,
    y_range: std::ops::Range<f64>,
    y_labels: &dyn Fn(&f64) -> String,
) -> Result<Chart<'a, 'b>> {
    let mut chart = ChartBuilder::on(root)
        .caption(title, font(22))
        .margin(px(12))
        .x_label_area_size(px(36))
        .y_label_area_size(px(52))
        .build_cartesian_2d(x_range, y_range)?;
    chart
        .configure_mesh()
        .x_desc("x")
        .light_line_style(TRANSPARENT)
        .bold_line_style(line(BLACK.mix(0.12), 1))
        .axis_style(line(BLACK, 1))
        .set_all_tick_mark_size(px(5))
        .label_style(font(13))
        .axis_desc_style(font(15))
        .x_label_formatter(&tick)
        .y_label_formatter(y_labels)
        .draw()?;
    Ok(chart)
}

fn draw_curve(curve: &Curve) -> Result<String> {
    render(|root| {
        let ys = samples().flat_map(|x| [(curve.function)(x), (curve.derivative)(x)]);
        let mut chart = chart(root, &curve.title, -5.0..5.0, y_range(ys), &tick)?;
        draw_zero_axes(&mut chart)?;

        let function = line(FUNCTION_COLOUR, 2);
        chart
            .draw_series(LineSeries::new(
                samples().map(|x| (x, (curve.function)(x))),
                function,
            ))?
            .label(curve.function_label)
            .legend(legend_line(function));

        let derivative = line(DERIVATIVE_COLOUR, 2);
        for (index, piece) in pieces(curve.kinks).into_iter().enumerate() {
            let series = chart.draw_series(LineSeries::new(
                piece.into_iter().map(|x| (x, (curve.derivative)(x))),
                derivative,
            ))?;
            if index == 0 {
                series
                    .label(curve.derivative_label)
                    .legend(legend_line(derivative));
            }
        }

        let radius = ipx(4);
        for &kink in curve.kinks {
            // Open circles at the one-sided limits, a filled dot at the
            // value the derivative takes at the kink itself.
            let at = (curve.derivative)(kink);
            for limit in [
                (curve.derivative)(kink - 1e-9),
                (curve.derivative)(kink + 1e-9),
            ] {
                if limit != at {
                    chart.draw_series([Circle::new((kink, limit), radius, derivative)])?;
                }
            }
            let filled = DERIVATIVE_COLOUR.filled();
            let dot = chart.draw_series([Circle::new((kink, at), radius, filled)])?;
            if let Some(label) = &curve.kink_label {
                dot.label(label)
                    .legend(move |(x, y)| Circle::new((x + ipx(10), y), radius, filled));
            }
        }

        draw_legend(&mut chart, SeriesLabelPosition::UpperLeft)
    })
}

/// Thin dark lines along `x = 0` and `y = 0`, where they are in view.
fn draw_zero_axes(chart: &mut Chart<'_, '_>) -> Result<()> {
    let (xs, ys) = (chart.x_range(), chart.y_range());
    let style = line(BLACK.mix(0.6), 1);
    if ys.start <= 0.0 && 0.0 <= ys.end {
        chart.draw_series([PathElement::new([(xs.start, 0.0), (xs.end, 0.0)], style)])?;
    }
    if xs.start <= 0.0 && 0.0 <= xs.end {
        chart.draw_series([PathElement::new([(0.0, ys.start), (0.0, ys.end)], style)])?;
    }
    Ok(())
}

/// The legend box, in a corner the curves leave free.
fn draw_legend<'a, 'b: 'a>(chart: &mut Chart<'a, 'b>, corner: SeriesLabelPosition) -> Result<()> {
    chart
        .configure_series_labels()
        .position(corner)
        .margin(px(10))
        .legend_area_size(px(30))
        .label_font(font(14))
        .background_style(WHITE.mix(0.9))
        .border_style(line(BLACK.mix(0.4), 1))
        .draw()?;
    Ok(())
}

/// The tutorial's `plt.plot(xList, yList)`: `expit` at its four inputs,
/// joined by straight lines, on matplotlib's automatic axes (the data range
/// plus 5% on each side), with the whole sigmoid over the same range
/// dashed behind it for comparison.
fn draw_tutorial_sigmoid() -> Result<String> {
    let x_list = [0.25_f64, 7.0, 9.0, 20.0];
    let y_list = x_list.map(|x| Sigmoid.apply(x));
    let padded = |low: f64, high: f64| {
        let margin = 0.05 * (high - low);
        (low - margin)..(high + margin)
    };
    let x_range = padded(x_list[0], x_list[3]);
    let y_range = padded(y_list[0], y_list[3]);

    render(|root| {
        let title = "The tutorial's plot: plt.plot(xList, yList)";
        let mut chart = chart(root, title, x_range.clone(), y_range, &|y| {
            format!("{y:.2}")
        })?;

        let grey = line(BLACK.mix(0.45), 1);
        let steps = 400_u32;
        let whole = (0..=steps).map(|i| {
            let x = x_range.start + (x_range.end - x_range.start) * f64::from(i) / f64::from(steps);
            (x, Sigmoid.apply(x))
        });
        chart
            .draw_series(DashedLineSeries::new(whole, px(6), px(4), grey))?
            .label("σ(x) itself (not in the tutorial's plot)")
            .legend(legend_line(grey));

        let blue = line(FUNCTION_COLOUR, 2);
        let points = x_list.into_iter().zip(y_list);
        chart
            .draw_series(LineSeries::new(points.clone(), blue))?
            .label("yList = expit(xList), xList = [0.25, 7, 9, 20]")
            .legend(legend_line(blue));
        let dot = FUNCTION_COLOUR.filled();
        chart.draw_series(points.map(|p| Circle::new(p, ipx(3), dot)))?;

        draw_legend(&mut chart, SeriesLabelPosition::LowerRight)
    })
}

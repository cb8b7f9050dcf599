//! A linear stack of layers, like Keras's `Sequential`.

use crate::Element;
use crate::buffers;
use crate::error::{Error, check_not_empty, check_shape, check_width};
use crate::layer::Layer;
use crate::loss;
use crate::workspace::first_layer_rows;
use ndarray::{Array2, ArrayBase, Data, Ix2};
use std::collections::HashMap;
use std::fmt;

/// A model that feeds each layer's output to the next.
///
/// Widths are checked when a layer is added, so a model that was built can
/// always run on a batch with the right number of columns.
///
/// # Example
///
/// The tutorial's second model: a ReLU unit feeding a sigmoid unit.
///
/// ```
/// use ndarray::array;
/// use neurite::{Dense, Relu, Sequential, Sigmoid};
///
/// let mut model = Sequential::new();
/// model
///     .add(Dense::new(array![[0.11075378_f32], [-0.37975395]], array![0.00316224], Relu)?)?
///     .add(Dense::new(array![[-0.60811526_f32]], array![0.00316227], Sigmoid)?)?;
/// assert_eq!(model.param_count(), 3 + 2);
///
/// let x = array![[1.0_f32, 1.0], [2.0, 0.0]];
/// let y = model.forward(&x)?;
/// assert_eq!(y.dim(), (2, 1));
/// assert!((y[[0, 0]] - 0.5007906).abs() < 1e-6);
/// # Ok::<(), neurite::Error>(())
/// ```
#[derive(Debug)]
pub struct Sequential<T: Element> {
    pub(crate) layers: Vec<Box<dyn Layer<T>>>,
    /// Buffers reused by training steps (see [`crate::train`]).
    pub(crate) training: crate::train::TrainingWorkspace<T>,
}

/// Values of hidden-layer scratch that [`Sequential::forward_to`] keeps on
/// the stack (256 bytes of `f32`): zeroing them costs less than an
/// allocation.
const STACK_SCRATCH: usize = 64;

/// What [`Sequential::evaluate`] measures on labelled data.
///
/// # Example
///
/// ```
/// use ndarray::array;
/// use neurite::{Dense, Sequential, Sigmoid};
///
/// let mut model = Sequential::new();
/// model.add(Dense::new(array![[1.0_f64]], array![0.0], Sigmoid)?)?;
/// let evaluation = model.evaluate(&array![[0.0], [3.0]], &array![[1.0], [1.0]])?;
/// assert_eq!(evaluation.accuracy, 0.5);
/// assert!(evaluation.loss > 0.0);
/// # Ok::<(), neurite::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evaluation<T> {
    /// Mean binary cross-entropy over the batch.
    pub loss: T,
    /// Binary accuracy (threshold 0.5, strict).
    pub accuracy: T,
}

impl<T: Element> Default for Sequential<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Element> Sequential<T> {
    /// An empty model.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::Sequential;
    ///
    /// let model = Sequential::<f32>::new();
    /// assert!(model.is_empty());
    /// ```
    pub fn new() -> Self {
        Self {
            layers: Vec::new(),
            training: Default::default(),
        }
    }

    /// Appends a layer, checking that it takes as many inputs as the
    /// previous layer gives. Returns the model, so calls can be chained.
    ///
    /// # Errors
    ///
    /// [`Error::WidthMismatch`] when the widths do not fit; the model is
    /// left unchanged.
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::{Array1, Array2};
    /// use neurite::{Dense, Error, Relu, Sequential};
    ///
    /// let mut model = Sequential::new();
    /// model.add(Dense::new(Array2::<f32>::zeros((2, 4)), Array1::zeros(4), Relu)?)?;
    /// let wrong = model.add(Dense::new(Array2::<f32>::zeros((3, 1)), Array1::zeros(1), Relu)?);
    /// assert!(matches!(wrong, Err(Error::WidthMismatch { expected: 4, found: 3, .. })));
    /// assert_eq!(model.len(), 1);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn add<L: Layer<T> + 'static>(&mut self, layer: L) -> Result<&mut Self, Error> {
        self.add_boxed(Box::new(layer))
    }

    /// [`add`](Sequential::add) for a layer already boxed: what a model
    /// built from a description ([`crate::io::ModelSpec`]) adds.
    pub(crate) fn add_boxed(&mut self, layer: Box<dyn Layer<T>>) -> Result<&mut Self, Error> {
        if let Some(previous) = self.layers.last() {
            check_width(
                &format!("layer {} ({})", self.layers.len(), layer.class_name()),
                previous.output_width(),
                layer.input_width(),
            )?;
        }
        self.layers.push(layer);
        Ok(self)
    }

    /// The number of layers.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::Sequential;
    ///
    /// assert_eq!(Sequential::<f64>::new().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.layers.len()
    }

    /// Whether the model has no layers.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::Sequential;
    ///
    /// assert!(Sequential::<f64>::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }

    /// The layers, first to last.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::{Dense, Layer, Relu, Sequential};
    ///
    /// let mut model = Sequential::<f32>::new();
    /// model.add(Dense::glorot(3, 2, Relu, 0)?)?;
    /// let widths: Vec<_> = model.layers().map(|l| l.output_width()).collect();
    /// assert_eq!(widths, [2]);
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn layers(&self) -> impl Iterator<Item = &dyn Layer<T>> {
        self.layers.iter().map(|layer| layer.as_ref())
    }

    /// The number of trainable parameters of all layers.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::{Dense, Relu, Sequential, Sigmoid};
    ///
    /// let mut model = Sequential::<f32>::new();
    /// model.add(Dense::glorot(2, 1, Relu, 0)?)?.add(Dense::glorot(1, 1, Sigmoid, 1)?)?;
    /// assert_eq!(model.param_count(), 5);
    /// assert_eq!(model.layer_param_counts(), [3, 2]);
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn param_count(&self) -> usize {
        self.layers.iter().map(|layer| layer.param_count()).sum()
    }

    /// The number of trainable parameters of each layer, first to last.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::{Maxout, Sequential};
    ///
    /// let mut model = Sequential::<f32>::new();
    /// model.add(Maxout::glorot(2, 2, 1, 0)?)?;
    /// assert_eq!(model.layer_param_counts(), [2 * (2 + 1)]);
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn layer_param_counts(&self) -> Vec<usize> {
        self.layers
            .iter()
            .map(|layer| layer.param_count())
            .collect()
    }

    /// Runs the batch `x` (`(batch, inputs)`) through every layer.
    ///
    /// # Errors
    ///
    /// [`Error::EmptyModel`] without layers, [`Error::EmptyBatch`] when `x`
    /// has no rows, [`Error::WidthMismatch`] when its width is not the first
    /// layer's, [`Error::InvalidParameter`] when the outputs of so many rows
    /// do not fit in memory (a broadcast view can have any number of rows).
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::array;
    /// use neurite::{Dense, Error, Linear, Sequential};
    ///
    /// let mut model = Sequential::new();
    /// model.add(Dense::new(array![[2.0_f64], [3.0]], array![1.0], Linear)?)?;
    /// let x = array![[1.0, 1.0], [0.0, 2.0]];
    /// assert_eq!(model.forward(&x)?, array![[6.0], [7.0]]);
    /// assert_eq!(model.forward(&x.view())?, array![[6.0], [7.0]]);
    /// assert!(matches!(model.forward(&array![[1.0]]), Err(Error::WidthMismatch { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn forward<S: Data<Elem = T>>(&self, x: &ArrayBase<S, Ix2>) -> Result<Array2<T>, Error> {
        self.forward_to(x, self.layers.len().saturating_sub(1))
    }

    /// The output of layer `layer` (counting from 0): the forward pass
    /// stopped there, like Keras's `Model(inputs, model.layers[i].output)`.
    ///
    /// # Errors
    ///
    /// As [`forward`](Sequential::forward), and
    /// [`Error::InvalidParameter`] when `layer` is not a layer's index.
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::array;
    /// use neurite::{Dense, Relu, Sequential, Sigmoid};
    ///
    /// let mut model = Sequential::new();
    /// model
    ///     .add(Dense::new(array![[1.0_f64], [-1.0]], array![0.0], Relu)?)?
    ///     .add(Dense::new(array![[1.0]], array![0.0], Sigmoid)?)?;
    /// let hidden = model.forward_to(&array![[1.0, 3.0], [3.0, 1.0]], 0)?;
    /// assert_eq!(hidden, array![[0.0], [2.0]]);
    /// assert!(model.forward_to(&array![[1.0, 3.0]], 2).is_err());
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn forward_to<S: Data<Elem = T>>(
        &self,
        x: &ArrayBase<S, Ix2>,
        layer: usize,
    ) -> Result<Array2<T>, Error> {
        self.check_input(x)?;
        self.check_layer_index(layer)?;
        let rows = x.nrows();
        let last = self.layers[layer].as_ref();
        let mut output = buffers::zeros2("batch output", (rows, last.output_width()))?;
        let out = output.as_slice_mut().expect("a new array is row-major");
        if layer == 0 {
            first_layer_rows(last, x, out)?;
            return Ok(output);
        }
        // The hidden layers' rows alternate between two halves of one
        // scratch buffer (one half is enough for a single hidden layer), on
        // the stack when they fit: small batches then allocate only the
        // result.
        let hidden = &self.layers[..layer];
        let widest = hidden.iter().map(|l| l.output_width()).max().unwrap_or(0);
        let halves = if layer == 1 { 1 } else { 2 };
        let len = buffers::count("hidden layers' scratch", &[halves, rows, widest])?;
        let mut stack = [T::zero(); STACK_SCRATCH];
        let mut heap;
        let scratch = if len <= STACK_SCRATCH {
            &mut stack[..len]
        } else {
            heap = buffers::zeros("hidden layers' scratch", len)?;
            &mut heap[..]
        };
        let (front, back) = scratch.split_at_mut(rows * widest);
        let input = self.run_layers(x, layer, front, back)?;
        last.forward_rows(rows, input, out)?;
        Ok(output)
    }

    /// The output of every layer, first to last; the last is
    /// [`forward`](Sequential::forward)'s result.
    ///
    /// # Errors
    ///
    /// As [`forward`](Sequential::forward).
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::array;
    /// use neurite::{Dense, Relu, Sequential, Sigmoid};
    ///
    /// let mut model = Sequential::new();
    /// model
    ///     .add(Dense::new(array![[1.0_f64], [-1.0]], array![0.0], Relu)?)?
    ///     .add(Dense::new(array![[1.0]], array![0.0], Sigmoid)?)?;
    /// let outputs = model.layer_outputs(&array![[3.0, 1.0]])?;
    /// assert_eq!(outputs.len(), 2);
    /// assert_eq!(outputs[0], array![[2.0]]);
    /// assert_eq!(outputs[1], model.forward(&array![[3.0, 1.0]])?);
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn layer_outputs<S: Data<Elem = T>>(
        &self,
        x: &ArrayBase<S, Ix2>,
    ) -> Result<Vec<Array2<T>>, Error> {
        self.check_input(x)?;
        let mut outputs: Vec<Array2<T>> = Vec::with_capacity(self.layers.len());
        for layer in &self.layers {
            let input = outputs
                .last()
                .map_or_else(|| x.view(), |previous| previous.view());
            let output = layer.forward(input)?;
            outputs.push(output);
        }
        Ok(outputs)
    }

    /// Binary cross-entropy and binary accuracy of the model on the batch
    /// `x` against labels `y` (the shape of the output), as Keras's
    /// `model.evaluate` with `loss="binary_crossentropy"` and
    /// `metrics=["accuracy"]`.
    ///
    /// When the last layer ends in a sigmoid the loss is computed from its
    /// logits, without clipping, as Keras does; otherwise from the clipped
    /// probabilities (see [`loss`](crate::loss)).
    ///
    /// # Errors
    ///
    /// As [`forward`](Sequential::forward), and [`Error::ShapeMismatch`]
    /// when `y` is not the output's shape, [`Error::LabelOutOfRange`] for a
    /// label outside `[0, 1]`.
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::array;
    /// use neurite::{Dense, Error, Sequential, Sigmoid};
    ///
    /// let mut model = Sequential::new();
    /// model.add(Dense::new(array![[1.0_f64]], array![0.0], Sigmoid)?)?;
    /// let x = array![[0.0], [100.0]];
    /// let evaluation = model.evaluate(&x, &array![[0.0], [0.0]])?;
    /// assert!((evaluation.loss - (2.0_f64.ln() + 100.0) / 2.0).abs() < 1e-12);
    /// assert_eq!(evaluation.accuracy, 0.5);
    ///
    /// let bad = model.evaluate(&x, &array![[0.0], [2.0]]);
    /// assert!(matches!(bad, Err(Error::LabelOutOfRange { index: 1, .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn evaluate<S1, S2>(
        &self,
        x: &ArrayBase<S1, Ix2>,
        y: &ArrayBase<S2, Ix2>,
    ) -> Result<Evaluation<T>, Error>
    where
        S1: Data<Elem = T>,
        S2: Data<Elem = T>,
    {
        self.check_input(x)?;
        let last = self.layers.len() - 1;
        let output_width = self.layers[last].output_width();
        check_shape("labels", &[x.nrows(), output_width], y.shape())?;

        let hidden = match last {
            0 => None,
            _ => Some(self.forward_to(x, last - 1)?),
        };
        let input = hidden.as_ref().map_or_else(|| x.view(), |h| h.view());
        let mut predictions = buffers::zeros2("batch output", (x.nrows(), output_width))?;
        self.layers[last].pre_activation_into(input, predictions.view_mut())?;
        let loss = if self.layers[last].activation_name() == "sigmoid" {
            let loss = loss::binary_cross_entropy_with_logits(y, &predictions)?;
            self.layers[last].activate(predictions.view_mut());
            loss
        } else {
            self.layers[last].activate(predictions.view_mut());
            loss::binary_cross_entropy(y, &predictions)?
        };
        let accuracy = loss::binary_accuracy(y, &predictions)?;
        Ok(Evaluation { loss, accuracy })
    }

    /// A table of the layers, their output shapes and parameter counts, in
    /// the layout of Keras's `model.summary()`. Print it with `{}`.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::{Dense, Relu, Sequential, Sigmoid};
    ///
    /// let mut model = Sequential::<f32>::new();
    /// model.add(Dense::glorot(2, 1, Relu, 0)?)?.add(Dense::glorot(1, 1, Sigmoid, 1)?)?;
    /// let text = model.summary().to_string();
    /// assert!(text.contains("│ dense_1 (Dense)"));
    /// assert!(text.contains(" Total params: 5 (20.00 B)"));
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn summary(&self) -> Summary<'_, T> {
        Summary { model: self }
    }

    pub(crate) fn check_input<S: Data<Elem = T>>(
        &self,
        x: &ArrayBase<S, Ix2>,
    ) -> Result<(), Error> {
        let first = self.layers.first().ok_or(Error::EmptyModel)?;
        if x.nrows() > 0 && x.ncols() == first.input_width() {
            // Every forward pass comes here: no calls on the happy path.
            return Ok(());
        }
        check_not_empty("input batch", x.nrows())?;
        check_width("input batch", first.input_width(), x.ncols())
    }

    fn check_layer_index(&self, layer: usize) -> Result<(), Error> {
        if layer < self.layers.len() {
            Ok(())
        } else {
            Err(Error::InvalidParameter {
                name: "layer index",
                expected: "an index below the number of layers",
                found: format!("{layer} (the model has {} layers)", self.layers.len()),
            })
        }
    }
}

/// A model summary in Keras's layout, made by [`Sequential::summary`].
///
/// # Example
///
/// ```
/// use neurite::{Dense, Sequential, Sigmoid};
///
/// let mut model = Sequential::<f32>::new();
/// model.add(Dense::glorot(2, 1, Sigmoid, 0)?)?;
/// println!("{}", model.summary());
/// # Ok::<(), neurite::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Summary<'a, T: Element> {
    model: &'a Sequential<T>,
}

/// Inner widths of the three columns, as Keras draws them.
const COLUMNS: [usize; 3] = [38, 29, 17];

impl<T: Element> fmt::Display for Summary<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Model: \"sequential\"")?;
        rule(f, ['┏', '━', '┳', '┓'])?;
        row(f, '┃', ["Layer (type)", "Output Shape", "Param #"])?;
        rule(f, ['┡', '━', '╇', '┩'])?;
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, layer) in self.model.layers().enumerate() {
            if i > 0 {
                rule(f, ['├', '─', '┼', '┤'])?;
            }
            let count = seen.entry(layer.class_name()).or_insert(0);
            let base = layer.class_name().to_lowercase();
            let name = match *count {
                0 => base,
                n => format!("{base}_{n}"),
            };
            *count += 1;
            let cells = [
                format!("{name} ({})", layer.class_name()),
                format!("(None, {})", layer.output_width()),
                thousands(layer.param_count()),
            ];
            row(f, '│', [&cells[0], &cells[1], &cells[2]])?;
        }
        rule(f, ['└', '─', '┴', '┘'])?;
        let total = self.model.param_count();
        let bytes = total * std::mem::size_of::<T>();
        writeln!(f, " Total params: {} ({})", thousands(total), memory(bytes))?;
        writeln!(
            f,
            " Trainable params: {} ({})",
            thousands(total),
            memory(bytes)
        )?;
        writeln!(f, " Non-trainable params: 0 ({})", memory(0))
    }
}

/// A horizontal rule: left corner, fill, junction, right corner.
fn rule(f: &mut fmt::Formatter<'_>, [left, fill, junction, right]: [char; 4]) -> fmt::Result {
    let segments: Vec<String> = COLUMNS
        .iter()
        .map(|&width| fill.to_string().repeat(width))
        .collect();
    writeln!(f, "{left}{}{right}", segments.join(&junction.to_string()))
}

/// A table row: the first two cells left-aligned, the count right-aligned.
fn row(f: &mut fmt::Formatter<'_>, bar: char, [name, shape, count]: [&str; 3]) -> fmt::Result {
    let [a, b, c] = COLUMNS.map(|width| width - 2);
    writeln!(
        f,
        "{bar} {name:<a$} {bar} {shape:<b$} {bar} {count:>c$} {bar}"
    )
}

/// `1234567` as `1,234,567`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// Bytes in Keras's readable form: `12.00 B`, `1.50 KB`, …
fn memory(bytes: usize) -> String {
    let mut size = bytes as f64;
    for unit in ["B", "KB", "MB", "GB", "TB"] {
        if size < 1024.0 {
            return format!("{size:.2} {unit}");
        }
        size /= 1024.0;
    }
    format!("{size:.2} PB")
}

#[cfg(test)]
mod tests {
    use super::{memory, thousands};

    #[test]
    fn thousands_groups_digits_like_keras() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(100_480), "100,480");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn memory_uses_binary_units() {
        assert_eq!(memory(12), "12.00 B");
        assert_eq!(memory(1023), "1023.00 B");
        assert_eq!(memory(1536), "1.50 KB");
        assert_eq!(memory(401_920 * 4), "1.53 MB");
    }
}

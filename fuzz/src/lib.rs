//! What the fuzz targets share: the model the loaders load into, a scratch
//! file for the loaders that only take a path, and [`OpsCase`], the
//! structured input of the `model_ops` target.

#![deny(unsafe_code)]

mod layers;

use arbitrary::Arbitrary;
use layers::LayerInput;
use ndarray::{Array, Array2, ArrayD, ArrayView2, Dimension, IxDyn, ShapeBuilder, s};
use neurite::layer::ActivationLayer;
use neurite::{
    Adam, BatchNormalization, BuiltinActivation, Dense, Dropout, Element, Elu, Error, FitOptions,
    LayerNormalization, LeakyRelu, Linear, Maxout, Optimizer, Relu, RmsProp, Sequential, Sgd,
    Sigmoid, Softmax, Tanh, Workspace,
};
use std::path::PathBuf;

/// The model the loaders load into, with every layer kind and an
/// activation parameter: Dense(2 → 3, leaky_relu), BatchNormalization(3),
/// Maxout(3 → 2, 2 pieces), Dropout(0.5), LayerNormalization(2),
/// Activation(tanh), Dense(2 → 1, sigmoid, no bias). `make_seeds` writes
/// its files.
pub fn fuzz_model<T: Element>() -> Sequential<T> {
    let leaky: BuiltinActivation<T> = "leaky_relu".parse().expect("a Keras name");
    let sigmoid = BuiltinActivation::from(Sigmoid);
    let output = Dense::glorot(2, 1, sigmoid, 3).expect("valid sizes");
    let output = Dense::without_bias(output.kernel().clone(), sigmoid).expect("valid sizes");
    let mut model = Sequential::new();
    model
        .add(Dense::glorot(2, 3, leaky, 1).expect("valid sizes"))
        .expect("the first layer")
        .add(BatchNormalization::new(3).expect("valid sizes"))
        .expect("widths that chain")
        .add(Maxout::glorot(2, 3, 2, 2).expect("valid sizes"))
        .expect("widths that chain")
        .add(Dropout::new(0.5).expect("a valid rate"))
        .expect("widths that chain")
        .add(LayerNormalization::new(2).expect("valid sizes"))
        .expect("widths that chain")
        .add(ActivationLayer::new(BuiltinActivation::from(Tanh)))
        .expect("widths that chain")
        .add(output)
        .expect("widths that chain");
    model
}

/// Writes `bytes` to a file of this process in the temporary folder (the
/// same one on every call with the same `name`) and gives its path.
pub fn scratch_file(name: &str, bytes: &[u8]) -> PathBuf {
    let path = std::env::temp_dir().join(format!("neurite-fuzz-{}-{name}", std::process::id()));
    std::fs::write(&path, bytes).expect("the temporary folder is writable");
    path
}

/// Calls `call` on `model` and, when it fails, asserts that the model kept
/// its weights (as failed loads and training steps promise).
pub fn assert_unchanged_on_error<T: Element, R>(
    entry: &str,
    model: &mut Sequential<T>,
    call: impl FnOnce(&mut Sequential<T>) -> Result<R, Error>,
) {
    let before = model.get_weights();
    if let Err(error) = call(model) {
        assert!(
            same_weights(&before, &model.get_weights()),
            "a failed {entry} ({error}) changed the model"
        );
    }
}

/// Whether two lists of weight arrays hold the same shapes and values (NaN
/// equal to NaN, -0 unequal to 0).
pub fn same_weights<T: Element>(a: &[ArrayD<T>], b: &[ArrayD<T>]) -> bool {
    let same = |x: T, y: T| {
        (x.is_nan() && y.is_nan()) || (x == y && x.is_sign_negative() == y.is_sign_negative())
    };
    a.len() == b.len()
        && a.iter().zip(b).all(|(a, b)| {
            a.shape() == b.shape() && a.iter().zip(b.iter()).all(|(&x, &y)| same(x, y))
        })
}

/// At most this many layers are built.
const MAX_LAYERS: usize = 6;
/// Widths are bytes modulo `MAX_WIDTH + 1`: 0 (refused) to 5.
pub(crate) const MAX_WIDTH: u8 = 5;
/// Batches have 0 to 8 rows.
const MAX_ROWS: u8 = 8;

/// A size from a byte: `byte mod (max + 1)`.
pub(crate) fn size(byte: u8, max: u8) -> usize {
    usize::from(byte % (max + 1))
}

/// A model, a batch, labels, an optimizer and what to do with them. Sizes
/// are bytes reduced to small ranges and values cycle through a pool, so
/// every input makes a small model whatever its length.
#[derive(Debug, Arbitrary)]
pub struct OpsCase {
    /// `f64` rather than `f32`.
    pub float64: bool,
    layers: Vec<LayerInput>,
    rows: u8,
    /// The batch's width; `None`: the first layer's.
    x_cols: Option<u8>,
    x_layout: Layout,
    /// The labels' shape; `None`: the batch's rows by the last layer's units.
    y_shape: Option<(u8, u8)>,
    values: Vec<ValueInput>,
    labels: Vec<u8>,
    layer_index: u8,
    optimizer: OptimizerInput,
    steps: u8,
    fit: FitInput,
    weights: WeightsEdit,
}

#[derive(Debug, Arbitrary)]
pub(crate) enum ActivationInput {
    Sigmoid,
    Tanh,
    Relu,
    LeakyRelu(ValueInput),
    Elu(ValueInput),
    Linear,
    Softmax,
    Named(String),
}

/// A value: an ordinary one (`n / 16`) or any bit pattern (NaN,
/// infinities, subnormals, huge values).
#[derive(Debug, Clone, Copy, Arbitrary)]
pub(crate) enum ValueInput {
    Small(i8),
    Bits(f64),
}

#[derive(Debug, Clone, Copy, Arbitrary)]
enum Layout {
    RowMajor,
    ColumnMajor,
    /// Rows and columns reversed: negative strides.
    Reversed,
    /// One row repeated: a row stride of 0.
    Broadcast,
}

#[derive(Debug, Arbitrary)]
enum OptimizerInput {
    Sgd {
        learning_rate: u8,
        momentum: u8,
        nesterov: bool,
    },
    RmsProp {
        learning_rate: u8,
        rho: u8,
        momentum: u8,
        epsilon: u8,
        centered: bool,
    },
    Adam {
        learning_rate: u8,
        beta_1: u8,
        beta_2: u8,
        epsilon: u8,
        amsgrad: bool,
    },
}

#[derive(Debug, Arbitrary)]
struct FitInput {
    epochs: u8,
    batch_size: u8,
    shuffle: Option<u64>,
    validation: bool,
}

/// How the model's own weights are changed before `set_weights`.
#[derive(Debug, Arbitrary)]
struct WeightsEdit {
    /// Negative: one array fewer; positive: one more.
    count: i8,
    /// An array whose first dimension becomes this size.
    reshape: Option<(u8, u8)>,
    /// Values from the pool instead of the model's.
    from_pool: bool,
    /// Stored column-major.
    column_major: bool,
}

impl ValueInput {
    pub(crate) fn get<T: Element>(self) -> T {
        let value = match self {
            Self::Small(n) => f64::from(n) / 16.0,
            Self::Bits(value) => value,
        };
        T::from(value).unwrap_or_else(T::nan)
    }
}

/// A hyper-parameter from a byte: `0` to `0.995` in steps of `0.005`, or
/// one of the values the checks must refuse or take at their edge.
pub(crate) fn hyper_parameter(byte: u8) -> f64 {
    const SPECIAL: [f64; 8] = [
        -1.0,
        1.0,
        2.0,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::MAX,
        5e-324,
    ];
    match byte {
        0..200 => f64::from(byte) / 200.0,
        _ => SPECIAL[usize::from(byte - 200) % SPECIAL.len()],
    }
}

/// A label from a byte: `0` to `1` in steps of `0.005`, or one outside
/// `[0, 1]`, NaN or infinite.
fn label<T: Element>(byte: u8) -> T {
    const SPECIAL: [f64; 5] = [-1.0, 2.0, f64::NAN, f64::INFINITY, -0.0];
    let value = match byte {
        0..=200 => f64::from(byte) / 200.0,
        _ => SPECIAL[usize::from(byte - 201) % SPECIAL.len()],
    };
    T::from(value).unwrap_or_else(T::nan)
}

impl ActivationInput {
    pub(crate) fn build<T: Element>(&self) -> Result<BuiltinActivation<T>, Error> {
        Ok(match self {
            Self::Sigmoid => Sigmoid.into(),
            Self::Tanh => Tanh.into(),
            Self::Relu => Relu.into(),
            Self::LeakyRelu(slope) => LeakyRelu::new(slope.get()).into(),
            Self::Elu(alpha) => Elu::new(alpha.get()).into(),
            Self::Linear => Linear.into(),
            Self::Softmax => Softmax.into(),
            Self::Named(name) => name.parse()?,
        })
    }
}

impl OptimizerInput {
    fn build<T: Element>(&self) -> Box<dyn Optimizer<T>> {
        let h = |byte: &u8| hyper_parameter(*byte);
        match self {
            Self::Sgd {
                learning_rate,
                momentum,
                nesterov,
            } => Box::new(
                Sgd::new(h(learning_rate))
                    .momentum(h(momentum))
                    .nesterov(*nesterov),
            ),
            Self::RmsProp {
                learning_rate,
                rho,
                momentum,
                epsilon,
                centered,
            } => Box::new(
                RmsProp::new(h(learning_rate))
                    .rho(h(rho))
                    .momentum(h(momentum))
                    .epsilon(h(epsilon))
                    .centered(*centered),
            ),
            Self::Adam {
                learning_rate,
                beta_1,
                beta_2,
                epsilon,
                amsgrad,
            } => Box::new(
                Adam::new(h(learning_rate))
                    .beta_1(h(beta_1))
                    .beta_2(h(beta_2))
                    .epsilon(h(epsilon))
                    .amsgrad(*amsgrad),
            ),
        }
    }
}

impl OpsCase {
    /// Builds the model and runs every entry point on it, asserting what
    /// the API promises beyond not panicking.
    pub fn run<T: Element>(&self) {
        let mut model = self.model::<T>();
        let first = model.layers().next().map_or(1, |layer| layer.input_width());
        let last = model
            .layers()
            .last()
            .map_or(1, |layer| layer.output_width());
        let rows = size(self.rows, MAX_ROWS);
        let cols = self.x_cols.map_or(first, |cols| size(cols, MAX_WIDTH));
        let storage = self.batch_storage::<T>(rows, cols);
        let x = batch_view(&storage, self.x_layout, rows, cols);
        let (y_rows, y_cols) = self.y_shape.map_or((rows, last), |(rows, cols)| {
            (size(rows, MAX_ROWS), size(cols, MAX_WIDTH))
        });
        let y = Array2::from_shape_fn((y_rows, y_cols), |(i, j)| {
            self.labels
                .get(i * y_cols + j)
                .map_or_else(T::zero, |&byte| label(byte))
        });
        self.infer(&model, x, y.view());
        self.train(&mut model, x, y.view());
        self.set_weights(&mut model);
        assert_bytes_round_trip(&model);
    }

    /// Value `index` of the pool (cycling), 0.5 when the pool is empty.
    fn value<T: Element>(&self, index: usize) -> T {
        match self.values.len() {
            0 => T::from(0.5).unwrap_or_else(T::nan),
            len => self.values[index % len].get(),
        }
    }

    pub(crate) fn array<T: Element, D: Dimension>(&self, shape: D, offset: usize) -> Array<T, D> {
        let mut index = offset;
        Array::from_shape_simple_fn(shape, || {
            index += 1;
            self.value(index)
        })
    }

    /// The model the layer inputs describe: layers whose constructor or
    /// `add` refuses them are left out.
    fn model<T: Element>(&self) -> Sequential<T> {
        let mut model = Sequential::new();
        let mut previous = 2;
        for (i, layer) in self.layers.iter().take(MAX_LAYERS).enumerate() {
            previous = layer
                .add_to(self, &mut model, previous, 37 * i)
                .unwrap_or(previous);
        }
        model
    }

    /// The storage of a `(rows, cols)` batch in the case's layout.
    fn batch_storage<T: Element>(&self, rows: usize, cols: usize) -> Array2<T> {
        match self.x_layout {
            Layout::ColumnMajor => {
                let values = (0..rows * cols).map(|i| self.value(i)).collect();
                Array2::from_shape_vec((rows, cols).f(), values).expect("one value per element")
            }
            Layout::Broadcast => self.array(ndarray::Ix2(1, cols), 0),
            Layout::RowMajor | Layout::Reversed => self.array(ndarray::Ix2(rows, cols), 0),
        }
    }

    fn infer<T: Element>(&self, model: &Sequential<T>, x: ArrayView2<'_, T>, y: ArrayView2<'_, T>) {
        let last = model.layers().last().map(|layer| layer.output_width());
        if let Ok(out) = model.forward(&x) {
            assert_eq!(Some(out.dim()), last.map(|units| (x.nrows(), units)));
        }
        let _ = model.forward_to(&x, usize::from(self.layer_index));
        if let Ok(outputs) = model.layer_outputs(&x) {
            assert_eq!(outputs.len(), model.len());
        }
        let _ = model
            .forward_with(&x, &mut Workspace::new())
            .map(|out| out.dim());
        if let Ok(evaluation) = model.evaluate(&x, &y) {
            let accuracy = evaluation.accuracy;
            assert!(
                accuracy >= T::zero() && accuracy <= T::one(),
                "{accuracy:?}"
            );
        }
        let _ = model.gradients(&x, &y);
        let _ = model.summary().to_string();
    }

    fn train<T: Element>(
        &self,
        model: &mut Sequential<T>,
        x: ArrayView2<'_, T>,
        y: ArrayView2<'_, T>,
    ) {
        let mut optimizer = self.optimizer.build::<T>();
        for _ in 0..self.steps % 3 {
            assert_unchanged_on_error("train_step", model, |model| {
                model.train_step(&x, &y, optimizer.as_mut())
            });
        }
        let epochs = usize::from(self.fit.epochs % 3);
        let mut options = FitOptions::new(epochs).batch_size(usize::from(self.fit.batch_size % 10));
        if let Some(seed) = self.fit.shuffle {
            options = options.shuffle(seed);
        }
        if self.fit.validation {
            options = options.validation_data(&x, &y);
        }
        if let Ok(history) = model.fit(&x, &y, optimizer.as_mut(), options) {
            assert_eq!(history.epochs(), epochs);
        }
    }

    /// `set_weights` with the model's own weights, edited: it takes them
    /// or refuses them and changes nothing.
    fn set_weights<T: Element>(&self, model: &mut Sequential<T>) {
        let mut weights = model.get_weights();
        let edit = &self.weights;
        match edit.count {
            ..0 => drop(weights.pop()),
            1.. => weights.push(ArrayD::zeros(IxDyn(&[2]))),
            0 => {}
        }
        if let Some((index, first)) = edit.reshape
            && !weights.is_empty()
        {
            let index = usize::from(index) % weights.len();
            let mut shape = weights[index].shape().to_vec();
            if let Some(dim) = shape.first_mut() {
                *dim = size(first, MAX_WIDTH);
            }
            weights[index] = ArrayD::zeros(IxDyn(&shape));
        }
        for (i, array) in weights.iter_mut().enumerate() {
            if edit.from_pool {
                *array = self.array(array.raw_dim(), 53 * i);
            }
            if edit.column_major {
                *array = array.t().to_owned().reversed_axes();
            }
        }
        let before = model.get_weights();
        match model.set_weights(&weights) {
            Ok(()) => assert!(same_weights(&model.get_weights(), &weights)),
            Err(error) => assert!(
                same_weights(&model.get_weights(), &before),
                "a failed set_weights ({error}) changed the model"
            ),
        }
    }
}

/// A view of `storage` as a `(rows, cols)` batch in the given layout.
fn batch_view<T: Element>(
    storage: &Array2<T>,
    layout: Layout,
    rows: usize,
    cols: usize,
) -> ArrayView2<'_, T> {
    match layout {
        Layout::RowMajor | Layout::ColumnMajor => storage.view(),
        Layout::Reversed => storage.slice(s![..;-1, ..;-1]),
        Layout::Broadcast => storage
            .broadcast((rows, cols))
            .expect("one row broadcasts to any number of rows"),
    }
}

/// A model `to_bytes` accepts comes back from `from_bytes` with the same
/// weights.
fn assert_bytes_round_trip<T: Element>(model: &Sequential<T>) {
    if let Ok(bytes) = model.to_bytes() {
        let loaded =
            Sequential::<T>::from_bytes(&bytes).expect("from_bytes reads to_bytes's output");
        assert!(same_weights(&loaded.get_weights(), &model.get_weights()));
    }
}

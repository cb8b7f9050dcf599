//! No input crashes neurite: random layer stacks, shapes (zero-sized
//! included), values (NaN, ±inf, ±0, subnormals, ±MAX) and labels thrown at
//! every public entry point, for `f32` and `f64`.
//!
//! Every call runs under `catch_unwind`: returning `Ok` or an `Err` is
//! fine, a panic fails the test with the entry point's name and the input
//! (proptest then shrinks the input to a small one). Where the API promises
//! more, that is checked too: output shapes, a failed `train_step` or
//! `set_weights` leaves the model as it was, a model `to_bytes` wrote loads
//! again.
//!
//! The entry points: layer and model construction (`Dense`, `Maxout`,
//! `Sequential::add`, `ModelSpec::build`), `forward`, `forward_to`,
//! `forward_with`, `layer_outputs`, `evaluate`, `gradients`, `summary`,
//! the `Layer` methods, every function of `loss`, `train_step` and `fit`
//! with every optimizer and option, `set_weights`, the activations'
//! `apply_slice`, `apply_rows`, `backward_rows` and `FromStr`, and the
//! loaders (`from_bytes`, `load`, `load_weights`, `load_npz`,
//! `ModelSpec::from_json`) on random bytes and on mutated valid files.
//!
//! Layer sizes no memory holds (`2^40` weights and more) go to `Dense::glorot`,
//! `Maxout::glorot` and `ModelSpec::build`, which must refuse them with an
//! error rather than abort the process on a failed allocation.
//!
//! Case counts: [`CASES`] per property and element type (see the constant);
//! `PROPTEST_CASES=n` runs more. The longer runs are the cargo-fuzz targets
//! in `fuzz/`.

mod npz_writer;

use ndarray::{
    Array, Array1, Array2, Array3, ArrayD, ArrayView2, ArrayViewMut2, Dimension, IxDyn, s,
};
use neurite::io::{ActivationSpec, LayerSpec, ModelSpec};
use neurite::{
    Activation, Adam, BuiltinActivation, Dense, Elu, Error, FitOptions, Layer, LeakyRelu, Linear,
    Maxout, Optimizer, Relu, RmsProp, Sequential, Sgd, Sigmoid, Softmax, Tanh, Workspace, loss,
};
use num_traits::Float;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::test_runner::TestCaseError;
use std::fmt::Debug;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Cases per property and element type: 8 properties for `f32` and `f64`,
/// 16 × 512 = 8,192 cases, each making dozens of calls (a training case
/// runs two steps and up to 3 epochs of `fit`). That is under a minute of
/// a debug build (`cargo test --all-features`) on two cores (84 s of CPU
/// time, 52 s of wall time with the tests on both cores), a CI budget
/// that still draws each layout and layer kind in an eighth of the cases
/// or more, and a special value (NaN, ±inf, subnormal, ±MAX) for about one
/// float in eleven.
const CASES: u32 = 512;

/// [`CASES`], or `PROPTEST_CASES` from the environment for a longer run.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok());
    ProptestConfig {
        cases: cases.unwrap_or(CASES),
        // Shrinking a failure stops after this many steps: enough to get a
        // small input, bounded so a failing CI run still ends quickly.
        max_shrink_iters: 4096,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------
// Running an entry point

/// Calls `entry`, turning a panic into a test failure that names the entry
/// point and the input it was given.
fn guard<R>(entry: &str, input: &dyn Debug, call: impl FnOnce() -> R) -> Result<R, TestCaseError> {
    catch_unwind(AssertUnwindSafe(call)).map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|text| (*text).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_owned());
        TestCaseError::fail(format!("{entry} panicked: {message}\ninput: {input:?}"))
    })
}

/// Calls `entry` for its lack of a panic alone: `Ok` and `Err` are both
/// fine.
fn runs<R>(entry: &str, input: &dyn Debug, call: impl FnOnce() -> R) -> Result<(), TestCaseError> {
    guard(entry, input, call).map(drop)
}

/// Calls `entry` on `model` and, when it fails, checks that the model kept
/// its weights (as failed training steps and loads promise).
fn unchanged_on_error<T: neurite::Element, R>(
    entry: &str,
    input: &dyn Debug,
    model: &mut Sequential<T>,
    call: impl FnOnce(&mut Sequential<T>) -> Result<R, Error>,
) -> Result<(), TestCaseError> {
    let before = model.get_weights();
    if let Err(error) = guard(entry, input, || call(model))? {
        prop_assert!(
            same_weights(&before, &model.get_weights()),
            "a failed {entry} ({error}) changed the model"
        );
    }
    Ok(())
}

/// Whether two values are the same, NaN equal to NaN and -0 unequal to 0.
fn same_value<T: Float>(a: T, b: T) -> bool {
    (a.is_nan() && b.is_nan()) || (a == b && a.is_sign_negative() == b.is_sign_negative())
}

/// Whether two lists of weight arrays hold the same shapes and values.
fn same_weights<T: Float>(a: &[ArrayD<T>], b: &[ArrayD<T>]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(a, b)| {
            a.shape() == b.shape() && a.iter().zip(b.iter()).all(|(&x, &y)| same_value(x, y))
        })
}

// ---------------------------------------------------------------------------
// Values

/// `value` in `T` (every value drawn here is representable).
fn cast<T: Float>(value: f64) -> T {
    T::from(value).expect("a value every float type represents")
}

/// The values that break arithmetic: NaN, infinities, subnormals, the
/// largest finite values.
fn special<T: neurite::Element>() -> impl Strategy<Value = T> + Clone {
    let smallest_subnormal = T::min_positive_value() * T::epsilon();
    select(vec![
        T::nan(),
        -T::nan(),
        T::infinity(),
        T::neg_infinity(),
        smallest_subnormal,
        -smallest_subnormal,
        T::min_positive_value() / cast(3.0),
        T::max_value(),
        T::min_value(),
    ])
}

/// A float: mostly ordinary, one in `1 + 10 / special_weight` special.
fn value<T: neurite::Element>(special_weight: u32) -> BoxedStrategy<T> {
    prop_oneof![
        8 => (-3.0..3.0_f64).prop_map(cast),
        1 => (-1e6..1e6_f64).prop_map(cast),
        1 => select(vec![T::zero(), -T::zero()]),
        special_weight => special::<T>(),
    ]
    .boxed()
}

/// A label in `[0, 1]`.
fn valid_label<T: neurite::Element>() -> BoxedStrategy<T> {
    prop_oneof![
        3 => (0.0..=1.0_f64).prop_map(cast),
        1 => select(vec![T::zero(), T::one()]),
    ]
    .boxed()
}

/// A label: mostly in `[0, 1]`, sometimes outside, NaN or infinite.
fn label<T: neurite::Element>() -> BoxedStrategy<T> {
    prop_oneof![8 => valid_label::<T>(), 1 => value::<T>(2)].boxed()
}

/// An optimizer hyper-parameter: mostly in `[0, 1)`, sometimes one of the
/// values every check must refuse or accept at its edge.
fn hyper_parameter() -> impl Strategy<Value = f64> {
    prop_oneof![
        6 => 0.0..1.0_f64,
        1 => select(vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            2.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
        ]),
    ]
}

/// A width for a layer or batch: sometimes 0.
fn width() -> impl Strategy<Value = usize> {
    prop_oneof![1 => Just(0_usize), 24 => 1..=4_usize]
}

/// `expected` most of the time, else any small width (a mismatch on purpose).
fn mostly(expected: usize) -> impl Strategy<Value = usize> {
    prop_oneof![19 => Just(expected), 1 => 0..=5_usize]
}

fn array<T: neurite::Element, D: Dimension + 'static>(
    shape: D,
    values: BoxedStrategy<T>,
) -> impl Strategy<Value = Array<T, D>> {
    vec(values, shape.size()).prop_map(move |values| {
        Array::from_shape_vec(shape.clone(), values).expect("as many values as the shape holds")
    })
}

// ---------------------------------------------------------------------------
// Batches in every memory layout

/// How a batch's values are laid out in memory.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Layout {
    RowMajor,
    /// The transpose of a column-major block.
    Transposed,
    /// Every other column of a wider block.
    Strided,
    /// Rows and columns reversed: negative strides.
    Reversed,
    /// One row repeated: a row stride of 0.
    Broadcast,
    /// One row repeated [`TALL_ROWS`] times: several blocks of `Dense`'s
    /// fused pass, several `Maxout` tiles and the `gemm` path.
    Tall,
}

/// Rows of a [`Layout::Tall`] batch: more than `Dense` puts in one block
/// (256 KiB of output) from 4 units of `f32` or 2 of `f64` on.
const TALL_ROWS: usize = 16_500;

/// The layouts a batch of training data may have (tall batches would make
/// `fit` slow in a debug build).
const SMALL_LAYOUTS: &[Layout] = &[
    Layout::RowMajor,
    Layout::Transposed,
    Layout::Strided,
    Layout::Reversed,
    Layout::Broadcast,
];

/// Every layout, tall batches included.
const ALL_LAYOUTS: &[Layout] = &[
    Layout::RowMajor,
    Layout::Transposed,
    Layout::Strided,
    Layout::Reversed,
    Layout::Broadcast,
    Layout::Tall,
];

/// A `(rows, cols)` batch stored in one of the layouts.
#[derive(Clone)]
struct Batch<T> {
    rows: usize,
    cols: usize,
    layout: Layout,
    storage: Array2<T>,
}

impl<T: Debug> Debug for Batch<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Batch {}×{} {:?} {:?}",
            self.rows,
            self.cols,
            self.layout,
            self.storage.as_slice_memory_order().unwrap_or(&[])
        )
    }
}

impl<T: neurite::Element> Batch<T> {
    fn view(&self) -> ArrayView2<'_, T> {
        match self.layout {
            Layout::RowMajor => self.storage.view(),
            Layout::Transposed => self.storage.t(),
            Layout::Strided => self.storage.slice(s![.., ..;2]),
            Layout::Reversed => self.storage.slice(s![..;-1, ..;-1]),
            Layout::Broadcast | Layout::Tall => self
                .storage
                .broadcast((self.rows, self.cols))
                .expect("one row broadcasts to any number of rows"),
        }
    }

    /// A writable view of the same shape (a broadcast batch is copied into
    /// a row-major one first).
    fn view_mut(&mut self) -> ArrayViewMut2<'_, T> {
        if matches!(self.layout, Layout::Broadcast | Layout::Tall) {
            self.storage = self.view().to_owned();
            self.layout = Layout::RowMajor;
        }
        match self.layout {
            Layout::Transposed => self.storage.view_mut().reversed_axes(),
            Layout::Strided => self.storage.slice_mut(s![.., ..;2]),
            Layout::Reversed => self.storage.slice_mut(s![..;-1, ..;-1]),
            _ => self.storage.view_mut(),
        }
    }
}

/// A `(rows, cols)` batch in the given layout, its values from `values`.
fn batch<T: neurite::Element>(
    rows: usize,
    cols: usize,
    layout: Layout,
    values: BoxedStrategy<T>,
) -> impl Strategy<Value = Batch<T>> {
    let (rows, storage) = match layout {
        Layout::RowMajor | Layout::Reversed => (rows, (rows, cols)),
        Layout::Transposed => (rows, (cols, rows)),
        Layout::Strided => (rows, (rows, 2 * cols)),
        Layout::Broadcast => (rows, (1, cols)),
        Layout::Tall => (TALL_ROWS, (1, cols)),
    };
    array(ndarray::Ix2(storage.0, storage.1), values).prop_map(move |storage| Batch {
        rows,
        cols,
        layout,
        storage,
    })
}

/// A number of rows: sometimes 0.
fn rows() -> impl Strategy<Value = usize> {
    prop_oneof![1 => Just(0_usize), 8 => 1..=6_usize]
}

/// Inputs `x` for a model taking `inputs` features and labels `y` for its
/// `outputs` units: sometimes of the wrong shape, in a quarter of the cases
/// with labels outside `[0, 1]`. Tall inputs come with tall labels.
fn data<T: neurite::Element>(
    inputs: usize,
    outputs: usize,
    layouts: &'static [Layout],
    special_weight: u32,
) -> impl Strategy<Value = (Batch<T>, Batch<T>)> {
    let odd_rows = prop_oneof![19 => Just(None), 1 => (0..=6_usize).prop_map(Some)];
    let layouts = (select(layouts), select(SMALL_LAYOUTS));
    let wild_labels = prop::bool::weighted(0.25);
    (
        rows(),
        mostly(inputs),
        mostly(outputs),
        odd_rows,
        layouts,
        wild_labels,
    )
        .prop_flat_map(
            move |(rows, x_cols, y_cols, odd_rows, (x_layout, y_layout), wild_labels)| {
                let y_layout = if x_layout == Layout::Tall {
                    x_layout
                } else {
                    y_layout
                };
                let labels = if wild_labels {
                    label::<T>()
                } else {
                    valid_label::<T>()
                };
                (
                    batch(rows, x_cols, x_layout, value::<T>(special_weight)),
                    batch(odd_rows.unwrap_or(rows), y_cols, y_layout, labels),
                )
            },
        )
}

// ---------------------------------------------------------------------------
// Layer stacks

/// How to make one layer. The widths need not fit the constructor (0
/// units) or the previous layer.
#[derive(Debug, Clone)]
enum LayerPlan<T: neurite::Element> {
    Dense {
        kernel: Array2<T>,
        bias: Array1<T>,
        activation: BuiltinActivation<T>,
    },
    DenseGlorot {
        inputs: usize,
        units: usize,
        activation: BuiltinActivation<T>,
        seed: u64,
    },
    Maxout {
        kernels: Array3<T>,
        biases: Array2<T>,
    },
    MaxoutGlorot {
        pieces: usize,
        inputs: usize,
        units: usize,
        seed: u64,
    },
}

impl<T: neurite::Element> LayerPlan<T> {
    fn inputs(&self) -> usize {
        match self {
            Self::Dense { kernel, .. } => kernel.nrows(),
            Self::Maxout { kernels, .. } => kernels.dim().1,
            Self::DenseGlorot { inputs, .. } | Self::MaxoutGlorot { inputs, .. } => *inputs,
        }
    }

    fn units(&self) -> usize {
        match self {
            Self::Dense { kernel, .. } => kernel.ncols(),
            Self::Maxout { kernels, .. } => kernels.dim().2,
            Self::DenseGlorot { units, .. } | Self::MaxoutGlorot { units, .. } => *units,
        }
    }

    /// The shapes of the weights the layer would have.
    fn weight_shapes(&self) -> Vec<Vec<usize>> {
        match self {
            Self::Dense { kernel, bias, .. } => {
                vec![kernel.shape().to_vec(), bias.shape().to_vec()]
            }
            Self::Maxout { kernels, biases } => {
                vec![kernels.shape().to_vec(), biases.shape().to_vec()]
            }
            Self::DenseGlorot { inputs, units, .. } => vec![vec![*inputs, *units], vec![*units]],
            Self::MaxoutGlorot {
                pieces,
                inputs,
                units,
                ..
            } => vec![vec![*pieces, *inputs, *units], vec![*pieces, *units]],
        }
    }

    /// The layer, or the constructor's error.
    fn build(&self) -> Result<Result<Box<dyn Layer<T>>, Error>, TestCaseError> {
        let dense = |layer: Result<Dense<T>, Error>| layer.map(boxed);
        let maxout = |layer: Result<Maxout<T>, Error>| layer.map(boxed);
        Ok(match self.clone() {
            Self::Dense {
                kernel,
                bias,
                activation,
            } => dense(guard("Dense::new", self, || {
                Dense::new(kernel, bias, activation)
            })?),
            Self::DenseGlorot {
                inputs,
                units,
                activation,
                seed,
            } => dense(guard("Dense::glorot", self, || {
                Dense::glorot(inputs, units, activation, seed)
            })?),
            Self::Maxout { kernels, biases } => {
                maxout(guard("Maxout::new", self, || Maxout::new(kernels, biases))?)
            }
            Self::MaxoutGlorot {
                pieces,
                inputs,
                units,
                seed,
            } => maxout(guard("Maxout::glorot", self, || {
                Maxout::glorot(pieces, inputs, units, seed)
            })?),
        })
    }

    /// Adds the layer to `model` when its constructor accepts the plan.
    fn add_to(&self, model: &mut Sequential<T>) -> Result<(), TestCaseError> {
        let built = match self.clone() {
            Self::Dense {
                kernel,
                bias,
                activation,
            } => guard("Dense::new", self, || Dense::new(kernel, bias, activation))?
                .map(|layer| add(model, layer, self)),
            Self::DenseGlorot {
                inputs,
                units,
                activation,
                seed,
            } => guard("Dense::glorot", self, || {
                Dense::glorot(inputs, units, activation, seed)
            })?
            .map(|layer| add(model, layer, self)),
            Self::Maxout { kernels, biases } => {
                guard("Maxout::new", self, || Maxout::new(kernels, biases))?
                    .map(|layer| add(model, layer, self))
            }
            Self::MaxoutGlorot {
                pieces,
                inputs,
                units,
                seed,
            } => guard("Maxout::glorot", self, || {
                Maxout::glorot(pieces, inputs, units, seed)
            })?
            .map(|layer| add(model, layer, self)),
        };
        built.unwrap_or(Ok(()))
    }
}

fn boxed<T: neurite::Element, L: Layer<T> + 'static>(layer: L) -> Box<dyn Layer<T>> {
    Box::new(layer)
}

fn add<T: neurite::Element, L: Layer<T> + 'static>(
    model: &mut Sequential<T>,
    layer: L,
    plan: &LayerPlan<T>,
) -> Result<(), TestCaseError> {
    let before = model.len();
    let added = guard("Sequential::add", plan, || model.add(layer).map(|_| ()))?;
    let expected = before + usize::from(added.is_ok());
    prop_assert_eq!(model.len(), expected, "Sequential::add: {:?}", added);
    Ok(())
}

/// Any built-in activation, parameters included (NaN and infinite ones too).
fn activation<T: neurite::Element>() -> impl Strategy<Value = BuiltinActivation<T>> {
    prop_oneof![
        Just(BuiltinActivation::from(Sigmoid)),
        Just(BuiltinActivation::from(Tanh)),
        Just(BuiltinActivation::from(Relu)),
        Just(BuiltinActivation::from(Linear)),
        Just(BuiltinActivation::from(Softmax)),
        value::<T>(2).prop_map(|slope| BuiltinActivation::from(LeakyRelu::new(slope))),
        value::<T>(2).prop_map(|alpha| BuiltinActivation::from(Elu::new(alpha))),
    ]
}

/// A plan for a layer from `inputs` to `units` features, with weights that
/// may hold special values and a bias that may have the wrong length.
fn layer_plan<T: neurite::Element>(inputs: usize, units: usize) -> BoxedStrategy<LayerPlan<T>> {
    let kernel = array(ndarray::Ix2(inputs, units), value::<T>(1));
    let bias = mostly(units).prop_flat_map(|len| array(ndarray::Ix1(len), value::<T>(1)));
    let dense =
        (kernel, bias, activation::<T>()).prop_map(|(kernel, bias, activation)| LayerPlan::Dense {
            kernel,
            bias,
            activation,
        });
    let dense_glorot = (activation::<T>(), any::<u64>()).prop_map(move |(activation, seed)| {
        LayerPlan::DenseGlorot {
            inputs,
            units,
            activation,
            seed,
        }
    });
    let pieces = prop_oneof![1 => Just(0_usize), 6 => 1..=3_usize];
    let maxout = (pieces.clone(), 0..10_u8).prop_flat_map(move |(pieces, odd)| {
        let bias_pieces = if odd == 0 { pieces + 1 } else { pieces };
        (
            array(ndarray::Ix3(pieces, inputs, units), value::<T>(1)),
            array(ndarray::Ix2(bias_pieces, units), value::<T>(1)),
        )
            .prop_map(|(kernels, biases)| LayerPlan::Maxout { kernels, biases })
    });
    let maxout_glorot =
        (pieces, any::<u64>()).prop_map(move |(pieces, seed)| LayerPlan::MaxoutGlorot {
            pieces,
            inputs,
            units,
            seed,
        });
    prop_oneof![3 => dense, 3 => dense_glorot, 1 => maxout, 1 => maxout_glorot].boxed()
}

/// 1 to 4 layers (sometimes none) whose widths mostly chain (one in
/// twenty does not).
fn stack<T: neurite::Element>() -> impl Strategy<Value = Vec<LayerPlan<T>>> {
    let mismatches = vec((prop::bool::weighted(0.05), width()), 4);
    let widths = prop_oneof![1 => vec(width(), 1), 12 => vec(width(), 2..=5)];
    (widths, mismatches)
        .prop_map(|(widths, mismatches)| {
            widths
                .windows(2)
                .zip(mismatches)
                .map(|(pair, (mismatched, odd_width))| {
                    let inputs = if mismatched { odd_width } else { pair[0] };
                    layer_plan::<T>(inputs, pair[1])
                })
                .collect::<Vec<_>>()
        })
        .prop_flat_map(|layers| layers)
}

fn build_model<T: neurite::Element>(
    plans: &[LayerPlan<T>],
) -> Result<Sequential<T>, TestCaseError> {
    let mut model = Sequential::new();
    for plan in plans {
        plan.add_to(&mut model)?;
    }
    Ok(model)
}

fn first_inputs<T: neurite::Element>(plans: &[LayerPlan<T>]) -> usize {
    plans.first().map_or(1, LayerPlan::inputs)
}

fn last_units<T: neurite::Element>(plans: &[LayerPlan<T>]) -> usize {
    plans.last().map_or(1, LayerPlan::units)
}

// ---------------------------------------------------------------------------
// Inference

#[derive(Debug, Clone)]
struct ModelCase<T: neurite::Element> {
    stack: Vec<LayerPlan<T>>,
    x: Batch<T>,
    y: Batch<T>,
    layer: usize,
}

fn model_case<T: neurite::Element>() -> impl Strategy<Value = ModelCase<T>> {
    stack::<T>().prop_flat_map(|stack| {
        let (inputs, outputs) = (first_inputs(&stack), last_units(&stack));
        (
            Just(stack),
            data::<T>(inputs, outputs, ALL_LAYOUTS, 1),
            0..=5_usize,
        )
            .prop_map(|(stack, (x, y), layer)| ModelCase { stack, x, y, layer })
    })
}

fn check_inference<T: neurite::Element>(case: &ModelCase<T>) -> Result<(), TestCaseError> {
    let model = build_model(&case.stack)?;
    let (x, y) = (case.x.view(), case.y.view());
    let outputs = model.layers().last().map(|layer| layer.output_width());

    let forward = guard("Sequential::forward", case, || model.forward(&x))?;
    if let Ok(out) = &forward {
        prop_assert_eq!(Some(out.dim()), outputs.map(|units| (x.nrows(), units)));
    }
    runs("Sequential::forward_to", case, || {
        model.forward_to(&x, case.layer)
    })?;
    let all = guard("Sequential::layer_outputs", case, || {
        model.layer_outputs(&x)
    })?;
    if let (Ok(all), Ok(out)) = (&all, &forward) {
        prop_assert_eq!(all.len(), model.len());
        prop_assert_eq!(all.last().map(|last| last.dim()), Some(out.dim()));
    }
    let mut workspace = Workspace::new();
    runs("Sequential::forward_with", case, || {
        model.forward_with(&x, &mut workspace).map(|out| out.dim())
    })?;
    let evaluation = guard("Sequential::evaluate", case, || model.evaluate(&x, &y))?;
    if let Ok(evaluation) = evaluation {
        let accuracy = evaluation.accuracy;
        prop_assert!(
            accuracy >= T::zero() && accuracy <= T::one(),
            "accuracy {accuracy:?}"
        );
    }
    runs("Sequential::gradients", case, || model.gradients(&x, &y))?;
    runs("Sequential::summary", case, || model.summary().to_string())?;
    runs("Sequential::get_weights", case, || model.get_weights())?;
    check_bytes_round_trip(&model, case)
}

/// A model `to_bytes` accepts comes back from `from_bytes` with the same
/// weights.
fn check_bytes_round_trip<T: neurite::Element>(
    model: &Sequential<T>,
    case: &dyn Debug,
) -> Result<(), TestCaseError> {
    runs("Sequential::spec", case, || model.spec())?;
    if let Ok(bytes) = guard("Sequential::to_bytes", case, || model.to_bytes())? {
        let loaded = guard("Sequential::from_bytes", case, || {
            Sequential::<T>::from_bytes(&bytes)
        })?;
        let loaded = loaded.map_err(|error| {
            TestCaseError::fail(format!("from_bytes refused to_bytes's output: {error}"))
        })?;
        prop_assert!(same_weights(&loaded.get_weights(), &model.get_weights()));
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Layers on their own

/// A layer and the blocks handed to its methods, each sometimes of the
/// wrong shape (`None`: the shape the layer expects).
#[derive(Debug, Clone)]
struct LayerCase<T: neurite::Element> {
    plan: LayerPlan<T>,
    x: Batch<T>,
    grad: Batch<T>,
    buffers: [Option<(usize, usize)>; 4],
    weight_grads: Option<usize>,
    transposed_buffers: bool,
    weights: Vec<ArrayD<T>>,
}

fn odd_shape() -> impl Strategy<Value = Option<(usize, usize)>> {
    prop_oneof![8 => Just(None), 1 => (0..=5_usize, 0..=8_usize).prop_map(Some)]
}

fn layer_case<T: neurite::Element>() -> impl Strategy<Value = LayerCase<T>> {
    (width(), width())
        .prop_flat_map(|(inputs, units)| layer_plan::<T>(inputs, units))
        .prop_flat_map(|plan| {
            let (inputs, units) = (plan.inputs(), plan.units());
            let shapes = plan.weight_shapes();
            (
                Just(plan),
                data::<T>(inputs, units, ALL_LAYOUTS, 1),
                [odd_shape(), odd_shape(), odd_shape(), odd_shape()],
                prop_oneof![8 => Just(None), 1 => (0..=40_usize).prop_map(Some)],
                any::<bool>(),
                weight_list::<T>(shapes),
            )
        })
        .prop_map(
            |(plan, (x, grad), buffers, weight_grads, transposed_buffers, weights)| LayerCase {
                plan,
                x,
                grad,
                buffers,
                weight_grads,
                transposed_buffers,
                weights,
            },
        )
}

/// A zeroed `(rows, cols)` buffer, row-major or the transpose of a
/// column-major one.
fn buffer<T: neurite::Element>((rows, cols): (usize, usize), transposed: bool) -> Array2<T> {
    if transposed {
        Array2::zeros((cols, rows)).reversed_axes()
    } else {
        Array2::zeros((rows, cols))
    }
}

fn check_layer<T: neurite::Element>(case: &LayerCase<T>) -> Result<(), TestCaseError> {
    let Ok(mut layer) = case.plan.build()? else {
        return Ok(());
    };
    let x = case.x.view();
    let rows = x.nrows();
    let units = layer.output_width();
    let shape = |i: usize, expected: (usize, usize)| case.buffers[i].unwrap_or(expected);
    let transposed = case.transposed_buffers;

    let out = guard("Layer::forward", case, || layer.forward(x))?;
    if let Ok(out) = &out {
        prop_assert_eq!(out.dim(), (rows, units));
    }
    let mut pre = buffer::<T>(shape(0, (rows, units)), transposed);
    let mut trace = buffer::<T>(shape(1, (rows, layer.trace_width())), transposed);
    let mut out = buffer::<T>(shape(2, (rows, units)), transposed);
    runs("Layer::pre_activation_into", case, || {
        layer.pre_activation_into(x, pre.view_mut())
    })?;
    runs("Layer::forward_into", case, || {
        layer.forward_into(x, out.view_mut())
    })?;
    let trained = guard("Layer::forward_train", case, || {
        layer.forward_train(x, pre.view_mut(), trace.view_mut(), out.view_mut())
    })?;
    let mut grad = case.grad.clone();
    if trained.is_ok() && grad.view().dim() == pre.dim() {
        runs("Layer::backward_activation", case, || {
            layer.backward_activation(pre.view(), out.view(), grad.view_mut())
        })?;
    }
    let mut weight_grads = vec![T::zero(); case.weight_grads.unwrap_or(layer.param_count())];
    let mut grad_input = buffer::<T>(shape(3, (rows, x.ncols())), transposed);
    runs("Layer::backward_affine", case, || {
        layer.backward_affine(
            x,
            trace.view_mut(),
            grad.view(),
            &mut weight_grads,
            Some(grad_input.view_mut()),
        )
    })?;
    runs(
        "Layer::backward_affine without input gradient",
        case,
        || layer.backward_affine(x, trace.view_mut(), grad.view(), &mut weight_grads, None),
    )?;
    if let LayerPlan::Maxout { kernels, biases } = &case.plan
        && let Ok(maxout) = Maxout::new(kernels.clone(), biases.clone())
    {
        runs("Maxout::pieces_and_winners", case, || {
            maxout.pieces_and_winners(x)
        })?;
    }
    check_layer_weights(layer.as_mut(), case)
}

/// `Layer::set_weights` takes the arrays or refuses them and changes nothing.
fn check_layer_weights<T: neurite::Element>(
    layer: &mut dyn Layer<T>,
    case: &LayerCase<T>,
) -> Result<(), TestCaseError> {
    let before = guard("Layer::weights", case, || layer.weights())?;
    let result = guard("Layer::set_weights", case, || {
        layer.set_weights(&case.weights)
    })?;
    let after = layer.weights();
    match result {
        Ok(()) => prop_assert!(same_weights(&after, &case.weights)),
        Err(_) => prop_assert!(same_weights(&after, &before)),
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Weights

/// A list of weight arrays for the given shapes: mostly those shapes, some
/// arrays with a dimension more, less or of another size, sometimes one
/// array too few or too many; some stored transposed.
fn weight_list<T: neurite::Element>(shapes: Vec<Vec<usize>>) -> BoxedStrategy<Vec<ArrayD<T>>> {
    let count = shapes.len();
    let shapes = prop_oneof![
        8 => Just(shapes.clone()),
        1 => Just(shapes[..count.saturating_sub(1)].to_vec()),
        1 => Just([shapes, vec![vec![2]]].concat()),
    ];
    shapes
        .prop_flat_map(|shapes| {
            shapes
                .into_iter()
                .map(|shape| odd_array_shape(shape).prop_flat_map(weight_array::<T>))
                .collect::<Vec<_>>()
        })
        .boxed()
}

/// `shape`, or one with a dimension changed, dropped or added.
fn odd_array_shape(shape: Vec<usize>) -> impl Strategy<Value = Vec<usize>> {
    let rank = shape.len();
    (0..10_u8, 0..=rank, 0..=3_usize).prop_map(move |(kind, axis, size)| {
        let mut shape = shape.clone();
        match kind {
            0 if axis < rank => shape[axis] = size,
            1 if axis < rank => {
                shape.remove(axis);
            }
            2 => shape.insert(axis, size),
            _ => {}
        }
        shape
    })
}

/// An array of the given shape, row-major or with its axes reversed.
fn weight_array<T: neurite::Element>(shape: Vec<usize>) -> impl Strategy<Value = ArrayD<T>> {
    let reversed: Vec<usize> = shape.iter().rev().copied().collect();
    (
        any::<bool>(),
        vec(value::<T>(1), shape.iter().product::<usize>()),
    )
        .prop_map(move |(transposed, values)| {
            if transposed {
                ArrayD::from_shape_vec(IxDyn(&reversed), values)
                    .expect("as many values as the shape holds")
                    .reversed_axes()
            } else {
                ArrayD::from_shape_vec(IxDyn(&shape), values)
                    .expect("as many values as the shape holds")
            }
        })
}

#[derive(Debug, Clone)]
struct WeightsCase<T: neurite::Element> {
    stack: Vec<LayerPlan<T>>,
    weights: Vec<ArrayD<T>>,
}

fn weights_case<T: neurite::Element>() -> impl Strategy<Value = WeightsCase<T>> {
    stack::<T>().prop_flat_map(|stack| {
        let shapes = stack.iter().flat_map(LayerPlan::weight_shapes).collect();
        (Just(stack), weight_list::<T>(shapes))
            .prop_map(|(stack, weights)| WeightsCase { stack, weights })
    })
}

fn check_set_weights<T: neurite::Element>(case: &WeightsCase<T>) -> Result<(), TestCaseError> {
    let mut model = build_model(&case.stack)?;
    let before = model.get_weights();
    let result = guard("Sequential::set_weights", case, || {
        model.set_weights(&case.weights)
    })?;
    let after = model.get_weights();
    match &result {
        Ok(()) => prop_assert!(same_weights(&after, &case.weights)),
        Err(_) => prop_assert!(
            same_weights(&after, &before),
            "{result:?} changed the weights"
        ),
    }
    let inputs = model.layers().next().map_or(1, |layer| layer.input_width());
    let x = Array2::<T>::ones((3, inputs));
    let y = Array2::<T>::zeros((3, model.layers().last().map_or(1, |l| l.output_width())));
    runs("Sequential::forward after set_weights", case, || {
        model.forward(&x)
    })?;
    runs("Sequential::evaluate after set_weights", case, || {
        model.evaluate(&x, &y)
    })?;
    check_bytes_round_trip(&model, case)
}

// ---------------------------------------------------------------------------
// Training

#[derive(Debug, Clone)]
enum OptimizerPlan {
    Sgd {
        learning_rate: f64,
        momentum: f64,
        nesterov: bool,
    },
    RmsProp {
        learning_rate: f64,
        rho: f64,
        momentum: f64,
        epsilon: f64,
        centered: bool,
    },
    Adam {
        learning_rate: f64,
        beta_1: f64,
        beta_2: f64,
        epsilon: f64,
        amsgrad: bool,
    },
}

impl OptimizerPlan {
    fn build<T: neurite::Element>(&self) -> Box<dyn Optimizer<T>> {
        match *self {
            Self::Sgd {
                learning_rate,
                momentum,
                nesterov,
            } => Box::new(
                Sgd::new(learning_rate)
                    .momentum(momentum)
                    .nesterov(nesterov),
            ),
            Self::RmsProp {
                learning_rate,
                rho,
                momentum,
                epsilon,
                centered,
            } => Box::new(
                RmsProp::new(learning_rate)
                    .rho(rho)
                    .momentum(momentum)
                    .epsilon(epsilon)
                    .centered(centered),
            ),
            Self::Adam {
                learning_rate,
                beta_1,
                beta_2,
                epsilon,
                amsgrad,
            } => Box::new(
                Adam::new(learning_rate)
                    .beta_1(beta_1)
                    .beta_2(beta_2)
                    .epsilon(epsilon)
                    .amsgrad(amsgrad),
            ),
        }
    }
}

fn optimizer_plan() -> impl Strategy<Value = OptimizerPlan> {
    let h = hyper_parameter;
    prop_oneof![
        (h(), h(), any::<bool>()).prop_map(|(learning_rate, momentum, nesterov)| {
            OptimizerPlan::Sgd {
                learning_rate,
                momentum,
                nesterov,
            }
        }),
        (h(), h(), h(), h(), any::<bool>()).prop_map(
            |(learning_rate, rho, momentum, epsilon, centered)| OptimizerPlan::RmsProp {
                learning_rate,
                rho,
                momentum,
                epsilon,
                centered,
            }
        ),
        (h(), h(), h(), h(), any::<bool>()).prop_map(
            |(learning_rate, beta_1, beta_2, epsilon, amsgrad)| OptimizerPlan::Adam {
                learning_rate,
                beta_1,
                beta_2,
                epsilon,
                amsgrad,
            }
        ),
    ]
}

#[derive(Debug, Clone)]
struct FitPlan {
    epochs: usize,
    batch_size: usize,
    shuffle: Option<u64>,
    verbose: bool,
}

fn fit_plan() -> impl Strategy<Value = FitPlan> {
    (
        0..=3_usize,
        prop_oneof![1 => Just(0_usize), 6 => 1..=8_usize, 1 => Just(usize::MAX)],
        prop::option::of(any::<u64>()),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(epochs, batch_size, shuffle, verbose)| FitPlan {
            epochs,
            batch_size,
            shuffle,
            verbose,
        })
}

#[derive(Debug, Clone)]
struct TrainCase<T: neurite::Element> {
    stack: Vec<LayerPlan<T>>,
    x: Batch<T>,
    y: Batch<T>,
    optimizer: OptimizerPlan,
    fit: FitPlan,
    validation: Option<(Batch<T>, Batch<T>)>,
}

fn train_case<T: neurite::Element>() -> impl Strategy<Value = TrainCase<T>> {
    stack::<T>().prop_flat_map(|stack| {
        let (inputs, outputs) = (first_inputs(&stack), last_units(&stack));
        (
            Just(stack),
            // NaN or infinite inputs in one case in four: most steps run.
            prop_oneof![
                3 => data::<T>(inputs, outputs, SMALL_LAYOUTS, 0),
                1 => data::<T>(inputs, outputs, SMALL_LAYOUTS, 1),
            ],
            optimizer_plan(),
            fit_plan(),
            prop::option::of(data::<T>(inputs, outputs, SMALL_LAYOUTS, 0)),
        )
            .prop_map(|(stack, (x, y), optimizer, fit, validation)| TrainCase {
                stack,
                x,
                y,
                optimizer,
                fit,
                validation,
            })
    })
}

fn check_training<T: neurite::Element>(case: &TrainCase<T>) -> Result<(), TestCaseError> {
    let mut model = build_model(&case.stack)?;
    let mut optimizer = case.optimizer.build::<T>();
    let (x, y) = (case.x.view(), case.y.view());
    for _ in 0..2 {
        unchanged_on_error("Sequential::train_step", case, &mut model, |model| {
            model.train_step(&x, &y, optimizer.as_mut())
        })?;
    }
    check_fit(&mut model, optimizer.as_mut(), case)?;
    check_bytes_round_trip(&model, case)
}

fn check_fit<T: neurite::Element>(
    model: &mut Sequential<T>,
    optimizer: &mut dyn Optimizer<T>,
    case: &TrainCase<T>,
) -> Result<(), TestCaseError> {
    let (x, y) = (case.x.view(), case.y.view());
    let validation = case.validation.as_ref().map(|(x, y)| (x.view(), y.view()));
    let (mut batches, mut epochs) = (0, 0);
    let mut options = FitOptions::new(case.fit.epochs)
        .batch_size(case.fit.batch_size)
        .verbose(case.fit.verbose)
        .on_batch_end(|_| batches += 1)
        .on_epoch_end(|_| epochs += 1);
    if let Some(seed) = case.fit.shuffle {
        options = options.shuffle(seed);
    }
    if let Some((x, y)) = &validation {
        options = options.validation_data(x, y);
    }
    let history = guard("Sequential::fit", case, || {
        model.fit(&x, &y, optimizer, options)
    })?;
    if let Ok(history) = history {
        prop_assert_eq!(history.epochs(), case.fit.epochs);
        prop_assert_eq!(epochs, case.fit.epochs);
        let validated = if validation.is_some() { epochs } else { 0 };
        prop_assert_eq!(history.val_loss.len(), validated);
        let per_epoch = x.nrows().div_ceil(case.fit.batch_size.min(x.nrows()));
        prop_assert_eq!(batches, per_epoch * epochs);
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Loss functions

#[derive(Debug, Clone)]
struct LossCase<T: neurite::Element> {
    y_true: ArrayD<T>,
    y_pred: ArrayD<T>,
    sample_weight: Array1<T>,
    transposed: bool,
}

fn loss_shape() -> impl Strategy<Value = Vec<usize>> {
    vec(prop_oneof![1 => Just(0_usize), 5 => 1..=4_usize], 0..=3)
}

fn loss_case<T: neurite::Element>() -> impl Strategy<Value = LossCase<T>> {
    loss_shape()
        .prop_flat_map(|shape| {
            let pred_shape = prop_oneof![8 => Just(shape.clone()), 1 => loss_shape()];
            let samples = shape
                .split_last()
                .map_or(1, |(_, rest)| rest.iter().product());
            (Just(shape), pred_shape, mostly(samples))
        })
        .prop_flat_map(|(shape, pred_shape, samples)| {
            let predictions = prop_oneof![label::<T>(), value::<T>(2)];
            (
                array(IxDyn(&shape), label::<T>()),
                array(IxDyn(&pred_shape), predictions.boxed()),
                array(ndarray::Ix1(samples), value::<T>(1)),
                any::<bool>(),
            )
        })
        .prop_map(|(y_true, y_pred, sample_weight, transposed)| LossCase {
            y_true,
            y_pred,
            sample_weight,
            transposed,
        })
}

fn check_losses<T: neurite::Element>(case: &LossCase<T>) -> Result<(), TestCaseError> {
    let (y_true, y_pred) = if case.transposed {
        (case.y_true.t(), case.y_pred.t())
    } else {
        (case.y_true.view(), case.y_pred.view())
    };
    let weights = &case.sample_weight;
    let lanes = y_true
        .shape()
        .split_last()
        .map(|(_, rest)| rest.iter().product::<usize>());

    runs("loss::binary_cross_entropy", case, || {
        loss::binary_cross_entropy(&y_true, &y_pred)
    })?;
    runs("loss::binary_cross_entropy_with_logits", case, || {
        loss::binary_cross_entropy_with_logits(&y_true, &y_pred)
    })?;
    let per_sample = guard("loss::binary_cross_entropy_per_sample", case, || {
        loss::binary_cross_entropy_per_sample(&y_true, &y_pred)
    })?;
    let per_sample_logits = guard(
        "loss::binary_cross_entropy_with_logits_per_sample",
        case,
        || loss::binary_cross_entropy_with_logits_per_sample(&y_true, &y_pred),
    )?;
    for losses in [&per_sample, &per_sample_logits].into_iter().flatten() {
        prop_assert_eq!(Some(losses.len()), lanes);
        runs("loss::weighted_mean", case, || {
            loss::weighted_mean(losses, weights)
        })?;
    }
    runs("loss::weighted_mean of the weights", case, || {
        loss::weighted_mean(weights, weights)
    })?;
    let accuracy = guard("loss::binary_accuracy", case, || {
        loss::binary_accuracy(&y_true, &y_pred)
    })?;
    if let Ok(accuracy) = accuracy {
        prop_assert!(
            accuracy >= T::zero() && accuracy <= T::one(),
            "accuracy {accuracy:?}"
        );
    }
    runs("loss::binary_accuracy_weighted", case, || {
        loss::binary_accuracy_weighted(&y_true, &y_pred, weights)
    })?;
    let gradients = [
        guard("loss::binary_cross_entropy_gradient", case, || {
            loss::binary_cross_entropy_gradient(&y_true, &y_pred)
        })?,
        guard(
            "loss::binary_cross_entropy_with_logits_gradient",
            case,
            || loss::binary_cross_entropy_with_logits_gradient(&y_true, &y_pred),
        )?,
    ];
    for gradient in gradients.iter().flatten() {
        prop_assert_eq!(gradient.shape(), y_true.shape());
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Activations

#[derive(Debug, Clone)]
struct ActivationCase<T: neurite::Element> {
    name: String,
    activation: BuiltinActivation<T>,
    values: Vec<T>,
    block: Batch<T>,
    upstream: Vec<T>,
}

/// A name for `FromStr`: a Keras name, one spelled almost right, or any
/// string.
fn activation_name() -> impl Strategy<Value = String> {
    let names = vec![
        "sigmoid",
        "tanh",
        "relu",
        "leaky_relu",
        "elu",
        "linear",
        "softmax",
    ];
    prop_oneof![
        4 => select(names.clone()).prop_map(str::to_owned),
        1 => (select(names), "[ A-Z_\\x00é]{0,2}").prop_map(|(name, noise)| format!("{noise}{name}{noise}")),
        1 => any::<String>(),
    ]
}

fn activation_case<T: neurite::Element>() -> impl Strategy<Value = ActivationCase<T>> {
    (rows(), 0..=5_usize, 0..=70_usize, select(SMALL_LAYOUTS))
        .prop_flat_map(|(rows, cols, len, layout)| {
            (
                activation_name(),
                activation::<T>(),
                vec(value::<T>(2), len),
                batch(rows, cols, layout, value::<T>(2)),
                vec(value::<T>(2), rows * cols),
            )
        })
        .prop_map(
            |(name, activation, values, block, upstream)| ActivationCase {
                name,
                activation,
                values,
                block,
                upstream,
            },
        )
}

fn check_activation<T: neurite::Element>(case: &ActivationCase<T>) -> Result<(), TestCaseError> {
    let parsed = guard("BuiltinActivation::from_str", case, || {
        case.name.parse::<BuiltinActivation<T>>()
    })?;
    for activation in parsed.into_iter().chain([case.activation]) {
        let mut values = case.values.clone();
        runs("Activation::apply_slice", case, || {
            activation.apply_slice(&mut values)
        })?;
        for &x in &case.values {
            runs("Activation::apply", case, || activation.apply(x))?;
            runs("Activation::derivative", case, || activation.derivative(x))?;
        }
        let mut out = case.block.clone();
        runs("Activation::apply_rows", case, || {
            activation.apply_rows(out.view_mut())
        })?;
        let shape = out.view().raw_dim();
        let mut grad = Array2::from_shape_vec(shape, case.upstream.clone())
            .expect("one upstream value per output");
        runs("Activation::backward_rows", case, || {
            activation.backward_rows(case.block.view(), out.view(), grad.view_mut())
        })?;
    }
    let half = case.values.len() / 2;
    runs("Softmax::vjp", case, || {
        Softmax::vjp(&case.values[..half], &case.values[half..])
    })?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Loaders

/// A change to a valid file's bytes.
#[derive(Debug, Clone)]
enum Mutation {
    Flip {
        at: Index,
        byte: u8,
    },
    Truncate {
        at: Index,
    },
    Insert {
        at: Index,
        bytes: Vec<u8>,
    },
    Remove {
        at: Index,
        len: usize,
    },
    /// An 8-byte little-endian length or offset field replaced.
    Length {
        at: Index,
        value: u64,
    },
}

impl Mutation {
    fn apply(&self, bytes: &mut Vec<u8>) {
        if bytes.is_empty() {
            return;
        }
        let len = bytes.len();
        match self {
            Self::Flip { at, byte } => bytes[at.index(len)] ^= (*byte).max(1),
            Self::Truncate { at } => bytes.truncate(at.index(len)),
            Self::Insert { at, bytes: new } => {
                let at = at.index(len);
                bytes.splice(at..at, new.iter().copied());
            }
            Self::Remove { at, len: count } => {
                let at = at.index(len);
                bytes.drain(at..(at + count).min(len));
            }
            Self::Length { at, value } => {
                let at = at.index(len.saturating_sub(7).max(1));
                let end = (at + 8).min(len);
                bytes[at..end].copy_from_slice(&value.to_le_bytes()[..end - at]);
            }
        }
    }
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let length = prop_oneof![
        Just(0_u64),
        Just(u64::MAX),
        Just(1 << 40),
        Just(u64::from(u32::MAX)),
        0..4096_u64
    ];
    prop_oneof![
        4 => (any::<Index>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Flip { at, byte }),
        1 => any::<Index>().prop_map(|at| Mutation::Truncate { at }),
        1 => (any::<Index>(), vec(any::<u8>(), 1..8)).prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
        1 => (any::<Index>(), 1..16_usize).prop_map(|(at, len)| Mutation::Remove { at, len }),
        1 => (any::<Index>(), length).prop_map(|(at, value)| Mutation::Length { at, value }),
    ]
}

/// A mutation that changes a JSON text by at most one character, so a size
/// in it grows at most tenfold (a `ModelSpec` built from it stays small).
fn json_mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<Index>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Flip { at, byte }),
        1 => any::<Index>().prop_map(|at| Mutation::Truncate { at }),
        1 => (any::<Index>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Insert { at, bytes: vec![byte] }),
        1 => any::<Index>().prop_map(|at| Mutation::Remove { at, len: 1 }),
    ]
}

/// How a `.npz` of the model's weights is written before it is mutated.
#[derive(Debug, Clone, Copy)]
struct NpzPlan {
    float64: bool,
    fortran_order: bool,
    deflate: bool,
    zip64: bool,
}

#[derive(Debug, Clone)]
struct LoaderCase<T: neurite::Element> {
    stack: Vec<LayerPlan<T>>,
    target: Vec<LayerPlan<T>>,
    mutations: Vec<Mutation>,
    json_mutations: Vec<Mutation>,
    npz: NpzPlan,
    random: Vec<u8>,
}

fn loader_case<T: neurite::Element>() -> impl Strategy<Value = LoaderCase<T>> {
    let npz = (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()).prop_map(
        |(float64, fortran_order, deflate, zip64)| NpzPlan {
            float64,
            fortran_order,
            deflate,
            zip64,
        },
    );
    (
        stack::<T>(),
        stack::<T>(),
        vec(mutation(), 0..=3),
        vec(json_mutation(), 0..=3),
        npz,
        vec(any::<u8>(), 0..=300),
        prop::bool::weighted(0.8),
    )
        .prop_map(
            |(stack, other, mutations, json_mutations, npz, random, same_target)| LoaderCase {
                // Mostly loaded into a model of the saved one's architecture.
                target: if same_target { stack.clone() } else { other },
                stack,
                mutations,
                json_mutations,
                npz,
                random,
            },
        )
}

/// A file in the temporary folder, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn with(bytes: &[u8]) -> Self {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let n = COUNT.fetch_add(1, Ordering::Relaxed);
        let path = npz_writer::temp_path(&format!("no-panic-{n}"));
        std::fs::write(&path, bytes).expect("the temporary folder is writable");
        Self(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn mutated(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for mutation in mutations {
        mutation.apply(&mut bytes);
    }
    bytes
}

/// The model's weights as `np.savez` writes them (or a variant NumPy also
/// writes: float64, Fortran order, deflated, Zip64).
fn npz_bytes<T: neurite::Element>(weights: &[ArrayD<T>], plan: NpzPlan) -> Vec<u8> {
    let entries: Vec<(String, Vec<u8>)> = weights
        .iter()
        .enumerate()
        .map(|(i, array)| {
            let order = if plan.fortran_order {
                array.t().iter().copied().collect::<Vec<T>>()
            } else {
                array.iter().copied().collect()
            };
            let wide: Vec<f64> = order
                .iter()
                .map(|v| v.to_f64().unwrap_or(f64::NAN))
                .collect();
            let (descr, data) = if plan.float64 {
                ("<f8", npz_writer::f64_bytes(&wide))
            } else {
                let narrow: Vec<f32> = wide.iter().map(|&v| v as f32).collect();
                ("<f4", npz_writer::f32_bytes(&narrow))
            };
            let npy = npz_writer::npy(descr, plan.fortran_order, array.shape(), &data);
            (format!("arr_{i}.npy"), npy)
        })
        .collect();
    let entries: Vec<(&str, Vec<u8>)> = entries
        .iter()
        .map(|(name, npy)| (name.as_str(), npy.clone()))
        .collect();
    let options = npz_writer::ZipOptions {
        deflate: plan.deflate,
        zip64: plan.zip64,
    };
    npz_writer::zip(&entries, options)
}

fn check_loaders<T: neurite::Element>(case: &LoaderCase<T>) -> Result<(), TestCaseError> {
    let model = build_model(&case.stack)?;
    for bytes in [case.random.clone(), model.to_bytes().unwrap_or_default()] {
        let bytes = mutated(bytes, &case.mutations);
        runs("Sequential::from_bytes", case, || {
            Sequential::<T>::from_bytes(&bytes)
        })?;
        let file = TempFile::with(&bytes);
        runs("Sequential::load", case, || Sequential::<T>::load(&file.0))?;
        check_weight_loaders(case, &bytes)?;
    }
    let weights_file = TempFile::with(&[]);
    if model.save_weights(&weights_file.0).is_ok() {
        let bytes = std::fs::read(&weights_file.0).expect("save_weights wrote the file");
        check_weight_loaders(case, &mutated(bytes, &case.mutations))?;
    }
    let npz = npz_bytes(&model.get_weights(), case.npz);
    check_weight_loaders(case, &mutated(npz, &case.mutations))?;
    check_spec_json(&model, case)
}

/// `load_weights` and `load_npz` of `bytes` into the target model: they
/// load it or fail and leave the model as it was.
fn check_weight_loaders<T: neurite::Element>(
    case: &LoaderCase<T>,
    bytes: &[u8],
) -> Result<(), TestCaseError> {
    let file = TempFile::with(bytes);
    let mut target = build_model(&case.target)?;
    unchanged_on_error("Sequential::load_weights", case, &mut target, |model| {
        model.load_weights(&file.0)
    })?;
    unchanged_on_error("Sequential::load_npz", case, &mut target, |model| {
        model.load_npz(&file.0)
    })
}

/// `ModelSpec::from_json` on the model's mutated architecture, and what it
/// parses built.
fn check_spec_json<T: neurite::Element>(
    model: &Sequential<T>,
    case: &LoaderCase<T>,
) -> Result<(), TestCaseError> {
    let Ok(spec) = model.spec() else {
        return Ok(());
    };
    let json = mutated(spec.to_json().into_bytes(), &case.json_mutations);
    let json = String::from_utf8_lossy(&json);
    let parsed = guard("ModelSpec::from_json", case, || ModelSpec::from_json(&json))?;
    if let Ok(spec) = parsed {
        runs("ModelSpec::validate", case, || spec.validate())?;
        runs("ModelSpec::build", case, || spec.build::<T>(7))?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Sizes no memory holds

/// A layer size: small, or one whose weights cannot be allocated (never
/// one in between, which would fill this machine's memory).
fn layer_size() -> impl Strategy<Value = usize> {
    prop_oneof![
        3 => 0..=3_usize,
        1 => select(vec![HUGE, 1 << 62, usize::MAX / 2, usize::MAX]),
    ]
}

fn layer_spec() -> impl Strategy<Value = LayerSpec> {
    let activation = prop_oneof![
        Just(ActivationSpec::Relu),
        Just(ActivationSpec::Softmax),
        hyper_parameter().prop_map(|slope| ActivationSpec::LeakyRelu { slope }),
        hyper_parameter().prop_map(|alpha| ActivationSpec::Elu { alpha }),
    ];
    prop_oneof![
        (layer_size(), layer_size(), activation).prop_map(|(inputs, units, activation)| {
            LayerSpec::Dense {
                inputs,
                units,
                activation,
                use_bias: true,
            }
        }),
        (layer_size(), layer_size(), layer_size()).prop_map(|(inputs, units, pieces)| {
            LayerSpec::Maxout {
                inputs,
                units,
                pieces,
            }
        }),
    ]
}

/// The smallest size [`layer_size`] draws that no memory holds.
const HUGE: usize = 1 << 40;

/// Whether a layer has a size of [`HUGE`] or more (and so, whatever its
/// other sizes, cannot be built).
fn is_huge(layer: &LayerSpec) -> bool {
    let pieces = match *layer {
        LayerSpec::Maxout { pieces, .. } => pieces,
        _ => 1,
    };
    [layer.inputs(), layer.units(), pieces]
        .iter()
        .any(|&size| size >= HUGE)
}

fn check_huge_layers<T: neurite::Element>(
    specs: &[LayerSpec],
    seed: u64,
) -> Result<(), TestCaseError> {
    let spec = ModelSpec::new(specs.to_vec());
    runs("ModelSpec::validate", &spec, || spec.validate())?;
    runs("ModelSpec::param_count", &spec, || spec.param_count())?;
    let built = guard("ModelSpec::build", &spec, || spec.build::<T>(seed))?;
    if specs.iter().any(is_huge) {
        prop_assert!(built.is_err(), "ModelSpec::build made a model of {spec:?}");
    }
    for layer in specs {
        let (inputs, units) = (layer.inputs(), layer.units());
        let built = match *layer {
            LayerSpec::Dense { activation, .. } => guard("Dense::glorot", layer, || {
                Dense::glorot(inputs, units, activation.to_builtin::<T>(), seed).map(drop)
            })?,
            LayerSpec::Maxout { pieces, .. } => guard("Maxout::glorot", layer, || {
                Maxout::<T>::glorot(pieces, inputs, units, seed).map(drop)
            })?,
            _ => Ok(()),
        };
        if is_huge(layer) {
            prop_assert!(built.is_err(), "a layer of {layer:?} was made");
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// The properties, for f32 and f64

proptest! {
    #![proptest_config(config())]

    #[test]
    fn inference_f32(case in model_case::<f32>()) { check_inference(&case)?; }

    #[test]
    fn inference_f64(case in model_case::<f64>()) { check_inference(&case)?; }

    #[test]
    fn layers_f32(case in layer_case::<f32>()) { check_layer(&case)?; }

    #[test]
    fn layers_f64(case in layer_case::<f64>()) { check_layer(&case)?; }

    #[test]
    fn set_weights_f32(case in weights_case::<f32>()) { check_set_weights(&case)?; }

    #[test]
    fn set_weights_f64(case in weights_case::<f64>()) { check_set_weights(&case)?; }

    #[test]
    fn training_f32(case in train_case::<f32>()) { check_training(&case)?; }

    #[test]
    fn training_f64(case in train_case::<f64>()) { check_training(&case)?; }

    #[test]
    fn losses_f32(case in loss_case::<f32>()) { check_losses(&case)?; }

    #[test]
    fn losses_f64(case in loss_case::<f64>()) { check_losses(&case)?; }

    #[test]
    fn activations_f32(case in activation_case::<f32>()) { check_activation(&case)?; }

    #[test]
    fn activations_f64(case in activation_case::<f64>()) { check_activation(&case)?; }

    #[test]
    fn loaders_f32(case in loader_case::<f32>()) { check_loaders(&case)?; }

    #[test]
    fn loaders_f64(case in loader_case::<f64>()) { check_loaders(&case)?; }

    #[test]
    fn huge_layers_f32(specs in vec(layer_spec(), 1..=3), seed in any::<u64>()) {
        check_huge_layers::<f32>(&specs, seed)?;
    }

    #[test]
    fn huge_layers_f64(specs in vec(layer_spec(), 1..=3), seed in any::<u64>()) {
        check_huge_layers::<f64>(&specs, seed)?;
    }
}

// ---------------------------------------------------------------------------
// Batches whose outputs no memory holds

/// A broadcast view repeats one row any number of times at no cost, so a
/// batch can ask for outputs of more values than `usize` counts (2^61 rows
/// × a hidden width of 8 × 2 scratch halves), more bytes than an
/// allocation may have (2^61 rows × 1 output) or more than any address
/// space holds (2^59 rows, 2^61 bytes and more): every entry point that
/// allocates per row must refuse it with an error.
fn check_huge_batches<T: neurite::Element>() {
    let mut model = Sequential::<T>::new();
    model
        .add(Dense::glorot(2, 8, Relu, 1).unwrap())
        .unwrap()
        .add(Dense::glorot(8, 3, Tanh, 2).unwrap())
        .unwrap()
        .add(Dense::glorot(3, 1, Sigmoid, 3).unwrap())
        .unwrap();
    let maxout = Maxout::<T>::glorot(2, 2, 3, 4).unwrap();
    let (row, label) = (Array2::<T>::zeros((1, 2)), Array2::<T>::zeros((1, 1)));
    for rows in [1_usize << 59, 1 << 61] {
        let x = row.broadcast((rows, 2)).unwrap();
        let y = label.broadcast((rows, 1)).unwrap();
        let refused = |what: &str, result: Result<(), Error>| {
            assert!(
                matches!(result, Err(Error::InvalidParameter { .. })),
                "{what} on {rows} rows: {result:?}"
            );
        };
        refused("forward", model.forward(&x).map(drop));
        for layer in 0..3 {
            refused("forward_to", model.forward_to(&x, layer).map(drop));
        }
        refused("layer_outputs", model.layer_outputs(&x).map(drop));
        refused("evaluate", model.evaluate(&x, &y).map(drop));
        let mut workspace = Workspace::new();
        refused(
            "forward_with",
            model.forward_with(&x, &mut workspace).map(drop),
        );
        refused("Layer::forward", maxout.forward(x.view()).map(drop));
        refused(
            "pieces_and_winners",
            maxout.pieces_and_winners(x.view()).map(drop),
        );
    }
}

#[test]
fn huge_batches_are_errors_f32() {
    check_huge_batches::<f32>();
}

#[test]
fn huge_batches_are_errors_f64() {
    check_huge_batches::<f64>();
}

// ---------------------------------------------------------------------------
// Optimizers called directly

/// `Optimizer::update` outside a model: any index, gradients shorter or
/// longer than the weights, special values. Only the weights with a
/// gradient move.
fn check_direct_updates<T: neurite::Element>() {
    let optimizers: Vec<Box<dyn Optimizer<T>>> = vec![
        Box::new(Sgd::new(0.1)),
        Box::new(Sgd::with_momentum(0.1, 0.9).nesterov(true)),
        Box::new(RmsProp::new(0.01).centered(true).momentum(0.5)),
        Box::new(Adam::new(0.01).amsgrad(true)),
    ];
    let special = [
        T::nan(),
        T::infinity(),
        T::min_positive_value(),
        -T::max_value(),
    ];
    for mut optimizer in optimizers {
        optimizer.begin_step(&[3]);
        for index in [0, 1, 1 << 40, usize::MAX] {
            for gradient_len in [0, 2, 3, 5] {
                let gradient: Vec<T> = (0..gradient_len)
                    .map(|i| special.get(i).copied().unwrap_or_else(T::one))
                    .collect();
                let mut weights = [T::one(); 3];
                let updated = catch_unwind(AssertUnwindSafe(|| {
                    optimizer.update(index, &mut weights, &gradient);
                }));
                assert!(
                    updated.is_ok(),
                    "{optimizer:?}: index {index}, {gradient_len} gradients"
                );
                assert!(
                    weights[gradient_len.min(3)..]
                        .iter()
                        .all(|w| *w == T::one()),
                    "{optimizer:?} moved a weight without a gradient"
                );
            }
        }
    }
}

#[test]
fn direct_optimizer_updates_f32() {
    check_direct_updates::<f32>();
}

#[test]
fn direct_optimizer_updates_f64() {
    check_direct_updates::<f64>();
}

#[cfg(feature = "half")]
#[test]
fn direct_optimizer_updates_f16() {
    check_direct_updates::<neurite::half::f16>();
}

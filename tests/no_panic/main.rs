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
//! This file holds the runner and the properties; the strategies and
//! checks sit in one module per area (values, batches, layer stacks,
//! inference, layers, weights, training, losses, activations, loaders,
//! sizes no memory holds, optimizers called directly).
//!
//! Case counts: [`CASES`] per property and element type (see the constant);
//! `PROPTEST_CASES=n` runs more. The longer runs are the cargo-fuzz targets
//! in `fuzz/`.

#[path = "../npz_writer/mod.rs"]
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

mod activations;
mod batches;
mod huge;
mod inference;
mod layers;
mod loaders;
mod losses;
mod optimizers;
mod stacks;
mod training;
mod values;
mod weights;

use activations::*;
use batches::*;
use huge::*;
use inference::*;
use layers::*;
use loaders::*;
use losses::*;
use stacks::*;
use training::*;
use values::*;
use weights::*;

/// Cases per property and element type: 8 properties for `f32` and `f64`,
/// 16 × 512 = 8,192 cases, each making dozens of calls (a training case
/// runs two steps and up to 3 epochs of `fit`). That is under a minute of
/// a debug build (`cargo test --all-features`) on two cores (84 s of CPU
/// time, 52 s of wall time with the tests on both cores), a CI budget
/// that still draws each layout and layer kind in an eighth of the cases
/// or more, and a special value (NaN, ±inf, subnormal, ±MAX) for about one
/// float in eleven.
pub(crate) const CASES: u32 = 512;

/// [`CASES`], or `PROPTEST_CASES` from the environment for a longer run.
pub(crate) fn config() -> ProptestConfig {
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
pub(crate) fn guard<R>(
    entry: &str,
    input: &dyn Debug,
    call: impl FnOnce() -> R,
) -> Result<R, TestCaseError> {
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
pub(crate) fn runs<R>(
    entry: &str,
    input: &dyn Debug,
    call: impl FnOnce() -> R,
) -> Result<(), TestCaseError> {
    guard(entry, input, call).map(drop)
}

/// Calls `entry` on `model` and, when it fails, checks that the model kept
/// its weights (as failed training steps and loads promise).
pub(crate) fn unchanged_on_error<T: neurite::Element, R>(
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
pub(crate) fn same_value<T: Float>(a: T, b: T) -> bool {
    (a.is_nan() && b.is_nan()) || (a == b && a.is_sign_negative() == b.is_sign_negative())
}

/// Whether two lists of weight arrays hold the same shapes and values.
pub(crate) fn same_weights<T: Float>(a: &[ArrayD<T>], b: &[ArrayD<T>]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(a, b)| {
            a.shape() == b.shape() && a.iter().zip(b.iter()).all(|(&x, &y)| same_value(x, y))
        })
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

//! Optimizers: how a gradient becomes a weight update.
//!
//! [`Sgd`], [`RmsProp`] and [`Adam`] follow Keras 3 exactly: the same
//! defaults, the same update formulas in the same order of operations, and
//! the same rounding of hyper-parameters. Hyper-parameters are given as
//! `f64` (as in burn and candle) and applied in the network's float type
//! `T`, as Keras applies them in the variables' dtype:
//!
//! - the learning rate, RMSprop's `rho` and every `epsilon` are rounded to
//!   `T` (so `0.01` is `0.009999999776482582` in an `f32` network);
//! - SGD's `momentum` and Adam's `beta_1`, `beta_2` in the bias correction
//!   `β^t` pass through `f32` first, also in `f64` networks, because
//!   TensorFlow casts those Python floats through `float32`
//!   (`0.9 → 0.8999999761581421`); `1 - β` in Adam's moment updates is
//!   computed in `f64` from the exact value.
//!
//! # Half precision
//!
//! For element types narrower than `f32` (`half::f16`, `half::bf16`) the
//! optimizers compute in `f32`: the hyper-parameters are rounded to `f32`,
//! the state (moments, velocities) is kept in `f32`, each weight and its
//! gradient are widened to `f32` for the update, and the new weight is
//! rounded to `T` once. The same step in `T`'s own arithmetic breaks:
//! Adam's `β₂ = 0.999` rounds to `1` in `bf16`, so `1 - β₂^t = 0` and no
//! weight ever moves; `ε = 1e-7` is a subnormal in `f16` (and PyTorch's
//! `1e-8` rounds to 0), and `g²` underflows to 0 for `|g| < 2^-12` (or
//! overflows for `|g| > 256`), so Adam and RMSprop would divide a moment by
//! nearly nothing and take steps hundreds of times too long. Rejecting those
//! hyper-parameters would reject Keras's defaults, so the arithmetic moves
//! instead: an `f16` model takes exactly the step an `f32` model with the
//! same weights would take, rounded to `f16` (updates smaller than half an
//! `f16` step of a weight are still lost to that rounding, as in any
//! training whose weights are stored in `f16`).
//!
//! An optimizer keeps its state (moments, velocities, the step count) per
//! weight array, keyed by the array's position in Keras's `get_weights()`
//! order. The state starts at zero and is reset when the sizes of the
//! weight arrays change (a different model), or by
//! [`reset`](Optimizer::reset).
//!
//! # Example
//!
//! ```
//! use ndarray::array;
//! use neurite::{Adam, Dense, Optimizer, Sequential, Sigmoid};
//!
//! let mut model = Sequential::new();
//! model.add(Dense::new(array![[0.0_f32]], array![0.0], Sigmoid)?)?;
//! let mut adam = Adam::default(); // Keras: lr 0.001, β 0.9 / 0.999, ε 1e-7
//! let loss = model.train_step(&array![[1.0], [-1.0]], &array![[1.0], [0.0]], &mut adam)?;
//! assert!((loss - 2.0_f32.ln()).abs() < 1e-6);
//! assert_eq!(adam.iterations(), 1);
//! # Ok::<(), neurite::Error>(())
//! ```

mod adam;
mod rmsprop;
mod sgd;

pub use adam::Adam;
pub use rmsprop::RmsProp;
pub use sgd::Sgd;

use crate::precision::cast;
use crate::precision::is_narrow;
use crate::{Element, Error};
use std::collections::BTreeMap;
use std::fmt::Debug;

/// A rule that updates weights from their gradients, one training step at
/// a time.
///
/// A step is [`begin_step`](Optimizer::begin_step) with the sizes of all
/// weight arrays, then one [`update`](Optimizer::update) per array, in
/// Keras's `get_weights()` order; [`Sequential::train_step`] and
/// [`Sequential::fit`] drive it, after checking the hyper-parameters with
/// [`check`](Optimizer::check) so that a bad value fails before anything
/// changes.
///
/// [`Sequential::train_step`]: crate::Sequential::train_step
/// [`Sequential::fit`]: crate::Sequential::fit
///
/// # Example
///
/// A custom optimizer: sign descent with a fixed step.
///
/// ```
/// use ndarray::array;
/// use neurite::{Dense, Error, Optimizer, Sequential, Sigmoid};
///
/// #[derive(Debug)]
/// struct SignDescent {
///     step: f64,
///     iterations: u64,
/// }
///
/// impl Optimizer<f64> for SignDescent {
///     fn check(&self) -> Result<(), Error> {
///         Ok(())
///     }
///     fn begin_step(&mut self, _sizes: &[usize]) {
///         self.iterations += 1;
///     }
///     fn update(&mut self, _index: usize, weights: &mut [f64], gradient: &[f64]) {
///         for (w, g) in weights.iter_mut().zip(gradient) {
///             *w -= self.step * g.signum();
///         }
///     }
///     fn iterations(&self) -> u64 {
///         self.iterations
///     }
///     fn reset(&mut self) {
///         self.iterations = 0;
///     }
/// }
///
/// let mut model = Sequential::new();
/// model.add(Dense::new(array![[0.0_f64]], array![0.0], Sigmoid)?)?;
/// let mut sign = SignDescent { step: 0.5, iterations: 0 };
/// model.train_step(&array![[1.0]], &array![[1.0]], &mut sign)?;
/// assert_eq!(model.get_weights()[0], array![[0.5]].into_dyn());
/// # Ok::<(), Error>(())
/// ```
pub trait Optimizer<T: Element>: Debug {
    /// Checks the hyper-parameters (a learning rate `> 0`, rates in
    /// range, …).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] naming the first bad hyper-parameter.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::{Error, Optimizer, Sgd};
    ///
    /// assert!(Optimizer::<f32>::check(&Sgd::new(0.1)).is_ok());
    /// let bad = Optimizer::<f32>::check(&Sgd::new(-0.1));
    /// assert!(matches!(bad, Err(Error::InvalidParameter { name: "learning_rate", .. })));
    /// ```
    fn check(&self) -> Result<(), Error>;

    /// Starts a step over weight arrays of the given sizes (in Keras order)
    /// and counts it. State kept for other sizes is dropped first.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::{Adam, Optimizer};
    ///
    /// let mut adam = Adam::<f64>::default();
    /// adam.begin_step(&[2, 1]);
    /// assert_eq!(adam.iterations(), 1);
    /// ```
    fn begin_step(&mut self, sizes: &[usize]);

    /// Updates the weight array at position `index` in place from its
    /// gradient (both flat, the same length).
    ///
    /// [`Sequential`](crate::Sequential) calls this with the arrays it
    /// announced to [`begin_step`](Optimizer::begin_step). Called directly,
    /// the built-in optimizers take any index (one beyond those arrays gets
    /// state of its own) and, when the lengths differ, update only the
    /// weights that have a gradient.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::{Optimizer, Sgd};
    ///
    /// let mut sgd = Sgd::new(0.5);
    /// let mut weights = [1.0_f64, 2.0];
    /// sgd.begin_step(&[2]);
    /// sgd.update(0, &mut weights, &[1.0, -1.0]);
    /// assert_eq!(weights, [0.5, 2.5]);
    /// ```
    fn update(&mut self, index: usize, weights: &mut [T], gradient: &[T]);

    /// The number of steps begun since the last reset (Keras's
    /// `optimizer.iterations`).
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::{Optimizer, RmsProp};
    ///
    /// assert_eq!(RmsProp::<f32>::default().iterations(), 0);
    /// ```
    fn iterations(&self) -> u64;

    /// Forgets the state: moments and velocities back to zero, the step
    /// count back to 0.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::{Adam, Optimizer};
    ///
    /// let mut adam = Adam::<f32>::default();
    /// adam.begin_step(&[3]);
    /// adam.reset();
    /// assert_eq!(adam.iterations(), 0);
    /// ```
    fn reset(&mut self);

    /// The learning rate (Keras's `optimizer.learning_rate`), as given in
    /// `f64`; `None` for an optimizer without one (the default). Callbacks
    /// such as [`ReduceLrOnPlateau`](crate::train::ReduceLrOnPlateau) read
    /// it.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::{Adam, Optimizer};
    ///
    /// assert_eq!(Optimizer::<f32>::get_learning_rate(&Adam::default()), Some(0.001));
    /// ```
    fn get_learning_rate(&self) -> Option<f64> {
        None
    }

    /// Sets the learning rate for the next steps, keeping the state
    /// (Keras's `optimizer.learning_rate = value`). An optimizer whose
    /// [`get_learning_rate`](Optimizer::get_learning_rate) gives `None`
    /// ignores it (the default).
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::{Optimizer, Sgd};
    ///
    /// let mut sgd = Sgd::<f64>::new(0.1);
    /// sgd.set_learning_rate(0.01);
    /// assert_eq!(sgd.learning_rate, 0.01);
    /// ```
    fn set_learning_rate(&mut self, learning_rate: f64) {
        let _ = learning_rate;
    }
}

/// An update rule, written once for its arithmetic type `S`: the element
/// type itself, or `f32` for types narrower than `f32` (see the module
/// documentation).
trait Rule<const N: usize> {
    /// Which of the `N` state buffers the rule uses.
    fn used(&self) -> [bool; N];

    /// Updates `weights` in place from `gradient` at step `iterations`
    /// (from 1), with the array's state: the buffers marked in
    /// [`used`](Rule::used) hold `weights.len()` values, zeros at first.
    fn apply<S: Element>(
        &self,
        iterations: u64,
        weights: &mut [S],
        gradient: &[S],
        state: &mut [Vec<S>; N],
    );
}

/// Per-weight-array state: `N` buffers per array (moments, velocities, …),
/// each allocated when an update first needs it and kept from step to step,
/// plus the step count.
#[derive(Debug, Clone)]
struct Slots<T, const N: usize> {
    sizes: Vec<usize>,
    iterations: u64,
    /// The state of each array by its index: a map, not a vector indexed by
    /// it, so that a caller's index far beyond the model's arrays costs one
    /// entry, not a vector that long.
    slots: BTreeMap<usize, [Vec<T>; N]>,
    /// The state of narrow element types, in `f32`.
    wide: BTreeMap<usize, [Vec<f32>; N]>,
    /// Narrow element types: the weights and the gradient of the array
    /// being updated, widened to `f32` (kept to be reused).
    scratch: [Vec<f32>; 2],
}

impl<T: Element, const N: usize> Slots<T, N> {
    fn new() -> Self {
        Self {
            sizes: Vec::new(),
            iterations: 0,
            slots: BTreeMap::new(),
            wide: BTreeMap::new(),
            scratch: [Vec::new(), Vec::new()],
        }
    }

    /// Updates the weight array at `index` by `rule`: in `T`, or in `f32`
    /// with the new weights rounded to `T` once when `T` is narrow.
    fn update(&mut self, rule: &impl Rule<N>, index: usize, weights: &mut [T], gradient: &[T]) {
        let (used, len) = (rule.used(), weights.len());
        if !is_narrow::<T>() {
            let state = buffers(&mut self.slots, index, len, used);
            rule.apply(self.iterations, weights, gradient, state);
            return;
        }
        let [w, g] = &mut self.scratch;
        let widen = |value: &T| cast::<T, f32>(*value);
        w.clear();
        w.extend(weights.iter().map(widen));
        g.clear();
        g.extend(gradient.iter().map(widen));
        let state = buffers(&mut self.wide, index, len, used);
        rule.apply(self.iterations, w, g, state);
        for (weight, &value) in weights.iter_mut().zip(w.iter()) {
            *weight = cast(value);
        }
    }

    /// Starts a step; drops all state when the sizes changed.
    fn begin(&mut self, sizes: &[usize]) {
        if self.sizes != sizes {
            self.reset();
            self.sizes = sizes.to_vec();
        }
        self.iterations += 1;
    }

    fn reset(&mut self) {
        self.sizes.clear();
        self.slots.clear();
        self.wide.clear();
        self.iterations = 0;
    }
}

/// The buffers of array `index` with `len` values; those marked in `used`
/// are zeros the first time (or after the array's size changed), the
/// others stay empty.
fn buffers<S: Element, const N: usize>(
    slots: &mut BTreeMap<usize, [Vec<S>; N]>,
    index: usize,
    len: usize,
    used: [bool; N],
) -> &mut [Vec<S>; N] {
    let slot = slots
        .entry(index)
        .or_insert_with(|| std::array::from_fn(|_| Vec::new()));
    for (buffer, used) in slot.iter_mut().zip(used) {
        if used && buffer.len() != len {
            *buffer = vec![S::zero(); len];
        }
    }
    slot
}

/// A Python float as TensorFlow's `cast` to a float tensor sees it: rounded
/// to `f32` first (then widened back for `f64` networks).
fn through_f32(value: f64) -> f64 {
    f64::from(value as f32)
}

/// `Ok` when `ok`, else the error for hyper-parameter `name`.
fn require(name: &'static str, value: f64, ok: bool, expected: &'static str) -> Result<(), Error> {
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidParameter {
            name,
            expected,
            found: value.to_string(),
        })
    }
}

/// A learning rate must be a finite number above 0.
fn check_learning_rate(value: f64) -> Result<(), Error> {
    require(
        "learning_rate",
        value,
        value.is_finite() && value > 0.0,
        "a finite number > 0",
    )
}

/// `0 ≤ value ≤ 1` (momentum, rho).
fn check_unit_closed(name: &'static str, value: f64) -> Result<(), Error> {
    require(
        name,
        value,
        (0.0..=1.0).contains(&value),
        "a number in [0, 1]",
    )
}

/// `0 ≤ value < 1` (Adam's betas: `1 - β^t` must not vanish).
fn check_unit_half_open(name: &'static str, value: f64) -> Result<(), Error> {
    require(
        name,
        value,
        (0.0..1.0).contains(&value),
        "a number in [0, 1)",
    )
}

/// `epsilon` must be finite and not negative.
fn check_epsilon(value: f64) -> Result<(), Error> {
    require(
        "epsilon",
        value,
        value.is_finite() && value >= 0.0,
        "a finite number >= 0",
    )
}

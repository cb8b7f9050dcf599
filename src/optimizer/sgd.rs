//! Stochastic gradient descent, with optional (Nesterov) momentum.

use super::{Optimizer, Rule, Slots, check_learning_rate, check_unit_closed, through_f32};
use crate::precision::narrow;
use crate::{Element, Error};

/// Keras's `SGD`: plain gradient descent, or with momentum.
///
/// With `lr` the learning rate and `μ` the momentum, per weight `w` with
/// gradient `g`:
///
/// - `μ = 0`: `w ← w - g·lr`;
/// - `μ > 0`: `m ← m·μ - g·lr`, then `w ← w + m` (`m` starts at 0);
/// - `μ > 0` with Nesterov: as above, then `w ← w + (m·μ - g·lr)`.
///
/// Keras's defaults: `lr = 0.01`, `μ = 0`, no Nesterov. `μ` is rounded
/// through `f32` as Keras does, also in `f64` networks (see the
/// [module](crate::optimizer) documentation).
///
/// # Example
///
/// ```
/// use neurite::{Optimizer, Sgd};
///
/// let mut sgd = Sgd::with_momentum(0.1, 0.5);
/// let mut w = [1.0_f64];
/// for _ in 0..2 {
///     sgd.begin_step(&[1]);
///     sgd.update(0, &mut w, &[1.0]);
/// }
/// // m = -0.1, then m = -0.05 - 0.1 = -0.15: w = 1 - 0.1 - 0.15.
/// assert!((w[0] - 0.75).abs() < 1e-12);
/// ```
#[derive(Debug, Clone)]
pub struct Sgd<T> {
    /// The learning rate (Keras default `0.01`).
    pub learning_rate: f64,
    /// The momentum `μ ∈ [0, 1]` (default `0`: none).
    pub momentum: f64,
    /// Whether to use Nesterov momentum (default `false`).
    pub nesterov: bool,
    state: Slots<T, 1>,
}

impl<T: Element> Sgd<T> {
    /// Plain gradient descent with learning rate `learning_rate`.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::Sgd;
    ///
    /// let sgd = Sgd::<f32>::new(0.05);
    /// assert_eq!((sgd.learning_rate, sgd.momentum, sgd.nesterov), (0.05, 0.0, false));
    /// ```
    pub fn new(learning_rate: f64) -> Self {
        Self {
            learning_rate,
            momentum: 0.0,
            nesterov: false,
            state: Slots::new(),
        }
    }

    /// Gradient descent with momentum.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::Sgd;
    ///
    /// let sgd = Sgd::<f64>::with_momentum(0.1, 0.9).nesterov(true);
    /// assert_eq!((sgd.momentum, sgd.nesterov), (0.9, true));
    /// ```
    pub fn with_momentum(learning_rate: f64, momentum: f64) -> Self {
        Self::new(learning_rate).momentum(momentum)
    }

    /// Sets the learning rate.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::Sgd;
    ///
    /// assert_eq!(Sgd::<f32>::default().learning_rate(0.2).learning_rate, 0.2);
    /// ```
    pub fn learning_rate(mut self, learning_rate: f64) -> Self {
        self.learning_rate = learning_rate;
        self
    }

    /// Sets the momentum.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::Sgd;
    ///
    /// assert_eq!(Sgd::<f32>::default().momentum(0.8).momentum, 0.8);
    /// ```
    pub fn momentum(mut self, momentum: f64) -> Self {
        self.momentum = momentum;
        self
    }

    /// Turns Nesterov momentum on or off.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::Sgd;
    ///
    /// assert!(Sgd::<f32>::with_momentum(0.01, 0.9).nesterov(true).nesterov);
    /// ```
    pub fn nesterov(mut self, nesterov: bool) -> Self {
        self.nesterov = nesterov;
        self
    }
}

impl<T: Element> Default for Sgd<T> {
    /// Keras's defaults: learning rate `0.01`, no momentum.
    fn default() -> Self {
        Self::new(0.01)
    }
}

impl<T: Element> Optimizer<T> for Sgd<T> {
    fn check(&self) -> Result<(), Error> {
        check_learning_rate(self.learning_rate)?;
        check_unit_closed("momentum", self.momentum)
    }

    fn get_learning_rate(&self) -> Option<f64> {
        Some(self.learning_rate)
    }

    fn set_learning_rate(&mut self, learning_rate: f64) {
        self.learning_rate = learning_rate;
    }

    fn begin_step(&mut self, sizes: &[usize]) {
        self.state.begin(sizes);
    }

    fn update(&mut self, index: usize, weights: &mut [T], gradient: &[T]) {
        let rule = SgdRule {
            learning_rate: self.learning_rate,
            momentum: self.momentum,
            nesterov: self.nesterov,
        };
        self.state.update(&rule, index, weights, gradient);
    }

    fn iterations(&self) -> u64 {
        self.state.iterations
    }

    fn reset(&mut self) {
        self.state.reset();
    }
}

/// SGD's hyper-parameters, applied in the arithmetic type `S`.
struct SgdRule {
    learning_rate: f64,
    momentum: f64,
    nesterov: bool,
}

impl Rule<1> for SgdRule {
    fn used(&self) -> [bool; 1] {
        [self.momentum > 0.0]
    }

    fn apply<S: Element>(
        &self,
        _iterations: u64,
        weights: &mut [S],
        gradient: &[S],
        [m]: &mut [Vec<S>; 1],
    ) {
        let lr: S = narrow(self.learning_rate);
        if self.momentum <= 0.0 {
            for (w, &g) in weights.iter_mut().zip(gradient) {
                *w = *w - g * lr;
            }
            return;
        }
        let mu: S = narrow(through_f32(self.momentum));
        for ((w, &g), m) in weights.iter_mut().zip(gradient).zip(m.iter_mut()) {
            *m = *m * mu - g * lr;
            *w = if self.nesterov {
                *w + (*m * mu - g * lr)
            } else {
                *w + *m
            };
        }
    }
}

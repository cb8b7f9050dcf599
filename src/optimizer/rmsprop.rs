//! RMSprop, Keras's default optimizer.

use super::{Optimizer, Rule, Slots, check_epsilon, check_learning_rate, check_unit_closed};
use crate::precision::narrow;
use crate::{Element, Error};

/// Keras's `RMSprop`: each step divided by a running root mean square of
/// the gradients.
///
/// With `lr` the learning rate, per weight `w` with gradient `g` (`v`
/// starts at 0):
///
/// ```text
/// v ← ρ·v + (1 - ρ)·g²
/// w ← w - lr·g / sqrt(v + ε)          (ε inside the root, as Keras)
/// ```
///
/// With `centered`, the mean gradient `a ← ρ·a + (1 - ρ)·g` is tracked too
/// and `v - a²` replaces `v` under the root; with `momentum > 0` the step
/// goes through a velocity `s ← momentum·s + step`, `w ← w - s`.
///
/// Keras's defaults: `lr = 0.001`, `ρ = 0.9`, `ε = 1e-7`, `momentum = 0`,
/// not centered (PyTorch differs: lr 0.01, α 0.99, eps 1e-8 outside the
/// root). It is the optimizer `model.compile()` picks when none is given.
///
/// # Example
///
/// ```
/// use neurite::{Optimizer, RmsProp};
///
/// let mut rmsprop = RmsProp::default();
/// let mut w = [1.0_f64];
/// rmsprop.begin_step(&[1]);
/// rmsprop.update(0, &mut w, &[2.0]);
/// // v = 0.1·4 = 0.4: w = 1 - 0.001·2 / sqrt(0.4 + 1e-7).
/// assert!((w[0] - (1.0 - 0.002 / (0.4_f64 + 1e-7).sqrt())).abs() < 1e-15);
/// ```
#[derive(Debug, Clone)]
pub struct RmsProp<T> {
    /// The learning rate (Keras default `0.001`).
    pub learning_rate: f64,
    /// The decay `ρ ∈ [0, 1]` of the running mean of `g²` (default `0.9`).
    pub rho: f64,
    /// The momentum `∈ [0, 1]` (default `0`: none).
    pub momentum: f64,
    /// Added to the mean square under the root (default `1e-7`).
    pub epsilon: f64,
    /// Whether to subtract the squared running mean of the gradients
    /// (default `false`).
    pub centered: bool,
    /// Velocity, mean gradient, momentum.
    state: Slots<T, 3>,
}

impl<T: Element> RmsProp<T> {
    /// RMSprop with learning rate `learning_rate` and Keras's other
    /// defaults.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::RmsProp;
    ///
    /// let rmsprop = RmsProp::<f32>::new(0.01);
    /// assert_eq!((rmsprop.learning_rate, rmsprop.rho, rmsprop.epsilon), (0.01, 0.9, 1e-7));
    /// ```
    pub fn new(learning_rate: f64) -> Self {
        Self {
            learning_rate,
            rho: 0.9,
            momentum: 0.0,
            epsilon: 1e-7,
            centered: false,
            state: Slots::new(),
        }
    }

    /// Sets the learning rate.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::RmsProp;
    ///
    /// assert_eq!(RmsProp::<f32>::default().learning_rate(0.01).learning_rate, 0.01);
    /// ```
    pub fn learning_rate(mut self, learning_rate: f64) -> Self {
        self.learning_rate = learning_rate;
        self
    }

    /// Sets `ρ`, the decay of the running mean square.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::RmsProp;
    ///
    /// assert_eq!(RmsProp::<f32>::default().rho(0.99).rho, 0.99);
    /// ```
    pub fn rho(mut self, rho: f64) -> Self {
        self.rho = rho;
        self
    }

    /// Sets the momentum.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::RmsProp;
    ///
    /// assert_eq!(RmsProp::<f32>::default().momentum(0.9).momentum, 0.9);
    /// ```
    pub fn momentum(mut self, momentum: f64) -> Self {
        self.momentum = momentum;
        self
    }

    /// Sets `ε`.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::RmsProp;
    ///
    /// assert_eq!(RmsProp::<f32>::default().epsilon(1e-8).epsilon, 1e-8);
    /// ```
    pub fn epsilon(mut self, epsilon: f64) -> Self {
        self.epsilon = epsilon;
        self
    }

    /// Turns the centered variant on or off.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::RmsProp;
    ///
    /// assert!(RmsProp::<f32>::default().centered(true).centered);
    /// ```
    pub fn centered(mut self, centered: bool) -> Self {
        self.centered = centered;
        self
    }
}

impl<T: Element> Default for RmsProp<T> {
    /// Keras's defaults: learning rate `0.001`, `ρ = 0.9`, `ε = 1e-7`.
    fn default() -> Self {
        Self::new(0.001)
    }
}

impl<T: Element> Optimizer<T> for RmsProp<T> {
    fn check(&self) -> Result<(), Error> {
        check_learning_rate(self.learning_rate)?;
        check_unit_closed("rho", self.rho)?;
        check_unit_closed("momentum", self.momentum)?;
        check_epsilon(self.epsilon)
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
        let rule = RmsPropRule {
            learning_rate: self.learning_rate,
            rho: self.rho,
            momentum: self.momentum,
            epsilon: self.epsilon,
            centered: self.centered,
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

/// RMSprop's hyper-parameters, applied in the arithmetic type `S`.
struct RmsPropRule {
    learning_rate: f64,
    rho: f64,
    momentum: f64,
    epsilon: f64,
    centered: bool,
}

impl Rule<3> for RmsPropRule {
    fn used(&self) -> [bool; 3] {
        [true, self.centered, self.momentum > 0.0]
    }

    fn apply<S: Element>(
        &self,
        _iterations: u64,
        weights: &mut [S],
        gradient: &[S],
        [velocity, mean, speed]: &mut [Vec<S>; 3],
    ) {
        let lr: S = narrow(self.learning_rate);
        let rho: S = narrow(self.rho);
        let one_minus_rho: S = narrow(1.0 - self.rho);
        let epsilon: S = narrow(self.epsilon);
        let momentum: S = narrow(self.momentum);
        let (centered, with_momentum) = (self.centered, self.momentum > 0.0);
        if !centered && !with_momentum {
            // Keras's default: the plain loop.
            for ((w, &g), v) in weights.iter_mut().zip(gradient).zip(velocity.iter_mut()) {
                *v = rho * *v + one_minus_rho * (g * g);
                *w = *w - lr * g / (*v + epsilon).sqrt();
            }
            return;
        }
        for (i, (w, &g)) in weights.iter_mut().zip(gradient).enumerate() {
            let v = rho * velocity[i] + one_minus_rho * (g * g);
            velocity[i] = v;
            let denominator = if centered {
                let a = rho * mean[i] + one_minus_rho * g;
                mean[i] = a;
                v - a * a
            } else {
                v
            };
            let increment = lr * g / (denominator + epsilon).sqrt();
            *w = if with_momentum {
                speed[i] = momentum * speed[i] + increment;
                *w - speed[i]
            } else {
                *w - increment
            };
        }
    }
}

//! Adam.

use super::{
    Optimizer, Rule, Slots, check_epsilon, check_learning_rate, check_unit_half_open, through_f32,
};
use crate::kernels::{self, AdamConstants};
use crate::precision::narrow;
use crate::{Element, Error};

/// Keras's `Adam`: steps scaled by running estimates of the gradients'
/// first and second moments.
///
/// With `lr` the learning rate and `t` the step number (from 1), per weight
/// `w` with gradient `g` (`m`, `v` start at 0):
///
/// ```text
/// m ← m + (g - m)·(1 - β₁)
/// v ← v + (g² - v)·(1 - β₂)
/// α = lr·sqrt(1 - β₂^t) / (1 - β₁^t)
/// w ← w - m·α / (sqrt(v) + ε)
/// ```
///
/// The bias correction is folded into the step size `α`, and `ε` is added
/// to the root of the *uncorrected* `v`, as in Keras (PyTorch adds it to
/// the corrected root, with `ε = 1e-8`). With `amsgrad`, the running
/// maximum of `v` replaces `v` in the last line.
///
/// Keras's defaults: `lr = 0.001`, `β₁ = 0.9`, `β₂ = 0.999`, `ε = 1e-7`.
/// The betas in `β^t` are rounded through `f32` as Keras does, also in
/// `f64` networks (see the [module](crate::optimizer) documentation).
///
/// # Example
///
/// ```
/// use neurite::{Adam, Optimizer};
///
/// let mut adam = Adam::new(0.1);
/// let mut w = [1.0_f64];
/// adam.begin_step(&[1]);
/// adam.update(0, &mut w, &[3.0]);
/// // The first step moves each weight by about lr, whatever the gradient.
/// assert!((w[0] - 0.9).abs() < 1e-6);
/// ```
#[derive(Debug, Clone)]
pub struct Adam<T> {
    /// The learning rate (Keras default `0.001`).
    pub learning_rate: f64,
    /// The decay `β₁ ∈ [0, 1)` of the first moment (default `0.9`).
    pub beta_1: f64,
    /// The decay `β₂ ∈ [0, 1)` of the second moment (default `0.999`).
    pub beta_2: f64,
    /// Added to `sqrt(v)` (default `1e-7`).
    pub epsilon: f64,
    /// Whether to use the AMSGrad variant (default `false`).
    pub amsgrad: bool,
    /// First moment, second moment, running maximum of the second moment.
    state: Slots<T, 3>,
}

impl<T: Element> Adam<T> {
    /// Adam with learning rate `learning_rate` and Keras's other defaults.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::Adam;
    ///
    /// let adam = Adam::<f32>::new(0.01);
    /// assert_eq!((adam.learning_rate, adam.beta_1, adam.beta_2), (0.01, 0.9, 0.999));
    /// ```
    pub fn new(learning_rate: f64) -> Self {
        Self {
            learning_rate,
            beta_1: 0.9,
            beta_2: 0.999,
            epsilon: 1e-7,
            amsgrad: false,
            state: Slots::new(),
        }
    }

    /// Sets the learning rate.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::Adam;
    ///
    /// assert_eq!(Adam::<f32>::default().learning_rate(0.01).learning_rate, 0.01);
    /// ```
    pub fn learning_rate(mut self, learning_rate: f64) -> Self {
        self.learning_rate = learning_rate;
        self
    }

    /// Sets `β₁`.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::Adam;
    ///
    /// assert_eq!(Adam::<f32>::default().beta_1(0.8).beta_1, 0.8);
    /// ```
    pub fn beta_1(mut self, beta_1: f64) -> Self {
        self.beta_1 = beta_1;
        self
    }

    /// Sets `β₂`.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::Adam;
    ///
    /// assert_eq!(Adam::<f32>::default().beta_2(0.99).beta_2, 0.99);
    /// ```
    pub fn beta_2(mut self, beta_2: f64) -> Self {
        self.beta_2 = beta_2;
        self
    }

    /// Sets `ε`.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::Adam;
    ///
    /// assert_eq!(Adam::<f32>::default().epsilon(1e-8).epsilon, 1e-8);
    /// ```
    pub fn epsilon(mut self, epsilon: f64) -> Self {
        self.epsilon = epsilon;
        self
    }

    /// Turns AMSGrad on or off.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::Adam;
    ///
    /// assert!(Adam::<f32>::default().amsgrad(true).amsgrad);
    /// ```
    pub fn amsgrad(mut self, amsgrad: bool) -> Self {
        self.amsgrad = amsgrad;
        self
    }
}

impl<T: Element> Default for Adam<T> {
    /// Keras's defaults: learning rate `0.001`, `β₁ = 0.9`, `β₂ = 0.999`,
    /// `ε = 1e-7`.
    fn default() -> Self {
        Self::new(0.001)
    }
}

impl<T: Element> Optimizer<T> for Adam<T> {
    fn check(&self) -> Result<(), Error> {
        check_learning_rate(self.learning_rate)?;
        check_unit_half_open("beta_1", self.beta_1)?;
        check_unit_half_open("beta_2", self.beta_2)?;
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
        let rule = AdamRule {
            learning_rate: self.learning_rate,
            beta_1: self.beta_1,
            beta_2: self.beta_2,
            epsilon: self.epsilon,
            amsgrad: self.amsgrad,
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

/// Adam's hyper-parameters, applied in the arithmetic type `S`.
struct AdamRule {
    learning_rate: f64,
    beta_1: f64,
    beta_2: f64,
    epsilon: f64,
    amsgrad: bool,
}

impl AdamRule {
    /// `α = lr·sqrt(1 - β₂^t) / (1 - β₁^t)` for step `t`.
    fn step_size<S: Element>(&self, iterations: u64) -> S {
        let t: S = narrow(iterations.max(1) as f64);
        let beta_1_power = narrow::<S>(through_f32(self.beta_1)).powf(t);
        let beta_2_power = narrow::<S>(through_f32(self.beta_2)).powf(t);
        let lr: S = narrow(self.learning_rate);
        lr * (S::one() - beta_2_power).sqrt() / (S::one() - beta_1_power)
    }
}

impl Rule<3> for AdamRule {
    fn used(&self) -> [bool; 3] {
        [true, true, self.amsgrad]
    }

    fn apply<S: Element>(
        &self,
        iterations: u64,
        weights: &mut [S],
        gradient: &[S],
        [m, v, v_max]: &mut [Vec<S>; 3],
    ) {
        let alpha: S = self.step_size(iterations);
        let one_minus_beta_1: S = narrow(1.0 - self.beta_1);
        let one_minus_beta_2: S = narrow(1.0 - self.beta_2);
        let epsilon: S = narrow(self.epsilon);
        if !self.amsgrad
            && let Some(kernels) = kernels::for_type::<S>()
        {
            // `f32` and `f64`: the loop below on vectors, bit for bit
            // (src/kernels/adam.rs).
            let constants = AdamConstants {
                one_minus_beta_1,
                one_minus_beta_2,
                alpha,
                epsilon,
            };
            (kernels.adam)(weights, gradient, m, v, constants);
            return;
        }
        let moments = weights
            .iter_mut()
            .zip(gradient)
            .zip(m.iter_mut().zip(v.iter_mut()));
        if self.amsgrad {
            for (((w, &g), (m, v)), v_max) in moments.zip(v_max.iter_mut()) {
                *m = *m + (g - *m) * one_minus_beta_1;
                *v = *v + (g * g - *v) * one_minus_beta_2;
                *v_max = v_max.max(*v);
                *w = *w - *m * alpha / (v_max.sqrt() + epsilon);
            }
        } else {
            for ((w, &g), (m, v)) in moments {
                *m = *m + (g - *m) * one_minus_beta_1;
                *v = *v + (g * g - *v) * one_minus_beta_2;
                *w = *w - *m * alpha / (v.sqrt() + epsilon);
            }
        }
    }
}

//! The losses that are a function of each (label, prediction) pair, then
//! the mean (or, for KL divergence, the sum) over the sample: regression
//! losses, hinges, and binary and binary focal cross-entropy with their
//! label smoothing.
//!
//! Where Keras's arithmetic loses digits, the mathematics is followed:
//! `log_cosh` is computed without cancellation for small errors (Keras's
//! `e + softplus(-2e) - ln 2` gives 0 for a float32 error of 1e-4, and a
//! negative loss for a float64 error of 0 because its `ln 2` is a float32
//! constant); `msle` uses `ln(1 + x)` and its `ε` in the tensor's own type
//! (Keras's float64 `ε` is the float32 value 1.0000000116860974e-7).

use super::binary_cross_entropy::{clipped_loss, clipped_loss_derivative, logit_loss};
use crate::activation::{Activation, Sigmoid};
use num_traits::Float;

/// One element's loss `f(y, p)` and its derivative `∂f/∂p`, with the
/// loss's arguments in `T`.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Element<T> {
    /// `-(y·ln p + (1 - y)·ln(1 - p))`, `p` clipped; `y` smoothed by `s`.
    Binary {
        smoothing: T,
    },
    /// The same from a logit.
    BinaryLogits {
        smoothing: T,
    },
    /// `(1 - p_t)^γ·bce(y, p)`, times `α_t` with class balancing.
    BinaryFocal {
        focal: Focal<T>,
        logits: bool,
    },
    SquaredError,
    AbsoluteError,
    PercentageError {
        epsilon: T,
    },
    SquaredLogError {
        epsilon: T,
    },
    Huber {
        delta: T,
    },
    LogCosh,
    /// `y·ln(y/p)`, both clipped to `[ε, 1]`; summed over the sample.
    KlDivergence {
        epsilon: T,
    },
    Poisson {
        epsilon: T,
    },
    /// `max(1 - y·p, 0)` (squared if `squared`); with `signed`, labels
    /// in `{0, 1}` count as `2y - 1` (see [`signed_labels`]).
    Hinge {
        squared: bool,
        signed: bool,
    },
}

/// The arguments of binary focal cross-entropy.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Focal<T> {
    pub(super) alpha: Option<T>,
    pub(super) gamma: T,
    pub(super) smoothing: T,
}

impl<T: Float> Element<T> {
    /// Whether the sample's loss is the sum of its elements' (KL
    /// divergence) rather than their mean.
    pub(super) fn sums(&self) -> bool {
        matches!(self, Self::KlDivergence { .. })
    }

    /// `f(y, p)`. Always inlined: where the variant is known (see
    /// [`monomorphic`](Element::monomorphic)) only its arm remains.
    #[inline(always)]
    pub(super) fn value(&self, y: T, p: T) -> T {
        let e = p - y;
        match *self {
            Self::Binary { smoothing } => clipped_loss(binary_smooth(y, smoothing), p),
            Self::BinaryLogits { smoothing } => logit_loss(binary_smooth(y, smoothing), p),
            Self::BinaryFocal { focal, logits } => focal.value(y, probability(p, logits)),
            Self::SquaredError => e * e,
            Self::AbsoluteError => e.abs(),
            Self::PercentageError { epsilon } => hundred::<T>() * e.abs() / y.abs().max(epsilon),
            Self::SquaredLogError { epsilon } => {
                let d = p.max(epsilon).ln_1p() - y.max(epsilon).ln_1p();
                d * d
            }
            Self::Huber { delta } if e.abs() <= delta => half::<T>() * e * e,
            Self::Huber { delta } => delta * e.abs() - half::<T>() * delta * delta,
            Self::LogCosh => log_cosh(e),
            Self::KlDivergence { epsilon } => {
                let (y, p) = (unit_clip(y, epsilon), unit_clip(p, epsilon));
                y * (y / p).ln()
            }
            Self::Poisson { epsilon } => p - y * (p + epsilon).ln(),
            Self::Hinge { squared, signed } => {
                let y = if signed { y + y - T::one() } else { y };
                let margin = (T::one() - y * p).max(T::zero());
                if squared { margin * margin } else { margin }
            }
        }
    }

    /// `∂f/∂p`, with TensorFlow's conventions where `f` has a kink: the
    /// gradient of `|e|` is 0 at 0, a `max(a, b)` passes it to `a` at a tie,
    /// a clip passes it inside its bounds, bounds included.
    #[inline(always)]
    pub(super) fn slope(&self, y: T, p: T) -> T {
        let e = p - y;
        let sign = |v: T| {
            if v == T::zero() {
                T::zero()
            } else {
                v.signum()
            }
        };
        match *self {
            Self::Binary { smoothing } => clipped_loss_derivative(binary_smooth(y, smoothing), p),
            Self::BinaryLogits { smoothing } => Sigmoid.apply(p) - binary_smooth(y, smoothing),
            Self::BinaryFocal {
                focal,
                logits: false,
            } => focal.slope(y, p),
            Self::BinaryFocal {
                focal,
                logits: true,
            } => {
                let s = Sigmoid.apply(p);
                focal.slope(y, s) * s * (T::one() - s)
            }
            Self::SquaredError => e + e,
            Self::AbsoluteError => sign(e),
            Self::PercentageError { epsilon } => hundred::<T>() * sign(e) / y.abs().max(epsilon),
            Self::SquaredLogError { epsilon } => {
                let d = p.max(epsilon).ln_1p() - y.max(epsilon).ln_1p();
                if p >= epsilon {
                    (d + d) / (T::one() + p)
                } else {
                    T::zero()
                }
            }
            Self::Huber { delta } if e.abs() <= delta => e,
            Self::Huber { delta } => delta * e.signum(),
            Self::LogCosh => e.tanh(),
            Self::KlDivergence { epsilon } if p >= epsilon && p <= T::one() => {
                -unit_clip(y, epsilon) / p
            }
            Self::KlDivergence { .. } => T::zero(),
            Self::Poisson { epsilon } => T::one() - y / (p + epsilon),
            Self::Hinge { squared, signed } => {
                let y = if signed { y + y - T::one() } else { y };
                let margin = T::one() - y * p;
                match (margin >= T::zero(), squared) {
                    (false, _) => T::zero(),
                    (true, false) => -y,
                    (true, true) => -(margin + margin) * y,
                }
            }
        }
    }
}

/// A computation over many elements, written once for any formula.
pub(super) trait ForEachFormula<T> {
    type Output;
    /// Runs with `element`, which returns one variant known at compile time.
    fn run(self, element: impl Fn() -> Element<T> + Copy) -> Self::Output;
}

impl<T: Float> Element<T> {
    /// Runs `computation` compiled for this variant: the `match` happens
    /// once here instead of once per element, and each loop is the
    /// variant's own (which the compiler can vectorize).
    pub(super) fn monomorphic<C: ForEachFormula<T>>(self, computation: C) -> C::Output {
        match self {
            Self::Binary { smoothing } => computation.run(move || Self::Binary { smoothing }),
            Self::BinaryLogits { smoothing } => {
                computation.run(move || Self::BinaryLogits { smoothing })
            }
            Self::BinaryFocal { focal, logits } => {
                computation.run(move || Self::BinaryFocal { focal, logits })
            }
            Self::SquaredError => computation.run(|| Self::SquaredError),
            Self::AbsoluteError => computation.run(|| Self::AbsoluteError),
            Self::PercentageError { epsilon } => {
                computation.run(move || Self::PercentageError { epsilon })
            }
            Self::SquaredLogError { epsilon } => {
                computation.run(move || Self::SquaredLogError { epsilon })
            }
            Self::Huber { delta } => computation.run(move || Self::Huber { delta }),
            Self::LogCosh => computation.run(|| Self::LogCosh),
            Self::KlDivergence { epsilon } => {
                computation.run(move || Self::KlDivergence { epsilon })
            }
            Self::Poisson { epsilon } => computation.run(move || Self::Poisson { epsilon }),
            Self::Hinge { squared, signed } => {
                computation.run(move || Self::Hinge { squared, signed })
            }
        }
    }
}

impl<T: Float> Focal<T> {
    /// `(1 - p_t)^γ·bce` (times `α_t`), `p_t` from the unclipped `p`.
    fn value(&self, y: T, p: T) -> T {
        let y = binary_smooth(y, self.smoothing);
        let p_t = y * p + (T::one() - y) * (T::one() - p);
        self.weight(y) * (T::one() - p_t).powf(self.gamma) * clipped_loss(y, p)
    }

    /// `∂/∂p` of [`value`](Focal::value): the modulation's slope times bce
    /// plus the modulation times bce's (clipped) slope.
    fn slope(&self, y: T, p: T) -> T {
        let y = binary_smooth(y, self.smoothing);
        let q = T::one() - (y * p + (T::one() - y) * (T::one() - p));
        let dq = T::one() - (y + y); // ∂(1 - p_t)/∂p
        let decay = if self.gamma == T::zero() {
            T::zero()
        } else {
            self.gamma * q.powf(self.gamma - T::one()) * dq
        };
        let modulation = q.powf(self.gamma);
        self.weight(y) * (decay * clipped_loss(y, p) + modulation * clipped_loss_derivative(y, p))
    }

    fn weight(&self, y: T) -> T {
        self.alpha.map_or(T::one(), |alpha| {
            y * alpha + (T::one() - y) * (T::one() - alpha)
        })
    }
}

/// A focal loss's probability: the sigmoid of a logit, or the value.
fn probability<T: Float>(p: T, logits: bool) -> T {
    if logits { Sigmoid.apply(p) } else { p }
}

/// Binary label smoothing: `y·(1 - s) + s/2`.
fn binary_smooth<T: Float>(y: T, s: T) -> T {
    if s == T::zero() {
        y
    } else {
        y * (T::one() - s) + s * half::<T>()
    }
}

fn unit_clip<T: Float>(v: T, epsilon: T) -> T {
    v.max(epsilon).min(T::one())
}

/// `ln cosh e` without cancellation: `ln(1 + 2·sinh²(e/2))` for `|e| < 1`,
/// `|e| + ln(1 + e^(-2|e|)) - ln 2` beyond (no overflow of `cosh`).
fn log_cosh<T: Float>(e: T) -> T {
    let a = e.abs();
    if a < T::one() {
        let s = (a * half::<T>()).sinh();
        (s * s * (T::one() + T::one())).ln_1p()
    } else {
        a + (-(a + a)).exp().ln_1p() - crate::precision::narrow(std::f64::consts::LN_2)
    }
}

/// Hinge labels as Keras takes them: when every label is 0 or 1 they
/// become `2y - 1`; any other set is used as given.
pub(super) fn signed_labels<'a, T: Float + 'a>(labels: impl IntoIterator<Item = &'a T>) -> bool {
    labels.into_iter().all(|&y| y == T::zero() || y == T::one())
}

fn half<T: Float>() -> T {
    crate::precision::narrow(0.5)
}

fn hundred<T: Float>() -> T {
    crate::precision::narrow(100.0)
}

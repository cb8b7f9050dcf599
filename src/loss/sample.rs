//! One sample's loss and gradient for any [`Loss`]: the loss resolved to
//! its arguments in the element type, dispatching to the formulas of
//! elementwise.rs, categorical.rs and cosine similarity here.

use super::Loss;
use super::categorical::{self as cat, Probabilities};
use super::elementwise::{Element, Focal};
use super::softmax_cross_entropy::{Targets, cross_entropy};
use crate::precision::narrow;
use num_traits::Float;

/// A [`Loss`] with its arguments in `T`, ready to run on rows.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Sample<T> {
    /// A function of each element, then the mean (or sum) over the row.
    Element(Element<T>),
    /// Categorical cross-entropy on probabilities, or its focal form with
    /// `(α, γ)`.
    Categorical {
        probabilities: Probabilities<T>,
        focal: Option<(T, T)>,
    },
    /// The categorical focal loss on logits: on their softmax.
    FocalLogits {
        probabilities: Probabilities<T>,
        focal: (T, T),
    },
    /// Sparse categorical cross-entropy on probabilities: the row's label
    /// is a class index.
    Sparse {
        probabilities: Probabilities<T>,
    },
    /// Categorical or sparse categorical cross-entropy from logits (the
    /// fused sweep of softmax_cross_entropy.rs).
    Logits(Targets<T>),
    CategoricalHinge,
    Cosine {
        epsilon: T,
    },
}

impl<T: Float> Sample<T> {
    /// The loss in `T`; `signed_hinge` says whether hinge labels in
    /// `{0, 1}` count as `±1` (a property of the whole batch).
    pub(crate) fn new(loss: &Loss, signed_hinge: bool) -> Self {
        let epsilon: T = narrow(super::EPSILON);
        let probabilities = |smoothing: f64| Probabilities {
            epsilon,
            smoothing: narrow(smoothing),
        };
        let element = match *loss {
            Loss::BinaryCrossentropy {
                from_logits,
                label_smoothing,
            } => {
                let smoothing = narrow(label_smoothing);
                if from_logits {
                    Element::BinaryLogits { smoothing }
                } else {
                    Element::Binary { smoothing }
                }
            }
            Loss::BinaryFocalCrossentropy {
                apply_class_balancing,
                alpha,
                gamma,
                from_logits,
                label_smoothing,
            } => Element::BinaryFocal {
                focal: Focal {
                    alpha: apply_class_balancing.then(|| narrow(alpha)),
                    gamma: narrow(gamma),
                    smoothing: narrow(label_smoothing),
                },
                logits: from_logits,
            },
            Loss::CategoricalCrossentropy {
                from_logits,
                label_smoothing,
            } => {
                return if from_logits {
                    Self::Logits(Targets::Dense {
                        smoothing: narrow(label_smoothing),
                    })
                } else {
                    Self::Categorical {
                        probabilities: probabilities(label_smoothing),
                        focal: None,
                    }
                };
            }
            Loss::CategoricalFocalCrossentropy {
                alpha,
                gamma,
                from_logits,
                label_smoothing,
            } => {
                let (probabilities, focal) = (
                    probabilities(label_smoothing),
                    (narrow(alpha), narrow(gamma)),
                );
                return if from_logits {
                    Self::FocalLogits {
                        probabilities,
                        focal,
                    }
                } else {
                    Self::Categorical {
                        probabilities,
                        focal: Some(focal),
                    }
                };
            }
            Loss::SparseCategoricalCrossentropy { from_logits } => {
                return if from_logits {
                    Self::Logits(Targets::Sparse)
                } else {
                    Self::Sparse {
                        probabilities: probabilities(0.0),
                    }
                };
            }
            Loss::MeanSquaredError => Element::SquaredError,
            Loss::MeanAbsoluteError => Element::AbsoluteError,
            Loss::MeanAbsolutePercentageError => Element::PercentageError { epsilon },
            Loss::MeanSquaredLogarithmicError => Element::SquaredLogError { epsilon },
            Loss::Huber { delta } => Element::Huber {
                delta: narrow(delta),
            },
            Loss::LogCosh => Element::LogCosh,
            Loss::KlDivergence => Element::KlDivergence { epsilon },
            Loss::Poisson => Element::Poisson { epsilon },
            Loss::Hinge => Element::Hinge {
                squared: false,
                signed: signed_hinge,
            },
            Loss::SquaredHinge => Element::Hinge {
                squared: true,
                signed: signed_hinge,
            },
            Loss::CategoricalHinge => return Self::CategoricalHinge,
            Loss::CosineSimilarity => return Self::Cosine { epsilon },
        };
        Self::Element(element)
    }

    /// The loss of the sample with labels `y` and predictions `p`.
    pub(super) fn value(&self, y: &[T], p: &[T]) -> T {
        match *self {
            Self::Element(element) => {
                let sum = y
                    .iter()
                    .zip(p)
                    .fold(T::zero(), |s, (&y, &p)| s + element.value(y, p));
                if element.sums() {
                    sum
                } else {
                    sum / narrow(y.len() as f64)
                }
            }
            Self::Categorical {
                probabilities,
                focal: None,
            } => probabilities.value(y, p),
            Self::Categorical {
                probabilities,
                focal: Some((alpha, gamma)),
            } => probabilities.focal_value(y, p, alpha, gamma),
            Self::FocalLogits {
                probabilities,
                focal: (alpha, gamma),
            } => probabilities.focal_value(y, &softmax(p), alpha, gamma),
            Self::Sparse { probabilities } => probabilities.sparse_value(class(y), p),
            Self::Logits(targets) => {
                let mut value = [T::zero()];
                cross_entropy(targets, y, p, &mut value, None);
                value[0]
            }
            Self::CategoricalHinge => cat::hinge_value(y, p),
            Self::Cosine { epsilon } => cosine_value(y, p, epsilon),
        }
    }

    /// `grad ← scale · ∂value/∂p` for the sample.
    pub(super) fn gradient(&self, y: &[T], p: &[T], scale: T, grad: &mut [T]) {
        match *self {
            Self::Element(element) => {
                let scale = if element.sums() {
                    scale
                } else {
                    scale / narrow(y.len() as f64)
                };
                for ((g, &y), &p) in grad.iter_mut().zip(y).zip(p) {
                    *g = element.slope(y, p) * scale;
                }
            }
            Self::Categorical {
                probabilities,
                focal: None,
            } => probabilities.gradient(y, p, scale, grad),
            Self::Categorical {
                probabilities,
                focal: Some(focal),
            } => probabilities.focal_gradient(y, p, focal, scale, grad),
            Self::FocalLogits {
                probabilities,
                focal,
            } => {
                let s = softmax(p);
                probabilities.focal_gradient(y, &s, focal, scale, grad);
                cat::softmax_backward(&s, grad);
            }
            Self::Sparse { probabilities } => {
                probabilities.sparse_gradient(class(y), p, scale, grad);
            }
            Self::Logits(targets) => {
                cross_entropy(targets, y, p, &mut [T::zero()], Some((grad, scale)));
            }
            Self::CategoricalHinge => cat::hinge_gradient(y, p, scale, grad),
            Self::Cosine { epsilon } => cosine_gradient(y, p, epsilon, scale, grad),
        }
    }
}

/// A sparse label row's class (checked to be an integer in range before).
fn class<T: Float>(y: &[T]) -> usize {
    y.first().and_then(|y| y.to_usize()).unwrap_or(0)
}

fn softmax<T: Float>(z: &[T]) -> Vec<T> {
    let mut s = z.to_vec();
    cat::softmax_in_place(&mut s);
    s
}

/// Keras's `l2_normalize` factor: `min(1/‖v‖, 1/ε)`, so a zero vector
/// stays zero.
fn inverse_norm<T: Float>(v: &[T], epsilon: T) -> T {
    let squares = v.iter().fold(T::zero(), |s, &v| s + v * v);
    (T::one() / squares.sqrt()).min(T::one() / epsilon)
}

/// `-Σ ŷ·p̂` with `v̂ = v·min(1/‖v‖, 1/ε)`.
fn cosine_value<T: Float>(y: &[T], p: &[T], epsilon: T) -> T {
    let (ky, kp) = (inverse_norm(y, epsilon), inverse_norm(p, epsilon));
    -y.iter()
        .zip(p)
        .fold(T::zero(), |s, (&y, &p)| s + y * ky * (p * kp))
}

/// Its gradient: `-(ŷ - (ŷ·p̂)·p̂)·k` while the norm is not capped, `-ŷ/ε`
/// when it is (the factor is then a constant).
fn cosine_gradient<T: Float>(y: &[T], p: &[T], epsilon: T, scale: T, grad: &mut [T]) {
    let (ky, kp) = (inverse_norm(y, epsilon), inverse_norm(p, epsilon));
    let capped = kp >= T::one() / epsilon;
    let dot = y
        .iter()
        .zip(p)
        .fold(T::zero(), |s, (&y, &p)| s + y * ky * (p * kp));
    for ((g, &y), &p) in grad.iter_mut().zip(y).zip(p) {
        let along = if capped { T::zero() } else { dot * p * kp };
        *g = -(y * ky - along) * kp * scale;
    }
}

//! The builder methods of [`Loss`]: Keras's optional arguments
//! (`from_logits`, `label_smoothing`, `alpha`/`gamma`,
//! `apply_class_balancing`, `delta`), each checked.

use super::Loss;
use crate::error::Error;

impl Loss {
    /// The loss on logits (`true`) or on probabilities (`false`): Keras's
    /// `from_logits` argument of the cross-entropy family.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for a loss that has no logits form.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::loss::Loss;
    ///
    /// assert!(Loss::categorical_crossentropy().from_logits(true)?.is_from_logits());
    /// assert!(Loss::Hinge.from_logits(true).is_err());
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn from_logits(mut self, logits: bool) -> Result<Self, Error> {
        match &mut self {
            Self::BinaryCrossentropy { from_logits, .. }
            | Self::BinaryFocalCrossentropy { from_logits, .. }
            | Self::CategoricalCrossentropy { from_logits, .. }
            | Self::CategoricalFocalCrossentropy { from_logits, .. }
            | Self::SparseCategoricalCrossentropy { from_logits } => *from_logits = logits,
            _ if !logits => {}
            _ => return Err(self.refuses("from_logits", "a cross-entropy loss", "true")),
        }
        Ok(self)
    }

    /// The loss with label smoothing `s ∈ [0, 1]` (binary, categorical and
    /// focal cross-entropies).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for `s` outside `[0, 1]` or a loss
    /// without label smoothing.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::loss::Loss;
    ///
    /// assert!(Loss::binary_crossentropy().label_smoothing(0.2).is_ok());
    /// assert!(Loss::binary_crossentropy().label_smoothing(1.5).is_err());
    /// ```
    pub fn label_smoothing(mut self, s: f64) -> Result<Self, Error> {
        check_range(
            "label_smoothing",
            s,
            (0.0..=1.0).contains(&s),
            "a value in [0, 1]",
        )?;
        match &mut self {
            Self::BinaryCrossentropy {
                label_smoothing, ..
            }
            | Self::BinaryFocalCrossentropy {
                label_smoothing, ..
            }
            | Self::CategoricalCrossentropy {
                label_smoothing, ..
            }
            | Self::CategoricalFocalCrossentropy {
                label_smoothing, ..
            } => *label_smoothing = s,
            _ => {
                return Err(self.refuses(
                    "label_smoothing",
                    "a cross-entropy loss with labels",
                    &s.to_string(),
                ));
            }
        }
        Ok(self)
    }

    /// A focal loss with weight `α` (in `[0, 1]`) and exponent `γ ≥ 0`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for values out of range, or a loss that
    /// is not focal.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::loss::Loss;
    ///
    /// assert!(Loss::categorical_focal_crossentropy().focal(0.25, -1.0).is_err());
    /// ```
    pub fn focal(mut self, alpha_value: f64, gamma_value: f64) -> Result<Self, Error> {
        check_range(
            "alpha",
            alpha_value,
            (0.0..=1.0).contains(&alpha_value),
            "a value in [0, 1]",
        )?;
        check_range(
            "gamma",
            gamma_value,
            gamma_value >= 0.0 && gamma_value.is_finite(),
            "a finite value ≥ 0",
        )?;
        match &mut self {
            Self::BinaryFocalCrossentropy { alpha, gamma, .. }
            | Self::CategoricalFocalCrossentropy { alpha, gamma, .. } => {
                (*alpha, *gamma) = (alpha_value, gamma_value);
            }
            _ => {
                return Err(self.refuses(
                    "alpha and gamma",
                    "a focal loss",
                    &alpha_value.to_string(),
                ));
            }
        }
        Ok(self)
    }

    /// Binary focal cross-entropy with or without Keras's
    /// `apply_class_balancing`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for another loss.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::loss::Loss;
    ///
    /// assert!(Loss::binary_focal_crossentropy().class_balancing(true).is_ok());
    /// assert!(Loss::Poisson.class_balancing(true).is_err());
    /// ```
    pub fn class_balancing(mut self, on: bool) -> Result<Self, Error> {
        match &mut self {
            Self::BinaryFocalCrossentropy {
                apply_class_balancing,
                ..
            } => *apply_class_balancing = on,
            _ => {
                return Err(self.refuses(
                    "apply_class_balancing",
                    "binary focal cross-entropy",
                    &on.to_string(),
                ));
            }
        }
        Ok(self)
    }

    /// Huber's loss with `δ > 0`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for `δ ≤ 0` or not finite, or another
    /// loss.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::loss::Loss;
    ///
    /// assert!(Loss::huber().delta(0.0).is_err());
    /// ```
    pub fn delta(mut self, value: f64) -> Result<Self, Error> {
        check_range(
            "delta",
            value,
            value > 0.0 && value.is_finite(),
            "a finite value > 0",
        )?;
        match &mut self {
            Self::Huber { delta } => *delta = value,
            _ => return Err(self.refuses("delta", "the Huber loss", &value.to_string())),
        }
        Ok(self)
    }

    /// The error for an argument this loss does not have.
    fn refuses(&self, argument: &'static str, expected: &'static str, found: &str) -> Error {
        Error::InvalidParameter {
            name: argument,
            expected,
            found: format!("{found} for {}", self.name()),
        }
    }
}

/// `Ok` when `ok`, else the error for `name = value`.
fn check_range(
    name: &'static str,
    value: f64,
    ok: bool,
    expected: &'static str,
) -> Result<(), Error> {
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

//! [`Loss`]: which of Keras 3's per-sample losses, with its arguments,
//! chosen by Keras name as `compile(loss="...")` does.

use crate::error::Error;
use std::fmt;
use std::str::FromStr;

/// One of Keras 3's per-sample losses with its arguments, as
/// `model.compile(loss=...)` takes it: chosen by name (`"mse".parse()`,
/// Keras's names and aliases, with Keras's default arguments) or built
/// from a constructor, then given to
/// [`Sequential::compile`](crate::Sequential::compile) or used on its own
/// through [`value`](Loss::value) and [`gradient`](Loss::gradient).
///
/// Every loss reduces a sample (a row) to one value and the batch as
/// Keras's default `sum_over_batch_size` does: the sum of the per-sample
/// losses (times their sample weights) over the number of samples. The
/// variants' fields are the Keras arguments; they are `#[non_exhaustive]`,
/// so build a loss with [`FromStr`], the constructors and the builder
/// methods ([`from_logits`](Loss::from_logits),
/// [`label_smoothing`](Loss::label_smoothing), …), and match with `..`.
///
/// # Example
///
/// ```
/// use ndarray::array;
/// use neurite::loss::Loss;
///
/// let mse: Loss = "mse".parse()?;
/// assert_eq!(mse, Loss::MeanSquaredError);
/// assert_eq!(mse.value(&array![[1.0_f64, 2.0]], &array![[1.5, 2.0]])?, 0.125);
///
/// let sparse = "sparse_categorical_crossentropy".parse::<Loss>()?.from_logits(true)?;
/// let loss = sparse.value(&array![[1.0_f32]], &array![[0.0, 0.0]])?;
/// assert!((loss - 2.0_f32.ln()).abs() < 1e-7);
/// assert!(Loss::MeanSquaredError.from_logits(true).is_err());
/// # Ok::<(), neurite::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Loss {
    /// `binary_crossentropy` (alias `bce`): the mean over a sample of
    /// `-(y·ln p + (1 - y)·ln(1 - p))`, `p` clipped to `[ε, 1 - ε]`.
    #[non_exhaustive]
    BinaryCrossentropy {
        /// Whether predictions are logits.
        from_logits: bool,
        /// `s`: labels become `y·(1 - s) + s/2`.
        label_smoothing: f64,
    },
    /// `binary_focal_crossentropy`: `(1 - p_t)^γ` times binary
    /// cross-entropy, `p_t = y·p + (1 - y)·(1 - p)`; with class balancing
    /// also `α_t = y·α + (1 - y)·(1 - α)`.
    #[non_exhaustive]
    BinaryFocalCrossentropy {
        /// Whether `alpha` weighs the classes (Keras's
        /// `apply_class_balancing`; without it `alpha` is unused).
        apply_class_balancing: bool,
        /// The weight of the positive class.
        alpha: f64,
        /// The focusing exponent `γ`.
        gamma: f64,
        /// Whether predictions are logits.
        from_logits: bool,
        /// `s`: labels become `y·(1 - s) + s/2`.
        label_smoothing: f64,
    },
    /// `categorical_crossentropy`: `-Σ y·ln p` over a sample of one-hot
    /// (or probability) labels; probabilities are normalised, then clipped.
    #[non_exhaustive]
    CategoricalCrossentropy {
        /// Whether predictions are logits.
        from_logits: bool,
        /// `s`: labels become `y·(1 - s) + s/classes`.
        label_smoothing: f64,
    },
    /// `categorical_focal_crossentropy`: `Σ α·(1 - p)^γ·(-y·ln p)`.
    #[non_exhaustive]
    CategoricalFocalCrossentropy {
        /// The weight `α`.
        alpha: f64,
        /// The focusing exponent `γ`.
        gamma: f64,
        /// Whether predictions are logits.
        from_logits: bool,
        /// `s`: labels become `y·(1 - s) + s/classes`.
        label_smoothing: f64,
    },
    /// `sparse_categorical_crossentropy`: `-ln p[label]` for a label that
    /// is a class index (a `(batch, 1)` column); probabilities are clipped,
    /// then renormalised.
    #[non_exhaustive]
    SparseCategoricalCrossentropy {
        /// Whether predictions are logits.
        from_logits: bool,
    },
    /// `mean_squared_error` (`mse`): the mean of `(y - p)²`.
    MeanSquaredError,
    /// `mean_absolute_error` (`mae`): the mean of `|y - p|`.
    MeanAbsoluteError,
    /// `mean_absolute_percentage_error` (`mape`): `100 ·` the mean of
    /// `|y - p| / max(|y|, ε)`.
    MeanAbsolutePercentageError,
    /// `mean_squared_logarithmic_error` (`msle`): the mean of
    /// `(ln(1 + max(p, ε)) - ln(1 + max(y, ε)))²`.
    MeanSquaredLogarithmicError,
    /// `huber`: the mean of `e²/2` where `|e| ≤ δ`, else `δ·|e| - δ²/2`.
    #[non_exhaustive]
    Huber {
        /// Where the loss turns from quadratic to linear.
        delta: f64,
    },
    /// `log_cosh` (`logcosh`): the mean of `ln cosh(p - y)`.
    LogCosh,
    /// `kl_divergence` (`kld`): `Σ y·ln(y/p)`, both clipped to `[ε, 1]`.
    KlDivergence,
    /// `poisson`: the mean of `p - y·ln(p + ε)`.
    Poisson,
    /// `hinge`: the mean of `max(1 - y·p, 0)`, labels in `{0, 1}` mapped
    /// to `{-1, 1}`.
    Hinge,
    /// `squared_hinge`: the mean of `max(1 - y·p, 0)²`.
    SquaredHinge,
    /// `categorical_hinge`: `max(max((1 - y)·p) - Σ y·p + 1, 0)`.
    CategoricalHinge,
    /// `cosine_similarity`: minus the cosine between `y` and `p` (`-1` is
    /// best).
    CosineSimilarity,
}

/// Every name that parses, with the loss it gives: Keras's function names,
/// its short aliases and its class names.
const NAMES: &[(&str, Loss)] = &[
    ("binary_crossentropy", Loss::binary_crossentropy()),
    ("bce", Loss::binary_crossentropy()),
    ("BinaryCrossentropy", Loss::binary_crossentropy()),
    (
        "binary_focal_crossentropy",
        Loss::binary_focal_crossentropy(),
    ),
    ("BinaryFocalCrossentropy", Loss::binary_focal_crossentropy()),
    ("categorical_crossentropy", Loss::categorical_crossentropy()),
    ("CategoricalCrossentropy", Loss::categorical_crossentropy()),
    (
        "categorical_focal_crossentropy",
        Loss::categorical_focal_crossentropy(),
    ),
    (
        "CategoricalFocalCrossentropy",
        Loss::categorical_focal_crossentropy(),
    ),
    (
        "sparse_categorical_crossentropy",
        Loss::sparse_categorical_crossentropy(),
    ),
    (
        "SparseCategoricalCrossentropy",
        Loss::sparse_categorical_crossentropy(),
    ),
    ("mean_squared_error", Loss::MeanSquaredError),
    ("mse", Loss::MeanSquaredError),
    ("MSE", Loss::MeanSquaredError),
    ("MeanSquaredError", Loss::MeanSquaredError),
    ("mean_absolute_error", Loss::MeanAbsoluteError),
    ("mae", Loss::MeanAbsoluteError),
    ("MAE", Loss::MeanAbsoluteError),
    ("MeanAbsoluteError", Loss::MeanAbsoluteError),
    (
        "mean_absolute_percentage_error",
        Loss::MeanAbsolutePercentageError,
    ),
    ("mape", Loss::MeanAbsolutePercentageError),
    ("MAPE", Loss::MeanAbsolutePercentageError),
    (
        "MeanAbsolutePercentageError",
        Loss::MeanAbsolutePercentageError,
    ),
    (
        "mean_squared_logarithmic_error",
        Loss::MeanSquaredLogarithmicError,
    ),
    ("msle", Loss::MeanSquaredLogarithmicError),
    ("MSLE", Loss::MeanSquaredLogarithmicError),
    (
        "MeanSquaredLogarithmicError",
        Loss::MeanSquaredLogarithmicError,
    ),
    ("huber", Loss::huber()),
    ("huber_loss", Loss::huber()),
    ("Huber", Loss::huber()),
    ("log_cosh", Loss::LogCosh),
    ("logcosh", Loss::LogCosh),
    ("LogCosh", Loss::LogCosh),
    ("kl_divergence", Loss::KlDivergence),
    ("kld", Loss::KlDivergence),
    ("KLD", Loss::KlDivergence),
    ("kullback_leibler_divergence", Loss::KlDivergence),
    ("KLDivergence", Loss::KlDivergence),
    ("poisson", Loss::Poisson),
    ("Poisson", Loss::Poisson),
    ("hinge", Loss::Hinge),
    ("Hinge", Loss::Hinge),
    ("squared_hinge", Loss::SquaredHinge),
    ("SquaredHinge", Loss::SquaredHinge),
    ("categorical_hinge", Loss::CategoricalHinge),
    ("CategoricalHinge", Loss::CategoricalHinge),
    ("cosine_similarity", Loss::CosineSimilarity),
    ("CosineSimilarity", Loss::CosineSimilarity),
];

impl Loss {
    /// Keras's `binary_crossentropy`: probabilities, no label smoothing.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::loss::Loss;
    ///
    /// assert_eq!("bce".parse::<Loss>()?, Loss::binary_crossentropy());
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub const fn binary_crossentropy() -> Self {
        Self::BinaryCrossentropy {
            from_logits: false,
            label_smoothing: 0.0,
        }
    }

    /// Keras's `binary_focal_crossentropy` with its defaults: `γ = 2`,
    /// `α = 0.25` unused until class balancing is on.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::loss::Loss;
    ///
    /// let focal = Loss::binary_focal_crossentropy().focal(0.5, 3.0)?.class_balancing(true)?;
    /// assert!(matches!(focal, Loss::BinaryFocalCrossentropy { alpha: 0.5, gamma: 3.0, .. }));
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub const fn binary_focal_crossentropy() -> Self {
        Self::BinaryFocalCrossentropy {
            apply_class_balancing: false,
            alpha: 0.25,
            gamma: 2.0,
            from_logits: false,
            label_smoothing: 0.0,
        }
    }

    /// Keras's `categorical_crossentropy`: probabilities, no smoothing.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::loss::Loss;
    ///
    /// let smoothed = Loss::categorical_crossentropy().label_smoothing(0.1)?;
    /// assert!(matches!(smoothed, Loss::CategoricalCrossentropy { label_smoothing: 0.1, .. }));
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub const fn categorical_crossentropy() -> Self {
        Self::CategoricalCrossentropy {
            from_logits: false,
            label_smoothing: 0.0,
        }
    }

    /// Keras's `categorical_focal_crossentropy`: `α = 0.25`, `γ = 2`.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::loss::Loss;
    ///
    /// assert_eq!("categorical_focal_crossentropy".parse::<Loss>()?, Loss::categorical_focal_crossentropy());
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub const fn categorical_focal_crossentropy() -> Self {
        Self::CategoricalFocalCrossentropy {
            alpha: 0.25,
            gamma: 2.0,
            from_logits: false,
            label_smoothing: 0.0,
        }
    }

    /// Keras's `sparse_categorical_crossentropy` on probabilities.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::loss::Loss;
    ///
    /// let logits = Loss::sparse_categorical_crossentropy().from_logits(true)?;
    /// assert!(logits.is_from_logits());
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub const fn sparse_categorical_crossentropy() -> Self {
        Self::SparseCategoricalCrossentropy { from_logits: false }
    }

    /// Keras's `huber` with `δ = 1`.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::loss::Loss;
    ///
    /// assert!(matches!(Loss::huber().delta(0.5)?, Loss::Huber { delta: 0.5, .. }));
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub const fn huber() -> Self {
        Self::Huber { delta: 1.0 }
    }

    /// The Keras name of the loss (`"mean_squared_error"`, …).
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::loss::Loss;
    ///
    /// assert_eq!("mse".parse::<Loss>()?.name(), "mean_squared_error");
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn name(&self) -> &'static str {
        NAMES
            .iter()
            .find(|(_, loss)| std::mem::discriminant(loss) == std::mem::discriminant(self))
            .map_or("unknown", |(name, _)| name)
    }

    /// Whether the loss takes logits rather than probabilities.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::loss::Loss;
    ///
    /// assert!(!Loss::binary_crossentropy().is_from_logits());
    /// ```
    pub fn is_from_logits(&self) -> bool {
        match *self {
            Self::BinaryCrossentropy { from_logits, .. }
            | Self::BinaryFocalCrossentropy { from_logits, .. }
            | Self::CategoricalCrossentropy { from_logits, .. }
            | Self::CategoricalFocalCrossentropy { from_logits, .. }
            | Self::SparseCategoricalCrossentropy { from_logits } => from_logits,
            _ => false,
        }
    }
}

impl Default for Loss {
    /// Binary cross-entropy, what a model that was never compiled uses.
    fn default() -> Self {
        Self::binary_crossentropy()
    }
}

impl FromStr for Loss {
    type Err = Error;

    /// Keras's names, aliases and class names, with Keras's defaults.
    fn from_str(name: &str) -> Result<Self, Error> {
        NAMES
            .iter()
            .find(|(known, _)| *known == name)
            .map(|&(_, loss)| loss)
            .ok_or_else(|| Error::InvalidParameter {
                name: "loss",
                expected: "a Keras loss name (binary_crossentropy, categorical_crossentropy, \
                           sparse_categorical_crossentropy, mse, mae, mape, msle, huber, log_cosh, \
                           kl_divergence, poisson, hinge, squared_hinge, categorical_hinge, \
                           cosine_similarity, binary_focal_crossentropy, \
                           categorical_focal_crossentropy or an alias)",
                found: format!("{:?}", crate::error::shorten(name)),
            })
    }
}

impl fmt::Display for Loss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

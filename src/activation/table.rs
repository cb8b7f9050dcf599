//! The macro behind the name table of the built-in activations
//! (builtin.rs holds the table itself).
//!
//! From one line per activation it writes everything that lists the
//! built-ins: the [`BuiltinActivation`](super::BuiltinActivation) enum and
//! its conversions, parsing by Keras name (aliases included), the list of
//! names for error messages, each type's [`KerasName`](super::KerasName),
//! and the type-free description
//! [`ActivationSpec`](crate::io::ActivationSpec) with its parameters. An
//! activation's own file gives the formula, and for one with parameters its
//! [`Parameters`](super::Parameters): Keras's defaults and how the values
//! go in and out.

/// `plain { Type = "name" | "alias", … } with_parameters { Type { field: f64, … } = "name", … }`:
/// plain types are unit structs built with `Default`; the others are
/// generic over `T` and implement [`Parameters`](super::Parameters) with
/// their fields in the order given here. A field is an `f64` (a number in
/// the element type) or a `bool` (see [`SpecValue`](super::SpecValue)).
macro_rules! builtin_activations {
    (
        plain { $($plain:ident = $plain_name:literal $(| $plain_alias:literal)*,)* }
        with_parameters { $(
            $(#[$doc:meta])*
            $param:ident { $($(#[$field_doc:meta])* $field:ident: $field_ty:ty),+ } = $param_name:literal $(| $param_alias:literal)*,
        )* }
    ) => {
        /// Any of the built-in activations, for choosing one at run time (by
        /// its Keras name, from a configuration, or when loading a model).
        ///
        /// Parsing accepts Keras's names and aliases (listed by
        /// [`KERAS_NAMES`]), each with the arguments Keras uses
        /// when a `Dense` layer names it by string: `"elu"` has `alpha = 1`,
        /// and `"leaky_relu"` has Keras's slope `0.2` as TensorFlow stores it
        /// (the `f32` value nearest 0.2, also in `f64` networks), so a model
        /// exported from Keras gives the same outputs. This differs from
        /// [`LeakyRelu::default`], the tutorial's `0.1`.
        ///
        /// # Example
        ///
        /// ```
        /// use neurite::{Activation, BuiltinActivation, Error};
        ///
        /// let relu: BuiltinActivation<f32> = "relu".parse()?;
        /// assert_eq!(relu.apply(-1.0), 0.0);
        ///
        /// let unknown = "glu".parse::<BuiltinActivation<f32>>();
        /// assert!(matches!(unknown, Err(Error::UnknownActivation { .. })));
        /// # Ok::<(), Error>(())
        /// ```
        #[derive(Clone, Copy, PartialEq)]
        #[non_exhaustive]
        pub enum BuiltinActivation<T> {
            $(#[doc = concat!("[`", stringify!($plain), "`].")] $plain($plain),)*
            $(#[doc = concat!("[`", stringify!($param), "`].")] $param($param<T>),)*
        }

        /// Every name that [`BuiltinActivation`] parses, in the table's
        /// order, each Keras name followed by its aliases.
        ///
        /// # Example
        ///
        /// ```
        /// use neurite::activation::KERAS_NAMES;
        ///
        /// assert!(KERAS_NAMES.contains(&"leaky_relu"));
        /// ```
        pub const KERAS_NAMES: &[&str] = &[
            $($plain_name, $($plain_alias,)*)*
            $($param_name, $($param_alias,)*)*
        ];

        impl<T: Float> BuiltinActivation<T> {
            /// The activation as a trait object.
            fn inner(&self) -> &dyn Activation<T> {
                match self {
                    $(Self::$plain(f) => f,)*
                    $(Self::$param(f) => f,)*
                }
            }

            /// The built-in called `name` (a Keras name or alias), with
            /// Keras's default arguments.
            fn from_keras_name(name: &str) -> Option<Self> {
                match name {
                    $($plain_name $(| $plain_alias)* => Some(Self::$plain($plain)),)*
                    $($param_name $(| $param_alias)* => {
                        Some(Self::$param(<$param<T> as Parameters<T>>::keras_default()))
                    })*
                    _ => None,
                }
            }
        }

        $(
            impl<T> From<$plain> for BuiltinActivation<T> {
                fn from(activation: $plain) -> Self {
                    Self::$plain(activation)
                }
            }
            impl KerasName for $plain {
                const NAME: &'static str = $plain_name;
            }
        )*
        $(
            impl<T> From<$param<T>> for BuiltinActivation<T> {
                fn from(activation: $param<T>) -> Self {
                    Self::$param(activation)
                }
            }
            impl<T> KerasName for $param<T> {
                const NAME: &'static str = $param_name;
            }
        )*

        /// A built-in activation with its parameters, in a form that does not
        /// depend on the element type: the parameters are `f64`s (the exact
        /// value of an `f32` or `f64` parameter, so converting back is
        /// exact).
        ///
        /// In JSON (and any serde format) the function is the `"name"` field
        /// (Keras's names) and each parameter a field of its own:
        /// `{"name": "relu"}`, `{"name": "leaky_relu", "slope": 0.2}`,
        /// `{"name": "elu", "alpha": 1.0}`.
        ///
        /// # Example
        ///
        /// ```
        /// use neurite::io::ActivationSpec;
        /// use neurite::{Activation, BuiltinActivation, LeakyRelu};
        ///
        /// let spec = ActivationSpec::from(BuiltinActivation::from(LeakyRelu::new(0.1_f32)));
        /// assert_eq!(spec, ActivationSpec::LeakyRelu { slope: f64::from(0.1_f32) });
        /// let back: BuiltinActivation<f32> = spec.to_builtin();
        /// assert_eq!(back.apply(-1.0), -0.1_f32);
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
        #[serde(tag = "name")]
        #[non_exhaustive]
        pub enum ActivationSpec {
            $(
                #[doc = concat!("[`", stringify!($plain), "`](crate::", stringify!($plain), ").")]
                #[serde(rename = $plain_name)]
                $plain,
            )*
            $(
                $(#[$doc])*
                #[serde(rename = $param_name)]
                $param { $($(#[$field_doc])* $field: $field_ty,)+ },
            )*
        }

        impl ActivationSpec {
            /// The Keras name of the function (`"relu"`, `"leaky_relu"`, …),
            /// as in the JSON form.
            ///
            /// # Example
            ///
            /// ```
            /// use neurite::io::ActivationSpec;
            ///
            /// assert_eq!(ActivationSpec::Elu { alpha: 1.0 }.name(), "elu");
            /// ```
            pub fn name(&self) -> &'static str {
                match self {
                    $(Self::$plain => $plain_name,)*
                    $(Self::$param { .. } => $param_name,)*
                }
            }

            /// The activation in the element type `T`. Parameters are
            /// converted with `T::from(f64)`: exact for a parameter that came
            /// from a `T`.
            ///
            /// # Example
            ///
            /// ```
            /// use neurite::io::ActivationSpec;
            /// use neurite::{Activation, BuiltinActivation};
            ///
            /// let elu: BuiltinActivation<f64> = ActivationSpec::Elu { alpha: 0.5 }.to_builtin();
            /// assert_eq!(elu.apply(f64::NEG_INFINITY), -0.5);
            /// ```
            pub fn to_builtin<T: Float>(&self) -> BuiltinActivation<T> {
                match *self {
                    $(Self::$plain => BuiltinActivation::$plain($plain),)*
                    $(Self::$param { $($field),+ } => BuiltinActivation::$param(
                        <$param<T> as Parameters<T>>::from_values(($($field.narrow::<T>(),)+)),
                    ),)*
                }
            }

            /// Checks the parameters: each of its type's valid values
            /// (finite numbers: files hold no NaN or infinity), and in the
            /// range the function accepts.
            ///
            /// # Errors
            ///
            /// [`Error::Format`] naming `what`, the parameter and its value.
            pub(crate) fn check(&self, what: &str) -> Result<(), Error> {
                let problem = |field: &str, expected: &str, found: String| {
                    format_error(&format!("{what} activation {} {field}", self.name()), expected, found)
                };
                match *self {
                    $(Self::$plain => Ok(()),)*
                    $(Self::$param { $($field),+ } => {
                        $(if !$field.is_valid() {
                            return Err(problem(stringify!($field), <$field_ty as SpecValue>::EXPECTED, format!("{:?}", $field)));
                        })+
                        <$param<f64> as Parameters<f64>>::check(($($field.narrow::<f64>(),)+)).map_err(|error| match error {
                            Error::InvalidParameter { name, expected, found } => problem(name, expected, found),
                            other => other,
                        })
                    })*
                }
            }

            /// The description of the function called `name` (a Keras name,
            /// not an alias: files hold the names this crate writes), each
            /// parameter read from the field of its name in `fields`; also
            /// the field names its description may have.
            ///
            /// # Errors
            ///
            /// [`Error::UnknownActivation`] for a name that is not a
            /// built-in; [`Error::Format`] for a parameter that is missing
            /// or of the wrong type.
            pub(crate) fn from_parameters(
                name: &str,
                fields: &serde_json::Map<String, serde_json::Value>,
                what: &str,
            ) -> Result<(Self, &'static [&'static str]), Error> {
                match name {
                    $($plain_name => Ok((Self::$plain, &["name"])),)*
                    $($param_name => Ok((
                        Self::$param { $($field: spec_field::<$field_ty>(fields, stringify!($field), what)?),+ },
                        &["name", $(stringify!($field)),+],
                    )),)*
                    _ => Err(Error::UnknownActivation { name: shorten(name) }),
                }
            }
        }

        impl<T: Float> From<BuiltinActivation<T>> for ActivationSpec {
            /// The description of a built-in activation; parameters are
            /// widened to `f64` (exactly, for `f32` and `f64`).
            fn from(activation: BuiltinActivation<T>) -> Self {
                match activation {
                    $(BuiltinActivation::$plain(_) => Self::$plain,)*
                    $(BuiltinActivation::$param(f) => {
                        let ($($field,)+) = Parameters::values(&f);
                        Self::$param { $($field: <$field_ty as SpecValue>::widen::<T>($field)),+ }
                    })*
                }
            }
        }
    };
}

pub(super) use builtin_activations;

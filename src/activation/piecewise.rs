//! What the piecewise-linear activations share: the clamp of their scalar
//! definitions (the same comparisons, in the same order, as the kernels in
//! `kernels/piecewise.rs`, so that both give the same bits) and the range
//! checks of their parameters.

use crate::Error;
use crate::precision::widen;
use num_traits::Float;

/// `v` limited to `[lo, hi]`, NaN kept: `lo` unless `v > lo` (so
/// `clamp(-0, 0, hi) = +0`), then `hi` if `hi < v`.
pub(super) fn clamp<T: Float>(v: T, lo: T, hi: T) -> T {
    let above_lo = if v.is_nan() || v > lo { v } else { lo };
    if hi < above_lo { hi } else { above_lo }
}

/// `Ok` for a finite `value ≥ 0`: thresholds, slopes and caps that Keras
/// refuses when negative.
pub(super) fn non_negative<T: Float>(name: &'static str, value: T) -> Result<(), Error> {
    if value.is_finite() && value >= T::zero() {
        Ok(())
    } else {
        Err(invalid(name, "a finite number ≥ 0", value))
    }
}

/// `Ok` for a finite `value`.
pub(super) fn finite<T: Float>(name: &'static str, value: T) -> Result<(), Error> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(invalid(name, "a finite number", value))
    }
}

fn invalid<T: Float>(name: &'static str, expected: &'static str, value: T) -> Error {
    Error::InvalidParameter {
        name,
        expected,
        found: widen(value).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use crate::Error;

    /// The piecewise functions parse by Keras name with Keras's defaults, and
    /// `relu_with`'s cap is `null` for none, present either way.
    #[test]
    fn piecewise_names_parameters_and_ranges() {
        use crate::activation::{Activation, BuiltinActivation, HardShrink, ReluWith, Threshold};
        use crate::io::ActivationSpec;
        for name in [
            "relu6",
            "hard_sigmoid",
            "hard_silu",
            "hard_tanh",
            "sparse_plus",
        ] {
            assert_eq!(name.parse::<BuiltinActivation<f32>>().unwrap().name(), name);
        }
        let swish = "hard_swish".parse::<BuiltinActivation<f64>>().unwrap();
        assert_eq!(swish.name(), "hard_silu");
        let spec: ActivationSpec = serde_json::from_str(
            r#"{"name": "relu_with", "negative_slope": 0.5, "max_value": null, "threshold": 1.0}"#,
        )
        .unwrap();
        assert_eq!(spec.to_builtin::<f64>().apply(-1.0), -1.0);
        let text = serde_json::to_string(&spec).unwrap();
        assert!(text.contains(r#""max_value":null"#), "{text}");
        let missing = r#"{"name": "relu_with", "negative_slope": 0.0, "threshold": 0.0}"#;
        assert!(serde_json::from_str::<ActivationSpec>(missing).is_err());
        assert!(matches!(
            ReluWith::new(0.0, Some(-1.0_f32), 0.0),
            Err(Error::InvalidParameter {
                name: "max_value",
                ..
            })
        ));
        assert!(HardShrink::new(f64::NAN).is_err());
        assert!(Threshold::new(-2.0_f32, -5.0).is_ok());
    }
}

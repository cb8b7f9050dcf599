//! A neurite model as a Keras 3 `.keras` file: `config.json` (a
//! `Sequential` of an `InputLayer` and the model's layers, in the layout
//! Keras 3.15 writes; each layer's config in layer_config.rs),
//! `metadata.json` and `model.weights.h5`.

use super::archive::write_zip;
use super::config::snake_case;
use super::hdf5::{LayerVars, Values, write_weights};
use super::layer_config::{dtype_policy, layer_config};
use crate::error::{Error, format_error};

use crate::precision::{is_narrow, narrow, widen};
use crate::{Element, Layer, Sequential};
use serde_json::json;
use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

/// The Keras version whose `.keras` layout this writes (and that checked
/// the files: `keras.saving.load_model` opens them).
const KERAS_VERSION: &str = "3.15.1";

/// The name of the saved model in Keras.
const MODEL_NAME: &str = "sequential";

/// The bytes of a `.keras` file of `model`.
pub(super) fn keras_bytes<T: Element>(model: &Sequential<T>) -> Result<Vec<u8>, Error> {
    let spec = model.spec()?;
    let single = spec.dtype.as_deref() == Some("float32") || is_narrow::<T>();
    let policy = if single { "float32" } else { "float64" };
    let first = spec.layers.first().ok_or(Error::EmptyModel)?;
    let mut layers = vec![json!({
        "module": "keras.layers",
        "class_name": "InputLayer",
        "config": {
            "batch_shape": [null, first.inputs()],
            "dtype": policy,
            "sparse": false,
            "ragged": false,
            "name": "input_layer",
            "optional": false,
        },
        "registered_name": null,
    })];
    let mut vars = Vec::with_capacity(spec.layers.len());
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (index, (layer, built)) in spec.layers.iter().zip(model.layers()).enumerate() {
        // Keras's names, which are also the weights' groups: the class in
        // snake case, numbered from its second layer on.
        let count = seen.entry(layer.kind()).or_insert(0);
        let name = match *count {
            0 => snake_case(layer.kind()),
            n => format!("{}_{n}", snake_case(layer.kind())),
        };
        *count += 1;
        layers.push(layer_config::<T>(index, layer, &name, policy)?);
        vars.push(LayerVars {
            group: name.clone(),
            name,
            arrays: arrays(built, single, index)?,
        });
    }
    let width = json!([null, first.inputs()]);
    let config = json!({
        "module": "keras",
        "class_name": "Sequential",
        "config": {
            "name": MODEL_NAME,
            "trainable": true,
            "dtype": dtype_policy(policy),
            "layers": layers,
            "build_input_shape": width,
        },
        "registered_name": null,
        "build_config": {"input_shape": width},
    });
    let metadata =
        json!({"keras_version": KERAS_VERSION, "date_saved": date_saved(SystemTime::now())});
    let weights = write_weights(MODEL_NAME, &vars)?;
    write_zip(&[
        ("metadata.json", metadata.to_string().as_bytes()),
        ("config.json", config.to_string().as_bytes()),
        ("model.weights.h5", &weights),
    ])
}

/// `metadata.json`'s `date_saved`, as Keras writes it
/// (`strftime("%Y-%m-%d@%H:%M:%S")`), in UTC: Keras uses the local time,
/// which the standard library does not know.
fn date_saved(now: SystemTime) -> String {
    let seconds = now
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    let (days, time) = (seconds / 86_400, seconds % 86_400);
    let (year, month, day) = civil_date(days);
    let (hour, minute, second) = (time / 3600, time / 60 % 60, time % 60);
    format!("{year:04}-{month:02}-{day:02}@{hour:02}:{minute:02}:{second:02}")
}

/// The proleptic Gregorian `(year, month, day)` of a count of days since
/// 1970-01-01, by eras of 400 years (146 097 days), each counted from
/// March so that the leap day falls last.
fn civil_date(days: u64) -> (u64, u64, u64) {
    let shifted = days + 719_468; // days from 0000-03-01
    let (era, day_of_era) = (shifted / 146_097, shifted % 146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = era * 400 + year_of_era + u64::from(month <= 2);
    (year, month, day)
}

/// A layer's weight arrays as float32 (`single`) or float64 values.
fn arrays<T: Element>(
    layer: &dyn Layer<T>,
    single: bool,
    index: usize,
) -> Result<Vec<(Vec<usize>, Values)>, Error> {
    let mut values = Vec::new();
    let mut failure = None;
    layer.visit_weights(&mut |array| {
        let wide: Vec<f64> = array.iter().map(|&value| widen(value)).collect();
        if single {
            // Exact: T is f32 or narrower.
            values.push(Values::F32(
                wide.iter().map(|&value| value as f32).collect(),
            ));
        } else {
            if failure.is_none()
                && array
                    .iter()
                    .zip(&wide)
                    .any(|(&value, &w)| narrow::<T>(w) != value && !value.is_nan())
            {
                failure = Some(index);
            }
            values.push(Values::F64(wide));
        }
    });
    if let Some(index) = failure {
        return Err(format_error(
            &format!("layer {index} weights"),
            "values float64 holds exactly",
            "a value that float64 rounds".to_owned(),
        ));
    }
    Ok(layer.weight_shapes().into_iter().zip(values).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn dates_are_written_as_keras_writes_them() {
        let at = |seconds| date_saved(UNIX_EPOCH + Duration::from_secs(seconds));
        assert_eq!(at(0), "1970-01-01@00:00:00");
        // 2000-02-29 (a leap day of a century divisible by 400) 12:34:56.
        assert_eq!(at(951_827_696), "2000-02-29@12:34:56");
        assert_eq!(at(4_107_542_399), "2100-02-28@23:59:59");
        assert_eq!(at(4_107_542_400), "2100-03-01@00:00:00");
        assert_eq!(at(1_796_601_600), "2026-12-07@00:00:00");
    }
}

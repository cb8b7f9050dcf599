//! Where each layer's weight arrays sit in a Keras HDF5 file, found by
//! following what the file says rather than guessing paths.
//!
//! - Keras 3 (`model.weights.h5` in a `.keras` file, `.weights.h5`):
//!   `layers/<snake_case class>[_N]/vars/<i>`, `N` counting the earlier
//!   layers of the same class, whatever the layers' own names.
//! - Legacy `.h5` (tf_keras 2 and Keras 3's `model.save("m.h5")`): the
//!   `layer_names` attribute of `model_weights` (or of the root, in a
//!   weights-only file) lists one group per layer, named by the layer's own
//!   name, and each group's `weight_names` attribute gives its arrays'
//!   paths below it (`dense/kernel:0`, `model/dense/kernel`).

use super::hdf5::{Dataset, Hdf5};
use crate::error::{Error, shorten};
use std::collections::HashMap;

/// How a file lays out its weights.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Layout {
    /// `layers/<class>[_N]/vars/<i>`.
    Keras3,
    /// `layer_names` / `weight_names` attributes below the group `root`
    /// (`"model_weights"` in a full model, `""` in a weights-only file).
    Legacy { root: String },
}

impl Layout {
    /// The layout of a weights file: legacy when its root lists
    /// `layer_names`, else Keras 3's.
    pub(super) fn of_weights_file(file: &Hdf5) -> Result<Self, Error> {
        Ok(if file.strings("", "layer_names")?.is_some() {
            Self::Legacy {
                root: String::new(),
            }
        } else {
            Self::Keras3
        })
    }
}

/// The arrays of the layers `classes` (Keras 3 snake-case class names, in
/// model order), from a Keras 3 layout.
pub(super) fn keras3_arrays<'file>(
    file: &'file Hdf5,
    classes: &[String],
) -> Result<Vec<Vec<Dataset<'file>>>, Error> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut all = Vec::with_capacity(classes.len());
    for class in classes {
        let count = seen.entry(class).or_insert(0);
        let group = match *count {
            0 => format!("layers/{class}/vars"),
            n => format!("layers/{class}_{n}/vars"),
        };
        *count += 1;
        // A layer without weights may have no group at all.
        let names = file.dataset_names(&group)?.unwrap_or_default();
        let mut arrays = Vec::with_capacity(names.len().min(16));
        for i in 0..names.len() {
            let name = i.to_string();
            if !names.contains(&name) {
                return Err(file.error(
                    &group,
                    &format!(
                        "datasets 0 to {} (Keras 3 numbers a layer's variables)",
                        names.len() - 1
                    ),
                    &format!(
                        "{:?}",
                        names.iter().map(|name| shorten(name)).collect::<Vec<_>>()
                    ),
                ));
            }
            arrays.push(file.dataset(&format!("{group}/{name}"))?);
        }
        all.push(arrays);
    }
    Ok(all)
}

/// The arrays of the layers called `names`, from a legacy layout.
pub(super) fn legacy_arrays<'file>(
    file: &'file Hdf5,
    root: &str,
    names: &[&str],
) -> Result<Vec<Vec<Dataset<'file>>>, Error> {
    let listed = layer_names(file, root)?;
    names
        .iter()
        .map(|name| {
            if listed.iter().any(|listed| listed == name) {
                layer_group_arrays(file, root, name)
            } else {
                Err(file.error(
                    &format!("{root} layer_names"),
                    &format!("the layer {:?} of the model config", shorten(name)),
                    &format!("{} names without it", listed.len()),
                ))
            }
        })
        .collect()
}

/// The arrays of every layer that has any, in `layer_names` order, from a
/// legacy layout: for a model built in Rust, which has no layer names.
pub(super) fn legacy_weighted_arrays<'file>(
    file: &'file Hdf5,
    root: &str,
) -> Result<Vec<Vec<Dataset<'file>>>, Error> {
    let mut all = Vec::new();
    for name in layer_names(file, root)? {
        let arrays = layer_group_arrays(file, root, &name)?;
        if !arrays.is_empty() {
            all.push(arrays);
        }
    }
    Ok(all)
}

fn layer_names(file: &Hdf5, root: &str) -> Result<Vec<String>, Error> {
    file.strings(root, "layer_names")?.ok_or_else(|| {
        file.error(
            &format!("{root}/"),
            "the attribute layer_names (a Keras .h5 file)",
            "none",
        )
    })
}

fn layer_group_arrays<'file>(
    file: &'file Hdf5,
    root: &str,
    name: &str,
) -> Result<Vec<Dataset<'file>>, Error> {
    let group = if root.is_empty() {
        name.to_owned()
    } else {
        format!("{root}/{name}")
    };
    let weight_names = file
        .strings(&group, "weight_names")?
        .ok_or_else(|| file.error(&group, "the attribute weight_names", "none"))?;
    weight_names
        .iter()
        .map(|weight| file.dataset(&format!("{group}/{weight}")))
        .collect()
}

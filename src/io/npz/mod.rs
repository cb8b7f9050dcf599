//! `.npz` archives as NumPy writes them (`np.savez`, `np.savez_compressed`):
//! a zip file of `.npy` arrays, mapped here onto a model's weights.
//!
//! Both readers are written by hand, for three reasons. Memory stays
//! bounded: every offset and size in the file is checked against the bytes
//! that are there before anything is allocated, and what an entry may
//! inflate to is bounded by the model's own size. The parsers face
//! arbitrary bytes, so they are small enough to fuzz (`fuzz/fuzz_targets/npz.rs`)
//! and to reason about. And a few hundred lines cost less than the
//! dependencies: the zip crate brings a dozen crates, ndarray-npy needs
//! another ndarray or pulls pest and num-bigint; inflate alone comes from
//! miniz_oxide.

mod npy;
pub(crate) mod zip;

use super::spec::{checked_product, format_error, shorten};
use crate::error::Error;
use crate::{Element, Sequential};
use ndarray::{ArrayD, IxDyn, ShapeBuilder};
use npy::{largest_npy, parse_npy};
use std::path::Path;
use zip::{Archive, SizeLimit};

impl<T: Element> Sequential<T> {
    /// Replaces the weights by the arrays of an `.npz` archive written by
    /// Keras's side as
    ///
    /// ```python
    /// import numpy as np
    /// np.savez("weights.npz", *model.get_weights())
    /// ```
    ///
    /// (or `np.savez_compressed`): `arr_0, arr_1, …` in Keras's
    /// `get_weights` order, which is [`get_weights`](Sequential::get_weights)'s.
    /// Build the model with the same architecture first (the same units
    /// and activations; Keras's `"leaky_relu"` string is
    /// `"leaky_relu".parse::<BuiltinActivation<T>>()`).
    ///
    /// Arrays may be float32 or float64, little- or big-endian, C or
    /// Fortran order. Values are widened to `f64` (exactly) and converted
    /// to `T` by rounding to nearest: a float32 file into an `f32` model
    /// and a float64 file into an `f64` model are exact, float32 into
    /// `f64` is exact, float64 into `f32` rounds each value as NumPy's
    /// `astype(np.float32)` does; a finite value too large for `T` is an
    /// error rather than an infinity.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the file cannot be read;
    /// [`Error::WeightCountMismatch`] when the archive does not hold one
    /// array per weight array of the model; [`Error::ShapeMismatch`] for
    /// an array of another shape; [`Error::Format`] for anything else
    /// (not a zip archive, truncated, a CRC that does not match, names
    /// other than `arr_i`, integer or other non-float arrays). Everything
    /// is checked before any weight changes: on error the model is left
    /// exactly as it was.
    ///
    /// # Example
    ///
    /// The tutorial's second model, exported from Keras:
    ///
    /// ```
    /// use ndarray::array;
    /// use neurite::{Dense, Relu, Sequential, Sigmoid};
    ///
    /// let mut model = Sequential::<f32>::new();
    /// model.add(Dense::glorot(2, 1, Relu, 0)?)?.add(Dense::glorot(1, 1, Sigmoid, 1)?)?;
    /// model.load_npz("tests/golden/keras_export/tutorial_model2_float32.npz")?;
    ///
    /// let y = model.forward(&array![[2.5924739837646484, -1.736933946609497]])?;
    /// assert!((y[[0, 0]] - 0.5977611541748047).abs() < 1e-6); // Keras's prediction
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn load_npz(&mut self, path: impl AsRef<Path>) -> Result<(), Error> {
        let path = path.as_ref();
        let bytes = super::files::read_file(path)?;
        let mut shapes = Vec::new();
        let mut labels = Vec::new();
        for (i, layer) in self.layers().enumerate() {
            for (j, shape) in layer.weight_shapes().into_iter().enumerate() {
                labels.push(format!("layer {i} ({}) weight {j}", layer.class_name()));
                shapes.push(shape);
            }
        }
        let what = path.display().to_string();
        let values = read_arrays::<T>(&bytes, &shapes, &labels, &what)?;
        self.assign_checked(values)
    }
}

/// The arrays `arr_0.npy, arr_1.npy, …` of an `np.savez(path, *weights)`
/// archive held in `bytes`, one per entry of `shapes` and of those shapes,
/// converted to `T`, each flat in row-major order. `labels[i]` says whose
/// array `i` is, for messages; `what` names the file.
///
/// # Errors
///
/// [`Error::WeightCountMismatch`] when the archive holds another number of
/// entries, [`Error::ShapeMismatch`] for an array of the wrong shape,
/// [`Error::Format`] for everything else: not a zip file, truncated,
/// corrupt (CRC), names other than `arr_i.npy`, a dtype other than
/// float32/float64, a finite value too large for `T`.
pub(crate) fn read_arrays<T: Element>(
    bytes: &[u8],
    shapes: &[Vec<usize>],
    labels: &[String],
    what: &str,
) -> Result<Vec<Vec<T>>, Error> {
    let archive = Archive::read(bytes, what)?;
    if archive.entry_count() != shapes.len() {
        return Err(Error::WeightCountMismatch {
            what: what.to_owned(),
            expected: shapes.len(),
            found: archive.entry_count(),
        });
    }
    shapes
        .iter()
        .zip(labels)
        .enumerate()
        .map(|(i, (shape, label))| read_array(&archive, i, shape, label, what))
        .collect()
}

/// The array `arr_{i}.npy` of `archive`, which must have `shape`.
fn read_array<T: Element>(
    archive: &Archive<'_>,
    i: usize,
    shape: &[usize],
    label: &str,
    what: &str,
) -> Result<Vec<T>, Error> {
    let name = format!("arr_{i}.npy");
    let entry = archive.entry(&name, what)?.ok_or_else(|| {
        let names: Vec<String> = archive
            .names()
            .take(8)
            .map(|name| shorten(&String::from_utf8_lossy(name)))
            .collect();
        format_error(
            &format!("{what}: entry {name:?}"),
            "present (np.savez(path, *model.get_weights()) names the arrays arr_0.npy, arr_1.npy, …)",
            format!("missing; the archive holds {names:?}"),
        )
    })?;
    let what = format!("{what}: {name}");
    let values = checked_product(shape).unwrap_or(usize::MAX);
    let limit = SizeLimit {
        bytes: largest_npy(values),
        reason: "the array the model takes, with its header",
    };
    let payload = archive.contents(entry, &limit, &what)?;
    let npy = parse_npy(&payload, &what)?;
    if npy.shape != shape {
        return Err(Error::ShapeMismatch {
            what: format!("{what} ({label})"),
            expected: shape.to_vec(),
            found: npy.shape,
        });
    }
    let width = npy.dtype.width();
    if npy.data.len() != values.saturating_mul(width) {
        return Err(format_error(
            &format!("{what} data"),
            &format!(
                "{} bytes ({values} values of {width} bytes)",
                values.saturating_mul(width)
            ),
            format!("{} bytes", npy.data.len()),
        ));
    }
    let converted = npy.dtype.decode::<T>(npy.data, &what)?;
    if npy.fortran_order && shape.len() > 1 {
        // Column-major data: the same values in row-major order.
        let array = ArrayD::from_shape_vec(IxDyn(shape).f(), converted).map_err(|error| {
            format_error(&what, "values that fill the shape", error.to_string())
        })?;
        Ok(array.iter().copied().collect())
    } else {
        Ok(converted)
    }
}

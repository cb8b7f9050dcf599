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
use crate::Element;
use crate::error::Error;
use ndarray::{ArrayD, IxDyn, ShapeBuilder};
use npy::{convert, largest_npy, parse_npy};
use zip::{Archive, SizeLimit};

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
    let converted = convert::<T>(npy.data, npy.dtype, &what)?;
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

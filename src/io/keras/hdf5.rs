//! The one door to HDF5: everything the Keras loader and writer need from
//! the `hdf5-pure` crate, and nothing else of it, so that another HDF5
//! reader would replace this file alone.
//!
//! Reading: string attributes (variable-length or fixed, scalar or
//! array, and the empty float64 array Keras writes for an empty name
//! list), the names of a group's datasets, and float32/float64 datasets
//! as little-endian bytes (one copy of what the file holds, decoded once
//! by the caller into the model's type). Writing: groups of float datasets with a string
//! attribute, in the layout of a Keras 3 `model.weights.h5`.

use crate::error::{Error, format_error, shorten};
use crate::io::stored_float::{ByteOrder, StoredFloat};
use hdf5_pure::{
    AttrValue, DType, FileBuilder, GroupBuilder, Layout, LibVer, make_f32_type, make_f64_type,
};
use std::borrow::Cow;

/// The HDF5 signature at the start of a file.
pub(super) const SIGNATURE: &[u8; 8] = b"\x89HDF\r\n\x1a\n";

/// An HDF5 file held in memory.
pub(super) struct Hdf5 {
    file: hdf5_pure::File,
    /// The file's length: no dataset can hold more bytes than this.
    len: usize,
    /// The file, for messages.
    what: String,
}

/// A float dataset: its shape and its values as IEEE little-endian bytes,
/// borrowed from the file where it stores them in one run.
pub(super) struct Dataset<'file> {
    pub(super) shape: Vec<usize>,
    /// Float32 or float64, always little-endian here.
    pub(super) float: StoredFloat,
    pub(super) bytes: Cow<'file, [u8]>,
}

impl Hdf5 {
    /// Parses the HDF5 file in `bytes`; `what` names it in errors.
    pub(super) fn open(bytes: Vec<u8>, what: &str) -> Result<Self, Error> {
        let len = bytes.len();
        let file = hdf5_pure::File::from_bytes(bytes)
            .map_err(|error| format_error(what, "an HDF5 file", shorten(&error.to_string())))?;
        // As the HDF5 library does: a file shorter than its superblock's
        // end-of-file address was cut short, even when what remains parses.
        let end = file.superblock().eof_address;
        if end > len as u64 {
            return Err(format_error(
                &format!("{what}: length"),
                &format!("{end} bytes (the end of file its superblock gives)"),
                format!("{len} bytes (truncated)"),
            ));
        }
        Ok(Self {
            file,
            len,
            what: what.to_owned(),
        })
    }

    fn group(&self, path: &str) -> Result<Option<hdf5_pure::Group>, Error> {
        if path.is_empty() {
            return Ok(Some(self.file.root()));
        }
        // A missing group and a corrupt one look alike to the crate: both
        // are "absent" here, and the caller says what it wanted.
        Ok(self.file.group(path).ok())
    }

    /// The attribute `name` of the group at `path` as a list of strings,
    /// or `None` when the group or attribute is absent. A list split
    /// over `name0`, `name1`, … (as Keras does for long lists) is joined.
    pub(super) fn strings(&self, path: &str, name: &str) -> Result<Option<Vec<String>>, Error> {
        let Some(group) = self.group(path)? else {
            return Ok(None);
        };
        let attributes = group
            .attrs()
            .map_err(|error| self.error(path, "readable attributes", &error.to_string()))?;
        if let Some(value) = attributes.get(name) {
            return self.as_strings(path, name, value).map(Some);
        }
        let mut joined: Option<Vec<String>> = None;
        for chunk in 0.. {
            let Some(value) = attributes.get(&format!("{name}{chunk}")) else {
                break;
            };
            let part = self.as_strings(path, name, value)?;
            joined.get_or_insert_with(Vec::new).extend(part);
        }
        Ok(joined)
    }

    /// The attribute `name` of the group at `path` as one string.
    pub(super) fn string(&self, path: &str, name: &str) -> Result<Option<String>, Error> {
        match self.strings(path, name)? {
            None => Ok(None),
            Some(mut list) if list.len() == 1 => Ok(list.pop()),
            Some(list) => Err(self.error(
                &format!("{path} attribute {name:?}"),
                "one string",
                &format!("{} strings", list.len()),
            )),
        }
    }

    fn as_strings(&self, path: &str, name: &str, value: &AttrValue) -> Result<Vec<String>, Error> {
        Ok(match value {
            AttrValue::String(text)
            | AttrValue::AsciiString(text)
            | AttrValue::VarLenString(text)
            | AttrValue::VarLenAsciiString(text) => vec![text.clone()],
            AttrValue::StringArray(list)
            | AttrValue::AsciiStringArray(list)
            | AttrValue::VarLenStringArray(list)
            | AttrValue::VarLenAsciiStringArray(list) => list.clone(),
            AttrValue::StringSized { value, .. } | AttrValue::AsciiStringSized { value, .. } => {
                vec![value.clone()]
            }
            AttrValue::StringArraySized { values, .. }
            | AttrValue::AsciiStringArraySized { values, .. } => values.clone(),
            // h5py writes an empty list of names as an empty float64 array.
            AttrValue::F64Array(list) if list.is_empty() => Vec::new(),
            other => {
                return Err(self.error(
                    &format!("{path} attribute {name:?}"),
                    "a string or a list of strings",
                    &format!("{other:?}"),
                ));
            }
        })
    }

    /// The names of the datasets in the group at `path`, or `None` when
    /// there is no such group.
    pub(super) fn dataset_names(&self, path: &str) -> Result<Option<Vec<String>>, Error> {
        let Some(group) = self.group(path)? else {
            return Ok(None);
        };
        group
            .datasets()
            .map(Some)
            .map_err(|error| self.error(path, "a readable group", &error.to_string()))
    }

    /// The float32 or float64 dataset at `path`.
    pub(super) fn dataset(&self, path: &str) -> Result<Dataset<'_>, Error> {
        let dataset = self
            .file
            .dataset(path)
            .map_err(|error| self.error(path, "a dataset", &error.to_string()))?;
        let dtype = dataset
            .dtype()
            .map_err(|error| self.error(path, "a datatype", &error.to_string()))?;
        let float = match dtype {
            DType::F32 => StoredFloat::F32(ByteOrder::Little),
            DType::F64 => StoredFloat::F64(ByteOrder::Little),
            other => {
                let found = format!("{other:?}");
                return Err(self.error(path, "float32 or float64 values", &found));
            }
        };
        let dims = dataset
            .shape()
            .map_err(|error| self.error(path, "a dataspace", &error.to_string()))?;
        let shape: Vec<usize> = dims
            .iter()
            .map(|&size| usize::try_from(size).unwrap_or(usize::MAX))
            .collect();
        // Believed only when the file could hold that many values.
        let size = shape
            .iter()
            .try_fold(float.width(), |product: usize, &size| {
                product.checked_mul(size)
            });
        let Some(size) = size.filter(|&size| size <= self.len) else {
            let expected = format!("at most the {} bytes of the file", self.len);
            return Err(self.error(path, &expected, &format!("shape {shape:?}")));
        };
        let unreadable =
            |error: hdf5_pure::Error| self.error(path, "readable values", &error.to_string());
        // What h5py writes (IEEE, little-endian) is taken as it is stored;
        // any other float layout is converted by the crate.
        let standard = match float {
            StoredFloat::F32(_) => make_f32_type(),
            StoredFloat::F64(_) => make_f64_type(),
        };
        let bytes = if dataset.datatype().map_err(unreadable)? == standard {
            match dataset.layout().map_err(unreadable)? {
                // In the file as one run: no copy. (External storage has no
                // address here, so it goes through `read_raw`, which refuses it.)
                Layout::Contiguous {
                    address: Some(address),
                    size: stored,
                } => Cow::Borrowed(self.span(path, address, stored)?),
                _ => Cow::Owned(dataset.read_raw().map_err(unreadable)?),
            }
        } else {
            Cow::Owned(match float {
                StoredFloat::F32(_) => (dataset.read_f32().map_err(unreadable)?)
                    .iter()
                    .flat_map(|value| value.to_le_bytes())
                    .collect(),
                StoredFloat::F64(_) => (dataset.read_f64().map_err(unreadable)?)
                    .iter()
                    .flat_map(|value| value.to_le_bytes())
                    .collect(),
            })
        };
        if bytes.len() != size {
            let expected = format!("{size} bytes (shape {shape:?})");
            return Err(self.error(path, &expected, &format!("{} bytes", bytes.len())));
        }
        Ok(Dataset {
            shape,
            float,
            bytes,
        })
    }

    /// The `size` bytes of the file at `address`.
    fn span(&self, path: &str, address: u64, size: u64) -> Result<&[u8], Error> {
        let bytes = self.file.as_bytes();
        let start = usize::try_from(address).unwrap_or(usize::MAX);
        let size = usize::try_from(size).unwrap_or(usize::MAX);
        bytes
            .get(start..)
            .and_then(|rest| rest.get(..size))
            .ok_or_else(|| {
                let expected = format!("data inside the file's {} bytes", bytes.len());
                self.error(path, &expected, &format!("{size} bytes at {address}"))
            })
    }

    /// An error about `part` of this file.
    pub(super) fn error(&self, part: &str, expected: &str, found: &str) -> Error {
        format_error(&format!("{}: {part}", self.what), expected, shorten(found))
    }
}

/// Values to write, in the element type of the file.
pub(super) enum Values {
    F32(Vec<f32>),
    F64(Vec<f64>),
}

/// One layer's variables in a `model.weights.h5`: written at
/// `layers/{group}/vars/{i}`, the `vars` group named `name`.
pub(super) struct LayerVars {
    pub(super) group: String,
    pub(super) name: String,
    pub(super) arrays: Vec<(Vec<usize>, Values)>,
}

/// The bytes of a Keras 3 `model.weights.h5`: `layers/…/vars/…` for each
/// layer, and the model's own empty `vars` group named `model_name`.
/// HDF5 1.8's format (superblock 2): the oldest this writer emits, read by
/// every h5py since 2.0.
pub(super) fn write_weights(model_name: &str, layers: &[LayerVars]) -> Result<Vec<u8>, Error> {
    let mut builder = FileBuilder::new();
    builder.with_libver_bounds(LibVer::V18, LibVer::V18);
    let mut all = builder.create_group("layers");
    for layer in layers {
        let mut group = all.create_group(&layer.group);
        let mut vars = group.create_group("vars");
        for (i, (shape, values)) in layer.arrays.iter().enumerate() {
            let dims: Vec<u64> = shape.iter().map(|&size| size as u64).collect();
            let dataset = vars.create_dataset(&i.to_string());
            match values {
                Values::F32(values) => dataset.with_f32_data(values),
                Values::F64(values) => dataset.with_f64_data(values),
            }
            .with_shape(&dims);
        }
        name_group(&mut vars, &layer.name);
        group.add_group(vars.finish());
        all.add_group(group.finish());
    }
    builder.add_group(all.finish());
    let mut vars = builder.create_group("vars");
    name_group(&mut vars, model_name);
    builder.add_group(vars.finish());
    builder.finish().map_err(|error| {
        format_error(
            "model.weights.h5",
            "an HDF5 file the writer can make",
            error.to_string(),
        )
    })
}

/// Keras 3 names each `vars` group after its owner (a UTF-8 string).
fn name_group(group: &mut GroupBuilder, name: &str) {
    group.set_attr("name", AttrValue::VarLenString(name.to_owned()));
}

//! Weights as safetensors tensors, streamed: written from the layers'
//! weights and read into them through a small buffer, so that saving and
//! loading cost about one pass over the bytes. The header is the
//! `safetensors` crate's own [`Metadata`] (built with its checks, and
//! parsed with them), so the files are what every safetensors reader
//! expects.

use super::spec::{checked_product, format_error, shorten};
use super::stored_float::{ByteOrder, StoredFloat};
use crate::error::Error;
use crate::precision::{cast, narrow, widen};
use crate::{Element, Layer};
use ::safetensors::tensor::{Dtype, Metadata, TensorInfo};
use std::any::TypeId;
use std::io::{Read, Write};

/// The largest JSON header this crate reads (the architecture and one
/// entry per tensor take a few hundred bytes per layer; `safetensors`
/// itself stops at 100 MB).
pub(crate) const MAX_HEADER_BYTES: u64 = 16 << 20;

/// Bytes of the header-length prefix.
const PREFIX: u64 = 8;

/// Bytes converted at a time between the file and the weights.
const CHUNK: usize = 128 << 10;

/// How the weights of an element type are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Storage {
    /// `f32` as `F32`, bit for bit.
    F32,
    /// `f64` as `F64`, bit for bit.
    F64,
    /// Any other type as `F64`: every value must convert to `f64` and back
    /// unchanged (true of `half::f16`, `half::bf16`).
    Widened,
}

impl Storage {
    pub(crate) fn of<T: Element>() -> Self {
        let id = TypeId::of::<T>();
        if id == TypeId::of::<f32>() {
            Self::F32
        } else if id == TypeId::of::<f64>() {
            Self::F64
        } else {
            Self::Widened
        }
    }

    fn dtype(self) -> Dtype {
        match self {
            Self::F32 => Dtype::F32,
            Self::F64 | Self::Widened => Dtype::F64,
        }
    }

    fn width(self) -> usize {
        match self {
            Self::F32 => 4,
            Self::F64 | Self::Widened => 8,
        }
    }
}

/// The tensor names of layer `index`'s weight arrays: `layers.{i}.{name}`
/// with the names of its [`LayerSpec`](crate::io::LayerSpec) (`kernel`,
/// `bias`, `gamma`, `moving_mean`, …) for the built-in layers,
/// `layers.{i}.weights.{j}` for the arrays of a custom layer.
pub(crate) fn weight_names<T: Element>(index: usize, layer: &dyn Layer<T>) -> Vec<String> {
    let count = layer.weight_shapes().len();
    let names = match layer.spec().map(|spec| spec.weight_names()) {
        Some(names) => names,
        // A Dense layer with a custom activation has no spec.
        None if matches!(layer.class_name(), "Dense" | "Maxout") && count == 2 => {
            vec!["kernel", "bias"]
        }
        None => Vec::new(),
    };
    if names.len() == count {
        return names
            .into_iter()
            .map(|name| format!("layers.{index}.{name}"))
            .collect();
    }
    (0..count)
        .map(|j| format!("layers.{index}.weights.{j}"))
        .collect()
}

/// Writes a safetensors file of every weight array of `layers` (named by
/// [`weight_names`], in layer order) with `metadata` to `out`.
///
/// # Errors
///
/// [`Error::Format`] when a value of a [`Storage::Widened`] type does not
/// survive the trip through `f64`, or the header cannot be made;
/// [`Error::Io`] (through `io_error`) when `out` fails.
pub(crate) fn write<T: Element, W: Write>(
    layers: &[&dyn Layer<T>],
    metadata: Vec<(String, String)>,
    out: &mut W,
    io_error: &dyn Fn(std::io::Error) -> Error,
) -> Result<(), Error> {
    let storage = Storage::of::<T>();
    let mut infos = Vec::new();
    let mut offset = 0_usize;
    for (index, layer) in layers.iter().enumerate() {
        for (name, shape) in weight_names(index, *layer)
            .into_iter()
            .zip(layer.weight_shapes())
        {
            let bytes = checked_product(&shape)
                .and_then(|n| n.checked_mul(storage.width()))
                .unwrap_or(usize::MAX);
            let end = offset.saturating_add(bytes);
            infos.push((
                name,
                TensorInfo {
                    dtype: storage.dtype(),
                    shape,
                    data_offsets: (offset, end),
                },
            ));
            offset = end;
        }
    }
    let header_error = |error: String| {
        format_error(
            "safetensors header",
            "a header that safetensors can write",
            error,
        )
    };
    let metadata = Metadata::new(Some(metadata.into_iter().collect()), infos)
        .map_err(|error| header_error(error.to_string()))?;
    let mut header =
        serde_json::to_vec(&metadata).map_err(|error| header_error(error.to_string()))?;
    // As the `safetensors` crate writes it: padded to 8 bytes, so that the
    // data starts aligned.
    header.resize(header.len().next_multiple_of(8), b' ');
    out.write_all(&(header.len() as u64).to_le_bytes())
        .and_then(|()| out.write_all(&header))
        .map_err(io_error)?;

    let mut chunk = vec![0_u8; CHUNK.min(offset.next_multiple_of(8).max(8))];
    let mut failure = None;
    for layer in layers {
        layer.visit_weights(&mut |values| {
            if failure.is_none()
                && let Err(error) = write_values(values, storage, &mut chunk, out, io_error)
            {
                failure = Some(error);
            }
        });
    }
    failure.map_or(Ok(()), Err)
}

/// The values as little-endian bytes of the storage type, `chunk` at a
/// time.
fn write_values<T: Element, W: Write>(
    values: &[T],
    storage: Storage,
    chunk: &mut [u8],
    out: &mut W,
    io_error: &dyn Fn(std::io::Error) -> Error,
) -> Result<(), Error> {
    let width = storage.width();
    for part in values.chunks(chunk.len() / width) {
        let bytes = &mut chunk[..part.len() * width];
        match storage {
            Storage::F32 => {
                for (slot, value) in bytes.chunks_exact_mut(4).zip(part) {
                    let value: f32 = cast(*value);
                    slot.copy_from_slice(&value.to_le_bytes());
                }
            }
            Storage::F64 => {
                for (slot, value) in bytes.chunks_exact_mut(8).zip(part) {
                    let value = widen(*value);
                    slot.copy_from_slice(&value.to_le_bytes());
                }
            }
            Storage::Widened => {
                for (slot, &value) in bytes.chunks_exact_mut(8).zip(part) {
                    let wide = widen(value);
                    let back = T::from(wide);
                    if back != Some(value) && !(value.is_nan() && wide.is_nan()) {
                        return Err(format_error(
                            &format!("weight value of type {}", std::any::type_name::<T>()),
                            "a value that float64 holds exactly",
                            format!("{value:?}"),
                        ));
                    }
                    slot.copy_from_slice(&wide.to_le_bytes());
                }
            }
        }
        out.write_all(bytes).map_err(io_error)?;
    }
    Ok(())
}

/// The header of a safetensors file, checked against the file's size.
pub(crate) struct Header {
    metadata: Metadata,
    what: String,
}

/// Reads and checks the header of a safetensors file of `len` bytes from
/// `input` (`what` names it in errors). The 8-byte length is compared with
/// the bytes that follow and with [`MAX_HEADER_BYTES`] before the header
/// is read; `safetensors` then checks that the tensors' offsets, dtypes and
/// shapes agree and follow each other, and the data they claim must be
/// exactly the rest of the file.
pub(crate) fn read_header<R: Read>(
    input: &mut R,
    len: u64,
    what: &str,
    io_error: &dyn Fn(std::io::Error) -> Error,
) -> Result<Header, Error> {
    if len < PREFIX {
        return Err(format_error(
            &format!("{what}: size"),
            "at least 8 bytes (a safetensors file starts with its header length)",
            format!("{len} bytes"),
        ));
    }
    let mut prefix = [0; PREFIX as usize];
    input.read_exact(&mut prefix).map_err(io_error)?;
    let claimed = u64::from_le_bytes(prefix);
    let room = len - PREFIX;
    if claimed > room || claimed > MAX_HEADER_BYTES {
        return Err(format_error(
            &format!("{what}: header length"),
            &format!(
                "at most {} bytes (the {room} bytes after the length, and at most {MAX_HEADER_BYTES})",
                room.min(MAX_HEADER_BYTES)
            ),
            claimed.to_string(),
        ));
    }
    // At most the file's size and 16 MiB, as just checked.
    let mut header = vec![0; claimed as usize];
    input.read_exact(&mut header).map_err(io_error)?;
    let metadata: Metadata = serde_json::from_slice(&header).map_err(|error| {
        format_error(
            &format!("{what}: safetensors header"),
            "a valid safetensors header (JSON of tensors with consecutive offsets)",
            error.to_string(),
        )
    })?;
    let data = room - claimed;
    if metadata.data_len() as u64 != data {
        return Err(format_error(
            &format!("{what}: size"),
            &format!(
                "{} bytes of tensor data (what the header describes)",
                metadata.data_len()
            ),
            format!("{data} bytes"),
        ));
    }
    Ok(Header {
        metadata,
        what: what.to_owned(),
    })
}

impl Header {
    /// A `__metadata__` entry.
    pub(crate) fn metadata(&self, key: &str) -> Option<&str> {
        self.metadata
            .metadata()
            .as_ref()
            .and_then(|map| map.get(key))
            .map(String::as_str)
    }

    /// Reads the tensors `expected` (name and shape, in order) from
    /// `input`, positioned after the header, converted to `T`.
    ///
    /// # Errors
    ///
    /// [`Error::Format`] when a tensor is missing, has another dtype than
    /// `T`'s storage or values that do not fit `T`, or when the file holds
    /// tensors that are not expected; [`Error::ShapeMismatch`] for a tensor
    /// of the wrong shape. All of these are checked before any data is
    /// read.
    pub(crate) fn read_tensors<T: Element, R: Read>(
        &self,
        input: &mut R,
        expected: &[(String, Vec<usize>)],
        io_error: &dyn Fn(std::io::Error) -> Error,
    ) -> Result<Vec<Vec<T>>, Error> {
        let what = self.what.as_str();
        let tensors = self.metadata.tensors();
        if let Some(extra) = tensors
            .keys()
            .filter(|name| !expected.iter().any(|(wanted, _)| wanted == *name))
            .min()
        {
            return Err(format_error(
                &format!("{what}: tensor {:?}", shorten(extra)),
                &format!("only the model's {} tensors", expected.len()),
                "a tensor the model does not have".to_owned(),
            ));
        }
        let storage = Storage::of::<T>();
        // Every tensor is checked before anything is read or allocated.
        let mut ranges = Vec::with_capacity(expected.len());
        for (index, (name, shape)) in expected.iter().enumerate() {
            let info = self.metadata.info(name).ok_or_else(|| {
                format_error(
                    &format!("{what}: tensor {name:?}"),
                    "present",
                    "missing".to_owned(),
                )
            })?;
            if info.dtype != storage.dtype() {
                return Err(format_error(
                    &format!("{what}: tensor {name:?} dtype"),
                    &format!(
                        "{:?} (the model's {})",
                        storage.dtype(),
                        super::dtype_name::<T>()
                    ),
                    format!("{:?}", info.dtype),
                ));
            }
            crate::error::check_shape(&format!("{what}: tensor {name:?}"), shape, &info.shape)?;
            ranges.push((info.data_offsets, index));
        }
        // Every tensor of the file is expected and they follow each other
        // (checked by `safetensors`), so in offset order they cover the
        // data: read them in that order, each into its own vector.
        ranges.sort_unstable();
        let mut values: Vec<Vec<T>> = vec![Vec::new(); expected.len()];
        // A multiple of 8 bytes, so that every part holds whole values.
        let size = CHUNK.min(self.metadata.data_len().next_multiple_of(8).max(8));
        let mut chunk = vec![0_u8; size];
        let mut position = 0;
        for ((start, end), index) in ranges {
            if start != position {
                return Err(format_error(
                    &format!("{what}: tensor {:?} offsets", expected[index].0),
                    &format!("a tensor starting at byte {position}"),
                    format!("{start}..{end}"),
                ));
            }
            let name = expected[index].0.as_str();
            values[index] = read_values(
                input,
                end - start,
                storage,
                &mut chunk,
                io_error,
                what,
                name,
            )?;
            position = end;
        }
        Ok(values)
    }
}

/// `bytes` little-endian values of the storage type from `input`, as `T`.
/// For [`Storage::Widened`] types every stored `f64` must be a value of
/// `T` exactly, so that the weights are the saved ones.
fn read_values<T: Element, R: Read>(
    input: &mut R,
    bytes: usize,
    storage: Storage,
    chunk: &mut [u8],
    io_error: &dyn Fn(std::io::Error) -> Error,
    what: &str,
    name: &str,
) -> Result<Vec<T>, Error> {
    let width = storage.width();
    let mut values = Vec::with_capacity(bytes / width);
    let mut left = bytes;
    while left > 0 {
        let size = left.min(chunk.len());
        let part = &mut chunk[..size];
        input.read_exact(part).map_err(io_error)?;
        left -= part.len();
        match storage {
            // `T` is the stored type: bit for bit.
            Storage::F32 => StoredFloat::F32(ByteOrder::Little).extend(part, &mut values),
            Storage::F64 => StoredFloat::F64(ByteOrder::Little).extend(part, &mut values),
            Storage::Widened => {
                for b in part.chunks_exact(8) {
                    let stored =
                        f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
                    let value: T = narrow(stored);
                    if value.to_f64() != Some(stored) && !stored.is_nan() {
                        return Err(format_error(
                            &format!("{what}: tensor {name:?} value"),
                            &format!("a value that {} holds exactly", std::any::type_name::<T>()),
                            stored.to_string(),
                        ));
                    }
                    values.push(value);
                }
            }
        }
    }
    Ok(values)
}

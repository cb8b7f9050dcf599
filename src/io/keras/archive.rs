//! The two containers of Keras's files, told apart by their first bytes
//! (never by the file's extension): the `.keras` zip archive and HDF5
//! (a legacy `.h5` model or a weights file). Also the writer of the zip.

use super::hdf5::{Hdf5, SIGNATURE};
use super::weights::Layout;
use crate::error::{Error, format_error, shorten};
use crate::io::npz::zip::{Archive, Contents, Entry, SizeLimit, crc32};
use std::borrow::Cow;
use std::ops::Range;

/// The most bytes of JSON (`config.json`, `metadata.json`, the
/// `model_config` attribute) the loader reads.
const MAX_JSON_BYTES: usize = 16 << 20;

/// A Keras file opened: its model config when it has one, its weights.
pub(super) struct Source {
    /// The model config's JSON, and whether Keras 2 (tf_keras) wrote it.
    pub(super) config: Option<(String, bool)>,
    pub(super) weights: Hdf5,
    pub(super) layout: Layout,
}

/// Opens the Keras file in `bytes`; `what` names it in errors. Bytes the
/// caller owns are reused for the weights (no copy of the largest part).
pub(super) fn open(bytes: Cow<'_, [u8]>, what: &str) -> Result<Source, Error> {
    if bytes.starts_with(b"PK\x03\x04") {
        open_zip(bytes, what)
    } else if bytes.starts_with(SIGNATURE) {
        open_hdf5(bytes.into_owned(), what)
    } else {
        Err(format_error(
            what,
            "a Keras file: a .keras zip archive (PK\\x03\\x04) or HDF5 (\\x89HDF)",
            format!("{:02x?}", &bytes.get(..8).unwrap_or(&bytes)),
        ))
    }
}

fn open_zip(bytes: Cow<'_, [u8]>, what: &str) -> Result<Source, Error> {
    let (config, keras2, weights) = {
        let archive = Archive::read(&bytes, what)?;
        let json_limit = SizeLimit {
            bytes: MAX_JSON_BYTES,
            reason: "the JSON size neurite reads",
        };
        // A stored entry is at most the file; a deflated one may inflate,
        // but not past a small multiple of it.
        let weights_limit = SizeLimit {
            bytes: bytes.len().saturating_mul(32).max(1 << 20),
            reason: "32 times the archive",
        };
        let config = entry(&archive, "config.json", &json_limit, what)?.into_owned();
        let metadata = match archive.entry("metadata.json", what)? {
            Some(_) => Some(entry(&archive, "metadata.json", &json_limit, what)?),
            None => None,
        };
        let keras2 = metadata.is_some_and(|text| {
            serde_json::from_slice::<serde_json::Value>(&text)
                .ok()
                .and_then(|value| value.get("keras_version")?.as_str().map(is_keras2))
                .unwrap_or(false)
        });
        let name = "model.weights.h5";
        let weights = find(&archive, name, what)?;
        let weights = archive.locate(weights, &weights_limit, &format!("{what}: {name}"))?;
        (config, keras2, weights)
    };
    let config = String::from_utf8(config).map_err(|_| {
        format_error(
            &format!("{what}: config.json"),
            "UTF-8 text",
            "other bytes".to_owned(),
        )
    })?;
    let weights = match weights {
        Contents::Stored(span) => take_span(bytes, span),
        Contents::Inflated(inflated) => inflated,
    };
    Ok(Source {
        config: Some((config, keras2)),
        weights: Hdf5::open(weights, &format!("{what}: model.weights.h5"))?,
        layout: Layout::Keras3,
    })
}

/// The bytes of `span` in a buffer of their own: moved to the front of
/// `bytes` when the caller gave them away (no new allocation), copied
/// when they are borrowed.
fn take_span(bytes: Cow<'_, [u8]>, span: Range<usize>) -> Vec<u8> {
    match bytes {
        Cow::Owned(mut owned) => {
            let len = span.len();
            owned.copy_within(span, 0);
            owned.truncate(len);
            owned
        }
        Cow::Borrowed(borrowed) => borrowed[span].to_vec(),
    }
}

/// The bytes of the archive's entry `name`, which must be there.
fn entry<'a>(
    archive: &Archive<'a>,
    name: &str,
    limit: &SizeLimit<'_>,
    what: &str,
) -> Result<Cow<'a, [u8]>, Error> {
    let found = find(archive, name, what)?;
    archive.contents(found, limit, &format!("{what}: {name}"))
}

/// The archive's entry `name`, which must be there.
fn find<'e>(archive: &'e Archive<'_>, name: &str, what: &str) -> Result<&'e Entry, Error> {
    archive.entry(name, what)?.ok_or_else(|| {
        let names: Vec<String> = archive
            .names()
            .take(8)
            .map(|name| shorten(&String::from_utf8_lossy(name)))
            .collect();
        format_error(
            &format!("{what}: entry {name:?}"),
            "present (a .keras file holds config.json, metadata.json and model.weights.h5)",
            format!("missing; the archive holds {names:?}"),
        )
    })
}

fn open_hdf5(bytes: Vec<u8>, what: &str) -> Result<Source, Error> {
    let weights = Hdf5::open(bytes, what)?;
    let config = weights.string("", "model_config")?;
    if let Some(json) = &config
        && json.len() > MAX_JSON_BYTES
    {
        return Err(weights.error(
            "model_config",
            "at most 16 MiB of JSON",
            &format!("{} bytes", json.len()),
        ));
    }
    Ok(match config {
        Some(json) => {
            let version = weights.string("", "keras_version")?;
            let keras2 = version.as_deref().is_some_and(is_keras2);
            Source {
                config: Some((json, keras2)),
                weights,
                layout: Layout::Legacy {
                    root: "model_weights".to_owned(),
                },
            }
        }
        None => {
            let layout = Layout::of_weights_file(&weights)?;
            Source {
                config: None,
                weights,
                layout,
            }
        }
    })
}

fn is_keras2(version: &str) -> bool {
    version.starts_with("2.")
}

/// A zip archive of `entries` (name, bytes), stored uncompressed as Keras
/// writes `.keras` files.
///
/// # Errors
///
/// [`Error::Format`] for an entry or archive over 4 GiB (that would need
/// Zip64).
pub(super) fn write_zip(entries: &[(&str, &[u8])]) -> Result<Vec<u8>, Error> {
    let total: usize = entries
        .iter()
        .map(|(name, data)| 2 * name.len() + data.len() + 76)
        .sum();
    let mut out = Vec::with_capacity(total + 22);
    let mut directory = Vec::new();
    for (name, data) in entries {
        let too_big = || {
            format_error(
                &format!("{name} in the .keras archive"),
                "at most 4 GiB",
                format!("{} bytes", data.len()),
            )
        };
        let size = u32::try_from(data.len()).map_err(|_| too_big())?;
        let offset = u32::try_from(out.len()).map_err(|_| too_big())?;
        let name_len = u16::try_from(name.len()).map_err(|_| too_big())?;
        let crc = crc32(data);
        // Version needed 2.0, no flags, stored, 1980-01-01 00:00.
        let common = |record: &mut Vec<u8>| {
            for field in [20_u16, 0, 0, 0, 0x21] {
                record.extend_from_slice(&field.to_le_bytes());
            }
            for field in [crc, size, size] {
                record.extend_from_slice(&field.to_le_bytes());
            }
            record.extend_from_slice(&name_len.to_le_bytes());
            record.extend_from_slice(&0_u16.to_le_bytes());
        };
        out.extend_from_slice(&0x0403_4b50_u32.to_le_bytes());
        common(&mut out);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);

        directory.extend_from_slice(&0x0201_4b50_u32.to_le_bytes());
        directory.extend_from_slice(&20_u16.to_le_bytes());
        common(&mut directory);
        // Comment length, disk, internal and external attributes.
        directory.extend_from_slice(&[0; 10]);
        directory.extend_from_slice(&offset.to_le_bytes());
        directory.extend_from_slice(name.as_bytes());
    }
    let start = u32::try_from(out.len()).map_err(|_| {
        format_error(
            ".keras archive",
            "at most 4 GiB",
            format!("{} bytes", out.len()),
        )
    })?;
    let count = entries.len() as u16;
    out.extend_from_slice(&directory);
    out.extend_from_slice(&0x0605_4b50_u32.to_le_bytes());
    for field in [0_u16, 0, count, count] {
        out.extend_from_slice(&field.to_le_bytes());
    }
    out.extend_from_slice(&(directory.len() as u32).to_le_bytes());
    out.extend_from_slice(&start.to_le_bytes());
    out.extend_from_slice(&0_u16.to_le_bytes());
    Ok(out)
}

//! A zip archive held in memory, read with every offset and size checked.
//!
//! It takes what Python's `zipfile` (and so NumPy) writes: stored or
//! deflated entries, Zip64 extra fields, no encryption, one disk. Every
//! offset and size is checked against the bytes that are there before it
//! is used, an entry is inflated to at most the size its caller allows,
//! and every entry's CRC-32 is verified.

use crate::error::Error;
use crate::io::spec::format_error;
use std::borrow::Cow;
use std::ops::Range;

/// A zip archive in `bytes`, with its central directory read and checked.
pub(crate) struct Archive<'a> {
    bytes: &'a [u8],
    entries: Vec<Entry>,
}

/// An entry's uncompressed bytes, CRC checked.
#[derive(Debug)]
pub(crate) enum Contents {
    /// A stored entry: these bytes of the archive, so that an owner of
    /// the archive's bytes can keep it without a copy.
    Stored(Range<usize>),
    /// A deflated entry, inflated into a buffer of its own.
    Inflated(Vec<u8>),
}

/// The most bytes an entry may hold once uncompressed, and why, for the
/// message when an entry says it holds more.
pub(crate) struct SizeLimit<'r> {
    pub(crate) bytes: usize,
    pub(crate) reason: &'r str,
}

impl<'a> Archive<'a> {
    /// Reads the central directory of the archive in `bytes`; `what` names
    /// the file in errors.
    pub(crate) fn read(bytes: &'a [u8], what: &str) -> Result<Self, Error> {
        let entries = central_directory(bytes, what)?;
        Ok(Self { bytes, entries })
    }

    /// How many entries the archive holds.
    pub(crate) fn entry_count(&self) -> usize {
        self.entries.len()
    }

    /// The entries' names, in directory order.
    pub(crate) fn names(&self) -> impl Iterator<Item = &[u8]> {
        self.entries.iter().map(|entry| entry.name.as_slice())
    }

    /// The entry called `name`, or `None`. Two entries of that name are an
    /// error: which one a reader takes would be a guess.
    pub(crate) fn entry(&self, name: &str, what: &str) -> Result<Option<&Entry>, Error> {
        let mut matching = self
            .entries
            .iter()
            .filter(|entry| entry.name == name.as_bytes());
        let first = matching.next();
        if matching.next().is_some() {
            return Err(format_error(
                &format!("{what}: entry {name:?}"),
                "one entry of that name",
                "several".to_owned(),
            ));
        }
        Ok(first)
    }

    /// The uncompressed bytes of `entry`, at most `limit` of them, with its
    /// CRC-32 checked; `what` names the entry in errors.
    pub(crate) fn contents(
        &self,
        entry: &Entry,
        limit: &SizeLimit<'_>,
        what: &str,
    ) -> Result<Cow<'a, [u8]>, Error> {
        Ok(match self.locate(entry, limit, what)? {
            // In range: `locate` took it from the archive's bytes.
            Contents::Stored(span) => Cow::Borrowed(&self.bytes[span]),
            Contents::Inflated(bytes) => Cow::Owned(bytes),
        })
    }

    /// [`contents`](Archive::contents) as where a stored entry lies in the
    /// archive's bytes, or the inflated bytes of a deflated one.
    pub(crate) fn locate(
        &self,
        entry: &Entry,
        limit: &SizeLimit<'_>,
        what: &str,
    ) -> Result<Contents, Error> {
        let span = stored_span(self.bytes, entry, what)?;
        // In range: `stored_span` checked it.
        let data = &self.bytes[span.clone()];
        let contents = uncompress(data, entry, limit, what)?
            .map_or(Contents::Stored(span), Contents::Inflated);
        let crc = crc32(match &contents {
            Contents::Stored(_) => data,
            Contents::Inflated(bytes) => bytes,
        });
        if crc != entry.crc {
            return Err(zip_error(
                what,
                "CRC-32",
                &format!("{:#010x} (the directory's)", entry.crc),
                format!("{crc:#010x} (the data is corrupt)"),
            ));
        }
        Ok(contents)
    }
}

/// One entry of the central directory.
#[derive(Debug)]
pub(crate) struct Entry {
    name: Vec<u8>,
    flags: u16,
    method: u16,
    crc: u32,
    compressed: u64,
    uncompressed: u64,
    offset: u64,
}

const END_SIGNATURE: u32 = 0x0605_4b50;
const ZIP64_LOCATOR_SIGNATURE: u32 = 0x0706_4b50;
const ZIP64_END_SIGNATURE: u32 = 0x0606_4b50;
const CENTRAL_SIGNATURE: u32 = 0x0201_4b50;
const LOCAL_SIGNATURE: u32 = 0x0403_4b50;
/// Sizes of the fixed parts of the records.
const END_LEN: usize = 22;
const CENTRAL_LEN: usize = 46;
const LOCAL_LEN: usize = 30;

fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(*bytes.get(at..)?.first_chunk()?))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(*bytes.get(at..)?.first_chunk()?))
}

fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(*bytes.get(at..)?.first_chunk()?))
}

/// A zip error: `what` is the file, `part` the record.
fn zip_error(what: &str, part: &str, expected: &str, found: String) -> Error {
    format_error(&format!("{what}: zip {part}"), expected, found)
}

fn truncated(what: &str, part: &str) -> Error {
    zip_error(
        what,
        part,
        "a complete record inside the file",
        "a record cut short or pointing outside the file".to_owned(),
    )
}

/// Reads the central directory: the end record (searched from the end,
/// past a comment of at most 64 KiB), its Zip64 form when the counts or
/// offsets need it, then every entry.
fn central_directory(bytes: &[u8], what: &str) -> Result<Vec<Entry>, Error> {
    let end = find_end_record(bytes).ok_or_else(|| {
        zip_error(
            what,
            "end of central directory",
            "an .npz (zip) archive, which ends with an end-of-central-directory record",
            format!(
                "none in {} bytes (not a zip file, or truncated)",
                bytes.len()
            ),
        )
    })?;
    let field16 = |at| u16_at(bytes, end + at).unwrap_or(0);
    let (disk, directory_disk) = (field16(4), field16(6));
    let mut count = u64::from(field16(10));
    let mut size = u64::from(u32_at(bytes, end + 12).unwrap_or(0));
    let mut offset = u64::from(u32_at(bytes, end + 16).unwrap_or(0));
    if disk != 0 || directory_disk != 0 {
        return Err(zip_error(
            what,
            "disk number",
            "0 (a single-file archive)",
            format!("{disk}/{directory_disk} (a split archive)"),
        ));
    }
    if count == 0xFFFF || size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF {
        let record = zip64_end_record(bytes, end, what)?;
        count = u64_at(bytes, record + 32).ok_or_else(|| truncated(what, "Zip64 end record"))?;
        size = u64_at(bytes, record + 40).ok_or_else(|| truncated(what, "Zip64 end record"))?;
        offset = u64_at(bytes, record + 48).ok_or_else(|| truncated(what, "Zip64 end record"))?;
    }
    let start = usize::try_from(offset).ok();
    let stop = start
        .zip(usize::try_from(size).ok())
        .and_then(|(a, b)| a.checked_add(b));
    let (Some(start), Some(stop)) = (start, stop) else {
        return Err(truncated(what, "central directory"));
    };
    if stop > end {
        return Err(zip_error(
            what,
            "central directory",
            &format!("a directory ending before the end record at byte {end}"),
            format!("bytes {offset}..{}", offset.saturating_add(size)),
        ));
    }
    // Each entry takes at least 46 bytes: a count the directory cannot
    // hold is refused before anything is allocated for it.
    let room = (stop - start) / CENTRAL_LEN;
    if count > room as u64 {
        return Err(zip_error(
            what,
            "entry count",
            &format!(
                "at most {room} (what a {}-byte directory holds)",
                stop - start
            ),
            count.to_string(),
        ));
    }
    let directory = &bytes[start..stop];
    let mut entries = Vec::with_capacity(room.min(count as usize));
    let mut at = 0;
    for _ in 0..count {
        let (entry, next) = central_entry(directory, at, what)?;
        entries.push(entry);
        at = next;
    }
    Ok(entries)
}

/// The position of the end-of-central-directory record: its signature,
/// with a comment length that reaches exactly to the end of the file.
fn find_end_record(bytes: &[u8]) -> Option<usize> {
    let last = bytes.len().checked_sub(END_LEN)?;
    let first = last.saturating_sub(usize::from(u16::MAX));
    let [s0, s1, s2, s3] = END_SIGNATURE.to_le_bytes();
    // From the end backwards (a comment may hold a signature), byte by
    // byte with plain indexing: a damaged file is scanned in full, and
    // iterator adaptors made that scan the cost of a debug-build test.
    (first..=last).rev().find(|&at| {
        bytes[at] == s0
            && bytes[at + 1] == s1
            && bytes[at + 2] == s2
            && bytes[at + 3] == s3
            && u16_at(bytes, at + 20).map(|comment| at + END_LEN + usize::from(comment))
                == Some(bytes.len())
    })
}

/// The position of the Zip64 end record, from the locator that precedes
/// the end record.
fn zip64_end_record(bytes: &[u8], end: usize, what: &str) -> Result<usize, Error> {
    let locator = end
        .checked_sub(20)
        .filter(|&at| u32_at(bytes, at) == Some(ZIP64_LOCATOR_SIGNATURE))
        .ok_or_else(|| {
            zip_error(
                what,
                "Zip64 locator",
                "a Zip64 end-of-central-directory locator (the end record says 0xFFFF…)",
                "none".to_owned(),
            )
        })?;
    let record = u64_at(bytes, locator + 8)
        .and_then(|at| usize::try_from(at).ok())
        .filter(|&at| at < locator && u32_at(bytes, at) == Some(ZIP64_END_SIGNATURE))
        .ok_or_else(|| truncated(what, "Zip64 end record"))?;
    Ok(record)
}

/// The entry at `at` in the central directory, and where the next starts.
fn central_entry(directory: &[u8], at: usize, what: &str) -> Result<(Entry, usize), Error> {
    let part = "central directory entry";
    let fixed = directory
        .get(at..at.saturating_add(CENTRAL_LEN))
        .ok_or_else(|| truncated(what, part))?;
    if u32_at(fixed, 0) != Some(CENTRAL_SIGNATURE) {
        return Err(zip_error(
            what,
            part,
            "the signature PK\\x01\\x02",
            format!("{:02x?}", &fixed[..4]),
        ));
    }
    let field16 = |offset| u16_at(fixed, offset).map_or(0, usize::from);
    let (name_len, extra_len, comment_len) = (field16(28), field16(30), field16(32));
    let name_start = at + CENTRAL_LEN;
    let extra_start = name_start + name_len;
    let next = extra_start + extra_len + comment_len;
    if next > directory.len() {
        return Err(truncated(what, part));
    }
    let mut entry = Entry {
        name: directory[name_start..extra_start].to_vec(),
        flags: u16_at(fixed, 8).unwrap_or(0),
        method: u16_at(fixed, 10).unwrap_or(0),
        crc: u32_at(fixed, 16).unwrap_or(0),
        compressed: u64::from(u32_at(fixed, 20).unwrap_or(0)),
        uncompressed: u64::from(u32_at(fixed, 24).unwrap_or(0)),
        offset: u64::from(u32_at(fixed, 42).unwrap_or(0)),
    };
    read_zip64_extra(
        &mut entry,
        &directory[extra_start..extra_start + extra_len],
        what,
    )?;
    Ok((entry, next))
}

/// Replaces the 32-bit sizes and offset that are `0xFFFFFFFF` by their
/// 64-bit values from the Zip64 extra field (id 1), in the order the
/// format gives them.
fn read_zip64_extra(entry: &mut Entry, mut extra: &[u8], what: &str) -> Result<(), Error> {
    while extra.len() >= 4 {
        let id = u16_at(extra, 0).unwrap_or(0);
        let len = usize::from(u16_at(extra, 2).unwrap_or(0));
        let body = extra
            .get(4..4 + len)
            .ok_or_else(|| truncated(what, "extra field"))?;
        if id == 1 {
            let mut fields = body.chunks_exact(8).map(|chunk| {
                let mut bytes = [0; 8];
                bytes.copy_from_slice(chunk);
                u64::from_le_bytes(bytes)
            });
            for value in [
                &mut entry.uncompressed,
                &mut entry.compressed,
                &mut entry.offset,
            ] {
                if *value == 0xFFFF_FFFF {
                    *value = fields
                        .next()
                        .ok_or_else(|| truncated(what, "Zip64 extra field"))?;
                }
            }
        }
        extra = &extra[4 + len..];
    }
    Ok(())
}

/// Where the entry's bytes as stored lie in `bytes`, after its local
/// header, which must agree with the directory.
fn stored_span(bytes: &[u8], entry: &Entry, what: &str) -> Result<Range<usize>, Error> {
    let part = "local header";
    let local = usize::try_from(entry.offset)
        .ok()
        .and_then(|at| bytes.get(at..)?.get(..LOCAL_LEN).map(|header| (at, header)));
    let Some((at, header)) = local else {
        return Err(truncated(what, part));
    };
    if u32_at(header, 0) != Some(LOCAL_SIGNATURE) {
        return Err(zip_error(
            what,
            part,
            "the signature PK\\x03\\x04",
            format!("{:02x?}", &header[..4]),
        ));
    }
    let name_len = usize::from(u16_at(header, 26).unwrap_or(0));
    let extra_len = usize::from(u16_at(header, 28).unwrap_or(0));
    let name_start = at + LOCAL_LEN;
    if bytes.get(name_start..name_start + name_len) != Some(entry.name.as_slice()) {
        return Err(zip_error(
            what,
            part,
            "the name of the central directory entry",
            "another name, or a header cut short".to_owned(),
        ));
    }
    if entry.flags & 1 != 0 {
        return Err(zip_error(
            what,
            "entry flags",
            "an unencrypted entry",
            "an encrypted one".to_owned(),
        ));
    }
    let start = name_start + name_len + extra_len;
    usize::try_from(entry.compressed)
        .ok()
        .and_then(|len| Some(start..start.checked_add(len)?))
        .filter(|span| span.end <= bytes.len())
        .ok_or_else(|| {
            zip_error(
                what,
                "entry size",
                &format!(
                    "at most the {} bytes after the header",
                    bytes.len().saturating_sub(start)
                ),
                entry.compressed.to_string(),
            )
        })
}

/// The stored bytes `data` of `entry` uncompressed: exactly its
/// uncompressed size, which must be within `limit`; `None` when they are
/// stored as they are.
fn uncompress(
    data: &[u8],
    entry: &Entry,
    limit: &SizeLimit<'_>,
    what: &str,
) -> Result<Option<Vec<u8>>, Error> {
    let expected_size = usize::try_from(entry.uncompressed)
        .ok()
        .filter(|&size| size <= limit.bytes)
        .ok_or_else(|| {
            zip_error(
                what,
                "uncompressed size",
                &format!("at most {} bytes ({})", limit.bytes, limit.reason),
                entry.uncompressed.to_string(),
            )
        })?;
    match entry.method {
        0 => {
            if data.len() != expected_size {
                return Err(zip_error(
                    what,
                    "stored entry size",
                    &format!("{expected_size} bytes (its uncompressed size)"),
                    format!("{} bytes", data.len()),
                ));
            }
            Ok(None)
        }
        8 => inflate(data, expected_size, what).map(Some),
        method => Err(zip_error(
            what,
            "compression method",
            "0 (stored, np.savez) or 8 (deflate, np.savez_compressed)",
            method.to_string(),
        )),
    }
}

/// A deflate stream inflated to exactly `expected_size` bytes; the output
/// is never allowed to grow past that.
fn inflate(data: &[u8], expected_size: usize, what: &str) -> Result<Vec<u8>, Error> {
    let inflated = miniz_oxide::inflate::decompress_to_vec_with_limit(data, expected_size)
        .map_err(|error| {
            zip_error(
                what,
                "deflate stream",
                &format!("valid deflate data of {expected_size} bytes"),
                format!("{:?}", error.status),
            )
        })?;
    if inflated.len() != expected_size {
        return Err(zip_error(
            what,
            "deflate stream",
            &format!("{expected_size} bytes once inflated"),
            format!("{} bytes", inflated.len()),
        ));
    }
    Ok(inflated)
}

/// The CRC-32 of zip (IEEE polynomial, reflected).
pub(crate) fn crc32(bytes: &[u8]) -> u32 {
    crc32fast::hash(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_of_the_standard_check_string() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }
}

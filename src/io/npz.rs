//! `.npz` archives as NumPy writes them (`np.savez`, `np.savez_compressed`):
//! a zip file of `.npy` arrays.
//!
//! The zip reader takes what NumPy (Python's `zipfile`) writes: stored or
//! deflated entries, Zip64 extra fields, no encryption, one disk. Every
//! offset and size is checked against the bytes that are there before it
//! is used, sizes that need memory are bounded by the model's own size,
//! and every entry's CRC-32 is verified.

use super::spec::{checked_product, format_error, shorten};
use crate::Element;
use crate::error::Error;
use ndarray::{ArrayD, IxDyn, ShapeBuilder};
use std::borrow::Cow;

/// The largest `.npy` header read (NumPy itself refuses more than 10,000
/// bytes unless told otherwise).
const MAX_NPY_HEADER: usize = 65_536;

/// The most dimensions a `.npy` shape may have (NumPy's limit is 64).
const MAX_DIMS: usize = 64;

/// The arrays `arr_0.npy, arr_1.npy, …` of an `np.savez(path, *weights)`
/// archive held in `bytes`, one per entry of `shapes` and of those shapes,
/// converted to `T`, each flat in row-major order. `labels[i]` says whose array `i` is, for messages;
/// `what` names the file.
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
    let entries = central_directory(bytes, what)?;
    if entries.len() != shapes.len() {
        return Err(Error::WeightCountMismatch {
            what: what.to_owned(),
            expected: shapes.len(),
            found: entries.len(),
        });
    }
    let mut arrays = Vec::with_capacity(shapes.len());
    for (i, (shape, label)) in shapes.iter().zip(labels).enumerate() {
        let name = format!("arr_{i}.npy");
        let mut matching = entries.iter().filter(|entry| entry.name == name.as_bytes());
        let entry = matching.next().ok_or_else(|| {
            let names: Vec<String> = entries
                .iter()
                .take(8)
                .map(|entry| shorten(&String::from_utf8_lossy(&entry.name)))
                .collect();
            format_error(
                &format!("{what}: entry {name:?}"),
                "present (np.savez(path, *model.get_weights()) names the arrays arr_0.npy, arr_1.npy, …)",
                format!("missing; the archive holds {names:?}"),
            )
        })?;
        if matching.next().is_some() {
            return Err(format_error(
                &format!("{what}: entry {name:?}"),
                "one entry of that name",
                "several".to_owned(),
            ));
        }
        let what = format!("{what}: {name}");
        let values = checked_product(shape).unwrap_or(usize::MAX);
        // The most an entry can need: the header, its prefix, 8 bytes a value.
        let limit = values.saturating_mul(8).saturating_add(MAX_NPY_HEADER + 12);
        let payload = entry_data(bytes, entry, limit, &what)?;
        let npy = parse_npy(&payload, &what)?;
        if npy.shape != *shape {
            return Err(Error::ShapeMismatch {
                what: format!("{what} ({label})"),
                expected: shape.clone(),
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
        arrays.push(if npy.fortran_order && shape.len() > 1 {
            // Column-major data: the same values in row-major order.
            let array = ArrayD::from_shape_vec(IxDyn(shape).f(), converted).map_err(|error| {
                format_error(&what, "values that fill the shape", error.to_string())
            })?;
            array.iter().copied().collect()
        } else {
            converted
        });
    }
    Ok(arrays)
}

/// One entry of the central directory.
#[derive(Debug)]
struct Entry {
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
    (first..=last).rev().find(|&at| {
        u32_at(bytes, at) == Some(END_SIGNATURE)
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

/// The uncompressed bytes of an entry, at most `limit` of them, with its
/// CRC-32 checked.
fn entry_data<'a>(
    bytes: &'a [u8],
    entry: &Entry,
    limit: usize,
    what: &str,
) -> Result<Cow<'a, [u8]>, Error> {
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
    let data = usize::try_from(entry.compressed)
        .ok()
        .and_then(|len| bytes.get(start..)?.get(..len))
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
        })?;
    let expected_size = usize::try_from(entry.uncompressed)
        .ok()
        .filter(|&size| size <= limit)
        .ok_or_else(|| {
            zip_error(
                what,
                "uncompressed size",
                &format!("at most {limit} bytes (the array the model takes, with its header)"),
                entry.uncompressed.to_string(),
            )
        })?;
    let content = match entry.method {
        0 => {
            if data.len() != expected_size {
                return Err(zip_error(
                    what,
                    "stored entry size",
                    &format!("{expected_size} bytes (its uncompressed size)"),
                    format!("{} bytes", data.len()),
                ));
            }
            Cow::Borrowed(data)
        }
        8 => {
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
            Cow::Owned(inflated)
        }
        method => {
            return Err(zip_error(
                what,
                "compression method",
                "0 (stored, np.savez) or 8 (deflate, np.savez_compressed)",
                method.to_string(),
            ));
        }
    };
    let crc = crc32(&content);
    if crc != entry.crc {
        return Err(zip_error(
            what,
            "CRC-32",
            &format!("{:#010x} (the directory's)", entry.crc),
            format!("{crc:#010x} (the data is corrupt)"),
        ));
    }
    Ok(content)
}

/// The CRC-32 of zip (IEEE polynomial, reflected).
fn crc32(bytes: &[u8]) -> u32 {
    !bytes.iter().fold(!0_u32, |crc, &byte| {
        CRC_TABLE[usize::from((crc as u8) ^ byte)] ^ (crc >> 8)
    })
}

const CRC_TABLE: [u32; 256] = {
    let mut table = [0_u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut crc = i as u32;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 == 1 {
                0xEDB8_8320 ^ (crc >> 1)
            } else {
                crc >> 1
            };
            bit += 1;
        }
        table[i] = crc;
        i += 1;
    }
    table
};

/// The float types an array may hold, with their byte order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NpyFloat {
    F32 { big_endian: bool },
    F64 { big_endian: bool },
}

impl NpyFloat {
    fn from_descr(descr: &str) -> Option<Self> {
        let (order, kind) = descr.split_at_checked(1)?;
        let big_endian = match order {
            "<" => false,
            ">" => true,
            "=" => cfg!(target_endian = "big"),
            _ => return None,
        };
        match kind {
            "f4" => Some(Self::F32 { big_endian }),
            "f8" => Some(Self::F64 { big_endian }),
            _ => None,
        }
    }

    fn width(self) -> usize {
        match self {
            Self::F32 { .. } => 4,
            Self::F64 { .. } => 8,
        }
    }
}

/// A parsed `.npy` array: its header and its data bytes.
#[derive(Debug)]
struct Npy<'a> {
    dtype: NpyFloat,
    fortran_order: bool,
    shape: Vec<usize>,
    data: &'a [u8],
}

/// Parses an `.npy` file (format versions 1 to 3): the magic string, the
/// header length, and the header, a Python dict literal with exactly the
/// keys `descr`, `fortran_order` and `shape`.
fn parse_npy<'a>(bytes: &'a [u8], what: &str) -> Result<Npy<'a>, Error> {
    if bytes.get(..6) != Some(b"\x93NUMPY".as_slice()) {
        let start = &bytes[..bytes.len().min(6)];
        return Err(format_error(
            what,
            "an .npy array (starting with \\x93NUMPY)",
            format!("{}", String::from_utf8_lossy(start).escape_debug()),
        ));
    }
    let major = bytes.get(6).copied().unwrap_or(0);
    let (length, start) = match major {
        1 => (u16_at(bytes, 8).map(usize::from), 10),
        2 | 3 => (
            u32_at(bytes, 8).and_then(|len| usize::try_from(len).ok()),
            12,
        ),
        _ => {
            return Err(format_error(
                &format!("{what} format version"),
                "1, 2 or 3",
                major.to_string(),
            ));
        }
    };
    let header = length
        .filter(|&len| len <= MAX_NPY_HEADER)
        .and_then(|len| bytes.get(start..)?.get(..len))
        .ok_or_else(|| {
            format_error(
                &format!("{what} header length"),
                &format!(
                    "at most {} bytes (the rest of the array, and at most {MAX_NPY_HEADER})",
                    bytes.len().saturating_sub(start)
                ),
                length.map_or("a cut-short length".to_owned(), |len| len.to_string()),
            )
        })?;
    let header_error = |reason: String| {
        format_error(
            &format!("{what} header"),
            "a NumPy header {'descr': …, 'fortran_order': …, 'shape': (…)}",
            reason,
        )
    };
    let text = std::str::from_utf8(header)
        .map_err(|_| header_error("bytes that are not text".to_owned()))?;
    let parsed = HeaderParser::new(text).parse().map_err(header_error)?;
    let dtype = NpyFloat::from_descr(&parsed.descr).ok_or_else(|| {
        format_error(
            &format!("{what} dtype"),
            "float32 or float64 ('<f4', '<f8', '>f4' or '>f8')",
            format!("{:?}", shorten(&parsed.descr)),
        )
    })?;
    Ok(Npy {
        dtype,
        fortran_order: parsed.fortran_order,
        shape: parsed.shape,
        data: &bytes[start + header.len()..],
    })
}

/// What the header dict says.
struct Header {
    descr: String,
    fortran_order: bool,
    shape: Vec<usize>,
}

/// A parser for the Python literal NumPy writes as the header:
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }`.
struct HeaderParser<'a> {
    text: &'a [u8],
    at: usize,
}

impl<'a> HeaderParser<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text: text.as_bytes(),
            at: 0,
        }
    }

    fn peek(&mut self) -> Option<u8> {
        while self
            .text
            .get(self.at)
            .is_some_and(|byte| byte.is_ascii_whitespace())
        {
            self.at += 1;
        }
        self.text.get(self.at).copied()
    }

    fn expect(&mut self, wanted: u8) -> Result<(), String> {
        match self.peek() {
            Some(byte) if byte == wanted => {
                self.at += 1;
                Ok(())
            }
            other => Err(format!(
                "{} where {:?} belongs (at byte {})",
                describe_byte(other),
                char::from(wanted),
                self.at
            )),
        }
    }

    fn parse(mut self) -> Result<Header, String> {
        let (mut descr, mut fortran_order, mut shape) = (None, None, None);
        self.expect(b'{')?;
        loop {
            if self.peek() == Some(b'}') {
                self.at += 1;
                break;
            }
            let key = self.string()?;
            self.expect(b':')?;
            let duplicate = match key.as_str() {
                "descr" => descr.replace(self.descr()?).is_some(),
                "fortran_order" => fortran_order.replace(self.boolean()?).is_some(),
                "shape" => shape.replace(self.tuple()?).is_some(),
                _ => return Err(format!("the key {:?}", shorten(&key))),
            };
            if duplicate {
                return Err(format!("the key {key:?} twice"));
            }
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    break;
                }
                other => return Err(format!("{} after a value", describe_byte(other))),
            }
        }
        if let Some(byte) = self.peek() {
            return Err(format!("{} after the dict", describe_byte(Some(byte))));
        }
        match (descr, fortran_order, shape) {
            (Some(descr), Some(fortran_order), Some(shape)) => Ok(Header {
                descr,
                fortran_order,
                shape,
            }),
            _ => Err("a dict without one of its three keys".to_owned()),
        }
    }

    /// A quoted string without escapes.
    fn string(&mut self) -> Result<String, String> {
        let quote = match self.peek() {
            Some(quote @ (b'\'' | b'"')) => quote,
            other => return Err(format!("{} where a string belongs", describe_byte(other))),
        };
        let start = self.at + 1;
        let len = self.text[start..]
            .iter()
            .position(|&byte| byte == quote)
            .ok_or_else(|| "an unterminated string".to_owned())?;
        let content = &self.text[start..start + len];
        if content.contains(&b'\\') {
            return Err("a string with escapes".to_owned());
        }
        self.at = start + len + 1;
        Ok(String::from_utf8_lossy(content).into_owned())
    }

    /// The dtype: a string (a list would be a structured dtype).
    fn descr(&mut self) -> Result<String, String> {
        match self.peek() {
            Some(b'[') => Err("a structured dtype (a list of fields)".to_owned()),
            _ => self.string(),
        }
    }

    fn boolean(&mut self) -> Result<bool, String> {
        self.peek();
        let rest = &self.text[self.at..];
        for (word, value) in [(&b"True"[..], true), (&b"False"[..], false)] {
            if rest.starts_with(word) {
                self.at += word.len();
                return Ok(value);
            }
        }
        Err(format!(
            "{} where True or False belongs",
            describe_byte(self.peek())
        ))
    }

    /// A tuple of sizes: `()`, `(3,)`, `(3, 2)`.
    fn tuple(&mut self) -> Result<Vec<usize>, String> {
        self.expect(b'(')?;
        let mut sizes = Vec::new();
        loop {
            if self.peek() == Some(b')') {
                self.at += 1;
                return Ok(sizes);
            }
            if sizes.len() == MAX_DIMS {
                return Err(format!("a shape of more than {MAX_DIMS} dimensions"));
            }
            sizes.push(self.size()?);
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b')') => {}
                other => return Err(format!("{} in the shape", describe_byte(other))),
            }
        }
    }

    /// A non-negative integer (Python 2's `3L` too).
    fn size(&mut self) -> Result<usize, String> {
        self.peek();
        let digits = self.text[self.at..]
            .iter()
            .take_while(|byte| byte.is_ascii_digit())
            .count();
        if digits == 0 {
            return Err(format!(
                "{} where a size belongs",
                describe_byte(self.peek())
            ));
        }
        let text = std::str::from_utf8(&self.text[self.at..self.at + digits]).unwrap_or("");
        let size = text
            .parse::<usize>()
            .map_err(|_| format!("the size {} (too large)", shorten(text)))?;
        self.at += digits;
        if self.text.get(self.at) == Some(&b'L') {
            self.at += 1;
        }
        Ok(size)
    }
}

fn describe_byte(byte: Option<u8>) -> String {
    match byte {
        Some(byte) => format!("{:?}", char::from(byte)),
        None => "the end of the header".to_owned(),
    }
}

/// The array's values as `T`: widened to `f64` (exact), then converted
/// with `T::from`, which rounds to nearest. A finite value that becomes
/// infinite (too large for `T`) is an error.
fn convert<T: Element>(data: &[u8], dtype: NpyFloat, what: &str) -> Result<Vec<T>, Error> {
    let width = dtype.width();
    let mut values = Vec::with_capacity(data.len() / width);
    for (i, chunk) in data.chunks_exact(width).enumerate() {
        let wide = match dtype {
            NpyFloat::F32 { big_endian } => {
                let bytes = [chunk[0], chunk[1], chunk[2], chunk[3]];
                f64::from(if big_endian {
                    f32::from_be_bytes(bytes)
                } else {
                    f32::from_le_bytes(bytes)
                })
            }
            NpyFloat::F64 { big_endian } => {
                let mut bytes = [0; 8];
                bytes.copy_from_slice(chunk);
                if big_endian {
                    f64::from_be_bytes(bytes)
                } else {
                    f64::from_le_bytes(bytes)
                }
            }
        };
        let value = T::from(wide).unwrap_or_else(T::nan);
        if wide.is_finite() && !value.is_finite() {
            return Err(format_error(
                &format!("{what} value {i}"),
                &format!("a value within the range of {}", super::dtype_name::<T>()),
                wide.to_string(),
            ));
        }
        values.push(value);
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_of_the_standard_check_string() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn headers_numpy_writes_parse() {
        let header = HeaderParser::new(
            "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }          \n",
        )
        .parse()
        .unwrap();
        assert_eq!(header.descr, "<f4");
        assert!(!header.fortran_order);
        assert_eq!(header.shape, [3, 2]);
        let scalar = HeaderParser::new("{\"descr\":\">f8\",\"fortran_order\":True,\"shape\":()}")
            .parse()
            .unwrap();
        assert_eq!((scalar.descr.as_str(), scalar.fortran_order), (">f8", true));
        assert!(scalar.shape.is_empty());
        let python2 = HeaderParser::new("{'descr': '<f8', 'fortran_order': False, 'shape': (3L,)}")
            .parse()
            .unwrap();
        assert_eq!(python2.shape, [3]);
    }

    #[test]
    fn bad_headers_are_refused() {
        for text in [
            "",
            "{",
            "{'descr': '<f4'}",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), 'extra': 1}",
            "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (3,)}",
            "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (3,)}",
            "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (3,)}",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (-3,)}",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,)}",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (3 2)}",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (3,)} trailing",
            "{'descr': '<f\\4', 'fortran_order': False, 'shape': (3,)}",
            "{'descr: '<f4', 'fortran_order': False, 'shape': (3,)}",
        ] {
            assert!(HeaderParser::new(text).parse().is_err(), "{text}");
        }
        let deep = format!(
            "{{'descr': '<f4', 'fortran_order': False, 'shape': ({})}}",
            "1,".repeat(65)
        );
        assert!(HeaderParser::new(&deep).parse().is_err());
    }

    #[test]
    fn dtypes() {
        assert_eq!(
            NpyFloat::from_descr("<f4"),
            Some(NpyFloat::F32 { big_endian: false })
        );
        assert_eq!(
            NpyFloat::from_descr(">f8"),
            Some(NpyFloat::F64 { big_endian: true })
        );
        for other in ["<i8", "|u1", "<f2", "<c8", "f4", "", "<f16", "|b1"] {
            assert_eq!(NpyFloat::from_descr(other), None, "{other}");
        }
    }
}

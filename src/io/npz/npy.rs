//! `.npy` arrays (format versions 1 to 3) of float32 or float64: the
//! header, a Python dict literal, parsed by hand, and where the data
//! starts (converted by [`StoredFloat::decode`]).

use crate::error::Error;
use crate::io::spec::{format_error, shorten};
use crate::io::stored_float::{ByteOrder, StoredFloat};

/// The largest `.npy` header read (NumPy itself refuses more than 10,000
/// bytes unless told otherwise).
const MAX_NPY_HEADER: usize = 65_536;

/// The most dimensions a `.npy` shape may have (NumPy's limit is 64).
const MAX_DIMS: usize = 64;

/// The most bytes an `.npy` array of `values` values can take: the magic
/// string and header length, the largest header, 8 bytes a value.
pub(super) fn largest_npy(values: usize) -> usize {
    values.saturating_mul(8).saturating_add(MAX_NPY_HEADER + 12)
}

/// The float type a NumPy dtype string (`'<f4'`, `'>f8'`, …) names, or
/// `None` for any other dtype.
fn stored_float(descr: &str) -> Option<StoredFloat> {
    let (order, kind) = descr.split_at_checked(1)?;
    let order = match order {
        "<" => ByteOrder::Little,
        ">" => ByteOrder::Big,
        "=" if cfg!(target_endian = "big") => ByteOrder::Big,
        "=" => ByteOrder::Little,
        _ => return None,
    };
    match kind {
        "f4" => Some(StoredFloat::F32(order)),
        "f8" => Some(StoredFloat::F64(order)),
        _ => None,
    }
}

/// A parsed `.npy` array: its header and its data bytes.
#[derive(Debug)]
pub(super) struct Npy<'a> {
    pub(super) dtype: StoredFloat,
    pub(super) fortran_order: bool,
    pub(super) shape: Vec<usize>,
    pub(super) data: &'a [u8],
}

/// Parses an `.npy` file (format versions 1 to 3): the magic string, the
/// header length, and the header, a Python dict literal with exactly the
/// keys `descr`, `fortran_order` and `shape`.
pub(super) fn parse_npy<'a>(bytes: &'a [u8], what: &str) -> Result<Npy<'a>, Error> {
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
        1 => (header_length(bytes, 2), 10),
        2 | 3 => (header_length(bytes, 4), 12),
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
    let dtype = stored_float(&parsed.descr).ok_or_else(|| {
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

/// The header length: a little-endian field of `width` bytes after the
/// magic string and the version.
fn header_length(bytes: &[u8], width: usize) -> Option<usize> {
    let field = bytes.get(8..8 + width)?;
    let mut wide = [0; 8];
    wide[..width].copy_from_slice(field);
    usize::try_from(u64::from_le_bytes(wide)).ok()
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

#[cfg(test)]
mod tests {
    use super::*;

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
            stored_float("<f4"),
            Some(StoredFloat::F32(ByteOrder::Little))
        );
        assert_eq!(stored_float(">f8"), Some(StoredFloat::F64(ByteOrder::Big)));
        for other in ["<i8", "|u1", "<f2", "<c8", "f4", "", "<f16", "|b1"] {
            assert_eq!(stored_float(other), None, "{other}");
        }
    }
}

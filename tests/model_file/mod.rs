//! A neurite model file (safetensors: an 8-byte little-endian header
//! length, the JSON header, the data) taken apart and put back together,
//! for tests that edit files by hand.

use serde_json::Value;

/// A model file taken apart: the header JSON and the data.
pub fn split(bytes: &[u8]) -> (Value, Vec<u8>) {
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let header = serde_json::from_slice(&bytes[8..8 + n]).unwrap();
    (header, bytes[8 + n..].to_vec())
}

/// A file from a header and data, with the right length prefix.
pub fn join(header: &Value, data: &[u8]) -> Vec<u8> {
    let text = header.to_string();
    let mut out = (text.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(text.as_bytes());
    out.extend_from_slice(data);
    out
}

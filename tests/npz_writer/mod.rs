//! A small writer of `.npy` arrays and zip archives, for tests that need
//! `.npz` files NumPy would write (or would not): any dtype string, header,
//! byte order, Fortran order, stored or deflated entries, Zip64 records.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

/// An `.npy` file (format 1.0) with the given header fields and data.
pub fn npy(descr: &str, fortran_order: bool, shape: &[usize], data: &[u8]) -> Vec<u8> {
    let shape = match shape {
        [] => "()".to_owned(),
        [one] => format!("({one},)"),
        many => format!(
            "({})",
            many.iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let fortran = if fortran_order { "True" } else { "False" };
    npy_with_header(
        &format!("{{'descr': '{descr}', 'fortran_order': {fortran}, 'shape': {shape}, }}"),
        data,
    )
}

/// An `.npy` file (format 1.0) with a header text of one's choosing,
/// padded as NumPy pads it (to a multiple of 64 bytes, ending in `\n`).
pub fn npy_with_header(header: &str, data: &[u8]) -> Vec<u8> {
    let mut header = header.to_owned();
    while !(10 + header.len() + 1).is_multiple_of(64) {
        header.push(' ');
    }
    header.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(data);
    out
}

/// Little-endian float32 bytes.
pub fn f32_bytes(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// Little-endian float64 bytes.
pub fn f64_bytes(values: &[f64]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// How entries are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZipOptions {
    /// Deflate the entries (`np.savez_compressed`).
    pub deflate: bool,
    /// Write sizes and offsets as Zip64 extra fields and end records.
    pub zip64: bool,
}

pub const STORED: ZipOptions = ZipOptions {
    deflate: false,
    zip64: false,
};

/// A zip archive of the given entries.
pub fn zip(entries: &[(&str, Vec<u8>)], options: ZipOptions) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, content) in entries {
        let offset = out.len() as u64;
        let crc = crc32(content);
        let (method, data) = if options.deflate {
            (8_u16, miniz_oxide::deflate::compress_to_vec(content, 6))
        } else {
            (0, content.clone())
        };
        let (compressed, uncompressed) = (data.len() as u64, content.len() as u64);
        // Local header: sizes given directly (the reader uses the directory's).
        out.extend_from_slice(&0x0403_4b50_u32.to_le_bytes());
        out.extend_from_slice(&[20, 0, 0, 0]);
        out.extend_from_slice(&method.to_le_bytes());
        out.extend_from_slice(&[0; 4]);
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&(compressed as u32).to_le_bytes());
        out.extend_from_slice(&(uncompressed as u32).to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0_u16.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&data);

        let mut extra = Vec::new();
        let (c32, u32_, o32) = if options.zip64 {
            extra.extend_from_slice(&1_u16.to_le_bytes());
            extra.extend_from_slice(&24_u16.to_le_bytes());
            extra.extend_from_slice(&uncompressed.to_le_bytes());
            extra.extend_from_slice(&compressed.to_le_bytes());
            extra.extend_from_slice(&offset.to_le_bytes());
            (u32::MAX, u32::MAX, u32::MAX)
        } else {
            (compressed as u32, uncompressed as u32, offset as u32)
        };
        central.extend_from_slice(&0x0201_4b50_u32.to_le_bytes());
        central.extend_from_slice(&[45, 3, 45, 0, 0, 0]);
        central.extend_from_slice(&method.to_le_bytes());
        central.extend_from_slice(&[0; 4]);
        central.extend_from_slice(&crc.to_le_bytes());
        central.extend_from_slice(&c32.to_le_bytes());
        central.extend_from_slice(&u32_.to_le_bytes());
        central.extend_from_slice(&(name.len() as u16).to_le_bytes());
        central.extend_from_slice(&(extra.len() as u16).to_le_bytes());
        central.extend_from_slice(&[0; 6]);
        central.extend_from_slice(&0x8180_0000_u32.to_le_bytes());
        central.extend_from_slice(&o32.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
        central.extend_from_slice(&extra);
    }
    let directory_offset = out.len() as u64;
    let directory_size = central.len() as u64;
    out.extend_from_slice(&central);
    let count = entries.len() as u64;
    if options.zip64 {
        let record = out.len() as u64;
        out.extend_from_slice(&0x0606_4b50_u32.to_le_bytes());
        out.extend_from_slice(&44_u64.to_le_bytes());
        out.extend_from_slice(&[45, 3, 45, 0]);
        out.extend_from_slice(&[0; 8]);
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&directory_size.to_le_bytes());
        out.extend_from_slice(&directory_offset.to_le_bytes());
        out.extend_from_slice(&0x0706_4b50_u32.to_le_bytes());
        out.extend_from_slice(&0_u32.to_le_bytes());
        out.extend_from_slice(&record.to_le_bytes());
        out.extend_from_slice(&1_u32.to_le_bytes());
    }
    out.extend_from_slice(&0x0605_4b50_u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    let small_count = if options.zip64 { 0xFFFF } else { count as u16 };
    out.extend_from_slice(&small_count.to_le_bytes());
    out.extend_from_slice(&small_count.to_le_bytes());
    let (size32, offset32) = if options.zip64 {
        (u32::MAX, u32::MAX)
    } else {
        (directory_size as u32, directory_offset as u32)
    };
    out.extend_from_slice(&size32.to_le_bytes());
    out.extend_from_slice(&offset32.to_le_bytes());
    out.extend_from_slice(&0_u16.to_le_bytes());
    out
}

/// The CRC-32 of zip.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0_u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                0xEDB8_8320 ^ (crc >> 1)
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A scratch path in the temporary folder, unique to this process and name.
pub fn temp_path(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("neurite-test-{}-{name}", std::process::id()))
}

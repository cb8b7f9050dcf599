use super::*;

// ------------------------------------------------------------ .npz archives

fn keras_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/keras_export")
        .join(name)
}

/// The tutorial's second model: Dense(2 → 1, relu), Dense(1 → 1, sigmoid).
fn tutorial_model() -> Sequential<f32> {
    let mut model = Sequential::new();
    model
        .add(Dense::glorot(2, 1, "relu".parse::<BuiltinActivation<f32>>().unwrap(), 5).unwrap())
        .unwrap()
        .add(
            Dense::glorot(
                1,
                1,
                "sigmoid".parse::<BuiltinActivation<f32>>().unwrap(),
                6,
            )
            .unwrap(),
        )
        .unwrap();
    model
}

/// Loads `bytes` as an `.npz` into the tutorial model; on error the model
/// must be unchanged. Returns the result and the weights after.
#[track_caller]
fn load_archive(bytes: &[u8]) -> (Result<(), Error>, Vec<ArrayD<f32>>) {
    let scratch = Scratch::new("archive.npz", bytes);
    let mut model = tutorial_model();
    let before = model.get_weights();
    let result = bounded(bytes.len(), || model.load_npz(scratch.path()));
    if result.is_err() {
        assert_eq!(
            model.get_weights(),
            before,
            "a failed load_npz changed the model"
        );
    }
    (result, model.get_weights())
}

#[track_caller]
fn assert_archive_refused(bytes: &[u8], context: &str) -> Error {
    match load_archive(bytes).0 {
        Err(
            error @ (Error::Format { .. }
            | Error::ShapeMismatch { .. }
            | Error::WeightCountMismatch { .. }),
        ) => error,
        other => panic!("{context}: expected an error, got {other:?}"),
    }
}

/// The tutorial model's weights as a well-formed archive, entry by entry.
fn tutorial_entries() -> Vec<(String, Vec<u8>)> {
    let weights = tutorial_model().get_weights();
    weights
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let values: Vec<f32> = w.iter().copied().collect();
            (
                format!("arr_{i}.npy"),
                npy("<f4", false, w.shape(), &f32_bytes(&values)),
            )
        })
        .collect()
}

fn archive(entries: &[(String, Vec<u8>)], options: ZipOptions) -> Vec<u8> {
    let entries: Vec<(&str, Vec<u8>)> = entries
        .iter()
        .map(|(name, bytes)| (name.as_str(), bytes.clone()))
        .collect();
    zip(&entries, options)
}

#[test]
fn truncating_a_keras_export_at_every_offset_is_an_error() {
    let bytes = std::fs::read(keras_file("tutorial_model2_float32.npz")).unwrap();
    assert!(load_archive(&bytes).0.is_ok());
    for len in 0..bytes.len() {
        assert_archive_refused(&bytes[..len], &format!("truncated to {len} bytes"));
    }
    // The compressed fixture too, every 3rd offset.
    let compressed = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/mlp_elu_leaky_softmax_float64_compressed.npz"),
    )
    .unwrap();
    let mut model = Sequential::<f64>::new();
    let mut inputs = 4;
    for (units, activation) in [(7, "elu"), (6, "leaky_relu"), (3, "softmax")] {
        let activation: BuiltinActivation<f64> = activation.parse().unwrap();
        model
            .add(Dense::glorot(inputs, units, activation, 0).unwrap())
            .unwrap();
        inputs = units;
    }
    let before = model.get_weights();
    for len in (0..compressed.len()).step_by(3) {
        let scratch = Scratch::new("compressed.npz", &compressed[..len]);
        let result = bounded(len, || model.load_npz(scratch.path()));
        assert!(result.is_err(), "compressed, truncated to {len}");
        assert_eq!(model.get_weights(), before);
    }
    eprintln!(
        "npz truncation: {} + {} offsets, all refused",
        bytes.len(),
        compressed.len().div_ceil(3)
    );
}

#[test]
fn random_byte_flips_in_a_keras_export_are_caught_or_harmless() {
    let bytes = std::fs::read(keras_file("tutorial_model2_float32.npz")).unwrap();
    let (clean, weights) = load_archive(&bytes);
    clean.unwrap();
    let mut random = Rng(42);
    let (mut refused, mut harmless) = (0, 0);
    const TRIALS: usize = 1500;
    for _ in 0..TRIALS {
        let mut flipped = bytes.clone();
        for _ in 0..1 + random.below(2) {
            let at = random.below(flipped.len());
            flipped[at] ^= 1 + random.below(255) as u8;
        }
        match load_archive(&flipped) {
            (Ok(()), loaded) => {
                // Only fields the reader does not use (times, versions,
                // attributes, the local copies of the sizes) may change
                // without an error: the weights are then the same.
                assert_eq!(loaded, weights, "a flip changed the weights unnoticed");
                harmless += 1;
            }
            (Err(_), _) => refused += 1,
        }
    }
    eprintln!("{TRIALS} flipped archives: {refused} refused, {harmless} harmless");
}

#[test]
fn huge_sizes_in_an_archive_are_not_believed() {
    let good = archive(&tutorial_entries(), STORED);
    assert!(load_archive(&good).0.is_ok());
    let end = good.len() - 22;
    let directory = u32::from_le_bytes(good[end + 16..end + 20].try_into().unwrap()) as usize;
    let patch = |at: usize, value: &[u8]| {
        let mut bytes = good.clone();
        bytes[at..at + value.len()].copy_from_slice(value);
        bytes
    };
    let cases = vec![
        (
            "entry count 0xFFFE",
            patch(end + 8, &[0xFE, 0xFF, 0xFE, 0xFF]),
        ),
        (
            "directory size 0xFFFFFFF0",
            patch(end + 12, &0xFFFF_FFF0_u32.to_le_bytes()),
        ),
        (
            "directory offset 0xFFFFFFF0",
            patch(end + 16, &0xFFFF_FFF0_u32.to_le_bytes()),
        ),
        ("count 0xFFFF without Zip64", patch(end + 10, &[0xFF, 0xFF])),
        (
            "compressed size 0xFFFFFFF0",
            patch(directory + 20, &0xFFFF_FFF0_u32.to_le_bytes()),
        ),
        (
            "uncompressed size 0xFFFFFFF0",
            patch(directory + 24, &0xFFFF_FFF0_u32.to_le_bytes()),
        ),
        ("both sizes 0x7FFFFFFF", {
            let mut bytes = patch(directory + 20, &0x7FFF_FFFF_u32.to_le_bytes());
            bytes[directory + 24..directory + 28].copy_from_slice(&0x7FFF_FFFF_u32.to_le_bytes());
            bytes
        }),
        (
            "local offset 0xFFFFFFF0",
            patch(directory + 42, &0xFFFF_FFF0_u32.to_le_bytes()),
        ),
        ("name length 0xFFFF", patch(directory + 28, &[0xFF, 0xFF])),
        ("extra length 0xFFFF", patch(directory + 30, &[0xFF, 0xFF])),
        ("local name length 0xFFFF", patch(26, &[0xFF, 0xFF])),
        ("local extra length 0xFFFF", patch(28, &[0xFF, 0xFF])),
        ("comment length 0xFFFF", patch(end + 20, &[0xFF, 0xFF])),
    ];
    for (name, bytes) in &cases {
        assert_archive_refused(bytes, name);
    }

    // Zip64 fields of 2^63.
    let good64 = archive(
        &tutorial_entries(),
        ZipOptions {
            deflate: false,
            zip64: true,
        },
    );
    assert!(load_archive(&good64).0.is_ok());
    let record = good64.len() - 22 - 20 - 56;
    let mut zip64_cases = Vec::new();
    for (name, at) in [
        ("Zip64 count", record + 32),
        ("Zip64 size", record + 40),
        ("Zip64 offset", record + 48),
    ] {
        let mut bytes = good64.clone();
        bytes[at..at + 8].copy_from_slice(&(1_u64 << 63).to_le_bytes());
        zip64_cases.push((name, bytes));
    }
    let locator = good64.len() - 22 - 20;
    let mut bytes = good64.clone();
    bytes[locator + 8..locator + 16].copy_from_slice(&u64::MAX.to_le_bytes());
    zip64_cases.push(("Zip64 record offset", bytes));
    // The extra field of the first entry: uncompressed, compressed, offset.
    let directory64 =
        u64::from_le_bytes(good64[record + 48..record + 56].try_into().unwrap()) as usize;
    let name_len = u16::from_le_bytes(
        good64[directory64 + 28..directory64 + 30]
            .try_into()
            .unwrap(),
    ) as usize;
    let extra = directory64 + 46 + name_len + 4;
    for (name, offset) in [
        ("Zip64 uncompressed", 0),
        ("Zip64 compressed", 8),
        ("Zip64 local offset", 16),
    ] {
        let mut bytes = good64.clone();
        bytes[extra + offset..extra + offset + 8].copy_from_slice(&(1_u64 << 63).to_le_bytes());
        zip64_cases.push((name, bytes));
    }
    for (name, bytes) in &zip64_cases {
        assert_archive_refused(bytes, name);
    }

    // A deflated entry that claims, or inflates to, more than the model takes.
    let mut entries = tutorial_entries();
    entries[0].1 = npy("<f4", false, &[2, 1], &vec![0; 1 << 20]);
    let bomb = archive(
        &entries,
        ZipOptions {
            deflate: true,
            zip64: false,
        },
    );
    assert!(
        bomb.len() < 4096,
        "a megabyte of zeros deflates to {} bytes",
        bomb.len()
    );
    assert_archive_refused(&bomb, "a zip bomb");

    // .npy header lengths and shapes.
    let mut entries = tutorial_entries();
    let mut header = entries[0].1.clone();
    header[8..10].copy_from_slice(&[0xFF, 0xFF]);
    entries[0].1 = header;
    assert_archive_refused(&archive(&entries, STORED), "npy header length 0xFFFF");
    for shape in [
        "(4611686018427387904, 4)",
        "(18446744073709551615,)",
        "(99999999999999999999999,)",
    ] {
        let mut entries = tutorial_entries();
        entries[0].1 = npy_with_header(
            &format!("{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}"),
            &f32_bytes(&[1.0, 2.0]),
        );
        assert_archive_refused(&archive(&entries, STORED), shape);
    }
    eprintln!(
        "archive length fields: {} refused",
        cases.len() + zip64_cases.len() + 5
    );
}

#[test]
fn missing_extra_misshaped_and_non_float_arrays_are_refused() {
    let entries = tutorial_entries();
    let weights = tutorial_model().get_weights();
    let count_error = |bytes: &[u8]| match load_archive(bytes).0 {
        Err(Error::WeightCountMismatch {
            expected, found, ..
        }) => (expected, found),
        other => panic!("{other:?}"),
    };
    // Missing and extra arrays.
    assert_eq!(count_error(&archive(&entries[..3], STORED)), (4, 3));
    let mut extra = entries.clone();
    extra.push(("arr_4.npy".into(), entries[3].1.clone()));
    assert_eq!(count_error(&archive(&extra, STORED)), (4, 5));
    assert_eq!(count_error(&archive(&[], STORED)), (4, 0));
    // The right number, the wrong names.
    let mut renamed = entries.clone();
    renamed[2].0 = "kernel.npy".into();
    assert_archive_refused(&archive(&renamed, STORED), "renamed");
    let mut duplicated = entries.clone();
    duplicated[3].0 = "arr_2.npy".into();
    assert_archive_refused(&archive(&duplicated, STORED), "duplicated");
    // Mis-shaped arrays.
    for (i, shape) in [
        (0, vec![1, 2]),
        (0, vec![2]),
        (1, vec![1, 1]),
        (2, vec![]),
        (3, vec![2]),
    ] {
        let mut misshaped = entries.clone();
        let size: usize = shape.iter().product();
        misshaped[i].1 = npy("<f4", false, &shape, &f32_bytes(&vec![0.5; size]));
        match load_archive(&archive(&misshaped, STORED)).0 {
            Err(Error::ShapeMismatch {
                expected, found, ..
            }) => {
                assert_eq!(expected, weights[i].shape());
                assert_eq!(found, shape);
            }
            other => panic!("arr_{i} {shape:?}: {other:?}"),
        }
    }
    // Non-float arrays, and floats NumPy has but Keras does not write.
    for descr in [
        "<i4", "<i8", "|u1", "|b1", "<f2", "<c8", "<c16", "|O", "<U5", "|S4", ">i4", "<m8[s]",
    ] {
        let mut typed = entries.clone();
        typed[0].1 = npy(descr, false, &[2, 1], &[0; 8]);
        match load_archive(&archive(&typed, STORED)).0 {
            Err(Error::Format { what, .. }) => assert!(what.contains("dtype"), "{descr}: {what}"),
            other => panic!("{descr}: {other:?}"),
        }
    }
    let mut structured = entries.clone();
    structured[0].1 = npy_with_header(
        "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2, 1), }",
        &[0; 8],
    );
    assert_archive_refused(&archive(&structured, STORED), "structured dtype");
    // Data that does not fit the shape.
    for len in [0, 4, 7, 12] {
        let mut short = entries.clone();
        short[0].1 = npy("<f4", false, &[2, 1], &vec![0; len]);
        assert_archive_refused(&archive(&short, STORED), &format!("{len} data bytes"));
    }
    // Not an .npy at all, or a header NumPy would not write.
    let mut not_npy = entries.clone();
    not_npy[1].1 = b"PK\x03\x04 not an array".to_vec();
    assert_archive_refused(&archive(&not_npy, STORED), "not npy");
    for header in [
        "{'descr': '<f4', 'shape': (1,), }",
        "{'descr': '<f4', 'fortran_order': 0, 'shape': (1,), }",
        "{'descr': '<f4', 'fortran_order': False, 'shape': [1], }",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1}",
        "not a dict",
    ] {
        let mut bad = entries.clone();
        bad[1].1 = npy_with_header(header, &f32_bytes(&[1.0]));
        assert_archive_refused(&archive(&bad, STORED), header);
    }
    let mut version = entries.clone();
    version[1].1[6] = 9;
    assert_archive_refused(&archive(&version, STORED), "npy version 9");
}

#[test]
fn corrupt_archives_are_refused() {
    let good = archive(&tutorial_entries(), STORED);
    let directory = {
        let end = good.len() - 22;
        u32::from_le_bytes(good[end + 16..end + 20].try_into().unwrap()) as usize
    };
    let patch = |at: usize, value: &[u8]| {
        let mut bytes = good.clone();
        bytes[at..at + value.len()].copy_from_slice(value);
        bytes
    };
    // A weight byte changed: the CRC says so.
    let data = 30 + "arr_0.npy".len() + 128;
    match load_archive(&patch(data, &[0x42])).0 {
        Err(Error::Format { what, .. }) => assert!(what.contains("CRC"), "{what}"),
        other => panic!("{other:?}"),
    }
    for (name, bytes) in [
        ("encrypted", patch(directory + 8, &[1, 0])),
        ("bzip2", patch(directory + 10, &[12, 0])),
        ("deflate64", patch(directory + 10, &[9, 0])),
        ("split archive", patch(good.len() - 22 + 4, &[1, 0])),
        ("local signature", patch(0, b"PK\x05\x06")),
        ("directory signature", patch(directory, b"XXXX")),
        (
            "stored sizes disagree",
            patch(directory + 20, &[1, 0, 0, 0]),
        ),
    ] {
        assert_archive_refused(&bytes, name);
    }
    // Deflate streams that are corrupt, or inflate to other sizes.
    let deflated = archive(
        &tutorial_entries(),
        ZipOptions {
            deflate: true,
            zip64: false,
        },
    );
    assert!(load_archive(&deflated).0.is_ok());
    let mut corrupt = deflated.clone();
    for byte in &mut corrupt[30 + 9..30 + 9 + 16] {
        *byte = 0xFF;
    }
    assert_archive_refused(&corrupt, "corrupt deflate stream");
    // Not an archive at all: a model file, text, nothing.
    let model_file = small_model().to_bytes().unwrap();
    for (name, bytes) in [
        ("model file", model_file.as_slice()),
        ("text", b"hello".as_slice()),
        ("empty", b"".as_slice()),
    ] {
        assert_archive_refused(bytes, name);
    }
    // And an archive is not a model file.
    assert_format_error(Sequential::<f32>::from_bytes(&good), "npz as a model");
}

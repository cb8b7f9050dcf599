//! Keras files from strangers: truncated, bit-flipped, with huge lengths,
//! cyclic, soft and external links, or zip entries with tricky names.
//! Every one must give an error (never a panic, an abort or a hang), the
//! loader must hold no more than a small multiple of the file, a failed
//! `load_keras_weights` must leave the model as it was, and loading must
//! write nothing to disk.

mod npz_writer;
mod rng;

use allocation_counter::measure;
use neurite::{BuiltinActivation, Dense, Error, Sequential};
use npz_writer::{STORED, zip};
use rng::Rng;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/keras")
        .join(name);
    std::fs::read(path).unwrap()
}

/// A scratch file of its own for each test, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        Self(npz_writer::temp_path(&format!("hostile-keras-{name}")))
    }

    fn holding(&self, bytes: &[u8]) -> &Path {
        std::fs::write(&self.0, bytes).unwrap();
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The most a load may hold for a file of `len` bytes: the file, its
/// inner HDF5 copy, the parsed JSON and weights, and a constant.
fn allowance(len: usize) -> u64 {
    32 * len as u64 + (1 << 20)
}

/// The tutorial's architecture (2 -> 1 relu -> 1 sigmoid), to load
/// weights into.
fn tutorial_model() -> Sequential<f32> {
    let mut model = Sequential::new();
    let relu: BuiltinActivation<f32> = "relu".parse().unwrap();
    let sigmoid: BuiltinActivation<f32> = "sigmoid".parse().unwrap();
    model.add(Dense::glorot(2, 1, relu, 1).unwrap()).unwrap();
    model.add(Dense::glorot(1, 1, sigmoid, 2).unwrap()).unwrap();
    model
}

/// Loads `bytes` both ways, within the allowance; a failed weights load
/// leaves the model as it was. Returns whether `load_keras` succeeded.
#[track_caller]
fn load_both(bytes: &[u8]) -> bool {
    let mut loaded = None;
    let info = measure(|| loaded = Some(Sequential::<f32>::from_keras_bytes(bytes)));
    assert!(
        info.bytes_max <= allowance(bytes.len()),
        "a {}-byte file made load_keras hold {} bytes",
        bytes.len(),
        info.bytes_max
    );
    let mut model = tutorial_model();
    let before = model.get_weights();
    if model.load_keras_weights_from_bytes(bytes).is_err() {
        assert_eq!(
            model.get_weights(),
            before,
            "a failed load changed the model"
        );
    }
    loaded.unwrap().is_ok()
}

/// The `.keras` archive of `file` with its `model.weights.h5` replaced.
fn with_weights(file: &[u8], weights: Vec<u8>) -> Vec<u8> {
    let config = inner(file, "config.json");
    let metadata = inner(file, "metadata.json");
    zip(
        &[
            ("metadata.json", metadata),
            ("config.json", config),
            ("model.weights.h5", weights),
        ],
        STORED,
    )
}

/// The stored entry `name` of a `.keras` fixture (its local headers read
/// by hand).
fn inner(file: &[u8], name: &str) -> Vec<u8> {
    let field = |at: usize, width: usize| {
        file[at..at + width]
            .iter()
            .rev()
            .fold(0_usize, |value, &byte| value << 8 | usize::from(byte))
    };
    let mut at = 0;
    while field(at, 4) == 0x0403_4b50 {
        let size = field(at + 18, 4);
        let (name_len, extra) = (field(at + 26, 2), field(at + 28, 2));
        let start = at + 30 + name_len + extra;
        if &file[at + 30..at + 30 + name_len] == name.as_bytes() {
            return file[start..start + size].to_vec();
        }
        at = start + size;
    }
    panic!("no entry {name}");
}

#[test]
fn truncations_of_a_legacy_h5_are_errors() {
    let file = fixture("tutorial_model2_tfkeras.h5");
    for len in 0..file.len() {
        assert!(!load_both(&file[..len]), "{len} bytes loaded");
    }
}

#[test]
fn truncations_of_a_keras_archive_and_of_its_hdf5_are_errors() {
    // The zip: a cut before its central directory leaves no end record,
    // which the reader finds by scanning back over the whole file (in a
    // debug build, minutes for all 38 000 cuts): every 7th of those cuts,
    // and every one in the central directory and the end record.
    let file = fixture("mlp7_adam_keras3_trackorder.keras");
    let end_record = file.len() - 22; // no archive comment
    let directory = u32::from_le_bytes(file[end_record + 16..end_record + 20].try_into().unwrap());
    let directory = directory as usize;
    let cuts = (0..directory).step_by(7).chain(directory..file.len());
    for len in cuts {
        assert!(!load_both(&file[..len]), "{len} bytes loaded");
    }
    // Every cut of the weights inside an intact archive: the HDF5
    // reader on the new-style groups.
    let weights = inner(&file, "model.weights.h5");
    for len in 0..weights.len() {
        let archive = with_weights(&file, weights[..len].to_vec());
        assert!(!load_both(&archive), "weights of {len} bytes loaded");
    }
}

#[test]
fn byte_flips_give_errors_or_models_never_panics() {
    let mut rng = Rng(15);
    for name in [
        "tutorial_model2_tfkeras.h5",
        "mlp7_adam_tfkeras_latest.h5",
        "nobias_named_keras3_legacy.h5",
    ] {
        let file = fixture(name);
        for _ in 0..300 {
            let mut bytes = file.clone();
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(bytes.len());
                bytes[at] ^= 1 << rng.below(8);
            }
            load_both(&bytes);
        }
    }
    for name in [
        "mlp7_adam_keras3_trackorder.keras",
        "tutorial_model2_keras3.keras",
    ] {
        let file = fixture(name);
        let weights = inner(&file, "model.weights.h5");
        for _ in 0..300 {
            let mut bytes = weights.clone();
            let at = rng.below(bytes.len());
            bytes[at] ^= 1 << rng.below(8);
            load_both(&with_weights(&file, bytes));
        }
    }
}

/// Every occurrence of `value` as 8 little-endian bytes replaced.
fn patch_u64(bytes: &mut [u8], value: u64, by: u64) -> usize {
    let needle = value.to_le_bytes();
    let mut count = 0;
    for at in 0..bytes.len().saturating_sub(8) {
        if bytes[at..at + 8] == needle {
            bytes[at..at + 8].copy_from_slice(&by.to_le_bytes());
            count += 1;
        }
    }
    count
}

#[test]
fn huge_lengths_are_refused_before_they_are_allocated() {
    // The 16 x 12 kernel of mlp7's second layer: dimensions 16 and 12 as
    // 8-byte sizes in its dataspace, claimed to be 2^40 and 2^62.
    let file = fixture("mlp7_adam_tfkeras_latest.h5");
    for huge in [1_u64 << 40, 1 << 62, u64::MAX] {
        let mut bytes = file.clone();
        assert!(patch_u64(&mut bytes, 16, huge) > 0);
        assert!(!load_both(&bytes));
    }
    // Every 4- and 8-byte field at a seeded set of places set to huge.
    let mut rng = Rng(40);
    for _ in 0..300 {
        let mut bytes = file.clone();
        let at = rng.below(bytes.len() - 8);
        let width = [4, 8][rng.below(2)];
        bytes[at..at + width].fill(0xff);
        load_both(&bytes);
    }
}

#[test]
fn soft_and_external_links_are_not_followed_out_or_around() {
    let scratch = Scratch::new("links");
    for name in ["variants/soft_cycle.h5", "variants/external_link.h5"] {
        let file = fixture(name);
        match Sequential::<f32>::load_keras(scratch.holding(&file)) {
            Err(Error::Format { .. }) => {}
            other => panic!("{name}: {other:?}"),
        }
        assert!(!load_both(&file));
    }
}

#[test]
fn zip_entries_with_tricky_names_are_never_taken_for_the_model() {
    let scratch = Scratch::new("names");
    let file = fixture("tutorial_model2_keras3.keras");
    let (config, metadata) = (inner(&file, "config.json"), inner(&file, "metadata.json"));
    let weights = inner(&file, "model.weights.h5");
    let renamed = |config_name: &str| {
        zip(
            &[
                ("metadata.json", metadata.clone()),
                (config_name, config.clone()),
                ("model.weights.h5", weights.clone()),
            ],
            STORED,
        )
    };
    for name in [
        "../config.json",
        "/config.json",
        "sub/config.json",
        "CONFIG.JSON",
        "config.json\0",
    ] {
        match Sequential::<f32>::load_keras(scratch.holding(&renamed(name))) {
            Err(Error::Format { what, .. }) => assert!(what.contains("config.json"), "{what}"),
            other => panic!("{name:?}: {other:?}"),
        }
    }
    let twice = zip(
        &[
            ("config.json", config.clone()),
            ("config.json", b"{}".to_vec()),
            ("model.weights.h5", weights.clone()),
        ],
        STORED,
    );
    assert!(!load_both(&twice));
    // The archive as Keras wrote it loads: the refusals above are the names.
    assert!(load_both(&renamed("config.json")));
}

#[test]
fn loading_writes_nothing_to_disk() {
    let folder = npz_writer::temp_path("hostile-keras-folder");
    std::fs::create_dir_all(&folder).unwrap();
    for name in [
        "tutorial_model2_keras3.keras",
        "tutorial_model2_tfkeras.h5",
        "variants/external_link.h5",
    ] {
        let target = folder.join(name.replace('/', "_"));
        std::fs::write(&target, fixture(name)).unwrap();
        let _ = Sequential::<f32>::load_keras(&target);
    }
    assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 3);
    std::fs::remove_dir_all(&folder).unwrap();
}

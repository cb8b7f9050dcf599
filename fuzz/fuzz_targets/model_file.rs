//! Model and weights files (safetensors) from arbitrary bytes:
//! `from_bytes` and `load` for both element types, and `load_weights`
//! into the fuzz model, which must be left as it was when loading fails.

#![no_main]

use libfuzzer_sys::fuzz_target;
use neurite::Sequential;
use neurite_fuzz::{assert_unchanged_on_error, fuzz_model, scratch_file};

fuzz_target!(|bytes: &[u8]| {
    let _ = Sequential::<f32>::from_bytes(bytes);
    let _ = Sequential::<f64>::from_bytes(bytes);
    let path = scratch_file("model_file", bytes);
    let _ = Sequential::<f32>::load(&path);
    let mut model = fuzz_model::<f32>();
    assert_unchanged_on_error("load_weights", &mut model, |model| {
        model.load_weights(&path)
    });
    let mut model = fuzz_model::<f64>();
    assert_unchanged_on_error("load_weights", &mut model, |model| {
        model.load_weights(&path)
    });
});

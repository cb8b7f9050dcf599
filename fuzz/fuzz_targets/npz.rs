//! `.npz` archives from arbitrary bytes: `load_npz` into the fuzz model,
//! for both element types, which must be left as it was when loading fails.

#![no_main]

use libfuzzer_sys::fuzz_target;
use neurite_fuzz::{assert_unchanged_on_error, fuzz_model, scratch_file};

fuzz_target!(|bytes: &[u8]| {
    let path = scratch_file("npz", bytes);
    let mut model = fuzz_model::<f32>();
    assert_unchanged_on_error("load_npz", &mut model, |model| model.load_npz(&path));
    let mut model = fuzz_model::<f64>();
    assert_unchanged_on_error("load_npz", &mut model, |model| model.load_npz(&path));
});

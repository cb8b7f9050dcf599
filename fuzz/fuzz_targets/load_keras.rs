//! Keras files (`.keras` archives, legacy `.h5` models, weights files)
//! from arbitrary bytes: `load_keras` for both element types, and
//! `load_keras_weights` into the tutorial's architecture (Dense 2 → 1
//! relu, Dense 1 → 1 sigmoid), which must be left as it was when loading
//! fails. A model that loads and that `save_keras` can write must load
//! back from that file with the same weights.

#![no_main]

use libfuzzer_sys::fuzz_target;
use neurite::{BuiltinActivation, Dense, Element, Relu, Sequential, Sigmoid};
use neurite_fuzz::{assert_unchanged_on_error, same_weights, scratch_file};

fn tutorial<T: Element>() -> Sequential<T> {
    let mut model = Sequential::new();
    model
        .add(Dense::glorot(2, 1, BuiltinActivation::from(Relu), 1).expect("valid sizes"))
        .expect("the first layer")
        .add(Dense::glorot(1, 1, BuiltinActivation::from(Sigmoid), 2).expect("valid sizes"))
        .expect("widths that chain");
    model
}

fuzz_target!(|bytes: &[u8]| {
    let path = scratch_file("load_keras", bytes);
    if let Ok(model) = Sequential::<f32>::load_keras(&path) {
        let saved = scratch_file("load_keras_saved.keras", b"");
        if model.save_keras(&saved).is_ok() {
            let again =
                Sequential::<f32>::load_keras(&saved).expect("save_keras writes what loads");
            assert!(same_weights(&again.get_weights(), &model.get_weights()));
        }
    }
    let _ = Sequential::<f64>::load_keras(&path);
    let mut model = tutorial::<f32>();
    assert_unchanged_on_error("load_keras_weights", &mut model, |model| {
        model.load_keras_weights(&path)
    });
    let mut model = tutorial::<f64>();
    assert_unchanged_on_error("load_keras_weights", &mut model, |model| {
        model.load_keras_weights(&path)
    });
});

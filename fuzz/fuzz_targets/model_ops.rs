//! A structured input (see `neurite_fuzz::OpsCase`) driving model
//! construction, inference, evaluation, training, `set_weights` and the
//! bytes round trip.

#![no_main]

use libfuzzer_sys::fuzz_target;
use neurite_fuzz::OpsCase;

fuzz_target!(|case: OpsCase| {
    if case.float64 {
        case.run::<f64>();
    } else {
        case.run::<f32>();
    }
});

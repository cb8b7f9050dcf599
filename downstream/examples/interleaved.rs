//! The ratios of the bench, measured so that the machine's slow phases
//! fall on both sides alike: the bare product, `forward` and `forward_with`
//! on Dense (4096, 256, 256) relu, called in turn `ROUNDS` times, and each
//! one's fastest call and mean against the bare product's.
//!
//! ```text
//! cargo run --release --manifest-path downstream/Cargo.toml --example interleaved
//! ```
//!
//! Criterion times one function for seconds before the next, so on a
//! shared machine a slow phase can land on one and not the other; here
//! each round has all three.

use ndarray::Array2;
use neurite::Workspace;
use neurite_downstream::Case;
use std::hint::black_box;
use std::time::Instant;

/// Calls of each function.
const ROUNDS: usize = 60;

/// The seconds `f` takes, once.
fn time(f: impl FnOnce()) -> f64 {
    let start = Instant::now();
    f();
    start.elapsed().as_secs_f64()
}

fn main() {
    let case = Case::new(4096, 256, 256);
    let mut out = Array2::zeros((4096, 256));
    let mut workspace = Workspace::new();
    // [bare, forward, forward_with]: fastest call and total.
    let mut fastest = [f64::INFINITY; 3];
    let mut total = [0.0; 3];
    for _ in 0..ROUNDS {
        let seconds = [
            time(|| case.bare_product(black_box(&mut out))),
            time(|| {
                black_box(
                    case.model
                        .forward(black_box(&case.x))
                        .expect("a valid batch"),
                );
            }),
            time(|| {
                let y = case.model.forward_with(black_box(&case.x), &mut workspace);
                black_box(y.expect("a valid batch"));
            }),
        ];
        for ((fastest, total), s) in fastest.iter_mut().zip(&mut total).zip(seconds) {
            *fastest = fastest.min(s);
            *total += s;
        }
    }
    println!("bare gemm: fastest {:.3} ms", fastest[0] * 1e3);
    for (i, name) in [(1, "forward"), (2, "forward_with")] {
        println!(
            "{name}: fastest {:.3} ms, {:.3}x the bare product's; mean {:.3}x",
            fastest[i] * 1e3,
            fastest[i] / fastest[0],
            total[i] / total[0],
        );
    }
}

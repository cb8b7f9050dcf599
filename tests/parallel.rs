//! Models are `Send + Sync`, can be shared between threads, and with the
//! `rayon` feature split large batches over the thread pool with results
//! bit-identical to one thread.

use ndarray::Array2;
use neurite::{Dense, Relu, Sequential, Sigmoid};
use std::sync::Arc;

fn model() -> Sequential<f32> {
    let mut model = Sequential::new();
    model
        .add(Dense::glorot(64, 256, Relu, 1).unwrap())
        .unwrap()
        .add(Dense::glorot(256, 1, Sigmoid, 2).unwrap())
        .unwrap();
    model
}

fn batch(rows: usize) -> Array2<f32> {
    Array2::from_shape_fn((rows, 64), |(i, j)| {
        ((i * 17 + j * 5) % 29) as f32 / 29.0 - 0.5
    })
}

#[test]
fn models_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Sequential<f32>>();
    assert_send_sync::<Sequential<f64>>();
}

#[test]
fn threads_sharing_one_model_get_the_same_outputs() {
    let model = Arc::new(model());
    let x = batch(300);
    let expected = model.forward(&x).unwrap();
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let (model, x) = (Arc::clone(&model), x.clone());
            std::thread::spawn(move || model.forward(&x).unwrap())
        })
        .collect();
    for handle in handles {
        assert_eq!(handle.join().unwrap(), expected);
    }
}

#[cfg(feature = "rayon")]
#[test]
fn the_thread_pool_gives_bit_identical_results() {
    let model = model();
    // Large enough for several row blocks.
    let x = batch(4096);
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| model.forward(&x).unwrap())
    };
    let one = run(1);
    assert_eq!(run(2), one);
    assert_eq!(run(3), one);
}

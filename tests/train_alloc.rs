//! Training steps reuse the model's buffers: after the first step of a
//! batch size, neither `train_step` nor `fit`'s batches allocate them again.
//! Counted with a counting global allocator.
//!
//! Matrix products above a few thousand multiply-adds run in the `gemm`
//! crate, which allocates up to two short-lived packing buffers per call
//! and frees them before it returns; the crate itself allocates nothing per
//! step. So the count per step is at most two per product, never more than
//! one product's buffers are live at a time, and nothing is left allocated.

use allocation_counter::{AllocationInfo, measure};
use ndarray::Array2;
use neurite::{
    Adam, Dense, FitOptions, Maxout, Relu, RmsProp, Sequential, Sgd, Sigmoid, Softmax, Tanh,
};

fn data(rows: usize, cols: usize, width: usize) -> (Array2<f32>, Array2<f32>) {
    let x = Array2::from_shape_fn((rows, cols), |(i, j)| {
        ((i * 31 + j * 7) % 23) as f32 / 23.0 - 0.5
    });
    let y = Array2::from_shape_fn((rows, width), |(i, j)| ((i + j) % 2) as f32);
    (x, y)
}

/// Dense, Maxout (3 pieces), Dense tanh, Dense sigmoid.
fn model() -> Sequential<f32> {
    let mut model = Sequential::new();
    model
        .add(Dense::glorot(64, 32, Relu, 1).unwrap())
        .unwrap()
        .add(Maxout::glorot(3, 32, 8, 2).unwrap())
        .unwrap()
        .add(Dense::glorot(8, 4, Tanh, 3).unwrap())
        .unwrap()
        .add(Dense::glorot(4, 1, Sigmoid, 4).unwrap())
        .unwrap();
    model
}

/// Matrix products per step of [`model`]: forward 1 + 3 + 1 + 1, backward
/// (kernel and input gradients) 2 + 2 + 3·2 + 1 (no input gradient for the
/// first layer).
const PRODUCTS_PER_STEP: u64 = 6 + 11;

/// Packing buffers `gemm` may allocate per product.
const ALLOCATIONS_PER_PRODUCT: u64 = 2;

fn assert_only_products(counts: &AllocationInfo, steps: u64) {
    assert!(
        counts.count_total <= ALLOCATIONS_PER_PRODUCT * PRODUCTS_PER_STEP * steps,
        "more allocations than the matrix products make: {counts:?}"
    );
    assert!(
        counts.count_max <= ALLOCATIONS_PER_PRODUCT,
        "buffers kept across products: {counts:?}"
    );
    assert_eq!(counts.bytes_current, 0, "memory left allocated: {counts:?}");
}

#[test]
fn train_steps_do_not_allocate_their_buffers_again() {
    let mut model = model();
    let (x, y) = data(48, 64, 1);
    let mut adam = Adam::new(0.001);
    model.train_step(&x, &y, &mut adam).unwrap();
    let counts = measure(|| {
        for _ in 0..5 {
            model.train_step(&x, &y, &mut adam).unwrap();
        }
    });
    println!("5 steps: {counts:?}");
    assert_only_products(&counts, 5);
    // A smaller batch uses the front of the grown buffers.
    let (small_x, small_y) = data(5, 64, 1);
    let counts = measure(|| {
        model.train_step(&small_x, &small_y, &mut adam).unwrap();
    });
    assert_only_products(&counts, 1);
}

#[test]
fn every_optimizer_and_the_probability_path_reuse_buffers() {
    let mut model = Sequential::new();
    model
        .add(Dense::glorot(16, 8, Relu, 5).unwrap())
        .unwrap()
        .add(Dense::glorot(8, 3, Softmax, 6).unwrap())
        .unwrap();
    let (x, y) = data(20, 16, 3);
    let mut sgd = Sgd::with_momentum(0.01, 0.9).nesterov(true);
    let mut rmsprop = RmsProp::default().centered(true).momentum(0.5);
    model.train_step(&x, &y, &mut sgd).unwrap();
    model.train_step(&x, &y, &mut rmsprop).unwrap();
    let counts = measure(|| {
        model.train_step(&x, &y, &mut sgd).unwrap();
        model.train_step(&x, &y, &mut rmsprop).unwrap();
    });
    assert!(counts.count_total <= 2 * 5, "{counts:?}");
    assert_eq!(counts.bytes_current, 0, "{counts:?}");
}

/// `fit`'s own allocations (the row order, the shuffled batch, the history)
/// do not grow with the number of batches.
#[test]
fn fit_does_not_allocate_per_batch() {
    let run = |rows: usize| {
        let mut model = model();
        let (x, y) = data(rows, 64, 1);
        let mut adam = Adam::new(0.001);
        let warm_up = data(8, 64, 1);
        model.train_step(&warm_up.0, &warm_up.1, &mut adam).unwrap();
        let options = FitOptions::new(2).batch_size(8).shuffle(3);
        let counts = measure(|| {
            model.fit(&x, &y, &mut adam, options).unwrap();
        });
        let steps = 2 * rows.div_ceil(8) as u64;
        counts.count_total
            - counts
                .count_total
                .min(ALLOCATIONS_PER_PRODUCT * PRODUCTS_PER_STEP * steps)
    };
    // 2 batches per epoch, then 25 (the last one of 4 rows).
    let (few, many) = (run(16), run(196));
    assert!(
        many <= few,
        "fit allocated per batch: {few} vs {many} non-product allocations"
    );
}

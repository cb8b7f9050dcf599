//! `Sequential::forward_with` allocates nothing once its workspace has
//! grown: counted with a counting global allocator. Large matrix products
//! run in the `gemm` crate, which allocates its packing buffers per call;
//! for those the test bounds the count per product instead.

mod common;

use allocation_counter::{AllocationInfo, measure};
use common::tutorial;
use ndarray::Array2;
use neurite::{Dense, Maxout, Relu, Sequential, Softmax, Workspace};

/// Allocations made by ten forward passes after one warm-up call.
fn allocations_after_warm_up(model: &Sequential<f32>, x: &Array2<f32>) -> AllocationInfo {
    let mut workspace = Workspace::new();
    let expected = model.forward(x).unwrap();
    model.forward_with(x, &mut workspace).unwrap();
    measure(|| {
        for _ in 0..10 {
            let y = model.forward_with(x, &mut workspace).unwrap();
            assert_eq!(y, expected);
        }
    })
}

fn assert_no_allocation_after_warm_up(model: &Sequential<f32>, x: &Array2<f32>) {
    let counts = allocations_after_warm_up(model, x);
    assert_eq!(
        counts.count_total, 0,
        "allocations after warm-up: {counts:?}"
    );
}

#[test]
fn the_tutorial_model_runs_without_allocating() {
    let (x, _) = tutorial::data();
    assert_no_allocation_after_warm_up(&tutorial::model(), &x);
}

#[test]
fn a_small_model_runs_without_allocating() {
    let mut model = Sequential::new();
    model
        .add(Dense::glorot(16, 8, Relu, 1).unwrap())
        .unwrap()
        .add(Dense::glorot(8, 3, Softmax, 2).unwrap())
        .unwrap();
    let x = Array2::from_shape_fn((20, 16), |(i, j)| ((i * 31 + j * 7) % 23) as f32 / 23.0);
    assert_no_allocation_after_warm_up(&model, &x);
}

#[test]
fn large_products_allocate_only_gemm_packing_buffers() {
    let mut model = Sequential::new();
    model
        .add(Dense::glorot(784, 128, Relu, 1).unwrap())
        .unwrap()
        .add(Dense::glorot(128, 10, Softmax, 2).unwrap())
        .unwrap();
    let x = Array2::from_shape_fn((64, 784), |(i, j)| ((i * 31 + j * 7) % 23) as f32 / 23.0);
    let counts = allocations_after_warm_up(&model, &x);
    let products = 2 * 10;
    assert!(counts.count_total <= 2 * products, "{counts:?}");
    assert!(
        counts.count_max <= 2,
        "more than one product's buffers live: {counts:?}"
    );
    assert_eq!(counts.bytes_current, 0, "{counts:?}");
}

#[test]
fn smaller_batches_reuse_the_grown_workspace() {
    let model = tutorial::model();
    let big = Array2::from_elem((100, 2), 1.0_f32);
    let small = Array2::from_elem((3, 2), 1.0_f32);
    let mut workspace = Workspace::new();
    model.forward_with(&big, &mut workspace).unwrap();
    let counts = measure(|| {
        model.forward_with(&small, &mut workspace).unwrap();
    });
    assert_eq!(counts.count_total, 0);
}

#[test]
fn maxout_runs_without_allocating() {
    let mut model = Sequential::new();
    model
        .add(Maxout::<f32>::glorot(3, 4, 5, 9).unwrap())
        .unwrap();
    let x = Array2::from_elem((16, 4), 0.5_f32);
    assert_no_allocation_after_warm_up(&model, &x);
}

//! Saving and loading a (784 → 512 → 512 → 10) model: 669,706 parameters,
//! a 2.7 MB file in f32 (5.4 MB in f64). Throughput is in file bytes per
//! second; "read file" is `std::fs::read` of the same file, the floor a
//! load cannot go under. Keras's `.keras` file of the same model beside
//! the safetensors file (issue #15: `load_keras` within 2× of `load`,
//! `save_keras` of `save`). `load_npz` reads the same weights from an
//! `np.savez` archive into a built model, as `load_weights` does from
//! safetensors.
//!
//! ```text
//! cargo bench --bench persistence
//! ```

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use neurite::{Dense, Element, Relu, Sequential, Softmax};
use std::hint::black_box;

#[path = "../tests/npz_writer/mod.rs"]
mod npz_writer;

fn model<T: Element>() -> Sequential<T> {
    let mut model = Sequential::new();
    model
        .add(Dense::glorot(784, 512, Relu, 1).unwrap())
        .unwrap()
        .add(Dense::glorot(512, 512, Relu, 2).unwrap())
        .unwrap()
        .add(Dense::glorot(512, 10, Softmax, 3).unwrap())
        .unwrap();
    model
}

fn bench<T: Element>(c: &mut Criterion, dtype: &str) {
    let model = model::<T>();
    let folder = std::env::temp_dir();
    let path = folder.join(format!(
        "neurite-bench-{}-{dtype}.safetensors",
        std::process::id()
    ));
    let weights = folder.join(format!(
        "neurite-bench-{}-{dtype}-weights.safetensors",
        std::process::id()
    ));
    model.save(&path).unwrap();
    model.save_weights(&weights).unwrap();
    let bytes = std::fs::metadata(&path).unwrap().len();
    let mut group = c.benchmark_group(format!("persistence_{dtype}"));
    group.throughput(Throughput::Bytes(bytes));
    group.sample_size(30);

    group.bench_function("read file", |b| {
        b.iter(|| black_box(std::fs::read(&path).unwrap()))
    });
    group.bench_function("load", |b| {
        b.iter(|| black_box(Sequential::<T>::load(&path).unwrap()))
    });
    let mut target = model.spec().unwrap().build::<T>(9).unwrap();
    group.bench_function("load_weights", |b| {
        b.iter(|| target.load_weights(&weights).unwrap())
    });
    let in_memory = std::fs::read(&path).unwrap();
    group.bench_function("from_bytes (no I/O)", |b| {
        b.iter(|| black_box(Sequential::<T>::from_bytes(&in_memory).unwrap()))
    });
    group.bench_function("to_bytes (no I/O)", |b| {
        b.iter(|| black_box(model.to_bytes().unwrap()))
    });
    group.bench_function("save (with fsync)", |b| {
        b.iter(|| model.save(&path).unwrap())
    });
    let keras = folder.join(format!(
        "neurite-bench-{}-{dtype}.keras",
        std::process::id()
    ));
    model.save_keras(&keras).unwrap();
    group.bench_function("load_keras", |b| {
        b.iter(|| black_box(Sequential::<T>::load_keras(&keras).unwrap()))
    });
    let keras_bytes = model.to_keras_bytes().unwrap();
    group.bench_function("from_keras_bytes (no I/O)", |b| {
        b.iter(|| black_box(Sequential::<T>::from_keras_bytes(&keras_bytes).unwrap()))
    });
    group.bench_function("to_keras_bytes (no I/O)", |b| {
        b.iter(|| black_box(model.to_keras_bytes().unwrap()))
    });
    group.bench_function("save_keras (with fsync)", |b| {
        b.iter(|| model.save_keras(&keras).unwrap())
    });
    let npz = folder.join(format!("neurite-bench-{}-{dtype}.npz", std::process::id()));
    std::fs::write(&npz, savez(&model, dtype)).unwrap();
    group.bench_function("load_npz", |b| b.iter(|| target.load_npz(&npz).unwrap()));
    let raw = folder.join(format!("neurite-bench-{}-{dtype}.raw", std::process::id()));
    group.bench_function("write file (no fsync)", |b| {
        b.iter(|| std::fs::write(&raw, &in_memory).unwrap())
    });
    group.finish();
    for file in [&path, &weights, &keras, &npz, &raw] {
        let _ = std::fs::remove_file(file);
    }
}

/// The bytes of `np.savez(path, *model.get_weights())`, stored in the
/// model's own float type (`dtype` is `"f32"` or `"f64"`).
fn savez<T: Element>(model: &Sequential<T>, dtype: &str) -> Vec<u8> {
    let arrays = model.get_weights();
    let names: Vec<String> = (0..arrays.len()).map(|i| format!("arr_{i}.npy")).collect();
    let entries: Vec<(&str, Vec<u8>)> = names
        .iter()
        .zip(&arrays)
        .map(|(name, array)| {
            let values = array.iter().map(|value| value.to_f64().unwrap());
            let (descr, data): (_, Vec<u8>) = match dtype {
                "f32" => (
                    "<f4",
                    values.flat_map(|v| (v as f32).to_le_bytes()).collect(),
                ),
                _ => ("<f8", values.flat_map(f64::to_le_bytes).collect()),
            };
            (
                name.as_str(),
                npz_writer::npy(descr, false, array.shape(), &data),
            )
        })
        .collect();
    npz_writer::zip(&entries, npz_writer::STORED)
}

fn persistence(c: &mut Criterion) {
    bench::<f32>(c, "f32");
    bench::<f64>(c, "f64");
}

criterion_group!(benches, persistence);
criterion_main!(benches);

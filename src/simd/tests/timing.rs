//! Throughput of every kernel on every path, in ns per element on 2^20
//! values, in place: a measurement, not a check, so ignored by default:
//! `cargo test --release --lib simd::tests::timing -- --ignored --nocapture`.
//! Uniform inputs in [-10, 10), then (f32) classes of inputs that would
//! cost microcode assists if a kernel let an intermediate underflow.

use super::{Kernel, Kernels, paths};
use std::time::Instant;

/// The best of 20 runs of `kernel` on a fresh copy of `input`.
fn nanoseconds_per_element<T: Copy>(kernel: Kernel<T>, kernels: &Kernels<T>, input: &[T]) -> f64 {
    let mut xs = input.to_vec();
    let mut best = f64::INFINITY;
    for _ in 0..20 {
        xs.copy_from_slice(input);
        let started = Instant::now();
        kernel(kernels, &mut xs);
        best = best.min(started.elapsed().as_secs_f64());
    }
    best * 1e9 / input.len() as f64
}

/// Every kernel, by name, for one type.
fn kernels<T: From<f32>>() -> [(&'static str, Kernel<T>); 8] {
    [
        ("sigmoid", |k, xs| (k.sigmoid)(xs)),
        ("tanh", |k, xs| (k.tanh)(xs)),
        ("elu", |k, xs| (k.elu)(xs, T::from(1.0))),
        ("relu", |k, xs| (k.relu)(xs)),
        ("leaky_relu", |k, xs| (k.leaky_relu)(xs, T::from(0.2))),
        ("exp", |k, xs| (k.exp)(xs)),
        ("log1p", |k, xs| (k.log1p)(xs)),
        ("softmax", |k, xs| (k.softmax)(xs)),
    ]
}

/// One line per path: every kernel's time on `input`.
fn report<T: Copy + From<f32>>(
    label: &str,
    input: &[T],
    pick: fn(&crate::simd::Path) -> &Kernels<T>,
) {
    for (path_name, path) in paths() {
        let times: Vec<String> = kernels::<T>()
            .iter()
            .map(|(name, kernel)| {
                format!(
                    "{name} {:.2}",
                    nanoseconds_per_element(*kernel, pick(path), input)
                )
            })
            .collect();
        println!("{label} on {path_name}: {}", times.join(", "));
    }
}

#[test]
#[ignore = "a measurement, not a check"]
fn throughput() {
    let n = 1 << 20;
    let hash = |i: u64| i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 11;
    let uniform: Vec<f64> = (0..n)
        .map(|i| hash(i) as f64 / (1_u64 << 53) as f64 * 20.0 - 10.0)
        .collect();
    let uniform32: Vec<f32> = uniform.iter().map(|&x| x as f32).collect();
    report("f32 in [-10, 10)", &uniform32, |path| &path.f32);
    report("f64 in [-10, 10)", &uniform, |path| &path.f64);
    for (label, low, high) in [
        ("f32 in [2^-126, 2^-63)", 0x0080_0000_u32, 0x2000_0000_u32),
        ("f32 subnormal", 1, 0x0080_0000),
        ("f32 in [2^7, 2^127)", 0x4300_0000, 0x7f00_0000),
    ] {
        let xs: Vec<f32> = (0..n)
            .map(|i| f32::from_bits(low + (hash(i) % u64::from(high - low)) as u32))
            .collect();
        report(label, &xs, |path| &path.f32);
    }
}

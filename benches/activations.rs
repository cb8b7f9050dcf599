//! Activation throughput, in place, one core: neurite's `apply_slice`
//! (the vectorized kernels) beside a naive `ndarray` `mapv_inplace` with
//! `std`'s functions, the `rten-vecmath` crate's kernels where it has the
//! function (`f32` only), and, for the rectifiers, an in-place scale of the
//! same slice (the memory-bound floor).
//!
//! Groups are `activation/type/n`; every benchmark gets a fresh copy of
//! the same inputs (uniform in [-10, 10), so both branches of every
//! function occur), made outside the timed part. Small samples keep the
//! run short on a shared 2-core machine:
//! `cargo bench --bench activations -- sigmoid/f32/1048576` runs one group.

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use ndarray::Array1;
use neurite::{
    Activation, Celu, Elu, Exponential, Gelu, LeakyRelu, LogSoftmax, Relu, Selu, Sigmoid, Tanh,
};
use neurite::{
    HardShrink, HardSigmoid, HardSilu, HardTanh, Relu6, ReluWith, SoftShrink, SparsePlus,
    SparseSigmoid, Threshold,
};
use neurite::{LogSigmoid, Mish, Silu, Softplus, Softsign};
use rten_simd::{SimdOp, SimdUnaryOp};
use std::time::Duration;

/// The slice lengths: in L1/L2, in L2/L3, and in memory.
const SIZES: [usize; 3] = [4096, 1 << 20, 1 << 24];

/// Deterministic inputs uniform in [-10, 10): no seed crate needed.
fn inputs(n: usize) -> Array1<f64> {
    Array1::from_shape_fn(n, |i| {
        let h = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 11;
        (h as f64 / (1_u64 << 53) as f64) * 20.0 - 10.0
    })
}

/// One contender: a name and an in-place function over the array.
type Contender<T> = (&'static str, Box<dyn Fn(&mut Array1<T>)>);

/// Benchmarks every contender on fresh copies of `input`.
fn group<T: Clone + 'static>(
    c: &mut Criterion,
    name: &str,
    input: Array1<T>,
    contenders: Vec<Contender<T>>,
) {
    let n = input.len();
    let mut group = c.benchmark_group(format!("{name}/{n}"));
    group.throughput(Throughput::Elements(n as u64));
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(300));
    group.measurement_time(Duration::from_secs(if n > 1 << 20 { 4 } else { 1 }));
    for (contender, run) in contenders {
        group.bench_function(contender, |b| {
            b.iter_batched_ref(|| input.clone(), |xs| run(xs), BatchSize::LargeInput)
        });
    }
    group.finish();
}

/// `f` through neurite's `apply_slice`.
fn neurite<T, A: Activation<T> + 'static>(activation: A) -> Contender<T>
where
    T: num_traits::Float + 'static,
{
    (
        "neurite",
        Box::new(move |xs: &mut Array1<T>| {
            activation.apply_slice(xs.as_slice_mut().expect("contiguous"))
        }),
    )
}

/// `f` through a naive `mapv_inplace`.
fn naive<T: Copy + 'static>(f: fn(T) -> T) -> Contender<T> {
    (
        "naive_mapv",
        Box::new(move |xs: &mut Array1<T>| xs.mapv_inplace(f)),
    )
}

/// An `rten-vecmath` kernel, in place.
fn rten(op: impl SimdUnaryOp<f32> + 'static) -> Contender<f32> {
    (
        "rten_vecmath",
        Box::new(move |xs: &mut Array1<f32>| op.map_mut(xs.as_slice_mut().expect("contiguous"))),
    )
}

/// An in-place scale: one load, one multiplication, one store.
fn scale<T: Copy + std::ops::Mul<Output = T> + 'static>(factor: T) -> Contender<T> {
    (
        "scale_in_place",
        Box::new(move |xs: &mut Array1<T>| xs.iter_mut().for_each(|x| *x = *x * factor)),
    )
}

fn sigmoid(c: &mut Criterion) {
    for n in SIZES {
        let x = inputs(n);
        group(
            c,
            "sigmoid/f32",
            x.mapv(|v| v as f32),
            vec![
                neurite(Sigmoid),
                naive(|x: f32| 1.0 / (1.0 + (-x).exp())),
                rten(rten_vecmath::Sigmoid {}),
            ],
        );
        if n <= 1 << 20 {
            group(
                c,
                "sigmoid/f64",
                x,
                vec![neurite(Sigmoid), naive(|x: f64| 1.0 / (1.0 + (-x).exp()))],
            );
        }
    }
}

fn tanh(c: &mut Criterion) {
    for n in &SIZES[..2] {
        let x = inputs(*n);
        group(
            c,
            "tanh/f32",
            x.mapv(|v| v as f32),
            vec![neurite(Tanh), naive(f32::tanh), rten(rten_vecmath::Tanh {})],
        );
        group(c, "tanh/f64", x, vec![neurite(Tanh), naive(f64::tanh)]);
    }
}

fn elu(c: &mut Criterion) {
    for n in &SIZES[..2] {
        let x = inputs(*n);
        group(
            c,
            "elu/f32",
            x.mapv(|v| v as f32),
            vec![
                neurite(Elu::new(1.0_f32)),
                naive(|x: f32| if x > 0.0 { x } else { x.exp_m1() }),
                rten(rten_vecmath::Elu { alpha: 1.0 }),
            ],
        );
        group(
            c,
            "elu/f64",
            x,
            vec![
                neurite(Elu::new(1.0_f64)),
                naive(|x: f64| if x > 0.0 { x } else { x.exp_m1() }),
            ],
        );
    }
}

/// selu and celu against Keras's formulas in a plain `mapv` (the issue's
/// baseline: std's `exp`).
fn selu_celu(c: &mut Criterion) {
    const ALPHA: f32 = 1.673_263_2;
    const SCALE: f32 = 1.050_701;
    for n in &SIZES[..2] {
        let x = inputs(*n).mapv(|v| v as f32);
        group(
            c,
            "selu/f32",
            x.clone(),
            vec![
                neurite(Selu),
                naive(|x: f32| {
                    if x > 0.0 {
                        SCALE * x
                    } else {
                        SCALE * ALPHA * (x.exp() - 1.0)
                    }
                }),
            ],
        );
        group(
            c,
            "celu/f32",
            x,
            vec![
                neurite(Celu::new(1.0_f32).expect("alpha > 0")),
                naive(|x: f32| x.max(0.0) + (x.exp() - 1.0).min(0.0)),
            ],
        );
    }
}

fn rectifiers(c: &mut Criterion) {
    for n in SIZES {
        let x = inputs(n);
        let x32 = x.mapv(|v| v as f32);
        group(
            c,
            "relu/f32",
            x32.clone(),
            vec![
                neurite(Relu),
                naive(|x: f32| if x > 0.0 { x } else { 0.0 }),
                scale(1.5_f32),
            ],
        );
        if n <= 1 << 20 {
            group(
                c,
                "leaky_relu/f32",
                x32,
                vec![
                    neurite(LeakyRelu::new(0.2_f32)),
                    naive(|x: f32| if x > 0.0 { x } else { 0.2 * x }),
                    rten(rten_vecmath::LeakyRelu { alpha: 0.2 }),
                    scale(1.5_f32),
                ],
            );
            group(
                c,
                "relu/f64",
                x.clone(),
                vec![
                    neurite(Relu),
                    naive(|x: f64| if x > 0.0 { x } else { 0.0 }),
                    scale(1.5),
                ],
            );
            group(
                c,
                "leaky_relu/f64",
                x,
                vec![
                    neurite(LeakyRelu::new(0.2_f64)),
                    naive(|x: f64| if x > 0.0 { x } else { 0.2 * x }),
                    scale(1.5),
                ],
            );
        }
    }
}

/// Log-softmax of 64 rows of 1024 (256 KiB of `f32`, in L2), row by
/// row: neurite's row-major hook against rten-vecmath's `LogSoftmax` per
/// row and a naive `f64`-free scalar version.
fn log_softmax(c: &mut Criterion) {
    const WIDTH: usize = 1024;
    let x = inputs(64 * WIDTH).mapv(|v| v as f32);
    let naive_row = |row: &mut [f32]| {
        let max = row.iter().fold(f32::NEG_INFINITY, |m, &x| m.max(x));
        let log_sum = row.iter().map(|&x| (x - max).exp()).sum::<f32>().ln();
        row.iter_mut().for_each(|x| *x = (*x - max) - log_sum);
    };
    group(
        c,
        "log_softmax/f32/rows_of_1024",
        x,
        vec![
            (
                "neurite",
                Box::new(|xs: &mut Array1<f32>| {
                    LogSoftmax.apply_row_major(xs.as_slice_mut().expect("contiguous"), WIDTH)
                }),
            ),
            (
                "naive_rows",
                Box::new(move |xs: &mut Array1<f32>| {
                    xs.as_slice_mut()
                        .expect("contiguous")
                        .chunks_exact_mut(WIDTH)
                        .for_each(naive_row)
                }),
            ),
            (
                "rten_vecmath",
                Box::new(|xs: &mut Array1<f32>| {
                    for row in xs
                        .as_slice_mut()
                        .expect("contiguous")
                        .chunks_exact_mut(WIDTH)
                    {
                        rten_vecmath::LogSoftmax::new_mut(row).dispatch();
                    }
                }),
            ),
        ],
    );
}

/// gelu, exact (naive: `libm::erff`, as the issue asks) and in the tanh
/// form, beside rten-vecmath's `Gelu` and `ApproxGelu`.
fn gelu(c: &mut Criterion) {
    for n in &SIZES[..2] {
        let x32 = inputs(*n).mapv(|v| v as f32);
        group(
            c,
            "gelu/f32",
            x32.clone(),
            vec![
                neurite(Gelu::exact()),
                naive(|x: f32| 0.5 * x * (1.0 + libm::erff(x * std::f32::consts::FRAC_1_SQRT_2))),
                rten(rten_vecmath::Gelu {}),
            ],
        );
        group(
            c,
            "gelu_approximate/f32",
            x32,
            vec![
                neurite(Gelu::approximate()),
                naive(|x: f32| {
                    let u = 0.797_884_6 * (x + 0.044_715 * x * x * x);
                    0.5 * x * (1.0 + u.tanh())
                }),
                rten(rten_vecmath::ApproxGelu {}),
            ],
        );
    }
}

/// The exponential, beside `mapv` with `exp` and rten-vecmath's `Exp`.
fn exponential(c: &mut Criterion) {
    for n in &SIZES[..2] {
        let x = inputs(*n);
        group(
            c,
            "exponential/f32",
            x.mapv(|v| v as f32),
            vec![
                neurite(Exponential),
                naive(f32::exp),
                rten(rten_vecmath::Exp {}),
            ],
        );
        group(
            c,
            "exponential/f64",
            x,
            vec![neurite(Exponential), naive(f64::exp)],
        );
    }
}

/// The piecewise-linear functions of Keras 3 (`f32`, in L1 and in L2/L3),
/// each beside its naive `mapv` and the in-place scale: they should run at
/// the scale's (memory) speed.
fn piecewise(c: &mut Criterion) {
    let valid = "valid parameters";
    for n in [4096, 1 << 20] {
        let x = inputs(n).mapv(|v| v as f32);
        let contenders: [(&str, Contender<f32>, Contender<f32>); 10] = [
            ("relu6", neurite(Relu6), naive(|x: f32| x.clamp(0.0, 6.0))),
            (
                "hard_sigmoid",
                neurite(HardSigmoid),
                naive(|x: f32| ((x + 3.0) / 6.0).clamp(0.0, 1.0)),
            ),
            (
                "hard_silu",
                neurite(HardSilu),
                naive(|x: f32| x * ((x + 3.0) / 6.0).clamp(0.0, 1.0)),
            ),
            (
                "hard_tanh",
                neurite(HardTanh),
                naive(|x: f32| x.clamp(-1.0, 1.0)),
            ),
            (
                "hard_shrink",
                neurite(HardShrink::new(0.5).expect(valid)),
                naive(|x: f32| if x.abs() > 0.5 { x } else { 0.0 }),
            ),
            (
                "soft_shrink",
                neurite(SoftShrink::new(0.5).expect(valid)),
                naive(|x: f32| x - x.clamp(-0.5, 0.5)),
            ),
            (
                "threshold",
                neurite(Threshold::new(0.5, -1.0).expect(valid)),
                naive(|x: f32| if x > 0.5 { x } else { -1.0 }),
            ),
            (
                "sparse_plus",
                neurite(SparsePlus),
                naive(|x: f32| {
                    if x <= -1.0 {
                        0.0
                    } else if x >= 1.0 {
                        x
                    } else {
                        (x + 1.0) * (x + 1.0) / 4.0
                    }
                }),
            ),
            (
                "sparse_sigmoid",
                neurite(SparseSigmoid),
                naive(|x: f32| ((x + 1.0) / 2.0).clamp(0.0, 1.0)),
            ),
            (
                "relu_with",
                neurite(ReluWith::new(0.1, Some(4.0), 1.0).expect(valid)),
                naive(|x: f32| if x < 1.0 { 0.1 * (x - 1.0) } else { x.min(4.0) }),
            ),
        ];
        for (name, neurite, naive) in contenders {
            group(
                c,
                &format!("{name}/f32"),
                x.clone(),
                vec![neurite, naive, scale(1.5_f32)],
            );
        }
    }
}

/// `ln(1 + e^x)` as a user would write it with `std`: stable, no overflow.
fn std_softplus_f32(x: f32) -> f32 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

/// The sigmoid family: silu against rten-vecmath's `Silu`, the others
/// against `mapv` with `std`'s functions.
fn sigmoid_family(c: &mut Criterion) {
    for n in &SIZES[..2] {
        let x = inputs(*n).mapv(|v| v as f32);
        group(
            c,
            "silu/f32",
            x.clone(),
            vec![
                neurite(Silu),
                naive(|x: f32| x / (1.0 + (-x).exp())),
                rten(rten_vecmath::Silu {}),
            ],
        );
        group(
            c,
            "softplus/f32",
            x.clone(),
            vec![neurite(Softplus), naive(std_softplus_f32)],
        );
        group(
            c,
            "log_sigmoid/f32",
            x.clone(),
            vec![neurite(LogSigmoid), naive(|x: f32| -std_softplus_f32(-x))],
        );
        group(
            c,
            "mish/f32",
            x.clone(),
            vec![
                neurite(Mish),
                naive(|x: f32| x * std_softplus_f32(x).tanh()),
            ],
        );
        group(
            c,
            "softsign/f32",
            x,
            vec![neurite(Softsign), naive(|x: f32| x / (1.0 + x.abs()))],
        );
    }
}

criterion_group!(
    benches,
    sigmoid,
    tanh,
    elu,
    selu_celu,
    rectifiers,
    log_softmax,
    gelu,
    exponential,
    piecewise,
    sigmoid_family
);
criterion_main!(benches);

//! The small matrix product (small_product.rs) on every path, bit for bit
//! against a scalar chain per output: `c + Σ a·b` summed from zero in the
//! order of the depth, with one rounding per term on the FMA paths (what
//! `gemm` gives) and two on the portable one. Random shapes cover every
//! block of rows and columns and every partial register; `a` row-major and
//! transposed (the kernel gradient `xᵀ·δ`); overwriting and accumulating.

use super::bce::Sample;
use super::{Rng, paths};
use crate::kernels::Operands;

/// Cases per element type (each run on every path).
const CASES: usize = if cfg!(debug_assertions) { 60 } else { 600 };

/// `c + Σ_p a[i, p]·b[p, j]` for every output, as a scalar chain.
fn expected<T: Sample>(operands: &Operands<'_, T>, fused: bool) -> Vec<T> {
    let (m, k, n) = operands.shape;
    let (row_stride, depth_stride) = operands.a_strides;
    let mut c = operands.c.to_vec();
    for i in 0..m {
        for j in 0..n {
            let mut sum = T::zero();
            for p in 0..k {
                let (a, b) = (
                    operands.a[i * row_stride + p * depth_stride],
                    operands.b[p * n + j],
                );
                sum = if fused {
                    a.mul_add(b, sum)
                } else {
                    a * b + sum
                };
            }
            let out = &mut c[i * n + j];
            *out = if operands.accumulate { *out + sum } else { sum };
        }
    }
    c
}

fn random_values<T: Sample>(rng: &mut Rng, len: usize) -> Vec<T> {
    (0..len)
        .map(|_| T::from_f64((rng.unit() - 0.5) * (rng.unit() * 8.0 - 4.0).exp2()))
        .collect()
}

fn check_type<T: Sample>(seed: u64) {
    let mut rng = Rng(seed);
    for (name, path) in paths() {
        let (kernel, fused) = (T::kernels(path).small_product, name != "portable");
        for case in 0..CASES {
            let (m, k, n) = (1 + rng.below(40), 1 + rng.below(70), 1 + rng.below(80));
            let transposed = rng.below(2) == 0;
            let a_strides = if transposed { (1, m) } else { (k, 1) };
            let (a, b) = (
                random_values::<T>(&mut rng, m * k),
                random_values(&mut rng, k * n),
            );
            let mut c = random_values::<T>(&mut rng, m * n);
            let accumulate = rng.below(2) == 0;
            let shape = (m, k, n);
            let operands = Operands {
                a: &a,
                a_strides,
                b: &b,
                c: &mut c,
                shape,
                accumulate,
            };
            let want = expected(&operands, fused);
            kernel(operands);
            let same = want
                .iter()
                .zip(&c)
                .all(|(w, g)| w.widen().to_bits() == g.widen().to_bits());
            assert!(
                same,
                "{name}, case {case}: {m}×{k}×{n}, transposed {transposed}, accumulate {accumulate}"
            );
        }
    }
}

#[test]
fn small_product_is_the_scalar_chain_f32() {
    check_type::<f32>(0x5a11_0001);
}

#[test]
fn small_product_is_the_scalar_chain_f64() {
    check_type::<f64>(0x5a11_0002);
}

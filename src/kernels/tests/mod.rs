//! Tests of every kernel on every path this CPU can run (AVX-512F, AVX2,
//! portable: each is called directly, and a path the CPU lacks is skipped
//! with a message), against exactly rounded references.
//!
//! - exhaustive.rs (and exhaustive_gelu.rs, both gelus, and
//!   exhaustive_sigmoid.rs, the sigmoid family): every `f32` input (inputs.rs) in release builds
//!   (`cargo test --release --lib kernels::`), a deterministic sample otherwise.
//! - random_f64.rs (and random_f64_gelu.rs, both gelus): `f64` on random
//!   and special inputs, against the double-double references of
//!   reference.rs (and reference_gelu.rs, the exact gelu).
//! - property.rs: random slices of random lengths and offsets, special
//!   values mixed in, against the scalar definitions.
//! - special.rs: the documented values at the edges, exactly.
//! - piecewise.rs: the piecewise-linear kernels against their scalar
//!   definitions bit for bit, every `f32` input and random `f64`s.
//! - bce.rs: the fused loss kernels against the scalar losses.
//! - cross_entropy.rs: softmax cross-entropy from logits against the row
//!   formulas in `f64`.
//! - rows.rs: the row-wise log-softmax on random rows, against `f64`.
//! - adam.rs: Adam's update against the scalar loop, bit for bit.
//! - finite.rs: the finiteness check against `is_finite`.
//! - gemv.rs: the row-times-matrix kernel on random shapes, against a
//!   plain sum in `f64`.

mod adam;
mod bce;
mod cross_entropy;
mod exhaustive;
mod exhaustive_gelu;
mod exhaustive_sigmoid;
mod finite;
mod gemv;
mod inputs;
mod piecewise;
mod piecewise_f64;
mod property;
mod random_f64;
mod random_f64_gelu;
mod reference;
mod reference_gelu;
mod regression;
mod rows;
mod softmax_rows;
mod special;

use super::{Isa, Kernels};

/// The paths this CPU can run, with their names; prints the ones skipped.
fn paths() -> Vec<(&'static str, &'static Isa)> {
    #[cfg(target_arch = "x86_64")]
    let detected = [
        ("avx512", super::avx512::isa()),
        ("avx2", super::avx2::isa()),
    ];
    #[cfg(not(target_arch = "x86_64"))]
    let detected: [(&str, Option<&'static Isa>); 0] = [];
    let mut paths: Vec<_> = detected
        .into_iter()
        .filter_map(|(name, path)| {
            if path.is_none() {
                println!("skipping the {name} path: this CPU lacks it");
            }
            Some(name).zip(path)
        })
        .collect();
    paths.push(("portable", super::portable::isa()));
    paths
}

/// One kernel of a path, with its scalar parameter (if any) fixed.
type Kernel<T> = fn(&Kernels<T>, &mut [T]);

/// A small seeded generator (SplitMix64), so that failures reproduce.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1_u64 << 53) as f64
    }
}

/// `e^-|x|` in `f64` by `std`'s `exp`, and 0 from 746 on, where that
/// rounds to 0 anyway (`e^-745.2 < 2^-1075`): its underflow path is slow,
/// and the exhaustive tests meet it on nearly half the `f32` inputs.
fn exp_minus_abs(x: f32) -> f64 {
    let magnitude = f64::from(x).abs();
    if magnitude >= 746.0 {
        0.0
    } else {
        (-magnitude).exp()
    }
}

/// The position of `x` among all `f32`s in order (`±0` both 0).
fn f32_order(x: f32) -> i64 {
    let magnitude = i64::from(x.to_bits() & 0x7fff_ffff);
    if x.is_sign_negative() {
        -magnitude
    } else {
        magnitude
    }
}

/// The position of `x` among all `f64`s in order (`±0` both 0).
fn f64_order(x: f64) -> i128 {
    let magnitude = i128::from(x.to_bits() & 0x7fff_ffff_ffff_ffff);
    if x.is_sign_negative() {
        -magnitude
    } else {
        magnitude
    }
}

/// `f32`s between `a` and `b`.
fn f32_ulps(a: f32, b: f32) -> u64 {
    (f32_order(a) - f32_order(b)).unsigned_abs()
}

/// `f64`s between `a` and `b`.
fn f64_ulps(a: f64, b: f64) -> u128 {
    (f64_order(a) - f64_order(b)).unsigned_abs()
}

/// `x` and its `count` neighbours on each side, in `f32` order.
fn f32_neighbours(x: f32, count: u32) -> impl Iterator<Item = f32> {
    let bits = x.to_bits();
    (0..=2 * count).map(move |i| f32::from_bits(bits.wrapping_add(i).wrapping_sub(count)))
}

/// `x` and its `count` neighbours on each side, in `f64` order.
fn f64_neighbours(x: f64, count: u64) -> impl Iterator<Item = f64> {
    let bits = x.to_bits();
    (0..=2 * count).map(move |i| f64::from_bits(bits.wrapping_add(i).wrapping_sub(count)))
}

/// Values where something changes in some kernel (a clamp, a range
/// split, the subnormal range, a saturation), for both signs, with the
/// usual specials; each test adds their neighbours.
const EDGES: [f64; 32] = [
    0.0,
    f64::INFINITY,
    f64::MIN_POSITIVE,
    f64::MAX,
    1.0,
    std::f64::consts::SQRT_2,        // ln's split of the mantissa
    std::f64::consts::FRAC_1_SQRT_2, // at √2 and √½
    0.5,
    2.0,
    0.346_573_590_279_972_6, // ln2 / 2: a reduction step
    0.549_306_144_334_054_9, // atanh(1/2): tanh's split
    9.010_913,               // tanh(f32) rounds to 1
    10.0,
    16.635_532, // σ(f32) rounds to 1
    17.328_68,
    18.0,
    19.061_547_465_398_5, // tanh(f64) rounds to 1
    20.0,
    36.736_800_569_677_1, // σ(f64) rounds to 1
    37.429_947_750_237_04,
    40.0,
    87.336_55, // f32 e^-x: subnormal
    88.722_84, // f32 e^x overflows
    89.0,
    103.972_08, // f32 e^-x rounds to 0
    104.0,
    708.396_418_532_264_1, // f64 e^-x: subnormal
    709.782_712_893_384,   // f64 e^x overflows
    710.0,
    745.133_219_101_941_1, // f64 e^-x rounds to 0
    746.0,
    1.0e-30,
];

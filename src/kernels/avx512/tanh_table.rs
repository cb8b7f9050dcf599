//! `tanh` on 16 `f32` lanes by table lookup: the AVX-512 kernel, with no
//! exponential and no division, in 20 operations per register where
//! tanh.rs's formula (which the other paths keep) takes 27.
//!
//! On `a = max(min(|x|, 9), 2^-24)`, with the sign of `x` put back at the
//! end:
//!
//! - Intervals: `t = 1 + a` split into eighths of a binade, so that the
//!   index is the bits of `t` shifted right by 20. In `a` that is `[0, 1)`
//!   by 1/8, `[1, 3)` by 1/4, `[3, 7)` by 1/2 and `[7, 9)` by 1: narrow
//!   where `tanh` bends, wide where it is flat. 26 intervals, and a 27th
//!   for `a = 9` (every `|x| ≥ 9`) whose polynomial is the constant 1:
//!   `tanh` rounds to 1 from 9.011 on, and on `[9, 9.011)` 1 is 1 ULP from
//!   the rounded result.
//! - Lookup: each of the 7 per-interval constants is a table of 32 slots
//!   in two registers, read per lane by one `vpermt2ps` from the index's
//!   low 5 bits.
//! - Polynomial: `tanh(a) ≈ p(y)` with `y = a - b`, `p` of degree 5 by
//!   Horner's rule with FMA. `b` is 0 on the first interval, so there
//!   `p(y) = y·q(y)` with `q(0) = 1`; elsewhere `b` is an `f32` near the
//!   middle chosen so that `tanh(b)` is within 0.0001 ULP of the `f32`
//!   `p(0)` (0.38 ULP on the two flat intervals past 7). `y` is exact (`a`
//!   and `b` are within a factor 2), and `p` is a Remez minimax fit of
//!   `(tanh(b + y) - tanh(b))/y` for the relative error, on the interval
//!   widened by 2^-21 (rounding `1 + a` can move `a` across a boundary).
//! - Error: the fits are within 2^-28 relative, and with the coefficients
//!   rounded to `f32` each `p` is within 0.38 ULP of `tanh` (exactly
//!   evaluated). The rounding of `q`, the step before the last, counts
//!   `|y·q / p|`: 1 on the first interval, at most 1/2 elsewhere; the last
//!   FMA rounds once. So at most about 1.05 ULP before the final rounding;
//!   measured on every `f32` input: at most 1 ULP from the rounded result.
//! - Special inputs: raising `a` to 2^-24 keeps every product normal (a
//!   product with a subnormal factor costs a microcode assist of about 100
//!   cycles per register); below it `p` is 2^-24 and the final
//!   `min(p, |x|)` returns `|x|`, which is `tanh` rounded there (so
//!   `tanh(±0) = ±0` and subnormals are kept). NaN stays NaN through the
//!   `min` and `max` (and the polynomial), `tanh(±inf) = ±1` through the
//!   cap at 9.
//!
//! The 20 operations: `abs`, the cap, the floor, the index (add, shift), 7
//! lookups, `y`, 5 FMAs, the final `min` and the sign. AVX-512 issues two
//! a cycle (ports 0 and 5, the lookups on 5 only): about 10 cycles per 16
//! lanes. (AVX-512DQ's `vrangeps` would merge the final `min` and the
//! sign, 5 % faster, at the cost of a second CPU feature to detect.)

use super::F32x16;
use super::slots::{SLOTS, first_slot, interval, lookup, slot_tables};
use crate::kernels::vector::{Elementwise, Vector};

/// Degree of every interval's polynomial.
const DEGREE: usize = 5;

/// Beyond this `|x|`, the last interval: `tanh` is 1.
const SATURATION: f32 = 9.0;

/// 2^-24, the least `a`: up to it `tanh(a)` rounds to `a`, and from it no
/// product underflows.
const TINY: f32 = 1.0 / (1 << 24) as f32;

/// Per interval, in order: `b`, then the coefficients of `p`, lowest
/// degree first. (One row per line: a table.)
#[rustfmt::skip]
const INTERVALS: [[f32; DEGREE + 2]; 27] = [
    // a in [0.0, 0.125)
    [0.0, 0.0, 1.0, 4.4437243e-7, -0.33335948, 5.136963e-4, 0.12984101],
    // a in [0.125, 0.25)
    [0.18747158, 0.18530576, 0.96566176, -0.1789423, -0.28873074, 0.11282761, 0.09716408],
    // a in [0.25, 0.375)
    [0.31252342, 0.302731, 0.9083539, -0.27498642, -0.21953976, 0.15772933, 0.045965105],
    // a in [0.375, 0.5)
    [0.43750852, 0.41157714, 0.83060426, -0.3418573, -0.13616887, 0.16966061, -0.0056840433],
    // a in [0.5, 0.625)
    [0.56268835, 0.50996935, 0.7399313, -0.37734202, -0.054211948, 0.15322429, -0.04334222],
    // a in [0.625, 0.75)
    [0.6874732, 0.5963563, 0.6443592, -0.38426757, 0.014373475, 0.11945418, -0.06152357],
    // a in [0.75, 0.875)
    [0.81272113, 0.67108864, 0.54964006, -0.36885723, 0.064322345, 0.07982587, -0.06266978],
    // a in [0.875, 1.0)
    [0.9374493, 0.7340481, 0.46117336, -0.33852354, 0.094768025, 0.043369297, -0.053077754],
    // a in [1.0, 1.25)
    [1.1253259, 0.8094135, 0.3448498, -0.27912802, 0.11098092, 0.003617234, -0.032112073],
    // a in [1.25, 1.5)
    [1.3747424, 0.8797685, 0.2260074, -0.19883534, 0.0995937, -0.021101305, -0.009551031],
    // a in [1.5, 1.75)
    [1.625279, 0.9253863, 0.14366017, -0.13294159, 0.07513617, -0.025126211, 0.0013814517],
    // a in [1.75, 2.0)
    [1.8746567, 0.9540144, 0.08985648, -0.08572445, 0.051830437, -0.020857902, 0.004597152],
    // a in [2.0, 2.25)
    [2.1244576, 0.97184265, 0.055521872, -0.05395846, 0.033932004, -0.015002529, 0.004480458],
    // a in [2.25, 2.5)
    [2.3744652, 0.9828268, 0.034051426, -0.033466574, 0.021541476, -0.0100326035, 0.0034185136],
    // a in [2.5, 2.75)
    [2.625136, 0.9895626, 0.020765917, -0.020549107, 0.013412685, -0.006436871, 0.0023502435],
    // a in [2.75, 3.0)
    [2.875592, 0.9936621, 0.012635593, -0.012555463, 0.00826402, -0.0040364084, 0.0015317574],
    // a in [3.0, 3.5)
    [3.2508688, 0.99700284, 0.00598534, -0.0059669893, 0.0039540627, -0.0019745147, 7.712364e-4],
    // a in [3.5, 4.0)
    [3.7507064, 0.998896, 0.0022067768, -0.002204179, 0.00146618, -7.381966e-4, 2.9294728e-4],
    // a in [4.0, 4.5)
    [4.2482357, 0.9995917, 8.164171e-4, -8.16023e-4, 5.43591e-4, -2.7449214e-4, 1.09030654e-4],
    // a in [4.5, 5.0)
    [4.749885, 0.9998503, 2.9943144e-4, -2.9936404e-4, 1.9951587e-4, -1.0086425e-4, 4.028154e-5],
    // a in [5.0, 5.5)
    [5.24997, 0.9999449, 1.101464e-4, -1.10132e-4, 7.341294e-5, -3.71287e-5, 1.4841977e-5],
    // a in [5.5, 6.0)
    [5.7513347, 0.9999798, 4.0411567e-5, -4.040768e-5, 2.6936388e-5, -1.3625575e-5, 5.4632083e-6],
    // a in [6.0, 6.5)
    [6.250181, 0.99999255, 1.49011075e-5, -1.4899868e-5, 9.9330055e-6, -5.0246836e-6, 2.0102261e-6],
    // a in [6.5, 7.0)
    [6.7500186, 0.99999726, 5.48362e-6, -5.4831894e-6, 3.6554197e-6, -1.8491507e-6, 7.3957835e-7],
    // a in [7.0, 8.0)
    [7.5019073, 0.9999994, 1.2189914e-6, -1.21745e-6, 8.114151e-7, -4.2555823e-7, 1.7078685e-7],
    // a in [8.0, 9.0)
    [8.503815, 0.99999994, 1.6434532e-7, -1.641368e-7, 1.09374696e-7, -5.7373576e-8, 2.3113842e-8],
    // a = 9, every |x| ≥ 9
    [0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0],
];

/// [`INTERVALS`] as one table per constant, `t = 1 + a` giving the slot.
const TABLES: [[f32; SLOTS]; DEGREE + 2] = slot_tables(&INTERVALS, first_slot(OFFSET));

/// The offset added to `a` for the interval's bits.
const OFFSET: f32 = 1.0;

/// `tanh(x)` on AVX-512 `f32` lanes (see the module documentation).
#[derive(Clone, Copy)]
pub(super) struct TableTanh;

impl Elementwise<F32x16> for TableTanh {
    #[inline(always)]
    fn apply(self, x: F32x16) -> F32x16 {
        let abs = x.abs();
        // `min` and `max` return their second operand if either is NaN.
        let a = F32x16::splat(TINY).max(F32x16::splat(SATURATION).min(abs));
        let index = interval(a, OFFSET);
        let [b, coefficients @ ..] = &TABLES;
        let y = a.sub(lookup(b, index));
        let (last, lower) = coefficients.split_last().expect("DEGREE + 1 coefficients");
        let mut p = lookup(last, index);
        for c in lower.iter().rev() {
            p = p.mul_add(y, lookup(c, index));
        }
        // Below TINY, p is TINY and |x| the result; above it tanh(a) < a,
        // so the smaller never moves p away from tanh.
        p.min(abs).or_sign(x)
    }
}

//! The exact gelu, `x·Φ(x)`, on 16 AVX-512 `f32` lanes in `f32`
//! arithmetic, with a table of polynomials: about half the time of
//! gelu_f32.rs's evaluation in `f64` lanes, which the other paths keep.
//!
//! With `a = min(|x|, 14.5)` and `t = a·Φ(-a) = G(a)·e^(-a²/2)`, `gelu(x)
//! = x - t` for `x > 0` and `-t` otherwise (no step cancels), except on
//! `|x| < 0.5`, where `x - t` would cancel and the series form below is
//! used:
//!
//! - `-a²/2 = -h/2 + d/2` exactly (`h = a·a` rounded, `d = h - a²` by one
//!   FMA); `e^(-a²/2) = 2^k·e^r` with `k` the nearest integer to
//!   `-h/2·log₂e`, `r = (-h/2 - k·ln2_hi) + (d/2 - k·ln2_lo)`: the first
//!   part exact (ln2_hi has 16 bits, `|k| ≤ 152`), so `r` is within 2^-26
//!   of `-a²/2 - k·ln2`, where one rounding of `-a²/2` would cost up to
//!   2^-18 (relative, in `e^(-a²/2)`) near `a = 14`.
//! - `E = e^r - 1` by silu.rs's [`fused_rho`] (exp.rs's polynomial, the
//!   leading `r` added in the last FMA).
//! - `G(a) = a·Φ(-a)·e^(a²/2)` (from 0.18 at `a = 0.5` to `1/√2π`) by a
//!   table: intervals are eighths of the binades of `2 + a` (avx512/
//!   slots.rs): `[0, 2)` by 1/4, `[2, 6)` by 1/2, `[6, 14)` by 1, and
//!   `[14, 16)`; on each, `G(b + y) ≈ c0 + y·q(y)`, `b` an `f32` near the
//!   middle whose `G(b)` is within 0.0002 ULP of the `f32` `c0`, `y = a -
//!   b` exact (`a` and `b` within a factor 2 from `a = 0.5` on), `q` of
//!   degree 4 fitted for the error relative to `G` on the interval widened
//!   by 2^-19 (Lawson iterations, tools/fit_gelu_table.py, as the series'
//!   constants below): within 2^-27.6, and `|y·q| ≤ 0.16·G`.
//! - `G·e^r = c0 + (y·q + G·E)`, the bracket by one FMA on `y·q` rounded
//!   and `G ≈ c0 + y·q`, then one rounding of the sum; `2^k` is one
//!   `vscalefps` (subnormal results rounded once).
//!
//! Error of `t`, in units of its last place: 0.5 (the last rounding), 0.33
//! (the bracket's rounding: `|y·q + G·E| ≤ 0.58·G·e^r`), 0.13 (`y·q`), 0.25
//! (`r`), below 0.1 for `q`, `E` and the fits: about 1.3. For `x < 0` the
//! result is `-t`; for `x ≥ 0.5`, `t ≤ 0.45·(x - t)` and `x - t` rounds
//! once more: about 1.1. So within 2 ULP of the rounded result, as
//! measured on every `f32` input (tests/exhaustive_gelu.rs).
//!
//! `|x| < 0.5`: `gelu(x) = x/2 + x·(x·P(x²))`, `P(u) = (Φ(√u) - 1/2)/√u`
//! of degree 3 (within 2^-28.5 of `gelu`, relative): `x/2` is exact, the
//! term carries about 1.1 ULP of its own and is at most 0.62 of the
//! result, and the last FMA rounds once: about 1.2 ULP. Registers with
//! no such lane skip it.
//!
//! Above `a = 14.5`, `t` rounds to 0 (`14.5·Φ(-14.5) < 2^-151`):
//! `gelu(x) = x` for large positive `x`, `-0` for large negative `x` (the
//! sign of `x` is put on every result, as on ±0). NaN gives NaN through
//! `max` and the table, `gelu(inf) = inf`, and `gelu(-inf)` is NaN, as in
//! gelu_f32.rs.

use super::F32x16;
use super::slots::{SLOTS, first_slot, interval, lookup, slot_tables};
use crate::kernels::exp::ExpConstants;
use crate::kernels::gelu_tanh::product_and_error;
use crate::kernels::silu::fused_rho;
use crate::kernels::vector::{Elementwise, Vector, horner, splat};

use crate::kernels::gelu_f32::A_MAX;

/// Below this `|x|`, the series form.
const SERIES_BELOW: f32 = 0.5;

/// `P`, lowest degree first: `gelu(x) ≈ x/2 + x²·P(x²)` on `|x| ≤ 0.5`.
const SERIES: [f32; 4] = [0.39894226, -0.06648949, 0.009961237, -0.0011229679];

/// Degree of each interval's `q`.
const DEGREE: usize = 4;

/// The offset added to `a` for the interval's bits.
const OFFSET: f32 = 2.0;

/// Per interval, in order: `b`, `c0`, then the coefficients of `q`,
/// lowest degree first, as tools/fit_gelu_table.py prints them. The first
/// two intervals serve only `|x| < 0.5`, whose results come from the
/// series: their rows are fitted like the others, for finite values, but
/// not held to the bound. (One row per line: a table.)
#[rustfmt::skip]
const INTERVALS: [[f32; DEGREE + 3]; 25] = [
    // a in [0.0, 0.25)
    [0.12498195, 0.056716733, 0.41102758, -0.3165385, 0.19227783, -0.09988032, 0.048183188],
    // a in [0.25, 0.5)
    [0.37505683, 0.14236777, 0.28335983, -0.20343545, 0.11624198, -0.05712723, 0.025088733],
    // a in [0.5, 0.75)
    [0.62514895, 0.20212744, 0.20028827, -0.13420928, 0.07217564, -0.03357097, 0.01396828],
    // a in [0.75, 1.0)
    [0.8750528, 0.2448069, 0.14488584, -0.0907437, 0.04597377, -0.02025343, 0.008004768],
    // a in [1.0, 1.25)
    [1.1252398, 0.27602348, 0.10698877, -0.06272462, 0.0299673, -0.012513436, 0.004707029],
    // a in [1.25, 1.5)
    [1.3747047, 0.29923096, 0.08059564, -0.044313613, 0.019991646, -0.007920955, 0.0028346167],
    // a in [1.5, 1.75)
    [1.6248152, 0.31690115, 0.061736587, -0.031885803, 0.013598701, -0.0051167603, 0.0017458575],
    // a in [1.75, 2.0)
    [1.8747315, 0.33053252, 0.048059322, -0.023360563, 0.009431356, -0.0033736797, 0.0010981482],
    // a in [2.0, 2.5)
    [2.2502077, 0.3457239, 0.033888474, -0.0150900595, 0.0056252186, -0.0018795924, 0.0005725629],
    // a in [2.5, 3.0)
    [2.749397, 0.3594796, 0.022249965, -0.008875569, 0.0029906675, -0.00090862456, 0.00025296694],
    // a in [3.0, 3.5)
    [3.2497096, 0.36871478, 0.01523024, -0.005480524, 0.0016783382, -0.0004658048, 0.00011920952],
    // a in [3.5, 4.0)
    [3.7495844, 0.37514254, 0.010809979, -0.0035332474, 0.000988882, -0.00025192843, 5.9465994e-05],
    // a in [4.0, 4.5)
    [4.25121, 0.37978667, 0.007901605, -0.0023599074, 0.00060662406, -0.00014247568, 3.1202253e-05],
    // a in [4.5, 5.0)
    [4.749008, 0.38320225, 0.005941497, -0.0016319109, 0.00038741907, -8.429389e-05, 1.7116698e-05],
    // a in [5.0, 5.5)
    [5.2507896, 0.3858168, 0.004558794, -0.0011568303, 0.00025463264, -5.15065e-05, 9.774285e-06],
    // a in [5.5, 6.0)
    [5.7495184, 0.38783136, 0.0035721413, -0.00084187224, 0.00017261354, -3.2599426e-05, 5.782688e-06],
    // a in [6.0, 7.0)
    [6.499926, 0.3901017, 0.0025532164, -0.0005427092, 0.00010072181, -1.738085e-05, 2.8134973e-06],
    // a in [7.0, 8.0)
    [7.498786, 0.39219615, 0.0017134877, -0.00032158883, 5.288963e-05, -8.100308e-06, 1.1677639e-06],
    // a in [8.0, 9.0)
    [8.50156, 0.39363724, 0.0012006437, -0.0002013663, 2.9673407e-05, -4.0769078e-06, 5.302353e-07],
    // a in [9.0, 10.0)
    [9.497859, 0.39465937, 0.0008739789, -0.00013244539, 1.7670816e-05, -2.200118e-06, 2.5924797e-07],
    // a in [10.0, 11.0)
    [10.500731, 0.3954185, 0.0006539562, -9.027586e-05, 1.0988802e-05, -1.2493947e-06, 1.3493712e-07],
    // a in [11.0, 12.0)
    [11.499959, 0.39599165, 0.0005020878, -6.363246e-05, 7.119654e-06, -7.442314e-07, 7.401726e-08],
    // a in [12.0, 13.0)
    [12.500461, 0.39643675, 0.0003934984, -4.607389e-05, 4.7672306e-06, -4.610205e-07, 4.2487745e-08],
    // a in [13.0, 14.0)
    [13.500701, 0.3967886, 0.0003139878, -3.4155542e-05, 3.2858393e-06, -2.9550753e-07, 2.5362802e-08],
    // a in [14.0, 14.5)
    [14.249291, 0.3970058, 0.0002679169, -2.767064e-05, 2.5286645e-06, -2.1807065e-07, 1.7737724e-08],
];

/// [`INTERVALS`] as one table per constant, `2 + a` giving the slot.
const TABLES: [[f32; SLOTS]; DEGREE + 3] = slot_tables(&INTERVALS, first_slot(OFFSET));

/// The exact gelu on AVX-512 `f32` lanes (see the module documentation).
#[derive(Clone, Copy)]
pub(super) struct TableGelu;

impl Elementwise<F32x16> for TableGelu {
    #[inline(always)]
    fn apply(self, x: F32x16) -> F32x16 {
        let abs = x.abs();
        // `min` returns its second operand if either is NaN: NaN stays.
        let a = F32x16::splat(A_MAX).min(abs);
        let t = tail(a);
        // x - t for x > 0, -t otherwise (`max` gives NaN for NaN).
        let mut gelu = F32x16::splat(0.0).max(x).sub(t);
        let series = abs.lt(F32x16::splat(SERIES_BELOW));
        if F32x16::any(series) {
            gelu = F32x16::select(series, near_zero(x), gelu);
        }
        let gelu = gelu.or_sign(x);
        F32x16::select(
            x.eq(F32x16::splat(f32::NEG_INFINITY)),
            F32x16::splat(f32::NAN),
            gelu,
        )
    }
}

/// `t = a·Φ(-a) = G(a)·e^(-a²/2)` for `0 ≤ a ≤ A_MAX`.
#[inline(always)]
fn tail(a: F32x16) -> F32x16 {
    let (h, d) = product_and_error(a, a);
    let round = F32x16::splat(f32::ROUND);
    let k = h
        .mul_add(splat(-0.5 * std::f64::consts::LOG2_E), round)
        .sub(round);
    let exact = k.neg_mul_add(F32x16::splat(f32::LN2_HI), h.mul(splat(-0.5)));
    let small = k.neg_mul_add(F32x16::splat(f32::LN2_LO), d.mul(splat(0.5)));
    let r = exact.add(small);
    let e = fused_rho(r);
    let index = interval(a, OFFSET);
    let [b, c0, coefficients @ ..] = &TABLES;
    let y = a.sub(lookup(b, index));
    let (last, lower) = coefficients.split_last().expect("DEGREE + 1 coefficients");
    let mut q = lookup(last, index);
    for c in lower.iter().rev() {
        q = q.mul_add(y, lookup(c, index));
    }
    let c0 = lookup(c0, index);
    let yq = y.mul(q);
    let g = yq.add(c0);
    g.mul_add(e, yq).add(c0).scale_pow2(k)
}

/// `gelu(x) = x/2 + x·(x·P(x²))` for `|x| < 0.5`.
#[inline(always)]
fn near_zero(x: F32x16) -> F32x16 {
    let p = horner(x.mul(x), &SERIES);
    x.mul_add(x.mul(p), x.mul(splat(0.5)))
}

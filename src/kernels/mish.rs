//! `mish(x) = x·tanh(softplus(x))`, from `tanh(ln(1 + E)) = E(E + 2) /
//! (E(E + 2) + 2)` with `E = e^x`, in three ranges, all computed and one
//! selected per lane:
//!
//! - `x ≥ MISH_HIGH` (1): with `e = e^-x`, `mish(x) = x - x·w`,
//!   `w = 2e² / (1 + 2e(1 + e))`, one fused step: `w` is below 0.14 and its
//!   error (a few ULP) counts `w / (1 - w)` times.
//! - `x ≤ MISH_LOW` (-2.25): with `e = e^x = 2^k·p` (silu.rs's
//!   [`exp_of_minus_abs`]), `mish(x) = 2^k·(x·p)·(1 - h)`,
//!   `h = e(1 + e) / (2 + e(2 + e))`: `x·p` rounded once, `(x·p)·(1 - h)` in
//!   one fused step, `2^k` last, so that the subnormal results (`x` below
//!   about -87.3 for `f32`, where TensorFlow returns 0) round once. `h` is
//!   below 0.053 there.
//! - in between, where those roundings would add up (at 0, `w` is 0.4):
//!   `mish(x) = x·T(x)` with `T = tanh(softplus(x))` from one of three
//!   polynomials in `t = x - c` (exact, by Sterbenz's lemma), on
//!   `[-2.25, -1.25]` (fitted on `[-2.5, -1.25]`), `[-1.25, -0.375]` and `[-0.375, 1]` (`c = -1.875`,
//!   `-0.8125`, 0), each `T(c) + t·Q(t)`: `Q` fitted to the relative error
//!   of `T` (least squares at Chebyshev nodes, coefficients rounded one by
//!   one with the rest refitted), within 2^-28.7 (f32; degrees 9, 9, 10) and 2^-57.8 (f64;
//!   degrees 17, 17, 20).
//!   `T(c)` is split in two so that it is not rounded:
//!   `x·T = x·T(c)_hi + x·(T(c)_lo + t·Q(t))`, one product rounded and one
//!   fused step. The pieces are short enough that `t·Q(t)` stays below
//!   0.8·T, so its roundings count at most that much.
//!
//! Below `SILU_ZERO` the result rounds to zero and is not computed; the
//! sign of `x` is ORed in (`mish(-inf) = -0`, the limit; TensorFlow gives
//! NaN), `mish(inf) = inf`, NaN gives NaN, `mish(±0) = ±0`. Measured: see
//! tests/exhaustive.rs and random_f64.rs (figures in docs/performance.md).

use super::exp::ExpConstants;
use super::silu::{SiluConstants, exp_of_minus_abs};
use super::vector::{Elementwise, Vector, horner, splat};

/// Below this, the exponential's formula for negative `x`.
const MISH_LOW: f64 = -2.25;
/// The ends of the middle pieces.
const MISH_SPLITS: [f64; 2] = [-1.25, -0.375];
/// Above this, the exponential's formula for positive `x`.
const MISH_HIGH: f64 = 1.0;

/// One polynomial piece of `T(x) = tanh(softplus(x))`: `T(c) + t·Q(t)`
/// with `t = x - c`.
pub(crate) struct MishPiece<S: 'static> {
    /// `c`.
    center: S,
    /// `T(c)` rounded to the type, and the rest.
    at_center: (S, S),
    /// `Q`, lowest degree first.
    poly: &'static [S],
}

/// The constants of mish for one float type.
pub(crate) trait MishConstants: Sized + 'static {
    /// On `[-2.5, -1.25]`, `[-1.25, -0.375]`, `[-0.375, 1]`.
    const MISH_PIECES: [MishPiece<Self>; 3];
}

impl MishConstants for f32 {
    const MISH_PIECES: [MishPiece<Self>; 3] = [
        MishPiece {
            center: -1.875,
            at_center: (0.141_714_77, 3.331_801e-9),
            poly: &[
                0.130_293_9,
                0.054_029_606,
                0.010_971_102,
                -0.000_441_392_85,
                -0.001_129_300_1,
                -0.000_406_539_04,
                -6.073_132_7e-5,
                1.387_656_7e-5,
                8.363_069e-6,
            ],
        },
        MishPiece {
            center: -0.8125,
            at_center: (0.351_576_98, 1.064_412_8e-8),
            poly: &[
                0.269_366_6,
                0.064_179_555,
                -0.013_516_843,
                -0.012_288_034,
                -0.001_874_757_6,
                0.001_118_947_6,
                0.000_676_250_43,
                3.180_986_5e-5,
                -0.000_190_566_7,
            ],
        },
        MishPiece {
            center: 0.0,
            at_center: (0.6, -2.384_185_8e-8),
            poly: &[
                0.32,
                -0.015_999_943,
                -0.045_866_44,
                -0.000_375_358_94,
                0.007_818_422,
                0.000_878_359_1,
                -0.001_297_991_5,
                -0.000_342_526_47,
                0.000_336_300_32,
                -5.242_489_4e-5,
            ],
        },
    ];
}

impl MishConstants for f64 {
    const MISH_PIECES: [MishPiece<Self>; 3] = [
        MishPiece {
            center: -1.875,
            at_center: (0.1417147699533908, -1.2678332239896408e-17),
            poly: &[
                0.13029390925360346,
                0.05402961160003116,
                0.010971014668443446,
                -0.0004415227247439682,
                -0.0011286319720809174,
                -0.0004055410532827212,
                -6.270820158488618e-05,
                1.0826251753492711e-05,
                1.0209997496954232e-05,
                3.2792086696812854e-06,
                4.3029106594210596e-07,
                -1.2643486151521772e-07,
                -9.456292150590594e-08,
                -2.840883769201067e-08,
                -2.8819437716435385e-09,
                1.818367224490145e-09,
                8.591533205833766e-10,
            ],
        },
        MishPiece {
            center: -0.8125,
            at_center: (0.3515769945728088, 7.073072036275857e-19),
            poly: &[
                0.2693666040798106,
                0.06417955207476413,
                -0.013517428892228147,
                -0.012287904198945314,
                -0.0018657141800551994,
                0.0011168386708574698,
                0.0006209006038294335,
                4.5400213919459084e-05,
                -7.345898883610646e-05,
                -3.101406115914388e-05,
                1.8429210698136616e-07,
                4.5389733066523615e-06,
                1.4997970147474814e-06,
                -1.574139926491627e-07,
                -2.7255334723651035e-07,
                -5.578373137323617e-08,
                2.1803462666420213e-08,
            ],
        },
        MishPiece {
            center: 0.0,
            at_center: (0.6, 2.2204460492503132e-17),
            poly: &[
                0.32000000000000006,
                -0.01599999999999989,
                -0.04586666666667881,
                -0.0003733333333363013,
                0.007818666667373249,
                0.0008579555549166421,
                -0.001269627954603816,
                -0.0002957376159265697,
                0.00018795793221893797,
                7.443481538671119e-05,
                -2.4090065028477653e-05,
                -1.6020091662251807e-05,
                2.2903046678946184e-06,
                3.0804133840649827e-06,
                1.8803916749411544e-08,
                -5.504532474052875e-07,
                -1.5768515702713919e-07,
                2.2766329508876802e-07,
                -6.597823340865811e-08,
                5.956024900534727e-09,
            ],
        },
    ];
}

/// `x·T(x)` from one piece.
#[inline(always)]
fn piece<V: Vector>(x: V, piece: &MishPiece<V::Scalar>) -> V {
    let t = x.sub(V::splat(piece.center));
    let (high, low) = piece.at_center;
    let rest = t.mul_add(horner(t, piece.poly), V::splat(low));
    x.mul_add(V::splat(high), x.mul(rest))
}

/// `mish(x)` lane by lane.
#[derive(Clone, Copy)]
pub(crate) struct Mish;

impl<V: Vector<Scalar: ExpConstants + SiluConstants + MishConstants>> Elementwise<V> for Mish {
    #[inline(always)]
    fn apply(self, x: V) -> V {
        let (one, two, zero) = (splat::<V>(1.0), splat::<V>(2.0), splat::<V>(0.0));
        let (a, rho, e, k) = exp_of_minus_abs(x);

        // x ≥ MISH_HIGH; x is capped in the product so that inf gives inf
        // (w is then far below ULP(x) / x anyway).
        let two_e = two.mul(e);
        let w = two_e.mul(e).div(two_e.mul_add(one.add(e), one));
        let high = splat::<V>(64.0).min(x).neg_mul_add(w, x);

        // x ≤ MISH_LOW, before the scaling by 2^k.
        let h = e.mul_add(e, e).div(e.mul_add(two.add(e), two));
        let a_p = a.mul_add(rho, a);
        let low = a_p.neg_mul_add(h, a_p);

        let [left, centre, right] = &V::Scalar::MISH_PIECES;
        let middle = V::select(
            x.lt(splat(MISH_SPLITS[0])),
            piece(x, left),
            V::select(
                x.lt(splat(MISH_SPLITS[1])),
                piece(x, centre),
                piece(x, right),
            ),
        );

        let is_low = x.lt(splat(MISH_LOW));
        let y = V::select(is_low, low, V::select(x.lt(splat(MISH_HIGH)), middle, high));
        let keep = x.gt_or_nan(V::splat(V::Scalar::SILU_ZERO));
        y.scale_pow2_where(V::select(is_low, k, zero), keep)
            .or_sign(x)
    }
}

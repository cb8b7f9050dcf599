//! Plain Rust for every other CPU (x86-64 without AVX2, aarch64, …): each
//! register is a fixed-size array and each operation a branch-free loop
//! over it, which the compiler turns into SSE2 or NEON instructions.
//! `mul_add` is `a * b + c` with two roundings (a fused `mul_add` would
//! call a slow software `fma` where the baseline lacks the instruction),
//! and `2^k` is built in the exponent bits, in two halves so that
//! subnormal results round once. Only IEEE basic operations are used, so
//! the results are the same on every CPU, and the tests on x86-64 cover
//! the other targets too.

use super::vector::Vector;
use super::{Isa, define_isa};

/// The kernels; available everywhere.
pub(super) fn isa() -> &'static Isa {
    &ISA
}

define_isa!(f32: F32x4, f64: F64x2);

/// The sign bit of an `f32`.
const F32_SIGN: u32 = 1 << 31;
/// The sign bit of an `f64`.
const F64_SIGN: u64 = 1 << 63;

/// Implements [`Vector`] for an array of `$lanes` `$scalar`s whose bits are
/// the unsigned `$bits`, with the float-format constants given.
macro_rules! portable_vector {
    (
        $name:ident, $scalar:ident, $bits:ident, $lanes:literal,
        sign: $sign:expr,
        mantissa_bits: $mantissa_bits:literal,
        bias: $bias:literal,
        sqrt_half_bits: $sqrt_half_bits:literal
    ) => {
        #[derive(Clone, Copy)]
        struct $name([$scalar; $lanes]);

        impl $name {
            /// `f` applied lane by lane.
            #[inline(always)]
            fn map(self, f: impl Fn($scalar) -> $scalar) -> Self {
                Self(self.0.map(f))
            }
            /// `f` applied to pairs of lanes.
            #[inline(always)]
            fn zip(self, other: Self, f: impl Fn($scalar, $scalar) -> $scalar) -> Self {
                Self(std::array::from_fn(|i| f(self.0[i], other.0[i])))
            }
            /// A mask from a lane-wise predicate: all ones where true.
            #[inline(always)]
            fn mask(self, other: Self, f: impl Fn($scalar, $scalar) -> bool) -> [$bits; $lanes] {
                std::array::from_fn(|i| {
                    if f(self.0[i], other.0[i]) {
                        $bits::MAX
                    } else {
                        0
                    }
                })
            }
            /// `2^e` for an integral `e` of a normal power of two, built
            /// in the exponent field: the low bits of `e + 1.5·2^m` hold
            /// `e`, and the bits above shift out.
            #[inline(always)]
            fn pow2(e: $scalar) -> $scalar {
                let round = 1.5 * ((1 as $bits) << $mantissa_bits) as $scalar;
                $scalar::from_bits((e + round).to_bits().wrapping_add($bias) << $mantissa_bits)
            }
        }

        impl Vector for $name {
            type Scalar = $scalar;
            type Mask = [$bits; $lanes];
            const LANES: usize = $lanes;
            const UNROLL: usize = 1;
            const FUSED: bool = false;

            #[inline(always)]
            fn splat(value: $scalar) -> Self {
                Self([value; $lanes])
            }
            #[inline(always)]
            fn load(xs: &[$scalar]) -> Self {
                Self(xs[..$lanes].try_into().expect("a full register"))
            }
            #[inline(always)]
            fn store(self, xs: &mut [$scalar]) {
                xs[..$lanes].copy_from_slice(&self.0);
            }

            #[inline(always)]
            fn add(self, rhs: Self) -> Self {
                self.zip(rhs, |a, b| a + b)
            }
            #[inline(always)]
            fn sub(self, rhs: Self) -> Self {
                self.zip(rhs, |a, b| a - b)
            }
            #[inline(always)]
            fn mul(self, rhs: Self) -> Self {
                self.zip(rhs, |a, b| a * b)
            }
            #[inline(always)]
            fn div_exact(self, rhs: Self) -> Self {
                self.div(rhs)
            }
            #[inline(always)]
            fn sqrt(self) -> Self {
                self.map(|a| a.sqrt())
            }
            #[inline(always)]
            fn div(self, rhs: Self) -> Self {
                self.zip(rhs, |a, b| a / b)
            }
            #[inline(always)]
            fn mul_add(self, b: Self, c: Self) -> Self {
                self.mul(b).add(c)
            }
            #[inline(always)]
            fn neg_mul_add(self, b: Self, c: Self) -> Self {
                c.sub(self.mul(b))
            }

            #[inline(always)]
            fn abs(self) -> Self {
                self.map(|a| $scalar::from_bits(a.to_bits() & !$sign))
            }
            #[inline(always)]
            fn or_sign(self, sign: Self) -> Self {
                self.zip(sign, |a, s| {
                    $scalar::from_bits(a.to_bits() | (s.to_bits() & $sign))
                })
            }
            #[inline(always)]
            fn min(self, other: Self) -> Self {
                self.zip(other, |a, b| if a < b { a } else { b })
            }
            #[inline(always)]
            fn max(self, other: Self) -> Self {
                self.zip(other, |a, b| if a > b { a } else { b })
            }

            #[inline(always)]
            fn lt(self, other: Self) -> Self::Mask {
                self.mask(other, |a, b| a < b)
            }
            #[inline(always)]
            fn gt(self, other: Self) -> Self::Mask {
                self.mask(other, |a, b| a > b)
            }
            #[inline(always)]
            fn gt_or_nan(self, other: Self) -> Self::Mask {
                self.mask(other, |a, b| a > b || a.is_nan() || b.is_nan())
            }
            #[inline(always)]
            fn eq(self, other: Self) -> Self::Mask {
                self.mask(other, |a, b| a == b)
            }
            #[inline(always)]
            fn select(mask: Self::Mask, if_true: Self, if_false: Self) -> Self {
                Self(std::array::from_fn(|i| {
                    $scalar::from_bits(
                        (if_true.0[i].to_bits() & mask[i]) | (if_false.0[i].to_bits() & !mask[i]),
                    )
                }))
            }
            #[inline(always)]
            fn any(mask: Self::Mask) -> bool {
                mask.iter().any(|&lane| lane != 0)
            }

            #[inline(always)]
            fn scale_pow2(self, k: Self) -> Self {
                // 2^k = 2^(k/2) · 2^(k - k/2): the first product is exact,
                // the second rounds once.
                let round = 1.5 * ((1 as $bits) << $mantissa_bits) as $scalar;
                let half = k.map(|k| (k * 0.5 + round) - round);
                self.zip(half, |x, h| x * Self::pow2(h))
                    .zip(k.sub(half), |x, rest| x * Self::pow2(rest))
            }
            #[inline(always)]
            fn scale_pow2_where(self, k: Self, keep: Self::Mask) -> Self {
                // As `scale_pow2`, with the second factor +0 outside
                // `keep`: the product is then an exact zero, not an
                // underflow.
                let round = 1.5 * ((1 as $bits) << $mantissa_bits) as $scalar;
                let half = k.map(|k| (k * 0.5 + round) - round);
                let rest = k.sub(half);
                Self(std::array::from_fn(|i| {
                    let factor = $scalar::from_bits(Self::pow2(rest.0[i]).to_bits() & keep[i]);
                    self.0[i] * Self::pow2(half.0[i]) * factor
                }))
            }
            #[inline(always)]
            fn split_exponent(self) -> (Self, Self) {
                // Offsetting the bits by those of 1 - √½ moves the exponent
                // step from 1 to √2 (musl's log); the biased exponent, a
                // small integer, turns into a float by adding it to the bits
                // of 2^mantissa_bits.
                let one_bits = $scalar::to_bits(1.0);
                let bits = self
                    .0
                    .map(|x| x.to_bits().wrapping_add(one_bits - $sqrt_half_bits));
                let two_m = ((1 as $bits) << $mantissa_bits) as $scalar;
                let mantissa_mask = ((1 as $bits) << $mantissa_bits) - 1;
                let m = bits.map(|b| $scalar::from_bits((b & mantissa_mask) + $sqrt_half_bits));
                let k = bits.map(|b| {
                    $scalar::from_bits((b >> $mantissa_bits) | two_m.to_bits())
                        - (two_m + $bias as $scalar)
                });
                (Self(m), Self(k))
            }

            #[inline(always)]
            fn reduce_add(self) -> $scalar {
                self.0.iter().sum()
            }
            #[inline(always)]
            fn reduce_max(self) -> $scalar {
                self.0
                    .iter()
                    .copied()
                    .fold($scalar::NEG_INFINITY, $scalar::max)
            }
        }
    };
}

portable_vector!(
    F32x4, f32, u32, 4,
    sign: F32_SIGN,
    mantissa_bits: 23,
    bias: 127,
    sqrt_half_bits: 0x3f35_04f3
);
portable_vector!(
    F64x2, f64, u64, 2,
    sign: F64_SIGN,
    mantissa_bits: 52,
    bias: 1023,
    sqrt_half_bits: 0x3fe6_a09e_667f_3bcd
);

//! AVX2 with FMA: 8 `f32` or 4 `f64` lanes per `ymm` register. Tails go
//! through a padded buffer, `2^k` is built in the exponent bits (in two
//! halves, so subnormal results round once), and `f32` division refines
//! `vrcpps` (12 bits) by one Newton step on the reciprocal and one on the
//! quotient; `f64` division is `vdivpd`.
//!
//! # Safety
//!
//! Every intrinsic needs AVX2 or FMA (or less). The register types are
//! private to this module and only used inside the kernels of
//! [`define_isa`], which are compiled with `avx2,fma` enabled and
//! reachable only through [`path`], which detects both first. So every
//! `avx2!` block below runs on a CPU with AVX2 and FMA; the loads and
//! stores also check their bounds.

use super::vector::Vector;
use super::{Isa, define_isa};
use std::arch::x86_64::*;

/// The kernels, if this CPU has AVX2 and FMA.
pub(super) fn isa() -> Option<&'static Isa> {
    (std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma"))
        .then_some(&ISA)
}

define_isa!(f32: F32x8, f64: F64x4, features: "avx2,fma");

/// Evaluates an AVX2/FMA intrinsic expression.
macro_rules! avx2 {
    ($intrinsics:expr) => {
        // SAFETY: AVX2 and FMA are available wherever this module's
        // registers exist (see the module's safety note).
        unsafe { $intrinsics }
    };
}

/// `2^e` for integers `e` in `[-126, 127]`, built in the exponent field.
#[inline(always)]
fn pow2_f32(e: __m256i) -> __m256 {
    avx2!(_mm256_castsi256_ps(_mm256_slli_epi32::<23>(
        _mm256_add_epi32(e, _mm256_set1_epi32(127),)
    )))
}

/// `2^e` for integral `e` in `[-1022, 1023]`, built in the exponent field:
/// the low bits of `e + 1.5·2^52` hold `e`, and the bits above shift out.
#[inline(always)]
fn pow2_f64(e: __m256d) -> __m256d {
    avx2!({
        let bits = _mm256_castpd_si256(_mm256_add_pd(e, _mm256_set1_pd(6_755_399_441_055_744.0)));
        _mm256_castsi256_pd(_mm256_slli_epi64::<52>(_mm256_add_epi64(
            bits,
            _mm256_set1_epi64x(1023),
        )))
    })
}

/// 8 `f32` lanes.
#[derive(Clone, Copy)]
struct F32x8(__m256);

impl Vector for F32x8 {
    type Scalar = f32;
    type Mask = __m256;
    const LANES: usize = 8;
    const UNROLL: usize = 4;
    const FUSED: bool = true;

    #[inline(always)]
    fn splat(value: f32) -> Self {
        Self(avx2!(_mm256_set1_ps(value)))
    }
    #[inline(always)]
    fn load(xs: &[f32]) -> Self {
        assert!(xs.len() >= Self::LANES);
        // SAFETY: AVX as in the module note; `xs` holds the 8 values read,
        // and `loadu` takes any alignment.
        Self(unsafe { _mm256_loadu_ps(xs.as_ptr()) })
    }
    #[inline(always)]
    fn store(self, xs: &mut [f32]) {
        assert!(xs.len() >= Self::LANES);
        // SAFETY: AVX as in the module note; `xs` holds the 8 values
        // written, and `storeu` takes any alignment.
        unsafe { _mm256_storeu_ps(xs.as_mut_ptr(), self.0) }
    }

    #[inline(always)]
    fn add(self, rhs: Self) -> Self {
        Self(avx2!(_mm256_add_ps(self.0, rhs.0)))
    }
    #[inline(always)]
    fn sub(self, rhs: Self) -> Self {
        Self(avx2!(_mm256_sub_ps(self.0, rhs.0)))
    }
    #[inline(always)]
    fn mul(self, rhs: Self) -> Self {
        Self(avx2!(_mm256_mul_ps(self.0, rhs.0)))
    }
    #[inline(always)]
    fn div_exact(self, rhs: Self) -> Self {
        Self(avx2!(_mm256_div_ps(self.0, rhs.0)))
    }
    #[inline(always)]
    fn sqrt(self) -> Self {
        Self(avx2!(_mm256_sqrt_ps(self.0)))
    }
    #[inline(always)]
    fn div(self, rhs: Self) -> Self {
        avx2!({
            let estimate = _mm256_rcp_ps(rhs.0);
            let error = _mm256_fnmadd_ps(rhs.0, estimate, _mm256_set1_ps(1.0));
            let reciprocal = _mm256_fmadd_ps(estimate, error, estimate);
            let q0 = _mm256_mul_ps(self.0, reciprocal);
            let residual = _mm256_fnmadd_ps(rhs.0, q0, self.0);
            Self(_mm256_fmadd_ps(residual, reciprocal, q0))
        })
    }
    #[inline(always)]
    fn mul_add(self, b: Self, c: Self) -> Self {
        Self(avx2!(_mm256_fmadd_ps(self.0, b.0, c.0)))
    }
    #[inline(always)]
    fn neg_mul_add(self, b: Self, c: Self) -> Self {
        Self(avx2!(_mm256_fnmadd_ps(self.0, b.0, c.0)))
    }

    #[inline(always)]
    fn abs(self) -> Self {
        Self(avx2!(_mm256_andnot_ps(_mm256_set1_ps(-0.0), self.0)))
    }
    #[inline(always)]
    fn or_sign(self, sign: Self) -> Self {
        Self(avx2!(_mm256_or_ps(
            self.0,
            _mm256_and_ps(sign.0, _mm256_set1_ps(-0.0))
        )))
    }
    #[inline(always)]
    fn min(self, other: Self) -> Self {
        Self(avx2!(_mm256_min_ps(self.0, other.0)))
    }
    #[inline(always)]
    fn max(self, other: Self) -> Self {
        Self(avx2!(_mm256_max_ps(self.0, other.0)))
    }

    #[inline(always)]
    fn lt(self, other: Self) -> __m256 {
        avx2!(_mm256_cmp_ps::<_CMP_LT_OQ>(self.0, other.0))
    }
    #[inline(always)]
    fn gt(self, other: Self) -> __m256 {
        avx2!(_mm256_cmp_ps::<_CMP_GT_OQ>(self.0, other.0))
    }
    #[inline(always)]
    fn gt_or_nan(self, other: Self) -> __m256 {
        avx2!(_mm256_cmp_ps::<_CMP_NLE_UQ>(self.0, other.0))
    }
    #[inline(always)]
    fn eq(self, other: Self) -> __m256 {
        avx2!(_mm256_cmp_ps::<_CMP_EQ_OQ>(self.0, other.0))
    }
    #[inline(always)]
    fn select(mask: __m256, if_true: Self, if_false: Self) -> Self {
        Self(avx2!(_mm256_blendv_ps(if_false.0, if_true.0, mask)))
    }
    #[inline(always)]
    fn any(mask: __m256) -> bool {
        avx2!(_mm256_movemask_ps(mask)) != 0
    }

    #[inline(always)]
    fn scale_pow2(self, k: Self) -> Self {
        // 2^k = 2^(k/2) · 2^(k - k/2), each a normal number built in the
        // exponent field; the first product is exact, the second rounds.
        avx2!({
            let k = _mm256_cvtps_epi32(k.0);
            let half = _mm256_srai_epi32::<1>(k);
            let scaled = _mm256_mul_ps(self.0, pow2_f32(half));
            Self(_mm256_mul_ps(scaled, pow2_f32(_mm256_sub_epi32(k, half))))
        })
    }
    #[inline(always)]
    fn scale_pow2_where(self, k: Self, keep: __m256) -> Self {
        // As `scale_pow2`, with the second factor +0 outside `keep`: the
        // product is then an exact zero, not an underflow.
        avx2!({
            let k = _mm256_cvtps_epi32(k.0);
            let half = _mm256_srai_epi32::<1>(k);
            let scaled = _mm256_mul_ps(self.0, pow2_f32(half));
            let rest = _mm256_and_ps(pow2_f32(_mm256_sub_epi32(k, half)), keep);
            Self(_mm256_mul_ps(scaled, rest))
        })
    }
    #[inline(always)]
    fn split_exponent(self) -> (Self, Self) {
        // Offsetting the bits by those of 1 - √½ moves the exponent step
        // from 1 to √2 (musl's logf).
        avx2!({
            let bits = _mm256_add_epi32(
                _mm256_castps_si256(self.0),
                _mm256_set1_epi32(0x3f80_0000 - 0x3f35_04f3),
            );
            let k = _mm256_sub_epi32(_mm256_srli_epi32::<23>(bits), _mm256_set1_epi32(127));
            let m = _mm256_add_epi32(
                _mm256_and_si256(bits, _mm256_set1_epi32(0x007f_ffff)),
                _mm256_set1_epi32(0x3f35_04f3),
            );
            (Self(_mm256_castsi256_ps(m)), Self(_mm256_cvtepi32_ps(k)))
        })
    }

    #[inline(always)]
    fn reduce_add(self) -> f32 {
        let mut lanes = [0.0; Self::LANES];
        self.store(&mut lanes);
        lanes.iter().sum()
    }
    #[inline(always)]
    fn reduce_max(self) -> f32 {
        let mut lanes = [0.0; Self::LANES];
        self.store(&mut lanes);
        lanes.iter().copied().fold(f32::NEG_INFINITY, f32::max)
    }
}

/// 4 `f64` lanes.
#[derive(Clone, Copy)]
struct F64x4(__m256d);

impl Vector for F64x4 {
    type Scalar = f64;
    type Mask = __m256d;
    const LANES: usize = 4;
    const UNROLL: usize = 4;
    const FUSED: bool = true;

    #[inline(always)]
    fn splat(value: f64) -> Self {
        Self(avx2!(_mm256_set1_pd(value)))
    }
    #[inline(always)]
    fn load(xs: &[f64]) -> Self {
        assert!(xs.len() >= Self::LANES);
        // SAFETY: AVX as in the module note; `xs` holds the 4 values read,
        // and `loadu` takes any alignment.
        Self(unsafe { _mm256_loadu_pd(xs.as_ptr()) })
    }
    #[inline(always)]
    fn store(self, xs: &mut [f64]) {
        assert!(xs.len() >= Self::LANES);
        // SAFETY: AVX as in the module note; `xs` holds the 4 values
        // written, and `storeu` takes any alignment.
        unsafe { _mm256_storeu_pd(xs.as_mut_ptr(), self.0) }
    }

    #[inline(always)]
    fn add(self, rhs: Self) -> Self {
        Self(avx2!(_mm256_add_pd(self.0, rhs.0)))
    }
    #[inline(always)]
    fn sub(self, rhs: Self) -> Self {
        Self(avx2!(_mm256_sub_pd(self.0, rhs.0)))
    }
    #[inline(always)]
    fn mul(self, rhs: Self) -> Self {
        Self(avx2!(_mm256_mul_pd(self.0, rhs.0)))
    }
    #[inline(always)]
    fn div_exact(self, rhs: Self) -> Self {
        self.div(rhs)
    }
    #[inline(always)]
    fn sqrt(self) -> Self {
        Self(avx2!(_mm256_sqrt_pd(self.0)))
    }
    #[inline(always)]
    fn div(self, rhs: Self) -> Self {
        Self(avx2!(_mm256_div_pd(self.0, rhs.0)))
    }
    #[inline(always)]
    fn mul_add(self, b: Self, c: Self) -> Self {
        Self(avx2!(_mm256_fmadd_pd(self.0, b.0, c.0)))
    }
    #[inline(always)]
    fn neg_mul_add(self, b: Self, c: Self) -> Self {
        Self(avx2!(_mm256_fnmadd_pd(self.0, b.0, c.0)))
    }

    #[inline(always)]
    fn abs(self) -> Self {
        Self(avx2!(_mm256_andnot_pd(_mm256_set1_pd(-0.0), self.0)))
    }
    #[inline(always)]
    fn or_sign(self, sign: Self) -> Self {
        Self(avx2!(_mm256_or_pd(
            self.0,
            _mm256_and_pd(sign.0, _mm256_set1_pd(-0.0))
        )))
    }
    #[inline(always)]
    fn min(self, other: Self) -> Self {
        Self(avx2!(_mm256_min_pd(self.0, other.0)))
    }
    #[inline(always)]
    fn max(self, other: Self) -> Self {
        Self(avx2!(_mm256_max_pd(self.0, other.0)))
    }

    #[inline(always)]
    fn lt(self, other: Self) -> __m256d {
        avx2!(_mm256_cmp_pd::<_CMP_LT_OQ>(self.0, other.0))
    }
    #[inline(always)]
    fn gt(self, other: Self) -> __m256d {
        avx2!(_mm256_cmp_pd::<_CMP_GT_OQ>(self.0, other.0))
    }
    #[inline(always)]
    fn gt_or_nan(self, other: Self) -> __m256d {
        avx2!(_mm256_cmp_pd::<_CMP_NLE_UQ>(self.0, other.0))
    }
    #[inline(always)]
    fn eq(self, other: Self) -> __m256d {
        avx2!(_mm256_cmp_pd::<_CMP_EQ_OQ>(self.0, other.0))
    }
    #[inline(always)]
    fn select(mask: __m256d, if_true: Self, if_false: Self) -> Self {
        Self(avx2!(_mm256_blendv_pd(if_false.0, if_true.0, mask)))
    }
    #[inline(always)]
    fn any(mask: __m256d) -> bool {
        avx2!(_mm256_movemask_pd(mask)) != 0
    }

    #[inline(always)]
    fn scale_pow2(self, k: Self) -> Self {
        // As for f32, but AVX2 has no f64 → i64 conversion and no 64-bit
        // arithmetic shift: halve in floating point, then read each
        // integral half out of the bits of `half + 1.5·2^52`.
        avx2!({
            let round = _mm256_set1_pd(6_755_399_441_055_744.0);
            let half = _mm256_sub_pd(
                _mm256_add_pd(_mm256_mul_pd(k.0, _mm256_set1_pd(0.5)), round),
                round,
            );
            let scaled = _mm256_mul_pd(self.0, pow2_f64(half));
            Self(_mm256_mul_pd(scaled, pow2_f64(_mm256_sub_pd(k.0, half))))
        })
    }
    #[inline(always)]
    fn scale_pow2_where(self, k: Self, keep: __m256d) -> Self {
        // As `scale_pow2`, with the second factor +0 outside `keep`: the
        // product is then an exact zero, not an underflow.
        avx2!({
            let round = _mm256_set1_pd(6_755_399_441_055_744.0);
            let half = _mm256_sub_pd(
                _mm256_add_pd(_mm256_mul_pd(k.0, _mm256_set1_pd(0.5)), round),
                round,
            );
            let scaled = _mm256_mul_pd(self.0, pow2_f64(half));
            let rest = _mm256_and_pd(pow2_f64(_mm256_sub_pd(k.0, half)), keep);
            Self(_mm256_mul_pd(scaled, rest))
        })
    }
    #[inline(always)]
    fn split_exponent(self) -> (Self, Self) {
        // As for f32 (musl's log); the biased exponent, a small integer,
        // turns into a double by adding it to the bits of 2^52.
        avx2!({
            let bits = _mm256_add_epi64(
                _mm256_castpd_si256(self.0),
                _mm256_set1_epi64x(0x3ff0_0000_0000_0000 - 0x3fe6_a09e_667f_3bcd),
            );
            let biased = _mm256_srli_epi64::<52>(bits);
            let two_52 = _mm256_set1_pd(4_503_599_627_370_496.0);
            let k = _mm256_sub_pd(
                _mm256_castsi256_pd(_mm256_or_si256(biased, _mm256_castpd_si256(two_52))),
                _mm256_set1_pd(4_503_599_627_370_496.0 + 1023.0),
            );
            let m = _mm256_add_epi64(
                _mm256_and_si256(bits, _mm256_set1_epi64x(0x000f_ffff_ffff_ffff)),
                _mm256_set1_epi64x(0x3fe6_a09e_667f_3bcd),
            );
            (Self(_mm256_castsi256_pd(m)), Self(k))
        })
    }

    #[inline(always)]
    fn reduce_add(self) -> f64 {
        let mut lanes = [0.0; Self::LANES];
        self.store(&mut lanes);
        lanes.iter().sum()
    }
    #[inline(always)]
    fn reduce_max(self) -> f64 {
        let mut lanes = [0.0; Self::LANES];
        self.store(&mut lanes);
        lanes.iter().copied().fold(f64::NEG_INFINITY, f64::max)
    }
}

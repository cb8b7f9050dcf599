//! AVX-512F: 16 `f32` or 8 `f64` lanes per `zmm` register. Tails use
//! masked loads and stores, `2^k` is one `vscalefps` (exact, subnormal
//! results rounded once), and division is `vrcp14ps` (14 bits) refined by
//! one fused Newton step on the quotient (two more steps on the reciprocal
//! for `f64`), which is faster than `vdivps` and as accurate. The `f32`
//! tanh and exact gelu have their own kernels, tables of polynomials
//! (tanh_table.rs, gelu_table.rs, sharing slots.rs's lookup).
//!
//! # Safety
//!
//! Every intrinsic needs AVX-512F. The register types are private to this
//! module and only used inside the kernels of [`define_isa`], which are
//! compiled with `avx512f` enabled and reachable only through [`path`],
//! which checks `is_x86_feature_detected!("avx512f")` first. So every
//! `avx512!` block below runs on a CPU with AVX-512F; the loads and stores
//! also check their bounds.

use super::vector::Vector;
use super::{Isa, define_isa};
use std::arch::x86_64::*;

/// The kernels, if this CPU has AVX-512F.
pub(super) fn isa() -> Option<&'static Isa> {
    std::arch::is_x86_feature_detected!("avx512f").then_some(&ISA)
}

mod gelu_table;
mod slots;
mod tanh_table;

define_isa!(
    f32: F32x16,
    f64: F64x8,
    features: "avx512f",
    tanh_f32: tanh_table::TableTanh,
    gelu_f32: gelu_table::TableGelu
);

/// Evaluates an AVX-512F intrinsic expression.
macro_rules! avx512 {
    ($intrinsics:expr) => {
        // SAFETY: AVX-512F is available wherever this module's registers
        // exist (see the module's safety note).
        unsafe { $intrinsics }
    };
}

/// The mask of the lowest `n` lanes.
fn low_lanes(n: usize) -> u16 {
    assert!(n < 16);
    (1_u16 << n) - 1
}

/// 16 `f32` lanes.
#[derive(Clone, Copy)]
struct F32x16(__m512);

impl Vector for F32x16 {
    type Scalar = f32;
    type Mask = __mmask16;
    const LANES: usize = 16;
    const UNROLL: usize = 4;
    const FUSED: bool = true;

    #[inline(always)]
    fn splat(value: f32) -> Self {
        Self(avx512!(_mm512_set1_ps(value)))
    }
    #[inline(always)]
    fn load(xs: &[f32]) -> Self {
        assert!(xs.len() >= Self::LANES);
        // SAFETY: AVX-512F as in the module note; `xs` holds the 16 values
        // read, and `loadu` takes any alignment.
        Self(unsafe { _mm512_loadu_ps(xs.as_ptr()) })
    }
    #[inline(always)]
    fn store(self, xs: &mut [f32]) {
        assert!(xs.len() >= Self::LANES);
        // SAFETY: AVX-512F as in the module note; `xs` holds the 16 values
        // written, and `storeu` takes any alignment.
        unsafe { _mm512_storeu_ps(xs.as_mut_ptr(), self.0) }
    }
    #[inline(always)]
    fn load_partial(xs: &[f32], fill: f32) -> Self {
        let mask = low_lanes(xs.len());
        // SAFETY: AVX-512F as in the module note; only the lanes in `mask`,
        // all within `xs`, are read (masked-off lanes do not fault).
        Self(unsafe { _mm512_mask_loadu_ps(_mm512_set1_ps(fill), mask, xs.as_ptr()) })
    }
    #[inline(always)]
    fn store_partial(self, xs: &mut [f32]) {
        let mask = low_lanes(xs.len());
        // SAFETY: AVX-512F as in the module note; only the lanes in `mask`,
        // all within `xs`, are written.
        unsafe { _mm512_mask_storeu_ps(xs.as_mut_ptr(), mask, self.0) }
    }

    #[inline(always)]
    fn add(self, rhs: Self) -> Self {
        Self(avx512!(_mm512_add_ps(self.0, rhs.0)))
    }
    #[inline(always)]
    fn sub(self, rhs: Self) -> Self {
        Self(avx512!(_mm512_sub_ps(self.0, rhs.0)))
    }
    #[inline(always)]
    fn mul(self, rhs: Self) -> Self {
        Self(avx512!(_mm512_mul_ps(self.0, rhs.0)))
    }
    #[inline(always)]
    fn div_exact(self, rhs: Self) -> Self {
        Self(avx512!(_mm512_div_ps(self.0, rhs.0)))
    }
    #[inline(always)]
    fn sqrt(self) -> Self {
        Self(avx512!(_mm512_sqrt_ps(self.0)))
    }
    #[inline(always)]
    fn div(self, rhs: Self) -> Self {
        // q0 = n·(1/d) to 14 bits; q = q0 + (n - d·q0)/d squares its error.
        avx512!({
            let reciprocal = _mm512_rcp14_ps(rhs.0);
            let q0 = _mm512_mul_ps(self.0, reciprocal);
            let residual = _mm512_fnmadd_ps(rhs.0, q0, self.0);
            Self(_mm512_fmadd_ps(residual, reciprocal, q0))
        })
    }
    #[inline(always)]
    fn mul_add(self, b: Self, c: Self) -> Self {
        Self(avx512!(_mm512_fmadd_ps(self.0, b.0, c.0)))
    }
    #[inline(always)]
    fn neg_mul_add(self, b: Self, c: Self) -> Self {
        Self(avx512!(_mm512_fnmadd_ps(self.0, b.0, c.0)))
    }

    #[inline(always)]
    fn abs(self) -> Self {
        Self(avx512!(_mm512_abs_ps(self.0)))
    }
    #[inline(always)]
    fn or_sign(self, sign: Self) -> Self {
        // Ternary logic 0xf8 = a | (b & c), with c the sign bit.
        avx512!({
            let bits = _mm512_ternarylogic_epi32::<0xf8>(
                _mm512_castps_si512(self.0),
                _mm512_castps_si512(sign.0),
                _mm512_set1_epi32(i32::MIN),
            );
            Self(_mm512_castsi512_ps(bits))
        })
    }
    #[inline(always)]
    fn min(self, other: Self) -> Self {
        Self(avx512!(_mm512_min_ps(self.0, other.0)))
    }
    #[inline(always)]
    fn max(self, other: Self) -> Self {
        Self(avx512!(_mm512_max_ps(self.0, other.0)))
    }

    #[inline(always)]
    fn lt(self, other: Self) -> __mmask16 {
        avx512!(_mm512_cmp_ps_mask::<_CMP_LT_OQ>(self.0, other.0))
    }
    #[inline(always)]
    fn gt(self, other: Self) -> __mmask16 {
        avx512!(_mm512_cmp_ps_mask::<_CMP_GT_OQ>(self.0, other.0))
    }
    #[inline(always)]
    fn gt_or_nan(self, other: Self) -> __mmask16 {
        avx512!(_mm512_cmp_ps_mask::<_CMP_NLE_UQ>(self.0, other.0))
    }
    #[inline(always)]
    fn eq(self, other: Self) -> __mmask16 {
        avx512!(_mm512_cmp_ps_mask::<_CMP_EQ_OQ>(self.0, other.0))
    }
    #[inline(always)]
    fn select(mask: __mmask16, if_true: Self, if_false: Self) -> Self {
        Self(avx512!(_mm512_mask_blend_ps(mask, if_false.0, if_true.0)))
    }
    #[inline(always)]
    fn any(mask: __mmask16) -> bool {
        mask != 0
    }

    #[inline(always)]
    fn scale_pow2(self, k: Self) -> Self {
        Self(avx512!(_mm512_scalef_ps(self.0, k.0)))
    }
    #[inline(always)]
    fn scale_pow2_where(self, k: Self, keep: __mmask16) -> Self {
        Self(avx512!(_mm512_maskz_scalef_ps(keep, self.0, k.0)))
    }
    #[inline(always)]
    fn split_exponent(self) -> (Self, Self) {
        // Offsetting the bits by those of 1 - √½ moves the exponent step
        // from 1 to √2 (musl's logf).
        avx512!({
            let bits = _mm512_add_epi32(
                _mm512_castps_si512(self.0),
                _mm512_set1_epi32(0x3f80_0000 - 0x3f35_04f3),
            );
            let k = _mm512_sub_epi32(_mm512_srli_epi32::<23>(bits), _mm512_set1_epi32(127));
            let m = _mm512_add_epi32(
                _mm512_and_si512(bits, _mm512_set1_epi32(0x007f_ffff)),
                _mm512_set1_epi32(0x3f35_04f3),
            );
            (Self(_mm512_castsi512_ps(m)), Self(_mm512_cvtepi32_ps(k)))
        })
    }

    #[inline(always)]
    fn reduce_add(self) -> f32 {
        avx512!(_mm512_reduce_add_ps(self.0))
    }
    #[inline(always)]
    fn reduce_max(self) -> f32 {
        avx512!(_mm512_reduce_max_ps(self.0))
    }
}

/// 8 `f64` lanes.
#[derive(Clone, Copy)]
struct F64x8(__m512d);

impl Vector for F64x8 {
    type Scalar = f64;
    type Mask = __mmask8;
    const LANES: usize = 8;
    const UNROLL: usize = 4;
    const FUSED: bool = true;

    #[inline(always)]
    fn splat(value: f64) -> Self {
        Self(avx512!(_mm512_set1_pd(value)))
    }
    #[inline(always)]
    fn load(xs: &[f64]) -> Self {
        assert!(xs.len() >= Self::LANES);
        // SAFETY: AVX-512F as in the module note; `xs` holds the 8 values
        // read, and `loadu` takes any alignment.
        Self(unsafe { _mm512_loadu_pd(xs.as_ptr()) })
    }
    #[inline(always)]
    fn store(self, xs: &mut [f64]) {
        assert!(xs.len() >= Self::LANES);
        // SAFETY: AVX-512F as in the module note; `xs` holds the 8 values
        // written, and `storeu` takes any alignment.
        unsafe { _mm512_storeu_pd(xs.as_mut_ptr(), self.0) }
    }
    #[inline(always)]
    fn load_partial(xs: &[f64], fill: f64) -> Self {
        assert!(xs.len() < Self::LANES);
        let mask = low_lanes(xs.len()) as u8;
        // SAFETY: AVX-512F as in the module note; only the lanes in `mask`,
        // all within `xs`, are read (masked-off lanes do not fault).
        Self(unsafe { _mm512_mask_loadu_pd(_mm512_set1_pd(fill), mask, xs.as_ptr()) })
    }
    #[inline(always)]
    fn store_partial(self, xs: &mut [f64]) {
        assert!(xs.len() < Self::LANES);
        let mask = low_lanes(xs.len()) as u8;
        // SAFETY: AVX-512F as in the module note; only the lanes in `mask`,
        // all within `xs`, are written.
        unsafe { _mm512_mask_storeu_pd(xs.as_mut_ptr(), mask, self.0) }
    }

    #[inline(always)]
    fn add(self, rhs: Self) -> Self {
        Self(avx512!(_mm512_add_pd(self.0, rhs.0)))
    }
    #[inline(always)]
    fn sub(self, rhs: Self) -> Self {
        Self(avx512!(_mm512_sub_pd(self.0, rhs.0)))
    }
    #[inline(always)]
    fn mul(self, rhs: Self) -> Self {
        Self(avx512!(_mm512_mul_pd(self.0, rhs.0)))
    }
    #[inline(always)]
    fn div_exact(self, rhs: Self) -> Self {
        Self(avx512!(_mm512_div_pd(self.0, rhs.0)))
    }
    #[inline(always)]
    fn sqrt(self) -> Self {
        Self(avx512!(_mm512_sqrt_pd(self.0)))
    }
    #[inline(always)]
    fn div(self, rhs: Self) -> Self {
        // 14 bits, two Newton steps on 1/d (28, 56 bits), then one on the
        // quotient.
        avx512!({
            let one = _mm512_set1_pd(1.0);
            let mut reciprocal = _mm512_rcp14_pd(rhs.0);
            for _ in 0..2 {
                let error = _mm512_fnmadd_pd(rhs.0, reciprocal, one);
                reciprocal = _mm512_fmadd_pd(reciprocal, error, reciprocal);
            }
            let q0 = _mm512_mul_pd(self.0, reciprocal);
            let residual = _mm512_fnmadd_pd(rhs.0, q0, self.0);
            Self(_mm512_fmadd_pd(residual, reciprocal, q0))
        })
    }
    #[inline(always)]
    fn reciprocal(self) -> Self {
        // 14 bits, one Newton step: 28.
        avx512!({
            let estimate = _mm512_rcp14_pd(self.0);
            let error = _mm512_fnmadd_pd(self.0, estimate, _mm512_set1_pd(1.0));
            Self(_mm512_fmadd_pd(estimate, error, estimate))
        })
    }
    #[inline(always)]
    fn mul_add(self, b: Self, c: Self) -> Self {
        Self(avx512!(_mm512_fmadd_pd(self.0, b.0, c.0)))
    }
    #[inline(always)]
    fn neg_mul_add(self, b: Self, c: Self) -> Self {
        Self(avx512!(_mm512_fnmadd_pd(self.0, b.0, c.0)))
    }

    #[inline(always)]
    fn abs(self) -> Self {
        Self(avx512!(_mm512_abs_pd(self.0)))
    }
    #[inline(always)]
    fn or_sign(self, sign: Self) -> Self {
        // Ternary logic 0xf8 = a | (b & c), with c the sign bit.
        avx512!({
            let bits = _mm512_ternarylogic_epi64::<0xf8>(
                _mm512_castpd_si512(self.0),
                _mm512_castpd_si512(sign.0),
                _mm512_set1_epi64(i64::MIN),
            );
            Self(_mm512_castsi512_pd(bits))
        })
    }
    #[inline(always)]
    fn min(self, other: Self) -> Self {
        Self(avx512!(_mm512_min_pd(self.0, other.0)))
    }
    #[inline(always)]
    fn max(self, other: Self) -> Self {
        Self(avx512!(_mm512_max_pd(self.0, other.0)))
    }

    #[inline(always)]
    fn lt(self, other: Self) -> __mmask8 {
        avx512!(_mm512_cmp_pd_mask::<_CMP_LT_OQ>(self.0, other.0))
    }
    #[inline(always)]
    fn gt(self, other: Self) -> __mmask8 {
        avx512!(_mm512_cmp_pd_mask::<_CMP_GT_OQ>(self.0, other.0))
    }
    #[inline(always)]
    fn gt_or_nan(self, other: Self) -> __mmask8 {
        avx512!(_mm512_cmp_pd_mask::<_CMP_NLE_UQ>(self.0, other.0))
    }
    #[inline(always)]
    fn eq(self, other: Self) -> __mmask8 {
        avx512!(_mm512_cmp_pd_mask::<_CMP_EQ_OQ>(self.0, other.0))
    }
    #[inline(always)]
    fn select(mask: __mmask8, if_true: Self, if_false: Self) -> Self {
        Self(avx512!(_mm512_mask_blend_pd(mask, if_false.0, if_true.0)))
    }
    #[inline(always)]
    fn any(mask: __mmask8) -> bool {
        mask != 0
    }

    #[inline(always)]
    fn scale_pow2(self, k: Self) -> Self {
        Self(avx512!(_mm512_scalef_pd(self.0, k.0)))
    }
    #[inline(always)]
    fn scale_pow2_where(self, k: Self, keep: __mmask8) -> Self {
        Self(avx512!(_mm512_maskz_scalef_pd(keep, self.0, k.0)))
    }
    #[inline(always)]
    fn split_exponent(self) -> (Self, Self) {
        // As for f32 (musl's log); the biased exponent, a small integer,
        // turns into a double by adding it to the bits of 2^52.
        avx512!({
            let bits = _mm512_add_epi64(
                _mm512_castpd_si512(self.0),
                _mm512_set1_epi64(0x3ff0_0000_0000_0000 - 0x3fe6_a09e_667f_3bcd),
            );
            let biased = _mm512_srli_epi64::<52>(bits);
            let two_52 = _mm512_set1_pd(4_503_599_627_370_496.0);
            let k = _mm512_sub_pd(
                _mm512_castsi512_pd(_mm512_or_si512(biased, _mm512_castpd_si512(two_52))),
                _mm512_set1_pd(4_503_599_627_370_496.0 + 1023.0),
            );
            let m = _mm512_add_epi64(
                _mm512_and_si512(bits, _mm512_set1_epi64(0x000f_ffff_ffff_ffff)),
                _mm512_set1_epi64(0x3fe6_a09e_667f_3bcd),
            );
            (Self(_mm512_castsi512_pd(m)), Self(k))
        })
    }

    #[inline(always)]
    fn reduce_add(self) -> f64 {
        avx512!(_mm512_reduce_add_pd(self.0))
    }
    #[inline(always)]
    fn reduce_max(self) -> f64 {
        avx512!(_mm512_reduce_max_pd(self.0))
    }
}

//! Slice conversions between the 16-bit types and `f32`: F16C and AVX2
//! where the CPU has them, `half`'s own conversions elsewhere.

use ::half::slice::HalfFloatSliceExt;
use ::half::{bf16, f16};

/// Slice conversions between a 16-bit type and `f32`.
pub(super) trait Convert: Sized {
    /// `wide[i] = xs[i]` (exact).
    fn widen_into(xs: &[Self], wide: &mut [f32]);
    /// `xs[i] = wide[i]`, rounded to nearest, ties to even.
    fn narrow_from(xs: &mut [Self], wide: &[f32]);
    /// The slice widened.
    fn widened(xs: &[Self]) -> Vec<f32> {
        let mut wide = vec![0.0; xs.len()];
        Self::widen_into(xs, &mut wide);
        wide
    }
}

/// The F16C instructions, eight values at a time, where the CPU has them
/// (every x86-64 CPU with AVX2); else `half`'s conversions. (`half` also
/// uses F16C, but through a function call per eight values that cannot be
/// inlined: 3× slower than `f32` on relu over 1 M values, against 1.2×.)
impl Convert for f16 {
    fn widen_into(xs: &[Self], wide: &mut [f32]) {
        #[cfg(target_arch = "x86_64")]
        if has_f16c() {
            // SAFETY: the CPU has F16C and AVX (checked just above).
            unsafe { f16c::widen(xs, wide) };
            return;
        }
        xs.convert_to_f32_slice(wide);
    }
    fn narrow_from(xs: &mut [Self], wide: &[f32]) {
        #[cfg(target_arch = "x86_64")]
        if has_f16c() {
            // SAFETY: the CPU has F16C and AVX (checked just above).
            unsafe { f16c::narrow(xs, wide) };
            return;
        }
        xs.convert_from_f32_slice(wide);
    }
}

/// Whether the CPU has F16C and AVX (`is_x86_feature_detected!` caches).
#[cfg(target_arch = "x86_64")]
fn has_f16c() -> bool {
    std::arch::is_x86_feature_detected!("f16c") && std::arch::is_x86_feature_detected!("avx")
}

#[cfg(target_arch = "x86_64")]
mod f16c {
    use ::half::f16;
    use std::arch::x86_64::{
        __m128i, _MM_FROUND_TO_NEAREST_INT, _mm_loadu_si128, _mm_storeu_si128, _mm256_cvtph_ps,
        _mm256_cvtps_ph, _mm256_loadu_ps, _mm256_storeu_ps,
    };

    /// `wide[i] = xs[i]` for the common length.
    #[target_feature(enable = "avx,f16c")]
    pub(super) fn widen(xs: &[f16], wide: &mut [f32]) {
        let len = xs.len().min(wide.len());
        let whole = len - len % 8;
        for i in (0..whole).step_by(8) {
            // SAFETY: `i + 8 <= whole <= len`, so the 8 values read from
            // `xs` (16 bytes, unaligned load) and the 8 written to `wide`
            // (32 bytes, unaligned store) are inside both slices.
            unsafe {
                let half = _mm_loadu_si128(xs.as_ptr().add(i).cast::<__m128i>());
                _mm256_storeu_ps(wide.as_mut_ptr().add(i), _mm256_cvtph_ps(half));
            }
        }
        for i in whole..len {
            wide[i] = xs[i].to_f32();
        }
    }

    /// `xs[i] = wide[i]`, rounded to nearest even, for the common length.
    #[target_feature(enable = "avx,f16c")]
    pub(super) fn narrow(xs: &mut [f16], wide: &[f32]) {
        let len = xs.len().min(wide.len());
        let whole = len - len % 8;
        for i in (0..whole).step_by(8) {
            // SAFETY: as in `widen`, the 8 values read from `wide` and the
            // 8 written to `xs` are inside both slices.
            unsafe {
                let single = _mm256_loadu_ps(wide.as_ptr().add(i));
                let half = _mm256_cvtps_ph::<_MM_FROUND_TO_NEAREST_INT>(single);
                _mm_storeu_si128(xs.as_mut_ptr().add(i).cast::<__m128i>(), half);
            }
        }
        for i in whole..len {
            xs[i] = f16::from_f32(wide[i]);
        }
    }
}

/// Bit for bit `half`'s `bf16::to_f32` and `bf16::from_f32`, written
/// without branches so that the loops vectorize (`half` converts `bf16`
/// slices one value at a time: 1.7× slower on a sigmoid over 1 M values),
/// compiled for AVX2 where the CPU has it.
impl Convert for bf16 {
    fn widen_into(xs: &[Self], wide: &mut [f32]) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2 (checked just above).
            unsafe { bf16_avx2::widen(xs, wide) };
            return;
        }
        bf16_widen(xs, wide);
    }
    fn narrow_from(xs: &mut [Self], wide: &[f32]) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2 (checked just above).
            unsafe { bf16_avx2::narrow(xs, wide) };
            return;
        }
        bf16_narrow(xs, wide);
    }
}

#[inline(always)]
fn bf16_widen(xs: &[bf16], wide: &mut [f32]) {
    for (x, wide) in xs.iter().zip(wide) {
        let bits = x.to_bits();
        // NaN keeps its payload and becomes quiet, as in `half`.
        let quiet = if bits & 0x7FFF > 0x7F80 { 0x40 } else { 0 };
        *wide = f32::from_bits(u32::from(bits | quiet) << 16);
    }
}

#[inline(always)]
fn bf16_narrow(xs: &mut [bf16], wide: &[f32]) {
    for (x, &wide) in xs.iter_mut().zip(wide) {
        let bits = wide.to_bits();
        // Round to nearest, ties to even: add just under half a step, plus
        // the last kept bit.
        let rounded = bits.wrapping_add(0x7FFF + ((bits >> 16) & 1)) >> 16;
        let nan = (bits >> 16) | 0x40;
        let is_nan = bits & 0x7FFF_FFFF > 0x7F80_0000;
        *x = bf16::from_bits((if is_nan { nan } else { rounded }) as u16);
    }
}

/// The same loops compiled for AVX2.
#[cfg(target_arch = "x86_64")]
mod bf16_avx2 {
    use ::half::bf16;

    #[target_feature(enable = "avx2")]
    pub(super) fn widen(xs: &[bf16], wide: &mut [f32]) {
        super::bf16_widen(xs, wide);
    }

    #[target_feature(enable = "avx2")]
    pub(super) fn narrow(xs: &mut [bf16], wide: &[f32]) {
        super::bf16_narrow(xs, wide);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bf16_conversions_are_halfs_bit_for_bit() {
        // Every bf16 value widened, and f32 values around every rounding
        // case narrowed: all 2^16 upper halves with lower halves at, just
        // below and above the midpoint, 0 and the maximum. Both the
        // dispatched conversions (AVX2 here) and the portable loops that
        // other CPUs take.
        type Widen = fn(&[bf16], &mut [f32]);
        type Narrow = fn(&mut [bf16], &[f32]);
        let paths: [(&str, Widen, Narrow); 2] = [
            ("dispatched", bf16::widen_into, bf16::narrow_from),
            ("portable", bf16_widen, bf16_narrow),
        ];
        let all: Vec<bf16> = (0..=u16::MAX).map(bf16::from_bits).collect();
        for (path, widen, narrow_from) in paths {
            let mut wide = vec![0.0; all.len()];
            widen(&all, &mut wide);
            for (x, w) in all.iter().zip(&wide) {
                assert_eq!(
                    w.to_bits(),
                    x.to_f32().to_bits(),
                    "{path}: {:#06x}",
                    x.to_bits()
                );
            }
            for low in [0, 1, 0x7FFF, 0x8000, 0x8001, 0xFFFF] {
                let wide: Vec<f32> = (0..=u32::from(u16::MAX))
                    .map(|high| f32::from_bits(high << 16 | low))
                    .collect();
                let mut narrow = vec![bf16::ZERO; wide.len()];
                narrow_from(&mut narrow, &wide);
                for (n, w) in narrow.iter().zip(&wide) {
                    assert_eq!(
                        n.to_bits(),
                        bf16::from_f32(*w).to_bits(),
                        "{path}: {:#010x}",
                        w.to_bits()
                    );
                }
            }
        }
    }

    #[test]
    fn f16_conversions_are_halfs_bit_for_bit() {
        // Every f16 value widened (NaNs compared as NaN), and f32 values
        // around every f16 rounding case narrowed, with odd lengths for
        // the tails.
        let all: Vec<f16> = (0..=u16::MAX).map(f16::from_bits).collect();
        let mut wide = vec![0.0; all.len() - 3];
        f16::widen_into(&all[3..], &mut wide);
        for (x, w) in all[3..].iter().zip(&wide) {
            let expected = x.to_f32();
            assert!(w.to_bits() == expected.to_bits() || (w.is_nan() && expected.is_nan()));
        }
        for low in [0, 1, 0xFFF, 0x1000, 0x1001, 0x1FFF] {
            let wide: Vec<f32> = (0..=u32::from(u16::MAX) - 5)
                .map(|high| f32::from_bits(high << 16 | low))
                .collect();
            let mut narrow = vec![f16::ZERO; wide.len()];
            f16::narrow_from(&mut narrow, &wide);
            for (n, w) in narrow.iter().zip(&wide) {
                let expected = f16::from_f32(*w);
                assert!(
                    n.to_bits() == expected.to_bits() || (n.is_nan() && expected.is_nan()),
                    "{:#010x}",
                    w.to_bits()
                );
            }
        }
    }
}

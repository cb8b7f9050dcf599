//! Per-lane table lookup for the AVX-512 `f32` kernels that evaluate a
//! polynomial per interval (tanh_table.rs, gelu_table.rs): the interval of
//! each lane from the bits of `offset + a`, and each constant of the
//! intervals as a table of 32 slots read by one `vpermt2ps`.

use super::F32x16;
use crate::kernels::vector::Vector;
use std::arch::x86_64::*;

/// The slots, one per possible index (its low 5 bits).
pub(super) const SLOTS: usize = 32;

/// `intervals` (one row of `N` constants per interval, in order) as one
/// table of [`SLOTS`] slots per constant, interval `i` in slot
/// `(first_slot + i) % SLOTS`; the slots no interval reaches repeat the
/// last interval.
pub(super) const fn slot_tables<const N: usize, const M: usize>(
    intervals: &[[f32; N]; M],
    first_slot: usize,
) -> [[f32; SLOTS]; N] {
    let mut tables = [[0.0; SLOTS]; N];
    let mut slot = 0;
    while slot < SLOTS {
        let interval = (slot + SLOTS - first_slot) % SLOTS;
        let row = if interval < M {
            intervals[interval]
        } else {
            intervals[M - 1]
        };
        let mut j = 0;
        while j < N {
            tables[j][slot] = row[j];
            j += 1;
        }
        slot += 1;
    }
    tables
}

/// The slot of `a = 0`: the bits of `offset` shifted right by 20.
pub(super) const fn first_slot(offset: f32) -> usize {
    (offset.to_bits() >> 20) as usize % SLOTS
}

/// The interval of each lane of `a` (in its low 5 bits): the bits of
/// `offset + a` without the 20 lowest, that is exponent and 3 mantissa
/// bits: eighths of each binade of `offset + a`.
#[inline(always)]
pub(super) fn interval(a: F32x16, offset: f32) -> __m512i {
    let t = a.add(F32x16::splat(offset));
    // SAFETY: AVX-512F, as everywhere F32x16 exists (avx512.rs's safety
    // note).
    unsafe { _mm512_srli_epi32::<20>(_mm512_castps_si512(t.0)) }
}

/// `table[index % 32]` in each lane.
#[inline(always)]
pub(super) fn lookup(table: &[f32; SLOTS], index: __m512i) -> F32x16 {
    let (low, high) = table.split_at(16);
    // SAFETY: AVX-512F as above; each load reads the 16 values of its
    // half of the table, and `loadu` takes any alignment.
    F32x16(unsafe {
        _mm512_permutex2var_ps(
            _mm512_loadu_ps(low.as_ptr()),
            index,
            _mm512_loadu_ps(high.as_ptr()),
        )
    })
}

//! The lane-wise operations each instruction set provides ([`Vector`]), the
//! element types they work on ([`Lane`]), and the driver that runs a kernel
//! over a slice of any length and alignment ([`map_in_place`]).
//!
//! The maths (exp.rs, sigmoid.rs, …) is written once against [`Vector`];
//! avx512.rs, avx2.rs and portable.rs each implement it for their registers
//! and instantiate the kernels. Every operation below means the same on
//! every instruction set, with one exception: `mul_add` is fused (one
//! rounding) where the hardware has FMA and two roundings in the portable
//! code. The algorithms are built so that both stay within their bounds,
//! and the tests check every path.

/// `f32` or `f64`: what every kernel needs of its element type. The
/// constants of each algorithm (`ExpConstants` in exp.rs, …) are separate
/// traits, bounds of the kernels that use them, so this file depends on
/// none of the maths.
pub(crate) trait Lane:
    Copy
    + PartialOrd
    + Send
    + Sync
    + 'static
    + std::ops::Add<Output = Self>
    + std::ops::Sub<Output = Self>
    + std::ops::Mul<Output = Self>
    + std::ops::Div<Output = Self>
{
    /// A quiet NaN.
    const NAN: Self;
    /// Negative infinity: the identity of `max`, and the fill that makes a
    /// padded lane vanish from a softmax (`e^-inf = 0`).
    const NEG_INFINITY: Self;
    /// `value` in this type; only used for constants exact in both types.
    fn from_f64(value: f64) -> Self;
    /// Neither infinite nor NaN.
    fn is_finite(self) -> bool;
    /// The value as an index (truncated; NaN and negatives give 0): for
    /// class labels already checked to be indices.
    fn to_index(self) -> usize;
}

impl Lane for f32 {
    const NAN: Self = f32::NAN;
    const NEG_INFINITY: Self = f32::NEG_INFINITY;
    #[inline(always)]
    fn from_f64(value: f64) -> Self {
        value as f32
    }
    #[inline(always)]
    fn is_finite(self) -> bool {
        f32::is_finite(self)
    }
    #[inline(always)]
    fn to_index(self) -> usize {
        self as usize
    }
}

impl Lane for f64 {
    const NAN: Self = f64::NAN;
    const NEG_INFINITY: Self = f64::NEG_INFINITY;
    #[inline(always)]
    fn from_f64(value: f64) -> Self {
        value
    }
    #[inline(always)]
    fn is_finite(self) -> bool {
        f64::is_finite(self)
    }
    #[inline(always)]
    fn to_index(self) -> usize {
        self as usize
    }
}

/// A register of `LANES` values of one [`Lane`] type. All methods are
/// `#[inline(always)]` in the implementations so that a kernel compiles to
/// straight-line vector code inside its `#[target_feature]` function.
pub(crate) trait Vector: Copy {
    /// The element type.
    type Scalar: Lane;
    /// The result of a comparison, one truth value per lane.
    type Mask: Copy;
    /// Values per register.
    const LANES: usize;
    /// Registers per iteration of [`map_in_place`]'s main loop.
    const UNROLL: usize;
    /// Whether [`mul_add`](Vector::mul_add) rounds once (FMA).
    const FUSED: bool;

    /// Every lane set to `value`.
    fn splat(value: Self::Scalar) -> Self;
    /// Loads `xs[..LANES]`; panics if `xs` is shorter.
    fn load(xs: &[Self::Scalar]) -> Self;
    /// Stores into `xs[..LANES]`; panics if `xs` is shorter.
    fn store(self, xs: &mut [Self::Scalar]);

    /// Loads a tail shorter than `LANES` into the low lanes, with `fill` in
    /// the others. The default goes through a buffer; AVX-512 masks.
    #[inline(always)]
    fn load_partial(xs: &[Self::Scalar], fill: Self::Scalar) -> Self {
        let mut buffer = [fill; MAX_LANES];
        buffer[..xs.len()].copy_from_slice(xs);
        Self::load(&buffer)
    }

    /// Stores the low `xs.len() < LANES` lanes into `xs`.
    #[inline(always)]
    fn store_partial(self, xs: &mut [Self::Scalar]) {
        let mut buffer = [Self::Scalar::NAN; MAX_LANES];
        self.store(&mut buffer);
        xs.copy_from_slice(&buffer[..xs.len()]);
    }

    /// `self + rhs`.
    fn add(self, rhs: Self) -> Self;
    /// `self - rhs`.
    fn sub(self, rhs: Self) -> Self;
    /// `self * rhs`.
    fn mul(self, rhs: Self) -> Self;
    /// `self / rhs` within 0.5 ULP plus a few units of 2^-28 (f32) or
    /// 2^-56 (f64) relative, for a normal `rhs` of magnitude below 2^126
    /// and a normal quotient (AVX refines a reciprocal estimate). NaN in
    /// either operand gives NaN.
    fn div(self, rhs: Self) -> Self;
    /// `self / rhs` correctly rounded (the hardware's division, slower
    /// than [`div`](Vector::div) where that refines an estimate).
    fn div_exact(self, rhs: Self) -> Self;
    /// `√self` correctly rounded (`-0` for `-0`, NaN below 0).
    fn sqrt(self) -> Self;
    /// `1 / self` within 2^-27 relative, for a normal `self` of magnitude
    /// below 2^126: a division here, a refined estimate where that is
    /// cheaper (AVX-512 `f64`).
    #[inline(always)]
    fn reciprocal(self) -> Self {
        Self::splat(Self::Scalar::from_f64(1.0)).div(self)
    }
    /// `self * b + c`: one rounding with FMA, two in the portable code.
    fn mul_add(self, b: Self, c: Self) -> Self;
    /// `c - self * b`, rounded like [`mul_add`](Vector::mul_add).
    fn neg_mul_add(self, b: Self, c: Self) -> Self;

    /// `|self|` (clears the sign bit, also of NaN).
    fn abs(self) -> Self;
    /// Sets the sign bit of `self` in the lanes where `sign` has it set.
    fn or_sign(self, sign: Self) -> Self;
    /// `if self < other { self } else { other }`: a NaN `self` gives
    /// `other` (x86's `minps`).
    fn min(self, other: Self) -> Self;
    /// `if self > other { self } else { other }`: a NaN `self` gives
    /// `other` (x86's `maxps`).
    fn max(self, other: Self) -> Self;

    /// `self < other`, false for NaN.
    fn lt(self, other: Self) -> Self::Mask;
    /// `self > other`, false for NaN.
    fn gt(self, other: Self) -> Self::Mask;
    /// `!(self <= other)`: `self > other` or either is NaN.
    fn gt_or_nan(self, other: Self) -> Self::Mask;
    /// `self == other`, false for NaN.
    fn eq(self, other: Self) -> Self::Mask;
    /// `if mask { if_true } else { if_false }`, lane by lane.
    fn select(mask: Self::Mask, if_true: Self, if_false: Self) -> Self;
    /// Whether any lane of `mask` is true.
    fn any(mask: Self::Mask) -> bool;

    /// `self · 2^k` for integral `k` with `|k| ≤ 2 · (exponent bias - 1)`
    /// (±252 for f32, ±2044 for f64): exact, or rounded once where the
    /// result is subnormal, `±inf` where it overflows. NaN in either gives
    /// NaN.
    fn scale_pow2(self, k: Self) -> Self;
    /// `self · 2^k` like [`scale_pow2`](Vector::scale_pow2) in the lanes
    /// of `keep`, `+0` in the others, which are not computed: a product
    /// that underflows costs a microcode assist of about 100 cycles on x86.
    fn scale_pow2_where(self, k: Self, keep: Self::Mask) -> Self;
    /// For a positive normal finite `self`: `(m, k)` with
    /// `self = m · 2^k`, `m ∈ [√½, √2)` and `k` integral.
    fn split_exponent(self) -> (Self, Self);

    /// The sum of the lanes, in an unspecified order.
    fn reduce_add(self) -> Self::Scalar;
    /// The largest lane (no lane may be NaN).
    fn reduce_max(self) -> Self::Scalar;
}

/// The largest [`Vector::UNROLL`].
pub(crate) const MAX_UNROLL: usize = 4;

/// Lanes of the widest register (AVX-512 `f32`): the size of the buffers
/// the default partial loads and stores go through.
pub(crate) const MAX_LANES: usize = 16;

/// `value` in every lane of a `V`.
#[inline(always)]
pub(crate) fn splat<V: Vector>(value: f64) -> V {
    V::splat(V::Scalar::from_f64(value))
}

/// `c[0] + x·(c[1] + x·(c[2] + …))`, by Horner's rule with `mul_add`.
/// The coefficient slices are constants, so the loop unrolls.
#[inline(always)]
pub(crate) fn horner<V: Vector>(x: V, coefficients: &[V::Scalar]) -> V {
    let (&last, rest) = coefficients
        .split_last()
        .expect("a polynomial has at least one coefficient");
    let mut acc = V::splat(last);
    for &c in rest.iter().rev() {
        acc = acc.mul_add(x, V::splat(c));
    }
    acc
}

/// A lane-wise function that [`map_in_place`] runs over a slice.
///
/// A trait with an `#[inline(always)]` method rather than a closure: the
/// kernels are compiled with target features that the intrinsics need,
/// and only `#[inline(always)]` calls are merged into them before the
/// intrinsics are inlined; a closure (or a `fn` item passed as `Fn`) would
/// stay a call to code compiled without those features.
pub(crate) trait Elementwise<V: Vector>: Copy {
    fn apply(self, x: V) -> V;
}

/// How far ahead of the block in hand [`map_in_place`] asks for the data:
/// the hardware prefetcher stops at each 4 KiB page, so without this the
/// first lines of every page arrive late (a slice in L3: 12 % of the 1 M
/// AVX-512 `f32` tanh).
const PREFETCH_DISTANCE: usize = 1024;

/// Asks the cache for the lines `PREFETCH_DISTANCE` bytes after those of
/// `block` (a hint: no effect on the results; none off x86-64).
#[inline(always)]
pub(crate) fn prefetch_ahead<T>(block: &[T]) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        let ahead = block.as_ptr().cast::<i8>().wrapping_add(PREFETCH_DISTANCE);
        for offset in (0..size_of_val(block)).step_by(64) {
            // SAFETY: a prefetch never faults and reads nothing into the
            // program, whatever the address (SSE, which x86-64 always has).
            unsafe { _mm_prefetch::<_MM_HINT_T0>(ahead.wrapping_add(offset)) }
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = block;
}

/// Replaces every value of `xs` by `f` of it, `LANES` at a time: a main
/// loop over `V::UNROLL` vectors (independent dependency chains for the
/// out-of-order core to overlap), single vectors, then one partial vector
/// for the tail (zeros fill the unused lanes, which are never stored).
#[inline(always)]
pub(crate) fn map_in_place<V: Vector>(xs: &mut [V::Scalar], f: impl Elementwise<V>) {
    let mut blocks = xs.chunks_exact_mut(V::UNROLL * V::LANES);
    for block in &mut blocks {
        prefetch_ahead(block);
        // All loads and evaluations first, then the stores: the loads of a
        // block need not wait for its stores.
        let mut results = [V::splat(V::Scalar::from_f64(0.0)); MAX_UNROLL];
        for (result, vector) in results.iter_mut().zip(block.chunks_exact(V::LANES)) {
            *result = f.apply(V::load(vector));
        }
        for (result, vector) in results.iter().zip(block.chunks_exact_mut(V::LANES)) {
            result.store(vector);
        }
    }
    let mut vectors = blocks.into_remainder().chunks_exact_mut(V::LANES);
    for vector in &mut vectors {
        f.apply(V::load(vector)).store(vector);
    }
    let tail = vectors.into_remainder();
    if !tail.is_empty() {
        f.apply(V::load_partial(tail, V::Scalar::from_f64(0.0)))
            .store_partial(tail);
    }
}

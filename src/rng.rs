//! The crate's one deterministic generator, for Glorot initialisation,
//! `fit`'s shuffling and dropout masks.

/// SplitMix64 (Steele, Lea and Flood, 2014): a tiny generator whose output
/// depends only on the seed, so the same seed builds the same network on
/// every machine and every version of this crate.
pub(crate) struct SplitMix64(pub(crate) u64);

/// SplitMix64's increment (the golden ratio in 64 bits).
const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

impl SplitMix64 {
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GAMMA);
        mix(self.0)
    }

    /// Output `index` (from 0) of the generator seeded with `seed`, without
    /// the ones before: the stream is a counter, so any position can be
    /// drawn alone. Dropout draws its mask this way, by position in the
    /// batch, so that row blocks on any number of threads draw the same.
    #[inline]
    pub(crate) fn at(seed: u64, index: u64) -> u64 {
        mix(seed.wrapping_add(index.wrapping_add(1).wrapping_mul(GAMMA)))
    }

    /// Uniform in `[0, 1)` with 53 random bits.
    pub(crate) fn next_unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in `0..n` (`n > 0`), by Lemire's multiply-shift: the high
    /// half of a 64 × 64-bit product, with a bias below `n / 2^64`.
    pub(crate) fn next_below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }
}

/// xoshiro256++ (Blackman and Vigna, 2019): a fast generator for long
/// streams, with no multiplication, so a stream costs a few operations per
/// 64 bits; seeded through SplitMix64 as its authors advise. Dropout draws
/// each row's mask from a stream of its own.
pub(crate) struct Xoshiro256([u64; 4]);

impl Xoshiro256 {
    /// The stream seeded with `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        let mut init = SplitMix64(seed);
        Self([
            init.next_u64(),
            init.next_u64(),
            init.next_u64(),
            init.next_u64(),
        ])
    }

    #[inline]
    pub(crate) fn next_u64(&mut self) -> u64 {
        let s = &mut self.0;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }
}

/// SplitMix64's output function (Stafford's variant 13 of MurmurHash3's
/// finaliser): every input bit affects every output bit.
#[inline]
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_matches_the_reference_sequence() {
        // First outputs for seed 1234567 from the reference C implementation.
        let mut rng = SplitMix64(1234567);
        assert_eq!(rng.next_u64(), 6457827717110365317);
        assert_eq!(rng.next_u64(), 3203168211198807973);
    }

    #[test]
    fn xoshiro_matches_the_reference_sequence() {
        // The reference C code's first output from the state {1, 2, 3, 4}.
        let mut rng = Xoshiro256([1, 2, 3, 4]);
        assert_eq!(rng.next_u64(), 41943041);
        assert_eq!(rng.next_u64(), 58720359);
    }

    #[test]
    fn any_position_of_the_stream_can_be_drawn_alone() {
        let mut rng = SplitMix64(1234567);
        let stream: Vec<u64> = (0..5).map(|_| rng.next_u64()).collect();
        let drawn: Vec<u64> = (0..5).map(|i| SplitMix64::at(1234567, i)).collect();
        assert_eq!(stream, drawn);
    }
}

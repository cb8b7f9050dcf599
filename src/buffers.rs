//! Buffers whose size comes from the caller's batch, allocated fallibly.
//!
//! A batch can be far larger than its memory: a broadcast view repeats one
//! row any number of times, and a wide layer multiplies the rows of a
//! narrow input. Its outputs then need more values than `usize` counts,
//! more bytes than an allocation may have, or more than the system gives.
//! Each of those would panic or abort the process; here it is an
//! [`Error::InvalidParameter`] naming the buffer and its size.

use crate::Error;
use ndarray::Array2;
use num_traits::Zero;

/// `len` zeros, for the buffer named `what` (`len` from [`count`]).
pub(crate) fn zeros<T: Clone + Zero>(what: &'static str, len: usize) -> Result<Vec<T>, Error> {
    let mut values = Vec::new();
    grow(what, &mut values, len)?;
    Ok(values)
}

/// A `(rows, cols)` array of zeros, for the buffer named `what`.
///
/// This is the result of every forward pass, so small ones take the
/// shortest way: `from_shape_simple_fn` (not `Array2::zeros`, whose
/// `calloc` skips the allocator's per-thread cache, which `malloc` takes),
/// 10-30 ns less per call than the checked way on the tutorial's model.
/// A small allocation can fail only when the whole process is out of
/// memory, which aborts elsewhere anyway.
pub(crate) fn zeros2<T: Clone + Zero>(
    what: &'static str,
    (rows, cols): (usize, usize),
) -> Result<Array2<T>, Error> {
    let len = count(what, &[rows, cols])?;
    if len <= SMALL_BYTES / std::mem::size_of::<T>().max(1) {
        return Ok(Array2::from_shape_simple_fn((rows, cols), T::zero));
    }
    let values = zeros(what, len)?;
    Ok(Array2::from_shape_vec((rows, cols), values).expect("one value per element"))
}

/// Arrays up to this size skip the checked allocation in [`zeros2`].
const SMALL_BYTES: usize = 1 << 20;

/// An empty buffer with room for `len` values, for the buffer named `what`,
/// to be filled by pushing: a result written block by block this way is
/// never zeroed first.
pub(crate) fn with_capacity<T>(what: &'static str, len: usize) -> Result<Vec<T>, Error> {
    let mut values = Vec::new();
    values
        .try_reserve_exact(len)
        .map_err(|_| too_large(what, &[len]))?;
    Ok(values)
}

/// Grows `buffer` to `len` values if it is shorter (never shrinks it).
pub(crate) fn grow<T: Clone + Zero>(
    what: &'static str,
    buffer: &mut Vec<T>,
    len: usize,
) -> Result<(), Error> {
    if buffer.len() < len {
        buffer
            .try_reserve_exact(len - buffer.len())
            .map_err(|_| too_large(what, &[len]))?;
        buffer.resize(len, T::zero());
    }
    Ok(())
}

/// The product of `factors`, the number of values of a buffer of that
/// shape, or the error for `what` when it overflows `usize`.
pub(crate) fn count(what: &'static str, factors: &[usize]) -> Result<usize, Error> {
    factors
        .iter()
        .try_fold(1_usize, |product, &factor| product.checked_mul(factor))
        .ok_or_else(|| too_large(what, factors))
}

fn too_large(what: &'static str, factors: &[usize]) -> Error {
    let size = factors
        .iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(" × ");
    Error::InvalidParameter {
        name: what,
        expected: "a batch whose buffers fit in memory",
        found: format!("a buffer of {size} values"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_no_memory_holds_are_errors() {
        let overflow = count("batch", &[usize::MAX, 2]);
        assert!(matches!(
            overflow,
            Err(Error::InvalidParameter { name: "batch", .. })
        ));
        // More bytes than an allocation may have.
        let bytes = zeros2::<f32>("batch", (1 << 62, 1));
        assert!(matches!(bytes, Err(Error::InvalidParameter { .. })));
        let mut buffer = vec![0.0_f64; 3];
        assert!(grow("scratch", &mut buffer, usize::MAX / 2).is_err());
        assert_eq!(buffer.len(), 3);
    }

    #[test]
    fn buffers_hold_zeros_of_the_size_asked() {
        assert_eq!(
            zeros2::<f32>("batch", (2, 3)).unwrap(),
            Array2::<f32>::zeros((2, 3))
        );
        let mut buffer = vec![1.0_f32];
        grow("scratch", &mut buffer, 3).unwrap();
        grow("scratch", &mut buffer, 2).unwrap();
        assert_eq!(buffer, [1.0, 0.0, 0.0]);
        assert_eq!(count("batch", &[4, 5, 6]).unwrap(), 120);
    }
}

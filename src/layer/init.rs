//! Seeded, machine-independent initialisation (Keras's Glorot uniform).

use crate::precision::narrow;
use crate::rng::SplitMix64;
use crate::{Element, Error};
use ndarray::{Array, Dimension, IntoDimension};

/// An array of the given shape drawn from `U(-limit, limit)` with
/// `limit = sqrt(6 / (fan_in + fan_out))`, Keras's `GlorotUniform`.
///
/// # Errors
///
/// [`Error::InvalidParameter`], named `what`, when the array does not fit
/// in memory: more values than `usize` counts, more bytes than an
/// allocation may have, or an allocation the system refuses. (An abort on
/// allocation failure, or a panic on the overflow, would otherwise take
/// the caller's process down for a size read from a configuration.)
pub(crate) fn glorot_uniform<T: Element, D: Dimension>(
    what: &'static str,
    shape: impl IntoDimension<Dim = D>,
    fan_in: usize,
    fan_out: usize,
    seed: u64,
) -> Result<Array<T, D>, Error> {
    let dim = shape.into_dimension();
    let too_large = || Error::InvalidParameter {
        name: what,
        expected: "weights that fit in memory",
        found: format!("{:?} values", dim.slice()),
    };
    let len = dim.size_checked().ok_or_else(too_large)?;
    let mut values = Vec::new();
    values.try_reserve_exact(len).map_err(|_| too_large())?;
    let limit = (6.0 / (fan_in as f64 + fan_out as f64)).sqrt();
    let mut rng = SplitMix64(seed);
    values.extend((0..len).map(|_| narrow::<T>(limit * (2.0 * rng.next_unit() - 1.0))));
    Ok(Array::from_shape_vec(dim, values).expect("one value per element of the shape"))
}

/// `len` copies of `value`, Keras's `Ones`/`Zeros` initialisers, allocated
/// fallibly as [`glorot_uniform`] is (a size read from a file must not
/// abort the process).
pub(crate) fn filled<T: Element>(
    what: &'static str,
    len: usize,
    value: T,
) -> Result<ndarray::Array1<T>, Error> {
    let mut values = crate::buffers::zeros(what, len)?;
    values.iter_mut().for_each(|v| *v = value);
    Ok(ndarray::Array1::from_vec(values))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn glorot_stays_within_its_limit_and_depends_only_on_the_seed() {
        let a: Array2<f64> = glorot_uniform("test", (30, 20), 30, 20, 7).unwrap();
        let b: Array2<f64> = glorot_uniform("test", (30, 20), 30, 20, 7).unwrap();
        let c: Array2<f64> = glorot_uniform("test", (30, 20), 30, 20, 8).unwrap();
        let limit = (6.0_f64 / 50.0).sqrt();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(a.iter().all(|w| w.abs() < limit));
        let mean = a.mean().unwrap();
        assert!(mean.abs() < 0.05, "mean {mean}");
        assert!(a.iter().any(|&w| w > 0.8 * limit) && a.iter().any(|&w| w < -0.8 * limit));
    }

    #[test]
    fn glorot_refuses_arrays_no_memory_holds() {
        // 2^80 values overflow `usize`; 2^42 f32 values (16 TiB) are
        // refused by the allocator rather than aborting the process.
        for shape in [(1 << 40, 1 << 40), (1 << 40, 4)] {
            let result = glorot_uniform::<f32, _>("Dense inputs × units", shape, 1, 1, 0);
            assert!(
                matches!(
                    result,
                    Err(Error::InvalidParameter {
                        name: "Dense inputs × units",
                        ..
                    })
                ),
                "{shape:?}: {result:?}"
            );
        }
    }
}

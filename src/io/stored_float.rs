//! Floats as a file stores them (IEEE float32 or float64, in either byte
//! order) decoded into the model's element type: the one rule of the
//! readers that may convert (`.npz`, Keras's HDF5), and the one decoder of
//! every reader (safetensors too, whose files hold `T` itself).
//!
//! Float32 into `f32` or wider and float64 into `f64` are exact; float64
//! into `f32` rounds to nearest, as NumPy's `astype(np.float32)` does. A
//! finite stored value too large for `T` is an error rather than an
//! infinity; an infinity or a NaN stored is a value, kept as it is.
//!
//! Speed (docs/performance.md, "load_keras"): a whole slice is converted
//! into a vector of the exact size (an iterator `collect` of the same ran
//! value by value, 3× slower), and the range is checked only when `T` is
//! narrower than the stored type, by a second pass over the values.

use crate::Element;
use crate::error::{Error, format_error};
use crate::io::dtype_name;
use crate::precision::{cast, narrow, widen};

/// The order of a stored value's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ByteOrder {
    Little,
    Big,
}

/// The IEEE type of stored values, with their byte order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StoredFloat {
    F32(ByteOrder),
    F64(ByteOrder),
}

impl StoredFloat {
    /// Bytes per value.
    pub(crate) fn width(self) -> usize {
        match self {
            Self::F32(_) => 4,
            Self::F64(_) => 8,
        }
    }

    /// The values stored in `bytes`, in `T` (a trailing part of a value is
    /// ignored: callers check the length against the shape first).
    ///
    /// # Errors
    ///
    /// [`Error::Format`] naming the first finite value too large for `T`,
    /// `what` naming the array.
    pub(crate) fn decode<T: Element>(self, bytes: &[u8], what: &str) -> Result<Vec<T>, Error> {
        let mut values = Vec::with_capacity(bytes.len() / self.width());
        self.extend(bytes, &mut values);
        match self.first_overflow(bytes, &values) {
            None => Ok(values),
            Some((i, stored)) => Err(format_error(
                &format!("{what} value {i}"),
                &format!("a value within the range of {}", dtype_name::<T>()),
                format!("{stored:e}"),
            )),
        }
    }

    /// Appends the values stored in `bytes` to `values`, each converted to
    /// `T` by one rounding, without the range check (an overflow becomes an
    /// infinity): the one decoder, monomorphised for each type and byte
    /// order. For readers whose `T` is the stored type, and [`decode`](Self::decode).
    pub(crate) fn extend<T: Element>(self, bytes: &[u8], values: &mut Vec<T>) {
        use ByteOrder::{Big, Little};
        match self {
            Self::F32(Little) => extend_with(bytes, values, f32::from_le_bytes, cast::<f32, T>),
            Self::F32(Big) => extend_with(bytes, values, f32::from_be_bytes, cast::<f32, T>),
            Self::F64(Little) => extend_with(bytes, values, f64::from_le_bytes, narrow::<T>),
            Self::F64(Big) => extend_with(bytes, values, f64::from_be_bytes, narrow::<T>),
        }
    }

    /// The position and stored value of the first value of `values` (decoded
    /// from `bytes`) that is infinite in `T` but finite as stored. Only a
    /// type narrower than the stored one can overflow: wider types skip the
    /// scan.
    fn first_overflow<T: Element>(self, bytes: &[u8], values: &[T]) -> Option<(usize, f64)> {
        let stored_max = match self {
            Self::F32(_) => f64::from(f32::MAX),
            Self::F64(_) => f64::MAX,
        };
        if widen(T::max_value()) >= stored_max {
            return None;
        }
        values
            .iter()
            .enumerate()
            .filter(|(_, value)| !value.is_finite())
            .find_map(|(i, _)| {
                let stored = self.stored_value(bytes, i)?;
                stored.is_finite().then_some((i, stored))
            })
    }

    /// The `i`-th value stored in `bytes`, widened exactly to `f64` by the
    /// same decoder.
    fn stored_value(self, bytes: &[u8], i: usize) -> Option<f64> {
        let one = bytes.chunks_exact(self.width()).nth(i)?;
        let mut wide = Vec::with_capacity(1);
        self.extend::<f64>(one, &mut wide);
        wide.pop()
    }
}

/// Appends `convert(read(chunk))` for each `N`-byte chunk of `bytes`.
fn extend_with<const N: usize, S, T>(
    bytes: &[u8],
    values: &mut Vec<T>,
    read: impl Fn([u8; N]) -> S,
    convert: impl Fn(S) -> T,
) {
    let (chunks, _) = bytes.as_chunks::<N>();
    values.extend(chunks.iter().map(|&chunk| convert(read(chunk))));
}

#[cfg(test)]
mod tests {
    use super::*;
    use ByteOrder::{Big, Little};

    #[test]
    fn both_byte_orders_decode_the_same_values() {
        let values = [1.5_f64, -0.1, f64::INFINITY, 3e38];
        let le: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        let be: Vec<u8> = values.iter().flat_map(|v| v.to_be_bytes()).collect();
        let from_le = StoredFloat::F64(Little).decode::<f64>(&le, "a").unwrap();
        let from_be = StoredFloat::F64(Big).decode::<f64>(&be, "a").unwrap();
        assert_eq!(from_le, values);
        assert_eq!(from_be, values);
        let narrowed = StoredFloat::F64(Big).decode::<f32>(&be, "a").unwrap();
        assert_eq!(narrowed, values.map(|v| v as f32));
    }

    #[test]
    fn float32_widens_exactly() {
        let values = [
            0.1_f32,
            f32::MAX,
            f32::MIN_POSITIVE / 4.0,
            f32::NEG_INFINITY,
        ];
        let be: Vec<u8> = values.iter().flat_map(|v| v.to_be_bytes()).collect();
        let wide = StoredFloat::F32(Big).decode::<f64>(&be, "a").unwrap();
        assert_eq!(wide, values.map(f64::from));
    }

    #[test]
    fn the_first_finite_value_too_large_is_named_with_its_stored_value() {
        let values = [f64::NAN, f64::INFINITY, 1.0, -1e300, 1e300];
        let le: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        match StoredFloat::F64(Little).decode::<f32>(&le, "w") {
            Err(Error::Format { what, found, .. }) => {
                assert_eq!((what.as_str(), found.as_str()), ("w value 3", "-1e300"));
            }
            other => panic!("expected a format error, got {other:?}"),
        }
    }

    #[test]
    fn half_types_are_range_checked_from_float32() {
        let values = [1.0_f32, 70_000.0];
        let le: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        let result = StoredFloat::F32(Little).decode::<half::f16>(&le, "h");
        assert!(matches!(result, Err(Error::Format { .. })), "{result:?}");
        let fits = StoredFloat::F32(Little)
            .decode::<half::bf16>(&le, "h")
            .unwrap();
        assert_eq!(fits[1], half::bf16::from_f32(70_000.0));
    }
}

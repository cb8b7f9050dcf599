//! Recognising `f32` and `f64` (and with the `half` feature `half::f16`
//! and `half::bf16`) among generic float types, for the callers of the
//! kernels: `Activation<T>` and the layers are implemented for every
//! `T: Float`, and only these types have kernels.

use super::{Kernels, f32_kernels, f64_kernels};
use num_traits::Float;

/// The kernels for a generic `T` on this CPU, if it is `f32` or `f64`
/// (recognised as in [`native`]).
pub(crate) fn for_type<'a, T: Float>() -> Option<&'a Kernels<T>> {
    let id = typeid::of::<T>();
    let kernels: *const Kernels<T> = if id == typeid::of::<f32>() {
        std::ptr::from_ref(f32_kernels()).cast()
    } else if id == typeid::of::<f64>() {
        std::ptr::from_ref(f64_kernels()).cast()
    } else {
        return None;
    };
    // SAFETY: `T` is the element type of the kernels cast (equal
    // `TypeId`s, and neither `f32` nor `f64` has a lifetime that could have
    // been erased), so this only renames the type of a reference to a
    // static.
    Some(unsafe { &*kernels })
}

/// A slice of a generic float type, seen as what it is: `f32` and `f64`
/// have kernels, any other type takes the scalar path.
pub(crate) enum Native<'a, T> {
    F32(&'a mut [f32]),
    F64(&'a mut [f64]),
    /// `half::f16` or `half::bf16`: the `f32` kernels on widened blocks.
    #[cfg(feature = "half")]
    Half(super::half::HalfSlice<'a>),
    Other(&'a mut [T]),
}

/// Recognises `f32` and `f64` slices. `Activation<T>` is implemented for
/// every `T: Float` without a `'static` bound, so the type test uses
/// `typeid`, which gives the `TypeId` of non-`'static` types.
pub(crate) fn native<T: Float>(xs: &mut [T]) -> Native<'_, T> {
    let id = typeid::of::<T>();
    if id == typeid::of::<f32>() {
        let xs = xs as *mut [T] as *mut [f32];
        // SAFETY: `T` is `f32` (equal `TypeId`s, and `f32` has no lifetime
        // that could have been erased), so this only renames the type of a
        // slice we borrow mutably for the same lifetime.
        Native::F32(unsafe { &mut *xs })
    } else if id == typeid::of::<f64>() {
        let xs = xs as *mut [T] as *mut [f64];
        // SAFETY: as above, `T` is `f64`.
        Native::F64(unsafe { &mut *xs })
    } else {
        #[cfg(feature = "half")]
        let xs = match super::half::half_slice(xs) {
            Ok(xs) => return Native::Half(xs),
            Err(xs) => xs,
        };
        Native::Other(xs)
    }
}

use super::*;

// ---------------------------------------------------------------------------
// Values

/// `value` in `T` (every value drawn here is representable).
pub(crate) fn cast<T: Float>(value: f64) -> T {
    T::from(value).expect("a value every float type represents")
}

/// The values that break arithmetic: NaN, infinities, subnormals, the
/// largest finite values.
pub(crate) fn special<T: neurite::Element>() -> impl Strategy<Value = T> + Clone {
    let smallest_subnormal = T::min_positive_value() * T::epsilon();
    select(vec![
        T::nan(),
        -T::nan(),
        T::infinity(),
        T::neg_infinity(),
        smallest_subnormal,
        -smallest_subnormal,
        T::min_positive_value() / cast(3.0),
        T::max_value(),
        T::min_value(),
    ])
}

/// A float: mostly ordinary, one in `1 + 10 / special_weight` special.
pub(crate) fn value<T: neurite::Element>(special_weight: u32) -> BoxedStrategy<T> {
    prop_oneof![
        8 => (-3.0..3.0_f64).prop_map(cast),
        1 => (-1e6..1e6_f64).prop_map(cast),
        1 => select(vec![T::zero(), -T::zero()]),
        special_weight => special::<T>(),
    ]
    .boxed()
}

/// A label in `[0, 1]`.
pub(crate) fn valid_label<T: neurite::Element>() -> BoxedStrategy<T> {
    prop_oneof![
        3 => (0.0..=1.0_f64).prop_map(cast),
        1 => select(vec![T::zero(), T::one()]),
    ]
    .boxed()
}

/// A label: mostly in `[0, 1]`, sometimes outside, NaN or infinite.
pub(crate) fn label<T: neurite::Element>() -> BoxedStrategy<T> {
    prop_oneof![8 => valid_label::<T>(), 1 => value::<T>(2)].boxed()
}

/// An optimizer hyper-parameter: mostly in `[0, 1)`, sometimes one of the
/// values every check must refuse or accept at its edge.
pub(crate) fn hyper_parameter() -> impl Strategy<Value = f64> {
    prop_oneof![
        6 => 0.0..1.0_f64,
        1 => select(vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            2.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
        ]),
    ]
}

/// A width for a layer or batch: sometimes 0.
pub(crate) fn width() -> impl Strategy<Value = usize> {
    prop_oneof![1 => Just(0_usize), 24 => 1..=4_usize]
}

/// `expected` most of the time, else any small width (a mismatch on purpose).
pub(crate) fn mostly(expected: usize) -> impl Strategy<Value = usize> {
    prop_oneof![19 => Just(expected), 1 => 0..=5_usize]
}

pub(crate) fn array<T: neurite::Element, D: Dimension + 'static>(
    shape: D,
    values: BoxedStrategy<T>,
) -> impl Strategy<Value = Array<T, D>> {
    vec(values, shape.size()).prop_map(move |values| {
        Array::from_shape_vec(shape.clone(), values).expect("as many values as the shape holds")
    })
}

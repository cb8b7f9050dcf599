//! A layer's weights as arrays, in and out, through its visitors: the
//! defaults of [`Layer::weights`] and [`Layer::set_weights`], and the check
//! of a list of arrays that models share.

use super::Layer;
use crate::{Element, Error};
use ndarray::{ArrayD, IxDyn};

/// Copies of the layer's weight arrays, of its
/// [`weight_shapes`](Layer::weight_shapes).
pub(super) fn copies<T: Element>(layer: &(impl Layer<T> + ?Sized)) -> Vec<ArrayD<T>> {
    let mut shapes = layer.weight_shapes().into_iter();
    let mut arrays = Vec::new();
    layer.visit_weights(&mut |values| {
        let shape = shapes.next().unwrap_or_else(|| vec![values.len()]);
        let array = ArrayD::from_shape_vec(IxDyn(&shape), values.to_vec())
            .expect("a layer's weight_shapes agree with visit_weights");
        arrays.push(array);
    });
    arrays
}

/// The sizes of the layer's trainable arrays added up: the default of
/// [`Layer::trainable_param_count`].
pub(super) fn trainable_count<T: Element>(layer: &(impl Layer<T> + ?Sized)) -> usize {
    let shapes = layer.weight_shapes();
    let trainable = &shapes[..layer.trainable_weight_arrays().min(shapes.len())];
    trainable
        .iter()
        .map(|shape| shape.iter().product::<usize>())
        .sum()
}

/// Replaces the layer's weights by `weights`, once checked against its
/// [`weight_shapes`](Layer::weight_shapes); nothing changes on error.
pub(super) fn assign<T: Element>(
    layer: &mut (impl Layer<T> + ?Sized),
    weights: &[ArrayD<T>],
) -> Result<(), Error> {
    check_weights(layer.class_name(), &layer.weight_shapes(), weights)?;
    let mut sources = weights.iter();
    layer.visit_weights_mut(&mut |target| {
        if let Some(source) = sources.next() {
            match source.as_slice() {
                // The usual row-major array: one copy, not a value at a
                // time through ndarray's n-dimensional iterator (most of
                // `load_npz` and `load_weights` was that iterator).
                Some(values) => target.copy_from_slice(values),
                None => target
                    .iter_mut()
                    .zip(source.iter())
                    .for_each(|(t, &s)| *t = s),
            }
        }
    });
    Ok(())
}

/// Checks a list of weight arrays against the shapes a layer or model
/// takes: first their number, then each shape.
pub(crate) fn check_weights<T: Element>(
    what: &str,
    shapes: &[Vec<usize>],
    weights: &[ArrayD<T>],
) -> Result<(), Error> {
    if shapes.len() != weights.len() {
        return Err(Error::WeightCountMismatch {
            what: what.to_owned(),
            expected: shapes.len(),
            found: weights.len(),
        });
    }
    for (i, (shape, array)) in shapes.iter().zip(weights).enumerate() {
        if array.shape() != shape.as_slice() {
            crate::error::check_shape(&format!("{what} weight {i}"), shape, array.shape())?;
        }
    }
    Ok(())
}

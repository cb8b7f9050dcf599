//! The maxout layer.

use super::Layer;
use super::affine::{affine_backward, affine_into, row_major};
use super::checks::{check_backward, check_buffer, check_io, check_rows, row_major_views};
use super::init::glorot_uniform;
use crate::error::{Error, check_positive, check_shape};
use crate::kernels::{is_tiny_on_slices, tiny_dot};
use crate::{Element, buffers};
use ndarray::{Array2, Array3, ArrayView2, ArrayViewMut2, Axis, Zip, s};
use std::ops::Range;

/// A maxout layer (Goodfellow et al., 2013): `k` affine pieces and, per
/// unit, the largest of them:
/// `y_j = max_i (x · W_i[:, j] + b_i[j])`.
///
/// With `k = 2` and one unit this is the tutorial's
/// `max(w1ᵀx + b1, w2ᵀx + b2)`. Kernels are `(k, inputs, units)` and
/// biases `(k, units)`, so the layer has `k · (inputs · units + units)`
/// parameters. Maxout needs no activation after the max (it learns its
/// own piecewise-linear one). A NaN in any piece makes that output NaN.
///
/// # Example
///
/// ```
/// use ndarray::array;
/// use neurite::{Layer, Maxout};
///
/// // Two pieces over one input: max(x, -x) = |x|.
/// let maxout = Maxout::new(array![[[1.0_f64]], [[-1.0]]], array![[0.0], [0.0]])?;
/// assert_eq!(maxout.param_count(), 4);
/// let y = maxout.forward(array![[-3.0], [2.0]].view())?;
/// assert_eq!(y, array![[3.0], [2.0]]);
/// # Ok::<(), neurite::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Maxout<T> {
    kernels: Array3<T>,
    biases: Array2<T>,
}

impl<T: Element> Maxout<T> {
    /// A layer from kernels `(k, inputs, units)` and biases `(k, units)`.
    ///
    /// # Errors
    ///
    /// [`Error::ShapeMismatch`] when the biases are not `(k, units)`;
    /// [`Error::InvalidParameter`] when `k`, `inputs` or `units` is 0.
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::{Array2, Array3};
    /// use neurite::Maxout;
    ///
    /// let ok = Maxout::new(Array3::<f32>::zeros((2, 3, 4)), Array2::zeros((2, 4)));
    /// assert!(ok.is_ok());
    /// let bad = Maxout::new(Array3::<f32>::zeros((2, 3, 4)), Array2::zeros((3, 4)));
    /// assert!(bad.is_err());
    /// ```
    pub fn new(kernels: Array3<T>, biases: Array2<T>) -> Result<Self, Error> {
        let (pieces, inputs, units) = kernels.dim();
        check_positive("Maxout pieces", pieces)?;
        check_positive("Maxout inputs", inputs)?;
        check_positive("Maxout units", units)?;
        check_shape("Maxout biases", &[pieces, units], biases.shape())?;
        // Row-major storage, whatever the caller's layout: training hands
        // the weights to optimizers as flat slices in Keras's order.
        Ok(Self {
            kernels: row_major(kernels),
            biases: row_major(biases),
        })
    }

    /// An untrained layer: every piece's kernel drawn from Glorot's uniform
    /// distribution `U(±sqrt(6 / (inputs + units)))`, biases zero,
    /// reproducibly from `seed`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] when `pieces`, `inputs` or `units` is 0,
    /// or when the kernels do not fit in memory.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::{Layer, Maxout};
    ///
    /// let layer = Maxout::<f64>::glorot(2, 2, 1, 7)?;
    /// assert_eq!(layer.param_count(), 2 * (2 * 1 + 1));
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn glorot(pieces: usize, inputs: usize, units: usize, seed: u64) -> Result<Self, Error> {
        check_positive("Maxout pieces", pieces)?;
        check_positive("Maxout inputs", inputs)?;
        check_positive("Maxout units", units)?;
        let shape = (pieces, inputs, units);
        let kernels = glorot_uniform("Maxout pieces × inputs × units", shape, inputs, units, seed)?;
        Self::new(kernels, Array2::zeros((pieces, units)))
    }

    /// The kernels, `(k, inputs, units)`.
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::{Array2, Array3};
    /// use neurite::Maxout;
    ///
    /// let layer = Maxout::new(Array3::<f32>::ones((2, 3, 4)), Array2::zeros((2, 4)))?;
    /// assert_eq!(layer.kernels().dim(), (2, 3, 4));
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn kernels(&self) -> &Array3<T> {
        &self.kernels
    }

    /// The biases, `(k, units)`.
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::{Array2, Array3};
    /// use neurite::Maxout;
    ///
    /// let layer = Maxout::new(Array3::<f32>::ones((2, 3, 4)), Array2::zeros((2, 4)))?;
    /// assert_eq!(layer.biases().dim(), (2, 4));
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn biases(&self) -> &Array2<T> {
        &self.biases
    }

    /// The number of pieces `k`.
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::{Array2, Array3};
    /// use neurite::Maxout;
    ///
    /// let layer = Maxout::new(Array3::<f32>::ones((3, 1, 1)), Array2::zeros((3, 1)))?;
    /// assert_eq!(layer.pieces(), 3);
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn pieces(&self) -> usize {
        self.kernels.len_of(Axis(0))
    }

    /// Every piece's pre-activations, `(k, batch, units)`, and for each
    /// output the index of the winning piece (the first one on ties).
    ///
    /// # Errors
    ///
    /// [`Error::WidthMismatch`] when `x` does not have `inputs` columns,
    /// [`Error::InvalidParameter`] when the pieces do not fit in memory.
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::array;
    /// use neurite::Maxout;
    ///
    /// let maxout = Maxout::new(array![[[1.0_f64]], [[-1.0]]], array![[0.0], [0.0]])?;
    /// let (pieces, winners) = maxout.pieces_and_winners(array![[-3.0]].view())?;
    /// assert_eq!(pieces, array![[[-3.0]], [[3.0]]]);
    /// assert_eq!(winners, array![[1]]);
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn pieces_and_winners(
        &self,
        x: ArrayView2<'_, T>,
    ) -> Result<(Array3<T>, Array2<usize>), Error> {
        crate::error::check_width("Maxout", self.input_width(), x.ncols())?;
        let (pieces, _, units) = self.kernels.dim();
        let shape = [pieces, x.nrows(), units];
        let values = buffers::zeros("Maxout pieces", buffers::count("Maxout pieces", &shape)?)?;
        let mut all = Array3::from_shape_vec(shape, values).expect("one value per element");
        for (i, mut piece) in all.outer_iter_mut().enumerate() {
            self.piece_into(i, x, piece.view_mut())?;
        }
        let mut winners = buffers::zeros2("Maxout winners", (x.nrows(), units))?;
        Zip::indexed(&mut winners).for_each(|(row, unit), winner| {
            let values = all.slice(s![.., row, unit]);
            *winner = (1..pieces).fold(0, |best, i| {
                if beats(values[i], values[best]) {
                    i
                } else {
                    best
                }
            });
        });
        Ok((all, winners))
    }

    /// Writes piece `i`'s pre-activations `x · W_i + b_i` into `out`.
    fn piece_into(
        &self,
        i: usize,
        x: ArrayView2<'_, T>,
        out: ArrayViewMut2<'_, T>,
    ) -> Result<(), Error> {
        crate::error::check_width("Maxout", self.input_width(), x.ncols())?;
        let kernel = self.kernels.index_axis(Axis(0), i);
        affine_into(x, kernel, self.biases.row(i), out);
        Ok(())
    }

    /// The max over pieces of the units in `columns`, for the rows of `x`,
    /// into `best`; `scratch` holds one piece's tile at a time.
    fn max_of_pieces_into(
        &self,
        x: ArrayView2<'_, T>,
        columns: Range<usize>,
        mut best: ArrayViewMut2<'_, T>,
        scratch: &mut [T; TILE],
    ) {
        let piece_tile = |i: usize, out: ArrayViewMut2<'_, T>| {
            let kernel = self.kernels.slice(s![i, .., columns.clone()]);
            affine_into(x, kernel, self.biases.slice(s![i, columns.clone()]), out);
        };
        piece_tile(0, best.view_mut());
        let len = best.len();
        for i in 1..self.pieces() {
            let mut piece = ArrayViewMut2::from_shape(best.raw_dim(), &mut scratch[..len])
                .expect("a tile holds at most TILE values");
            piece_tile(i, piece.view_mut());
            Zip::from(&mut best).and(&piece).for_each(|best, &z| {
                if beats(z, *best) {
                    *best = z;
                }
            });
        }
    }

    /// Unit `j`'s output for the input row `x_row`: each piece's bias plus
    /// its dot product, the first largest (or NaN) winning.
    fn max_of_tiny_pieces(&self, x_row: &[T], j: usize) -> T {
        let (_, inputs, units) = self.kernels.dim();
        let kernels = self.kernels.as_slice().expect(ROW_MAJOR);
        let biases = self.biases.as_slice().expect(ROW_MAJOR);
        let piece = |i: usize| {
            let kernel = &kernels[i * inputs * units..(i + 1) * inputs * units];
            biases[i * units + j] + tiny_dot(x_row, kernel, units, j)
        };
        (1..self.pieces())
            .map(piece)
            .fold(piece(0), |max, z| if beats(z, max) { z } else { max })
    }
}

/// Outputs per tile of the forward pass (16 KiB of stack for `f64`).
const TILE: usize = 2048;

/// Whether `candidate` replaces `best` as the max: larger, or NaN (a NaN
/// piece makes the output NaN, as `numpy.max` does).
fn beats<T: Element>(candidate: T, best: T) -> bool {
    candidate > best || (candidate.is_nan() && !best.is_nan())
}

impl<T: Element> Layer<T> for Maxout<T> {
    fn input_width(&self) -> usize {
        self.kernels.len_of(Axis(1))
    }

    fn output_width(&self) -> usize {
        self.kernels.len_of(Axis(2))
    }

    fn param_count(&self) -> usize {
        self.kernels.len() + self.biases.len()
    }

    fn trainable_param_count(&self) -> usize {
        Layer::<T>::param_count(self)
    }

    fn trainable_weight_arrays(&self) -> usize {
        2
    }

    fn class_name(&self) -> &'static str {
        "Maxout"
    }

    fn spec(&self) -> Option<super::spec::LayerSpec> {
        Some(super::spec::LayerSpec::Maxout {
            inputs: self.input_width(),
            units: self.output_width(),
            pieces: self.pieces(),
        })
    }

    fn pre_activation_into(
        &self,
        x: ArrayView2<'_, T>,
        mut out: ArrayViewMut2<'_, T>,
    ) -> Result<(), Error> {
        check_io(self, &x, &out)?;
        // Tiles of at most TILE outputs: the running max lives in `out`, the
        // next piece in a stack buffer, so the forward pass allocates nothing.
        let units = self.output_width();
        let tile_units = units.min(TILE);
        let tile_rows = (TILE / tile_units).max(1);
        let mut scratch = [T::zero(); TILE];
        for (x_rows, mut out_rows) in x
            .axis_chunks_iter(Axis(0), tile_rows)
            .zip(out.axis_chunks_iter_mut(Axis(0), tile_rows))
        {
            for (c, best) in out_rows
                .axis_chunks_iter_mut(Axis(1), tile_units)
                .enumerate()
            {
                let columns = c * tile_units..c * tile_units + best.ncols();
                self.max_of_pieces_into(x_rows, columns, best, &mut scratch);
            }
        }
        Ok(())
    }

    /// Tiny products run on the slices, without views or scratch: each
    /// output is the max of its pieces, every piece summed as the tiny
    /// matrix products of [`forward_into`](Layer::forward_into) sum it.
    fn forward_row_major(&self, rows: usize, x: &[T], out: &mut [T]) -> Result<(), Error> {
        let (_, inputs, units) = self.kernels.dim();
        if !is_tiny_on_slices::<T>(rows, inputs, units) {
            let (x, out) = row_major_views(self, rows, x, out)?;
            return self.forward_into(x, out);
        }
        check_rows(self, rows, x, out)?;
        for (x_row, out_row) in x.chunks_exact(inputs).zip(out.chunks_exact_mut(units)) {
            for (j, max) in out_row.iter_mut().enumerate() {
                *max = self.max_of_tiny_pieces(x_row, j);
            }
        }
        Ok(())
    }

    fn weight_shapes(&self) -> Vec<Vec<usize>> {
        vec![self.kernels.shape().to_vec(), self.biases.shape().to_vec()]
    }

    fn visit_weights(&self, f: &mut dyn FnMut(&[T])) {
        f(self.kernels.as_slice().expect(ROW_MAJOR));
        f(self.biases.as_slice().expect(ROW_MAJOR));
    }

    fn visit_weights_mut(&mut self, f: &mut dyn FnMut(&mut [T])) {
        f(self.kernels.as_slice_mut().expect(ROW_MAJOR));
        f(self.biases.as_slice_mut().expect(ROW_MAJOR));
    }

    /// Every piece's pre-activations, piece after piece: `k · units`.
    fn trace_width(&self) -> usize {
        self.kernels.len_of(Axis(0)) * self.output_width()
    }

    /// Keeps every piece's value in `trace` (columns `i·units ..
    /// (i+1)·units` for piece `i`) so that the backward pass knows the
    /// winners; `pre` and `out` both get the max.
    fn forward_train(
        &self,
        x: ArrayView2<'_, T>,
        mut pre: ArrayViewMut2<'_, T>,
        mut trace: ArrayViewMut2<'_, T>,
        mut out: ArrayViewMut2<'_, T>,
    ) -> Result<(), Error> {
        check_io(self, &x, &pre)?;
        let (rows, units) = (x.nrows(), self.output_width());
        check_buffer(self, "trace", [rows, self.trace_width()], trace.shape())?;
        check_buffer(self, "output", [rows, units], out.shape())?;
        for i in 0..self.pieces() {
            self.piece_into(i, x, trace.slice_mut(s![.., i * units..(i + 1) * units]))?;
        }
        for (mut max, values) in pre.rows_mut().into_iter().zip(trace.rows()) {
            for (j, max) in max.iter_mut().enumerate() {
                *max = values[winner(values, self.pieces(), units, j) * units + j];
            }
        }
        out.assign(&pre);
        Ok(())
    }

    /// The winning piece of each output takes its whole gradient (the
    /// first piece on ties, as in the forward pass); the others get none.
    fn backward_affine(
        &self,
        x: ArrayView2<'_, T>,
        mut trace: ArrayViewMut2<'_, T>,
        grad_pre: ArrayView2<'_, T>,
        weight_grads: &mut [T],
        mut grad_input: Option<ArrayViewMut2<'_, T>>,
    ) -> Result<(), Error> {
        check_backward(self, &x, &grad_pre, weight_grads, grad_input.as_ref())?;
        check_buffer(
            self,
            "trace",
            [x.nrows(), self.trace_width()],
            trace.shape(),
        )?;
        let (pieces, inputs, units) = self.kernels.dim();
        route_to_winners(trace.view_mut(), grad_pre, pieces, units);
        let (kernel_grads, bias_grads) = weight_grads.split_at_mut(self.kernels.len());
        let per_piece = kernel_grads
            .chunks_mut(inputs * units)
            .zip(bias_grads.chunks_mut(units));
        for (i, (kernel_grad, bias_grad)) in per_piece.enumerate() {
            affine_backward(
                x,
                self.kernels.index_axis(Axis(0), i),
                trace.slice(s![.., i * units..(i + 1) * units]),
                kernel_grad,
                bias_grad,
                grad_input.as_mut().map(|grad| (grad, i > 0)),
            );
        }
        Ok(())
    }
}

/// Why the weights' `as_slice` cannot fail: `new` stores them row-major.
const ROW_MAJOR: &str = "Maxout keeps its weights in row-major order";

/// The winning piece of unit `j` in a row of piece values laid out piece
/// after piece (`values[i · units + j]`): the first largest, or the first
/// NaN.
fn winner<T: Element>(
    values: ndarray::ArrayView1<'_, T>,
    pieces: usize,
    units: usize,
    j: usize,
) -> usize {
    (1..pieces).fold(0, |best, i| {
        if beats(values[i * units + j], values[best * units + j]) {
            i
        } else {
            best
        }
    })
}

/// Replaces every piece value in `trace` by that piece's share of the
/// gradient: all of `grad`'s value for the winner, zero for the others.
fn route_to_winners<T: Element>(
    mut trace: ArrayViewMut2<'_, T>,
    grad: ArrayView2<'_, T>,
    pieces: usize,
    units: usize,
) {
    for (mut values, grad) in trace.rows_mut().into_iter().zip(grad.rows()) {
        for (j, &g) in grad.iter().enumerate() {
            let best = winner(values.view(), pieces, units, j);
            for i in 0..pieces {
                values[i * units + j] = if i == best { g } else { T::zero() };
            }
        }
    }
}

//! The maxout layer.

use super::{Layer, affine_into, check_io, init::glorot_uniform};
use crate::Element;
use crate::error::{Error, check_positive, check_shape};
use ndarray::{Array2, Array3, ArrayView2, ArrayViewMut2, Axis, Zip, s};

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
        Ok(Self { kernels, biases })
    }

    /// An untrained layer: every piece's kernel drawn from Glorot's uniform
    /// distribution `U(±sqrt(6 / (inputs + units)))`, biases zero,
    /// reproducibly from `seed`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] when `pieces`, `inputs` or `units` is 0.
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
        let kernels = glorot_uniform((pieces, inputs, units), inputs, units, seed);
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
    /// [`Error::WidthMismatch`] when `x` does not have `inputs` columns.
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
        let (pieces, _, units) = self.kernels.dim();
        let mut all = Array3::zeros((pieces, x.nrows(), units));
        for (i, mut piece) in all.outer_iter_mut().enumerate() {
            self.piece_into(i, x, piece.view_mut())?;
        }
        let mut winners = Array2::zeros((x.nrows(), units));
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
}

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

    fn class_name(&self) -> &'static str {
        "Maxout"
    }

    fn activation_name(&self) -> &'static str {
        "linear"
    }

    fn pre_activation_into(
        &self,
        x: ArrayView2<'_, T>,
        mut out: ArrayViewMut2<'_, T>,
    ) -> Result<(), Error> {
        check_io(self, &x, &out)?;
        self.piece_into(0, x, out.view_mut())?;
        let mut piece = Array2::zeros(out.raw_dim());
        for i in 1..self.pieces() {
            self.piece_into(i, x, piece.view_mut())?;
            Zip::from(&mut out).and(&piece).for_each(|best, &z| {
                if beats(z, *best) {
                    *best = z;
                }
            });
        }
        Ok(())
    }

    fn activate(&self, _pre_activations: ArrayViewMut2<'_, T>) {}
}

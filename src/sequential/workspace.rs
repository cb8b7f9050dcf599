//! Inference without allocation: buffers reused from one forward pass to
//! the next.

use super::Sequential;
use crate::Element;
use crate::buffers;
use crate::error::Error;
use ndarray::{ArrayBase, ArrayView2, Data, Ix2};

/// Two buffers that [`Sequential::forward_with`] writes layer outputs into,
/// alternately: each layer reads the buffer the previous one wrote and
/// writes the other. Once they have grown to the largest batch a model
/// sees, the crate allocates nothing in a forward pass. (Matrix products
/// above a few thousand multiply-adds run in the `gemm` crate, which
/// allocates its small packing buffers per product: one or two short-lived
/// blocks, nothing against the product's cost.)
///
/// A workspace is not tied to a model; one per thread is enough.
///
/// # Example
///
/// ```
/// use ndarray::array;
/// use neurite::{Dense, Relu, Sequential, Workspace};
///
/// let mut model = Sequential::<f32>::new();
/// model.add(Dense::glorot(2, 8, Relu, 0)?)?.add(Dense::glorot(8, 1, Relu, 1)?)?;
/// let mut workspace = Workspace::new();
/// for _ in 0..3 {
///     let y = model.forward_with(&array![[1.0, 2.0]], &mut workspace)?;
///     assert_eq!(y.dim(), (1, 1));
/// }
/// # Ok::<(), neurite::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Workspace<T> {
    /// Holds the output of the layer that ran last.
    front: Vec<T>,
    /// Receives the output of the layer that runs next.
    back: Vec<T>,
}

impl<T> Workspace<T> {
    /// An empty workspace; it grows on first use.
    ///
    /// # Example
    ///
    /// ```
    /// let workspace = neurite::Workspace::<f64>::new();
    /// # drop(workspace);
    /// ```
    pub fn new() -> Self {
        Self {
            front: Vec::new(),
            back: Vec::new(),
        }
    }
}

impl<T: Element> Sequential<T> {
    /// [`forward`](Sequential::forward) into reused buffers: returns a view
    /// of the output that lives in `workspace`, and allocates nothing once
    /// the workspace has seen a batch this large.
    ///
    /// # Errors
    ///
    /// As [`forward`](Sequential::forward).
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::array;
    /// use neurite::{Dense, Linear, Sequential, Workspace};
    ///
    /// let mut model = Sequential::new();
    /// model.add(Dense::new(array![[2.0_f64], [3.0]], array![1.0], Linear)?)?;
    /// let mut workspace = Workspace::new();
    /// let x = array![[1.0, 1.0], [0.0, 2.0]];
    /// assert_eq!(model.forward_with(&x, &mut workspace)?, model.forward(&x)?);
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn forward_with<'w, S: Data<Elem = T>>(
        &self,
        x: &ArrayBase<S, Ix2>,
        workspace: &'w mut Workspace<T>,
    ) -> Result<ArrayView2<'w, T>, Error> {
        self.check_input(x)?;
        let rows = x.nrows();
        let widest = self.layers().map(|l| l.output_width()).max().unwrap_or(0);
        let len = buffers::count("workspace buffer", &[rows, widest])?;
        buffers::grow("workspace buffer", &mut workspace.front, len)?;
        buffers::grow("workspace buffer", &mut workspace.back, len)?;
        let output = self.run_layers(x, self.len(), &mut workspace.front, &mut workspace.back)?;
        let width = self.layers[self.len() - 1].output_width();
        Ok(ArrayView2::from_shape((rows, width), output)
            .expect("the last layer wrote rows × its width"))
    }
}

//! neurite as a user's crate sees it: `Sequential<f32>` is generic, so its
//! forward pass is compiled here, with this crate's (default) release
//! profile, not with neurite's own. The bench in `benches/dense_vs_gemm.rs`
//! times that forward pass against the bare `gemm` product of the same
//! shape, the floor a fused Dense layer can reach (issue #17, item 4).
//!
//! ```
//! let case = neurite_downstream::Case::new(8, 4, 3);
//! let mut product = ndarray::Array2::zeros((8, 3));
//! case.bare_product(&mut product);
//! let forward = case.model.forward(&case.x).unwrap();
//! // relu(x · kernel + 0) is the product with negatives cut to zero.
//! assert_eq!(forward, product.mapv(|v: f32| v.max(0.0)));
//! ```

use ndarray::{Array1, Array2};
use neurite::{Dense, Relu, Sequential};

/// A batch and a one-layer model `Dense(inputs → units, relu)` with a zero
/// bias, and the kernel again as a plain array for the bare product.
pub struct Case {
    /// The batch, `(rows, inputs)`.
    pub x: Array2<f32>,
    /// The layer's kernel, `(inputs, units)`.
    pub kernel: Array2<f32>,
    /// The model: the one Dense layer.
    pub model: Sequential<f32>,
}

impl Case {
    /// The case of shape `(rows, inputs, units)`, filled with a fixed
    /// pattern of small values of both signs (relu cuts about half).
    pub fn new(rows: usize, inputs: usize, units: usize) -> Self {
        let x = pattern(rows, inputs, 1);
        let kernel = pattern(inputs, units, 2);
        let layer = Dense::new(kernel.clone(), Array1::zeros(units), Relu)
            .expect("the kernel and bias agree");
        let mut model = Sequential::new();
        model.add(layer).expect("the first layer");
        Self { x, kernel, model }
    }

    /// `out ← x · kernel` by one call of the `gemm` crate, as neurite calls
    /// it (one thread).
    ///
    /// # Panics
    ///
    /// When `out` is not a row-major `(rows, units)` array.
    pub fn bare_product(&self, out: &mut Array2<f32>) {
        let (m, k) = self.x.dim();
        let n = self.kernel.ncols();
        assert_eq!(out.dim(), (m, n), "the output's shape");
        let (x, kernel) = (self.x.as_slice(), self.kernel.as_slice());
        let (x, kernel) = (x.expect("row-major"), kernel.expect("row-major"));
        let out = out.as_slice_mut().expect("row-major");
        // SAFETY: the three slices are row-major (m, k), (k, n) and (m, n)
        // (checked above), so every element gemm reads or writes lies inside
        // them; `out` is a unique borrow, so it aliases neither input.
        unsafe {
            gemm::gemm(
                m,
                n,
                k,
                out.as_mut_ptr(),
                1,
                n as isize,
                false,
                x.as_ptr(),
                1,
                k as isize,
                kernel.as_ptr(),
                1,
                n as isize,
                0.0,
                1.0,
                false,
                false,
                false,
                gemm::Parallelism::None,
            );
        }
    }
}

/// Values in {-8/16, …, 8/16}: exact in f32, mixed signs.
fn pattern(rows: usize, cols: usize, salt: usize) -> Array2<f32> {
    Array2::from_shape_fn((rows, cols), |(i, j)| {
        ((i * 7 + j * 13 + salt) % 17) as f32 / 16.0 - 0.5
    })
}

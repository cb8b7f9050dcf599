//! `Sequential`'s forward passes run the layers on plain row-major slices
//! (`Layer::forward_row_major`); `Sequential::layer_outputs` runs each layer's
//! `Layer::forward` on array views, the general path. On random models and
//! batches, both give the same bits: Dense with every activation (Softmax,
//! a custom one), Maxout, a layer of the test's own, tiny products and
//! large ones, one row and many, row-major inputs and strided ones.

use ndarray::{Array1, Array2, Array3, ArrayView2, ArrayViewMut2, s};
use neurite::{
    Activation, BuiltinActivation, Dense, Error, Layer, Maxout, Sequential, Softmax, Workspace,
};
use num_traits::Float;
use rng::Rng;
use std::fmt::Debug;

mod rng;

/// The draws of these tests.
trait Draw {
    /// Uniform in `[-2, 2)`, now and then NaN or an infinity.
    fn value<T: Float>(&mut self) -> T;

    fn array2<T: Float>(&mut self, rows: usize, cols: usize) -> Array2<T>;
}

impl Draw for Rng {
    fn value<T: Float>(&mut self) -> T {
        match self.below(200) {
            0 => T::nan(),
            1 => T::infinity(),
            2 => T::neg_infinity(),
            _ => T::from(self.uniform(-2.0, 2.0)).unwrap(),
        }
    }

    fn array2<T: Float>(&mut self, rows: usize, cols: usize) -> Array2<T> {
        Array2::from_shape_simple_fn((rows, cols), || self.value())
    }
}

/// softplus, with no kernel of its own: takes the default slice hook.
#[derive(Debug, Clone, Copy)]
struct Softplus;

impl<T: Float> Activation<T> for Softplus {
    fn apply(&self, x: T) -> T {
        x.max(T::zero()) + (-x.abs()).exp().ln_1p()
    }
    fn derivative(&self, x: T) -> T {
        T::one() / (T::one() + (-x).exp())
    }
}

/// A layer of the test's own, `y = 2x`, with every default the `Layer`
/// trait gives (among them `forward_row_major`).
#[derive(Debug)]
struct Doubling(usize);

impl<T: neurite::Element> Layer<T> for Doubling {
    fn input_width(&self) -> usize {
        self.0
    }
    fn output_width(&self) -> usize {
        self.0
    }
    fn pre_activation_into(
        &self,
        x: ArrayView2<'_, T>,
        mut out: ArrayViewMut2<'_, T>,
    ) -> Result<(), Error> {
        out.zip_mut_with(&x, |y, &x| *y = x + x);
        Ok(())
    }
    fn backward_affine(
        &self,
        _x: ArrayView2<'_, T>,
        _trace: ArrayViewMut2<'_, T>,
        _grad_pre: ArrayView2<'_, T>,
        _weight_grads: &mut [T],
        _grad_input: Option<ArrayViewMut2<'_, T>>,
    ) -> Result<(), Error> {
        Ok(())
    }
}

/// Widths from tiny to wide enough for `gemm` and the row-times-matrix
/// kernel, with odd sizes for the kernels' tails.
fn width(rng: &mut Rng) -> usize {
    [1, 1, 2, 3, 5, 8, 17, 33, 64, 130, 300][rng.below(11)]
}

/// A random stack of two to four layers on `inputs` features.
fn model<T: neurite::Element>(rng: &mut Rng, inputs: usize) -> Sequential<T> {
    let mut model = Sequential::new();
    let mut width_in = inputs;
    for _ in 0..2 + rng.below(3) {
        let units = width(rng);
        match rng.below(10) {
            0 | 1 => {
                let pieces = 1 + rng.below(3);
                let kernels = Array3::from_shape_simple_fn((pieces, width_in, units), || {
                    rng.value::<T>() / T::from(width_in).unwrap()
                });
                let biases = rng.array2(pieces, units);
                model.add(Maxout::new(kernels, biases).unwrap()).unwrap();
            }
            2 => {
                model.add(Doubling(width_in)).unwrap();
                continue;
            }
            3 => {
                let (kernel, bias) = dense_weights(rng, width_in, units);
                model
                    .add(Dense::new(kernel, bias, Softplus).unwrap())
                    .unwrap();
            }
            4 => {
                let (kernel, bias) = dense_weights(rng, width_in, units);
                model
                    .add(Dense::new(kernel, bias, Softmax).unwrap())
                    .unwrap();
            }
            _ => {
                let names = ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "linear"];
                let activation: BuiltinActivation<T> = names[rng.below(6)].parse().unwrap();
                let (kernel, bias) = dense_weights(rng, width_in, units);
                model
                    .add(Dense::new(kernel, bias, activation).unwrap())
                    .unwrap();
            }
        }
        width_in = units;
    }
    model
}

fn dense_weights<T: Float>(rng: &mut Rng, inputs: usize, units: usize) -> (Array2<T>, Array1<T>) {
    let scale = T::from(inputs).unwrap().sqrt();
    let kernel = Array2::from_shape_simple_fn((inputs, units), || rng.value::<T>() / scale);
    (kernel, Array1::from_shape_simple_fn(units, || rng.value()))
}

/// A batch of `rows` × `inputs`, laid out row-major or strided (every
/// other column of a wider array, rows reversed, or transposed).
fn batch<T: Float>(rng: &mut Rng, rows: usize, inputs: usize) -> (Array2<T>, &'static str) {
    match rng.below(4) {
        0 => (rng.array2(rows, inputs), "row-major"),
        1 => {
            let wide = rng.array2(rows, 2 * inputs);
            (wide.slice_move(s![.., ..;2]), "every other column")
        }
        2 => {
            let x = rng.array2(rows, inputs);
            (x.slice_move(s![..;-1, ..]), "rows reversed")
        }
        _ => (rng.array2::<T>(inputs, rows).reversed_axes(), "transposed"),
    }
}

fn assert_same_bits<T: Float + Debug>(what: &str, fast: ArrayView2<'_, T>, general: &Array2<T>) {
    assert_eq!(fast.dim(), general.dim(), "{what}: shape");
    for ((index, &a), &b) in fast.indexed_iter().zip(general.iter()) {
        let same = a.to_f64().unwrap().to_bits() == b.to_f64().unwrap().to_bits();
        assert!(same, "{what} at {index:?}: {a:?} vs {b:?}");
    }
}

fn check_random_models<T: neurite::Element>(seed: u64, cases: usize) {
    let mut rng = Rng(seed);
    let mut workspace = Workspace::new();
    for case in 0..cases {
        let inputs = width(&mut rng);
        let model = model::<T>(&mut rng, inputs);
        let rows = [1, 1, 2, 3, 8, 33][rng.below(6)];
        let (x, layout) = batch::<T>(&mut rng, rows, inputs);
        let what = format!("seed {seed} case {case}: {rows} {layout} rows, {model:?}");

        let general = model.layer_outputs(&x).unwrap();
        let last = general.last().unwrap();
        assert_same_bits(
            &format!("{what}: forward"),
            model.forward(&x).unwrap().view(),
            last,
        );
        let with = model.forward_with(&x, &mut workspace).unwrap();
        assert_same_bits(&format!("{what}: forward_with"), with, last);
        let layer = rng.below(model.len());
        let to = model.forward_to(&x, layer).unwrap();
        assert_same_bits(
            &format!("{what}: forward_to({layer})"),
            to.view(),
            &general[layer],
        );
    }
}

#[test]
fn f32_slice_path_matches_the_view_path_bit_for_bit() {
    check_random_models::<f32>(1, 400);
}

#[test]
fn f64_slice_path_matches_the_view_path_bit_for_bit() {
    check_random_models::<f64>(2, 400);
}

#[test]
fn batches_of_several_blocks_match_too() {
    // 300 rows of 256 units are two blocks of Dense's fused forward pass.
    let mut rng = Rng(3);
    let mut model = Sequential::<f32>::new();
    let (kernel, bias) = dense_weights(&mut rng, 16, 256);
    model
        .add(Dense::new(kernel, bias, Softmax).unwrap())
        .unwrap();
    let (kernel, bias) = dense_weights(&mut rng, 256, 3);
    let relu: BuiltinActivation<f32> = "relu".parse().unwrap();
    model.add(Dense::new(kernel, bias, relu).unwrap()).unwrap();
    let x = rng.array2::<f32>(300, 16);
    let general = model.layer_outputs(&x).unwrap();
    assert_same_bits("300 rows", model.forward(&x).unwrap().view(), &general[1]);
}

#[test]
fn wide_outputs_written_by_the_layer_match_too() {
    // Over 256 KiB of outputs, `forward` has the last layer allocate them
    // (Dense writes each block once); `forward_with` writes into its
    // workspace through the slices.
    let mut rng = Rng(4);
    let mut model = Sequential::<f32>::new();
    let (kernel, bias) = dense_weights(&mut rng, 16, 256);
    let elu: BuiltinActivation<f32> = "elu".parse().unwrap();
    model.add(Dense::new(kernel, bias, elu).unwrap()).unwrap();
    for rows in [257, 300] {
        let x = rng.array2::<f32>(rows, 16);
        let mut workspace = Workspace::new();
        let slices = model.forward_with(&x, &mut workspace).unwrap().to_owned();
        assert_same_bits("one layer", model.forward(&x).unwrap().view(), &slices);
    }
    let (kernel, bias) = dense_weights(&mut rng, 256, 300);
    model
        .add(Dense::new(kernel, bias, Softmax).unwrap())
        .unwrap();
    let x = rng.array2::<f32>(300, 16);
    let mut workspace = Workspace::new();
    let slices = model.forward_with(&x, &mut workspace).unwrap().to_owned();
    assert_same_bits("two layers", model.forward(&x).unwrap().view(), &slices);
}

#[test]
fn a_tiny_maxout_wider_than_a_tile_matches_too() {
    // 3000 units take two column tiles on the view path, one loop on the
    // slice path.
    let mut rng = Rng(4);
    let kernels = Array3::from_shape_simple_fn((2, 1, 3000), || rng.value::<f64>());
    let mut model = Sequential::new();
    model
        .add(Maxout::new(kernels, rng.array2(2, 3000)).unwrap())
        .unwrap();
    let x = rng.array2::<f64>(1, 1);
    let general = model.layer_outputs(&x).unwrap();
    assert_same_bits("maxout", model.forward(&x).unwrap().view(), &general[0]);
}

#[test]
fn slices_of_the_wrong_length_are_errors() {
    let layer = Maxout::<f32>::glorot(2, 3, 4, 0).unwrap();
    let mut out = [0.0; 8];
    let short = layer.forward_row_major(2, &[0.0; 5], &mut out);
    assert!(
        matches!(short, Err(Error::ShapeMismatch { .. })),
        "{short:?}"
    );
    let long_out = layer.forward_row_major(1, &[0.0; 3], &mut out);
    assert!(matches!(long_out, Err(Error::ShapeMismatch { .. })));
    let overflow = layer.forward_row_major(usize::MAX, &[0.0; 3], &mut out);
    assert!(matches!(overflow, Err(Error::ShapeMismatch { .. })));
    let doubling = <Doubling as Layer<f32>>::forward_row_major(&Doubling(2), 1, &[1.0], &mut out);
    assert!(matches!(doubling, Err(Error::ShapeMismatch { .. })));
}

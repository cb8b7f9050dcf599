//! Training on large batches, which a step cuts into row blocks (run on
//! rayon's pool with the `rayon` feature): the blocks' gradients add up to
//! the batch's, and with `rayon` a step on many threads gives bit for bit
//! what it gives on one, for Dense and Maxout stacks and a stack with
//! BatchNormalization, Dropout and LayerNormalization, every optimizer,
//! f32 and f64.

use ndarray::{Array2, ArrayD, s};
use neurite::{Dense, Element, Elu, Maxout, Relu, Sequential, Sigmoid, Softmax, Tanh};

/// Rows of the test batches: three blocks of unequal sizes for the larger
/// layers.
const ROWS: usize = 1600;

/// 64 → 64 relu → 64 tanh → 1 sigmoid.
fn dense_model<T: Element>() -> Sequential<T> {
    let mut model = Sequential::new();
    model
        .add(Dense::glorot(64, 64, Relu, 1).unwrap())
        .unwrap()
        .add(Dense::glorot(64, 64, Tanh, 2).unwrap())
        .unwrap()
        .add(Dense::glorot(64, 1, Sigmoid, 3).unwrap())
        .unwrap();
    model
}

/// 64 → maxout (2 pieces) 48 → 64 elu → 4 softmax: the clipped
/// probability path of the loss.
fn maxout_model<T: Element>() -> Sequential<T> {
    let mut model = Sequential::new();
    model
        .add(Maxout::glorot(2, 64, 48, 4).unwrap())
        .unwrap()
        .add(Dense::glorot(48, 64, Elu::default(), 5).unwrap())
        .unwrap()
        .add(Dense::glorot(64, 4, Softmax, 6).unwrap())
        .unwrap();
    model
}

fn data<T: Element>(rows: usize, outputs: usize) -> (Array2<T>, Array2<T>) {
    let x = Array2::from_shape_fn((rows, 64), |(i, j)| {
        T::from(((i * 37 + j * 11) % 41) as f64 / 41.0 - 0.5).unwrap()
    });
    let y = Array2::from_shape_fn((rows, outputs), |(i, j)| {
        T::from(((i * 7 + j) % 3 == 0) as u8).unwrap()
    });
    (x, y)
}

type Model<T> = fn() -> Sequential<T>;

/// Both models with their output widths.
fn models<T: Element>() -> [(Model<T>, usize); 2] {
    [(dense_model::<T>, 1), (maxout_model::<T>, 4)]
}

/// The gradient of a batch is the row-weighted mean of the gradients of
/// its parts (the loss is a mean over rows): here the parts are small
/// enough to be one block each, the batch several.
fn gradients_add_up_over_blocks<T: Element>(tolerance: f64) {
    for (model, outputs) in models::<T>() {
        let model = model();
        let (x, y) = data::<T>(ROWS, outputs);
        let whole = model.gradients(&x, &y).unwrap();
        let mut summed: Vec<ArrayD<f64>> = whole.iter().map(|g| g.mapv(|_| 0.0)).collect();
        for start in (0..ROWS).step_by(100) {
            let rows = s![start..start + 100, ..];
            let part = model.gradients(&x.slice(rows), &y.slice(rows)).unwrap();
            let weight = 100.0 / ROWS as f64;
            for (sum, g) in summed.iter_mut().zip(&part) {
                sum.zip_mut_with(g, |s, &g| *s += g.to_f64().unwrap() * weight);
            }
        }
        for (i, (g, expected)) in whole.iter().zip(&summed).enumerate() {
            let scale = expected.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
            let worst = g.iter().zip(expected).fold(0.0_f64, |m, (&g, &e)| {
                m.max((g.to_f64().unwrap() - e).abs())
            });
            assert!(
                worst <= tolerance * scale,
                "weight array {i}: off by {worst:e} of {scale:e}"
            );
        }
    }
}

#[test]
fn block_gradients_add_up_to_the_batch_gradient_f32() {
    gradients_add_up_over_blocks::<f32>(1e-5);
}

#[test]
fn block_gradients_add_up_to_the_batch_gradient_f64() {
    gradients_add_up_over_blocks::<f64>(1e-12);
}

#[cfg(feature = "rayon")]
mod thread_pools {
    use super::*;
    use neurite::layer::ActivationLayer;
    use neurite::{
        Adam, BatchNormalization, Dropout, FitOptions, LayerNormalization, Linear, Optimizer,
        RmsProp, Sgd,
    };

    /// 64 → 256 (no bias) → BatchNormalization → relu → Dropout(0.3) →
    /// LayerNormalization → 1 sigmoid: the first layer is cut into blocks, the
    /// batch normalisation runs on the whole batch, the dropout masks are drawn
    /// by position.
    fn normalized_model<T: Element>() -> Sequential<T> {
        let kernel = Dense::<T, _>::glorot(64, 256, Linear, 7)
            .unwrap()
            .kernel()
            .clone();
        let mut model = Sequential::new();
        model
            .add(Dense::without_bias(kernel, Linear).unwrap())
            .unwrap()
            .add(BatchNormalization::new(256).unwrap())
            .unwrap()
            .add(ActivationLayer::new(Relu))
            .unwrap()
            .add(Dropout::new(0.3).unwrap())
            .unwrap()
            .add(LayerNormalization::new(256).unwrap())
            .unwrap()
            .add(Dense::glorot(256, 1, Sigmoid, 8).unwrap())
            .unwrap();
        model
    }

    /// Every optimizer, with its options that keep extra state.
    fn optimizers<T: Element>() -> Vec<Box<dyn Optimizer<T> + Send>> {
        vec![
            Box::new(Sgd::new(0.05)),
            Box::new(Sgd::with_momentum(0.05, 0.9).nesterov(true)),
            Box::new(RmsProp::new(0.01).centered(true).momentum(0.5)),
            Box::new(Adam::new(0.01).amsgrad(true)),
        ]
    }

    /// A step, a two-batch epoch of `fit` and the gradients afterwards,
    /// on a pool of `threads` threads: every loss and weight.
    fn train<T: Element>(
        threads: usize,
        model: Model<T>,
        outputs: usize,
        optimizer: &mut (dyn Optimizer<T> + Send),
    ) -> (Vec<T>, Vec<ArrayD<T>>) {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let mut model = model();
            let (x, y) = data::<T>(ROWS, outputs);
            let mut losses = vec![model.train_step(&x, &y, optimizer).unwrap()];
            let options = FitOptions::new(1).batch_size(1100).shuffle(9);
            losses.extend(model.fit(&x, &y, optimizer, options).unwrap().loss);
            let mut weights = model.get_weights();
            weights.extend(model.gradients(&x, &y).unwrap());
            (losses, weights)
        })
    }

    fn many_threads_match_one<T: Element>() {
        let normalized: (Model<T>, usize) = (normalized_model::<T>, 1);
        for (model, outputs) in models::<T>().into_iter().chain([normalized]) {
            for (mut one, mut many) in optimizers::<T>().into_iter().zip(optimizers::<T>()) {
                let expected = train(1, model, outputs, one.as_mut());
                for threads in [2, 3] {
                    let found = train(threads, model, outputs, many.as_mut());
                    many.reset();
                    assert_eq!(found, expected, "{threads} threads, {many:?}");
                }
            }
        }
    }

    #[test]
    fn training_on_many_threads_is_bit_identical_to_one_f32() {
        many_threads_match_one::<f32>();
    }

    #[test]
    fn training_on_many_threads_is_bit_identical_to_one_f64() {
        many_threads_match_one::<f64>();
    }
}

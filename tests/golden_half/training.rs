use super::*;

// ---------------------------------------------------------------- training

/// XOR-like data in `T`.
fn xor<T: Half>() -> (Array2<T>, Array2<T>) {
    let x = array![[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]].mapv(T::from_wide);
    let y = array![[0.0], [1.0], [1.0], [0.0]].mapv(T::from_wide);
    (x, y)
}

fn xor_model<T: Half>() -> Sequential<T> {
    let mut model = Sequential::new();
    model
        .add(Dense::glorot(2, 8, Tanh, 1).unwrap())
        .unwrap()
        .add(Dense::glorot(8, 1, Sigmoid, 2).unwrap())
        .unwrap();
    model
}

fn training_lowers_the_loss<T: Half>() {
    let (x, y) = xor::<T>();
    let optimizers: Vec<(&str, Box<dyn Optimizer<T>>)> = vec![
        ("sgd", Box::new(Sgd::new(0.5))),
        (
            "sgd+nesterov",
            Box::new(Sgd::with_momentum(0.1, 0.9).nesterov(true)),
        ),
        ("rmsprop", Box::new(RmsProp::new(0.01))),
        (
            "rmsprop centered",
            Box::new(RmsProp::new(0.01).centered(true).momentum(0.5)),
        ),
        ("adam", Box::new(Adam::new(0.05))),
        (
            "adam amsgrad, eps 1e-8",
            Box::new(Adam::new(0.05).amsgrad(true).epsilon(1e-8)),
        ),
    ];
    for (label, mut optimizer) in optimizers {
        let mut model = xor_model::<T>();
        let first = model.train_step(&x, &y, &mut *optimizer).unwrap();
        let mut last = first;
        for _ in 0..300 {
            last = model.train_step(&x, &y, &mut *optimizer).unwrap();
        }
        assert!(
            last.is_finite() && last.wide() < 0.5 * first.wide(),
            "{} {label}: loss {first} -> {last}",
            T::NAME
        );
        let evaluation = model.evaluate(&x, &y).unwrap();
        assert_eq!(evaluation.accuracy, T::one(), "{} {label}", T::NAME);
    }
    // fit: the history falls too.
    let mut model = xor_model::<T>();
    let history = model
        .fit(
            &x,
            &y,
            &mut Adam::new(0.05),
            FitOptions::new(200).batch_size(2).shuffle(3),
        )
        .unwrap();
    assert!(history.loss[199].wide() < 0.25 * history.loss[0].wide());
}

#[test]
fn train_step_lowers_the_loss_in_f16_and_bf16() {
    training_lowers_the_loss::<f16>();
    training_lowers_the_loss::<bf16>();
}

/// The same optimizer for 16-bit and for `f32` weights.
type Pair<T> = (Box<dyn Optimizer<T>>, Box<dyn Optimizer<f32>>);

/// An optimizer's step on 16-bit weights is the `f32` optimizer's step on
/// the same weights, rounded once (its state is kept in `f32`).
fn optimizer_steps_are_f32_steps_rounded<T: Half>() {
    let gradients: Vec<[f32; 4]> = vec![
        [0.5, -1e-4, 3e-6, 0.0],
        [0.25, -2e-4, -1e-6, 0.0],
        [-0.125, 1e-3, 1e-5, 0.0],
    ];
    let optimizers: Vec<Pair<T>> = vec![
        (
            Box::new(Sgd::with_momentum(0.01, 0.9)),
            Box::new(Sgd::with_momentum(0.01, 0.9)),
        ),
        (Box::new(RmsProp::default()), Box::new(RmsProp::default())),
        (Box::new(Adam::default()), Box::new(Adam::default())),
        (
            Box::new(Adam::new(0.01).epsilon(1e-8)),
            Box::new(Adam::new(0.01).epsilon(1e-8)),
        ),
    ];
    for (mut narrow, mut wide) in optimizers {
        let mut w = [1.0, -0.5, 0.25, 2.0].map(T::from_wide);
        for g in &gradients {
            let g16 = g.map(|v| T::from_wide(f64::from(v)));
            let mut w32 = w.map(|v| v.to_f32().unwrap());
            let g32 = g16.map(|v| v.to_f32().unwrap());
            narrow.begin_step(&[4]);
            wide.begin_step(&[4]);
            narrow.update(0, &mut w, &g16);
            wide.update(0, &mut w32, &g32);
            assert_eq!(
                w,
                w32.map(|v| T::from_wide(f64::from(v))),
                "{} {narrow:?}",
                T::NAME
            );
            assert!(w.iter().all(|v| v.is_finite()));
        }
    }
}

#[test]
fn optimizers_take_the_f32_step_rounded_once() {
    optimizer_steps_are_f32_steps_rounded::<f16>();
    optimizer_steps_are_f32_steps_rounded::<bf16>();
    // Keras's Adam in bf16 arithmetic would not move: β₂ = 0.999 rounds to 1.
    assert_eq!(bf16::from_f64(0.999), bf16::ONE);
}

// ---------------------------------------------------------------- metrics

fn large_batches_count_every_sample<T: Half>() {
    // 20 000 samples: a running f16 sum would stop at 2048.
    let mut model = Sequential::<T>::new();
    model
        .add(Dense::new(array![[T::one()]], array![T::zero()], Sigmoid).unwrap())
        .unwrap();
    let x = Array2::from_elem((20_000, 1), T::from_wide(2.0));
    let y = Array2::from_elem((20_000, 1), T::one());
    let evaluation = model.evaluate(&x, &y).unwrap();
    assert_eq!(evaluation.accuracy, T::one(), "{}", T::NAME);
    let expected = (1.0 + (-2.0_f64).exp()).ln(); // 0.1269
    assert!((evaluation.loss.wide() - expected).abs() < 4.0 * T::unit_roundoff() * expected);
    let p = model.forward(&x).unwrap();
    let bce = loss::binary_cross_entropy(&y, &p).unwrap();
    assert!(
        (bce.wide() - expected).abs() < 0.02 * expected,
        "{}: {bce}",
        T::NAME
    );
}

#[test]
fn large_batches_count_every_sample_in_f16_and_bf16() {
    large_batches_count_every_sample::<f16>();
    large_batches_count_every_sample::<bf16>();
}

#[test]
fn a_perfectly_wrong_prediction_costs_a_finite_loss() {
    fn check<T: Half>(expected: f64) {
        let (y, p) = (array![T::zero()], array![T::one()]);
        let bce = loss::binary_cross_entropy(&y, &p).unwrap();
        assert!(
            (bce.wide() - expected).abs() <= 2.0 * T::unit_roundoff() * expected,
            "{}: {bce}",
            T::NAME
        );
        assert_eq!(
            loss::binary_cross_entropy_gradient(&y, &p).unwrap()[0],
            T::zero()
        );
        // The other way round, ε = 1e-7 rounded to T.
        let bce = loss::binary_cross_entropy(&array![T::one()], &array![T::zero()]).unwrap();
        assert!((bce.wide() - 16.0).abs() < 0.2, "{}: {bce}", T::NAME);
    }
    check::<f16>(11.0 * 2f64.ln());
    check::<bf16>(8.0 * 2f64.ln());
}

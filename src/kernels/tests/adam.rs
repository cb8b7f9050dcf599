//! Adam's update kernel (adam.rs) on every path, against the scalar loop of
//! src/optimizer/adam.rs bit for bit: random slices of random lengths at
//! random offsets (every tail length), weights, gradients and moments over
//! many magnitudes with `±0`, `±inf` and NaN mixed in, and constants from
//! Keras's defaults to `ε = 0` and steps of every size.

use super::bce::Sample;
use super::{Rng, paths};
use crate::kernels::AdamConstants;

/// Cases per element type (each run on every path).
const CASES: usize = if cfg!(debug_assertions) { 300 } else { 3000 };

/// A value of any sign and magnitude, with the specials; `nan_odds` in 1000.
fn random_value<T: Sample>(rng: &mut Rng, nan_odds: usize) -> T {
    if rng.below(1000) < nan_odds {
        return T::nan();
    }
    let sign = if rng.below(2) == 0 { 1.0 } else { -1.0 };
    match rng.below(16) {
        0 => T::zero(),
        1 => T::neg_zero(),
        2 => T::from_f64(sign) * T::infinity(),
        3 => T::from_f64(sign) * T::min_positive_value() / T::from_f64(8.0),
        _ => T::from_f64(sign * (rng.unit() * 40.0 - 30.0).exp2()),
    }
}

/// A second moment: never negative, as Adam keeps it.
fn random_moment<T: Sample>(rng: &mut Rng) -> T {
    random_value::<T>(rng, 0).abs()
}

/// The scalar update, as src/optimizer/adam.rs writes it.
fn scalar<T: Sample>(w: &mut [T], g: &[T], m: &mut [T], v: &mut [T], c: AdamConstants<T>) {
    for (((w, &g), m), v) in w.iter_mut().zip(g).zip(m.iter_mut()).zip(v.iter_mut()) {
        *m = *m + (g - *m) * c.one_minus_beta_1;
        *v = *v + (g * g - *v) * c.one_minus_beta_2;
        *w = *w - *m * c.alpha / (v.sqrt() + c.epsilon);
    }
}

/// Equal bits, or both NaN (a NaN's payload is not specified).
fn same<T: Sample>(a: &[T], b: &[T]) -> bool {
    a.iter()
        .zip(b)
        .all(|(&a, &b)| (a.is_nan() && b.is_nan()) || a.widen().to_bits() == b.widen().to_bits())
}

fn random_constants<T: Sample>(rng: &mut Rng) -> AdamConstants<T> {
    let [beta_1, beta_2] = [0.9, 0.999].map(|b: f64| match rng.below(3) {
        0 => b,
        1 => 0.0,
        _ => rng.unit(),
    });
    AdamConstants {
        one_minus_beta_1: T::from_f64(1.0 - beta_1),
        one_minus_beta_2: T::from_f64(1.0 - beta_2),
        alpha: T::from_f64((rng.unit() * 20.0 - 16.0).exp2()),
        epsilon: T::from_f64(if rng.below(4) == 0 { 0.0 } else { 1e-7 }),
    }
}

fn check_type<T: Sample>(seed: u64) {
    let mut rng = Rng(seed);
    for (name, path) in paths() {
        let kernel = T::kernels(path).adam;
        for case in 0..CASES {
            let len = match rng.below(3) {
                0 => rng.below(40),
                1 => rng.below(300),
                _ => 300 + rng.below(3000),
            };
            let offset = rng.below(17);
            let nan_odds = if rng.below(4) == 0 { 5 } else { 0 };
            let mut draw = |f: &mut dyn FnMut(&mut Rng) -> T| -> Vec<T> {
                (0..offset + len).map(|_| f(&mut rng)).collect()
            };
            let w = draw(&mut |r| random_value(r, nan_odds));
            let g = draw(&mut |r| random_value(r, nan_odds));
            let m = draw(&mut |r| random_value(r, 0));
            let v = draw(&mut |r| random_moment(r));
            let constants = random_constants::<T>(&mut rng);
            let (mut expected, mut got) = ([w.clone(), m.clone(), v.clone()], [w, m, v]);
            let [ew, em, ev] = &mut expected;
            scalar(
                &mut ew[offset..],
                &g[offset..],
                &mut em[offset..],
                &mut ev[offset..],
                constants,
            );
            let [gw, gm, gv] = &mut got;
            kernel(
                &mut gw[offset..],
                &g[offset..],
                &mut gm[offset..],
                &mut gv[offset..],
                constants,
            );
            for (what, (e, g)) in ["weights", "m", "v"].iter().zip(expected.iter().zip(&got)) {
                assert!(
                    same(e, g),
                    "{name}, case {case}: {what} differ from the scalar loop"
                );
            }
        }
    }
}

#[test]
fn adam_kernel_is_the_scalar_loop_f32() {
    check_type::<f32>(0xada0_0001);
}

#[test]
fn adam_kernel_is_the_scalar_loop_f64() {
    check_type::<f64>(0xada0_0002);
}

#[test]
fn adam_kernel_updates_only_the_weights_that_have_a_gradient() {
    for (name, path) in paths() {
        let constants = AdamConstants {
            one_minus_beta_1: 0.1_f32,
            one_minus_beta_2: 0.001,
            alpha: 0.5,
            epsilon: 1e-7,
        };
        let (mut w, mut m, mut v) = (vec![1.0_f32; 21], vec![0.0; 21], vec![0.0; 21]);
        (path.f32.adam)(&mut w, &[2.0; 19], &mut m, &mut v, constants);
        assert!(w[..19].iter().all(|&w| w < 1.0), "{name}");
        assert_eq!(&w[19..], &[1.0, 1.0], "{name}");
        assert_eq!(
            (&m[19..], &v[19..]),
            (&[0.0, 0.0][..], &[0.0, 0.0][..]),
            "{name}"
        );
    }
}

//! Every log_softmax and sparsemax case of `activations_keras3.json`, f32
//! and f64: values through `apply_rows`, `apply_row_major` and
//! `apply_slice` (one row at a time), the vector-Jacobian product through
//! `backward_rows` with the case's upstream gradient, and the Jacobian
//! through `backward_rows` with unit upstream vectors (row `k` of the
//! Jacobian is the product with `e_k`).
//!
//! Tolerances:
//! - log_softmax values: within 2 ULP of `y_exact` (the exact values
//!   rounded once); TF's own float32 output is up to 23 238 ULP off on
//!   these rows. Non-finite rows as Keras: NaN rows and `-inf` exactly.
//! - sparsemax values: within `(n + 2)·ε` absolute of
//!   `y_correct_sparsemax` (the textbook projection, values in `[0, 1]`;
//!   the rounding of the sum that gives the threshold), exact zeros off
//!   the support. Keras's own `y` is wrong wherever the support has two or
//!   more entries (`keras_matches_correct_sparsemax`); a test shows it
//!   differs exactly there.
//! - products and Jacobians: the README's derivative tolerance (rtol
//!   1e-5, atol 5e-6 in f32; 1e-12, 1e-14 in f64) against Keras's
//!   (log_softmax) and against `jacobian_correct_sparsemax`.

mod common;

use common::{GoldenFloat, Kind, array_d, assert_close, cases, load, name, text, to_f64};
use ndarray::{Array2, Array3, Axis};
use neurite::{Activation, BuiltinActivation};
use serde_json::Value;

/// The derivative tolerance of the README for `activations_keras3`.
fn derivative_close<T: GoldenFloat>(actual: T, expected: T) -> bool {
    let (rtol, atol) = if T::DTYPE == "float32" {
        (1e-5, 5e-6)
    } else {
        (1e-12, 1e-14)
    };
    let (a, e) = (to_f64(actual), to_f64(expected));
    (a.is_nan() && e.is_nan()) || a == e || (a - e).abs() <= atol + rtol * e.abs()
}

fn assert_derivatives<T: GoldenFloat>(case: &str, what: &str, actual: &[T], expected: &[T]) {
    assert_eq!(actual.len(), expected.len(), "{case}: {what}: length");
    for (i, (&a, &e)) in actual.iter().zip(expected).enumerate() {
        assert!(
            derivative_close(a, e),
            "{case}: {what}[{i}] = {a:e}, expected {e:e}"
        );
    }
}

/// A case's field as rows (a 1-D field is one row).
fn rows<T: GoldenFloat>(value: &Value) -> Array2<T> {
    let array = array_d::<T>(value);
    match array.ndim() {
        1 => array.insert_axis(Axis(0)).into_dimensionality().unwrap(),
        _ => array.into_dimensionality().expect("rows"),
    }
}

/// A Jacobian field as `[row][i][j]`.
fn jacobians<T: GoldenFloat>(value: &Value) -> Array3<T> {
    let array = array_d::<T>(value);
    match array.ndim() {
        2 => array.insert_axis(Axis(0)).into_dimensionality().unwrap(),
        _ => array.into_dimensionality().expect("a Jacobian per row"),
    }
}

/// The outputs of `f` on `x` by every path, checked to agree bit for bit.
fn outputs<T: GoldenFloat>(case: &str, f: &BuiltinActivation<T>, x: &Array2<T>) -> Array2<T> {
    let mut by_rows = x.clone();
    f.apply_rows(by_rows.view_mut());
    let mut row_major = x.clone();
    f.apply_row_major(row_major.as_slice_mut().unwrap(), x.ncols());
    let mut by_columns = x.t().as_standard_layout().into_owned().reversed_axes();
    f.apply_rows(by_columns.view_mut());
    for (r, row) in x.rows().into_iter().enumerate() {
        let mut alone = row.to_vec();
        f.apply_slice(&mut alone);
        for (i, &y) in alone.iter().enumerate() {
            for (path, other) in [
                ("apply_rows", by_rows[[r, i]]),
                ("apply_row_major", row_major[[r, i]]),
                ("apply_rows (strided)", by_columns[[r, i]]),
            ] {
                assert!(
                    identical(y, other),
                    "{case}: row {r}[{i}]: apply_slice {y:e}, {path} {other:e}"
                );
            }
        }
    }
    by_rows
}

/// `backward_rows` with `upstream`.
fn vjp<T: GoldenFloat>(
    f: &BuiltinActivation<T>,
    x: &Array2<T>,
    y: &Array2<T>,
    upstream: &Array2<T>,
) -> Array2<T> {
    let mut grad = upstream.clone();
    f.backward_rows(x.view(), y.view(), grad.view_mut());
    grad
}

/// Row `k` of each row's Jacobian is the product with the unit vector `e_k`.
fn jacobian<T: GoldenFloat>(f: &BuiltinActivation<T>, x: &Array2<T>, y: &Array2<T>) -> Array3<T> {
    let (n_rows, n) = x.dim();
    let mut jacobian = Array3::zeros((n_rows, n, n));
    for k in 0..n {
        let unit = Array2::from_shape_fn((n_rows, n), |(_, j)| T::from_golden(f64::from(j == k)));
        let row = vjp(f, x, y, &unit);
        jacobian.index_axis_mut(Axis(1), k).assign(&row);
    }
    jacobian
}

/// The same value, sign of zero included (any NaN matches NaN).
fn identical<T: GoldenFloat>(a: T, b: T) -> bool {
    (a.is_nan() && b.is_nan()) || to_f64(a).to_bits() == to_f64(b).to_bits()
}

/// The distance in ULPs of `T` between two finite values (0 for ±0).
fn ulps<T: GoldenFloat>(a: T, b: T) -> u64 {
    if a == b {
        return 0;
    }
    let key = |x: f64| -> i64 {
        let bits = if T::DTYPE == "float32" {
            i64::from((x as f32).to_bits() as i32)
        } else {
            x.to_bits() as i64
        };
        if bits < 0 { i64::MIN - bits } else { bits }
    };
    key(to_f64(a)).abs_diff(key(to_f64(b)))
}

/// The maximum's output `-ln(1 + Σ_j e^(x_j - m))` of a row whose
/// `y_exact` is 0: the 200-bit reference rounds `m + e^-700` to `m` in
/// `[700, 0, -700]`, where the float64 result `-e^-700 ≈ -9.86e-305` is a
/// normal number (float32 rounds it to 0 as well). Computed in `T` from the
/// row: a sum of far smaller terms to the one that leads, within 1 ULP.
fn beyond_the_reference<T: GoldenFloat>(x: &Array2<T>, (r, i): (usize, usize)) -> T {
    let row = x.row(r);
    let others = row
        .iter()
        .enumerate()
        .filter(|&(j, _)| j != i)
        .fold(T::zero(), |sum, (_, &v)| sum + (v - row[i]).exp());
    -others.ln_1p()
}

fn check_log_softmax<T: GoldenFloat>(case: &Value) {
    let case_name = name(case);
    let f: BuiltinActivation<T> = "log_softmax".parse().unwrap();
    let x = rows::<T>(&case["inputs"]["x"]);
    let y = outputs(case_name, &f, &x);
    let expected = &case["expected"];
    let mut worst = 0;
    if expected["y_exact"].is_null() {
        // Non-finite rows: NaN, ±inf and the finite entries as Keras.
        assert_close(case_name, "y", &y, &rows::<T>(&expected["y"]), Kind::Smooth);
    } else {
        let exact = rows::<T>(&expected["y_exact"]);
        for ((index, &got), &want) in y.indexed_iter().zip(&exact) {
            let want = if want == T::zero() {
                beyond_the_reference(&x, index)
            } else {
                want
            };
            let distance = ulps(got, want);
            worst = worst.max(distance);
            assert!(
                distance <= 2,
                "{case_name} {index:?}: {got:e}, exact {want:e} ({distance} ULP)"
            );
        }
    }
    println!("{case_name}: at most {worst} ULP from the exact values");
    let upstream = rows::<T>(&case["inputs"]["upstream"]);
    let product = vjp(&f, &x, &y, &upstream);
    assert_derivatives(
        case_name,
        "vjp",
        product.as_slice().unwrap(),
        rows::<T>(&expected["vjp"]).as_slice().unwrap(),
    );
    if !expected["jacobian"].is_null() {
        let want = jacobians::<T>(&expected["jacobian"]);
        let got = jacobian(&f, &x, &y);
        assert_derivatives(
            case_name,
            "jacobian",
            got.as_slice().unwrap(),
            want.as_slice().unwrap(),
        );
    }
}

fn check_sparsemax<T: GoldenFloat>(case: &Value) {
    let case_name = name(case);
    let f: BuiltinActivation<T> = "sparsemax".parse().unwrap();
    let x = rows::<T>(&case["inputs"]["x"]);
    let y = outputs(case_name, &f, &x);
    let expected = &case["expected"];
    let upstream = rows::<T>(&case["inputs"]["upstream"]);
    let product = vjp(&f, &x, &y, &upstream);
    if expected["y_correct_sparsemax"].is_null() {
        check_sparsemax_nonfinite(case_name, &x, &y, &product);
        return;
    }
    let correct = rows::<T>(&expected["y_correct_sparsemax"]);
    let bound = (x.ncols() as f64 + 2.0) * to_f64(T::epsilon());
    for ((index, &got), &want) in y.indexed_iter().zip(&correct) {
        let (got, want) = (to_f64(got), to_f64(want));
        assert!(
            (got - want).abs() <= bound && (want != 0.0 || got == 0.0),
            "{case_name} {index:?}: {got:e}, correct {want:e}"
        );
    }
    let want = jacobians::<T>(&expected["jacobian_correct_sparsemax"]);
    let got = jacobian(&f, &x, &y);
    assert_derivatives(
        case_name,
        "jacobian",
        got.as_slice().unwrap(),
        want.as_slice().unwrap(),
    );
    // The product with the upstream gradient, from the (symmetric)
    // correct Jacobian, summed in f64: a mean over the support, so a few
    // roundings of values of the size of the gradient.
    for (r, (g, j)) in upstream
        .rows()
        .into_iter()
        .zip(want.outer_iter())
        .enumerate()
    {
        let exact: Vec<f64> = (0..g.len())
            .map(|i| {
                g.iter()
                    .zip(j.column(i))
                    .map(|(&g, &d)| to_f64(g) * to_f64(d))
                    .sum()
            })
            .collect();
        for (i, (&got, &want)) in product.row(r).iter().zip(&exact).enumerate() {
            let got = to_f64(got);
            assert!(
                (got - want).abs() <= 4.0 * to_f64(T::epsilon()) * (1.0 + want.abs()),
                "{case_name}: vjp[{r}][{i}] = {got:e}, correct {want:e}"
            );
        }
    }
}

/// NaN and `+inf` rows, and rows of only `-inf`, are NaN (Keras: `inf`
/// and NaN mixed); `-inf` entries give 0, and the rest is the projection.
fn check_sparsemax_nonfinite<T: GoldenFloat>(
    case: &str,
    x: &Array2<T>,
    y: &Array2<T>,
    product: &Array2<T>,
) {
    for (r, row) in x.rows().into_iter().enumerate() {
        let nan_row = row.iter().any(|v| v.is_nan() || *v == T::infinity())
            || row.iter().all(|v| *v == T::neg_infinity());
        if nan_row {
            assert!(
                y.row(r).iter().all(|v| v.is_nan()),
                "{case}: row {r}: {:?}",
                y.row(r)
            );
            assert!(
                product.row(r).iter().all(|v| v.is_nan()),
                "{case}: vjp row {r}"
            );
        } else {
            // [-inf, 0, 1]: τ = 0, the 0 sits at the threshold (a kink:
            // outside the support, as in the correct Jacobian).
            let want = [0.0, 0.0, 1.0];
            let got: Vec<f64> = y.row(r).iter().map(|&v| to_f64(v)).collect();
            assert_eq!(got, want, "{case}: row {r}");
            assert!(
                product.row(r).iter().all(|&v| to_f64(v) == 0.0),
                "{case}: vjp row {r}"
            );
        }
    }
}

#[test]
fn every_log_softmax_and_sparsemax_case_matches() {
    let file = load("activations_keras3.json");
    let mut checked = 0;
    for case in cases(&file) {
        let f32_case = text(&case["dtype"]) == "float32";
        match text(&case["function"]) {
            "log_softmax" if f32_case => check_log_softmax::<f32>(case),
            "log_softmax" => check_log_softmax::<f64>(case),
            "sparsemax" if f32_case => check_sparsemax::<f32>(case),
            "sparsemax" => check_sparsemax::<f64>(case),
            _ => continue,
        }
        checked += 1;
    }
    assert_eq!(checked, 20, "5 subsets × 2 dtypes × 2 functions");
}

/// Keras 3.15.1's sparsemax (its `y`) agrees with the projection exactly
/// on the rows whose support is a single entry, and differs on every other
/// row: the ties (`[1, 1, 1]` → `[0, 0, 0]`) and wider supports alike.
#[test]
fn keras_sparsemax_differs_exactly_where_the_support_has_two_entries_or_more() {
    let file = load("activations_keras3.json");
    let (mut same, mut differ) = (0, 0);
    for case in cases(&file) {
        if text(&case["function"]) != "sparsemax"
            || case["expected"]["y_correct_sparsemax"].is_null()
        {
            continue;
        }
        let keras = rows::<f64>(&case["expected"]["y"]);
        let correct = rows::<f64>(&case["expected"]["y_correct_sparsemax"]);
        let x = rows::<f64>(&case["inputs"]["x"]);
        let mut ours = x.clone();
        neurite::Sparsemax.apply_rows(ours.view_mut());
        let mut case_matches = true;
        for r in 0..x.nrows() {
            let support = ours.row(r).iter().filter(|&&v| v > 0.0).count();
            let agrees = keras
                .row(r)
                .iter()
                .zip(correct.row(r))
                .all(|(k, c)| (k - c).abs() <= 1e-6);
            assert_eq!(
                agrees,
                support == 1,
                "{}: row {r}: {}",
                name(case),
                x.row(r)
            );
            if agrees {
                same += 1
            } else {
                differ += 1
            }
            case_matches &= agrees;
        }
        assert_eq!(
            case["keras_matches_correct_sparsemax"],
            case_matches,
            "{}",
            name(case)
        );
    }
    assert!(
        same >= 4 && differ >= 10,
        "{same} rows agree, {differ} differ"
    );
    // The tie of the issue: Keras gives zeros, the projection thirds.
    let mut tie = [1.0_f32, 1.0, 1.0];
    neurite::Sparsemax.apply_slice(&mut tie);
    assert_eq!(tie, [1.0 / 3.0; 3]);
}

/// A `Dense` layer with a row-wise output gives the function of each row
/// of its pre-activations `x·W + b`, also when named by Keras's string.
#[test]
fn dense_layers_with_row_wise_outputs_give_the_row_wise_result() {
    let kernel = Array2::from_shape_fn((3, 4), |(i, j)| ((i * 4 + j) as f64 * 0.37).sin() * 2.0);
    let bias = ndarray::array![0.1, -0.2, 0.3, 0.0];
    let x = Array2::from_shape_fn((5, 3), |(i, j)| ((i * 3 + j) as f64 * 0.71).cos() * 3.0);
    let mut pre = x.dot(&kernel) + &bias;
    pre[[2, 1]] = pre[[2, 0]]; // a tie
    for name in ["log_softmax", "sparsemax"] {
        let activation: BuiltinActivation<f64> = name.parse().unwrap();
        let layer = neurite::Dense::new(kernel.clone(), bias.clone(), activation).unwrap();
        let got = neurite::Layer::forward(&layer, x.view()).unwrap();
        let mut want = x.dot(&kernel) + &bias;
        activation.apply_rows(want.view_mut());
        assert_close(name, "Dense output", &got, &want, Kind::Layer);
        for row in got.rows() {
            let total: f64 = if name == "log_softmax" {
                row.iter().map(|y| y.exp()).sum()
            } else {
                assert!(row.iter().all(|&y| y >= 0.0), "{name}: {row}");
                row.sum()
            };
            assert!((total - 1.0).abs() < 1e-12, "{name}: a row sums to {total}");
        }
        let mut tied = pre.clone();
        activation.apply_rows(tied.view_mut());
        assert_eq!(tied[[2, 0]], tied[[2, 1]], "{name}: ties stay ties");
    }
}

/// Sparsemax in `f64` by sorting (the paper's algorithm): the reference
/// of the random-row test.
fn sparsemax_by_sorting(row: &[f64]) -> Vec<f64> {
    let mut sorted = row.to_vec();
    sorted.sort_by(|a, b| b.total_cmp(a));
    let (mut cumulative, mut tau) = (0.0, 0.0);
    for (k, &z) in sorted.iter().enumerate() {
        cumulative += z;
        let candidate = (cumulative - 1.0) / (k + 1) as f64;
        if z > candidate {
            tau = candidate;
        }
    }
    row.iter().map(|&z| (z - tau).max(0.0)).collect()
}

fn sparsemax_matches_sorting_on_random_rows<T: GoldenFloat>(seed: u64) {
    let mut state = seed;
    let mut next = move || {
        // SplitMix64, uniform in [0, 1).
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) >> 11) as f64 / (1_u64 << 53) as f64
    };
    let mut worst = 0.0_f64;
    for case in 0..2000 {
        let n = 1 + (next() * 300.0) as usize;
        let scale = [0.1, 1.0, 10.0, 1e4][(next() * 4.0) as usize];
        let mut row: Vec<T> = (0..n)
            .map(|_| T::from_golden(f64::from(((next() * 2.0 - 1.0) * scale) as f32)))
            .collect();
        if n > 2 && next() < 0.3 {
            row[1] = row[0]; // ties
        }
        let wide: Vec<f64> = row.iter().map(|&v| to_f64(v)).collect();
        let want = sparsemax_by_sorting(&wide);
        neurite::Sparsemax.apply_slice(&mut row);
        let bound = 2.0 * (n as f64 + 2.0) * to_f64(T::epsilon());
        let total: f64 = row.iter().map(|&v| to_f64(v)).sum();
        assert!((total - 1.0).abs() <= bound, "case {case}: sum {total}");
        for (i, (&got, &want)) in row.iter().zip(&want).enumerate() {
            let error = (to_f64(got) - want).abs();
            worst = worst.max(error / to_f64(T::epsilon()));
            assert!(
                error <= bound,
                "case {case} ({n} at scale {scale}), entry {i}: {got:e}, sorting {want:e}"
            );
        }
    }
    println!("{}: sparsemax within {worst:.1} ε of sorting", T::DTYPE);
}

/// Random rows of every length up to 300, at scales from 0.1 to 10^4,
/// with ties: within `(n + 2)·ε` (twice that for `f64`, whose reference
/// rounds as often) of the sorting algorithm in `f64`, and summing to 1.
#[test]
fn sparsemax_matches_sorting_on_random_rows_in_f32_and_f64() {
    sparsemax_matches_sorting_on_random_rows::<f32>(12);
    sparsemax_matches_sorting_on_random_rows::<f64>(64);
}

//! The softmax kernel on blocks of rows, on every path: each row of a
//! block gives the bits it gives alone (a narrow row is summed in one
//! order wherever it is, src/kernels/softmax.rs), rows with NaN or `±inf`
//! leave their neighbours alone, nothing outside the rows is written, and
//! every finite result is within a few ULP of a softmax in `f64`.

use super::property::softmax_reference;
use super::{Rng, paths};

const WIDTHS: std::ops::RangeInclusive<usize> = 1..=40;
const ROW_COUNTS: [usize; 9] = [1, 2, 3, 7, 8, 15, 16, 17, 33];

/// `rows` rows of `width` logits within ±30, with a NaN, a `+inf` and an
/// all-`-inf` row among them when there are enough rows.
fn logits(rng: &mut Rng, rows: usize, width: usize) -> Vec<f64> {
    let mut values: Vec<f64> = (0..rows * width)
        .map(|_| (rng.unit() - 0.5) * 60.0)
        .collect();
    if rows >= 4 {
        values[width + rng.below(width)] = f64::NAN;
        values[2 * width + rng.below(width)] = f64::INFINITY;
        values[3 * width..4 * width].fill(f64::NEG_INFINITY);
    }
    if width > 1 {
        values[rng.below(rows * width)] = f64::NEG_INFINITY;
    }
    values
}

/// Runs `softmax(values, width)` on a block and on each row alone, and
/// checks them against each other and the reference. Allowed: a few
/// roundings and a sum in another order (`(4 + width)·ε`), and the
/// rounding of `x - max`, whose error `e^(x - max)` grows by `|x - max|`.
fn check<T: Copy + PartialEq + std::fmt::Debug>(
    softmax: fn(&mut [T], usize),
    values: &[T],
    width: usize,
    wide: impl Fn(T) -> f64,
    epsilon: f64,
    what: &str,
) {
    let guard = values[0];
    let mut block = [&[guard][..], values, &[guard]].concat();
    let len = values.len();
    softmax(&mut block[1..=len], width);
    assert!(
        block[0] == guard && block[len + 1] == guard,
        "{what}: wrote outside"
    );
    for (r, row) in values.chunks_exact(width).enumerate() {
        let mut alone = row.to_vec();
        softmax(&mut alone, width);
        let together = &block[1 + r * width..][..width];
        let same = alone
            .iter()
            .zip(together)
            .all(|(&a, &b)| wide(a).to_bits() == wide(b).to_bits());
        assert!(
            same,
            "{what}, row {r}: {together:?} in the block, {alone:?} alone"
        );
        let row: Vec<f64> = row.iter().map(|&x| wide(x)).collect();
        let want = softmax_reference(&row);
        let max = row.iter().fold(f64::NEG_INFINITY, |m, &x| m.max(x));
        for ((&y, &w), &x) in together.iter().zip(&want).zip(&row) {
            let allowed = w * epsilon * (4.0 + width as f64 + (x - max).abs());
            let ok = if w.is_nan() {
                wide(y).is_nan()
            } else {
                wide(y) == w || (wide(y) - w).abs() <= allowed
            };
            assert!(ok, "{what}, row {r}: {y:?}, reference {w:e}");
        }
    }
}

#[test]
fn softmax_rows_give_each_row_its_bits_alone_on_every_path() {
    let mut rng = Rng(0x0050_f73a);
    for (name, path) in paths() {
        for width in WIDTHS {
            for rows in ROW_COUNTS {
                let values = logits(&mut rng, rows, width);
                let what = format!("{name}, {rows} rows of {width}");
                let narrow: Vec<f32> = values.iter().map(|&x| x as f32).collect();
                let epsilon = f64::from(f32::EPSILON);
                check(path.f32.softmax, &narrow, width, f64::from, epsilon, &what);
                check(path.f64.softmax, &values, width, |x| x, f64::EPSILON, &what);
            }
        }
    }
}

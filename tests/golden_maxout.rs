//! Every case of `maxout.json`: output, every piece and the winning piece,
//! parameter count.

mod common;

use common::{
    GoldenFloat, Kind, array2, array3, assert_close, count, for_each_case, index_array2, load, name,
};
use neurite::{Layer, Maxout, Sequential};
use serde_json::Value;

#[test]
fn every_maxout_case_matches_the_reference() {
    let file = load("maxout.json");
    let checked = for_each_case(&file, check_case::<f32>, check_case::<f64>);
    assert_eq!(checked, 8);
}

fn check_case<T: GoldenFloat>(case: &Value) {
    let case_name = name(case);
    let (inputs, expected) = (&case["inputs"], &case["expected"]);
    let x = array2::<T>(&inputs["x"]);
    let layer = Maxout::new(array3::<T>(&inputs["W"]), array2::<T>(&inputs["b"])).unwrap();
    assert_eq!(layer.pieces(), count(&case["k"]));
    assert_eq!(layer.output_width(), count(&case["units"]));
    assert_eq!(layer.param_count(), count(&expected["param_count"]));

    let output = layer.forward(x.view()).unwrap();
    assert_close(
        case_name,
        "output",
        &output,
        &array2(&expected["output"]),
        Kind::Layer,
    );

    let (pieces, winners) = layer.pieces_and_winners(x.view()).unwrap();
    assert_close(
        case_name,
        "pieces",
        &pieces,
        &array3(&expected["pieces"]),
        Kind::Layer,
    );
    assert_eq!(
        winners,
        index_array2(&expected["argmax"]),
        "{case_name}: argmax"
    );
    for ((row, unit), &winner) in winners.indexed_iter() {
        assert_eq!(
            output[[row, unit]],
            pieces[[winner, row, unit]],
            "{case_name}: winner"
        );
    }

    // In a model the layer gives the same output and count.
    let mut model = Sequential::new();
    model.add(layer.clone()).unwrap();
    assert_eq!(
        model.forward(&x).unwrap(),
        output,
        "{case_name}: in a Sequential"
    );
    assert_eq!(model.param_count(), layer.param_count());
}

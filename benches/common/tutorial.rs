//! The tutorial's model 2, Dense(2 → 1, relu) then Dense(1 → 1, sigmoid),
//! with the Keras weights of the README, and its eight rows of inputs.

use ndarray::{Array2, array};
use neurite::{Dense, Relu, Sequential, Sigmoid};

/// The tutorial's model 2 with its Keras weights.
pub fn model() -> Sequential<f32> {
    let mut model = Sequential::new();
    model
        .add(
            Dense::new(
                array![[0.110_753_78_f32], [-0.379_753_95]],
                array![0.003_162_24],
                Relu,
            )
            .unwrap(),
        )
        .unwrap()
        .add(Dense::new(array![[-0.608_115_26_f32]], array![0.003_162_27], Sigmoid).unwrap())
        .unwrap();
    model
}

/// The tutorial's eight rows of inputs.
pub fn x() -> Array2<f32> {
    array![
        [1.0, 1.0],
        [2.0, 0.0],
        [1.0, 0.0],
        [1.0, 1.0],
        [2.0, 0.0],
        [1.0, 0.0],
        [3.0, 1.0],
        [4.0, 1.0]
    ]
}

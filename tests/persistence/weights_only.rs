use super::*;

// ------------------------------------------------------------ weights only

#[test]
fn weights_round_trip_into_a_model_of_the_same_architecture() {
    let trained = every_layer::<f64>();
    let path = temp_path("weights.safetensors");
    let _cleanup = Cleanup(&path);
    trained.save_weights(&path).unwrap();
    let mut fresh = trained.spec().unwrap().build::<f64>(1234).unwrap();
    assert_ne!(fresh.get_weights(), trained.get_weights());
    fresh.load_weights(&path).unwrap();
    assert_bit_identical(&trained, &fresh);

    // A weights file is not a model file, and says so.
    match Sequential::<f64>::load(&path) {
        Err(Error::Format { found, .. }) => assert!(found.contains("weights-only"), "{found}"),
        other => panic!("{other:?}"),
    }
    // A model file holds the same tensors, so load_weights takes it too.
    trained.save(&path).unwrap();
    let mut again = trained.spec().unwrap().build::<f64>(99).unwrap();
    again.load_weights(&path).unwrap();
    assert_eq!(again.get_weights(), trained.get_weights());
}

#[test]
fn load_weights_checks_shapes_and_dtype_and_changes_nothing_on_error() {
    let path = temp_path("weights-check.safetensors");
    let _cleanup = Cleanup(&path);
    let mut small = Sequential::<f32>::new();
    small.add(Dense::glorot(3, 2, Relu, 0).unwrap()).unwrap();
    small.save_weights(&path).unwrap();

    let mut wider = Sequential::<f32>::new();
    wider.add(Dense::glorot(3, 4, Relu, 0).unwrap()).unwrap();
    let before = wider.get_weights();
    assert!(matches!(
        wider.load_weights(&path),
        Err(Error::ShapeMismatch { .. })
    ));
    assert_eq!(wider.get_weights(), before);

    let mut deeper = Sequential::<f32>::new();
    deeper
        .add(Dense::glorot(3, 2, Relu, 0).unwrap())
        .unwrap()
        .add(Dense::glorot(2, 1, Sigmoid, 0).unwrap())
        .unwrap();
    let before = deeper.get_weights();
    assert!(matches!(
        deeper.load_weights(&path),
        Err(Error::Format { .. })
    ));
    assert_eq!(deeper.get_weights(), before);

    let mut wide_type = Sequential::<f64>::new();
    wide_type
        .add(Dense::glorot(3, 2, Relu, 0).unwrap())
        .unwrap();
    let before = wide_type.get_weights();
    match wide_type.load_weights(&path) {
        Err(Error::Format { what, .. }) => assert!(what.contains("dtype"), "{what}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(wide_type.get_weights(), before);
}

/// A layer neurite cannot describe: y = x (no weights of its own but one
/// scale array, to be saved by save_weights).
#[derive(Debug, Clone)]
struct Scale(Array1<f32>);

impl Layer<f32> for Scale {
    fn input_width(&self) -> usize {
        self.0.len()
    }
    fn output_width(&self) -> usize {
        self.0.len()
    }
    fn pre_activation_into(
        &self,
        x: ArrayView2<'_, f32>,
        mut out: ArrayViewMut2<'_, f32>,
    ) -> Result<(), Error> {
        out.assign(&(&x * &self.0));
        Ok(())
    }
    fn weight_shapes(&self) -> Vec<Vec<usize>> {
        vec![vec![self.0.len()]]
    }
    fn visit_weights(&self, f: &mut dyn FnMut(&[f32])) {
        f(self.0.as_slice().unwrap())
    }
    fn visit_weights_mut(&mut self, f: &mut dyn FnMut(&mut [f32])) {
        f(self.0.as_slice_mut().unwrap())
    }
    fn backward_affine(
        &self,
        _: ArrayView2<'_, f32>,
        _: ArrayViewMut2<'_, f32>,
        _: ArrayView2<'_, f32>,
        _: &mut [f32],
        _: Option<ArrayViewMut2<'_, f32>>,
    ) -> Result<(), Error> {
        Ok(())
    }
}

#[test]
fn custom_layers_and_activations_cannot_be_saved_but_their_weights_can() {
    let mut custom_layer = Sequential::<f32>::new();
    custom_layer
        .add(Dense::glorot(2, 3, Relu, 0).unwrap())
        .unwrap()
        .add(Scale(array![1.0, 2.0, 3.0]))
        .unwrap();
    assert_eq!(
        custom_layer.to_bytes(),
        Err(Error::UnsupportedLayer {
            index: 1,
            class_name: "Scale".into(),
            activation: "linear".into()
        })
    );
    let mut custom_activation = Sequential::<f32>::new();
    custom_activation
        .add(Dense::glorot(2, 3, Softplus, 0).unwrap())
        .unwrap();
    let error = custom_activation.spec().unwrap_err();
    assert_eq!(
        error,
        Error::UnsupportedLayer {
            index: 0,
            class_name: "Dense".into(),
            activation: "custom".into()
        }
    );
    assert!(error.to_string().contains("cannot be saved"));

    // save_weights works for any model; a custom layer's arrays are
    // layers.{i}.weights.{j}.
    let path = temp_path("custom-weights.safetensors");
    let _cleanup = Cleanup(&path);
    custom_layer.save_weights(&path).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let tensors = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let mut names = tensors.names();
    names.sort();
    assert_eq!(
        names,
        ["layers.0.bias", "layers.0.kernel", "layers.1.weights.0"]
    );
    let mut copy = Sequential::<f32>::new();
    copy.add(Dense::glorot(2, 3, Relu, 9).unwrap())
        .unwrap()
        .add(Scale(array![0.0, 0.0, 0.0]))
        .unwrap();
    copy.load_weights(&path).unwrap();
    assert_eq!(copy.get_weights(), custom_layer.get_weights());
}

#[test]
fn non_finite_activation_parameters_are_refused_on_save() {
    let mut model = Sequential::<f32>::new();
    model
        .add(Dense::glorot(2, 1, LeakyRelu::new(f32::NAN), 0).unwrap())
        .unwrap();
    assert!(matches!(model.to_bytes(), Err(Error::Format { .. })));
    let mut model = Sequential::<f64>::new();
    model
        .add(Dense::glorot(2, 1, Elu::new(f64::INFINITY), 0).unwrap())
        .unwrap();
    assert!(matches!(model.to_bytes(), Err(Error::Format { .. })));
}

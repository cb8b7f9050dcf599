//! A linear stack of layers, like Keras's `Sequential`: the type, adding
//! layers and counting them. The forward pass, evaluation, the summary and
//! the weights in Keras's order are in the submodules.

mod evaluate;
mod forward;
mod summary;
mod training_buffers;
mod weights;
mod workspace;

pub use evaluate::Evaluation;
pub use summary::Summary;
pub use workspace::Workspace;

pub(crate) use training_buffers::{LayerBuffers, TrainingWorkspace};

use crate::Element;
use crate::error::{Error, check_not_empty, check_width};
use crate::layer::Layer;
use crate::loss::Loss;
use ndarray::{ArrayBase, Data, Ix2};

/// A model that feeds each layer's output to the next.
///
/// Widths are checked when a layer is added, so a model that was built can
/// always run on a batch with the right number of columns.
///
/// # Example
///
/// The tutorial's second model: a ReLU unit feeding a sigmoid unit.
///
/// ```
/// use ndarray::array;
/// use neurite::{Dense, Relu, Sequential, Sigmoid};
///
/// let mut model = Sequential::new();
/// model
///     .add(Dense::new(array![[0.11075378_f32], [-0.37975395]], array![0.00316224], Relu)?)?
///     .add(Dense::new(array![[-0.60811526_f32]], array![0.00316227], Sigmoid)?)?;
/// assert_eq!(model.param_count(), 3 + 2);
///
/// let x = array![[1.0_f32, 1.0], [2.0, 0.0]];
/// let y = model.forward(&x)?;
/// assert_eq!(y.dim(), (2, 1));
/// assert!((y[[0, 0]] - 0.5007906).abs() < 1e-6);
/// # Ok::<(), neurite::Error>(())
/// ```
#[derive(Debug)]
pub struct Sequential<T: Element> {
    pub(crate) layers: Vec<Box<dyn Layer<T>>>,
    /// Buffers reused by training steps (sized by [`crate::train`]).
    pub(crate) training: TrainingWorkspace<T>,
    /// The loss of `evaluate`, `train_step` and `fit`.
    pub(crate) loss: Loss,
}

impl<T: Element> Default for Sequential<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Element> Sequential<T> {
    /// An empty model.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::Sequential;
    ///
    /// let model = Sequential::<f32>::new();
    /// assert!(model.is_empty());
    /// ```
    pub fn new() -> Self {
        Self {
            layers: Vec::new(),
            training: Default::default(),
            loss: Loss::default(),
        }
    }

    /// Chooses the loss that [`evaluate`](Sequential::evaluate),
    /// [`train_step`](Sequential::train_step), [`gradients`](Sequential::gradients)
    /// and [`fit`](Sequential::fit) use, as Keras's
    /// `model.compile(loss=...)`; the accuracy they report follows it (see
    /// [`Accuracy::for_loss`](crate::metrics::Accuracy::for_loss)). A model
    /// that was never compiled uses binary cross-entropy.
    ///
    /// As in Keras, a model whose last layer ends in a softmax computes
    /// categorical and sparse categorical cross-entropy from the logits
    /// (the stable log-softmax, without clipping), and one that ends in a
    /// sigmoid computes binary cross-entropy from the logits.
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::array;
    /// use neurite::loss::Loss;
    /// use neurite::{Dense, Sequential, Softmax};
    ///
    /// let mut model = Sequential::new();
    /// model.add(Dense::new(array![[1.0_f64, -1.0, 0.0]], array![0.0, 0.0, 0.0], Softmax)?)?;
    /// model.compile("sparse_categorical_crossentropy".parse::<Loss>()?);
    /// let evaluation = model.evaluate(&array![[2.0], [0.0]], &array![[0.0], [2.0]])?;
    /// assert_eq!(evaluation.accuracy, 0.5); // the first row's arg-max is 0; the second's too
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn compile(&mut self, loss: Loss) -> &mut Self {
        self.loss = loss;
        self
    }

    /// The loss chosen by [`compile`](Sequential::compile).
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::loss::Loss;
    /// use neurite::Sequential;
    ///
    /// assert_eq!(Sequential::<f32>::new().loss(), Loss::binary_crossentropy());
    /// ```
    pub fn loss(&self) -> Loss {
        self.loss
    }

    /// Appends a layer, checking that it takes as many inputs as the
    /// previous layer gives; a layer whose width follows its input
    /// ([`Dropout`](crate::Dropout), [`ActivationLayer`](crate::layer::ActivationLayer))
    /// takes the previous layer's. Returns the model, so calls can be
    /// chained.
    ///
    /// # Errors
    ///
    /// [`Error::WidthMismatch`] when the widths do not fit (or a first
    /// layer has none); the model is left unchanged.
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::{Array1, Array2};
    /// use neurite::{Dense, Error, Relu, Sequential};
    ///
    /// let mut model = Sequential::new();
    /// model.add(Dense::new(Array2::<f32>::zeros((2, 4)), Array1::zeros(4), Relu)?)?;
    /// let wrong = model.add(Dense::new(Array2::<f32>::zeros((3, 1)), Array1::zeros(1), Relu)?);
    /// assert!(matches!(wrong, Err(Error::WidthMismatch { expected: 4, found: 3, .. })));
    /// assert_eq!(model.len(), 1);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn add<L: Layer<T> + 'static>(&mut self, layer: L) -> Result<&mut Self, Error> {
        self.add_boxed(Box::new(layer))
    }

    /// [`add`](Sequential::add) for a layer already boxed: what a model
    /// built from a description ([`crate::io::ModelSpec`]) adds.
    pub(crate) fn add_boxed(&mut self, mut layer: Box<dyn Layer<T>>) -> Result<&mut Self, Error> {
        let index = self.layers.len();
        let what = |layer: &dyn Layer<T>| format!("layer {index} ({})", layer.class_name());
        match self.layers.last() {
            Some(previous) => {
                if layer.input_width() == 0 {
                    layer.adopt_width(previous.output_width());
                }
                check_width(
                    &what(layer.as_ref()),
                    previous.output_width(),
                    layer.input_width(),
                )?;
            }
            None if layer.input_width() == 0 => {
                let expected = "a first layer with a width (with_width)";
                return Err(Error::InvalidParameter {
                    name: "input width",
                    expected,
                    found: format!("{}: 0", what(layer.as_ref())),
                });
            }
            None => {}
        }
        self.layers.push(layer);
        Ok(self)
    }

    /// The number of layers.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::Sequential;
    ///
    /// assert_eq!(Sequential::<f64>::new().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.layers.len()
    }

    /// Whether the model has no layers.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::Sequential;
    ///
    /// assert!(Sequential::<f64>::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }

    /// The layers, first to last.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::{Dense, Layer, Relu, Sequential};
    ///
    /// let mut model = Sequential::<f32>::new();
    /// model.add(Dense::glorot(3, 2, Relu, 0)?)?;
    /// let widths: Vec<_> = model.layers().map(|l| l.output_width()).collect();
    /// assert_eq!(widths, [2]);
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn layers(&self) -> impl Iterator<Item = &dyn Layer<T>> {
        self.layers.iter().map(|layer| layer.as_ref())
    }

    /// The number of parameters of all layers, trainable and not (Keras's
    /// "Total params").
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::{Dense, Relu, Sequential, Sigmoid};
    ///
    /// let mut model = Sequential::<f32>::new();
    /// model.add(Dense::glorot(2, 1, Relu, 0)?)?.add(Dense::glorot(1, 1, Sigmoid, 1)?)?;
    /// assert_eq!(model.param_count(), 5);
    /// assert_eq!(model.layer_param_counts(), [3, 2]);
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn param_count(&self) -> usize {
        self.layers.iter().map(|layer| layer.param_count()).sum()
    }

    /// The number of trainable parameters of all layers (Keras's
    /// "Trainable params"): the ones training updates.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::{BatchNormalization, Dense, Relu, Sequential};
    ///
    /// let mut model = Sequential::<f32>::new();
    /// model.add(Dense::glorot(2, 3, Relu, 0)?)?.add(BatchNormalization::new(3)?)?;
    /// assert_eq!(model.param_count(), 9 + 12);
    /// assert_eq!(model.trainable_param_count(), 9 + 6);
    /// assert_eq!(model.non_trainable_param_count(), 6);
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn trainable_param_count(&self) -> usize {
        self.layers
            .iter()
            .map(|layer| layer.trainable_param_count())
            .sum()
    }

    /// The number of parameters training leaves alone (Keras's
    /// "Non-trainable params": batch normalisation's moving statistics).
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::{BatchNormalization, Sequential};
    ///
    /// let mut model = Sequential::<f64>::new();
    /// model.add(BatchNormalization::new(4)?)?;
    /// assert_eq!(model.non_trainable_param_count(), 8);
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn non_trainable_param_count(&self) -> usize {
        self.param_count() - self.trainable_param_count()
    }

    /// The number of parameters of each layer, trainable and not, first to
    /// last.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::{Maxout, Sequential};
    ///
    /// let mut model = Sequential::<f32>::new();
    /// model.add(Maxout::glorot(2, 2, 1, 0)?)?;
    /// assert_eq!(model.layer_param_counts(), [2 * (2 + 1)]);
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn layer_param_counts(&self) -> Vec<usize> {
        self.layers
            .iter()
            .map(|layer| layer.param_count())
            .collect()
    }

    pub(crate) fn check_input<S: Data<Elem = T>>(
        &self,
        x: &ArrayBase<S, Ix2>,
    ) -> Result<(), Error> {
        let first = self.layers.first().ok_or(Error::EmptyModel)?;
        if x.nrows() > 0 && x.ncols() == first.input_width() {
            // Every forward pass comes here: no calls on the happy path.
            return Ok(());
        }
        check_not_empty("input batch", x.nrows())?;
        check_width("input batch", first.input_width(), x.ncols())
    }
}

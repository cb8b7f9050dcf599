use super::*;

// ---------------------------------------------------------------------------
// Batches in every memory layout

/// How a batch's values are laid out in memory.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Layout {
    RowMajor,
    /// The transpose of a column-major block.
    Transposed,
    /// Every other column of a wider block.
    Strided,
    /// Rows and columns reversed: negative strides.
    Reversed,
    /// One row repeated: a row stride of 0.
    Broadcast,
    /// One row repeated [`TALL_ROWS`] times: several blocks of `Dense`'s
    /// fused pass, several `Maxout` tiles and the `gemm` path.
    Tall,
}

/// Rows of a [`Layout::Tall`] batch: more than `Dense` puts in one block
/// (256 KiB of output) from 4 units of `f32` or 2 of `f64` on.
pub(crate) const TALL_ROWS: usize = 16_500;

/// The layouts a batch of training data may have (tall batches would make
/// `fit` slow in a debug build).
pub(crate) const SMALL_LAYOUTS: &[Layout] = &[
    Layout::RowMajor,
    Layout::Transposed,
    Layout::Strided,
    Layout::Reversed,
    Layout::Broadcast,
];

/// Every layout, tall batches included.
pub(crate) const ALL_LAYOUTS: &[Layout] = &[
    Layout::RowMajor,
    Layout::Transposed,
    Layout::Strided,
    Layout::Reversed,
    Layout::Broadcast,
    Layout::Tall,
];

/// A `(rows, cols)` batch stored in one of the layouts.
#[derive(Clone)]
pub(crate) struct Batch<T> {
    pub(crate) rows: usize,
    pub(crate) cols: usize,
    pub(crate) layout: Layout,
    pub(crate) storage: Array2<T>,
}

impl<T: Debug> Debug for Batch<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Batch {}×{} {:?} {:?}",
            self.rows,
            self.cols,
            self.layout,
            self.storage.as_slice_memory_order().unwrap_or(&[])
        )
    }
}

impl<T: neurite::Element> Batch<T> {
    pub(crate) fn view(&self) -> ArrayView2<'_, T> {
        match self.layout {
            Layout::RowMajor => self.storage.view(),
            Layout::Transposed => self.storage.t(),
            Layout::Strided => self.storage.slice(s![.., ..;2]),
            Layout::Reversed => self.storage.slice(s![..;-1, ..;-1]),
            Layout::Broadcast | Layout::Tall => self
                .storage
                .broadcast((self.rows, self.cols))
                .expect("one row broadcasts to any number of rows"),
        }
    }

    /// A writable view of the same shape (a broadcast batch is copied into
    /// a row-major one first).
    pub(crate) fn view_mut(&mut self) -> ArrayViewMut2<'_, T> {
        if matches!(self.layout, Layout::Broadcast | Layout::Tall) {
            self.storage = self.view().to_owned();
            self.layout = Layout::RowMajor;
        }
        match self.layout {
            Layout::Transposed => self.storage.view_mut().reversed_axes(),
            Layout::Strided => self.storage.slice_mut(s![.., ..;2]),
            Layout::Reversed => self.storage.slice_mut(s![..;-1, ..;-1]),
            _ => self.storage.view_mut(),
        }
    }
}

/// A `(rows, cols)` batch in the given layout, its values from `values`.
pub(crate) fn batch<T: neurite::Element>(
    rows: usize,
    cols: usize,
    layout: Layout,
    values: BoxedStrategy<T>,
) -> impl Strategy<Value = Batch<T>> {
    let (rows, storage) = match layout {
        Layout::RowMajor | Layout::Reversed => (rows, (rows, cols)),
        Layout::Transposed => (rows, (cols, rows)),
        Layout::Strided => (rows, (rows, 2 * cols)),
        Layout::Broadcast => (rows, (1, cols)),
        Layout::Tall => (TALL_ROWS, (1, cols)),
    };
    array(ndarray::Ix2(storage.0, storage.1), values).prop_map(move |storage| Batch {
        rows,
        cols,
        layout,
        storage,
    })
}

/// A number of rows: sometimes 0.
pub(crate) fn rows() -> impl Strategy<Value = usize> {
    prop_oneof![1 => Just(0_usize), 8 => 1..=6_usize]
}

/// Inputs `x` for a model taking `inputs` features and labels `y` for its
/// `outputs` units: sometimes of the wrong shape, in a quarter of the cases
/// with labels outside `[0, 1]`. Tall inputs come with tall labels.
pub(crate) fn data<T: neurite::Element>(
    inputs: usize,
    outputs: usize,
    layouts: &'static [Layout],
    special_weight: u32,
) -> impl Strategy<Value = (Batch<T>, Batch<T>)> {
    let odd_rows = prop_oneof![19 => Just(None), 1 => (0..=6_usize).prop_map(Some)];
    let layouts = (select(layouts), select(SMALL_LAYOUTS));
    let wild_labels = prop::bool::weighted(0.25);
    (
        rows(),
        mostly(inputs),
        mostly(outputs),
        odd_rows,
        layouts,
        wild_labels,
    )
        .prop_flat_map(
            move |(rows, x_cols, y_cols, odd_rows, (x_layout, y_layout), wild_labels)| {
                let y_layout = if x_layout == Layout::Tall {
                    x_layout
                } else {
                    y_layout
                };
                let labels = if wild_labels {
                    label::<T>()
                } else {
                    valid_label::<T>()
                };
                (
                    batch(rows, x_cols, x_layout, value::<T>(special_weight)),
                    batch(odd_rows.unwrap_or(rows), y_cols, y_layout, labels),
                )
            },
        )
}

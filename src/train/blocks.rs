//! The row blocks of a training step.
//!
//! A large batch is cut into blocks of rows; each layer runs its training
//! forward pass, its activation's backward pass and its affine backward
//! pass block by block. With the `rayon` feature the blocks run on rayon's
//! thread pool, without it one after another. The cut depends only on the
//! batch size and the layer (never on the number of threads), every block
//! computes exactly what it computes alone, and the blocks' weight
//! gradients are summed in block order, so a step gives bit-identical
//! results with or without the feature and on any number of threads.
//!
//! Why the weight gradient `xᵀ·δ` is split over batch rows, with one partial
//! gradient per block summed afterwards, rather than over the rows of the
//! kernel (which would need no sum): every block then packs only its own
//! rows of `x` and `δ` for the matrix product, where a split over kernel
//! rows makes each part pack all of `δ`. With blocks of at least
//! [`MIN_BLOCK_ROWS`] rows the partial sums cost a few per cent of the
//! product, and the layers need no method beyond their `backward_affine`.

use crate::Element;
use crate::error::Error;
use crate::precision::{Accumulator, is_narrow};
use ndarray::{ArrayView2, ArrayViewMut2, Axis};

/// Fewest rows in a block: below this a block's share of the weight
/// gradient no longer outweighs adding its partial gradient to the total.
const MIN_BLOCK_ROWS: usize = 512;

/// Most blocks per layer, which bounds the partial gradients kept.
const MAX_BLOCKS: usize = 8;

/// Multiply-adds of a layer's forward pass (rows × parameters) below which
/// the whole batch is one block: smaller layers cost less than sharing the
/// work between threads does.
const MIN_PARALLEL_WORK: usize = 1 << 22;

/// How a layer's batch is cut: `count` blocks of `block_rows` rows, the
/// last one possibly shorter.
#[derive(Debug, Clone, Copy)]
pub(super) struct Partition {
    pub(super) count: usize,
    block_rows: usize,
}

impl Partition {
    /// The blocks of a batch of `rows` rows for a layer with `parameters`
    /// parameters (its multiply-adds per row).
    pub(super) fn new(rows: usize, parameters: usize) -> Self {
        let count = if rows.saturating_mul(parameters) < MIN_PARALLEL_WORK {
            1
        } else {
            (rows / MIN_BLOCK_ROWS).clamp(1, MAX_BLOCKS)
        };
        Self {
            count,
            block_rows: rows.div_ceil(count).max(1),
        }
    }

    /// The batch of `rows` rows as one block: for layers whose statistics
    /// are over all rows.
    pub(super) fn whole(rows: usize) -> Self {
        Self {
            count: 1,
            block_rows: rows.max(1),
        }
    }
}

/// The batch row where a block starts: what a layer's random draws are
/// indexed by, so that they do not depend on the cut.
#[derive(Debug, Clone, Copy)]
pub(super) struct FirstRow(pub(super) usize);

impl Split for FirstRow {
    fn split(self, row: usize, _block: usize) -> (Self, Self) {
        (self, Self(self.0 + row))
    }
}

/// Data a task can be given a block of: views cut at a row, gradient slots
/// cut at a block.
pub(super) trait Split: Sized + Send {
    /// The part before block `block` (which starts at row `row`) and the
    /// part from it on.
    fn split(self, row: usize, block: usize) -> (Self, Self);
}

impl<T: Element> Split for ArrayView2<'_, T> {
    fn split(self, row: usize, _block: usize) -> (Self, Self) {
        self.split_at(Axis(0), row)
    }
}

impl<T: Element> Split for ArrayViewMut2<'_, T> {
    fn split(self, row: usize, _block: usize) -> (Self, Self) {
        self.split_at(Axis(0), row)
    }
}

impl<S: Split> Split for Option<S> {
    fn split(self, row: usize, block: usize) -> (Self, Self) {
        match self {
            Some(views) => {
                let (before, after) = views.split(row, block);
                (Some(before), Some(after))
            }
            None => (None, None),
        }
    }
}

impl<A: Split, B: Split> Split for (A, B) {
    fn split(self, row: usize, block: usize) -> (Self, Self) {
        let (a, b) = (self.0.split(row, block), self.1.split(row, block));
        ((a.0, b.0), (a.1, b.1))
    }
}

impl<A: Split, B: Split, C: Split> Split for (A, B, C) {
    fn split(self, row: usize, block: usize) -> (Self, Self) {
        let ((a, b), c) = ((self.0, self.1).split(row, block), self.2.split(row, block));
        ((a.0, a.1, c.0), (b.0, b.1, c.1))
    }
}

impl<A: Split, B: Split, C: Split, D: Split> Split for (A, B, C, D) {
    fn split(self, row: usize, block: usize) -> (Self, Self) {
        let ((a, b), d) = (
            (self.0, self.1, self.2).split(row, block),
            self.3.split(row, block),
        );
        ((a.0, a.1, a.2, d.0), (b.0, b.1, b.2, d.1))
    }
}

/// Where each block writes a layer's weight gradients: the first block
/// into the layer's gradients themselves, every other block into its own
/// partial buffer, added to them by [`sum_partials`].
pub(super) struct GradientSlots<'a, T> {
    first: Option<&'a mut [T]>,
    partials: &'a mut [T],
    len: usize,
}

impl<'a, T> GradientSlots<'a, T> {
    /// Slots for `grads` and the partial buffers of the blocks after the
    /// first (`partials` holds at least that many times `grads.len()`).
    pub(super) fn new(grads: &'a mut [T], partials: &'a mut [T], blocks: usize) -> Self {
        let len = grads.len();
        Self {
            first: Some(grads),
            partials: &mut partials[..(blocks - 1) * len],
            len,
        }
    }

    /// The one slot of a single block.
    pub(super) fn into_slot(self) -> &'a mut [T] {
        self.first.unwrap_or(self.partials)
    }
}

impl<T: Send> Split for GradientSlots<'_, T> {
    fn split(self, _row: usize, block: usize) -> (Self, Self) {
        let partials_before = block - usize::from(self.first.is_some());
        let (before, after) = self.partials.split_at_mut(partials_before * self.len);
        let len = self.len;
        let first = Self {
            first: self.first,
            partials: before,
            len,
        };
        let rest = Self {
            first: None,
            partials: after,
            len,
        };
        (first, rest)
    }
}

/// Runs `task` on every block of `data`, on the thread pool with `rayon`;
/// returns the first error in block order.
pub(super) fn try_for_each_block<D: Split>(
    partition: Partition,
    data: D,
    task: &(impl Fn(D) -> Result<(), Error> + Sync),
) -> Result<(), Error> {
    run_blocks(partition.block_rows, 0..partition.count, data, task)
}

/// [`try_for_each_block`] on the blocks `blocks`: halves them until one
/// is left, so that rayon can hand halves to idle threads.
fn run_blocks<D: Split>(
    block_rows: usize,
    blocks: std::ops::Range<usize>,
    data: D,
    task: &(impl Fn(D) -> Result<(), Error> + Sync),
) -> Result<(), Error> {
    if blocks.len() == 1 {
        return task(data);
    }
    let half = blocks.len() / 2;
    let (before, after) = data.split(half * block_rows, half);
    let middle = blocks.start + half;
    let (first, second) = join(
        || run_blocks(block_rows, blocks.start..middle, before, task),
        || run_blocks(block_rows, middle..blocks.end, after, task),
    );
    first.and(second)
}

/// Adds the partial gradients of blocks `1..` (`partials`, one after
/// another) to the first block's `grads`, in block order for every value
/// (in `f64` for narrow types, see src/precision.rs).
pub(super) fn sum_partials<T: Element>(grads: &mut [T], partials: &[T]) {
    if partials.is_empty() {
        return;
    }
    let len = grads.len();
    let narrow = is_narrow::<T>();
    let sum_chunk = |(chunk, totals): (usize, &mut [T])| {
        let columns = chunk * SUM_CHUNK..chunk * SUM_CHUNK + totals.len();
        let blocks = partials
            .chunks_exact(len)
            .map(|partial| &partial[columns.clone()]);
        if narrow {
            for (i, total) in totals.iter_mut().enumerate() {
                let mut sum = Accumulator::new();
                sum.add(*total);
                blocks.clone().for_each(|partial| sum.add(partial[i]));
                *total = sum.total();
            }
        } else {
            for partial in blocks {
                totals
                    .iter_mut()
                    .zip(partial)
                    .for_each(|(t, &p)| *t = *t + p);
            }
        }
    };
    #[cfg(feature = "rayon")]
    {
        use rayon::iter::{IndexedParallelIterator, ParallelIterator};
        use rayon::slice::ParallelSliceMut;
        grads
            .par_chunks_mut(SUM_CHUNK)
            .enumerate()
            .for_each(sum_chunk);
    }
    #[cfg(not(feature = "rayon"))]
    grads.chunks_mut(SUM_CHUNK).enumerate().for_each(sum_chunk);
}

/// Gradient values per task of [`sum_partials`].
const SUM_CHUNK: usize = 16 * 1024;

/// Both closures, on two threads when rayon has them.
#[cfg(feature = "rayon")]
fn join<A: Send, B: Send>(
    first: impl FnOnce() -> A + Send,
    second: impl FnOnce() -> B + Send,
) -> (A, B) {
    rayon::join(first, second)
}

/// Both closures, one after the other.
#[cfg(not(feature = "rayon"))]
fn join<A, B>(first: impl FnOnce() -> A, second: impl FnOnce() -> B) -> (A, B) {
    (first(), second())
}

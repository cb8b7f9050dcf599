//! Kernels: the only place where the crate uses `unsafe`.

mod matmul;

pub(crate) use matmul::matmul;

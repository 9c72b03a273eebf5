//! Response data: the byte matrix, response codes and the readers that fill it.

pub mod codes;
mod matrix;
pub mod read;

pub use matrix::{DataError, ResponseMatrix};
pub use read::{ReadData, ReadError, ReadOptions, read_csv, write_csv};

//! Reading and writing response data in the project's CSV convention (DESIGN.md §4).
//!
//! A file has a header row naming its columns and one person per line. An empty cell or
//! `NA` means not administered (255); the missing codes 250–254 appear as numbers only when
//! written with raw codes. Which columns hold items, ids, groups, weights and booklets is
//! chosen as with the CLI flags `--items`, `--id`, `--group`, `--weight`, `--booklet`.
//! Gzip-compressed input (`.csv.gz`) is recognised by its first bytes, whatever its name.
//!
//! Person-level columns beside the items (or without them), such as background variables,
//! school and stratum ids, plausible values and replicate weights, are read as text by
//! [`read_table`] from CSV or Parquet, named columns only, missing values as `None`;
//! [`Table::numbers`] reads one of them as numbers. [`column_names`] lists a file's columns,
//! for choosing them by pattern (`PV1`..`PV10`, `W_FSTURWT1`..`W_FSTURWT80`).

mod coder;
mod collect;
mod csv;
mod error;
mod header;
mod parquet;
mod split;
mod table;
mod write;

use super::ResponseMatrix;

pub use self::parquet::{CATEGORY_VALUES_KEY, CODES_KEY, GROUPS_KEY, read_parquet, write_parquet, write_parquet_to};
pub use csv::{read_csv, read_csv_from};
pub use error::{MAX_PROBLEMS, Problem, ReadError};
pub use table::{Table, column_names, read_table};
pub use write::{WriteError, WriteOptions, write_csv, write_csv_to};

/// The header names of the columns that describe persons rather than hold responses.
/// `None` means the file has no such column (reading) or it is not written (writing).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Columns {
    /// Person ids; without it persons are numbered 1, 2, … in file order.
    pub id: Option<String>,
    /// Group membership (e.g. country) for multiple-group calibration.
    pub group: Option<String>,
    /// Sampling weights: finite and ≥ 0.
    pub weight: Option<String>,
    /// The booklet each person took, kept as text.
    pub booklet: Option<String>,
}

/// How item values become the categories 0..K−1 of the byte matrix.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Recode {
    /// As mirt does: each item's observed values, sorted numerically, become 0..K−1, so
    /// Likert 1..4 becomes 0..3 and an unobserved value takes no category. The original
    /// values are kept in [`ReadData::category_values`] for reporting.
    #[default]
    Sorted,
    /// Values already are categories: integers 0..249.
    AsIs,
}

/// What to read from a response file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// Item columns, in the order the matrix takes them; by default every column not named
    /// in `columns`, in file order.
    pub items: Option<Vec<String>>,
    pub columns: Columns,
    /// The group that becomes group 0, the reference group whose latent distribution fixes
    /// the scale; by default the group of the first person.
    pub reference_group: Option<String>,
    /// Item cells may hold the missing codes 250–254 (and 255) as numbers (`--raw-codes`).
    pub raw_codes: bool,
    pub recode: Recode,
}

/// Response data as read: the matrix and what it cannot hold.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadData {
    pub matrix: ResponseMatrix,
    /// Each person's booklet, when a booklet column was read.
    pub booklets: Option<Vec<String>>,
    /// The original value of each category, per item: `category_values[item][category]`,
    /// so outputs can report the values the data came with.
    pub category_values: Vec<Vec<i64>>,
}

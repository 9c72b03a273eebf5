//! Population estimators with replicate × plausible-value standard errors.
//!
//! A [`Sample`] holds the replicate weights (and optionally school ids) and the
//! [`Options`]; each estimator takes an analysis [`Variable`] (plausible values or one
//! observed column) and a [`Grouping`], and returns plain data, one [`Row`] per group,
//! for `reports` to render. Every statistic is computed on each plausible value with the
//! full-sample weights and with each replicate's, then combined by Rubin's rules
//! (DESIGN.md §5; `rubin.rs`).
//!
//! Conventions, the same in every estimator:
//! - A NaN in an analysis variable is a missing value: the student is left out of that
//!   statistic (out of every plausible value, so all PVs use the same students) and the
//!   reported counts are of the students used.
//! - A cell with fewer students or schools than [`Options`] asks keeps its counts but gets
//!   no estimate (`suppressed`).
//! - Shares and the gradient's strength are percentages; R² and the ICC are proportions.
//! - Each group × plausible value is computed on one thread and results are gathered in
//!   order: the same bits whatever the thread count.
//!
//! Where each statistic is: mean, SD, percentiles and level shares in
//! `distribution.rs` (definitions on [`Statistic`]), tables and differences in
//! `table.rs`, between rounds in `rounds.rs`, correlation, regression and gradient in
//! `regression.rs`, the two-level model in `twolevel.rs`.

mod distribution;
mod error;
mod input;
mod moments;
mod output;
mod regression;
mod rounds;
mod rubin;
mod sample;
mod statistic;
mod table;
mod twolevel;

pub use error::EstimateError;
pub use input::{Grouping, Subset, Variable};
pub use output::{Counts, Difference, Estimate, Gradient, RegressionFit, RoundDifference, Row, Table, TwoLevelFit};
pub use rounds::between_rounds;
pub use sample::{Options, Sample};
pub use statistic::{Levels, Statistic};

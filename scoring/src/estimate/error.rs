//! What can be wrong with an estimator's input. Every check happens before any
//! arithmetic, so a bad call fails fast with a message naming the culprit instead of
//! producing NaN estimates somewhere in a table.

/// Bad input to a population estimator.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EstimateError {
    #[error("the sample has no students")]
    Empty,
    #[error("the weights have no replicates: standard errors need replicate weights")]
    NoReplicates,
    #[error("{what} has {found} rows but the sample has {expected} students")]
    Length {
        what: String,
        found: usize,
        expected: usize,
    },
    #[error("the full-sample weight of student {row} is {value}: weights must be finite and not negative")]
    BadWeight { row: usize, value: f64 },
    #[error("the weight of student {row} in replicate {replicate} is {value}: weights must be finite and not negative")]
    BadReplicateWeight { replicate: usize, row: usize, value: f64 },
    #[error("the replicate variance factor is {0}: it must be finite and positive")]
    BadFactor(f64),
    #[error("the replicate degrees of freedom are {0}: they must be finite and positive")]
    BadDegreesOfFreedom(f64),
    #[error("the confidence level is {0}: it must lie strictly between 0 and 1")]
    BadConfidence(f64),
    #[error("{what} has no columns")]
    NoColumns { what: String },
    #[error("{what} of student {row} is {value}: values must be finite (NaN marks a missing value)")]
    NotFinite { what: String, row: usize, value: f64 },
    #[error(
        "the variables have {first} and {second} plausible values: they must have the same number, \
         or one must be a single observed column"
    )]
    DrawsMismatch { first: usize, second: usize },
    #[error("the grouping has no groups")]
    NoGroups,
    #[error("student {row} has group code {code} but the grouping has only {groups} labels")]
    UnknownGroupCode { row: usize, code: u32, groups: usize },
    #[error("group `{label}` has no students")]
    EmptyGroup { label: String },
    #[error("group index {index} is out of range: the grouping has {groups} groups")]
    NoSuchGroup { index: usize, groups: usize },
    #[error("no statistics were requested")]
    NoStatistics,
    #[error("percentile {0} is outside 0..=100")]
    BadPercentile(f64),
    #[error("share bounds [{at_least:?}, {below:?}) must be finite with the lower bound below the upper")]
    BadShare { at_least: Option<f64>, below: Option<f64> },
    #[error("cut scores {0:?} must be finite and strictly increasing, at least one")]
    BadCuts(Vec<f64>),
    #[error("a regression needs at least one predictor")]
    NoPredictors,
    #[error("the two-level model needs school ids")]
    NoSchools,
    #[error("the linking error is {0}: it must be finite and not negative")]
    BadLinkingError(f64),
    #[error("{what}: expected {expected} values, found {found}")]
    Shape {
        what: String,
        expected: usize,
        found: usize,
    },
}

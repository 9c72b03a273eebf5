//! Everything that can be wrong with a frame, a sample, a weighting request or imported
//! weights. Each message names the unit (school, student, stratum, cell, row and column)
//! so the person who prepared the data can find it; nothing in the survey module panics
//! on user input.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Which weighting pass an error happened in: the full sample or one replicate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Pass {
    Full,
    /// Replicate index, 0-based (messages count from 1, as replicate weight columns do).
    Replicate(usize),
}

impl fmt::Display for Pass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Pass::Full => write!(f, "full sample"),
            Pass::Replicate(r) => write!(f, "replicate {}", r + 1),
        }
    }
}

/// The sampling stage a non-response cell belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Level {
    School,
    Student,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::School => "school",
            Level::Student => "student",
        })
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SurveyError {
    // The frame and the school sample.
    #[error("the sampling frame has no schools")]
    EmptyFrame,
    #[error("school {school}: measure of size {mos} must be finite and positive")]
    BadMeasureOfSize { school: u64, mos: f64 },
    #[error("school {0} appears more than once")]
    DuplicateSchool(u64),
    #[error("the allocation names stratum `{0}`, which the frame does not have")]
    UnknownStratum(String),
    #[error("stratum `{0}` has no allocation; every stratum of the frame needs at least one school")]
    MissingAllocation(String),
    #[error("stratum `{stratum}`: {requested} schools requested, the frame has {available}")]
    AllocationTooLarge {
        stratum: String,
        requested: usize,
        available: usize,
    },

    // Students within schools.
    #[error("school {0}: the roster is empty")]
    EmptyRoster(u64),
    #[error("school {school}: student {student} appears more than once")]
    DuplicateStudent { school: u64, student: u64 },
    #[error("school {0}: asked to take zero students or classes")]
    NothingToTake(u64),

    // Subject sub-sampling.
    #[error("subject sub-sampling: each student takes {per_student} of {subjects} subjects; it needs 1 ≤ k < n")]
    BadSubjectDesign { subjects: usize, per_student: usize },
    #[error(
        "school {school}, student {student}: subjects {taken:?} do not fit the design ({per_student} distinct of 0..{subjects})"
    )]
    BadSubjects {
        school: u64,
        student: u64,
        taken: Vec<usize>,
        subjects: usize,
        per_student: usize,
    },
    #[error("subject {subject} is not in the design (subjects 0..{subjects})")]
    UnknownSubject { subject: usize, subjects: usize },
    #[error("the sample has no subject sub-sampling")]
    NoSubjectDesign,

    // The assembled sample.
    #[error("school {school}: selection probability {prob} must be in (0, 1]")]
    BadSchoolProbability { school: u64, prob: f64 },
    #[error("school {0} is marked as a certainty school but its selection probability is not 1")]
    CertaintyNotOne(u64),
    #[error("stratum `{0}` of a school has no summary in the school sample")]
    StratumWithoutSummary(String),
    #[error("school {school}, student {student}: selection probability {prob} must be in (0, 1]")]
    BadStudentProbability { school: u64, student: u64, prob: f64 },
    #[error("student {student} belongs to school {school}, which is not a participating school of the sample")]
    StudentOutsideSample { school: u64, student: u64 },
    #[error("school {0} participates but none of its students was assessed; mark it as not participating")]
    NoAssessedStudents(u64),

    // Weighting.
    #[error("{pass}: {level} non-response cell `{cell}` has eligible weight but no responding {level}; collapse cells")]
    EmptyResponseCell { pass: Pass, level: Level, cell: String },
    #[error("trimming multiple {0} must be finite and greater than 1")]
    BadTrimMultiple(f64),
    #[error("trimming in `{domain}`: a total of {total} cannot be kept with every weight at most {cap}")]
    TrimInfeasible { domain: String, total: f64, cap: f64 },
    #[error("no population total given for stratum `{0}`")]
    MissingTotal(String),
    #[error("population total {total} for stratum `{stratum}` must be finite and positive")]
    BadTotal { stratum: String, total: f64 },
    #[error("{pass}: `{stratum}` has no weight left to scale to its population total")]
    NoWeightForTotal { pass: Pass, stratum: String },

    // Replication.
    #[error(
        "school {0} represents itself but has a single variance unit (student or class); its sampling variance cannot be estimated"
    )]
    LoneUnitInSchool(u64),
    #[error(
        "stratum `{0}` has the only sampled school that is not a certainty school; it has no partner to form a zone"
    )]
    LoneSchool(String),
    #[error(
        "the sample has {0} variance unit(s); replication needs at least two (a census of schools and students has no sampling variance)"
    )]
    TooFewUnits(usize),
    #[error("Fay coefficient k = {0} must be in [0, 1)")]
    BadFayCoefficient(f64),
    #[error(
        "Fay coefficient k = {0} is below 1 − 1/√2 ≈ 0.293, which a three-unit zone needs to keep its weights non-negative"
    )]
    FayTooSmallForTriple(f64),
    #[error(
        "no Hadamard matrix of order {0} can be built (orders built: powers of two times 1 or q + 1, q a prime ≡ 3 mod 4)"
    )]
    NoHadamard(usize),

    // Imported weights.
    #[error("no replicate weight columns")]
    NoReplicates,
    #[error("column `{column}` has {rows} rows; the full-sample weight column has {expected}")]
    ColumnLength {
        column: String,
        rows: usize,
        expected: usize,
    },
    #[error("row {row}, column `{column}`: weight is missing")]
    MissingWeight { row: usize, column: String },
    #[error("row {row}, column `{column}`: weight {value} is not finite")]
    NonFiniteWeight { row: usize, column: String, value: f64 },
    #[error("row {row}, column `{column}`: full-sample weight {value} must be positive")]
    NonPositiveWeight { row: usize, column: String, value: f64 },
    #[error("row {row}, column `{column}`: replicate weight {value} is negative")]
    NegativeReplicateWeight { row: usize, column: String, value: f64 },
    #[error("variance factor {0} must be finite and positive")]
    BadVarianceFactor(f64),
    #[error("a delete-one jackknife needs at least two replicates, got {0}")]
    TooFewReplicates(usize),
}

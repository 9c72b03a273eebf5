//! The survey design: sampling schools and students, weights, replicate weights.
//!
//! The flow follows fieldwork:
//! 1. [`Frame`] → [`select_schools`] (systematic PPS within explicit strata, implicit
//!    sort, certainty schools) or [`census`] → [`SchoolSample`];
//! 2. per participating school, [`select_students`] (random students, whole classes or
//!    all) and optionally [`assign_subjects`] (k of n subjects, balanced in the school);
//! 3. statuses set after fieldwork → [`Sample`] → [`weigh`] → [`WeightedSample`]: final
//!    weights and JK1/JK2/Fay-BRR replicate weights ([`ReplicateWeights`]), every
//!    replicate re-running the non-response adjustments.
//!
//! Data sets that bring their own weights enter through [`ReplicateWeights::import`].
//! Randomness comes only from ChaCha streams keyed by the design seed, the stage and
//! the unit (stratum, school), so a seed reproduces a sample exactly. Nothing here
//! reads files: the types are serde-serialisable for whoever stores them.

mod error;
mod factors;
mod frame;
mod hadamard;
mod import;
mod pps;
mod replicates;
mod sample;
mod streams;
mod students;
mod subjects;
mod trim;
pub mod variance;
mod weights;
mod zones;

pub use error::{Level, Pass, SurveyError};
pub use factors::Replication;
pub use frame::{Frame, FrameSchool};
pub use import::WeightColumn;
pub use pps::{SampledSchool, SchoolSample, SchoolStatus, StratumSummary, census, select_schools};
pub use replicates::{StudentKey, SubjectWeights, WeightedSample, weigh};
pub use sample::Sample;
pub use students::{Roster, RosterStudent, SampledStudent, StudentSelection, StudentStatus, select_students};
pub use subjects::{SubjectDesign, assign_subjects};
pub use trim::trim_weights;
pub use variance::{ReplicateMethod, ReplicateWeights};
pub use weights::{SchoolNonResponse, Totals, Trim, WeightingOptions};
pub use zones::{Collapse, UnitId, Zone};

//! Latent regression (the population model) and plausible values (DESIGN.md §5).
//!
//! With item parameters fixed from calibration, [`model::fit`] estimates
//! θ | x ~ N(x′Γ, σ²) (one σ² or one per group) by EM on a quadrature grid;
//! [`conditioning`] builds x from background data (dummy coding, missing indicators,
//! principal components, school means and school membership); [`pv::draw`] draws
//! plausible values from each student's posterior under the fitted model.

pub mod conditioning;
pub mod design;
pub mod model;
pub mod pv;

pub use design::Design;
pub use model::{Data, Options, PopulationModel, fit};
pub use pv::{PlausibleValues, PvOptions, draw, person_key};

use thiserror::Error;

/// Why a population model cannot be fitted or drawn from.
#[derive(Debug, Error, PartialEq)]
pub enum LatregError {
    #[error("inconsistent sizes: {0}")]
    Shape(String),
    #[error("weight of row {row} is {value}; weights must be finite and non-negative, and not all zero")]
    Weight { row: usize, value: f64 },
    #[error("conditioning variable {column} is missing or not finite in row {row}")]
    Design { row: usize, column: String },
    #[error(
        "the conditioning variables are collinear (X′WX is singular): drop a redundant variable or lower the share of variance kept"
    )]
    Collinear,
    #[error("variance group {0} has no weight")]
    EmptyGroup(usize),
}

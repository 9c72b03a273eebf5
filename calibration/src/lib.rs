//! # calibration — the numeric core of item calibration
//!
//! Owns compact byte response matrices (one byte per response, the codes of
//! [`data::codes`]), the IRT item models (Rasch, 2PL, 3PL, GRM, GPCM, PCM) in
//! slope–intercept form, marginal maximum likelihood estimation by EM on a quadrature
//! grid (parallel over persons and items), standard errors, classical item statistics,
//! item fit, DIF and linking between rounds.
//!
//! It is pure and deterministic: no database, no sockets, no templates; I/O is limited to
//! plain readers and writers of its own types (CSV, Parquet). It depends on no other crate
//! of the workspace, so scoring and the service build on it, never the other way round.

pub mod classical;
pub mod data;
pub mod dif;
pub mod em;
pub mod fit;
pub mod linking;
pub mod model;
pub mod quadrature;
pub mod run;
pub mod simulate;
pub mod spec;

//! # scoring — from calibrated items to people and populations
//!
//! Owns person estimates (ML, WLE, MAP, EAP), latent regression and plausible values,
//! the survey design (PPS school sampling, weights, replicate weights), estimators with
//! replicate × imputation standard errors, questionnaire indices, Green Indicator 1–9
//! levels, multilevel statistics, rater agreement statistics, creative-thinking item
//! scores from idea codes, and the *data* of every report.
//!
//! It renders nothing and touches no database: `reports` renders what it computes and
//! `delivery` stores it. It builds on `calibration` (item models) and `itembank` (scale
//! definitions, codebooks).
//!
//! Built so far: person estimates ([`person`]). The rest is built under its issue.

pub mod estimate;
pub mod latreg;
pub mod person;
pub mod posterior;
pub mod round;
pub mod scale;
pub mod survey;

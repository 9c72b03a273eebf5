//! Differential item functioning (DIF): does an item behave differently for two groups of
//! persons of equal proficiency?
//!
//! [`mh`] is the observed-score screen operational programmes run first: Mantel–Haenszel for
//! dichotomous items (with the ETS A/B/C classes) and Mantel's test with the standardized mean
//! difference for polytomous ones. [`lr`] is the model-based test beside it: IRT
//! likelihood-ratio DIF in the multiple-group model (mirt's `DIF(scheme = 'drop')`), which also
//! reports each group's item parameters on the common scale.

pub mod lr;
pub mod mh;

pub use lr::{Adjustment, LrError, LrItem, LrOptions, LrReport, likelihood_ratio};

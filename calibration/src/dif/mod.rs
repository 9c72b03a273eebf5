//! Differential item functioning (DIF): does an item behave differently for two groups of
//! persons of equal proficiency?
//!
//! [`mh`] is the observed-score screen operational programmes run first: Mantel–Haenszel for
//! dichotomous items (with the ETS A/B/C classes) and Mantel's test with the standardized mean
//! difference for polytomous ones. IRT likelihood-ratio DIF (`lr`, written separately) is to
//! sit beside it.

pub mod mh;

//! The reporting scale: a linear map from the logit scale of a base round to the scale
//! reports use (e.g. mean 500, SD 100 in the base round's reference population).
//!
//! One map, applied the same way to everything on the scale — estimates, standard errors,
//! plausible values, cut scores — so no figure is ever transformed twice or forgotten.
//! Later rounds reach the base round's logits through a linking transformation first.

use calibration::linking::Transform;
use serde::{Deserialize, Serialize};

use crate::person::PersonEstimate;

/// score = mean + sd·(θ_base − logit_mean)/logit_sd.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ReportingScale {
    /// Mean of the reference population on the logit scale.
    pub logit_mean: f64,
    /// SD of the reference population on the logit scale.
    pub logit_sd: f64,
    /// The reporting scale's mean in the reference population (e.g. 500).
    pub mean: f64,
    /// The reporting scale's SD in the reference population (e.g. 100).
    pub sd: f64,
}

/// Why a reporting scale cannot be set.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScaleError {
    #[error("the reference population has no spread (SD {0}); a reporting scale needs SD > 0")]
    NoSpread(f64),
    #[error("the reference values are empty, not finite, or their weights do not match")]
    BadReference,
    #[error("the reporting SD must be positive and finite, not {0}")]
    BadTarget(f64),
}

impl ReportingScale {
    /// The scale on which the reference population, described by M plausible values per
    /// student (`values[i * m + k]`) and weights, has mean `mean` and SD `sd`: the logit
    /// mean and SD are the weighted moments of each PV averaged over the M PVs (as PISA
    /// sets its scales).
    pub fn from_reference(values: &[f64], m: usize, weights: &[f64], mean: f64, sd: f64) -> Result<Self, ScaleError> {
        if !(sd.is_finite() && sd > 0.0 && mean.is_finite()) {
            return Err(ScaleError::BadTarget(sd));
        }
        if m == 0 || values.len() != weights.len() * m || weights.is_empty() || values.iter().any(|v| !v.is_finite()) {
            return Err(ScaleError::BadReference);
        }
        let total: f64 = weights.iter().sum();
        if total.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater)
            || weights.iter().any(|w| !w.is_finite() || *w < 0.0)
        {
            return Err(ScaleError::BadReference);
        }
        let (mut means, mut sds) = (0.0, 0.0);
        for k in 0..m {
            let column = || values.iter().skip(k).step_by(m).zip(weights);
            let mu = column().map(|(v, w)| v * w).sum::<f64>() / total;
            let var = column().map(|(v, w)| w * (v - mu).powi(2)).sum::<f64>() / total;
            means += mu / m as f64;
            sds += var.sqrt() / m as f64;
        }
        if sds.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
            return Err(ScaleError::NoSpread(sds));
        }
        Ok(ReportingScale {
            logit_mean: means,
            logit_sd: sds,
            mean,
            sd,
        })
    }

    /// Scale units per logit.
    pub fn slope(&self) -> f64 {
        self.sd / self.logit_sd
    }

    /// A θ on the base round's logit scale in reporting units (±∞ stays ±∞).
    pub fn score(&self, theta: f64) -> f64 {
        self.mean + self.slope() * (theta - self.logit_mean)
    }

    /// A standard error (or any difference) in reporting units.
    pub fn se(&self, se: f64) -> f64 {
        self.slope() * se
    }

    /// A person estimate in reporting units.
    pub fn estimate(&self, e: PersonEstimate) -> PersonEstimate {
        PersonEstimate {
            theta: self.score(e.theta),
            se: self.se(e.se),
        }
    }

    /// A reporting-scale score (e.g. a cut score) back on the logit scale.
    pub fn logit(&self, score: f64) -> f64 {
        self.logit_mean + (score - self.mean) / self.slope()
    }

    /// The same reporting scale for a later round whose logits reach the base round's
    /// through `link` (θ_base = A·θ_new + B): one map from the new round's logits.
    pub fn through(&self, link: Transform) -> ReportingScale {
        // score = mean + slope·(A·θ + B − μ) = mean + (slope·A)·(θ − (μ − B)/A).
        ReportingScale {
            logit_mean: (self.logit_mean - link.b) / link.a,
            logit_sd: self.logit_sd / link.a,
            ..*self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_population_lands_on_500_100() {
        // Two PVs for four students; PV means 0.5 and 0.7, SDs √1.25 and √1.25.
        let values = [-1.0, -0.8, 0.0, 0.2, 1.0, 1.2, 2.0, 2.2];
        let scale = ReportingScale::from_reference(&values, 2, &[1.0; 4], 500.0, 100.0).unwrap();
        assert!((scale.logit_mean - 0.6).abs() < 1e-12);
        assert!((scale.logit_sd - 1.25f64.sqrt()).abs() < 1e-12);
        assert!((scale.score(0.6) - 500.0).abs() < 1e-9);
        assert!((scale.score(0.6 + scale.logit_sd) - 600.0).abs() < 1e-9);
        assert!((scale.logit(scale.score(1.7)) - 1.7).abs() < 1e-12);
        assert_eq!(scale.score(f64::INFINITY), f64::INFINITY);
        assert!((scale.se(0.3) - 30.0 / scale.logit_sd).abs() < 1e-12);
    }

    #[test]
    fn a_linked_round_reports_on_the_same_scale() {
        let scale = ReportingScale {
            logit_mean: 0.2,
            logit_sd: 1.1,
            mean: 500.0,
            sd: 100.0,
        };
        let link = Transform { a: 0.9, b: 0.15 };
        let later = scale.through(link);
        for theta in [-2.0, 0.0, 1.3] {
            assert!((later.score(theta) - scale.score(link.theta(theta))).abs() < 1e-9);
        }
    }

    #[test]
    fn a_reference_without_spread_is_refused() {
        assert_eq!(
            ReportingScale::from_reference(&[1.0, 1.0], 1, &[1.0, 1.0], 500.0, 100.0),
            Err(ScaleError::NoSpread(0.0))
        );
        assert!(ReportingScale::from_reference(&[1.0, 2.0], 1, &[1.0], 500.0, 100.0).is_err());
    }
}

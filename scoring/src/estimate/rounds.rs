//! Differences between rounds of an assessment. The rounds are independent samples, so
//! their variances add; the scales are linked through common items, and the
//! uncertainty of that link (the linking error, from `calibration::linking`) adds a
//! third term: SE = √(SE₁² + SE₂² + linking error²).

use super::rubin::t_quantile;
use super::{Estimate, EstimateError, RoundDifference};

/// `later` minus `earlier`, with the linking error between the two rounds' scales and a
/// `confidence`-level t interval. Degrees of freedom by Welch–Satterthwaite from each
/// round's df, the linking error counted as known: ν = V² / (V₁²/ν₁ + V₂²/ν₂).
pub fn between_rounds(
    earlier: &Estimate,
    later: &Estimate,
    linking_error: f64,
    confidence: f64,
) -> Result<RoundDifference, EstimateError> {
    if !linking_error.is_finite() || linking_error < 0.0 {
        return Err(EstimateError::BadLinkingError(linking_error));
    }
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(EstimateError::BadConfidence(confidence));
    }
    let (v1, v2) = (earlier.se.powi(2), later.se.powi(2));
    let variance = v1 + v2 + linking_error.powi(2);
    let spread = v1 * v1 / earlier.df + v2 * v2 / later.df;
    let df = if spread > 0.0 {
        variance * variance / spread
    } else {
        f64::INFINITY
    };
    let estimate = later.estimate - earlier.estimate;
    let se = variance.sqrt();
    let half = t_quantile(df, 0.5 + confidence / 2.0) * se;
    Ok(RoundDifference {
        estimate,
        se,
        linking_error,
        df,
        ci_low: estimate - half,
        ci_high: estimate + half,
    })
}

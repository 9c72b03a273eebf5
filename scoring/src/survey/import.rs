//! Weights that come with a data set (PISA's W_FSTUWT and W_FSTURWT1..80, TIMSS's
//! TOTWGT with its JK replicates), checked on the way in.
//!
//! Rules: a full-sample weight must be finite and positive (a zero weight would silently
//! drop a respondent); a replicate weight must be finite and non-negative (zero is how a
//! jackknife drops a unit). Missing values (NaN) are errors. Rows count from 1.

use super::error::SurveyError;
use super::variance::{ReplicateMethod, ReplicateWeights};

/// A named column of weights.
#[derive(Debug, Clone, Copy)]
pub struct WeightColumn<'a> {
    pub name: &'a str,
    pub values: &'a [f64],
}

impl ReplicateWeights {
    /// Builds replicate weights from columns, checking every value. Degrees of freedom:
    /// JK1 R − 1, JK2 R/2 (zones), Fay BRR and `Given` R; set `df` afterwards if the
    /// data's documentation says otherwise.
    pub fn import(
        method: ReplicateMethod,
        full: WeightColumn<'_>,
        replicates: &[WeightColumn<'_>],
    ) -> Result<ReplicateWeights, SurveyError> {
        let r = replicates.len();
        if r == 0 {
            return Err(SurveyError::NoReplicates);
        }
        match method {
            ReplicateMethod::FayBrr { k } if !(0.0..1.0).contains(&k) => {
                return Err(SurveyError::BadFayCoefficient(k));
            }
            ReplicateMethod::Given { factor } if !(factor.is_finite() && factor > 0.0) => {
                return Err(SurveyError::BadVarianceFactor(factor));
            }
            ReplicateMethod::Jk1 if r < 2 => return Err(SurveyError::TooFewReplicates(r)),
            _ => {}
        }
        check(full, true)?;
        for column in replicates {
            if column.values.len() != full.values.len() {
                return Err(SurveyError::ColumnLength {
                    column: column.name.into(),
                    rows: column.values.len(),
                    expected: full.values.len(),
                });
            }
            check(*column, false)?;
        }
        let df = match method {
            ReplicateMethod::Jk1 => (r - 1) as f64,
            ReplicateMethod::Jk2 => r as f64 / 2.0,
            ReplicateMethod::FayBrr { .. } | ReplicateMethod::Given { .. } => r as f64,
        };
        Ok(ReplicateWeights {
            method,
            full: full.values.to_vec(),
            replicates: replicates.iter().map(|c| c.values.to_vec()).collect(),
            df,
        })
    }
}

fn check(column: WeightColumn<'_>, full: bool) -> Result<(), SurveyError> {
    for (i, &value) in column.values.iter().enumerate() {
        let (row, name) = (i + 1, column.name.to_string());
        if value.is_nan() {
            return Err(SurveyError::MissingWeight { row, column: name });
        }
        if !value.is_finite() {
            return Err(SurveyError::NonFiniteWeight {
                row,
                column: name,
                value,
            });
        }
        if full && value <= 0.0 {
            return Err(SurveyError::NonPositiveWeight {
                row,
                column: name,
                value,
            });
        }
        if value < 0.0 {
            return Err(SurveyError::NegativeReplicateWeight {
                row,
                column: name,
                value,
            });
        }
    }
    Ok(())
}

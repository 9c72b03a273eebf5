//! From a sample after fieldwork to final full-sample and replicate weights: the zones
//! (`zones`), the replicate factors (`factors`) and the weighting chain (`weights`) run
//! once per replicate. Replicates are independent and run in parallel; each is computed
//! serially, so the result is the same whatever the thread count.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::error::{Pass, SurveyError};
use super::factors::{Plan, Replication};
use super::sample::Sample;
use super::subjects::SubjectDesign;
use super::variance::ReplicateWeights;
use super::weights::{Pipeline, WeightingOptions};
use super::zones::{Collapse, Zone, build};

/// A row of the weights: an assessed student.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StudentKey {
    pub school: u64,
    pub student: u64,
}

/// Final weights of the assessed students with the design they came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeightedSample {
    /// Assessed students in sample order: the rows of `weights`.
    pub students: Vec<StudentKey>,
    pub weights: ReplicateWeights,
    /// The zones (pseudo-strata) replicates were formed from, in replicate order.
    pub zones: Vec<Zone>,
    /// Strata with a single unit and the strata they were collapsed with.
    pub collapsed: Vec<Collapse>,
    pub subjects: Option<SubjectDesign>,
    /// Subjects each row's student took (empty without sub-sampling).
    pub taken: Vec<Vec<usize>>,
}

/// One subject's weights: the rows (into `WeightedSample::students`) of the students who
/// took it, with full and replicate weights multiplied by n/k.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubjectWeights {
    pub rows: Vec<usize>,
    pub weights: ReplicateWeights,
}

/// Weights the sample and builds replicate weights, re-running the non-response
/// adjustments, trimming factors and population totals in every replicate.
pub fn weigh(
    sample: &Sample,
    options: &WeightingOptions,
    replication: Replication,
) -> Result<WeightedSample, SurveyError> {
    sample.validate()?;
    let design = build(sample)?;
    let plan = Plan::new(&design, replication)?;
    let pipeline = Pipeline::new(sample, options, &design)?;
    let (full, trim) = pipeline.full()?;
    let replicates = (0..plan.replicates())
        .into_par_iter()
        .map(|r| {
            let (school, student) = plan.factors(&design, r);
            pipeline.replicate(&school, &student, trim.as_deref(), Pass::Replicate(r))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let rows = &pipeline.assessed;
    Ok(WeightedSample {
        students: rows
            .iter()
            .map(|&j| StudentKey {
                school: sample.students[j].school,
                student: sample.students[j].id,
            })
            .collect(),
        weights: ReplicateWeights {
            method: plan.method,
            full,
            replicates,
            df: plan.df,
        },
        zones: design.records,
        collapsed: design.collapsed,
        subjects: sample.subjects,
        taken: rows.iter().map(|&j| sample.students[j].subjects.clone()).collect(),
    })
}

impl WeightedSample {
    /// Weights for estimates of one subject under subject sub-sampling.
    pub fn subject(&self, subject: usize) -> Result<SubjectWeights, SurveyError> {
        let design = self.subjects.ok_or(SurveyError::NoSubjectDesign)?;
        if subject >= design.subjects {
            return Err(SurveyError::UnknownSubject {
                subject,
                subjects: design.subjects,
            });
        }
        let rows: Vec<usize> = (0..self.taken.len())
            .filter(|&i| self.taken[i].contains(&subject))
            .collect();
        let f = design.factor();
        let pick = |w: &[f64]| rows.iter().map(|&i| w[i] * f).collect::<Vec<f64>>();
        Ok(SubjectWeights {
            weights: ReplicateWeights {
                method: self.weights.method,
                full: pick(&self.weights.full),
                replicates: self.weights.replicates.iter().map(|r| pick(r)).collect(),
                df: self.weights.df,
            },
            rows,
        })
    }
}

//! The sample every estimate is computed on — replicate weights, school ids, options —
//! checked once, and the machinery all estimators share: the minimum-n rule, and
//! running a computation for every group × plausible value in parallel.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::rubin::Rubin;
use super::{Counts, Estimate, EstimateError, Grouping, Row};
use crate::survey::ReplicateWeights;

/// Confidence level and the minimum-n suppression rule.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Options {
    /// Level of the t-based confidence intervals.
    pub confidence: f64,
    /// A cell with fewer students gets no estimate.
    pub min_students: usize,
    /// A cell with students from fewer schools gets no estimate (only applied when the
    /// sample has school ids).
    pub min_schools: usize,
}

impl Default for Options {
    /// 95 % intervals; PISA's reporting rule of 30 students and 5 schools.
    fn default() -> Options {
        Options {
            confidence: 0.95,
            min_students: 30,
            min_schools: 5,
        }
    }
}

/// A sample's weights and school ids with the estimation options, validated once.
#[derive(Debug, Clone)]
pub struct Sample<'a> {
    pub(crate) weights: &'a ReplicateWeights,
    pub(crate) schools: Option<&'a [u32]>,
    pub(crate) options: Options,
    pub(crate) rubin: Rubin,
}

impl<'a> Sample<'a> {
    /// Checks that every weight set has one finite, non-negative weight per student,
    /// that the replicate factor and df are usable, and that school ids (if any) and
    /// the options fit.
    pub fn new(
        weights: &'a ReplicateWeights,
        schools: Option<&'a [u32]>,
        options: Options,
    ) -> Result<Sample<'a>, EstimateError> {
        let n = weights.len();
        if n == 0 {
            return Err(EstimateError::Empty);
        }
        if weights.replicates.is_empty() {
            return Err(EstimateError::NoReplicates);
        }
        let bad = |w: &f64| !w.is_finite() || *w < 0.0;
        if let Some((row, &value)) = weights.full.iter().enumerate().find(|(_, w)| bad(w)) {
            return Err(EstimateError::BadWeight { row, value });
        }
        for (r, replicate) in weights.replicates.iter().enumerate() {
            if replicate.len() != n {
                return Err(EstimateError::Length {
                    what: format!("replicate weight {}", r + 1),
                    found: replicate.len(),
                    expected: n,
                });
            }
            if let Some((row, &value)) = replicate.iter().enumerate().find(|(_, w)| bad(w)) {
                return Err(EstimateError::BadReplicateWeight {
                    replicate: r + 1,
                    row,
                    value,
                });
            }
        }
        let factor = weights.factor();
        if !factor.is_finite() || factor <= 0.0 {
            return Err(EstimateError::BadFactor(factor));
        }
        if !weights.df.is_finite() || weights.df <= 0.0 {
            return Err(EstimateError::BadDegreesOfFreedom(weights.df));
        }
        if let Some(ids) = schools
            && ids.len() != n
        {
            return Err(EstimateError::Length {
                what: "the school ids".to_string(),
                found: ids.len(),
                expected: n,
            });
        }
        if !(options.confidence > 0.0 && options.confidence < 1.0) {
            return Err(EstimateError::BadConfidence(options.confidence));
        }
        Ok(Sample {
            weights,
            schools,
            options,
            rubin: Rubin {
                factor,
                df_com: weights.df,
                confidence: options.confidence,
            },
        })
    }

    /// Combines a statistic computed by the caller: `per_pv[m]` holds its value on the
    /// full-sample weights followed by its value on each replicate, for plausible value
    /// m (one entry for an observed variable). `None` when a value is not finite.
    pub fn combine(&self, per_pv: &[Vec<f64>]) -> Result<Option<Estimate>, EstimateError> {
        if per_pv.is_empty() {
            return Err(EstimateError::NoColumns {
                what: "the draws".to_string(),
            });
        }
        let expected = self.sets();
        if let Some((m, values)) = per_pv.iter().enumerate().find(|(_, v)| v.len() != expected) {
            return Err(EstimateError::Shape {
                what: format!("draws of plausible value {}", m + 1),
                expected,
                found: values.len(),
            });
        }
        Ok(self.rubin.combine(per_pv, 0, 1))
    }

    /// Number of students.
    pub(crate) fn students(&self) -> usize {
        self.weights.len()
    }

    /// Number of weight sets: the full sample and each replicate.
    pub(crate) fn sets(&self) -> usize {
        self.weights.replicates.len() + 1
    }

    /// Weight set `s`: 0 is the full sample, s ≥ 1 replicate s.
    pub(crate) fn set(&self, s: usize) -> &'a [f64] {
        match s {
            0 => &self.weights.full,
            _ => &self.weights.replicates[s - 1],
        }
    }

    /// The counts of a cell's rows.
    pub(crate) fn counts(&self, rows: &[usize]) -> Counts {
        let schools = self.schools.map(|ids| {
            let mut seen: Vec<u32> = rows.iter().map(|&i| ids[i]).collect();
            seen.sort_unstable();
            seen.dedup();
            seen.len()
        });
        Counts {
            students: rows.len(),
            schools,
            sum_weights: rows.iter().map(|&i| self.weights.full[i]).sum(),
        }
    }

    /// The minimum-n rule.
    pub(crate) fn suppressed(&self, counts: &Counts) -> bool {
        counts.students < self.options.min_students || counts.schools.is_some_and(|j| j < self.options.min_schools)
    }

    /// Counts, suppression and draws of each cell (a group's rows): `task(cell, m)`
    /// returns the statistics of plausible value m on every weight set, set-major, and
    /// runs for every unsuppressed cell and every m in parallel. Each task runs on one
    /// thread and results are collected in index order, so the bits do not depend on
    /// the thread count.
    pub(crate) fn cells(
        &self,
        rows: &[Vec<usize>],
        draws: usize,
        task: impl Fn(usize, usize) -> Vec<f64> + Sync,
    ) -> Vec<Cell> {
        let counts: Vec<Counts> = rows.iter().map(|r| self.counts(r)).collect();
        let suppressed: Vec<bool> = counts.iter().map(|c| self.suppressed(c)).collect();
        let tasks: Vec<(usize, usize)> = (0..rows.len())
            .filter(|&cell| !suppressed[cell])
            .flat_map(|cell| (0..draws).map(move |m| (cell, m)))
            .collect();
        let mut results = tasks
            .par_iter()
            .map(|&(cell, m)| task(cell, m))
            .collect::<Vec<_>>()
            .into_iter();
        counts
            .into_iter()
            .zip(suppressed)
            .map(|(counts, suppressed)| Cell {
                counts,
                suppressed,
                draws: (!suppressed).then(|| results.by_ref().take(draws).collect()),
            })
            .collect()
    }

    /// Each statistic of `stats` combined from a cell's draws.
    pub(crate) fn combine_all(&self, per_pv: &[Vec<f64>], stats: usize) -> Vec<Option<Estimate>> {
        (0..stats).map(|k| self.rubin.combine(per_pv, k, stats)).collect()
    }
}

/// One cell of an estimator before combination.
pub(crate) struct Cell {
    pub counts: Counts,
    pub suppressed: bool,
    /// `draws[m][s·K + k]`: statistic k on weight set s of plausible value m; `None`
    /// when suppressed.
    pub draws: Option<Vec<Vec<f64>>>,
}

/// One result row per group: `build` turns an unsuppressed cell's draws into its value
/// (`None` when it cannot be computed).
pub(crate) fn rows<T>(grouping: &Grouping, cells: Vec<Cell>, build: impl Fn(&[Vec<f64>]) -> Option<T>) -> Vec<Row<T>> {
    grouping
        .labels()
        .iter()
        .zip(cells)
        .map(|(label, cell)| Row {
            group: label.clone(),
            counts: cell.counts,
            suppressed: cell.suppressed,
            value: cell.draws.as_deref().and_then(&build),
        })
        .collect()
}

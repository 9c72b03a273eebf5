//! The distribution statistics a table can hold, proficiency levels as shares between
//! cut scores, and the plan that computes them all in one pass over sorted values.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::EstimateError;

/// A statistic of a variable's weighted distribution in a group.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Statistic {
    Mean,
    /// Standard deviation with the sum of weights as divisor (the population SD the
    /// weights estimate; invariant to scaling the weights).
    Sd,
    /// The p-th percentile, 0 ≤ p ≤ 100: the smallest value at which the cumulative
    /// weight share reaches p/100.
    Percentile(f64),
    /// Percentage of students with `at_least ≤ value < below` (a missing bound is
    /// unbounded): a proficiency level, or the share at or above a cut score.
    Share {
        at_least: Option<f64>,
        below: Option<f64>,
    },
}

impl Statistic {
    fn check(&self) -> Result<(), EstimateError> {
        match *self {
            Statistic::Percentile(p) if !(0.0..=100.0).contains(&p) => Err(EstimateError::BadPercentile(p)),
            Statistic::Share { at_least, below } => {
                let finite = at_least.is_none_or(f64::is_finite) && below.is_none_or(f64::is_finite);
                let ordered = match (at_least, below) {
                    (Some(low), Some(high)) => low < high,
                    _ => true,
                };
                if finite && ordered {
                    Ok(())
                } else {
                    Err(EstimateError::BadShare { at_least, below })
                }
            }
            _ => Ok(()),
        }
    }
}

impl fmt::Display for Statistic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Statistic::Mean => write!(f, "mean"),
            Statistic::Sd => write!(f, "SD"),
            Statistic::Percentile(p) => write!(f, "P{p}"),
            Statistic::Share {
                at_least: Some(low),
                below: Some(high),
            } => write!(f, "% {low} to <{high}"),
            Statistic::Share {
                at_least: Some(low),
                below: None,
            } => write!(f, "% ≥ {low}"),
            Statistic::Share {
                at_least: None,
                below: Some(high),
            } => write!(f, "% < {high}"),
            Statistic::Share {
                at_least: None,
                below: None,
            } => write!(f, "% all"),
        }
    }
}

/// Proficiency levels given by cut scores on the scale of the values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Levels {
    cuts: Vec<f64>,
}

impl Levels {
    /// Levels from finite, strictly increasing cut scores (at least one).
    pub fn new(cuts: Vec<f64>) -> Result<Levels, EstimateError> {
        let increasing = cuts.windows(2).all(|pair| pair[0] < pair[1]);
        if cuts.is_empty() || !increasing || !cuts.iter().all(|c| c.is_finite()) {
            return Err(EstimateError::BadCuts(cuts));
        }
        Ok(Levels { cuts })
    }

    /// The share in each level: below the lowest cut, between consecutive cuts (a value
    /// equal to a cut belongs to the level above it), at or above the top cut.
    pub fn in_level(&self) -> Vec<Statistic> {
        let bounds: Vec<Option<f64>> = std::iter::once(None)
            .chain(self.cuts.iter().copied().map(Some))
            .chain(std::iter::once(None))
            .collect();
        bounds
            .windows(2)
            .map(|pair| Statistic::Share {
                at_least: pair[0],
                below: pair[1],
            })
            .collect()
    }

    /// The share at or above each cut.
    pub fn at_or_above(&self) -> Vec<Statistic> {
        self.cuts
            .iter()
            .map(|&cut| Statistic::Share {
                at_least: Some(cut),
                below: None,
            })
            .collect()
    }
}

/// How a requested statistic is read off one weighted pass.
#[derive(Debug, Clone, Copy)]
enum Read {
    Mean,
    Sd,
    /// Index into the plan's percentiles.
    Percentile(usize),
    /// Indices into the plan's cuts.
    Share {
        from: Option<usize>,
        to: Option<usize>,
    },
}

/// The percentiles and cuts a list of statistics needs, each computed once.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    /// Cumulative weight shares (p/100), ascending, without duplicates.
    pub shares: Vec<f64>,
    /// Cut values, ascending, without duplicates.
    pub cuts: Vec<f64>,
    reads: Vec<Read>,
}

/// What one weighted pass over sorted values yields.
pub(crate) struct Pass<'a> {
    pub weight: f64,
    pub mean: f64,
    pub variance: f64,
    /// One per plan share.
    pub percentiles: &'a [f64],
    /// Weight below each plan cut.
    pub below: &'a [f64],
}

impl Plan {
    pub fn new(statistics: &[Statistic]) -> Result<Plan, EstimateError> {
        if statistics.is_empty() {
            return Err(EstimateError::NoStatistics);
        }
        let mut shares = Vec::new();
        let mut cuts = Vec::new();
        for statistic in statistics {
            statistic.check()?;
            match *statistic {
                Statistic::Percentile(p) => shares.push(p / 100.0),
                Statistic::Share { at_least, below } => cuts.extend(at_least.into_iter().chain(below)),
                Statistic::Mean | Statistic::Sd => {}
            }
        }
        for list in [&mut shares, &mut cuts] {
            list.sort_by(f64::total_cmp);
            list.dedup();
        }
        let position = |list: &[f64], x: f64| list.iter().position(|&y| y == x);
        let reads = statistics
            .iter()
            .map(|statistic| match *statistic {
                Statistic::Mean => Read::Mean,
                Statistic::Sd => Read::Sd,
                Statistic::Percentile(p) => Read::Percentile(position(&shares, p / 100.0).unwrap_or_default()),
                Statistic::Share { at_least, below } => Read::Share {
                    from: at_least.and_then(|x| position(&cuts, x)),
                    to: below.and_then(|x| position(&cuts, x)),
                },
            })
            .collect();
        Ok(Plan { shares, cuts, reads })
    }

    /// Number of statistics.
    pub fn len(&self) -> usize {
        self.reads.len()
    }

    /// Writes every statistic of one pass into `out` (one slot per statistic).
    pub fn read(&self, pass: &Pass, out: &mut [f64]) {
        for (slot, read) in out.iter_mut().zip(&self.reads) {
            *slot = match *read {
                Read::Mean => pass.mean,
                Read::Sd => pass.variance.sqrt(),
                Read::Percentile(j) => pass.percentiles[j],
                Read::Share { from, to } => {
                    let low = from.map_or(0.0, |j| pass.below[j]);
                    let high = to.map_or(pass.weight, |j| pass.below[j]);
                    100.0 * (high - low) / pass.weight
                }
            };
        }
    }
}

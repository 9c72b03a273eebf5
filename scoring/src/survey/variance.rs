//! Replicate weights and the replicate variance V = c·Σ_r (t_r − t_0)² (DESIGN.md §5).
//!
//! This is the one representation every estimator reads: the full-sample weights, one
//! column of weights per replicate, and the factor c of the method that made them.

use serde::{Deserialize, Serialize};

/// How a set of replicate weights was formed; fixes the variance factor c.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum ReplicateMethod {
    /// Delete-one-PSU jackknife: c = (R − 1)/R.
    Jk1,
    /// Paired jackknife (TIMSS/PIRLS): two replicates per zone, c = 0.5.
    Jk2,
    /// Fay's balanced repeated replication with coefficient k (PISA: 80 replicates,
    /// k = 0.5): c = 1/(R(1 − k)²).
    FayBrr { k: f64 },
    /// Weights imported from a data file with the factor the file's documentation gives.
    Given { factor: f64 },
}

impl ReplicateMethod {
    /// The factor c for `replicates` replicate weights.
    pub fn factor(self, replicates: usize) -> f64 {
        let r = replicates as f64;
        match self {
            ReplicateMethod::Jk1 => (r - 1.0) / r,
            ReplicateMethod::Jk2 => 0.5,
            ReplicateMethod::FayBrr { k } => 1.0 / (r * (1.0 - k).powi(2)),
            ReplicateMethod::Given { factor } => factor,
        }
    }
}

/// Full-sample and replicate weights of one sample, one entry per student.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplicateWeights {
    pub method: ReplicateMethod,
    /// Final full-sample weights.
    pub full: Vec<f64>,
    /// Replicate-major: `replicates[r][i]` is student i's weight in replicate r.
    pub replicates: Vec<Vec<f64>>,
    /// Degrees of freedom of the replicate variance estimate (JK2: zones; JK1: PSUs
    /// minus strata; BRR: half-sample strata), used for t-intervals.
    pub df: f64,
}

impl ReplicateWeights {
    /// The variance factor c of these weights.
    pub fn factor(&self) -> f64 {
        self.method.factor(self.replicates.len())
    }

    /// Number of students.
    pub fn len(&self) -> usize {
        self.full.len()
    }

    /// True when there are no students.
    pub fn is_empty(&self) -> bool {
        self.full.is_empty()
    }

    /// c·Σ_r (t_r − t_0)² for a statistic `full` on the full sample and `replicates`
    /// on each replicate (in replicate order).
    pub fn sampling_variance(&self, full: f64, replicates: &[f64]) -> f64 {
        self.factor() * replicates.iter().map(|t| (t - full).powi(2)).sum::<f64>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factors_from_the_literature() {
        // PISA: 80 Fay replicates with k = 0.5 give c = 0.05.
        assert!((ReplicateMethod::FayBrr { k: 0.5 }.factor(80) - 0.05).abs() < 1e-15);
        assert_eq!(ReplicateMethod::Jk2.factor(150), 0.5);
        assert!((ReplicateMethod::Jk1.factor(4) - 0.75).abs() < 1e-15);
    }
}

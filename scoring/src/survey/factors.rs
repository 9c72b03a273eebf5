//! Replicate factors: by how much each replicate multiplies each variance unit's base
//! weight.
//!
//! - JK2 (TIMSS): per zone of two, one replicate drops the first unit and doubles the
//!   second, one the reverse; c = 0.5. A zone of three (a, b, c) gives three replicates:
//!   drop a and double b, drop b and double c, drop c and double a. For a total that
//!   yields ½Σ(t_next − t_i)² = 3/2·Σ(t_i − t̄)², the usual with-replacement estimate for a
//!   stratum of three, as each pair gives (t₁ − t₂)² = 2·Σ(t_i − t̄)².
//! - Fay BRR (PISA): zone z uses column 1 + z mod (R − 1) of a normalised Hadamard matrix of
//!   order R; with h = ±1 its entry in replicate r, the first unit is multiplied by
//!   1 − h(1 − k) and the second by 1 + h(1 − k) (1.5/0.5 for k = 0.5; +1 lowers the
//!   first unit, as samplics does). In a zone of three the first unit gets
//!   1 − h(1 − k)√2 and the other two 1 + h(1 − k)/√2 (PISA's 0.2929/1.3536 and
//!   1.7071/0.6464): a zero-sum contrast whose square has the expectation of a
//!   three-unit stratum's variance. R defaults to the smallest order above the number of
//!   zones; with fewer columns than zones, zones share columns in turn.
//! - JK1: replicate r drops unit r and multiplies every other randomly sampled school or
//!   student by R/(R − 1), strata ignored (conservative when strata differ); c = (R − 1)/R.

use serde::{Deserialize, Serialize};

use super::error::SurveyError;
use super::hadamard::{hadamard, order_at_least};
use super::variance::ReplicateMethod;
use super::zones::{Unit, VarianceDesign};

/// Which replicate weights to build.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Replication {
    Jk1,
    Jk2,
    /// Fay's BRR with coefficient `k`; `replicates` fixes R (PISA: 80), by default the
    /// smallest buildable Hadamard order above the number of zones.
    FayBrr {
        k: f64,
        replicates: Option<usize>,
    },
}

pub(crate) struct Plan {
    pub method: ReplicateMethod,
    pub df: f64,
    /// Factor of every unit that differs from the neutral one, per replicate.
    changes: Vec<Vec<(usize, f64)>>,
    /// Factor of randomly sampled schools and students a replicate does not change.
    neutral: f64,
}

impl Plan {
    pub fn new(design: &VarianceDesign, replication: Replication) -> Result<Plan, SurveyError> {
        match replication {
            Replication::Jk1 => Ok(jk1(design)),
            Replication::Jk2 => Ok(jk2(design)),
            Replication::FayBrr { k, replicates } => fay(design, k, replicates),
        }
    }

    pub fn replicates(&self) -> usize {
        self.changes.len()
    }

    /// School and student factors of replicate `r`.
    pub fn factors(&self, design: &VarianceDesign, r: usize) -> (Vec<f64>, Vec<f64>) {
        let neutral = |random: &bool| if *random { self.neutral } else { 1.0 };
        let mut school: Vec<f64> = design.random_school.iter().map(neutral).collect();
        let mut student: Vec<f64> = design.random_student.iter().map(neutral).collect();
        for &(u, f) in &self.changes[r] {
            match &design.units[u] {
                Unit::School(i) => school[*i] = f,
                Unit::Students(js) => js.iter().for_each(|&j| student[j] = f),
            }
        }
        (school, student)
    }
}

fn jk1(design: &VarianceDesign) -> Plan {
    let r = design.units.len();
    Plan {
        method: ReplicateMethod::Jk1,
        df: (r - 1) as f64,
        changes: (0..r).map(|u| vec![(u, 0.0)]).collect(),
        neutral: r as f64 / (r - 1) as f64,
    }
}

fn jk2(design: &VarianceDesign) -> Plan {
    let mut changes = Vec::new();
    for zone in &design.zones {
        match zone.as_slice() {
            &[a, b] => {
                changes.push(vec![(a, 0.0), (b, 2.0)]);
                changes.push(vec![(a, 2.0), (b, 0.0)]);
            }
            units => {
                for (i, &u) in units.iter().enumerate() {
                    changes.push(vec![(u, 0.0), (units[(i + 1) % units.len()], 2.0)]);
                }
            }
        }
    }
    Plan {
        method: ReplicateMethod::Jk2,
        df: design.zones.len() as f64,
        changes,
        neutral: 1.0,
    }
}

fn fay(design: &VarianceDesign, k: f64, replicates: Option<usize>) -> Result<Plan, SurveyError> {
    if !(0.0..1.0).contains(&k) {
        return Err(SurveyError::BadFayCoefficient(k));
    }
    let step = 1.0 - k;
    if design.zones.iter().any(|z| z.len() == 3) && 1.0 - step * std::f64::consts::SQRT_2 < 0.0 {
        return Err(SurveyError::FayTooSmallForTriple(k));
    }
    let zones = design.zones.len();
    let order = replicates.unwrap_or_else(|| order_at_least(zones + 1));
    let h = match hadamard(order) {
        Some(h) if order >= 2 => h,
        _ => return Err(SurveyError::NoHadamard(order)),
    };
    let columns = order - 1;
    let changes = (0..order)
        .map(|r| {
            design
                .zones
                .iter()
                .enumerate()
                .flat_map(|(z, units)| {
                    let sign = f64::from(h[r][1 + z % columns]);
                    let (first, others) = if units.len() == 3 {
                        (step * std::f64::consts::SQRT_2, step / std::f64::consts::SQRT_2)
                    } else {
                        (step, step)
                    };
                    units.iter().enumerate().map(move |(i, &u)| {
                        let f = if i == 0 {
                            1.0 - sign * first
                        } else {
                            1.0 + sign * others
                        };
                        (u, f)
                    })
                })
                .collect()
        })
        .collect();
    Ok(Plan {
        method: ReplicateMethod::FayBrr { k },
        df: zones.min(columns) as f64,
        changes,
        neutral: 1.0,
    })
}

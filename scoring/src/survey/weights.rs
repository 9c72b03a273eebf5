//! The weighting chain, run once for the full sample and once per replicate:
//!
//! 1. school base weight 1/π_i (times the replicate factor);
//! 2. school non-response: in each cell, participating schools' weights are multiplied by
//!    Σ(eligible sampled) / Σ(participating) of base weight × MOS (PISA) or of base weight;
//! 3. student base weight 1/π_{j|i} (times the replicate factor) on the adjusted school
//!    weight;
//! 4. student non-response: in each cell (the school by default), assessed students'
//!    weights are multiplied by Σ(eligible sampled) / Σ(assessed);
//! 5. trimming: factors found on the full sample (see `trim`) and applied unchanged to
//!    every replicate, as NAEP does, so replicates don't trim against their own medians;
//! 6. population totals: in each weighting stratum the weights are scaled to the
//!    stratum's population (by default Σ MOS over its frame schools).
//!
//! Re-running 2–6 in every replicate lets the replicates carry the variance of the
//! adjustments (DESIGN.md §5).

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::error::{Level, Pass, SurveyError};
use super::pps::SchoolStatus;
use super::sample::Sample;
use super::students::StudentStatus;
use super::trim::trim_weights;
use super::zones::VarianceDesign;

/// What school non-response adjustment balances.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SchoolNonResponse {
    /// Base weight × MOS: the enrolment the schools stand for (PISA).
    Enrolment,
    /// Base weight alone: the number of schools they stand for.
    Schools,
}

/// The population each weighting stratum's final weights add up to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Totals {
    /// Σ MOS over the stratum's frame schools (ineligible ones included: give the totals
    /// yourself when the frame overstates the population).
    Frame,
    /// Given per explicit stratum (e.g. official enrolment at testing time).
    Given(BTreeMap<String, f64>),
    /// No final step: the weights sum to the population only in expectation.
    Design,
}

/// Weights above `multiple` × the median of their weighting stratum are trimmed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Trim {
    pub multiple: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeightingOptions {
    pub school_nr: SchoolNonResponse,
    pub trim: Option<Trim>,
    pub totals: Totals,
}

impl Default for WeightingOptions {
    fn default() -> Self {
        WeightingOptions {
            school_nr: SchoolNonResponse::Enrolment,
            trim: None,
            totals: Totals::Frame,
        }
    }
}

struct SchoolRow {
    base: f64,
    size: f64,
    eligible: bool,
    participating: bool,
    cell: usize,
}

struct StudentRow {
    school: usize,
    base: f64,
    eligible: bool,
    cell: usize,
}

/// The sample laid out for repeated weighting.
pub(crate) struct Pipeline {
    schools: Vec<SchoolRow>,
    school_cells: Vec<String>,
    students: Vec<StudentRow>,
    student_cells: Vec<String>,
    /// Indices of assessed students: the output rows.
    pub assessed: Vec<usize>,
    /// Weighting stratum of each output row.
    group: Vec<usize>,
    group_labels: Vec<String>,
    targets: Option<Vec<f64>>,
    trim: Option<Trim>,
}

/// A non-response cell: the default one of a unit (its weighting stratum, or its school
/// for students) or one the user named.
#[derive(PartialEq, Eq, Hash)]
enum CellKey {
    Default(usize),
    Named(String),
}

/// Interns cell keys in order of first appearance.
#[derive(Default)]
struct Cells {
    index: HashMap<CellKey, usize>,
    labels: Vec<String>,
}

impl Cells {
    fn of(&mut self, key: CellKey, label: impl FnOnce() -> String) -> usize {
        let next = self.labels.len();
        *self.index.entry(key).or_insert_with(|| {
            self.labels.push(label());
            next
        })
    }
}

impl Pipeline {
    pub fn new(sample: &Sample, options: &WeightingOptions, design: &VarianceDesign) -> Result<Pipeline, SurveyError> {
        let stratum_index: HashMap<&str, usize> = sample
            .schools
            .strata
            .iter()
            .enumerate()
            .map(|(h, s)| (s.stratum.as_str(), h))
            .collect();
        let group_of_school = |stratum: &str| stratum_index.get(stratum).map_or(0, |&h| design.group_of[h]);

        let mut school_cells = Cells::default();
        let mut school_index = HashMap::new();
        let mut school_group = Vec::new();
        let schools: Vec<SchoolRow> = sample
            .schools
            .schools
            .iter()
            .enumerate()
            .map(|(i, s)| {
                school_index.insert(s.id, i);
                let g = group_of_school(&s.stratum);
                school_group.push(g);
                let cell = match &s.nr_cell {
                    Some(label) => school_cells.of(CellKey::Named(label.clone()), || label.clone()),
                    None => school_cells.of(CellKey::Default(g), || design.group_labels[g].clone()),
                };
                SchoolRow {
                    base: 1.0 / s.prob,
                    size: match options.school_nr {
                        SchoolNonResponse::Enrolment => s.mos,
                        SchoolNonResponse::Schools => 1.0,
                    },
                    eligible: s.status != SchoolStatus::Ineligible,
                    participating: s.status == SchoolStatus::Participating,
                    cell,
                }
            })
            .collect();

        let mut student_cells = Cells::default();
        let mut students = Vec::with_capacity(sample.students.len());
        for st in &sample.students {
            let school = school_index
                .get(&st.school)
                .copied()
                .ok_or(SurveyError::StudentOutsideSample {
                    school: st.school,
                    student: st.id,
                })?;
            let cell = match &st.nr_cell {
                Some(label) => student_cells.of(CellKey::Named(label.clone()), || label.clone()),
                None => student_cells.of(CellKey::Default(school), || format!("school {}", st.school)),
            };
            students.push(StudentRow {
                school,
                base: 1.0 / st.prob,
                eligible: st.status != StudentStatus::Ineligible,
                cell,
            });
        }
        let assessed: Vec<usize> = (0..sample.students.len())
            .filter(|&j| sample.students[j].status == StudentStatus::Assessed)
            .collect();
        let group = assessed.iter().map(|&j| school_group[students[j].school]).collect();
        Ok(Pipeline {
            schools,
            school_cells: school_cells.labels,
            students,
            student_cells: student_cells.labels,
            assessed,
            group,
            group_labels: design.group_labels.clone(),
            targets: targets(sample, &options.totals, design)?,
            trim: options.trim,
        })
    }

    /// Full-sample weights of the assessed students, and the trimming factors the
    /// replicates reuse.
    pub fn full(&self) -> Result<(Vec<f64>, Option<Vec<f64>>), SurveyError> {
        let school = vec![1.0; self.schools.len()];
        let student = vec![1.0; self.students.len()];
        let adjusted = self.adjusted(&school, &student, Pass::Full)?;
        let trim = match self.trim {
            Some(t) => {
                let trimmed = trim_weights(&adjusted, &self.group, &self.group_labels, t.multiple)?;
                Some(trimmed.iter().zip(&adjusted).map(|(t, a)| t / a).collect::<Vec<f64>>())
            }
            None => None,
        };
        let weights = self.finish(adjusted, trim.as_deref(), Pass::Full)?;
        Ok((weights, trim))
    }

    /// Final weights for a replicate's school and student factors.
    pub fn replicate(
        &self,
        school: &[f64],
        student: &[f64],
        trim: Option<&[f64]>,
        pass: Pass,
    ) -> Result<Vec<f64>, SurveyError> {
        let adjusted = self.adjusted(school, student, pass)?;
        self.finish(adjusted, trim, pass)
    }

    /// Steps 1–4: non-response adjusted weights of the assessed students.
    fn adjusted(&self, school_factor: &[f64], student_factor: &[f64], pass: Pass) -> Result<Vec<f64>, SurveyError> {
        let n_cells = self.school_cells.len();
        let (mut eligible, mut responding) = (vec![0.0; n_cells], vec![0.0; n_cells]);
        let school_base: Vec<f64> = self
            .schools
            .iter()
            .zip(school_factor)
            .map(|(s, f)| s.base * f)
            .collect();
        for (s, b) in self.schools.iter().zip(&school_base) {
            if s.eligible {
                eligible[s.cell] += b * s.size;
                if s.participating {
                    responding[s.cell] += b * s.size;
                }
            }
        }
        let school_adj = ratios(&eligible, &responding, &self.school_cells, Level::School, pass)?;

        let n_cells = self.student_cells.len();
        let (mut eligible, mut responding) = (vec![0.0; n_cells], vec![0.0; n_cells]);
        let mut w = vec![0.0; self.students.len()];
        for (j, st) in self.students.iter().enumerate() {
            if st.eligible {
                let school = &self.schools[st.school];
                w[j] = school_base[st.school] * school_adj[school.cell] * st.base * student_factor[j];
                eligible[st.cell] += w[j];
            }
        }
        for &j in &self.assessed {
            responding[self.students[j].cell] += w[j];
        }
        let student_adj = ratios(&eligible, &responding, &self.student_cells, Level::Student, pass)?;
        Ok(self
            .assessed
            .iter()
            .map(|&j| w[j] * student_adj[self.students[j].cell])
            .collect())
    }

    /// Steps 5–6.
    fn finish(&self, mut w: Vec<f64>, trim: Option<&[f64]>, pass: Pass) -> Result<Vec<f64>, SurveyError> {
        if let Some(t) = trim {
            w.iter_mut().zip(t).for_each(|(w, t)| *w *= t);
        }
        if let Some(targets) = &self.targets {
            let mut sums = vec![0.0; targets.len()];
            for (x, &g) in w.iter().zip(&self.group) {
                sums[g] += x;
            }
            // A stratum without weight cannot stand for its population (every school of
            // it refused, or user cells moved its weight elsewhere).
            if let Some(g) = sums.iter().position(|&s| s <= 0.0) {
                return Err(SurveyError::NoWeightForTotal {
                    pass,
                    stratum: self.group_labels[g].clone(),
                });
            }
            for (x, &g) in w.iter_mut().zip(&self.group) {
                *x *= targets[g] / sums[g];
            }
        }
        Ok(w)
    }
}

/// Adjustment factor per cell: eligible / responding; a cell without any weight in this
/// pass keeps factor 0 (it has nobody to adjust).
fn ratios(
    eligible: &[f64],
    responding: &[f64],
    labels: &[String],
    level: Level,
    pass: Pass,
) -> Result<Vec<f64>, SurveyError> {
    eligible
        .iter()
        .zip(responding)
        .zip(labels)
        .map(|((&e, &r), label)| match (e > 0.0, r > 0.0) {
            (_, true) => Ok(e / r),
            (false, false) => Ok(0.0),
            (true, false) => Err(SurveyError::EmptyResponseCell {
                pass,
                level,
                cell: label.clone(),
            }),
        })
        .collect()
}

/// Population total of each weighting stratum, or `None` for design totals.
fn targets(sample: &Sample, totals: &Totals, design: &VarianceDesign) -> Result<Option<Vec<f64>>, SurveyError> {
    let per_stratum: Vec<f64> = match totals {
        Totals::Design => return Ok(None),
        Totals::Frame => sample.schools.strata.iter().map(|s| s.frame_mos).collect(),
        Totals::Given(given) => {
            if let Some(unknown) = given
                .keys()
                .find(|k| !sample.schools.strata.iter().any(|s| &s.stratum == *k))
            {
                return Err(SurveyError::UnknownStratum(unknown.clone()));
            }
            sample
                .schools
                .strata
                .iter()
                .map(|s| {
                    given
                        .get(&s.stratum)
                        .copied()
                        .ok_or_else(|| SurveyError::MissingTotal(s.stratum.clone()))
                })
                .collect::<Result<_, _>>()?
        }
    };
    let mut targets = vec![0.0; design.group_labels.len()];
    for (h, (&total, s)) in per_stratum.iter().zip(&sample.schools.strata).enumerate() {
        if !(total.is_finite() && total > 0.0) {
            return Err(SurveyError::BadTotal {
                stratum: s.stratum.clone(),
                total,
            });
        }
        targets[design.group_of[h]] += total;
    }
    Ok(Some(targets))
}

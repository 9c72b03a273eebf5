//! The sample after fieldwork: the school sample with each school's status, the sampled
//! students of participating schools with theirs, and the subject design. This is what
//! weighting reads; `validate` is run before every weighting.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::error::SurveyError;
use super::pps::{SchoolSample, SchoolStatus};
use super::students::{SampledStudent, StudentStatus};
use super::subjects::SubjectDesign;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    pub schools: SchoolSample,
    /// The sampled students of participating schools (every status).
    pub students: Vec<SampledStudent>,
    pub subjects: Option<SubjectDesign>,
}

impl Sample {
    /// Checks probabilities, statuses and links between students and schools.
    pub fn validate(&self) -> Result<(), SurveyError> {
        let strata: HashSet<&str> = self.schools.strata.iter().map(|s| s.stratum.as_str()).collect();
        let mut status = HashMap::new();
        for s in &self.schools.schools {
            if !(s.mos.is_finite() && s.mos > 0.0) {
                return Err(SurveyError::BadMeasureOfSize {
                    school: s.id,
                    mos: s.mos,
                });
            }
            if !(s.prob > 0.0 && s.prob <= 1.0) {
                return Err(SurveyError::BadSchoolProbability {
                    school: s.id,
                    prob: s.prob,
                });
            }
            if s.certainty && s.prob != 1.0 {
                return Err(SurveyError::CertaintyNotOne(s.id));
            }
            if !strata.contains(s.stratum.as_str()) {
                return Err(SurveyError::StratumWithoutSummary(s.stratum.clone()));
            }
            if status.insert(s.id, s.status).is_some() {
                return Err(SurveyError::DuplicateSchool(s.id));
            }
        }
        if let Some(design) = &self.subjects {
            design.check()?;
        }
        let mut seen = HashSet::new();
        let mut assessed = HashSet::new();
        for st in &self.students {
            if status.get(&st.school) != Some(&SchoolStatus::Participating) {
                return Err(SurveyError::StudentOutsideSample {
                    school: st.school,
                    student: st.id,
                });
            }
            if !seen.insert((st.school, st.id)) {
                return Err(SurveyError::DuplicateStudent {
                    school: st.school,
                    student: st.id,
                });
            }
            if !(st.prob > 0.0 && st.prob <= 1.0) {
                return Err(SurveyError::BadStudentProbability {
                    school: st.school,
                    student: st.id,
                    prob: st.prob,
                });
            }
            let fits = match &self.subjects {
                Some(design) => design.fits(&st.subjects),
                None => st.subjects.is_empty(),
            };
            if !fits {
                let design = self.subjects.unwrap_or(SubjectDesign {
                    subjects: 0,
                    per_student: 0,
                });
                return Err(SurveyError::BadSubjects {
                    school: st.school,
                    student: st.id,
                    taken: st.subjects.clone(),
                    subjects: design.subjects,
                    per_student: design.per_student,
                });
            }
            if st.status == StudentStatus::Assessed {
                assessed.insert(st.school);
            }
        }
        if let Some(s) = self
            .schools
            .schools
            .iter()
            .find(|s| s.status == SchoolStatus::Participating && !assessed.contains(&s.id))
        {
            return Err(SurveyError::NoAssessedStudents(s.id));
        }
        Ok(())
    }
}

//! Subject sub-sampling: each student takes k of the n subjects (Green Indicators 2018:
//! 2 of 4), balanced within the school.
//!
//! The school's students are shuffled with the stream keyed by the school id; each in
//! turn takes the k subjects taken least often so far in the school, ties broken at
//! random. Counts within a school then never differ by more than one, and since the rule
//! treats subjects symmetrically every student takes a given subject with probability
//! exactly k/n, so the subject weight is the student weight times n/k.

use std::collections::BTreeMap;

use rand::RngExt;
use serde::{Deserialize, Serialize};

use super::error::SurveyError;
use super::streams::{Stage, shuffle, stream};
use super::students::SampledStudent;

/// k of n subjects per student.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectDesign {
    pub subjects: usize,
    pub per_student: usize,
}

impl SubjectDesign {
    /// Refuses k = 0 and k ≥ n (taking every subject is no sub-sampling).
    pub fn new(subjects: usize, per_student: usize) -> Result<SubjectDesign, SurveyError> {
        let design = SubjectDesign { subjects, per_student };
        design.check()?;
        Ok(design)
    }

    pub(crate) fn check(&self) -> Result<(), SurveyError> {
        if self.per_student == 0 || self.per_student >= self.subjects {
            return Err(SurveyError::BadSubjectDesign {
                subjects: self.subjects,
                per_student: self.per_student,
            });
        }
        Ok(())
    }

    /// n/k: the inverse probability that a student takes a given subject.
    pub fn factor(&self) -> f64 {
        self.subjects as f64 / self.per_student as f64
    }

    /// Whether a student's subject list fits the design: k distinct subjects below n,
    /// ascending.
    pub(crate) fn fits(&self, taken: &[usize]) -> bool {
        taken.len() == self.per_student
            && taken.windows(2).all(|w| w[0] < w[1])
            && taken.iter().all(|&s| s < self.subjects)
    }
}

/// Assigns subjects to the students, school by school (a school's students need not be
/// contiguous).
pub fn assign_subjects(students: &mut [SampledStudent], design: SubjectDesign, seed: u64) -> Result<(), SurveyError> {
    design.check()?;
    let mut schools: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
    for (j, s) in students.iter().enumerate() {
        schools.entry(s.school).or_default().push(j);
    }
    for (school, mut members) in schools {
        let mut rng = stream(seed, Stage::Subjects, school);
        shuffle(&mut rng, &mut members);
        let mut counts = vec![0usize; design.subjects];
        for j in members {
            let mut ranked: Vec<(usize, u64, usize)> = (0..design.subjects)
                .map(|s| (counts[s], rng.random::<u64>(), s))
                .collect();
            ranked.sort_unstable();
            let mut taken: Vec<usize> = ranked[..design.per_student].iter().map(|&(_, _, s)| s).collect();
            taken.sort_unstable();
            for &s in &taken {
                counts[s] += 1;
            }
            students[j].subjects = taken;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::survey::students::StudentStatus;

    fn students(n: u64, school: u64) -> Vec<SampledStudent> {
        (0..n)
            .map(|id| SampledStudent {
                id,
                school,
                class: None,
                prob: 1.0,
                status: StudentStatus::Assessed,
                subjects: vec![],
                nr_cell: None,
            })
            .collect()
    }

    #[test]
    fn balanced_within_school() {
        let mut s = students(23, 1);
        s.extend(students(17, 2));
        let design = SubjectDesign::new(4, 2).unwrap();
        assign_subjects(&mut s, design, 9).unwrap();
        for school in [1, 2] {
            let mut counts = [0usize; 4];
            for x in s.iter().filter(|x| x.school == school) {
                assert!(design.fits(&x.subjects));
                x.subjects.iter().for_each(|&k| counts[k] += 1);
            }
            let (lo, hi) = (counts.iter().min().unwrap(), counts.iter().max().unwrap());
            assert!(hi - lo <= 1, "{counts:?}");
        }
    }

    #[test]
    fn every_pair_of_subjects_occurs() {
        let mut s = students(60, 1);
        assign_subjects(&mut s, SubjectDesign::new(4, 2).unwrap(), 5).unwrap();
        let pairs: std::collections::BTreeSet<Vec<usize>> = s.iter().map(|x| x.subjects.clone()).collect();
        assert_eq!(pairs.len(), 6);
    }

    #[test]
    fn degenerate_designs_are_refused() {
        for (n, k) in [(4, 0), (4, 4), (4, 5), (0, 0)] {
            assert_eq!(
                SubjectDesign::new(n, k),
                Err(SurveyError::BadSubjectDesign {
                    subjects: n,
                    per_student: k
                })
            );
        }
    }
}

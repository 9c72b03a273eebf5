//! Second stage: students within a participating school, by simple random sampling of
//! students (PISA) or of whole classes (TIMSS), or all of them.

use std::collections::{BTreeSet, HashSet};

use rand::RngExt;
use serde::{Deserialize, Serialize};

use super::error::SurveyError;
use super::streams::{Stage, stream};

/// One student on a school's roster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RosterStudent {
    pub id: u64,
    pub class: u64,
}

/// The target-grade students of one school, in the order the school listed them. That
/// order is kept in the sample and pairs students into zones when the school represents
/// itself, so a roster sorted by class (or gender) stratifies those zones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Roster {
    pub school: u64,
    pub students: Vec<RosterStudent>,
}

/// How students are taken within a school.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StudentSelection {
    /// Every student (π = 1).
    All,
    /// A simple random sample of this many students (all of them if the school has fewer).
    Random { students: usize },
    /// This many classes with equal probability, all their students (all classes if the
    /// school has fewer).
    Classes { classes: usize },
}

/// What happened to a sampled student in the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StudentStatus {
    Assessed,
    /// Eligible but not assessed: the weight goes to assessed students of the cell.
    Absent,
    /// Out of scope (left the school, excluded): no weight, no adjustment.
    Ineligible,
}

/// A sampled student with the conditional selection probability π_{j|i}.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampledStudent {
    pub id: u64,
    pub school: u64,
    /// The class through which the student was sampled (class-based selection only).
    pub class: Option<u64>,
    /// π_{j|i}, the probability of selection within the school.
    pub prob: f64,
    /// Set after fieldwork; selection marks every student as assessed.
    pub status: StudentStatus,
    /// Subjects taken (ascending) under subject sub-sampling; empty without it.
    pub subjects: Vec<usize>,
    /// Student non-response cell; `None` is the student's school.
    pub nr_cell: Option<String>,
}

/// Selects students of one school with the stream keyed by the school id. The sample
/// keeps roster order.
pub fn select_students(roster: &Roster, how: StudentSelection, seed: u64) -> Result<Vec<SampledStudent>, SurveyError> {
    let school = roster.school;
    if roster.students.is_empty() {
        return Err(SurveyError::EmptyRoster(school));
    }
    let mut ids = HashSet::new();
    if let Some(dup) = roster.students.iter().find(|s| !ids.insert(s.id)) {
        return Err(SurveyError::DuplicateStudent {
            school,
            student: dup.id,
        });
    }
    let mut rng = stream(seed, Stage::Students, school);
    let student = |s: &RosterStudent, class: Option<u64>, prob: f64| SampledStudent {
        id: s.id,
        school,
        class,
        prob,
        status: StudentStatus::Assessed,
        subjects: Vec::new(),
        nr_cell: None,
    };
    match how {
        StudentSelection::All => Ok(roster.students.iter().map(|s| student(s, None, 1.0)).collect()),
        StudentSelection::Random { students: 0 } | StudentSelection::Classes { classes: 0 } => {
            Err(SurveyError::NothingToTake(school))
        }
        StudentSelection::Random { students: n } => {
            let size = roster.students.len();
            let chosen: BTreeSet<usize> = pick(&mut rng, size, n).into_iter().collect();
            let prob = n.min(size) as f64 / size as f64;
            Ok(chosen
                .into_iter()
                .map(|i| student(&roster.students[i], None, prob))
                .collect())
        }
        StudentSelection::Classes { classes: c } => {
            let classes: Vec<u64> = roster
                .students
                .iter()
                .map(|s| s.class)
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            let chosen: HashSet<u64> = pick(&mut rng, classes.len(), c)
                .into_iter()
                .map(|k| classes[k])
                .collect();
            let prob = c.min(classes.len()) as f64 / classes.len() as f64;
            Ok(roster
                .students
                .iter()
                .filter(|s| chosen.contains(&s.class))
                .map(|s| student(s, Some(s.class), prob))
                .collect())
        }
    }
}

/// `n` distinct indices out of `0..size` with equal probability (all when n ≥ size), by a
/// partial Fisher–Yates shuffle.
fn pick(rng: &mut rand_chacha::ChaCha20Rng, size: usize, n: usize) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..size).collect();
    if n >= size {
        return idx;
    }
    for i in 0..n {
        let j = rng.random_range(i..size);
        idx.swap(i, j);
    }
    idx.truncate(n);
    idx
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roster(n: u64, per_class: u64) -> Roster {
        Roster {
            school: 42,
            students: (0..n)
                .map(|id| RosterStudent {
                    id,
                    class: id / per_class,
                })
                .collect(),
        }
    }

    #[test]
    fn random_students_keep_roster_order() {
        let s = select_students(&roster(30, 10), StudentSelection::Random { students: 8 }, 1).unwrap();
        assert_eq!(s.len(), 8);
        assert!(s.windows(2).all(|w| w[0].id < w[1].id));
        assert!(
            s.iter()
                .all(|x| (x.prob - 8.0 / 30.0).abs() < 1e-15 && x.class.is_none())
        );
    }

    #[test]
    fn small_schools_are_taken_whole() {
        let s = select_students(&roster(5, 5), StudentSelection::Random { students: 8 }, 1).unwrap();
        assert_eq!(s.len(), 5);
        assert!(s.iter().all(|x| x.prob == 1.0));
    }

    #[test]
    fn classes_take_all_their_students() {
        let s = select_students(&roster(40, 10), StudentSelection::Classes { classes: 2 }, 3).unwrap();
        assert_eq!(s.len(), 20);
        let classes: BTreeSet<u64> = s.iter().filter_map(|x| x.class).collect();
        assert_eq!(classes.len(), 2);
        assert!(s.iter().all(|x| x.prob == 0.5));
    }

    #[test]
    fn bad_rosters_are_refused() {
        let empty = Roster {
            school: 7,
            students: vec![],
        };
        assert_eq!(
            select_students(&empty, StudentSelection::All, 1),
            Err(SurveyError::EmptyRoster(7))
        );
        let mut dup = roster(3, 3);
        dup.students[2].id = 0;
        assert_eq!(
            select_students(&dup, StudentSelection::All, 1),
            Err(SurveyError::DuplicateStudent { school: 42, student: 0 })
        );
        assert_eq!(
            select_students(&roster(3, 3), StudentSelection::Classes { classes: 0 }, 1),
            Err(SurveyError::NothingToTake(42))
        );
    }
}

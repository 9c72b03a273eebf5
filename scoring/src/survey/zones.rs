//! Variance units and zones: what each replicate perturbs.
//!
//! - A participating school not taken with certainty is a unit; units are paired into
//!   zones in sampling order within their explicit stratum (TIMSS JK zones, PISA
//!   pseudo-strata). Non-participating schools are in no zone: their weight reaches the
//!   participants through the non-response adjustment each replicate re-runs.
//! - A stratum with an odd number of units ends with a zone of three.
//! - A stratum with a single unit is collapsed with the stratum before it (in label
//!   order, skipping strata without units), or with the next one when it comes first: its
//!   school joins that stratum's units, and the two strata are one weighting stratum for
//!   the default school non-response cells, trimming domains and population totals, so a
//!   replicate never leaves either without weight. A design whose only unit is that
//!   school is an error.
//! - A school that represents itself (certainty school, census) is a variance stratum of
//!   its own whose units are its classes (class-based selection with two or more classes
//!   assessed) or its assessed students, paired in sample order — no between-school
//!   variance (DESIGN.md §5). When all its students were taken it has no units at all;
//!   a single unit is an error.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::error::SurveyError;
use super::pps::SchoolStatus;
use super::sample::Sample;
use super::students::StudentStatus;

/// What a replicate factor multiplies: a school's base weight, or the base weights of
/// some of its students (one student, or a class).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Unit {
    School(usize),
    Students(Vec<usize>),
}

/// A variance unit as recorded with the weights.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum UnitId {
    School(u64),
    Class { school: u64, class: u64 },
    Student { school: u64, student: u64 },
}

/// A zone (JK2) or pseudo-stratum (BRR): two or three units of one variance stratum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Zone {
    /// Explicit stratum (joined by `+` when collapsed) or `school <id>`.
    pub stratum: String,
    pub units: Vec<UnitId>,
}

/// A stratum with a single unit and the stratum it was collapsed with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Collapse {
    pub stratum: String,
    pub into: String,
}

pub(crate) struct VarianceDesign {
    pub units: Vec<Unit>,
    /// Zones as indices into `units`, in order: school zones by weighting stratum, then
    /// the zones of self-representing schools.
    pub zones: Vec<Vec<usize>>,
    pub records: Vec<Zone>,
    pub collapsed: Vec<Collapse>,
    /// Weighting stratum of every explicit stratum (index into `sample.schools.strata`).
    pub group_of: Vec<usize>,
    pub group_labels: Vec<String>,
    /// Schools and students sampled at random at the level of a unit (JK1 scales them
    /// when it drops another unit); the rest were taken with certainty.
    pub random_school: Vec<bool>,
    pub random_student: Vec<bool>,
}

pub(crate) fn build(sample: &Sample) -> Result<VarianceDesign, SurveyError> {
    let strata = &sample.schools.strata;
    let index: BTreeMap<&str, usize> = strata
        .iter()
        .enumerate()
        .map(|(h, s)| (s.stratum.as_str(), h))
        .collect();
    let mut per_stratum: Vec<Vec<usize>> = vec![Vec::new(); strata.len()];
    let mut schools: Vec<usize> = (0..sample.schools.schools.len()).collect();
    schools.sort_by_key(|&i| {
        let s = &sample.schools.schools[i];
        (index.get(s.stratum.as_str()).copied(), s.order)
    });
    for i in schools {
        let s = &sample.schools.schools[i];
        if !s.certainty
            && s.status == SchoolStatus::Participating
            && let Some(&h) = index.get(s.stratum.as_str())
        {
            per_stratum[h].push(i);
        }
    }
    let (groups, collapsed) = collapse(&per_stratum, strata.iter().map(|s| s.stratum.as_str()).collect())?;
    let mut group_of = vec![0; strata.len()];
    for (g, members) in groups.iter().enumerate() {
        members.iter().for_each(|&h| group_of[h] = g);
    }
    let group_labels: Vec<String> = groups
        .iter()
        .map(|m| {
            m.iter()
                .map(|&h| strata[h].stratum.as_str())
                .collect::<Vec<_>>()
                .join("+")
        })
        .collect();

    let mut design = VarianceDesign {
        units: Vec::new(),
        zones: Vec::new(),
        records: Vec::new(),
        collapsed,
        group_of,
        group_labels,
        random_school: sample.schools.schools.iter().map(|s| !s.certainty).collect(),
        random_student: vec![false; sample.students.len()],
    };
    for (g, members) in groups.iter().enumerate() {
        let units: Vec<(Unit, UnitId)> = members
            .iter()
            .flat_map(|&h| &per_stratum[h])
            .map(|&i| (Unit::School(i), UnitId::School(sample.schools.schools[i].id)))
            .collect();
        let label = design.group_labels[g].clone();
        design.push_zones(units, &label);
    }
    for (i, school) in sample.schools.schools.iter().enumerate() {
        if school.certainty && school.status == SchoolStatus::Participating {
            let units = school_units(sample, i)?;
            let members: Vec<usize> = sample
                .students
                .iter()
                .enumerate()
                .filter(|(_, st)| st.school == school.id)
                .map(|(j, _)| j)
                .collect();
            if !units.is_empty() {
                members.iter().for_each(|&j| design.random_student[j] = true);
            }
            design.push_zones(units, &format!("school {}", school.id));
        }
    }
    if design.units.len() < 2 {
        return Err(SurveyError::TooFewUnits(design.units.len()));
    }
    Ok(design)
}

impl VarianceDesign {
    /// Pairs `units` in order; an odd count ends with a zone of three.
    fn push_zones(&mut self, units: Vec<(Unit, UnitId)>, stratum: &str) {
        let n = units.len();
        let first = self.units.len();
        let mut bounds: Vec<(usize, usize)> = (0..n / 2).map(|z| (2 * z, 2 * z + 2)).collect();
        if n % 2 == 1
            && let Some(last) = bounds.last_mut()
        {
            last.1 = n;
        }
        for (a, b) in bounds {
            self.zones.push((first + a..first + b).collect());
            self.records.push(Zone {
                stratum: stratum.into(),
                units: units[a..b].iter().map(|(_, id)| id.clone()).collect(),
            });
        }
        self.units.extend(units.into_iter().map(|(u, _)| u));
    }
}

/// Groups strata so that none has a single unit (see the module notes); strata without
/// units stay on their own.
fn collapse(per_stratum: &[Vec<usize>], labels: Vec<&str>) -> Result<(Vec<Vec<usize>>, Vec<Collapse>), SurveyError> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut collapsed = Vec::new();
    let mut last_with_units: Option<usize> = None;
    let mut pending: Vec<usize> = Vec::new();
    for (h, units) in per_stratum.iter().enumerate() {
        match (units.len(), last_with_units) {
            (0, _) => groups.push(vec![h]),
            (1, Some(g)) => {
                collapsed.push(Collapse {
                    stratum: labels[h].into(),
                    into: labels[groups[g][0]].into(),
                });
                groups[g].push(h);
            }
            (1, None) => pending.push(h),
            _ => {
                for &p in &pending {
                    collapsed.push(Collapse {
                        stratum: labels[p].into(),
                        into: labels[h].into(),
                    });
                }
                let mut group = std::mem::take(&mut pending);
                group.push(h);
                last_with_units = Some(groups.len());
                groups.push(group);
            }
        }
    }
    match pending.as_slice() {
        [] => {}
        [only] => return Err(SurveyError::LoneSchool(labels[*only].into())),
        [first, rest @ ..] => {
            for &p in rest {
                collapsed.push(Collapse {
                    stratum: labels[p].into(),
                    into: labels[*first].into(),
                });
            }
            groups.push(pending);
        }
    }
    groups.sort_by_key(|g| g[0]);
    Ok((groups, collapsed))
}

/// The variance units of a self-representing school (see the module notes).
fn school_units(sample: &Sample, i: usize) -> Result<Vec<(Unit, UnitId)>, SurveyError> {
    let school = sample.schools.schools[i].id;
    let members: Vec<usize> = (0..sample.students.len())
        .filter(|&j| sample.students[j].school == school)
        .collect();
    if members.iter().all(|&j| sample.students[j].prob == 1.0) {
        return Ok(Vec::new());
    }
    let assessed = |j: &usize| sample.students[*j].status == StudentStatus::Assessed;
    let mut classes: Vec<(u64, Vec<usize>)> = Vec::new();
    for &j in &members {
        if let Some(c) = sample.students[j].class {
            match classes.iter_mut().find(|(k, _)| *k == c) {
                Some((_, js)) => js.push(j),
                None => classes.push((c, vec![j])),
            }
        }
    }
    classes.retain(|(_, js)| js.iter().any(assessed));
    let units: Vec<(Unit, UnitId)> = if classes.len() >= 2 {
        classes
            .into_iter()
            .map(|(class, js)| (Unit::Students(js), UnitId::Class { school, class }))
            .collect()
    } else {
        members
            .into_iter()
            .filter(assessed)
            .map(|j| {
                let student = sample.students[j].id;
                (Unit::Students(vec![j]), UnitId::Student { school, student })
            })
            .collect()
    };
    if units.len() == 1 {
        return Err(SurveyError::LoneUnitInSchool(school));
    }
    Ok(units)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels() -> Vec<&'static str> {
        vec!["A", "B", "C", "D"]
    }

    #[test]
    fn lone_strata_join_the_previous_one_or_the_next() {
        let units = |n: &[usize]| n.iter().map(|&k| vec![0; k]).collect::<Vec<_>>();
        let (g, c) = collapse(&units(&[2, 1, 0, 3]), labels()).unwrap();
        assert_eq!(g, [vec![0, 1], vec![2], vec![3]]);
        assert_eq!(
            c,
            [Collapse {
                stratum: "B".into(),
                into: "A".into()
            }]
        );
        let (g, c) = collapse(&units(&[1, 0, 1, 2]), labels()).unwrap();
        assert_eq!(g, [vec![0, 2, 3], vec![1]]);
        assert_eq!(c.len(), 2);
        let (g, _) = collapse(&units(&[1, 1, 0, 0]), labels()).unwrap();
        assert_eq!(g, [vec![0, 1], vec![2], vec![3]]);
        assert_eq!(
            collapse(&units(&[0, 1, 0, 0]), labels()),
            Err(SurveyError::LoneSchool("B".into()))
        );
    }
}

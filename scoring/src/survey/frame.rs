//! The school sampling frame: every school of the target population with its explicit
//! stratum, implicit sort keys and measure of size.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use super::error::SurveyError;

/// One school of the frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameSchool {
    pub id: u64,
    /// Explicit stratum: the sample size is fixed per stratum.
    pub stratum: String,
    /// Implicit stratification keys (e.g. district, school type), compared in order as
    /// text: systematic selection along this order spreads the sample over them. Pad
    /// numeric codes to equal width so "09" sorts before "10".
    pub implicit: Vec<String>,
    /// Measure of size: the school's enrolment of the target population. Selection is
    /// proportional to it, and the frame's totals of it are the population totals the
    /// final weights are scaled to by default.
    pub mos: f64,
}

/// A validated frame: ids unique, measures of size finite and positive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Vec<FrameSchool>", into = "Vec<FrameSchool>")]
pub struct Frame {
    schools: Vec<FrameSchool>,
}

impl Frame {
    pub fn new(schools: Vec<FrameSchool>) -> Result<Frame, SurveyError> {
        if schools.is_empty() {
            return Err(SurveyError::EmptyFrame);
        }
        let mut seen = HashSet::new();
        for s in &schools {
            if !(s.mos.is_finite() && s.mos > 0.0) {
                return Err(SurveyError::BadMeasureOfSize {
                    school: s.id,
                    mos: s.mos,
                });
            }
            if !seen.insert(s.id) {
                return Err(SurveyError::DuplicateSchool(s.id));
            }
        }
        Ok(Frame { schools })
    }

    pub fn schools(&self) -> &[FrameSchool] {
        &self.schools
    }

    /// Explicit strata in label order, each with its schools in sampling order: implicit
    /// keys, then measure of size, then id (the last two only make the order total).
    pub fn strata(&self) -> BTreeMap<&str, Vec<&FrameSchool>> {
        let mut strata: BTreeMap<&str, Vec<&FrameSchool>> = BTreeMap::new();
        for s in &self.schools {
            strata.entry(s.stratum.as_str()).or_default().push(s);
        }
        for schools in strata.values_mut() {
            schools.sort_by(|a, b| {
                a.implicit
                    .cmp(&b.implicit)
                    .then(a.mos.total_cmp(&b.mos))
                    .then(a.id.cmp(&b.id))
            });
        }
        strata
    }
}

impl TryFrom<Vec<FrameSchool>> for Frame {
    type Error = SurveyError;
    fn try_from(schools: Vec<FrameSchool>) -> Result<Frame, SurveyError> {
        Frame::new(schools)
    }
}

impl From<Frame> for Vec<FrameSchool> {
    fn from(frame: Frame) -> Vec<FrameSchool> {
        frame.schools
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn school(id: u64, stratum: &str, implicit: &str, mos: f64) -> FrameSchool {
        FrameSchool {
            id,
            stratum: stratum.into(),
            implicit: vec![implicit.into()],
            mos,
        }
    }

    #[test]
    fn strata_are_sorted_by_implicit_keys_then_size() {
        let frame = Frame::new(vec![
            school(1, "B", "02", 10.0),
            school(2, "A", "02", 5.0),
            school(3, "A", "01", 50.0),
            school(4, "A", "02", 1.0),
        ])
        .unwrap();
        let strata = frame.strata();
        let ids: Vec<Vec<u64>> = strata.values().map(|s| s.iter().map(|x| x.id).collect()).collect();
        assert_eq!(strata.keys().copied().collect::<Vec<_>>(), ["A", "B"]);
        assert_eq!(ids, [vec![3, 4, 2], vec![1]]);
    }

    #[test]
    fn bad_frames_are_refused() {
        assert_eq!(Frame::new(vec![]), Err(SurveyError::EmptyFrame));
        assert!(matches!(
            Frame::new(vec![school(9, "A", "", 0.0)]),
            Err(SurveyError::BadMeasureOfSize { school: 9, .. })
        ));
        assert!(matches!(
            Frame::new(vec![school(9, "A", "", f64::NAN)]),
            Err(SurveyError::BadMeasureOfSize { school: 9, .. })
        ));
        assert_eq!(
            Frame::new(vec![school(9, "A", "", 1.0), school(9, "B", "", 2.0)]),
            Err(SurveyError::DuplicateSchool(9))
        );
    }

    #[test]
    fn deserialising_validates() {
        let bad = r#"[{"id":1,"stratum":"A","implicit":[],"mos":-3.0}]"#;
        assert!(serde_json::from_str::<Frame>(bad).is_err());
        let good = r#"[{"id":1,"stratum":"A","implicit":[],"mos":3.0}]"#;
        assert_eq!(serde_json::from_str::<Frame>(good).unwrap().schools().len(), 1);
    }
}

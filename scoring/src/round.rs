//! An assessment round's parameter registry (DESIGN.md §4): what a round fixes once and
//! later rounds and reports reuse — item parameters, the reporting scale, cut scores
//! (proficiency levels) on the reporting scale, questionnaire-index standardisation
//! constants and the linking transformations to earlier rounds. Versioned: a change
//! makes a new version, and results record the version they were computed with.

use std::collections::BTreeMap;

use calibration::linking::Transform;
use calibration::model::ItemParams;
use serde::{Deserialize, Serialize};

use crate::scale::ReportingScale;

/// One round's registry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Round {
    /// e.g. "2026-g8".
    pub id: String,
    pub grade: u8,
    pub subjects: Vec<String>,
    pub bank_version: String,
    pub framework_version: String,
    /// Increases with every change of the registry.
    pub version: u32,
    /// One entry per achievement scale (e.g. "math").
    pub scales: BTreeMap<String, Scale>,
    /// Questionnaire indices' standardisation constants (base-round mean and SD).
    pub indices: BTreeMap<String, IndexConstants>,
}

/// An achievement scale's parameters in a round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scale {
    /// Item id → calibrated parameters (on this round's logit scale).
    pub items: BTreeMap<String, ItemParams>,
    /// This round's logits → reporting units (already through any link).
    pub reporting: ReportingScale,
    /// Proficiency levels by their lower bound on the reporting scale, ascending; below
    /// the first bound is "below the lowest level".
    pub levels: Vec<Level>,
    /// Links to earlier rounds: θ_earlier = A·θ_this + B, with the linking error (in
    /// reporting units) that comparisons between the rounds must carry.
    pub links: Vec<Link>,
}

/// A proficiency level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Level {
    pub name: String,
    /// Lower bound on the reporting scale.
    pub from: f64,
}

/// A linking transformation to an earlier round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Link {
    pub to_round: String,
    pub transform: Transform,
    /// Standard error of a trend comparison due to the choice of link items.
    pub linking_error: f64,
}

/// Standardisation of a questionnaire index: (WLE − mean)/sd with base-round constants.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct IndexConstants {
    pub mean: f64,
    pub sd: f64,
}

/// What is wrong with a registry.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RoundError {
    #[error("scale {scale}: level bounds must be finite and strictly ascending ({at} after {before})")]
    Levels { scale: String, before: f64, at: f64 },
    #[error("scale {scale}: the reporting scale needs a positive logit SD and SD")]
    Reporting { scale: String },
    #[error("scale {scale}: the link to {round} needs a positive slope and a non-negative linking error")]
    Link { scale: String, round: String },
    #[error("scale {scale}: item {item} has invalid parameters")]
    Item { scale: String, item: String },
    #[error("index {0}: the standardisation SD must be positive")]
    Index(String),
}

impl Round {
    /// Checks every part of the registry; the first problem is returned.
    pub fn validate(&self) -> Result<(), RoundError> {
        for (name, scale) in &self.scales {
            let r = &scale.reporting;
            if !(r.logit_sd > 0.0 && r.sd > 0.0 && r.logit_mean.is_finite() && r.mean.is_finite()) {
                return Err(RoundError::Reporting { scale: name.clone() });
            }
            let mut before = f64::NEG_INFINITY;
            for level in &scale.levels {
                if !(level.from.is_finite() && level.from > before) {
                    return Err(RoundError::Levels {
                        scale: name.clone(),
                        before,
                        at: level.from,
                    });
                }
                before = level.from;
            }
            for link in &scale.links {
                if !(link.transform.a > 0.0 && link.transform.b.is_finite() && link.linking_error >= 0.0) {
                    return Err(RoundError::Link {
                        scale: name.clone(),
                        round: link.to_round.clone(),
                    });
                }
            }
            if let Some((item, _)) = scale.items.iter().find(|(_, p)| !p.is_valid()) {
                return Err(RoundError::Item {
                    scale: name.clone(),
                    item: item.clone(),
                });
            }
        }
        if let Some((name, _)) = self.indices.iter().find(|(_, c)| !(c.sd > 0.0 && c.mean.is_finite())) {
            return Err(RoundError::Index(name.clone()));
        }
        Ok(())
    }
}

impl Scale {
    /// Cut scores on this round's logit scale (for classifying logit-scale values).
    pub fn logit_cuts(&self) -> Vec<f64> {
        self.levels.iter().map(|l| self.reporting.logit(l.from)).collect()
    }

    /// The level of a reporting-scale score: 0 below the first bound, k at or above
    /// bound k (1-based).
    pub fn level_of(&self, score: f64) -> usize {
        self.levels.partition_point(|l| l.from <= score)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calibration::model::Model;

    fn round() -> Round {
        let mut items = BTreeMap::new();
        items.insert("M01".to_string(), ItemParams::new(Model::TwoPl, 2));
        let scale = Scale {
            items,
            reporting: ReportingScale {
                logit_mean: 0.0,
                logit_sd: 1.0,
                mean: 500.0,
                sd: 100.0,
            },
            levels: [("1", 400.0), ("2", 480.0), ("3", 560.0)]
                .map(|(name, from)| Level {
                    name: name.into(),
                    from,
                })
                .to_vec(),
            links: Vec::new(),
        };
        Round {
            id: "2026-g8".into(),
            grade: 8,
            subjects: vec!["math".into()],
            bank_version: "1".into(),
            framework_version: "3.0".into(),
            version: 1,
            scales: BTreeMap::from([("math".to_string(), scale)]),
            indices: BTreeMap::new(),
        }
    }

    #[test]
    fn levels_and_round_trip() {
        let r = round();
        r.validate().unwrap();
        let math = &r.scales["math"];
        assert_eq!([399.9, 400.0, 500.0, 700.0].map(|s| math.level_of(s)), [0, 1, 2, 3]);
        for (got, want) in math.logit_cuts().iter().zip([-1.0, -0.2, 0.6]) {
            assert!((got - want).abs() < 1e-12);
        }
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(serde_json::from_str::<Round>(&json).unwrap(), r);
    }

    #[test]
    fn unordered_levels_are_refused() {
        let mut r = round();
        r.scales.get_mut("math").unwrap().levels[1].from = 390.0;
        assert!(matches!(r.validate(), Err(RoundError::Levels { .. })));
    }
}

//! Classical item statistics: the first look at every item, before and beside IRT.
//!
//! Psychometricians read these tables to catch miskeys, dead items and broken distractors
//! before a calibration hides them behind parameters: per item the administered counts,
//! mean score and p-value, category proportions and item–rest correlation
//! ([`item_statistics`]); per multiple-choice item the share and mean total score of every
//! option ([`distractor_analysis`]); per item set Cronbach's α and "α if item deleted"
//! ([`cronbach_alpha`]).
//!
//! Every statistic is weighted with [`ResponseMatrix::normalized_weights`] (weights summing to
//! the number of persons), so a person of weight 2 counts like two copies of that person and the
//! weighted counts stay on the sample's scale. Responses first pass through the
//! [`MissingPolicy`] (the scaled matrix); what is then not administered (255) is left out
//! item by item, never imputed.
//!
//! **Booklet designs.** Total and rest scores are sums over the items a person was
//! administered. In a rotated booklet design they therefore mix booklets of different length
//! and difficulty, which blurs the item–rest correlation; for clean values run the statistics
//! per booklet (select that booklet's persons and items). Cronbach's α uses complete cases, so
//! asking for one booklet's items selects that booklet's persons by itself.
//!
//! [`ResponseMatrix::normalized_weights`]: crate::data::ResponseMatrix::normalized_weights

mod alpha;
mod distractors;
mod items;
mod moments;

pub use alpha::{AlphaIfDeleted, AlphaReport, cronbach_alpha};
pub use distractors::{DistractorItem, OptionStats, distractor_analysis};
pub use items::{ItemStats, item_statistics};
pub(crate) use moments::Moments;

use crate::data::codes::MissingPolicy;
use serde::{Deserialize, Serialize};

/// Why classical statistics cannot be computed for the request.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClassicalError {
    #[error("{what} has {got} entries, expected one per item ({items})")]
    ItemColumn {
        what: &'static str,
        items: usize,
        got: usize,
    },
    #[error("item {item} has category {category}, above its declared maximum score {max}")]
    AboveMaximum { item: String, category: u8, max: u8 },
    #[error("the key of item {item} is {key}; option codes must be below 250 (the missing codes)")]
    KeyCode { item: String, key: u8 },
    #[error("item index {index} is out of range ({items} items)")]
    ItemIndex { index: usize, items: usize },
    #[error("item {0} is listed twice")]
    DuplicateItem(String),
    #[error("Cronbach's α needs at least two items, got {0}")]
    TooFewItems(usize),
}

/// Where an item statistic starts to look suspicious (the defaults are common conventions;
/// some programmes use 0.15 / 0.85 for the p-value bounds).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FlagThresholds {
    /// Flag [`ItemFlag::Hard`] below this p-value.
    pub p_low: f64,
    /// Flag [`ItemFlag::Easy`] above this p-value.
    pub p_high: f64,
    /// Flag [`ItemFlag::LowItemRest`] below this item–rest correlation.
    pub min_item_rest: f64,
    /// Flag [`ItemFlag::PositiveDistractor`] when a wrong option's point-biserial exceeds this:
    /// able students should not be drawn to a wrong answer.
    pub max_distractor_point_biserial: f64,
}

impl Default for FlagThresholds {
    fn default() -> Self {
        FlagThresholds {
            p_low: 0.1,
            p_high: 0.9,
            min_item_rest: 0.2,
            max_distractor_point_biserial: 0.0,
        }
    }
}

/// Options of the classical statistics.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ClassicalOptions {
    /// How omitted and not-reached responses are scored (as in scaling).
    pub policy: MissingPolicy,
    /// Maximum score of each item, from the item bank. Without it the highest observed category
    /// is used, which overstates the p-value of an item whose top category nobody reached.
    pub max_scores: Option<Vec<u8>>,
    /// Flagging rules.
    pub flags: FlagThresholds,
}

/// Something a reviewer should look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemFlag {
    /// Nobody with positive weight was administered the item; nothing else is computed.
    NoResponses,
    /// Everybody got the same score: the item tells persons apart not at all.
    NoVariance,
    /// p-value below [`FlagThresholds::p_low`].
    Hard,
    /// p-value above [`FlagThresholds::p_high`].
    Easy,
    /// Item–rest correlation below [`FlagThresholds::min_item_rest`].
    LowItemRest,
    /// A wrong option correlates positively with the rest score (miskey or ambiguous item?).
    PositiveDistractor,
}

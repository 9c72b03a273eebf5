//! Units (testlets): items that share a stimulus, as PISA units or a questionnaire
//! grid whose rows share one stem.

use serde::{Deserialize, Serialize};

use crate::item::Audio;
use crate::problems::FieldProblems;
use crate::text::LocalizedText;

/// A shared stimulus and the items that refer to it, in presentation order.
///
/// Text fields are plain text; inline mathematics is written as MathML `<math>`
/// elements, which the runner renders natively.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unit {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<LocalizedText>,
    pub stimulus: LocalizedText,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio: Option<Audio>,
    pub items: Vec<String>,
}

impl Unit {
    /// Checks the unit on its own; the bank checks that its items exist.
    pub fn check(&self) -> FieldProblems {
        let mut p = FieldProblems::default();
        if !crate::is_valid_id(&self.id) {
            p.push("id", format!("`{}` is not a valid identifier", self.id));
        }
        if let Some(t) = &self.title {
            p.require_zh("title", t);
        }
        p.require_zh("stimulus", &self.stimulus);
        if self.items.is_empty() {
            p.push("items", "a unit needs at least one item");
        }
        p.require_unique("items", self.items.iter().map(String::as_str));
        if let Some(audio) = &self.audio
            && audio.max_plays == 0
        {
            p.push("audio.max_plays", "must allow at least one play");
        }
        p
    }
}

//! Questionnaires (student, teacher, principal, parent) with sections and routing.
//!
//! Routing is written as rules "after item `at`, if `when` holds, go to `goto`";
//! the items jumped over are *valid skips* (code 251), which is information ("no
//! siblings"), not a refusal. The server decides which items were shown by replaying
//! the rules on the stored answers ([`Routing::resolve`]); the browser only follows.

pub mod condition;
mod flow;

pub use flow::{Domain, Routing, Shown};

use serde::{Deserialize, Serialize};

use crate::problems::FieldProblems;
use crate::text::LocalizedText;

/// Who answers a questionnaire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Respondent {
    Student,
    Teacher,
    Principal,
    Parent,
}

/// A section of a questionnaire: items and units (grids) in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionnaireSection {
    pub id: String,
    pub title: LocalizedText,
    /// Item ids or unit ids.
    pub entries: Vec<String>,
}

/// "After `at` is answered, if `when` holds, continue at `goto`" (or `END`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutingRule {
    pub at: String,
    pub when: String,
    pub goto: String,
}

/// The target that ends the questionnaire.
pub const END: &str = "END";

/// A questionnaire as written in `questionnaires/<id>.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Questionnaire {
    pub id: String,
    pub title: LocalizedText,
    pub respondent: Respondent,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_limit_minutes: Option<u32>,
    pub sections: Vec<QuestionnaireSection>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routing: Vec<RoutingRule>,
}

impl Questionnaire {
    /// Checks the questionnaire on its own; routing is checked by [`Routing::compile`]
    /// once the bank has expanded units into items.
    pub fn check(&self) -> FieldProblems {
        let mut p = FieldProblems::default();
        if !crate::is_valid_id(&self.id) {
            p.push("id", format!("`{}` is not a valid identifier", self.id));
        }
        p.require_zh("title", &self.title);
        if self.sections.is_empty() {
            p.push("sections", "a questionnaire needs at least one section");
        }
        p.require_unique("sections", self.sections.iter().map(|s| s.id.as_str()));
        for (i, s) in self.sections.iter().enumerate() {
            p.require_zh(format!("sections[{i}].title"), &s.title);
            if s.entries.is_empty() {
                p.push(format!("sections[{i}].entries"), format!("section `{}` is empty", s.id));
            }
        }
        p
    }
}

//! Items: what a student sees and how a raw answer becomes a score category.
//!
//! An [`Item`] is metadata plus a prompt plus one [`ItemKind`], the kind carrying both
//! the response format and the scoring rule (answer keys, rubrics, codebooks). Keys
//! live in the same value on purpose: the bank is the one source of truth, and the
//! delivery service strips them before anything reaches a browser.

mod check;
mod file;
mod kinds;

pub use file::{ItemFile, KindTag};
pub use kinds::*;

use serde::{Deserialize, Serialize};

use crate::problems::FieldProblems;
use crate::text::LocalizedText;

/// Life-cycle status of an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    FieldTrial,
    Operational,
    Retired,
}

/// Descriptive metadata used for assembly, reporting and scale definitions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemMeta {
    /// Subject, e.g. `mathematics`, or `questionnaire` for background items.
    pub subject: Option<String>,
    pub grade: Option<u8>,
    pub content_domain: Option<String>,
    pub process_domain: Option<String>,
    pub cognitive_level: Option<String>,
    /// The scale or index the item measures (e.g. `motivation`, `escs_possessions`).
    pub construct: Option<String>,
    pub status: Status,
    pub version: u32,
}

/// An audio stimulus (listening items) with the number of plays a student gets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Audio {
    /// Path of the media file, relative to the bank directory.
    pub src: String,
    /// Plays allowed; the server counts them, not the browser.
    pub max_plays: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcript: Option<LocalizedText>,
}

/// One item of the bank.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub id: String,
    pub title: Option<LocalizedText>,
    pub meta: ItemMeta,
    pub prompt: LocalizedText,
    pub audio: Option<Audio>,
    pub kind: ItemKind,
}

impl Item {
    /// Checks the item on its own (references to other bank objects are checked by the bank).
    pub fn check(&self) -> FieldProblems {
        let mut problems = FieldProblems::default();
        if !crate::is_valid_id(&self.id) {
            problems.push(
                "id",
                format!(
                    "`{}` is not a valid identifier (letters, digits, `-`, `_`, `.`)",
                    self.id
                ),
            );
        }
        problems.require_zh("prompt", &self.prompt);
        if let Some(title) = &self.title {
            problems.require_zh("title", title);
        }
        if let Some(audio) = &self.audio {
            if audio.max_plays == 0 {
                problems.push("audio.max_plays", "must allow at least one play");
            }
            if let Some(t) = &audio.transcript {
                problems.require_zh("audio.transcript", t);
            }
        }
        if self.meta.version == 0 {
            problems.push("version", "versions start at 1");
        }
        self.kind.check(&mut problems);
        problems
    }

    /// Whether the item is a questionnaire item (background, attitudes, time use)
    /// rather than a cognitive test item.
    pub fn is_questionnaire(&self) -> bool {
        self.kind.is_questionnaire()
    }
}

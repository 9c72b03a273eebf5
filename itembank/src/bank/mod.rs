//! The bank: every item, unit, test instrument and questionnaire, loaded from a
//! directory a person can edit and diff, and validated as a whole.
//!
//! ```text
//! bank.toml                  id, title, version of the bank
//! items/**/<item-id>.toml    one item per file (see `item::ItemFile`)
//! units/**/<unit-id>.toml    shared stimuli and their items
//! instruments/<id>.toml      test instruments: blocks, design, sections
//! questionnaires/<id>.toml   questionnaires: sections and routing
//! media/…                    audio files referenced by listening items
//! ```
//!
//! Loading is all or nothing: [`Bank::load`] either returns a bank that passed every
//! check or every problem found, each with its file and field.

mod load;
mod respond;
mod save;
pub use save::AddItemsError;
mod summary;

pub use summary::{BankSummary, InstrumentSummary, QuestionnaireSummary};

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::instrument::TestInstrument;
use crate::item::Item;
use crate::problems::BankProblems;
use crate::questionnaire::{Questionnaire, Routing};
use crate::text::LocalizedText;
use crate::unit::Unit;

/// `bank.toml`: what the bank is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BankInfo {
    pub id: String,
    pub title: LocalizedText,
    /// Bumped whenever operational content changes; rounds record the version they used.
    pub version: String,
}

/// A validated item bank.
#[derive(Debug, Clone)]
pub struct Bank {
    pub info: BankInfo,
    pub items: BTreeMap<String, Item>,
    pub units: BTreeMap<String, Unit>,
    pub tests: BTreeMap<String, TestInstrument>,
    pub questionnaires: BTreeMap<String, Questionnaire>,
    routings: BTreeMap<String, Routing>,
}

impl Bank {
    /// Loads and validates a bank directory; nothing is returned unless all of it is valid.
    pub fn load(dir: &Path) -> Result<Bank, BankProblems> {
        load::load(dir)
    }

    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.get(id)
    }

    /// Item ids of a list of block or section entries, units expanded into their items.
    pub fn expand<'a>(&'a self, entries: &'a [String]) -> impl Iterator<Item = &'a str> + 'a {
        entries.iter().flat_map(move |e| match self.units.get(e) {
            Some(unit) => unit.items.iter().map(String::as_str).collect::<Vec<_>>(),
            None => vec![e.as_str()],
        })
    }

    /// The validated routing of a questionnaire.
    pub fn routing(&self, questionnaire: &str) -> Option<&Routing> {
        self.routings.get(questionnaire)
    }
}

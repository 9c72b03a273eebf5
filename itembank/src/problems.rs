//! Collecting validation problems with the field they belong to.
//!
//! Validation never stops at the first problem: item writers fix a bank in one pass
//! only if they see every problem at once, each naming its file and field.

use std::fmt;
use std::path::PathBuf;

use crate::text::LocalizedText;

/// One problem found in one field of one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    /// Dotted path of the field, e.g. `response.options[2].text`.
    pub field: String,
    pub message: String,
}

/// Problems found while checking one object (an item, a unit, an instrument …).
#[derive(Debug, Default)]
pub struct FieldProblems(pub Vec<FieldProblem>);

impl FieldProblems {
    pub fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldProblem {
            field: field.into(),
            message: message.into(),
        });
    }

    /// Requires the zh-CN variant of a text.
    pub fn require_zh(&mut self, field: impl Into<String>, text: &LocalizedText) {
        if !text.has_zh() {
            self.push(field, "missing zh-CN text");
        }
    }

    /// Reports identifiers that occur more than once in a list.
    pub fn require_unique<'a>(&mut self, field: &str, ids: impl IntoIterator<Item = &'a str>) {
        let mut seen = std::collections::BTreeSet::new();
        for id in ids {
            if !seen.insert(id) {
                self.push(field, format!("identifier `{id}` occurs more than once"));
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// All problems on one line: `field: message; field: message`.
    pub fn summary(&self) -> String {
        self.0
            .iter()
            .map(|p| format!("{}: {}", p.field, p.message))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// A problem located in a bank file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankProblem {
    /// Path relative to the bank directory (or the imported file).
    pub file: PathBuf,
    /// Dotted field path; empty when the problem concerns the whole file.
    pub field: String,
    pub message: String,
}

impl fmt::Display for BankProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "{}: {}", self.file.display(), self.message)
        } else {
            write!(f, "{}: {}: {}", self.file.display(), self.field, self.message)
        }
    }
}

/// Every problem found in a bank; returned instead of a half-loaded bank.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct BankProblems(pub Vec<BankProblem>);

impl fmt::Display for BankProblems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} problem(s) found:", self.0.len())?;
        for p in &self.0 {
            writeln!(f, "  {p}")?;
        }
        Ok(())
    }
}

impl BankProblems {
    /// Attaches a file to the field problems of one object.
    pub fn extend_from(&mut self, file: &std::path::Path, problems: FieldProblems) {
        self.0.extend(problems.0.into_iter().map(|p| BankProblem {
            file: file.to_path_buf(),
            field: p.field,
            message: p.message,
        }));
    }

    pub fn push(&mut self, file: &std::path::Path, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(BankProblem {
            file: file.to_path_buf(),
            field: field.into(),
            message: message.into(),
        });
    }
}

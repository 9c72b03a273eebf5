//! # itembank — what students see and how their answers are scored
//!
//! Owns the item bank of an assessment: [`item::Item`]s of every kind with their
//! scoring rules, rubrics and idea codebooks; [`unit::Unit`]s (items sharing a
//! stimulus); test instruments made of blocks, sections and booklets; questionnaires
//! with routing (skip logic); booklet designs (balanced incomplete blocks) and the
//! rotation of booklets over students; the on-disk bank format with validation that
//! reports every problem at once; and IMS QTI 3.0/2.2 import and export.
//!
//! It knows nothing of HTTP or SQL: the delivery service loads a [`bank::Bank`] and
//! asks it to score responses; calibration and scoring read its instruments and scale
//! definitions.

pub mod bank;
pub mod codes;
pub mod design;
pub mod instrument;
pub mod item;
pub mod problems;
pub mod qti;
pub mod questionnaire;
pub mod score;
pub mod text;
pub mod unit;

pub use bank::Bank;
pub use codes::MissingCode;
pub use item::{Item, ItemKind};
pub use problems::{BankProblem, BankProblems};
pub use score::{Outcome, RawResponse};
pub use text::{Lang, LocalizedText};

/// Whether a string may be used as an identifier of an item, option, block, …
///
/// Identifiers end up in file names, CSV headers, QTI identifiers and URLs, so they
/// are restricted to ASCII letters, digits, `-`, `_` and `.`, starting with a letter
/// or digit (QTI additionally wants a letter or `_` first; the exporter prefixes).
pub fn is_valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && id.len() <= 64
}

/// A TOML error as one line: where it is and what is wrong.
pub(crate) fn toml_error(text: &str, error: &toml::de::Error) -> String {
    match error.span() {
        Some(span) if span.start < text.len() => {
            let before = &text[..span.start];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!("line {line}, column {column}: {}", error.message())
        }
        _ => error.message().to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn identifiers() {
        assert!(super::is_valid_id("M8-A01"));
        assert!(super::is_valid_id("st_01.2"));
        assert!(!super::is_valid_id(""));
        assert!(!super::is_valid_id("-a"));
        assert!(!super::is_valid_id("a b"));
        assert!(!super::is_valid_id("题1"));
    }
}

//! IMS QTI 3.0 / 2.2 / 2.1 import and QTI 3.0 export.
//!
//! # Import
//!
//! [`import_path`] reads a content package (a zip with `imsmanifest.xml`, whose item
//! resources of type `imsqti_item_xmlv3p0`, `imsqti_item_xmlv2p2` or
//! `imsqti_item_xmlv2p1` are read) or a bare item file; [`import_item_xml`] reads one
//! item. QTI 3 (`qti-choice-interaction`) and QTI 2 (`choiceInteraction`) are read by
//! the same code: the XML tree stores QTI 3 names in their QTI 2 spelling.
//!
//! Each item with one interaction the bank can represent becomes an [`Item`]:
//! choice → single or multiple choice, textEntry → numeric (float/integer) or short
//! text, extendedText → extended (rater-scored, rubric from the scorer rubric block),
//! order → ordering, match → matching, inlineChoice → inline choice with the sentence
//! around it as `{gap}` text. `match_correct` and `map_response` are recognised under
//! every template URI seen in the wild ([`rp_template`]); integer `map_response`
//! mappings become partial credit. Imported items are `draft`, version 1: they need
//! review before use.
//!
//! Three outcomes are kept apart:
//! - **problems** (malformed XML, a wrong root, an unknown base type, a key naming no
//!   choice, unsafe zip entries): the whole import fails with every problem, each with
//!   its file and line/column or field, like the bank loader — nothing half-imported;
//! - **unsupported** items (an interaction the bank has no kind for, several
//!   interactions, non-integer partial credit, …): listed with file, identifier,
//!   interaction and reason, never silently dropped;
//! - **warnings** on imported items (custom response processing read as a key, media
//!   left out, copied language), and the QTI identifiers that had to be **renamed**
//!   to become bank identifiers (see `ids`: deterministic, so re-imports match).
//!
//! Bank texts must have zh-CN (items without it do not load). A QTI item in another
//! language gets its text copied into zh-CN (and into `en` when it is English) with the
//! warning "no zh-CN text; English copied", so that it loads and a reviewer sees what
//! to translate, rather than being refused.
//!
//! # Export
//!
//! [`export_item`] writes a QTI 3.0 `qti-assessment-item` that validates against the
//! QTI 3.0 XSD; [`export_package`] writes a content package. Questionnaire and creative
//! kinds have no QTI equivalent that keeps their meaning (codes, reverse coding, idea
//! codebooks) and are reported as skipped.
//!
//! # Lossless round trips
//!
//! QTI cannot say everything an item holds: English variants, units and their factors,
//! valid ranges, audio stimuli, subject, grade, domains, status, version,
//! `ignore_spaces`, English rubric texts. So each resource of an exported package
//! carries in its `<metadata>` the full item in the bank's own TOML form, in an
//! `<assess:item xmlns:assess="urn:assess:item:1">` element (a URN, so no tool tries to
//! resolve it; other tools ignore foreign metadata). On import that form is used when
//! it agrees with the XML: same identifier and kind, and the XML reads back exactly as
//! the exporter would write the metadata item. When the XML was edited in another tool
//! the two disagree, and the XML wins (with a warning): QTI is the exchange format, the
//! metadata only fills in what QTI cannot say.

mod export;
mod ids;
mod import;
mod interactions;
mod package;
mod rubric;
mod templates;
mod text;
mod xml;

use std::fmt;
use std::path::Path;

pub use export::{ExportError, export_item};
pub use package::{Exported, export_package};
pub use templates::{RpTemplate, rp_template};

use crate::item::Item;
use crate::problems::BankProblem;

/// A QTI item (or an item to export) the bank cannot represent, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported {
    /// The file (in a package: `package.zip/path/in/zip.xml`).
    pub file: String,
    /// The QTI identifier (export: the bank identifier).
    pub identifier: String,
    /// The interaction or feature at fault, e.g. `hotspotInteraction`.
    pub what: String,
    pub reason: String,
}

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}: {}", self.file, self.identifier, self.what, self.reason)
    }
}

/// A QTI identifier that was changed to become a bank identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Renamed {
    pub file: String,
    /// The bank identifier of the item the identifier belongs to.
    pub item: String,
    /// What was renamed: `item`, `choice` (an option), …
    pub what: String,
    pub from: String,
    pub to: String,
}

impl fmt::Display for Renamed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}: {} `{}` → `{}`",
            self.file, self.item, self.what, self.from, self.to
        )
    }
}

/// Everything an import produced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Imported {
    pub items: Vec<Item>,
    pub unsupported: Vec<Unsupported>,
    /// One line each: `file: item: message`.
    pub warnings: Vec<String>,
    pub renamed: Vec<Renamed>,
}

/// The result of importing one item file.
#[derive(Debug, Clone, PartialEq)]
pub enum ItemOrUnsupported {
    Item {
        item: Box<Item>,
        warnings: Vec<String>,
        renamed: Vec<Renamed>,
    },
    Unsupported(Unsupported),
}

impl Imported {
    fn add(&mut self, one: ItemOrUnsupported) {
        match one {
            ItemOrUnsupported::Item {
                item,
                warnings,
                renamed,
            } => {
                self.items.push(*item);
                self.warnings.extend(warnings);
                self.renamed.extend(renamed);
            }
            ItemOrUnsupported::Unsupported(u) => self.unsupported.push(u),
        }
    }
}

/// Why an import failed: every problem found, each with its file and its position
/// (`line L, column C`) or field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct QtiImportError {
    pub problems: Vec<BankProblem>,
}

impl QtiImportError {
    fn one(file: &str, field: impl Into<String>, message: impl Into<String>) -> Self {
        QtiImportError {
            problems: vec![problem(file, field, message)],
        }
    }
}

impl fmt::Display for QtiImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<String> = self.problems.iter().map(ToString::to_string).collect();
        f.write_str(&lines.join("\n"))
    }
}

fn problem(file: &str, field: impl Into<String>, message: impl Into<String>) -> BankProblem {
    BankProblem {
        file: file.into(),
        field: field.into(),
        message: message.into(),
    }
}

/// Imports one QTI item (3.0, 2.2 or 2.1) from its XML text; `file` names it in
/// messages.
pub fn import_item_xml(xml: &str, file: &str) -> Result<ItemOrUnsupported, QtiImportError> {
    import::import_item(xml, file)
}

/// Imports a content package (`.zip`) or a bare item file (`.xml`).
pub fn import_path(path: &Path) -> Result<Imported, QtiImportError> {
    let name = path.display().to_string();
    let cannot_read = |e: std::io::Error| QtiImportError::one(&name, "", format!("cannot read: {e}"));
    let size = std::fs::metadata(path).map_err(cannot_read)?.len();
    if size > package::MAX_TOTAL_BYTES {
        return Err(QtiImportError::one(
            &name,
            "",
            format!("{size} bytes; at most {} are accepted", package::MAX_TOTAL_BYTES),
        ));
    }
    let bytes = std::fs::read(path).map_err(cannot_read)?;
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return package::import_package(&bytes, &name);
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        QtiImportError::one(
            &name,
            "",
            format!(
                "neither a zip package nor UTF-8 XML (invalid UTF-8 at byte {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })?;
    let mut imported = Imported::default();
    imported.add(import_item_xml(&text, &name)?);
    Ok(imported)
}

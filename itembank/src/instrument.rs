//! Test instruments: blocks (clusters) of units and items, booklets that combine
//! blocks, and timed sections over booklet positions.

use serde::{Deserialize, Serialize};

use crate::design::{self, Design, GenerateOptions};
use crate::problems::FieldProblems;
use crate::text::LocalizedText;

/// A block (cluster): units and items always administered together, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Block {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<LocalizedText>,
    /// Unit ids or item ids.
    pub entries: Vec<String>,
}

/// How an instrument's booklets are given: generated from the blocks, or listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DesignSpec {
    /// Generate a balanced design with this many blocks per booklet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_booklet: Option<usize>,
    /// Upper limit on the number of generated booklets (default 2 × blocks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_booklets: Option<usize>,
    /// Booklets listed by hand, as block ids in position order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booklets: Option<Vec<Vec<String>>>,
}

/// A timed part of every booklet, covering some block positions (1-based).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub id: String,
    pub title: LocalizedText,
    pub positions: Vec<usize>,
    pub time_limit_minutes: u32,
}

/// A test instrument as written in `instruments/<id>.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestInstrument {
    pub id: String,
    pub title: LocalizedText,
    pub subject: String,
    pub grade: u8,
    pub blocks: Vec<Block>,
    pub design: DesignSpec,
    pub sections: Vec<Section>,
}

/// A booklet: its id and its blocks in position order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Booklet {
    pub id: String,
    pub blocks: Vec<String>,
}

impl TestInstrument {
    /// The booklets of the instrument: the listed ones, or the generated design.
    pub fn booklets(&self) -> Result<Vec<Booklet>, String> {
        let lists: Vec<Vec<String>> = match (&self.design.booklets, self.design.per_booklet) {
            (Some(listed), None) => listed.clone(),
            (None, Some(k)) => {
                let opts = GenerateOptions {
                    max_booklets: self.design.max_booklets,
                };
                let generated = design::generate(self.blocks.len(), k, &opts).map_err(|e| e.to_string())?;
                generated
                    .design
                    .booklets
                    .iter()
                    .map(|b| b.iter().map(|&i| self.blocks[i].id.clone()).collect())
                    .collect()
            }
            _ => return Err("give exactly one of `design.per_booklet` and `design.booklets`".into()),
        };
        let width = lists.len().to_string().len().max(2);
        Ok(lists
            .into_iter()
            .enumerate()
            .map(|(i, blocks)| Booklet {
                id: format!("B{:0width$}", i + 1),
                blocks,
            })
            .collect())
    }

    /// The booklet design as block indices, for checking balance and linkage.
    pub fn design(&self) -> Result<Design, String> {
        let booklets = self.booklets()?;
        let index = |id: &String| self.blocks.iter().position(|b| &b.id == id);
        let lists = booklets
            .iter()
            .map(|b| {
                b.blocks
                    .iter()
                    .map(|id| index(id).ok_or_else(|| format!("unknown block `{id}`")))
                    .collect()
            })
            .collect::<Result<Vec<Vec<usize>>, String>>()?;
        Ok(Design {
            blocks: self.blocks.len(),
            booklets: lists,
        })
    }

    /// Checks the instrument on its own; the bank resolves block entries.
    pub fn check(&self) -> FieldProblems {
        let mut p = FieldProblems::default();
        if !crate::is_valid_id(&self.id) {
            p.push("id", format!("`{}` is not a valid identifier", self.id));
        }
        p.require_zh("title", &self.title);
        if self.blocks.is_empty() {
            p.push("blocks", "an instrument needs at least one block");
        }
        p.require_unique("blocks", self.blocks.iter().map(|b| b.id.as_str()));
        for (i, block) in self.blocks.iter().enumerate() {
            if block.entries.is_empty() {
                p.push(format!("blocks[{i}].entries"), format!("block `{}` is empty", block.id));
            }
            if let Some(t) = &block.title {
                p.require_zh(format!("blocks[{i}].title"), t);
            }
        }
        let booklets = match self.booklets() {
            Ok(b) => b,
            Err(e) => {
                p.push("design", e);
                return p;
            }
        };
        for (i, booklet) in booklets.iter().enumerate() {
            for id in &booklet.blocks {
                if !self.blocks.iter().any(|b| &b.id == id) {
                    p.push(format!("design.booklets[{i}]"), format!("unknown block `{id}`"));
                }
            }
        }
        let max_width = booklets.iter().map(|b| b.blocks.len()).max().unwrap_or(0);
        let mut covered = vec![0usize; max_width];
        p.require_unique("sections", self.sections.iter().map(|s| s.id.as_str()));
        for (i, section) in self.sections.iter().enumerate() {
            p.require_zh(format!("sections[{i}].title"), &section.title);
            if section.time_limit_minutes == 0 {
                p.push(
                    format!("sections[{i}].time_limit_minutes"),
                    "must be at least one minute",
                );
            }
            for &pos in &section.positions {
                match covered.get_mut(pos.wrapping_sub(1)) {
                    Some(c) => *c += 1,
                    None => p.push(
                        format!("sections[{i}].positions"),
                        format!("position {pos} is not a booklet position (1..={max_width})"),
                    ),
                }
            }
        }
        for (pos, count) in covered.iter().enumerate() {
            if *count != 1 {
                p.push(
                    "sections",
                    format!(
                        "booklet position {} is in {count} sections (must be exactly one)",
                        pos + 1
                    ),
                );
            }
        }
        p
    }
}

//! What a bank holds, in numbers, for `assess bank validate` and reviews.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use super::Bank;
use crate::design::{self, DesignReport};
use crate::questionnaire::Respondent;

/// Counts over the whole bank and a summary of each instrument.
#[derive(Debug, Serialize)]
pub struct BankSummary {
    pub id: String,
    pub title: String,
    pub version: String,
    pub items: usize,
    pub by_kind: BTreeMap<&'static str, usize>,
    pub by_status: BTreeMap<String, usize>,
    pub units: usize,
    pub tests: Vec<InstrumentSummary>,
    pub questionnaires: Vec<QuestionnaireSummary>,
}

/// One test instrument: its size, timing and booklet design.
#[derive(Debug, Serialize)]
pub struct InstrumentSummary {
    pub id: String,
    pub title: String,
    pub subject: String,
    pub grade: u8,
    pub blocks: usize,
    pub items: usize,
    /// Sum over items of the maximum score.
    pub max_score: usize,
    pub rater_scored: usize,
    pub booklets: usize,
    pub minutes: u32,
    #[serde(skip)]
    pub design: Option<DesignReport>,
}

/// One questionnaire: its size and routing.
#[derive(Debug, Serialize)]
pub struct QuestionnaireSummary {
    pub id: String,
    pub title: String,
    pub respondent: Respondent,
    pub sections: usize,
    pub items: usize,
    pub routing_rules: usize,
}

/// The name a value has in bank files (its serde name), for reports.
fn file_name<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl Bank {
    /// Summarises the bank.
    pub fn summary(&self) -> BankSummary {
        let mut by_kind = BTreeMap::new();
        let mut by_status = BTreeMap::new();
        for item in self.items.values() {
            *by_kind.entry(item.kind.tag().name()).or_insert(0) += 1;
            *by_status.entry(file_name(&item.meta.status)).or_insert(0) += 1;
        }
        let tests = self
            .tests
            .values()
            .map(|t| {
                let items: Vec<&str> = t.blocks.iter().flat_map(|b| self.expand(&b.entries)).collect();
                let kinds = items.iter().filter_map(|id| self.item(id)).map(|i| &i.kind);
                let max_score = kinds
                    .clone()
                    .map(|k| usize::from(k.categories().unwrap_or(1)) - 1)
                    .sum();
                let rater_scored = kinds.filter(|k| k.is_rater_scored()).count();
                let design = t.design().ok().map(|d| design::check(&d));
                InstrumentSummary {
                    id: t.id.clone(),
                    title: t.title.zh_cn.clone(),
                    subject: t.subject.clone(),
                    grade: t.grade,
                    blocks: t.blocks.len(),
                    items: items.len(),
                    max_score,
                    rater_scored,
                    booklets: t.booklets().map_or(0, |b| b.len()),
                    minutes: t.sections.iter().map(|s| s.time_limit_minutes).sum(),
                    design,
                }
            })
            .collect();
        let questionnaires = self
            .questionnaires
            .values()
            .map(|q| QuestionnaireSummary {
                id: q.id.clone(),
                title: q.title.zh_cn.clone(),
                respondent: q.respondent,
                sections: q.sections.len(),
                items: self.routing(&q.id).map_or(0, |r| r.order().len()),
                routing_rules: q.routing.len(),
            })
            .collect();
        BankSummary {
            id: self.info.id.clone(),
            title: self.info.title.zh_cn.clone(),
            version: self.info.version.clone(),
            items: self.items.len(),
            by_kind,
            by_status,
            units: self.units.len(),
            tests,
            questionnaires,
        }
    }
}

fn join_counts<K: fmt::Display>(counts: &BTreeMap<K, usize>) -> String {
    counts
        .iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for BankSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Bank `{}` — {} (version {})", self.id, self.title, self.version)?;
        writeln!(f, "  {} items, {} units", self.items, self.units)?;
        writeln!(f, "  by kind:   {}", join_counts(&self.by_kind))?;
        writeln!(f, "  by status: {}", join_counts(&self.by_status))?;
        for t in &self.tests {
            writeln!(f)?;
            writeln!(f, "Test `{}` — {} ({}, grade {})", t.id, t.title, t.subject, t.grade)?;
            writeln!(
                f,
                "  {} blocks, {} items ({} rater-scored), maximum score {}, {} booklets, {} minutes",
                t.blocks, t.items, t.rater_scored, t.max_score, t.booklets, t.minutes
            )?;
            if let Some(design) = &t.design {
                for line in design.to_string().lines() {
                    writeln!(f, "  {line}")?;
                }
            }
        }
        for q in &self.questionnaires {
            writeln!(f)?;
            writeln!(
                f,
                "Questionnaire `{}` — {} ({}): {} in {}, {}",
                q.id,
                q.title,
                file_name(&q.respondent),
                plural(q.items, "item", "items"),
                plural(q.sections, "section", "sections"),
                plural(q.routing_rules, "routing rule", "routing rules"),
            )?;
        }
        Ok(())
    }
}

//! Scoring rules: a raw response becomes a score category, a value, a missing code,
//! or "pending" for raters.
//!
//! The server applies these rules; the browser never sees a key. Which missing code
//! applies when there is no response at all (not administered, not reached, valid
//! skip) depends on the booklet, the clock and routing, so it is decided by the
//! caller; an item decides only between a score, "omitted" (presented, left empty)
//! and "invalid" (an answer of the wrong shape or outside the valid range).

pub mod normalize;
pub mod numeric;

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::codes::MissingCode;
use crate::item::*;
use normalize::{TextRules, canonical};

/// What a student gave, as the runner records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum RawResponse {
    /// Presented but nothing entered.
    Empty,
    /// One option id (single choice, inline choice, categorical), or a Likert
    /// category index as text (`"0"` …) or `dont_know` / `not_applicable`.
    Choice(String),
    /// Several option ids (multiple choice).
    Choices(Vec<String>),
    /// Typed text (numeric entry, short text, extended response, numeric background).
    Text(String),
    /// Option ids in the order the student put them.
    Sequence(Vec<String>),
    /// Source → target associations.
    Pairs(Vec<Pair>),
    /// Time use entered as hours and minutes.
    Duration { hours: u32, minutes: u32 },
    /// The contents of the idea boxes of a creative task.
    Ideas(Vec<String>),
}

/// The result of applying an item's scoring rule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Outcome {
    /// A score category `0..K−1`.
    Score(u8),
    /// A value (minutes of time use, a numeric background answer).
    Value(f64),
    Missing(MissingCode),
    /// A rater must score it.
    Pending,
}

impl Outcome {
    /// The number a routing condition compares: the category or the value.
    pub fn value(&self) -> Option<f64> {
        match *self {
            Outcome::Score(k) => Some(f64::from(k)),
            Outcome::Value(v) => Some(v),
            Outcome::Missing(_) | Outcome::Pending => None,
        }
    }
}

/// The raw choice value of a Likert "don't know" option.
pub const DONT_KNOW: &str = "dont_know";
/// The raw choice value of a Likert "not applicable" option.
pub const NOT_APPLICABLE: &str = "not_applicable";

const INVALID: Outcome = Outcome::Missing(MissingCode::Invalid);
const OMITTED: Outcome = Outcome::Missing(MissingCode::Omitted);

fn credit(right: bool) -> Outcome {
    Outcome::Score(u8::from(right))
}

fn is_blank(raw: &RawResponse) -> bool {
    match raw {
        RawResponse::Empty => true,
        RawResponse::Choice(s) | RawResponse::Text(s) => s.trim().is_empty(),
        RawResponse::Choices(v) | RawResponse::Sequence(v) => v.is_empty(),
        RawResponse::Ideas(v) => v.iter().all(|s| s.trim().is_empty()),
        RawResponse::Pairs(v) => v.is_empty(),
        RawResponse::Duration { .. } => false,
    }
}

impl Item {
    /// Applies the item's scoring rule to a presented item's raw response.
    pub fn score(&self, raw: &RawResponse) -> Outcome {
        if is_blank(raw) {
            return OMITTED;
        }
        match (&self.kind, raw) {
            (ItemKind::SingleChoice(s), RawResponse::Choice(c)) => choice(&s.options, &s.correct, c),
            (ItemKind::InlineChoice(s), RawResponse::Choice(c)) => choice(&s.options, &s.correct, c),
            (ItemKind::MultipleChoice(s), RawResponse::Choices(cs)) => multiple(s, cs),
            (ItemKind::Numeric(s), RawResponse::Text(t)) => numeric_entry(s, t),
            (ItemKind::ShortText(s), RawResponse::Text(t)) => short_text(s, t),
            (ItemKind::Ordering(s), RawResponse::Sequence(seq)) => ordering(s, seq),
            (ItemKind::Matching(s), RawResponse::Pairs(pairs)) => matching(s, pairs),
            (ItemKind::Extended(_), RawResponse::Text(_)) | (ItemKind::Creative(_), RawResponse::Ideas(_)) => {
                Outcome::Pending
            }
            (ItemKind::Likert(s), RawResponse::Choice(c)) => likert(s, c),
            (ItemKind::Categorical(s), RawResponse::Choice(c)) => categorical(s, c),
            (ItemKind::TimeUse(s), RawResponse::Duration { hours, minutes }) => time_use(s, *hours, *minutes),
            (ItemKind::BackgroundNumeric(s), RawResponse::Text(t)) => background_numeric(s, t),
            _ => INVALID,
        }
    }
}

fn choice(options: &[Choice], correct: &str, given: &str) -> Outcome {
    let given = given.trim();
    if !options.iter().any(|o| o.id == given) {
        return INVALID;
    }
    credit(given == correct)
}

fn multiple(s: &MultipleChoiceSpec, given: &[String]) -> Outcome {
    let chosen: BTreeSet<&str> = given.iter().map(|g| g.trim()).collect();
    if chosen.iter().any(|c| !s.options.iter().any(|o| o.id == *c)) {
        return INVALID;
    }
    if s.max_choices.is_some_and(|max| chosen.len() > max as usize) {
        return INVALID;
    }
    match &s.partial {
        Some(map) => Outcome::Score(map.score(chosen.iter().copied()) as u8),
        None => credit(chosen == s.correct.iter().map(String::as_str).collect()),
    }
}

fn numeric_entry(s: &NumericSpec, text: &str) -> Outcome {
    let Some(read) = numeric::read_number(text) else {
        return Outcome::Score(0);
    };
    let value = match read.unit.as_deref() {
        None if s.unit_required => return Outcome::Score(0),
        None => read.value,
        Some(unit) => match s.units.iter().find(|u| normalize::fold_width(&u.symbol).trim() == unit) {
            Some(u) => read.value * u.factor,
            None => return Outcome::Score(0),
        },
    };
    if s.valid_min.is_some_and(|lo| value < lo) || s.valid_max.is_some_and(|hi| value > hi) {
        return INVALID;
    }
    // A relative epsilon absorbs binary rounding of decimal answers such as 0.1 + 0.2.
    let slack = s.tolerance + 1e-9 * s.answer.abs().max(1.0);
    credit((value - s.answer).abs() <= slack)
}

fn short_text(s: &ShortTextSpec, text: &str) -> Outcome {
    let rules = TextRules {
        case_sensitive: s.case_sensitive,
        ignore_spaces: s.ignore_spaces,
    };
    let given = canonical(text, rules);
    credit(s.accepted.iter().any(|a| canonical(a, rules) == given))
}

fn ordering(s: &OrderingSpec, seq: &[String]) -> Outcome {
    if seq.iter().any(|id| !s.options.iter().any(|o| &o.id == id)) {
        return INVALID;
    }
    credit(seq == s.correct.as_slice())
}

fn matching(s: &MatchingSpec, pairs: &[Pair]) -> Outcome {
    let known = |p: &Pair| s.sources.iter().any(|o| o.id == p.source) && s.targets.iter().any(|o| o.id == p.target);
    if !pairs.iter().all(known) {
        return INVALID;
    }
    match &s.partial {
        Some(map) => {
            let keys: Vec<String> = pairs.iter().map(Pair::key).collect();
            Outcome::Score(map.score(keys.iter().map(String::as_str)) as u8)
        }
        None => {
            let given: BTreeSet<&Pair> = pairs.iter().collect();
            credit(given == s.correct.iter().collect())
        }
    }
}

fn likert(s: &LikertSpec, given: &str) -> Outcome {
    let given = given.trim();
    if (given == DONT_KNOW && s.dont_know.is_some()) || (given == NOT_APPLICABLE && s.not_applicable.is_some()) {
        return Outcome::Missing(MissingCode::DontKnow);
    }
    match given.parse::<usize>() {
        Ok(i) if i < s.scale.len() => Outcome::Score(i as u8),
        _ => INVALID,
    }
}

fn categorical(s: &CategoricalSpec, given: &str) -> Outcome {
    let given = given.trim();
    let Some(option) = s.options.iter().find(|o| o.id == given) else {
        return INVALID;
    };
    if option.dont_know {
        return Outcome::Missing(MissingCode::DontKnow);
    }
    let index = s
        .options
        .iter()
        .filter(|o| !o.dont_know)
        .position(|o| o.id == given)
        .unwrap_or(0);
    Outcome::Score(index as u8)
}

fn time_use(s: &TimeUseSpec, hours: u32, minutes: u32) -> Outcome {
    if minutes >= 60 {
        return INVALID;
    }
    let total = hours.saturating_mul(60).saturating_add(minutes);
    if total < s.min_minutes || total > s.max_minutes {
        return INVALID;
    }
    Outcome::Value(f64::from(total))
}

fn background_numeric(s: &BackgroundNumericSpec, text: &str) -> Outcome {
    match numeric::read_number(text) {
        Some(r) if r.unit.is_none() && (s.min..=s.max).contains(&r.value) && (!s.integer || r.value.fract() == 0.0) => {
            Outcome::Value(r.value)
        }
        _ => INVALID,
    }
}

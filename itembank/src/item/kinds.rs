//! The item kinds and their response formats and scoring rules.
//!
//! Each kind's spec is what the `[response]` table of an item file holds; field
//! names are the TOML keys. Score categories always run `0..K−1`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::text::LocalizedText;

/// An option of a choice-like interaction (choice, order, match, inline choice).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub id: String,
    pub text: LocalizedText,
}

/// Partial credit by adding up values of what was selected, as QTI's `map_response`.
///
/// Keys are option identifiers (multiple choice) or `"SOURCE TARGET"` pairs (matching).
/// The sum is clamped to `[lower, upper]` and is the score category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreMap {
    pub values: BTreeMap<String, i32>,
    /// Value of a selection not listed in `values`.
    #[serde(default)]
    pub default: i32,
    #[serde(default)]
    pub lower: i32,
    pub upper: i32,
}

impl ScoreMap {
    /// The clamped sum for a set of selected keys; repeated keys count once, as in QTI.
    pub fn score<'a>(&self, selected: impl IntoIterator<Item = &'a str>) -> i32 {
        let unique: std::collections::BTreeSet<&str> = selected.into_iter().collect();
        let sum: i32 = unique
            .iter()
            .map(|k| self.values.get(*k).copied().unwrap_or(self.default))
            .sum();
        sum.clamp(self.lower, self.upper)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SingleChoiceSpec {
    pub options: Vec<Choice>,
    pub correct: String,
    /// Whether the runner may shuffle option order (stored answers use option ids).
    #[serde(default)]
    pub shuffle: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MultipleChoiceSpec {
    pub options: Vec<Choice>,
    /// The exactly-right set: full credit, and the key for all-or-nothing scoring.
    pub correct: Vec<String>,
    /// Partial credit; all-or-nothing (0/1) when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partial: Option<ScoreMap>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_choices: Option<u32>,
    #[serde(default)]
    pub shuffle: bool,
}

/// A unit a numeric answer may carry, with the factor that converts it to the answer's unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitSpec {
    pub symbol: String,
    #[serde(default = "one")]
    pub factor: f64,
}

fn one() -> f64 {
    1.0
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumericSpec {
    pub answer: f64,
    /// Absolute tolerance around `answer`, in the answer's unit.
    #[serde(default)]
    pub tolerance: f64,
    /// Accepted units; an answer without a unit is read in the answer's unit.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub units: Vec<UnitSpec>,
    /// Whether an answer must name one of `units` to get credit.
    #[serde(default)]
    pub unit_required: bool,
    /// Inputs outside this range are invalid (code 252), not wrong: the runner refuses them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_max: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShortTextSpec {
    /// Answers given full credit, compared after normalisation (see `score::text`).
    pub accepted: Vec<String>,
    #[serde(default)]
    pub case_sensitive: bool,
    /// Whether spaces inside the answer are ignored (right for Chinese and formulas).
    #[serde(default = "yes")]
    pub ignore_spaces: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_length: Option<u32>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderingSpec {
    pub options: Vec<Choice>,
    /// The right order of all option ids; all-or-nothing.
    pub correct: Vec<String>,
    #[serde(default)]
    pub shuffle: bool,
}

/// A source → target association of a matching item.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pair {
    pub source: String,
    pub target: String,
}

impl Pair {
    /// The key of the pair in a [`ScoreMap`] (and QTI's `directedPair` value).
    pub fn key(&self) -> String {
        format!("{} {}", self.source, self.target)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchingSpec {
    pub sources: Vec<Choice>,
    pub targets: Vec<Choice>,
    pub correct: Vec<Pair>,
    /// Partial credit keyed by `"SOURCE TARGET"`; all-or-nothing when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partial: Option<ScoreMap>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InlineChoiceSpec {
    /// The sentence with the gap written as `{gap}`.
    pub text: LocalizedText,
    pub options: Vec<Choice>,
    pub correct: String,
}

/// One score point of a rubric.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScorePoint {
    pub score: u8,
    pub descriptor: LocalizedText,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<LocalizedText>,
}

/// Score points `0..=k` with descriptors and example answers, for raters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rubric {
    pub points: Vec<ScorePoint>,
}

impl Rubric {
    pub fn max_score(&self) -> u8 {
        self.points.iter().map(|p| p.score).max().unwrap_or(0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtendedSpec {
    pub rubric: Rubric,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_chars: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_lines: Option<u32>,
}

/// An ordinal questionnaire item: agreement, frequency, how true, …
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LikertSpec {
    /// Category labels in presentation order; category `i` is stored as `i`.
    pub scale: Vec<LocalizedText>,
    /// Whether the index that uses the item reverse-codes it (categories stay as shown).
    #[serde(default)]
    pub reverse: bool,
    /// Label of an explicit "don't know" option (stored as code 250).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dont_know: Option<LocalizedText>,
    /// Label of an explicit "not applicable" option (stored as code 250).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_applicable: Option<LocalizedText>,
}

/// Time spent on an activity, entered as hours and minutes, stored in minutes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeUseSpec {
    pub min_minutes: u32,
    pub max_minutes: u32,
    /// What the time is per, e.g. "每个上学日" / "per school day".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per: Option<LocalizedText>,
}

/// A numeric background answer (age, number of books, siblings) with its valid range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackgroundNumericSpec {
    pub min: f64,
    pub max: f64,
    #[serde(default)]
    pub integer: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_label: Option<LocalizedText>,
}

/// An option of a categorical background item, with the code analysts use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodedChoice {
    pub id: String,
    pub text: LocalizedText,
    /// The substantive code, e.g. an ISCED level or an occupation group; versioned
    /// tables in `scoring` map it to years of schooling or a status score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<i32>,
    /// Marks a "don't know / not applicable" option (stored as code 250).
    #[serde(default)]
    pub dont_know: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoricalSpec {
    pub options: Vec<CodedChoice>,
}

/// What a creative-thinking task asks for (PISA 2022 CT's three processes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CreativeProcess {
    /// Several ideas, credited by how many distinct categories they fall in.
    DiverseIdeas,
    /// One idea, credited when it is appropriate and not conventional.
    CreativeIdeas,
    /// An improvement of a given idea, credited when appropriate and original.
    EvaluateImprove,
}

/// The domain of a creative-thinking task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CreativeDomain {
    WrittenExpression,
    VisualExpression,
    SocialProblemSolving,
    ScientificProblemSolving,
}

/// A category of the idea codebook of a creative-thinking task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdeaCategory {
    pub code: String,
    pub label: LocalizedText,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<LocalizedText>,
    /// A conventional (frequent) idea: appropriate but not original.
    #[serde(default)]
    pub conventional: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreativeSpec {
    pub process: CreativeProcess,
    pub domain: CreativeDomain,
    /// Number of idea boxes shown.
    pub idea_boxes: u8,
    pub codebook: Vec<IdeaCategory>,
    pub rubric: Rubric,
}

/// Every kind of item with its response format and scoring rule.
#[derive(Debug, Clone, PartialEq)]
pub enum ItemKind {
    SingleChoice(SingleChoiceSpec),
    MultipleChoice(MultipleChoiceSpec),
    Numeric(NumericSpec),
    ShortText(ShortTextSpec),
    Ordering(OrderingSpec),
    Matching(MatchingSpec),
    InlineChoice(InlineChoiceSpec),
    Extended(ExtendedSpec),
    Likert(LikertSpec),
    TimeUse(TimeUseSpec),
    BackgroundNumeric(BackgroundNumericSpec),
    Categorical(CategoricalSpec),
    Creative(CreativeSpec),
}

impl ItemKind {
    /// Number of score categories `K` (scores run `0..K−1`); `None` for items whose
    /// answer is a value rather than a category (time use, numeric background).
    pub fn categories(&self) -> Option<u8> {
        let max = match self {
            ItemKind::SingleChoice(_)
            | ItemKind::Numeric(_)
            | ItemKind::ShortText(_)
            | ItemKind::Ordering(_)
            | ItemKind::InlineChoice(_) => 1,
            ItemKind::MultipleChoice(s) => s.partial.as_ref().map_or(1, |p| p.upper.clamp(0, 249) as u8),
            ItemKind::Matching(s) => s.partial.as_ref().map_or(1, |p| p.upper.clamp(0, 249) as u8),
            ItemKind::Extended(s) => s.rubric.max_score(),
            ItemKind::Creative(s) => s.rubric.max_score(),
            ItemKind::Likert(s) => s.scale.len().saturating_sub(1).min(249) as u8,
            ItemKind::Categorical(s) => {
                (s.options.iter().filter(|o| !o.dont_know).count().saturating_sub(1)).min(249) as u8
            }
            ItemKind::TimeUse(_) | ItemKind::BackgroundNumeric(_) => return None,
        };
        Some(max + 1)
    }

    /// Whether raters, not the server, score the response.
    pub fn is_rater_scored(&self) -> bool {
        matches!(self, ItemKind::Extended(_) | ItemKind::Creative(_))
    }

    /// Whether the kind belongs to questionnaires rather than tests.
    pub fn is_questionnaire(&self) -> bool {
        matches!(
            self,
            ItemKind::Likert(_) | ItemKind::TimeUse(_) | ItemKind::BackgroundNumeric(_) | ItemKind::Categorical(_)
        )
    }
}

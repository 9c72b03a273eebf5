//! Self-consistency checks of each kind: keys point at real options, ranges make
//! sense, rubrics are complete, every text has its zh-CN variant.

use std::collections::BTreeSet;

use super::*;
use crate::problems::FieldProblems;

fn check_choices(p: &mut FieldProblems, field: &str, choices: &[Choice]) -> BTreeSet<String> {
    if choices.len() < 2 {
        p.push(field, "needs at least two options");
    }
    p.require_unique(field, choices.iter().map(|c| c.id.as_str()));
    for (i, c) in choices.iter().enumerate() {
        if !crate::is_valid_id(&c.id) {
            p.push(
                format!("{field}[{i}].id"),
                format!("`{}` is not a valid identifier", c.id),
            );
        }
        p.require_zh(format!("{field}[{i}].text"), &c.text);
    }
    choices.iter().map(|c| c.id.clone()).collect()
}

fn require_known(p: &mut FieldProblems, field: &str, id: &str, known: &BTreeSet<String>) {
    if !known.contains(id) {
        let list: Vec<&str> = known.iter().map(String::as_str).collect();
        p.push(field, format!("`{id}` is not one of the options ({})", list.join(", ")));
    }
}

fn check_score_map(p: &mut FieldProblems, field: &str, map: &ScoreMap, known_keys: &dyn Fn(&str) -> bool) {
    if map.lower > map.upper {
        p.push(format!("{field}.lower"), "must not exceed `upper`");
    }
    if map.lower < 0 {
        p.push(format!("{field}.lower"), "score categories cannot be negative");
    }
    if map.upper < 1 || map.upper > 249 {
        p.push(format!("{field}.upper"), "must be between 1 and 249");
    }
    for key in map.values.keys() {
        if !known_keys(key) {
            p.push(
                format!("{field}.values"),
                format!("`{key}` does not name an option of the item"),
            );
        }
    }
}

fn check_rubric(p: &mut FieldProblems, field: &str, rubric: &Rubric) {
    let scores: Vec<u8> = rubric.points.iter().map(|s| s.score).collect();
    let expected: Vec<u8> = (0..rubric.points.len() as u8).collect();
    let mut sorted = scores.clone();
    sorted.sort_unstable();
    if rubric.points.len() < 2 {
        p.push(
            format!("{field}.points"),
            "a rubric needs at least the score points 0 and 1",
        );
    } else if sorted != expected {
        p.push(
            format!("{field}.points"),
            format!(
                "score points must be 0..{} once each, found {scores:?}",
                expected.len() - 1
            ),
        );
    }
    for (i, point) in rubric.points.iter().enumerate() {
        p.require_zh(format!("{field}.points[{i}].descriptor"), &point.descriptor);
        for (j, ex) in point.examples.iter().enumerate() {
            p.require_zh(format!("{field}.points[{i}].examples[{j}]"), ex);
        }
    }
}

impl ItemKind {
    pub(super) fn check(&self, p: &mut FieldProblems) {
        match self {
            ItemKind::SingleChoice(s) => {
                let known = check_choices(p, "response.options", &s.options);
                require_known(p, "response.correct", &s.correct, &known);
            }
            ItemKind::MultipleChoice(s) => {
                let known = check_choices(p, "response.options", &s.options);
                if s.correct.is_empty() {
                    p.push("response.correct", "needs at least one correct option");
                }
                for id in &s.correct {
                    require_known(p, "response.correct", id, &known);
                }
                if let Some(map) = &s.partial {
                    check_score_map(p, "response.partial", map, &|k| known.contains(k));
                }
            }
            ItemKind::Numeric(s) => {
                if !s.answer.is_finite() {
                    p.push("response.answer", "must be a finite number");
                }
                if !(s.tolerance >= 0.0 && s.tolerance.is_finite()) {
                    p.push("response.tolerance", "must be a finite number ≥ 0");
                }
                for (i, u) in s.units.iter().enumerate() {
                    if u.symbol.trim().is_empty() {
                        p.push(format!("response.units[{i}].symbol"), "must not be empty");
                    }
                    if !(u.factor > 0.0 && u.factor.is_finite()) {
                        p.push(format!("response.units[{i}].factor"), "must be a positive number");
                    }
                }
                if s.unit_required && s.units.is_empty() {
                    p.push("response.unit_required", "a unit is required but no `units` are listed");
                }
                if let (Some(lo), Some(hi)) = (s.valid_min, s.valid_max)
                    && lo > hi
                {
                    p.push("response.valid_min", "must not exceed `valid_max`");
                }
            }
            ItemKind::ShortText(s) => {
                if s.accepted.iter().all(|a| a.trim().is_empty()) {
                    p.push("response.accepted", "needs at least one accepted answer");
                }
            }
            ItemKind::Ordering(s) => {
                let known = check_choices(p, "response.options", &s.options);
                let given: BTreeSet<String> = s.correct.iter().cloned().collect();
                if given != known || s.correct.len() != s.options.len() {
                    p.push("response.correct", "must list every option exactly once");
                }
            }
            ItemKind::Matching(s) => {
                let sources = check_choices(p, "response.sources", &s.sources);
                let targets = check_choices(p, "response.targets", &s.targets);
                if s.correct.is_empty() {
                    p.push("response.correct", "needs at least one correct pair");
                }
                for (i, pair) in s.correct.iter().enumerate() {
                    require_known(p, &format!("response.correct[{i}].source"), &pair.source, &sources);
                    require_known(p, &format!("response.correct[{i}].target"), &pair.target, &targets);
                }
                if let Some(map) = &s.partial {
                    let known_pair = |k: &str| {
                        k.split_once(' ')
                            .is_some_and(|(a, b)| sources.contains(a) && targets.contains(b))
                    };
                    check_score_map(p, "response.partial", map, &known_pair);
                }
            }
            ItemKind::InlineChoice(s) => {
                p.require_zh("response.text", &s.text);
                if !s.text.zh_cn.contains("{gap}") {
                    p.push("response.text", "the zh-CN text must mark the gap with `{gap}`");
                }
                if s.text.en.as_deref().is_some_and(|en| !en.contains("{gap}")) {
                    p.push("response.text", "the en text must mark the gap with `{gap}`");
                }
                let known = check_choices(p, "response.options", &s.options);
                require_known(p, "response.correct", &s.correct, &known);
            }
            ItemKind::Extended(s) => check_rubric(p, "response.rubric", &s.rubric),
            ItemKind::Likert(s) => {
                if s.scale.len() < 2 {
                    p.push("response.scale", "needs at least two categories");
                }
                for (i, label) in s.scale.iter().enumerate() {
                    p.require_zh(format!("response.scale[{i}]"), label);
                }
                if let Some(t) = &s.dont_know {
                    p.require_zh("response.dont_know", t);
                }
                if let Some(t) = &s.not_applicable {
                    p.require_zh("response.not_applicable", t);
                }
            }
            ItemKind::TimeUse(s) => {
                if s.min_minutes >= s.max_minutes {
                    p.push("response.min_minutes", "must be below `max_minutes`");
                }
                if s.max_minutes > 24 * 60 {
                    p.push("response.max_minutes", "cannot exceed a day (1440 minutes)");
                }
                if let Some(t) = &s.per {
                    p.require_zh("response.per", t);
                }
            }
            ItemKind::BackgroundNumeric(s) => {
                if !(s.min.is_finite() && s.max.is_finite() && s.min < s.max) {
                    p.push("response.min", "`min` and `max` must be finite with min < max");
                }
                if let Some(t) = &s.unit_label {
                    p.require_zh("response.unit_label", t);
                }
            }
            ItemKind::Categorical(s) => {
                if s.options.iter().filter(|o| !o.dont_know).count() < 2 {
                    p.push("response.options", "needs at least two substantive options");
                }
                p.require_unique("response.options", s.options.iter().map(|o| o.id.as_str()));
                for (i, o) in s.options.iter().enumerate() {
                    p.require_zh(format!("response.options[{i}].text"), &o.text);
                }
            }
            ItemKind::Creative(s) => {
                if s.idea_boxes == 0 {
                    p.push("response.idea_boxes", "must show at least one idea box");
                }
                if s.codebook.is_empty() {
                    p.push("response.codebook", "needs at least one idea category");
                }
                p.require_unique("response.codebook", s.codebook.iter().map(|c| c.code.as_str()));
                for (i, c) in s.codebook.iter().enumerate() {
                    p.require_zh(format!("response.codebook[{i}].label"), &c.label);
                    for (j, ex) in c.examples.iter().enumerate() {
                        p.require_zh(format!("response.codebook[{i}].examples[{j}]"), ex);
                    }
                }
                check_rubric(p, "response.rubric", &s.rubric);
            }
        }
    }
}

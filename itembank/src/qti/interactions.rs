//! Each supported interaction into an item kind, with the prompt around it.

use std::collections::BTreeMap;

use super::import::{BaseType, Cx, Mapping, Read, Response, Rule, Step, Stop, unsupported};
use super::text::{InteractionAs, Render};
use super::xml::Element;
use crate::item::*;

/// The interactions the bank has a kind for.
const SUPPORTED: &[&str] = &[
    "choiceInteraction",
    "textEntryInteraction",
    "extendedTextInteraction",
    "orderInteraction",
    "matchInteraction",
    "inlineChoiceInteraction",
];

/// What the item-level reading found for the interaction.
pub(super) struct Found<'a> {
    pub body: &'a Element,
    pub interaction: &'a Element,
    pub response: &'a Response,
    pub rule: Rule,
    /// The outcome's `normalMaximum`, for rater-scored items.
    pub maximum: Option<String>,
}

/// Reads the item's one interaction; the prompt is the body text around it.
pub(super) fn read(cx: &mut Cx<'_>, found: Found<'_>) -> Step<Read> {
    let Found {
        body,
        interaction,
        response,
        rule,
        maximum,
    } = found;
    let name = interaction.name.as_str();
    if !SUPPORTED.contains(&name) {
        return unsupported(name, "interaction not supported by the bank's item kinds");
    }
    let rule = match (name, rule) {
        ("extendedTextInteraction", Rule::Raters | Rule::Missing) => Rule::Raters,
        ("extendedTextInteraction", _) => {
            cx.warn("response processing ignored: extended responses are scored by raters");
            Rule::Raters
        }
        ("textEntryInteraction", Rule::Raters) if response.correct.is_empty() => Rule::Raters,
        (_, Rule::Raters) => {
            cx.warn("the score is declared externally scored, but the correct response is used as key");
            Rule::KeyOnly
        }
        (_, Rule::Missing) => {
            if !response.correct.is_empty() {
                cx.warn("no response processing; the correct response is used as key");
            }
            Rule::KeyOnly
        }
        (_, rule) => rule,
    };
    if name == "inlineChoiceInteraction" {
        return inline_choice(cx, body, interaction, response, rule);
    }
    let shown_as = if name == "textEntryInteraction" {
        InteractionAs::Blank
    } else {
        InteractionAs::Prompt
    };
    let prompt = cx.render(&mut Render::new(Some(interaction), shown_as), body);
    // A text entry alone in its paragraph needs no blank marking its place.
    let prompt = prompt.lines().filter(|l| *l != "____").collect::<Vec<_>>().join("\n");
    let kind = match (name, &rule) {
        ("choiceInteraction", _) => choice(cx, interaction, response, &rule)?,
        ("orderInteraction", _) => ordering(cx, interaction, response, &rule)?,
        ("matchInteraction", _) => matching(cx, interaction, response, &rule)?,
        ("textEntryInteraction", Rule::Raters) => {
            let rubric = super::rubric::max_rubric(cx, maximum, response.mapping.as_ref())?;
            ItemKind::Extended(ExtendedSpec {
                rubric,
                max_chars: None,
                expected_lines: Some(1),
            })
        }
        ("textEntryInteraction", _) => text_entry(cx, interaction, response, &rule)?,
        _ => super::rubric::extended(cx, body, interaction, response, maximum)?,
    };
    Ok((kind, prompt))
}

/// Options of an interaction: each child named `name`, with its bank id and text.
fn options(cx: &mut Cx<'_>, parent: &Element, name: &str) -> Step<Vec<Choice>> {
    let mut out = Vec::new();
    for e in parent.children_named(name) {
        let qti = cx.required(e, "identifier")?;
        let id = cx.part_id("choice", qti);
        let text = cx.render(&mut Render::new(None, InteractionAs::Prompt), e);
        let text = cx.localize(text);
        out.push(Choice { id, text });
    }
    Ok(out)
}

fn require_base(cx: &mut Cx<'_>, response: &Response, allowed: &[BaseType], what: &str) -> Step<()> {
    match response.base_type {
        Some(b) if allowed.contains(&b) => Ok(()),
        other => cx.invalid(
            response.pos,
            format!("a {what} needs a response of baseType {allowed:?}, not {other:?}"),
        ),
    }
}

/// The correct response as option ids, each checked against the options.
fn keys(cx: &mut Cx<'_>, response: &Response, options: &[Choice]) -> Step<Vec<String>> {
    let mut out = Vec::new();
    let mut ok = true;
    for (value, pos) in &response.correct {
        let id = cx.part_id("choice", value);
        if !options.iter().any(|o| o.id == id) {
            let list: Vec<&str> = options.iter().map(|o| o.id.as_str()).collect();
            cx.problem(
                *pos,
                format!(
                    "correct response `{value}` is not one of the choices ({})",
                    list.join(", ")
                ),
            );
            ok = false;
        }
        out.push(id);
    }
    if ok { Ok(out) } else { Err(Stop::Invalid) }
}

/// A mapping as partial credit; keys are mapped by `key` (which checks them).
fn score_map(
    cx: &mut Cx<'_>,
    mapping: &Mapping,
    mut key: impl FnMut(&mut Cx<'_>, &str, usize) -> Step<String>,
) -> Step<ScoreMap> {
    let whole = |v: f64| v.fract() == 0.0 && v.abs() < 1e6;
    let mut values = BTreeMap::new();
    for e in &mapping.entries {
        if !whole(e.value) {
            return unsupported(
                "mapping",
                format!(
                    "non-integer mapping value {} for `{}`: partial credit in the bank counts whole score points",
                    e.value, e.key
                ),
            );
        }
        values.insert(key(cx, &e.key, e.pos)?, e.value as i32);
    }
    for (what, v) in [
        ("defaultValue", Some(mapping.default)),
        ("lowerBound", mapping.lower),
        ("upperBound", mapping.upper),
    ] {
        if let Some(v) = v.filter(|v| !whole(*v)) {
            return unsupported(
                "mapping",
                format!("non-integer {what} {v}: partial credit in the bank counts whole score points"),
            );
        }
    }
    let mut lower = mapping.lower.map_or(0, |v| v as i32);
    if lower < 0 {
        cx.warn(format!(
            "mapping lowerBound {lower} raised to 0: score categories start at 0"
        ));
        lower = 0;
    }
    let upper = mapping
        .upper
        .map_or_else(|| values.values().filter(|v| **v > 0).sum(), |v| v as i32);
    Ok(ScoreMap {
        values,
        default: mapping.default as i32,
        lower,
        upper,
    })
}

fn choice_key(cx: &mut Cx<'_>, options: &[Choice], value: &str, pos: usize) -> Step<String> {
    let id = cx.part_id("choice", value);
    if options.iter().any(|o| o.id == id) {
        Ok(id)
    } else {
        cx.invalid(pos, format!("mapping key `{value}` is not one of the choices"))
    }
}

fn choice(cx: &mut Cx<'_>, e: &Element, response: &Response, rule: &Rule) -> Step<ItemKind> {
    require_base(cx, response, &[BaseType::Identifier], "choice interaction")?;
    let options = options(cx, e, "simpleChoice")?;
    let mut correct = keys(cx, response, &options)?;
    let shuffle = e.attr("shuffle") == Some("true");
    let mapping = match (rule, &response.mapping) {
        (Rule::MapResponse, Some(m)) => Some(score_map(cx, m, |cx, k, pos| choice_key(cx, &options, k, pos))?),
        (Rule::MapResponse, None) => return cx.invalid(response.pos, "map_response without a mapping"),
        _ => None,
    };
    if correct.is_empty()
        && let Some(map) = &mapping
    {
        correct = map
            .values
            .iter()
            .filter(|(_, v)| **v > 0)
            .map(|(k, _)| k.clone())
            .collect();
    }
    if correct.is_empty() {
        return unsupported("choiceInteraction", "no correct response");
    }
    match response.cardinality.as_str() {
        "single" => {
            if let Some(map) = mapping {
                let best = map.values.values().copied().max().unwrap_or(0);
                let right: Vec<&String> = map.values.iter().filter(|(_, v)| **v > 0).map(|(k, _)| k).collect();
                if right.len() > 1 {
                    return unsupported(
                        "choiceInteraction",
                        "single choice with partial credit for several options",
                    );
                }
                if best > 1 {
                    cx.warn(format!("the right option is worth {best}; a single choice scores 0/1"));
                }
                if let [only] = right.as_slice() {
                    correct = vec![(*only).clone()];
                }
            }
            if correct.len() != 1 {
                return cx.invalid(response.pos, "a single choice needs exactly one correct response");
            }
            Ok(ItemKind::SingleChoice(SingleChoiceSpec {
                options,
                correct: correct.remove(0),
                shuffle,
            }))
        }
        "multiple" => {
            // QTI's default is 1; 0 means no limit.
            let max_choices = e
                .attr("maxChoices")
                .map_or(Some(1), |m| m.trim().parse::<u32>().ok())
                .filter(|m| *m > 0);
            Ok(ItemKind::MultipleChoice(MultipleChoiceSpec {
                options,
                correct,
                partial: mapping,
                max_choices,
                shuffle,
            }))
        }
        other => cx.invalid(
            response.pos,
            format!("a choice interaction cannot have cardinality `{other}`"),
        ),
    }
}

fn ordering(cx: &mut Cx<'_>, e: &Element, response: &Response, rule: &Rule) -> Step<ItemKind> {
    require_base(cx, response, &[BaseType::Identifier], "order interaction")?;
    if response.cardinality != "ordered" {
        return cx.invalid(response.pos, "an order interaction needs cardinality `ordered`");
    }
    if *rule == Rule::MapResponse {
        return unsupported(
            "orderInteraction",
            "partial credit for an ordering: the bank scores orderings right or wrong",
        );
    }
    let options = options(cx, e, "simpleChoice")?;
    let correct = keys(cx, response, &options)?;
    if correct.is_empty() {
        return unsupported("orderInteraction", "no correct response");
    }
    Ok(ItemKind::Ordering(OrderingSpec {
        options,
        correct,
        shuffle: e.attr("shuffle") == Some("true"),
    }))
}

fn pair(cx: &mut Cx<'_>, value: &str, pos: usize, sources: &[Choice], targets: &[Choice]) -> Step<Pair> {
    let parts: Vec<&str> = value.split_whitespace().collect();
    let [s, t] = parts.as_slice() else {
        return cx.invalid(pos, format!("`{value}` is not a pair of identifiers"));
    };
    let (source, target) = (cx.part_id("choice", s), cx.part_id("choice", t));
    if !sources.iter().any(|o| o.id == source) || !targets.iter().any(|o| o.id == target) {
        return cx.invalid(
            pos,
            format!("pair `{value}` does not go from a choice of the first set to one of the second"),
        );
    }
    Ok(Pair { source, target })
}

fn matching(cx: &mut Cx<'_>, e: &Element, response: &Response, rule: &Rule) -> Step<ItemKind> {
    if response.base_type == Some(BaseType::Pair) {
        return unsupported(
            "matchInteraction",
            "undirected pairs: the bank's matching items pair sources with targets",
        );
    }
    require_base(cx, response, &[BaseType::DirectedPair], "match interaction")?;
    let sets: Vec<&Element> = e.children_named("simpleMatchSet").collect();
    let [first, second] = sets.as_slice() else {
        return cx.invalid(e.pos, "a match interaction needs two simpleMatchSet elements");
    };
    let sources = options(cx, first, "simpleAssociableChoice")?;
    let targets = options(cx, second, "simpleAssociableChoice")?;
    let mut correct = Vec::new();
    let mut failed = false;
    for (value, pos) in &response.correct {
        match pair(cx, value, *pos, &sources, &targets) {
            Ok(p) => correct.push(p),
            Err(Stop::Invalid) => failed = true,
            Err(stop) => return Err(stop),
        }
    }
    if failed {
        return Err(Stop::Invalid);
    }
    let partial = match (rule, &response.mapping) {
        (Rule::MapResponse, Some(m)) => Some(score_map(cx, m, |cx, k, pos| {
            pair(cx, k, pos, &sources, &targets).map(|p| p.key())
        })?),
        (Rule::MapResponse, None) => return cx.invalid(response.pos, "map_response without a mapping"),
        _ => None,
    };
    if correct.is_empty() {
        return unsupported("matchInteraction", "no correct response");
    }
    Ok(ItemKind::Matching(MatchingSpec {
        sources,
        targets,
        correct,
        partial,
    }))
}

fn inline_choice(cx: &mut Cx<'_>, body: &Element, e: &Element, response: &Response, rule: Rule) -> Step<Read> {
    require_base(cx, response, &[BaseType::Identifier], "inline choice interaction")?;
    if rule == Rule::MapResponse {
        return unsupported("inlineChoiceInteraction", "partial credit for an inline choice");
    }
    let options = options(cx, e, "inlineChoice")?;
    let mut correct = keys(cx, response, &options)?;
    if correct.len() != 1 {
        return unsupported("inlineChoiceInteraction", "needs exactly one correct response");
    }
    // The sentence is the nearest block around the gap; the rest of the body is the prompt.
    let sentence_block = block_around(body, e).unwrap_or(body);
    let mut sentence_render = Render::new(Some(e), InteractionAs::Gap);
    let sentence = cx.render(&mut sentence_render, sentence_block);
    let prompt = if std::ptr::eq(sentence_block, body) {
        String::new()
    } else {
        let mut render = Render::new(Some(e), InteractionAs::Gap);
        render.skip = Some(sentence_block);
        cx.render(&mut render, body)
    };
    let text = cx.localize(sentence);
    Ok((
        ItemKind::InlineChoice(InlineChoiceSpec {
            text,
            options,
            correct: correct.remove(0),
        }),
        prompt,
    ))
}

/// The innermost block element (below `body`) that contains `target`.
fn block_around<'e>(body: &'e Element, target: &Element) -> Option<&'e Element> {
    fn path<'e>(e: &'e Element, target: &Element, out: &mut Vec<&'e Element>) -> bool {
        for c in e.elements() {
            if std::ptr::eq(c, target) {
                return true;
            }
            out.push(c);
            if path(c, target, out) {
                return true;
            }
            out.pop();
        }
        false
    }
    let mut ancestors = Vec::new();
    path(body, target, &mut ancestors);
    ancestors
        .into_iter()
        .rev()
        .find(|a| super::text::BLOCKS.contains(&a.name.as_str()))
}

fn text_entry(cx: &mut Cx<'_>, e: &Element, response: &Response, rule: &Rule) -> Step<ItemKind> {
    match response.base_type {
        Some(BaseType::Float | BaseType::Integer) => numeric(cx, response, rule),
        Some(BaseType::String) => short_text(cx, e, response, rule),
        other => unsupported("textEntryInteraction", format!("a text entry of baseType {other:?}")),
    }
}

fn numeric(cx: &mut Cx<'_>, response: &Response, rule: &Rule) -> Step<ItemKind> {
    let mut positive: Vec<&str> = Vec::new();
    if let (Rule::MapResponse, Some(m)) = (rule, &response.mapping) {
        let best = m.entries.iter().map(|e| e.value).fold(0.0, f64::max);
        positive = m
            .entries
            .iter()
            .filter(|e| e.value > 0.0)
            .map(|e| e.key.as_str())
            .collect();
        if best > 0.0 && m.entries.iter().any(|e| e.value > 0.0 && e.value < best) {
            return unsupported("mapping", "partial credit for a numeric answer");
        }
    }
    let (answer, pos) = match (response.correct.first(), positive.first()) {
        (Some((v, pos)), _) => (v.clone(), *pos),
        (None, Some(v)) => (v.to_string(), response.pos),
        (None, None) => return unsupported("textEntryInteraction", "no correct response"),
    };
    let value = cx.number(pos, "correct response", &answer)?;
    if response.base_type == Some(BaseType::Integer) && value.fract() != 0.0 {
        return cx.invalid(pos, format!("correct response `{answer}` is not an integer"));
    }
    let others: Vec<&str> = positive
        .iter()
        .copied()
        .filter(|k| k.trim().parse::<f64>().ok() != Some(value))
        .collect();
    if !others.is_empty() {
        return unsupported(
            "mapping",
            format!(
                "several accepted numbers ({}): a numeric item has one answer and a tolerance",
                others.join(", ")
            ),
        );
    }
    let tolerance = match rule {
        Rule::Tolerance(t) => *t,
        _ => 0.0,
    };
    Ok(ItemKind::Numeric(NumericSpec {
        answer: value,
        tolerance,
        units: Vec::new(),
        unit_required: false,
        valid_min: None,
        valid_max: None,
    }))
}

fn short_text(cx: &mut Cx<'_>, e: &Element, response: &Response, rule: &Rule) -> Step<ItemKind> {
    let mut accepted: Vec<String> = response.correct.iter().map(|(v, _)| v.clone()).collect();
    let mut case_sensitive = true;
    if let (Rule::MapResponse, Some(m)) = (rule, &response.mapping) {
        let best = m.entries.iter().map(|e| e.value).fold(0.0, f64::max);
        for entry in m.entries.iter().filter(|e| e.value > 0.0) {
            if entry.value < best {
                cx.warn(format!(
                    "partial credit {} of {best} for `{}` becomes full credit: short answers are right or wrong",
                    entry.value, entry.key
                ));
            }
            if !accepted.contains(&entry.key) {
                accepted.push(entry.key.clone());
            }
        }
        let insensitive = m.entries.iter().filter(|e| !e.case_sensitive).count();
        case_sensitive = insensitive == 0;
        if insensitive > 0 && insensitive < m.entries.len() {
            cx.warn("some mapping entries ignore case; every accepted answer now does");
        }
    }
    if accepted.iter().all(|a| a.trim().is_empty()) {
        return unsupported("textEntryInteraction", "no correct response");
    }
    let expected_length = e.attr("expectedLength").and_then(|l| l.parse().ok());
    Ok(ItemKind::ShortText(ShortTextSpec {
        accepted,
        case_sensitive,
        ignore_spaces: true,
        expected_length,
    }))
}

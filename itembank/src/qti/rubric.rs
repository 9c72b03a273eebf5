//! Extended-response items: the character limit and the raters' rubric, read from
//! a scorer rubric block when there is one, else score points 0..max.

use super::import::{Cx, Mapping, Response, Step, unsupported};
use super::text::{InteractionAs, Render};
use super::xml::Element;
use crate::item::*;
use crate::text::LocalizedText;

pub(super) fn extended(
    cx: &mut Cx<'_>,
    body: &Element,
    e: &Element,
    response: &Response,
    maximum: Option<String>,
) -> Step<ItemKind> {
    let scorer = body.descendants().into_iter().find(|r| {
        r.name == "rubricBlock"
            && r.attr("view")
                .unwrap_or_default()
                .split_whitespace()
                .any(|v| v == "scorer")
    });
    let rubric = match scorer {
        Some(block) => rubric_block(cx, block, maximum, response.mapping.as_ref())?,
        None => max_rubric(cx, maximum, response.mapping.as_ref())?,
    };
    let max_chars = e.attr("patternMask").and_then(max_chars_of_mask);
    let expected_lines = e.attr("expectedLines").and_then(|l| l.parse().ok());
    Ok(ItemKind::Extended(ExtendedSpec {
        rubric,
        max_chars,
        expected_lines,
    }))
}

/// The pattern mask the exporter writes for a character limit.
pub(super) fn max_chars_mask(n: u32) -> String {
    format!("^[\\s\\S]{{0,{n}}}$")
}

/// The character limit of a pattern mask such as `^[\s\S]{0,500}$` (TAO writes the
/// anchors of JavaScript regexes; XML Schema regexes, which the spec names, have none).
fn max_chars_of_mask(mask: &str) -> Option<u32> {
    let mask = mask.trim();
    let mask = mask.strip_prefix('^').unwrap_or(mask);
    let mask = mask.strip_suffix('$').unwrap_or(mask);
    let limit = mask
        .strip_prefix("[\\s\\S]{")
        .or_else(|| mask.strip_prefix("[\\S\\s]{"))?
        .strip_suffix('}')?;
    let (low, high) = limit.split_once(',')?;
    low.trim().parse::<u32>().ok()?;
    high.trim().parse().ok()
}

/// The highest score of a rater-scored item: the outcome's normalMaximum, else the
/// mapping's upperBound.
fn maximum_score(cx: &mut Cx<'_>, maximum: Option<String>, mapping: Option<&Mapping>) -> Step<u8> {
    let max = match (maximum, mapping.and_then(|m| m.upper)) {
        (Some(m), _) => Some(cx.number(0, "normalMaximum", &m)?),
        (None, Some(u)) => Some(u),
        (None, None) => None,
    };
    match max {
        Some(m) if (1.0..=249.0).contains(&m) && m.fract() == 0.0 => Ok(m as u8),
        Some(m) => unsupported(
            "outcomeDeclaration",
            format!("maximum score {m} is not a whole number from 1 to 249"),
        ),
        None => {
            cx.warn("no maximum score declared; a 0–1 rubric was made");
            Ok(1)
        }
    }
}

fn generic_points(max: u8) -> Vec<ScorePoint> {
    (0..=max)
        .map(|k| ScorePoint {
            score: k,
            descriptor: LocalizedText::zh(format!("分数 {k}")),
            examples: Vec::new(),
        })
        .collect()
}

/// A rubric `0..max` with descriptors "分数 k", for items that declare no rubric.
pub(super) fn max_rubric(cx: &mut Cx<'_>, maximum: Option<String>, mapping: Option<&Mapping>) -> Step<Rubric> {
    let max = maximum_score(cx, maximum, mapping)?;
    Ok(Rubric {
        points: generic_points(max),
    })
}

fn has_class(e: &Element, class: &str) -> bool {
    e.attr("class")
        .unwrap_or_default()
        .split_whitespace()
        .any(|c| c == class)
}

/// A scorer rubric block: the exporter's structured score points, else lines that
/// start with a score (`2:`, `2 分`, `2 points -`), else a generic rubric.
fn rubric_block(cx: &mut Cx<'_>, block: &Element, maximum: Option<String>, mapping: Option<&Mapping>) -> Step<Rubric> {
    let structured: Vec<&Element> = block
        .descendants()
        .into_iter()
        .filter(|d| has_class(d, "assess-score-point"))
        .collect();
    if !structured.is_empty() {
        let mut points = Vec::new();
        for p in structured {
            let text_of = |cx: &mut Cx<'_>, class: &str| -> Vec<String> {
                p.descendants()
                    .into_iter()
                    .filter(|d| has_class(d, class))
                    .map(|d| cx.render(&mut Render::new(None, InteractionAs::Prompt), d))
                    .collect()
            };
            let score = text_of(cx, "assess-score").join("");
            let Ok(score) = score.trim().parse::<u8>() else {
                return cx.invalid(p.pos, format!("score point `{score}` is not a score"));
            };
            let descriptor = text_of(cx, "assess-descriptor").join("\n");
            let descriptor = cx.localize(descriptor);
            let examples = text_of(cx, "assess-example")
                .into_iter()
                .map(|t| cx.localize(t))
                .collect();
            points.push(ScorePoint {
                score,
                descriptor,
                examples,
            });
        }
        return Ok(Rubric { points });
    }
    let text = cx.render(&mut Render::new(None, InteractionAs::Prompt), block);
    let mut points: Vec<ScorePoint> = Vec::new();
    for line in text.lines() {
        if let Some((score, rest)) = scored_line(line) {
            let descriptor = cx.localize(rest.to_string());
            points.push(ScorePoint {
                score,
                descriptor,
                examples: Vec::new(),
            });
        } else if let Some(last) = points.last_mut() {
            last.descriptor.zh_cn.push('\n');
            last.descriptor.zh_cn.push_str(line);
            if let Some(en) = &mut last.descriptor.en {
                en.push('\n');
                en.push_str(line);
            }
        }
    }
    let mut scores: Vec<u8> = points.iter().map(|p| p.score).collect();
    scores.sort_unstable();
    if points.len() >= 2 && scores == (0..points.len() as u8).collect::<Vec<_>>() {
        return Ok(Rubric { points });
    }
    let max = maximum_score(cx, maximum, mapping)?;
    let mut points = generic_points(max);
    if let Some(top) = points.last_mut()
        && !text.is_empty()
    {
        cx.warn("the scorer rubric has no score points; its text is kept with the top score");
        top.descriptor = cx.localize(format!("分数 {max}：{text}"));
    }
    Ok(Rubric { points })
}

/// `2: …`, `2 分：…`, `2 points - …` → the score and the rest.
fn scored_line(line: &str) -> Option<(u8, &str)> {
    let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let score = line[..digits].parse::<u8>().ok()?;
    let rest = line[digits..].trim_start();
    let rest = ["分", "points", "point", "pts", "pt"]
        .iter()
        .find_map(|u| rest.strip_prefix(u))
        .unwrap_or(rest)
        .trim_start();
    let rest = rest.strip_prefix([':', '：', '-', '.', ')', '、', '–'])?;
    Some((score, rest.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn character_limits_from_pattern_masks() {
        assert_eq!(max_chars_of_mask(&max_chars_mask(500)), Some(500));
        assert_eq!(max_chars_of_mask("[\\s\\S]{0,80}"), Some(80));
        assert_eq!(max_chars_of_mask("^[\\S\\s]{1,20}$"), Some(20));
        assert_eq!(max_chars_of_mask("^[a-z]{0,5}$"), None);
        assert_eq!(
            max_chars_of_mask("^(?:\\S+\\s*){0,50}$"),
            None,
            "a word limit is not a character limit"
        );
    }

    #[test]
    fn score_lines() {
        assert_eq!(scored_line("2 分：理由充分"), Some((2, "理由充分")));
        assert_eq!(scored_line("1 point - partly right"), Some((1, "partly right")));
        assert_eq!(scored_line("0: nothing"), Some((0, "nothing")));
        assert_eq!(scored_line("Score the answer"), None);
        assert_eq!(scored_line("2020 was a year"), None);
    }
}

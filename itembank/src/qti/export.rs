//! A bank item as a QTI 3.0 `qti-assessment-item`.
//!
//! The output validates against the QTI 3.0 XSD and is written so that the importer
//! reads back everything QTI can say: each text line is a `<p>` (or a `<br/>`-separated
//! line where only inline content is allowed), identifiers starting with a digit get a
//! `_` prefix, a numeric tolerance is a `qti-equal` with `tolerance-mode="absolute"`,
//! a character limit is a `pattern-mask`, and a rubric is a scorer rubric block whose
//! score points are marked with `assess-*` classes.

use super::ids::to_qti;
use super::rubric::max_chars_mask;
use super::templates::RpTemplate;
use super::text::{Piece, pieces};
use super::xml::{self, MATHML_NS, QTI3_NS, escape_attr, escape_text};
use crate::item::*;
use crate::text::LocalizedText;

/// Why an item could not be exported.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("item `{id}`: not exported to QTI: {reason}")]
    Unsupported { id: String, reason: String },
    #[error("item `{id}`: not valid: {problems}")]
    Invalid { id: String, problems: String },
    #[error("item `{id}`: {field}: MathML is not well-formed XML: {message}")]
    Math { id: String, field: String, message: String },
    #[error("item `{id}`: cannot write the assess metadata: {message}")]
    Metadata { id: String, message: String },
    #[error("two items export to the QTI identifier `{0}`")]
    Duplicate(String),
    #[error("cannot write the package: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("cannot write the package: {0}")]
    Io(#[from] std::io::Error),
}

/// Why a kind has no QTI form, or `None` when it has one.
pub(super) fn not_exportable(kind: &ItemKind) -> Option<&'static str> {
    match kind {
        ItemKind::Likert(_) | ItemKind::TimeUse(_) | ItemKind::BackgroundNumeric(_) | ItemKind::Categorical(_) => {
            Some("questionnaire kinds carry codes, reverse coding and valid ranges that QTI items cannot express")
        }
        ItemKind::Creative(_) => {
            Some("creative-thinking tasks need idea boxes and an idea codebook, which QTI has no interaction for")
        }
        _ => None,
    }
}

/// Writes indented lines of XML for one item.
struct Writer<'a> {
    item: &'a Item,
    out: String,
}

impl Writer<'_> {
    fn line(&mut self, depth: usize, s: &str) {
        for _ in 0..depth {
            self.out.push_str("  ");
        }
        self.out.push_str(s);
        self.out.push('\n');
    }

    /// One line of bank text as inline XML: escaped text and MathML elements.
    fn inline(&self, field: &str, line: &str) -> Result<String, ExportError> {
        let mut out = String::new();
        for piece in pieces(line) {
            match piece {
                Piece::Text(t) => out.push_str(&escape_text(t)),
                Piece::Math(m) => out.push_str(&self.math(field, m)?),
            }
        }
        Ok(out)
    }

    fn math(&self, field: &str, math: &str) -> Result<String, ExportError> {
        let error = |message: String| ExportError::Math {
            id: self.item.id.clone(),
            field: field.to_string(),
            message,
        };
        let root = xml::parse(math).map_err(|e| error(e.message))?;
        let mut s = String::new();
        xml::serialize(&root, &mut s);
        // `serialize` writes `<math…`; the element needs its namespace in a QTI file.
        Ok(format!("<math xmlns=\"{MATHML_NS}\"{}", &s["<math".len()..]))
    }

    /// The zh-CN lines of a text joined by `<br/>`, for inline-only content.
    fn lines_inline(&self, field: &str, text: &LocalizedText) -> Result<String, ExportError> {
        let lines: Result<Vec<String>, ExportError> = text.zh_cn.lines().map(|l| self.inline(field, l)).collect();
        Ok(lines?.join("<br/>"))
    }

    /// Each zh-CN line of a text as a paragraph.
    fn paragraphs(
        &mut self,
        depth: usize,
        field: &str,
        text: &LocalizedText,
        class: Option<&str>,
    ) -> Result<(), ExportError> {
        let class = class.map(|c| format!(" class=\"{c}\"")).unwrap_or_default();
        for l in text.zh_cn.lines().filter(|l| !l.trim().is_empty()) {
            let inline = self.inline(field, l)?;
            self.line(depth, &format!("<p{class}>{inline}</p>"));
        }
        Ok(())
    }

    fn choices(
        &mut self,
        depth: usize,
        element: &str,
        extra: &str,
        field: &str,
        options: &[Choice],
    ) -> Result<(), ExportError> {
        for (i, o) in options.iter().enumerate() {
            let text = self.lines_inline(&format!("{field}[{i}].text"), &o.text)?;
            let id = escape_attr(&to_qti(&o.id));
            self.line(
                depth,
                &format!("<{element} identifier=\"{id}\"{extra}>{text}</{element}>"),
            );
        }
        Ok(())
    }
}

fn value(v: &str) -> String {
    format!("<qti-value>{}</qti-value>", escape_text(v))
}

fn pair_qti(key: &str) -> String {
    key.split_whitespace().map(to_qti).collect::<Vec<_>>().join(" ")
}

/// A `qti-mapping`: bounds, default and entries (key, value, case sensitivity).
struct Mapping {
    lower: i32,
    upper: i32,
    default: i32,
    entries: Vec<(String, i32, Option<bool>)>,
}

/// The response declaration: cardinality, base type, correct values, mapping.
struct Declaration {
    cardinality: &'static str,
    base_type: &'static str,
    correct: Vec<String>,
    mapping: Option<Mapping>,
}

fn score_map(map: &ScoreMap, key: impl Fn(&str) -> String) -> Mapping {
    Mapping {
        lower: map.lower,
        upper: map.upper,
        default: map.default,
        entries: map.values.iter().map(|(k, v)| (key(k), *v, None)).collect(),
    }
}

fn declaration(kind: &ItemKind) -> Declaration {
    let d = |cardinality, base_type, correct| Declaration {
        cardinality,
        base_type,
        correct,
        mapping: None,
    };
    match kind {
        ItemKind::SingleChoice(s) => d("single", "identifier", vec![to_qti(&s.correct)]),
        ItemKind::InlineChoice(s) => d("single", "identifier", vec![to_qti(&s.correct)]),
        ItemKind::MultipleChoice(s) => Declaration {
            mapping: s.partial.as_ref().map(|m| score_map(m, to_qti)),
            ..d("multiple", "identifier", s.correct.iter().map(|c| to_qti(c)).collect())
        },
        ItemKind::Ordering(s) => d("ordered", "identifier", s.correct.iter().map(|c| to_qti(c)).collect()),
        ItemKind::Matching(s) => Declaration {
            mapping: s.partial.as_ref().map(|m| score_map(m, pair_qti)),
            ..d(
                "multiple",
                "directedPair",
                s.correct.iter().map(|p| pair_qti(&p.key())).collect(),
            )
        },
        ItemKind::Numeric(s) => d("single", "float", vec![s.answer.to_string()]),
        ItemKind::ShortText(s) => Declaration {
            mapping: Some(Mapping {
                lower: 0,
                upper: 1,
                default: 0,
                entries: s
                    .accepted
                    .iter()
                    .map(|a| (a.clone(), 1, Some(s.case_sensitive)))
                    .collect(),
            }),
            ..d("single", "string", s.accepted.first().cloned().into_iter().collect())
        },
        _ => d("single", "string", Vec::new()),
    }
}

/// Writes an item as a QTI 3.0 assessment item.
pub fn export_item(item: &Item) -> Result<String, ExportError> {
    if let Some(reason) = not_exportable(&item.kind) {
        return Err(ExportError::Unsupported {
            id: item.id.clone(),
            reason: reason.to_string(),
        });
    }
    let problems = item.check();
    if !problems.is_empty() {
        return Err(ExportError::Invalid {
            id: item.id.clone(),
            problems: problems.summary(),
        });
    }
    let mut w = Writer {
        item,
        out: String::new(),
    };
    let title = item.title.as_ref().map_or(item.id.as_str(), |t| t.zh_cn.as_str());
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    w.line(0, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    w.line(
        0,
        &format!(
            "<qti-assessment-item xmlns=\"{QTI3_NS}\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
             xsi:schemaLocation=\"{QTI3_NS} https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqti_asiv3p0p1_v1p0.xsd\" \
             identifier=\"{}\" title=\"{}\" adaptive=\"false\" time-dependent=\"false\" xml:lang=\"zh-CN\" \
             tool-name=\"assess\" tool-version=\"{}\">",
            escape_attr(&to_qti(&item.id)),
            escape_attr(&title),
            env!("CARGO_PKG_VERSION")
        ),
    );
    write_declarations(&mut w);
    w.line(1, "<qti-item-body xml:lang=\"zh-CN\">");
    if !matches!(item.kind, ItemKind::InlineChoice(_)) {
        w.paragraphs(2, "prompt", &item.prompt, None)?;
    }
    write_interaction(&mut w)?;
    w.line(1, "</qti-item-body>");
    write_processing(&mut w);
    w.line(0, "</qti-assessment-item>");
    Ok(w.out)
}

fn write_declarations(w: &mut Writer<'_>) {
    let d = declaration(&w.item.kind);
    let open = format!(
        "<qti-response-declaration identifier=\"RESPONSE\" cardinality=\"{}\" base-type=\"{}\"",
        d.cardinality, d.base_type
    );
    if d.correct.is_empty() && d.mapping.is_none() {
        w.line(1, &format!("{open}/>"));
    } else {
        w.line(1, &format!("{open}>"));
        if !d.correct.is_empty() {
            w.line(2, "<qti-correct-response>");
            for c in &d.correct {
                w.line(3, &value(c));
            }
            w.line(2, "</qti-correct-response>");
        }
        if let Some(Mapping {
            lower,
            upper,
            default,
            entries,
        }) = &d.mapping
        {
            w.line(
                2,
                &format!("<qti-mapping lower-bound=\"{lower}\" upper-bound=\"{upper}\" default-value=\"{default}\">"),
            );
            for (key, v, case) in entries {
                let case = case.map(|c| format!(" case-sensitive=\"{c}\"")).unwrap_or_default();
                w.line(
                    3,
                    &format!(
                        "<qti-map-entry map-key=\"{}\" mapped-value=\"{v}\"{case}/>",
                        escape_attr(key)
                    ),
                );
            }
            w.line(2, "</qti-mapping>");
        }
        w.line(1, "</qti-response-declaration>");
    }
    let outcome = "<qti-outcome-declaration identifier=\"SCORE\" cardinality=\"single\" base-type=\"float\"";
    match &w.item.kind {
        ItemKind::Extended(s) => {
            let max = s.rubric.max_score();
            w.line(
                1,
                &format!("{outcome} external-scored=\"human\" normal-maximum=\"{max}\" normal-minimum=\"0\"/>"),
            );
        }
        _ => w.line(1, &format!("{outcome}/>")),
    }
}

fn write_interaction(w: &mut Writer<'_>) -> Result<(), ExportError> {
    let item = w.item;
    match &item.kind {
        ItemKind::SingleChoice(SingleChoiceSpec { options, shuffle, .. })
        | ItemKind::MultipleChoice(MultipleChoiceSpec { options, shuffle, .. }) => {
            // QTI's max-choices: 1 for single choice, 0 (no limit) unless the item caps it.
            let max = match &item.kind {
                ItemKind::MultipleChoice(m) => m.max_choices.unwrap_or(0),
                _ => 1,
            };
            w.line(
                2,
                &format!(
                    "<qti-choice-interaction response-identifier=\"RESPONSE\" shuffle=\"{shuffle}\" max-choices=\"{max}\">"
                ),
            );
            w.choices(3, "qti-simple-choice", "", "response.options", options)?;
            w.line(2, "</qti-choice-interaction>");
        }
        ItemKind::Ordering(s) => {
            w.line(
                2,
                &format!(
                    "<qti-order-interaction response-identifier=\"RESPONSE\" shuffle=\"{}\">",
                    s.shuffle
                ),
            );
            w.choices(3, "qti-simple-choice", "", "response.options", &s.options)?;
            w.line(2, "</qti-order-interaction>");
        }
        ItemKind::Matching(s) => {
            w.line(
                2,
                "<qti-match-interaction response-identifier=\"RESPONSE\" shuffle=\"false\" max-associations=\"0\">",
            );
            for (field, set) in [("response.sources", &s.sources), ("response.targets", &s.targets)] {
                w.line(3, "<qti-simple-match-set>");
                w.choices(4, "qti-simple-associable-choice", " match-max=\"0\"", field, set)?;
                w.line(3, "</qti-simple-match-set>");
            }
            w.line(2, "</qti-match-interaction>");
        }
        ItemKind::Numeric(_) => {
            w.line(
                2,
                "<p><qti-text-entry-interaction response-identifier=\"RESPONSE\"/></p>",
            );
        }
        ItemKind::ShortText(s) => {
            let length = s
                .expected_length
                .map(|l| format!(" expected-length=\"{l}\""))
                .unwrap_or_default();
            w.line(
                2,
                &format!("<p><qti-text-entry-interaction response-identifier=\"RESPONSE\"{length}/></p>"),
            );
        }
        ItemKind::InlineChoice(s) => {
            w.paragraphs(2, "prompt", &item.prompt, None)?;
            let mut options = String::new();
            for (i, o) in s.options.iter().enumerate() {
                let text = w.lines_inline(&format!("response.options[{i}].text"), &o.text)?;
                options.push_str(&format!(
                    "<qti-inline-choice identifier=\"{}\">{text}</qti-inline-choice>",
                    escape_attr(&to_qti(&o.id))
                ));
            }
            let interaction = format!(
                "<qti-inline-choice-interaction response-identifier=\"RESPONSE\" shuffle=\"false\">{options}</qti-inline-choice-interaction>"
            );
            let text = w.lines_inline("response.text", &s.text)?;
            let text = text.replacen("{gap}", &interaction, 1);
            w.line(2, &format!("<p>{text}</p>"));
        }
        ItemKind::Extended(s) => {
            let mut attrs = String::new();
            if let Some(lines) = s.expected_lines {
                attrs.push_str(&format!(" expected-lines=\"{lines}\""));
            }
            if let Some(max) = s.max_chars {
                attrs.push_str(&format!(" pattern-mask=\"{}\"", escape_attr(&max_chars_mask(max))));
            }
            w.line(
                2,
                &format!("<qti-extended-text-interaction response-identifier=\"RESPONSE\"{attrs}/>"),
            );
            w.line(2, "<qti-rubric-block use=\"scoring\" view=\"scorer\">");
            w.line(3, "<qti-content-body>");
            for (i, p) in s.rubric.points.iter().enumerate() {
                let field = format!("response.rubric.points[{i}]");
                w.line(4, "<div class=\"assess-score-point\">");
                w.line(5, &format!("<p class=\"assess-score\">{}</p>", p.score));
                w.paragraphs(
                    5,
                    &format!("{field}.descriptor"),
                    &p.descriptor,
                    Some("assess-descriptor"),
                )?;
                for (j, ex) in p.examples.iter().enumerate() {
                    w.line(5, "<blockquote class=\"assess-example\">");
                    w.paragraphs(6, &format!("{field}.examples[{j}]"), ex, None)?;
                    w.line(5, "</blockquote>");
                }
                w.line(4, "</div>");
            }
            w.line(3, "</qti-content-body>");
            w.line(2, "</qti-rubric-block>");
        }
        ItemKind::Likert(_)
        | ItemKind::TimeUse(_)
        | ItemKind::BackgroundNumeric(_)
        | ItemKind::Categorical(_)
        | ItemKind::Creative(_) => {}
    }
    Ok(())
}

fn write_processing(w: &mut Writer<'_>) {
    let template = match &w.item.kind {
        ItemKind::MultipleChoice(MultipleChoiceSpec { partial: Some(_), .. })
        | ItemKind::Matching(MatchingSpec { partial: Some(_), .. })
        | ItemKind::ShortText(_) => RpTemplate::MapResponse,
        ItemKind::Numeric(s) => {
            let equal = if s.tolerance > 0.0 {
                format!("<qti-equal tolerance-mode=\"absolute\" tolerance=\"{}\">", s.tolerance)
            } else {
                "<qti-equal tolerance-mode=\"exact\">".to_string()
            };
            let set = |score: u8| {
                format!(
                    "<qti-set-outcome-value identifier=\"SCORE\"><qti-base-value base-type=\"float\">{score}</qti-base-value></qti-set-outcome-value>"
                )
            };
            for (depth, line) in [
                (1, "<qti-response-processing>".to_string()),
                (2, "<qti-response-condition>".to_string()),
                (3, "<qti-response-if>".to_string()),
                (4, equal),
                (5, "<qti-variable identifier=\"RESPONSE\"/>".to_string()),
                (5, "<qti-correct identifier=\"RESPONSE\"/>".to_string()),
                (4, "</qti-equal>".to_string()),
                (4, set(1)),
                (3, "</qti-response-if>".to_string()),
                (3, "<qti-response-else>".to_string()),
                (4, set(0)),
                (3, "</qti-response-else>".to_string()),
                (2, "</qti-response-condition>".to_string()),
                (1, "</qti-response-processing>".to_string()),
            ] {
                w.line(depth, &line);
            }
            return;
        }
        // Rater-scored: the outcome is declared external-scored, with no processing.
        ItemKind::Extended(_) => return,
        _ => RpTemplate::MatchCorrect,
    };
    w.line(
        1,
        &format!("<qti-response-processing template=\"{}\"/>", template.uri()),
    );
}

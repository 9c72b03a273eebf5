//! One QTI item into a bank item: the item-level work (root, declarations, response
//! processing, language, identifiers); the interactions are read in `interactions`.

use std::collections::BTreeMap;

use super::interactions::Found;
use super::templates::{RpTemplate, rp_template};
use super::text::{Render, is_interaction};
use super::xml::{self, Element};
use super::{ItemOrUnsupported, QtiImportError, Renamed, Unsupported, ids, problem};
use crate::item::{Item, ItemKind, ItemMeta, Status};
use crate::problems::BankProblem;
use crate::text::LocalizedText;

const ITEM_NAMESPACES: &[&str] = &[
    xml::QTI3_NS,
    "http://www.imsglobal.org/xsd/imsqti_v2p2",
    "http://www.imsglobal.org/xsd/imsqti_v2p1",
    "http://www.imsglobal.org/xsd/imsqti_v2p0",
];

/// Why reading an item stopped early.
pub(super) enum Stop {
    /// The item is valid QTI the bank cannot represent.
    Unsupported { what: String, reason: String },
    /// The item is broken; the problems are in the context.
    Invalid,
}

pub(super) type Step<T> = Result<T, Stop>;

pub(super) fn unsupported<T>(what: impl Into<String>, reason: impl Into<String>) -> Step<T> {
    Err(Stop::Unsupported {
        what: what.into(),
        reason: reason.into(),
    })
}

/// The language of an item's texts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Lang {
    Zh,
    En,
    Other(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BaseType {
    Identifier,
    Boolean,
    Integer,
    Float,
    String,
    Point,
    Pair,
    DirectedPair,
    Duration,
    File,
    Uri,
    IntOrIdentifier,
}

impl BaseType {
    fn parse(s: &str) -> Option<BaseType> {
        Some(match s {
            "identifier" => BaseType::Identifier,
            "boolean" => BaseType::Boolean,
            "integer" => BaseType::Integer,
            "float" => BaseType::Float,
            "string" => BaseType::String,
            "point" => BaseType::Point,
            "pair" => BaseType::Pair,
            "directedPair" => BaseType::DirectedPair,
            "duration" => BaseType::Duration,
            "file" => BaseType::File,
            "uri" => BaseType::Uri,
            "intOrIdentifier" => BaseType::IntOrIdentifier,
            _ => return None,
        })
    }
}

/// A `mapEntry`.
pub(super) struct MapEntry {
    pub key: String,
    pub value: f64,
    /// Absent, QTI 3 says `false` (its XSD default), QTI 2 `true` (qtism's reading).
    pub case_sensitive: bool,
    pub pos: usize,
}

/// A response declaration's `mapping`.
pub(super) struct Mapping {
    pub default: f64,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    pub entries: Vec<MapEntry>,
}

/// A `responseDeclaration`.
pub(super) struct Response {
    pub cardinality: String,
    pub base_type: Option<BaseType>,
    /// Values of `correctResponse` with their positions.
    pub correct: Vec<(String, usize)>,
    pub mapping: Option<Mapping>,
    pub pos: usize,
}

/// What the response processing says about scoring, as far as the bank can use it.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Rule {
    /// Right when equal to the correct response.
    MatchCorrect,
    /// The mapping's sum.
    MapResponse,
    /// Numeric equality within an absolute tolerance.
    Tolerance(f64),
    /// No usable rule: the correct response is the key (a warning says so).
    KeyOnly,
    /// No response processing at all.
    Missing,
    /// No response processing and an externally scored outcome: raters score it.
    Raters,
}

/// The state of reading one item: where it is, and what was found.
pub(super) struct Cx<'a> {
    pub src: &'a str,
    pub file: &'a str,
    /// The QTI identifier of the item.
    pub qti_id: String,
    /// The bank identifier of the item.
    pub id: String,
    pub lang: Lang,
    pub problems: Vec<BankProblem>,
    pub warnings: Vec<String>,
    pub renamed: Vec<Renamed>,
    /// Whether a text was copied from a non-Chinese source.
    pub copied: bool,
    pub left_out: Vec<String>,
    /// Whether the item is QTI 3 (some defaults differ from QTI 2).
    pub qti3: bool,
}

impl<'a> Cx<'a> {
    /// Records a problem at a byte offset; returns `Stop::Invalid` for `?`.
    pub fn invalid<T>(&mut self, pos: usize, message: impl Into<String>) -> Step<T> {
        self.problem(pos, message);
        Err(Stop::Invalid)
    }

    pub fn problem(&mut self, pos: usize, message: impl Into<String>) {
        let at = xml::position(self.src, pos);
        self.problems.push(problem(self.file, at, message));
    }

    pub fn warn(&mut self, message: impl Into<String>) {
        self.warnings
            .push(format!("{}: {}: {}", self.file, self.qti_id, message.into()));
    }

    /// A text in the item's language as a bank text.
    pub fn localize(&mut self, text: String) -> LocalizedText {
        match &self.lang {
            Lang::Zh => LocalizedText::zh(text),
            Lang::En => {
                self.copied = true;
                LocalizedText::new(text.clone(), text)
            }
            Lang::Other(_) => {
                self.copied = true;
                LocalizedText::zh(text)
            }
        }
    }

    /// The bank form of a QTI identifier of a choice (or other part), recording renames.
    pub fn part_id(&mut self, what: &str, qti: &str) -> String {
        let id = ids::from_qti(qti);
        if id != qti && !self.renamed.iter().any(|r| r.from == qti && r.what == what) {
            self.renamed.push(Renamed {
                file: self.file.to_string(),
                item: self.id.clone(),
                what: what.to_string(),
                from: qti.to_string(),
                to: id.clone(),
            });
        }
        id
    }

    /// Renders body content to text, remembering media left out.
    pub fn render(&mut self, render: &mut Render<'_>, e: &Element) -> String {
        let text = render.text(e);
        self.left_out.extend(std::mem::take(&mut render.left_out));
        text
    }

    /// The required attribute of an element.
    pub fn required<'e>(&mut self, e: &'e Element, name: &str) -> Step<&'e str> {
        match e.attr(name) {
            Some(v) => Ok(v),
            None => self.invalid(e.pos, format!("`{}` has no `{name}` attribute", e.name)),
        }
    }

    /// A number attribute or value.
    pub fn number(&mut self, pos: usize, what: &str, s: &str) -> Step<f64> {
        match s.trim().parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => self.invalid(pos, format!("{what} `{s}` is not a number")),
        }
    }
}

/// Reads one item; problems make the whole file an error.
pub(super) fn import_item(src: &str, file: &str) -> Result<ItemOrUnsupported, QtiImportError> {
    let root = xml::parse(src).map_err(|e| QtiImportError::one(file, xml::position(src, e.pos), e.message))?;
    let mut cx = Cx {
        src,
        file,
        qti_id: String::new(),
        id: String::new(),
        lang: Lang::Zh,
        problems: Vec::new(),
        warnings: Vec::new(),
        renamed: Vec::new(),
        copied: false,
        left_out: Vec::new(),
        qti3: false,
    };
    let result = read_item(&mut cx, &root);
    if !cx.problems.is_empty() {
        return Err(QtiImportError { problems: cx.problems });
    }
    match result {
        Ok(item) => {
            if cx.copied {
                let from = match &cx.lang {
                    Lang::Other(tag) => format!("{tag} text"),
                    _ => "English".to_string(),
                };
                cx.warn(format!("no zh-CN text; {from} copied"));
            }
            let left_out = std::mem::take(&mut cx.left_out);
            for what in left_out.iter().collect::<std::collections::BTreeSet<_>>() {
                cx.warn(format!("{what} left out: media are not imported"));
            }
            Ok(ItemOrUnsupported::Item {
                item: Box::new(item),
                warnings: cx.warnings,
                renamed: cx.renamed,
            })
        }
        Err(Stop::Unsupported { what, reason }) => Ok(ItemOrUnsupported::Unsupported(Unsupported {
            file: file.to_string(),
            identifier: cx.qti_id,
            what,
            reason,
        })),
        Err(Stop::Invalid) => Err(QtiImportError::one(file, "", "invalid item")),
    }
}

fn read_item(cx: &mut Cx<'_>, root: &Element) -> Step<Item> {
    let known_ns = root.ns.as_deref().is_some_and(|ns| ITEM_NAMESPACES.contains(&ns));
    if root.name != "assessmentItem" || !known_ns {
        let ns = root.ns.as_deref().unwrap_or("no namespace");
        return cx.invalid(
            root.pos,
            format!("not a QTI assessment item: root element `{}` ({ns}); expected qti-assessment-item (QTI 3) or assessmentItem (QTI 2.x)", root.name),
        );
    }
    cx.qti3 = root.ns.as_deref() == Some(xml::QTI3_NS);
    cx.qti_id = cx.required(root, "identifier")?.to_string();
    cx.id = ids::from_qti(&cx.qti_id);
    if cx.id != cx.qti_id {
        cx.renamed.push(Renamed {
            file: cx.file.to_string(),
            item: cx.id.clone(),
            what: "item".into(),
            from: cx.qti_id.clone(),
            to: cx.id.clone(),
        });
    }
    let Some(body) = root.child("itemBody") else {
        return cx.invalid(root.pos, "the item has no item body");
    };
    cx.lang = language(root, body);
    let responses = responses(cx, root);
    let externally_scored = root
        .children_named("outcomeDeclaration")
        .any(|o| o.attr("externalScored").is_some());
    let maximum = root
        .children_named("outcomeDeclaration")
        .find_map(|o| o.attr("normalMaximum"))
        .map(str::to_string);
    let processing = root.child("responseProcessing");

    let interactions: Vec<&Element> = body.descendants().into_iter().filter(|e| is_interaction(e)).collect();
    let interaction = match interactions.as_slice() {
        [] => return unsupported("itemBody", "no interaction: nothing to answer"),
        [one] => *one,
        several => {
            let names: Vec<&str> = several.iter().map(|e| e.name.as_str()).collect();
            let what = names
                .iter()
                .copied()
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect::<Vec<_>>()
                .join(", ");
            return unsupported(
                what,
                format!(
                    "{} interactions ({}): a bank item has exactly one response",
                    names.len(),
                    names.join(", ")
                ),
            );
        }
    };
    let Some(response_id) = interaction.attr("responseIdentifier") else {
        return cx.invalid(
            interaction.pos,
            format!("`{}` has no `responseIdentifier`", interaction.name),
        );
    };
    let Some(response) = responses.get(response_id) else {
        return cx.invalid(
            interaction.pos,
            format!("no response declaration `{response_id}` for `{}`", interaction.name),
        );
    };
    let rule = rule(cx, processing, externally_scored)?;

    let found = Found {
        body,
        interaction,
        response,
        rule,
        maximum,
    };
    let (kind, prompt) = super::interactions::read(cx, found)?;
    let prompt = if prompt.trim().is_empty() {
        match root.attr("title").filter(|t| !t.trim().is_empty()) {
            Some(title) => {
                cx.warn("no prompt text; the title is used as prompt");
                title.to_string()
            }
            None => return unsupported("itemBody", "no prompt text"),
        }
    } else {
        prompt
    };
    let title = root
        .attr("title")
        .map(str::trim)
        .filter(|t| !t.is_empty() && *t != cx.qti_id && *t != cx.id);
    let title = title.map(|t| cx.localize(t.to_string()));
    let prompt = cx.localize(prompt);
    let item = Item {
        id: cx.id.clone(),
        title,
        meta: ItemMeta {
            subject: None,
            grade: None,
            content_domain: None,
            process_domain: None,
            cognitive_level: None,
            construct: None,
            status: Status::Draft,
            version: 1,
        },
        prompt,
        audio: None,
        kind,
    };
    let problems = item.check();
    if !problems.is_empty() {
        return unsupported(
            interaction.name.as_str(),
            format!("does not fit the bank's item model: {}", problems.summary()),
        );
    }
    Ok(item)
}

/// The language of the item: `xml:lang` on the item or its body; without one, Chinese
/// when the body has Chinese characters, else English.
fn language(root: &Element, body: &Element) -> Lang {
    match root.attr("xml:lang").or_else(|| body.attr("xml:lang")) {
        Some(tag) => {
            let lower = tag.to_ascii_lowercase();
            if lower == "zh" || lower.starts_with("zh-") {
                Lang::Zh
            } else if lower == "en" || lower.starts_with("en-") {
                Lang::En
            } else {
                Lang::Other(tag.to_string())
            }
        }
        None if body
            .text()
            .chars()
            .any(|c| matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')) =>
        {
            Lang::Zh
        }
        None => Lang::En,
    }
}

/// The usable response declarations; problems with the others are recorded, and
/// reading goes on so that one import reports them all.
fn responses(cx: &mut Cx<'_>, root: &Element) -> BTreeMap<String, Response> {
    let mut out = BTreeMap::new();
    for decl in root.children_named("responseDeclaration") {
        if let Ok((id, r)) = response(cx, decl) {
            out.insert(id, r);
        }
    }
    out
}

fn response(cx: &mut Cx<'_>, decl: &Element) -> Step<(String, Response)> {
    let id = cx.required(decl, "identifier")?.to_string();
    let cardinality = cx.required(decl, "cardinality")?.to_string();
    if !matches!(cardinality.as_str(), "single" | "multiple" | "ordered" | "record") {
        return cx.invalid(
            decl.pos,
            format!("unknown cardinality `{cardinality}` of response `{id}`"),
        );
    }
    let base_type = match decl.attr("baseType") {
        Some(b) => match BaseType::parse(b) {
            Some(t) => Some(t),
            None => return cx.invalid(decl.pos, format!("unknown baseType `{b}` of response `{id}`")),
        },
        None if cardinality == "record" => None,
        None => return cx.invalid(decl.pos, format!("response `{id}` has no baseType")),
    };
    let correct = decl
        .child("correctResponse")
        .map(|c| c.children_named("value").map(|v| (v.text(), v.pos)).collect())
        .unwrap_or_default();
    let mapping = match decl.child("mapping") {
        None => None,
        Some(m) => {
            let default = cx.number(m.pos, "defaultValue", m.attr("defaultValue").unwrap_or("0"))?;
            let lower = m
                .attr("lowerBound")
                .map(|v| cx.number(m.pos, "lowerBound", v))
                .transpose()?;
            let upper = m
                .attr("upperBound")
                .map(|v| cx.number(m.pos, "upperBound", v))
                .transpose()?;
            let mut entries = Vec::new();
            for e in m.children_named("mapEntry") {
                let key = cx.required(e, "mapKey")?.to_string();
                let value = cx.required(e, "mappedValue")?.to_string();
                let value = cx.number(e.pos, "mappedValue", &value)?;
                let case_sensitive = e.attr("caseSensitive").map_or(!cx.qti3, |v| v == "true" || v == "1");
                entries.push(MapEntry {
                    key,
                    value,
                    case_sensitive,
                    pos: e.pos,
                });
            }
            Some(Mapping {
                default,
                lower,
                upper,
                entries,
            })
        }
    };
    Ok((
        id,
        Response {
            cardinality,
            base_type,
            correct,
            mapping,
            pos: decl.pos,
        },
    ))
}

impl Rule {
    fn describe(&self) -> String {
        match self {
            Rule::MatchCorrect => "match_correct".into(),
            Rule::MapResponse => "map_response".into(),
            Rule::Tolerance(t) => format!("equality within {t}"),
            Rule::KeyOnly | Rule::Missing => "the correct response as key".into(),
            Rule::Raters => "rater scoring".into(),
        }
    }
}

/// Reads the response processing into a rule, warning where it is only guessed.
fn rule(cx: &mut Cx<'_>, processing: Option<&Element>, externally_scored: bool) -> Step<Rule> {
    let Some(rp) = processing else {
        return Ok(if externally_scored { Rule::Raters } else { Rule::Missing });
    };
    if let Some(uri) = rp.attr("template").or_else(|| rp.attr("templateLocation")) {
        return match rp_template(uri) {
            Some(RpTemplate::MatchCorrect) => Ok(Rule::MatchCorrect),
            Some(RpTemplate::MapResponse) => Ok(Rule::MapResponse),
            Some(RpTemplate::MapResponsePoint) => {
                unsupported("map_response_point", "area mappings score graphic interactions")
            }
            None if rp.elements().next().is_some() => custom(cx, rp),
            None => {
                cx.warn(format!(
                    "unknown response processing template `{uri}`; the correct response is used as key"
                ));
                Ok(Rule::KeyOnly)
            }
        };
    }
    if rp.elements().next().is_none() {
        return Ok(if externally_scored { Rule::Raters } else { Rule::Missing });
    }
    custom(cx, rp)
}

/// Recognises the usual shapes of written-out response processing: a `mapResponse`,
/// an `equal` (with tolerance) or a `match` of the response with the correct response.
fn custom(cx: &mut Cx<'_>, rp: &Element) -> Step<Rule> {
    let all = rp.descendants();
    let compares = |e: &&Element| e.child("variable").is_some() && e.child("correct").is_some();
    let rule = if all.iter().any(|e| e.name == "mapResponse") {
        Some(Rule::MapResponse)
    } else if let Some(eq) = all.iter().find(|e| e.name == "equal" && compares(e)) {
        let mode = eq.attr("toleranceMode").unwrap_or("exact");
        let tolerances: Vec<&str> = eq.attr("tolerance").unwrap_or("0").split_whitespace().collect();
        let mut values = Vec::new();
        for t in &tolerances {
            values.push(cx.number(eq.pos, "tolerance", t)?);
        }
        let t = values.iter().copied().fold(0.0_f64, f64::max);
        if values.len() == 2 && values[0] != values[1] {
            cx.warn(format!(
                "asymmetric tolerance {} {}; the larger is used on both sides",
                values[0], values[1]
            ));
        }
        match mode {
            "exact" => Some(Rule::Tolerance(0.0)),
            "absolute" => Some(Rule::Tolerance(t)),
            "relative" => {
                return unsupported(
                    "equal",
                    "relative tolerance: the bank's numeric items have an absolute tolerance",
                );
            }
            other => return cx.invalid(eq.pos, format!("unknown toleranceMode `{other}`")),
        }
    } else if all.iter().any(|e| e.name == "match" && compares(e)) {
        Some(Rule::MatchCorrect)
    } else {
        None
    };
    match rule {
        Some(rule) => {
            if rp.elements().count() != 1 {
                cx.warn(format!(
                    "custom response processing read as {}; check the scoring",
                    rule.describe()
                ));
            }
            Ok(rule)
        }
        None => {
            cx.warn("custom response processing not interpreted; the correct response is used as key");
            Ok(Rule::KeyOnly)
        }
    }
}

/// Interaction-level helper: the kind and the prompt.
pub(super) type Read = (ItemKind, String);

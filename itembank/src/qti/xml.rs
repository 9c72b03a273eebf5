//! A small XML tree for QTI files, with source positions for error messages, and
//! the escaping the exporter needs.
//!
//! QTI items are small (kilobytes) and reading them needs look-around everywhere (an
//! interaction names a declaration written before it, the response processing comes
//! after the body), so the importer works on a tree rather than on a stream of events.
//! QTI 3 spells names in kebab case with a `qti-` prefix (`qti-choice-interaction`,
//! `response-identifier`); the tree stores them in their QTI 2 spelling
//! (`choiceInteraction`, `responseIdentifier`) so one importer reads both versions.

use quick_xml::NsReader;
use quick_xml::XmlVersion;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;

/// The namespace of QTI 3.0 assessment items.
pub(super) const QTI3_NS: &str = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0";
/// The namespace of MathML, the only foreign markup kept in texts.
pub(super) const MATHML_NS: &str = "http://www.w3.org/1998/Math/MathML";

/// An element with its children.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Element {
    /// Local name; QTI 3 `qti-*` names are stored in QTI 2 spelling.
    pub name: String,
    pub ns: Option<String>,
    /// Attributes in document order; names of `qti-*` elements' attributes in QTI 2
    /// spelling, prefixed names (`xml:lang`) as written.
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
    /// Byte offset of the start tag in the source, for error positions.
    pub pos: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Node {
    Element(Element),
    Text(String),
}

/// A well-formedness error at a byte offset of the source.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct XmlError {
    pub pos: usize,
    pub message: String,
}

impl Element {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Child elements in document order.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// Child elements with a given name.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.elements().filter(move |e| e.name == name)
    }

    pub fn child(&self, name: &str) -> Option<&Element> {
        self.elements().find(|e| e.name == name)
    }

    /// Every descendant element, depth first, in document order.
    pub fn descendants(&self) -> Vec<&Element> {
        let mut out = Vec::new();
        fn walk<'a>(e: &'a Element, out: &mut Vec<&'a Element>) {
            for c in e.elements() {
                out.push(c);
                walk(c, out);
            }
        }
        walk(self, &mut out);
        out
    }

    /// The concatenated text of the element and its descendants, trimmed.
    pub fn text(&self) -> String {
        fn walk(e: &Element, out: &mut String) {
            for c in &e.children {
                match c {
                    Node::Text(t) => out.push_str(t),
                    Node::Element(e) => walk(e, out),
                }
            }
        }
        let mut out = String::new();
        walk(self, &mut out);
        out.trim().to_string()
    }
}

/// `line L, column C` (1-based, columns in characters) of a byte offset.
pub(super) fn position(src: &str, pos: usize) -> String {
    let pos = pos.min(src.len());
    let mut start = pos;
    while !src.is_char_boundary(start) {
        start -= 1;
    }
    let before = &src[..start];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!("line {line}, column {column}")
}

/// QTI 3 `qti-choice-interaction` → `choiceInteraction`; other names unchanged.
fn qti2_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '-' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn element_name(local: &str) -> String {
    match local.strip_prefix("qti-") {
        Some(rest) => qti2_name(rest),
        None => local.to_string(),
    }
}

fn attribute_name(qti3: bool, name: &str) -> String {
    if qti3 && !name.contains(':') && !name.starts_with("data-") && !name.starts_with("aria-") {
        qti2_name(name)
    } else {
        name.to_string()
    }
}

/// The namespace of an element, or the message for an undeclared prefix.
fn namespace(ns: ResolveResult<'_>) -> Result<Option<String>, String> {
    match ns {
        ResolveResult::Bound(n) => Ok(Some(n.0.to_string())),
        ResolveResult::Unbound => Ok(None),
        ResolveResult::Unknown(prefix) => Err(format!("unknown namespace prefix `{prefix}`")),
    }
}

fn start_element(ns: Result<Option<String>, String>, e: &BytesStart<'_>, pos: usize) -> Result<Element, XmlError> {
    let ns = ns.map_err(|message| XmlError { pos, message })?;
    let local = e.local_name().into_inner().to_string();
    let qti3 = local.starts_with("qti-");
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|err| XmlError {
            pos,
            message: err.to_string(),
        })?;
        let key = a.key.into_inner();
        if key == "xmlns" || key.starts_with("xmlns:") {
            continue;
        }
        let value = a.normalized_value(XmlVersion::Implicit1_0).map_err(|err| XmlError {
            pos,
            message: err.to_string(),
        })?;
        attrs.push((attribute_name(qti3, key), value.into_owned()));
    }
    Ok(Element {
        name: element_name(&local),
        ns,
        attrs,
        children: Vec::new(),
        pos,
    })
}

fn push_text(stack: &mut [Element], text: &str, pos: usize) -> Result<(), XmlError> {
    match stack.last_mut() {
        Some(top) => {
            if let Some(Node::Text(t)) = top.children.last_mut() {
                t.push_str(text);
            } else {
                top.children.push(Node::Text(text.to_string()));
            }
            Ok(())
        }
        None if text.trim().is_empty() => Ok(()),
        None => Err(XmlError {
            pos,
            message: "text outside the root element".into(),
        }),
    }
}

/// Parses a document into its root element; the error carries the byte offset.
pub(super) fn parse(src: &str) -> Result<Element, XmlError> {
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    let mut reader = NsReader::from_str(src);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let pos = reader.buffer_position() as usize;
        let (ns, event) = match reader.read_resolved_event() {
            Ok((ns, event)) => (namespace(ns), event),
            Err(e) => {
                return Err(XmlError {
                    pos: reader.error_position() as usize,
                    message: e.to_string(),
                });
            }
        };
        match event {
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                return Err(XmlError {
                    pos,
                    message: "content after the root element".into(),
                });
            }
            Event::Start(e) => stack.push(start_element(ns, &e, pos)?),
            Event::Empty(e) => {
                let element = start_element(ns, &e, pos)?;
                match stack.last_mut() {
                    Some(top) => top.children.push(Node::Element(element)),
                    None => root = Some(element),
                }
            }
            Event::End(_) => {
                // quick-xml checks that end names match their start tags.
                if let Some(done) = stack.pop() {
                    match stack.last_mut() {
                        Some(top) => top.children.push(Node::Element(done)),
                        None => root = Some(done),
                    }
                }
            }
            Event::Text(t) => push_text(&mut stack, &t.xml10_content(), pos)?,
            Event::CData(t) => push_text(&mut stack, &t.xml10_content(), pos)?,
            Event::GeneralRef(r) => {
                let text = match r.resolve_char_ref().map_err(|e| XmlError {
                    pos,
                    message: e.to_string(),
                })? {
                    Some(c) => c.to_string(),
                    None => match resolve_predefined_entity(&r) {
                        Some(s) => s.to_string(),
                        None => {
                            return Err(XmlError {
                                pos,
                                message: format!("unknown entity `&{};`", &*r),
                            });
                        }
                    },
                };
                push_text(&mut stack, &text, pos)?;
            }
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
            Event::Eof => break,
        }
    }
    if let Some(open) = stack.last() {
        return Err(XmlError {
            pos: src.len(),
            message: format!("unexpected end of file: element `{}` is not closed", open.name),
        });
    }
    root.ok_or(XmlError {
        pos: 0,
        message: "no root element".into(),
    })
}

/// Escapes text content (`&`, `<`, `>`).
pub(super) fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes an attribute value for double quotes; newlines and tabs as character
/// references so that attribute-value normalisation does not turn them into spaces.
pub(super) fn escape_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            _ => out.push(c),
        }
    }
    out
}

/// Writes an element subtree back as XML with local names, without namespace
/// declarations: the form MathML keeps inside texts (`<math><mi>x</mi></math>`).
pub(super) fn serialize(e: &Element, out: &mut String) {
    out.push('<');
    out.push_str(&e.name);
    for (k, v) in &e.attrs {
        out.push_str(&format!(" {k}=\"{}\"", escape_attr(v)));
    }
    if e.children.is_empty() {
        out.push_str("/>");
        return;
    }
    out.push('>');
    for c in &e.children {
        match c {
            Node::Text(t) => out.push_str(&escape_text(t)),
            Node::Element(child) => serialize(child, out),
        }
    }
    out.push_str(&format!("</{}>", e.name));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qti3_names_become_qti2_names() {
        let root = parse(
            r#"<qti-assessment-item xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0" time-dependent="false" xml:lang="en"><p data-x="1">a &amp; b&#x4e2d;</p></qti-assessment-item>"#,
        )
        .unwrap();
        assert_eq!(root.name, "assessmentItem");
        assert_eq!(root.ns.as_deref(), Some(QTI3_NS));
        assert_eq!(root.attr("timeDependent"), Some("false"));
        assert_eq!(root.attr("xml:lang"), Some("en"));
        let p = root.child("p").unwrap();
        assert_eq!(p.attr("data-x"), Some("1"));
        assert_eq!(p.text(), "a & b中");
    }

    #[test]
    fn errors_carry_positions() {
        let src = "<a>\n  <b></c>\n</a>";
        let e = parse(src).unwrap_err();
        assert_eq!(position(src, e.pos), "line 2, column 6");
        let e = parse("<a>\n<b>").unwrap_err();
        assert!(e.message.contains("not closed"), "{}", e.message);
        assert!(parse("<a/><b/>").is_err());
        assert!(parse("<a>&nbsp;</a>").is_err());
    }

    #[test]
    fn math_serialises_without_namespaces() {
        let root = parse(r#"<p xmlns:m="http://www.w3.org/1998/Math/MathML"><m:math display="block"><m:mi>x</m:mi><m:mo>&lt;</m:mo><m:mspace/></m:math></p>"#).unwrap();
        let math = root.child("math").unwrap();
        assert_eq!(math.ns.as_deref(), Some(MATHML_NS));
        let mut s = String::new();
        serialize(math, &mut s);
        assert_eq!(s, r#"<math display="block"><mi>x</mi><mo>&lt;</mo><mspace/></math>"#);
    }
}

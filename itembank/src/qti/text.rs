//! QTI body content as the plain text the bank stores.
//!
//! Bank texts are plain text with one line per paragraph, plus inline MathML kept as
//! XML text (`<math><mi>x</mi></math>`) because formulas cannot be flattened without
//! losing them. So on import, block elements (`p`, `div`, `li`, …) and `br` end a
//! line, runs of whitespace become one space (none when a source line break falls
//! between two Chinese characters, where it is only formatting), and other markup is
//! reduced to its text. Media cannot be carried; what is left out is reported.
//! Export writes each line as a `<p>` (or joins lines with `<br/>` where only inline
//! content is allowed), which reads back to the same text.

use std::collections::BTreeSet;

use super::xml::{self, Element, MATHML_NS, Node};

/// Elements that start and end a line (HTML block elements of QTI item bodies).
pub(super) const BLOCKS: &[&str] = &[
    "p",
    "div",
    "blockquote",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "table",
    "tr",
    "thead",
    "tbody",
    "tfoot",
    "caption",
    "pre",
    "section",
    "article",
    "aside",
    "header",
    "footer",
    "nav",
    "figure",
    "figcaption",
    "hr",
    "address",
    "details",
    "summary",
    "prompt",
    "itemBody",
    "contentBody",
    "rubricBlock",
    "simpleChoice",
    "simpleAssociableChoice",
];

/// Elements whose content a candidate does not see as item text.
const HIDDEN: &[&str] = &[
    "feedbackBlock",
    "feedbackInline",
    "modalFeedback",
    "templateBlock",
    "templateInline",
    "printedVariable",
    "stylesheet",
    "style",
    "script",
    "catalogInfo",
    "companionMaterialsInfo",
];

/// Media that cannot be carried into a text.
const MEDIA: &[&str] = &["img", "audio", "video", "picture", "svg", "iframe", "object"];

/// Whether an element is an interaction (the thing a candidate answers).
pub(super) fn is_interaction(e: &Element) -> bool {
    e.name.ends_with("Interaction")
}

fn is_wide(c: char) -> bool {
    matches!(c, '\u{2E80}'..='\u{303F}' | '\u{3040}'..='\u{9FFF}' | '\u{AC00}'..='\u{D7AF}' | '\u{F900}'..='\u{FAFF}' | '\u{FE30}'..='\u{FE4F}' | '\u{FF00}'..='\u{FFEF}')
}

/// Lines being built, with the whitespace seen but not yet written.
#[derive(Default)]
struct Lines {
    done: Vec<String>,
    current: String,
    /// Pending whitespace: `Some(true)` when it held a line break.
    space: Option<bool>,
}

impl Lines {
    fn push_char(&mut self, c: char) {
        if let Some(newline) = self.space.take() {
            let joins_wide = newline && self.current.chars().last().is_some_and(is_wide) && is_wide(c);
            if !self.current.is_empty() && !joins_wide {
                self.current.push(' ');
            }
        }
        self.current.push(c);
    }

    fn text(&mut self, t: &str) {
        for c in t.chars() {
            if c.is_whitespace() && c != '\u{3000}' {
                let newline = c == '\n' || self.space == Some(true);
                self.space = Some(newline);
            } else {
                self.push_char(c);
            }
        }
    }

    /// Markup kept as it is (MathML), separated like a word.
    fn raw(&mut self, s: &str) {
        let mut chars = s.chars();
        if let Some(first) = chars.next() {
            self.push_char(first);
            self.current.extend(chars);
        }
    }

    fn break_line(&mut self) {
        self.space = None;
        let line = std::mem::take(&mut self.current);
        if !line.trim().is_empty() {
            self.done.push(line.trim().to_string());
        }
    }

    fn finish(mut self) -> String {
        self.break_line();
        self.done.join("\n")
    }
}

/// How the item's interaction shows in the text around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum InteractionAs {
    /// Only its `prompt` (choice, order, match, extended text).
    Prompt,
    /// `{gap}` (inline choice sentence).
    Gap,
    /// A blank line `____` (a text entry inside running text).
    Blank,
}

/// Renders body content to plain text.
pub(super) struct Render<'a> {
    /// The item's interaction; other interactions are left out.
    pub interaction: Option<&'a Element>,
    pub interaction_as: InteractionAs,
    /// An element left out entirely (the inline choice sentence, rendered apart).
    pub skip: Option<&'a Element>,
    /// What was left out: images and other media.
    pub left_out: BTreeSet<String>,
}

impl<'a> Render<'a> {
    pub fn new(interaction: Option<&'a Element>, interaction_as: InteractionAs) -> Self {
        Render {
            interaction,
            interaction_as,
            skip: None,
            left_out: BTreeSet::new(),
        }
    }

    /// The text of an element's content.
    pub fn text(&mut self, e: &Element) -> String {
        let mut lines = Lines::default();
        self.children(e, &mut lines);
        lines.finish()
    }

    fn children(&mut self, e: &Element, out: &mut Lines) {
        for c in &e.children {
            match c {
                Node::Text(t) => out.text(t),
                Node::Element(child) => self.element(child, out),
            }
        }
    }

    fn element(&mut self, e: &Element, out: &mut Lines) {
        let name = e.name.as_str();
        if self.skip.is_some_and(|s| std::ptr::eq(s, e)) || HIDDEN.contains(&name) {
            return;
        }
        if is_interaction(e) {
            if self.interaction.is_some_and(|i| std::ptr::eq(i, e)) {
                match self.interaction_as {
                    InteractionAs::Prompt => {
                        if let Some(prompt) = e.child("prompt") {
                            out.break_line();
                            self.children(prompt, out);
                            out.break_line();
                        }
                    }
                    InteractionAs::Gap => out.raw("{gap}"),
                    InteractionAs::Blank => out.raw("____"),
                }
            }
            return;
        }
        if name == "math" || e.ns.as_deref() == Some(MATHML_NS) {
            let mut s = String::new();
            xml::serialize(e, &mut s);
            out.raw(&s);
            return;
        }
        if name == "rubricBlock"
            && !e
                .attr("view")
                .unwrap_or_default()
                .split_whitespace()
                .any(|v| v == "candidate")
        {
            return;
        }
        if MEDIA.contains(&name) {
            let src = e.attr("src").or_else(|| e.attr("data")).unwrap_or_default();
            let alt = e.attr("alt").map(|a| format!(" (alt: {a})")).unwrap_or_default();
            self.left_out.insert(format!("{name} `{src}`{alt}"));
            if name != "object" {
                return;
            }
        }
        match name {
            "br" => out.break_line(),
            "td" | "th" => {
                out.text(" ");
                self.children(e, out);
                out.text(" ");
            }
            _ if BLOCKS.contains(&name) => {
                out.break_line();
                self.children(e, out);
                out.break_line();
            }
            _ => self.children(e, out),
        }
    }
}

/// A piece of a bank text: plain text or a MathML element.
pub(super) enum Piece<'a> {
    Text(&'a str),
    Math(&'a str),
}

/// Splits a line into plain text and `<math …>…</math>` pieces.
pub(super) fn pieces(line: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(start) = find_math(rest) {
        let Some(len) = rest[start..].find("</math>").map(|i| i + "</math>".len()) else {
            break;
        };
        if start > 0 {
            out.push(Piece::Text(&rest[..start]));
        }
        out.push(Piece::Math(&rest[start..start + len]));
        rest = &rest[start + len..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    out
}

fn find_math(s: &str) -> Option<usize> {
    s.match_indices("<math")
        .map(|(i, _)| i)
        .find(|&i| matches!(s[i + 5..].chars().next(), Some('>' | ' ' | '/')))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(src: &str) -> String {
        let root = xml::parse(src).unwrap();
        Render::new(None, InteractionAs::Prompt).text(&root)
    }

    #[test]
    fn blocks_become_lines_and_whitespace_collapses() {
        assert_eq!(
            body("<b><p>Now  is\n the <i>winter</i></p><p>of<br/> our</p></b>"),
            "Now is the winter\nof\nour"
        );
        assert_eq!(
            body("<b><p>这是\n    一句话。 Ｘ ＝ １</p></b>"),
            "这是一句话。 Ｘ ＝ １"
        );
        assert_eq!(
            body(r#"<b><p>求 <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>x</mi></math> 的值</p></b>"#),
            "求 <math><mi>x</mi></math> 的值"
        );
    }

    #[test]
    fn math_pieces() {
        let p = pieces("a <math><mi>x</mi></math> b <mathx");
        assert!(matches!(
            p.as_slice(),
            [
                Piece::Text("a "),
                Piece::Math("<math><mi>x</mi></math>"),
                Piece::Text(" b <mathx")
            ]
        ));
    }
}

//! Response processing templates, whatever URI they are written with.
//!
//! The same standard template is written in many ways in the wild: QTI 2.1 and 2.2
//! `http://www.imsglobal.org/question/qti_v2pN/rptemplates/NAME`, QTI 3
//! `https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/NAME.xml` (with or without
//! `.xml`), non-canonical hosts and paths such as
//! `https://www.imsglobal.org/question/qti_v3p0/rptemplates/NAME.xml`, or a relative
//! `templateLocation` (`../rptemplates/NAME.xml`). Processors never fetch them; the
//! name alone identifies the template, so the last path segment decides.

/// A standard response processing template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RpTemplate {
    /// 1 when the response equals the correct response, else 0.
    MatchCorrect,
    /// The sum of the mapping's values for the response, clamped to its bounds.
    MapResponse,
    /// The area mapping of a point response.
    MapResponsePoint,
}

impl RpTemplate {
    /// The QTI 3 URI the exporter writes.
    pub fn uri(self) -> &'static str {
        match self {
            RpTemplate::MatchCorrect => "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct",
            RpTemplate::MapResponse => "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/map_response",
            RpTemplate::MapResponsePoint => "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/map_response_point",
        }
    }
}

/// The standard template a `template` or `templateLocation` URI names, if any.
pub fn rp_template(uri: &str) -> Option<RpTemplate> {
    let path = uri.trim().split(['?', '#']).next().unwrap_or_default();
    let last = path
        .trim_end_matches('/')
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default();
    let name = last
        .strip_suffix(".xml")
        .or_else(|| last.strip_suffix(".XML"))
        .unwrap_or(last);
    match name.to_ascii_lowercase().as_str() {
        "match_correct" => Some(RpTemplate::MatchCorrect),
        "map_response" => Some(RpTemplate::MapResponse),
        "map_response_point" => Some(RpTemplate::MapResponsePoint),
        _ => None,
    }
}

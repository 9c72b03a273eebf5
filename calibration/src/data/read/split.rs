//! Byte-level splitting of one CSV line into cells, and reading numbers from cells.
//!
//! Response files are large (millions of cells) and plain, so cells are byte ranges into
//! the line buffer: nothing is allocated per cell. Double-quoted cells (R quotes header
//! names and ids) are supported without embedded newlines; `""` inside quotes is a quote.

use std::borrow::Cow;

/// One cell of a line: the byte range of its content, blanks and quotes removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Cell {
    start: usize,
    end: usize,
    quoted: bool,
    /// The cell was quoted and holds `""` pairs still to be collapsed into `"`.
    escaped: bool,
}

impl Cell {
    /// The content as bytes (a quoted cell's `""` pairs left as they are).
    pub(super) fn bytes<'l>(&self, line: &'l [u8]) -> &'l [u8] {
        &line[self.start..self.end]
    }

    /// Whether the cell is an unquoted number: a header of such cells is a data row, while
    /// quoting marks a number as a name (as the writer does for items named `1`, `2`, …).
    pub(super) fn is_unquoted_number(&self, line: &[u8]) -> bool {
        !self.quoted && is_number(self.bytes(line))
    }

    /// The content as text, `""` collapsed; `None` if it is not UTF-8.
    pub(super) fn text<'l>(&self, line: &'l [u8]) -> Option<Cow<'l, str>> {
        let text = std::str::from_utf8(self.bytes(line)).ok()?;
        Some(if self.escaped {
            Cow::Owned(text.replace("\"\"", "\""))
        } else {
            Cow::Borrowed(text)
        })
    }
}

/// A line whose quotes do not close: the 0-based index of the cell where it happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum QuoteError {
    Unterminated { cell: usize },
    TextAfterQuote { cell: usize },
}

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Whether a line holds nothing but blanks.
pub(super) fn is_blank_line(line: &[u8]) -> bool {
    line.iter().all(|&b| is_blank(b))
}

/// Splits `line` (without its line ending) at commas into `cells`, trimming blanks around
/// each cell and removing quotes.
pub(super) fn split(line: &[u8], cells: &mut Vec<Cell>) -> Result<(), QuoteError> {
    cells.clear();
    let mut pos = 0;
    loop {
        let mut start = pos;
        while start < line.len() && is_blank(line[start]) {
            start += 1;
        }
        let next = if line.get(start) == Some(&b'"') {
            let (end, escaped) =
                closing_quote(line, start + 1).ok_or(QuoteError::Unterminated { cell: cells.len() })?;
            cells.push(Cell {
                start: start + 1,
                end,
                quoted: true,
                escaped,
            });
            let mut after = end + 1;
            while after < line.len() && is_blank(line[after]) {
                after += 1;
            }
            match line.get(after) {
                None => return Ok(()),
                Some(b',') => after + 1,
                Some(_) => return Err(QuoteError::TextAfterQuote { cell: cells.len() - 1 }),
            }
        } else {
            let comma = line[start..].iter().position(|&b| b == b',').map(|p| start + p);
            let mut end = comma.unwrap_or(line.len());
            while end > start && is_blank(line[end - 1]) {
                end -= 1;
            }
            cells.push(Cell {
                start,
                end,
                quoted: false,
                escaped: false,
            });
            match comma {
                None => return Ok(()),
                Some(c) => c + 1,
            }
        };
        pos = next;
    }
}

/// The index of the quote closing a cell whose content starts at `from`, and whether
/// the content holds `""` escapes.
fn closing_quote(line: &[u8], from: usize) -> Option<(usize, bool)> {
    let mut escaped = false;
    let mut at = from;
    loop {
        at += line[at..].iter().position(|&b| b == b'"')?;
        if line.get(at + 1) != Some(&b'"') {
            return Some((at, escaped));
        }
        escaped = true;
        at += 2;
    }
}

/// Whether a cell means "no value": empty or `NA` (DESIGN.md §4; R writes `NA`).
pub(super) fn is_missing(bytes: &[u8]) -> bool {
    bytes.is_empty() || bytes == b"NA"
}

/// Reads an integer, also written as an integral decimal (`2.0`, as some exports do);
/// `None` for anything else, including `2.5`, exponents and overflow.
pub(super) fn parse_integer(bytes: &[u8]) -> Option<i64> {
    // Single digits are nearly every cell of a response file.
    if let [d @ b'0'..=b'9'] = bytes {
        return Some(i64::from(d - b'0'));
    }
    let (negative, unsigned) = match bytes {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, bytes),
    };
    let (digits, fraction) = match unsigned.iter().position(|&b| b == b'.') {
        Some(dot) => (&unsigned[..dot], Some(&unsigned[dot + 1..])),
        None => (unsigned, None),
    };
    if digits.is_empty() || fraction.is_some_and(|f| f.is_empty() || f.iter().any(|&b| b != b'0')) {
        return None;
    }
    let mut value: i64 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value.checked_mul(10)?.checked_sub(i64::from(b - b'0'))?;
    }
    // Accumulated negatively so that i64::MIN parses too.
    if negative { Some(value) } else { value.checked_neg() }
}

/// Whether text reads as a number of any kind.
pub(super) fn is_number(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes).is_ok_and(|s| s.parse::<f64>().is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(line: &str) -> Result<Vec<String>, QuoteError> {
        let mut cells = Vec::new();
        split(line.as_bytes(), &mut cells)?;
        Ok(cells
            .iter()
            .map(|c| c.text(line.as_bytes()).unwrap_or_default().into_owned())
            .collect())
    }

    #[test]
    fn splits_plain_and_quoted_cells() {
        assert_eq!(texts("1,,NA, 2 ").unwrap(), ["1", "", "NA", "2"]);
        assert_eq!(texts("").unwrap(), [""]);
        assert_eq!(texts("a,").unwrap(), ["a", ""]);
        assert_eq!(
            texts(r#""I01", "a,b" ,"say ""hi""","""#).unwrap(),
            ["I01", "a,b", r#"say "hi""#, ""]
        );
        assert_eq!(texts(r#"x,"open"#), Err(QuoteError::Unterminated { cell: 1 }));
        assert_eq!(texts(r#""a"b,c"#), Err(QuoteError::TextAfterQuote { cell: 0 }));
        assert_eq!(texts(r#"a"b,c"#).unwrap(), [r#"a"b"#, "c"]);
    }

    #[test]
    fn integers_and_integral_decimals_only() {
        for (text, want) in [
            ("0", Some(0)),
            ("17", Some(17)),
            ("-3", Some(-3)),
            ("+4", Some(4)),
            ("2.0", Some(2)),
        ] {
            assert_eq!(parse_integer(text.as_bytes()), want, "{text}");
        }
        assert_eq!(parse_integer(b"-9223372036854775808"), Some(i64::MIN));
        for bad in ["2.5", "2.", ".0", "1e2", "x", "-", "", "9223372036854775808", "1 2"] {
            assert_eq!(parse_integer(bad.as_bytes()), None, "{bad}");
        }
        assert!(is_number(b"-1.5e3") && !is_number(b"I01"));
    }
}

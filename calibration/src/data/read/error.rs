//! What can go wrong reading response data, located by file, line and column.

use std::fmt;

use crate::data::DataError;

/// How many problems a read collects before it only counts the rest: enough to show a
/// pattern (a shifted column, a stray code) without burying it under a million copies.
pub const MAX_PROBLEMS: usize = 20;

/// Longest offending text quoted in a message; a whole ragged line would drown the message.
const MAX_TEXT: usize = 40;

/// Why response data could not be read. Nothing half-read is ever returned alongside it.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The reason is the error's source (shown by `{:#}` and error reporters), not
    /// repeated in the message.
    #[error("cannot read {file}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    /// The content is wrong: the first [`MAX_PROBLEMS`] problems, and how many more there were.
    #[error("{file}: {}", ProblemList { problems, more: *more })]
    Invalid {
        file: String,
        problems: Vec<Problem>,
        more: usize,
    },
    /// The cells parsed but the matrix refused them (e.g. every weight is zero).
    #[error("{file}: {source}")]
    Data {
        file: String,
        #[source]
        source: DataError,
    },
}

/// One thing wrong with the input, located as precisely as the reader knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line of the file (the header is line 1); `None` for the file as a whole.
    pub line: Option<usize>,
    /// The column's header name, when the problem belongs to one column.
    pub column: Option<String>,
    /// What is wrong, e.g. "not an integer".
    pub message: String,
    /// The offending cell text (shortened when long).
    pub text: Option<String>,
}

impl ReadError {
    /// The error of a file with one problem that stops reading at once.
    pub(super) fn single(file: &str, problem: Problem) -> Self {
        ReadError::Invalid {
            file: file.to_owned(),
            problems: vec![problem],
            more: 0,
        }
    }
}

impl Problem {
    pub(super) fn new(line: Option<usize>, column: Option<&str>, message: impl Into<String>) -> Self {
        Problem {
            line,
            column: column.map(str::to_owned),
            message: message.into(),
            text: None,
        }
    }

    /// Quotes the offending bytes, lossily: the input need not be UTF-8.
    pub(super) fn with_text(mut self, bytes: &[u8]) -> Self {
        let text = String::from_utf8_lossy(bytes);
        self.text = Some(match text.char_indices().nth(MAX_TEXT) {
            Some((cut, _)) => format!("{}…", &text[..cut]),
            None => text.into_owned(),
        });
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, &self.column) {
            (Some(line), Some(column)) => write!(f, "line {line}, column \"{column}\": ")?,
            (Some(line), None) => write!(f, "line {line}: ")?,
            (None, Some(column)) => write!(f, "column \"{column}\": ")?,
            (None, None) => {}
        }
        f.write_str(&self.message)?;
        if let Some(text) = &self.text {
            write!(f, " (found \"{text}\")")?;
        }
        Ok(())
    }
}

/// One problem on the error's own line; several as an indented list under a count.
struct ProblemList<'a> {
    problems: &'a [Problem],
    more: usize,
}

impl fmt::Display for ProblemList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let ([only], 0) = (self.problems, self.more) {
            return write!(f, "{only}");
        }
        write!(f, "{} problems", self.problems.len() + self.more)?;
        if self.more > 0 {
            write!(f, " (the first {} shown)", self.problems.len())?;
        }
        f.write_str(":")?;
        for p in self.problems {
            write!(f, "\n  {p}")?;
        }
        Ok(())
    }
}

/// Collects problems up to [`MAX_PROBLEMS`] and counts the rest, so a read can go on to the
/// end of the file (and tell how much is wrong) without allocating for every bad cell.
#[derive(Default)]
pub(super) struct Problems {
    list: Vec<Problem>,
    more: usize,
}

impl Problems {
    /// Records a problem; `make` runs only while there is room, keeping bad files cheap.
    pub(super) fn report(&mut self, make: impl FnOnce() -> Problem) {
        if self.list.len() < MAX_PROBLEMS {
            self.list.push(make());
        } else {
            self.more += 1;
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// `Ok` when nothing was reported, otherwise the error carrying everything collected.
    pub(super) fn check(self, file: &str) -> Result<(), ReadError> {
        if self.list.is_empty() {
            Ok(())
        } else {
            Err(self.into_error(file))
        }
    }

    pub(super) fn into_error(self, file: &str) -> ReadError {
        ReadError::Invalid {
            file: file.to_owned(),
            problems: self.list,
            more: self.more,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_problem_reads_as_one_line_and_many_as_a_counted_list() {
        let p = Problem::new(Some(3), Some("I02"), "not an integer").with_text(b"x");
        let one = ReadError::Invalid {
            file: "a.csv".into(),
            problems: vec![p.clone()],
            more: 0,
        };
        assert_eq!(
            one.to_string(),
            "a.csv: line 3, column \"I02\": not an integer (found \"x\")"
        );
        let many = ReadError::Invalid {
            file: "a.csv".into(),
            problems: vec![p.clone(), p],
            more: 5,
        };
        assert!(
            many.to_string()
                .starts_with("a.csv: 7 problems (the first 2 shown):\n  line 3")
        );
    }

    #[test]
    fn long_text_is_shortened_and_only_the_first_problems_are_kept() {
        let p = Problem::new(None, None, "m").with_text("é".repeat(100).as_bytes());
        assert_eq!(p.text.as_deref().map(|t| t.chars().count()), Some(MAX_TEXT + 1));
        let mut problems = Problems::default();
        for _ in 0..MAX_PROBLEMS + 3 {
            problems.report(|| Problem::new(None, None, "m"));
        }
        match problems.check("f") {
            Err(ReadError::Invalid { problems, more, .. }) => assert_eq!((problems.len(), more), (MAX_PROBLEMS, 3)),
            other => panic!("expected Invalid, got {other:?}"),
        }
    }
}

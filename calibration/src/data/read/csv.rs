//! The CSV reader: lines to cells to bytes, in one pass over a buffered (maybe gzip) stream.

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use flate2::bufread::MultiGzDecoder;

use super::coder::{CodeError, Coder};
use super::collect::{Collected, Found};
use super::error::{Problem, Problems, ReadError};
use super::header::Layout;
use super::split::{Cell, QuoteError, is_blank_line, is_missing, parse_integer, split};
use super::{ReadData, ReadOptions};
use crate::data::codes::{FIRST_MISSING, NOT_ADMINISTERED};

/// Every gzip stream starts with these bytes.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
/// Large reads keep system calls and decompressor calls off the per-line path.
const BUFFER: usize = 1 << 16;
/// Excel and some Windows tools start UTF-8 files with a byte-order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Reads response data from a CSV file, gzip-compressed or not.
pub fn read_csv(path: &Path, opts: &ReadOptions) -> Result<ReadData, ReadError> {
    let (file, input) = open_file(path)?;
    read_csv_from(input, &file, opts)
}

/// Opens a file to read: its name as errors give it, and the file.
pub(super) fn open_file(path: &Path) -> Result<(String, File), ReadError> {
    let file = path.display().to_string();
    match File::open(path) {
        Ok(input) => Ok((file, input)),
        Err(source) => Err(ReadError::Io { file, source }),
    }
}

/// Reads response data from any byte stream, gzip-compressed or not; `name` is the file
/// name errors give.
pub fn read_csv_from<R: Read>(reader: R, name: &str, opts: &ReadOptions) -> Result<ReadData, ReadError> {
    read_lines(decompressed(reader, name)?, name, opts)
}

/// Buffers a byte stream, decompressing it if it is gzip: recognised by its first bytes,
/// whatever the file is called.
pub(super) fn decompressed<'r>(reader: impl Read + 'r, name: &str) -> Result<Box<dyn BufRead + 'r>, ReadError> {
    let mut input = BufReader::with_capacity(BUFFER, reader);
    let head = input.fill_buf().map_err(|source| ReadError::Io {
        file: name.to_owned(),
        source,
    })?;
    Ok(if head.starts_with(&GZIP_MAGIC) {
        Box::new(BufReader::with_capacity(BUFFER, MultiGzDecoder::new(input)))
    } else {
        Box::new(input)
    })
}

fn read_lines(mut input: impl BufRead, file: &str, opts: &ReadOptions) -> Result<ReadData, ReadError> {
    let mut problems = Problems::default();
    let mut line = Vec::new();
    let mut cells = Vec::new();
    read_header(&mut input, file, &mut line, &mut cells)?;
    let Some(layout) = Layout::resolve(&line, &cells, opts, &mut problems) else {
        return Err(problems.into_error(file));
    };

    let mut records = Records::new(&layout, opts);
    let mut line_no = 1;
    while read_line(&mut input, file, &mut line)? {
        line_no += 1;
        if split_row(line_no, &line, &mut cells, &layout.names, &mut problems) {
            records.push(line_no, &line, &cells, &mut problems);
        }
    }
    if records.rows == 0 && problems.is_empty() {
        problems.report(|| Problem::new(None, None, "has a header but no data rows"));
    }
    problems.check(file)?;
    let layout = records.layout;
    let found = Found {
        names: &layout.names,
        items: &layout.items,
        group: layout.group,
        weight: layout.weight,
        booklet: layout.booklet,
    };
    records.c.finish(file, opts.reference_group.as_deref(), found)
}

/// Reads the header row into `line`, without a byte-order mark, and splits it into `cells`;
/// an error for an empty file, a blank header or one whose quotes do not close.
pub(super) fn read_header(
    input: &mut impl BufRead,
    file: &str,
    line: &mut Vec<u8>,
    cells: &mut Vec<Cell>,
) -> Result<(), ReadError> {
    if !read_line(input, file, line)? {
        let problem = Problem::new(
            None,
            None,
            "the file is empty: a header row naming the columns is required",
        );
        return Err(ReadError::single(file, problem));
    }
    if line.starts_with(BOM) {
        line.drain(..BOM.len());
    }
    if is_blank_line(line) {
        let problem = Problem::new(Some(1), None, "is blank: a header row naming the columns is required");
        return Err(ReadError::single(file, problem));
    }
    split(line, cells).map_err(|e| ReadError::single(file, quote_problem(1, e, None).with_text(line)))
}

/// Splits data line `at` into `cells`; `false`, after reporting any problem, when it holds
/// no row: a blank line, or one whose quotes or number of cells do not fit the header.
pub(super) fn split_row(
    at: usize,
    line: &[u8],
    cells: &mut Vec<Cell>,
    names: &[String],
    problems: &mut Problems,
) -> bool {
    // A blank line cannot be a row of several cells; in a one-column file it is a row
    // with one empty cell (as the writer writes a person with nothing administered).
    if names.len() > 1 && is_blank_line(line) {
        return false;
    }
    if let Err(e) = split(line, cells) {
        problems.report(|| quote_problem(at, e, Some(names)).with_text(line));
        return false;
    }
    if cells.len() != names.len() {
        problems.report(|| {
            let message = format!("has {} cells but the header has {} columns", cells.len(), names.len());
            Problem::new(Some(at), None, message).with_text(line)
        });
        return false;
    }
    true
}

/// [`next_line`], its error naming the file.
pub(super) fn read_line(input: &mut impl BufRead, file: &str, line: &mut Vec<u8>) -> Result<bool, ReadError> {
    next_line(input, line).map_err(|source| ReadError::Io {
        file: file.to_owned(),
        source,
    })
}

/// Reads the next line into `line` without its line ending; `false` at the end of input.
fn next_line(input: &mut impl BufRead, line: &mut Vec<u8>) -> std::io::Result<bool> {
    line.clear();
    if input.read_until(b'\n', line)? == 0 {
        return Ok(false);
    }
    if line.last() == Some(&b'\n') {
        line.pop();
        if line.last() == Some(&b'\r') {
            line.pop();
        }
    }
    Ok(true)
}

fn quote_problem(line: usize, error: QuoteError, names: Option<&[String]>) -> Problem {
    let (cell, what) = match error {
        QuoteError::Unterminated { cell } => (cell, "a quote is not closed (quoted cells cannot span lines)"),
        QuoteError::TextAfterQuote { cell } => (cell, "text follows a closing quote"),
    };
    match names.and_then(|names| names.get(cell)) {
        Some(name) => Problem::new(Some(line), Some(name), what),
        None => Problem::new(Some(line), None, format!("cell {}: {what}", cell + 1)),
    }
}

/// Everything read from the rows so far.
struct Records<'a> {
    layout: &'a Layout,
    raw_codes: bool,
    rows: usize,
    c: Collected,
}

impl<'a> Records<'a> {
    fn new(layout: &'a Layout, opts: &ReadOptions) -> Self {
        Records {
            layout,
            raw_codes: opts.raw_codes,
            rows: 0,
            c: Collected::new(layout.items.len(), opts.recode, &[]),
        }
    }

    /// Takes one row of the right width; bad cells are reported, never returned.
    fn push(&mut self, at: usize, line: &[u8], cells: &[Cell], problems: &mut Problems) {
        self.rows += 1;
        let layout = self.layout;
        let mut report = |col: usize, message: &str| {
            problems
                .report(|| Problem::new(Some(at), Some(&layout.names[col]), message).with_text(cells[col].bytes(line)))
        };
        for (coder, &col) in self.c.coders.iter_mut().zip(&layout.items) {
            let byte = item_byte(coder, cells[col].bytes(line), self.raw_codes).unwrap_or_else(|error| {
                if let Some(message) = error {
                    report(col, message);
                }
                NOT_ADMINISTERED
            });
            self.c.data.push(byte);
        }
        let mut text = |col: usize| {
            let text = cells[col].text(line);
            if text.is_none() {
                report(col, "not UTF-8 text");
            }
            text
        };
        if let Some(col) = layout.id
            && let Some(id) = text(col)
        {
            self.c.persons.push(id.into_owned());
        }
        if let Some(col) = layout.booklet
            && let Some(booklet) = text(col)
        {
            self.c.booklets.push(booklet.into_owned());
        }
        if let Some(col) = layout.group
            && let Some(name) = text(col)
        {
            match self.group(name) {
                Ok(g) => self.c.groups.push(g),
                Err(message) => report(col, message),
            }
        }
        if let Some(col) = layout.weight {
            match parse_weight(cells[col].bytes(line)) {
                Ok(w) => self.c.weights.push(w),
                Err(message) => report(col, message),
            }
        }
    }

    /// The index of a person's group; groups are numbered in order of first appearance.
    fn group(&mut self, name: Cow<str>) -> Result<u16, &'static str> {
        if is_missing(name.as_bytes()) {
            return Err("missing group");
        }
        self.c.group(name)
    }
}

/// A sampling weight: a finite number ≥ 0.
fn parse_weight(bytes: &[u8]) -> Result<f64, &'static str> {
    match std::str::from_utf8(bytes).ok().and_then(|s| s.parse::<f64>().ok()) {
        Some(w) if w.is_finite() && w >= 0.0 => Ok(w),
        Some(_) => Err("weights must be finite and ≥ 0"),
        None if is_missing(bytes) => Err("missing weight"),
        None => Err("not a number"),
    }
}

/// The byte of one item cell, or what is wrong with it (`None`: already reported).
fn item_byte(coder: &mut Coder, bytes: &[u8], raw_codes: bool) -> Result<u8, Option<&'static str>> {
    if is_missing(bytes) {
        return Ok(NOT_ADMINISTERED);
    }
    let value = parse_integer(bytes).ok_or(Some("not an integer (an empty cell or NA means not administered)"))?;
    if raw_codes
        && let Ok(code) = u8::try_from(value)
        && code >= FIRST_MISSING
    {
        return Ok(code);
    }
    coder.code(value).map_err(|error| match error {
        CodeError::NotACategory => Some("not a category 0..249 (values are read as they are)"),
        CodeError::MissingCodeNotAllowed => Some("a missing code (250–255) needs raw codes to be read"),
        CodeError::TooManyValues => {
            Some("the item has more than 250 distinct values (a byte holds at most 250 categories)")
        }
        CodeError::AlreadyOverLimit => None,
    })
}

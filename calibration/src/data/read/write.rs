//! Writing a response matrix in the convention [`super::read_csv`] reads back.

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use flate2::Compression;
use flate2::write::GzEncoder;

use super::Columns;
use super::split::is_number;
use crate::data::ResponseMatrix;
use crate::data::codes::{FIRST_MISSING, MissingPolicy, NOT_ADMINISTERED};

/// How to write response data.
#[derive(Debug, Clone, Default)]
pub struct WriteOptions<'a> {
    /// Header names under which ids, groups, weights and booklets are written; `None`
    /// leaves the column out. Items follow them, in matrix order.
    pub columns: Columns,
    /// Write the missing codes 250–254 as numbers (`--raw-codes`); otherwise they are
    /// resolved by `policy` first, as scaling would see them.
    pub raw_codes: bool,
    pub policy: MissingPolicy,
    /// Write each category as its original value (from [`super::ReadData::category_values`])
    /// rather than as 0..K−1.
    pub category_values: Option<&'a [Vec<i64>]>,
}

/// Why response data could not be written. Content problems are found before the file
/// is created, so no half-written file is left behind for them.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("cannot write {file}: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write {file}: {message}")]
    Invalid { file: String, message: String },
}

/// Writes response data to a CSV file, gzip-compressed when the name ends in `.gz`.
pub fn write_csv(
    path: &Path,
    matrix: &ResponseMatrix,
    booklets: Option<&[String]>,
    opts: &WriteOptions,
) -> Result<(), WriteError> {
    let file = path.display().to_string();
    check(matrix, booklets, opts).map_err(|message| WriteError::Invalid {
        file: file.clone(),
        message,
    })?;
    let io = |source| WriteError::Io {
        file: file.clone(),
        source,
    };
    let out = File::create(path).map_err(io)?;
    if path.extension().is_some_and(|e| e == "gz") {
        let mut gz = GzEncoder::new(out, Compression::default());
        write_rows(BufWriter::new(&mut gz), matrix, booklets, opts).map_err(io)?;
        gz.finish().map_err(io)?;
        Ok(())
    } else {
        write_rows(BufWriter::new(out), matrix, booklets, opts).map_err(io)
    }
}

/// Writes response data as CSV to any byte sink; `name` is the name errors give.
pub fn write_csv_to<W: Write>(
    writer: W,
    name: &str,
    matrix: &ResponseMatrix,
    booklets: Option<&[String]>,
    opts: &WriteOptions,
) -> Result<(), WriteError> {
    check(matrix, booklets, opts).map_err(|message| WriteError::Invalid {
        file: name.to_owned(),
        message,
    })?;
    write_rows(BufWriter::new(writer), matrix, booklets, opts).map_err(|source| WriteError::Io {
        file: name.to_owned(),
        source,
    })
}

/// Checks shared by every writer: column names unique and non-empty, and the
/// weights and booklets asked for present, one per person.
pub(super) fn check_columns(
    matrix: &ResponseMatrix,
    booklets: Option<&[String]>,
    opts: &WriteOptions,
) -> Result<(), String> {
    let c = &opts.columns;
    let names = [&c.id, &c.group, &c.weight, &c.booklet]
        .into_iter()
        .flatten()
        .chain(matrix.items());
    let mut seen = HashSet::new();
    if let Some(twice) = names.clone().find(|name| !seen.insert(name.as_str())) {
        return Err(format!("the output would name column \"{twice}\" twice"));
    }
    if names.clone().any(String::is_empty) {
        return Err("a column without a name cannot be read back".into());
    }
    if c.weight.is_some() && matrix.raw_weights().is_none() {
        return Err("a weight column is asked for but the matrix has no weights".into());
    }
    if c.booklet.is_some() {
        match booklets {
            None => return Err("a booklet column is asked for but no booklets are given".into()),
            Some(b) if b.len() != matrix.n_persons() => {
                return Err(format!("{} booklets for {} persons", b.len(), matrix.n_persons()));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// Everything that would make the CSV unreadable or different when read back.
fn check(matrix: &ResponseMatrix, booklets: Option<&[String]>, opts: &WriteOptions) -> Result<(), String> {
    check_columns(matrix, booklets, opts)?;
    let c = &opts.columns;
    let header = [&c.id, &c.group, &c.weight, &c.booklet]
        .into_iter()
        .flatten()
        .chain(matrix.items());
    if c.group.is_some()
        && let Some(name) = matrix.group_names().iter().find(|n| n.is_empty() || *n == "NA")
    {
        return Err(format!("group name \"{name}\" would read back as a missing group"));
    }
    // Only the columns written: a line break elsewhere does no harm.
    let groups = c.group.iter().flat_map(|_| matrix.group_names());
    let ids = c.id.iter().flat_map(|_| matrix.persons());
    let mut texts = header
        .chain(groups)
        .chain(ids)
        .chain(c.booklet.iter().zip(booklets).flat_map(|(_, b)| b));
    if let Some(text) = texts.find(|t| t.contains(['\n', '\r'])) {
        return Err(format!(
            "\"{}\" holds a line break, which a CSV cell cannot",
            text.escape_debug()
        ));
    }
    if let Some(values) = opts.category_values {
        check_category_values(matrix, values, opts)?;
    }
    Ok(())
}

/// Every category written must have an original value to write in its place.
fn check_category_values(matrix: &ResponseMatrix, values: &[Vec<i64>], opts: &WriteOptions) -> Result<(), String> {
    if values.len() != matrix.n_items() {
        return Err(format!(
            "category values are given for {} items, the matrix has {}",
            values.len(),
            matrix.n_items()
        ));
    }
    let mut needed = vec![0usize; matrix.n_items()];
    for person in 0..matrix.n_persons() {
        for (n, &byte) in needed.iter_mut().zip(matrix.row(person)) {
            let byte = output_byte(byte, opts);
            if byte < FIRST_MISSING {
                *n = (*n).max(usize::from(byte) + 1);
            }
        }
    }
    for ((&n, v), item) in needed.iter().zip(values).zip(matrix.items()) {
        let Some(written) = v.get(..n) else {
            return Err(format!(
                "item \"{item}\" has category {} but only {} category values",
                n - 1,
                v.len()
            ));
        };
        if let Some(code) = written
            .iter()
            .find(|&&x| opts.raw_codes && (i64::from(FIRST_MISSING)..=i64::from(NOT_ADMINISTERED)).contains(&x))
        {
            return Err(format!(
                "item \"{item}\" has the value {code}, which would read back as a missing code"
            ));
        }
    }
    Ok(())
}

/// The byte as written: raw, or as scaling sees it.
fn output_byte(byte: u8, opts: &WriteOptions) -> u8 {
    if opts.raw_codes { byte } else { opts.policy.apply(byte) }
}

fn write_rows(
    mut out: impl Write,
    matrix: &ResponseMatrix,
    booklets: Option<&[String]>,
    opts: &WriteOptions,
) -> std::io::Result<()> {
    let c = &opts.columns;
    let mut line = Vec::new();
    let fixed = [&c.id, &c.group, &c.weight, &c.booklet].into_iter().flatten();
    for (k, name) in fixed.chain(matrix.items()).enumerate() {
        if k > 0 {
            line.push(b',');
        }
        // A quoted number is a name to the reader, an unquoted one a sign of a missing header.
        if is_number(name.as_bytes()) {
            push_quoted(&mut line, name);
        } else {
            push_text(&mut line, name);
        }
    }
    line.push(b'\n');
    out.write_all(&line)?;
    let weights = matrix.raw_weights();
    for person in 0..matrix.n_persons() {
        line.clear();
        // Each fixed column ends with its comma: items always follow.
        if c.id.is_some() {
            push_text(&mut line, &matrix.persons()[person]);
            line.push(b',');
        }
        if c.group.is_some() {
            push_text(&mut line, &matrix.group_names()[usize::from(matrix.groups()[person])]);
            line.push(b',');
        }
        if let (Some(_), Some(w)) = (&c.weight, weights) {
            write!(line, "{},", w[person])?;
        }
        if let (Some(_), Some(b)) = (&c.booklet, booklets) {
            push_text(&mut line, &b[person]);
            line.push(b',');
        }
        for (j, &byte) in matrix.row(person).iter().enumerate() {
            if j > 0 {
                line.push(b',');
            }
            match (output_byte(byte, opts), opts.category_values) {
                (NOT_ADMINISTERED, _) => {}
                (category, Some(values)) if category < FIRST_MISSING => {
                    write!(line, "{}", values[j][usize::from(category)])?
                }
                (byte, _) => write!(line, "{byte}")?,
            }
        }
        line.push(b'\n');
        out.write_all(&line)?;
    }
    out.flush()
}

/// Quotes text the reader would otherwise split or trim.
fn push_text(line: &mut Vec<u8>, text: &str) {
    let blank = |c: char| c == ' ' || c == '\t';
    if text.contains([',', '"']) || text.starts_with(blank) || text.ends_with(blank) {
        push_quoted(line, text);
    } else {
        line.extend_from_slice(text.as_bytes());
    }
}

fn push_quoted(line: &mut Vec<u8>, text: &str) {
    line.push(b'"');
    line.extend_from_slice(text.replace('"', "\"\"").as_bytes());
    line.push(b'"');
}

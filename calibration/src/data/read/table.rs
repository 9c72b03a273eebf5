//! Named person-level columns as text: background variables, school and stratum ids,
//! plausible values and replicate weights, beside item columns or without them.

use std::borrow::Cow;
use std::io::BufRead;
use std::path::Path;

use ::parquet::arrow::ProjectionMask;
use arrow_schema::DataType;

use super::csv::{decompressed, open_file, read_header, read_line, split_row};
use super::error::{Problem, Problems, ReadError};
use super::header::{Names, header_names};
use super::parquet::{is_text_type, open_parquet, texts};
use super::split::{Cell, is_missing};

/// Named columns of a data file, one value per row; `None` = missing (an empty cell or `NA`
/// in CSV, null or NaN in Parquet).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The columns' names, in the order they were asked for.
    pub names: Vec<String>,
    /// Each named column's values, row by row.
    pub columns: Vec<Vec<Option<String>>>,
    /// The file's name, for errors.
    file: String,
    rows: usize,
    /// The file line of each row (CSV); `None` when rows are counted from 1 (Parquet).
    lines: Option<Vec<usize>>,
}

impl Table {
    /// The number of rows (persons), also when no column was asked for.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The values of a column read, by name.
    pub fn column(&self, name: &str) -> Option<&[Option<String>]> {
        let at = self.names.iter().position(|n| n == name)?;
        self.columns.get(at).map(Vec::as_slice)
    }

    /// A numeric column: missing values become NaN, and any value that is not a number is
    /// an error naming its row (the file line, for CSV) and column. Numbers are read as
    /// Rust reads `f64` (`1e3`, `inf` and `NaN` too).
    pub fn numbers(&self, name: &str) -> Result<Vec<f64>, ReadError> {
        let Some(column) = self.column(name) else {
            let problem = Problem::new(None, Some(name), "is not among the columns read");
            return Err(ReadError::single(&self.file, problem));
        };
        let mut problems = Problems::default();
        let numbers = column
            .iter()
            .enumerate()
            .map(|(r, value)| match value {
                None => f64::NAN,
                Some(text) => text.parse().unwrap_or_else(|_| {
                    problems.report(|| self.problem(r, name, "not a number").with_text(text.as_bytes()));
                    f64::NAN
                }),
            })
            .collect();
        problems.check(&self.file)?;
        Ok(numbers)
    }

    /// A problem with the value of row `r` (0-based) of a column.
    fn problem(&self, r: usize, column: &str, message: &str) -> Problem {
        match self.lines.as_ref().and_then(|lines| lines.get(r)) {
            Some(&line) => Problem::new(Some(line), Some(column), message),
            None => Problem::new(None, Some(column), format!("row {}: {message}", r + 1)),
        }
    }
}

/// Reads the named columns of a data file as text: Parquet if its name ends in `.parquet`
/// (reading only those columns), otherwise CSV, gzip-compressed or not.
///
/// Parquet columns may hold text (also dictionary-encoded), integers, floats or booleans.
/// Floats are written in the shortest form that parses back to the same value (`2` for 2.0,
/// `0.1` for a `Float32` 0.1), booleans as `true` and `false`; text is kept as it is (an
/// empty string or `NA` is a value). Every column asked for that the file lacks, and every
/// unreadable value, is reported at once (up to [`MAX_PROBLEMS`](super::MAX_PROBLEMS)).
pub fn read_table(path: &Path, names: &[String]) -> Result<Table, ReadError> {
    if is_parquet(path) {
        parquet_table(path, names)
    } else {
        let (file, input) = open_file(path)?;
        csv_table(decompressed(input, &file)?, file, names)
    }
}

/// Every column name of a data file, in file order (the CSV header or the Parquet schema),
/// for choosing columns by pattern such as `PV1`..`PV10` or `W_FSTURWT1`..`W_FSTURWT80`.
pub fn column_names(path: &Path) -> Result<Vec<String>, ReadError> {
    if is_parquet(path) {
        let (_, builder) = open_parquet(path)?;
        Ok(builder.schema().fields().iter().map(|f| f.name().clone()).collect())
    } else {
        let (file, input) = open_file(path)?;
        let mut input = decompressed(input, &file)?;
        csv_header(&mut input, &file, &mut Vec::new(), &mut Vec::new())
    }
}

/// Parquet by its name, as the command line decides.
fn is_parquet(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
}

/// Reads the header row into `line` and `cells`, and gives its names.
fn csv_header(
    input: &mut impl BufRead,
    file: &str,
    line: &mut Vec<u8>,
    cells: &mut Vec<Cell>,
) -> Result<Vec<String>, ReadError> {
    read_header(input, file, line, cells)?;
    let mut problems = Problems::default();
    header_names(line, cells, &mut problems).ok_or_else(|| problems.into_error(file))
}

fn csv_table(mut input: impl BufRead, file: String, wanted: &[String]) -> Result<Table, ReadError> {
    let mut line = Vec::new();
    let mut cells = Vec::new();
    let names = csv_header(&mut input, &file, &mut line, &mut cells)?;
    let mut problems = Problems::default();
    let found = find_columns(&names, wanted, Some(1), "header", &mut problems);
    if !problems.is_empty() {
        return Err(problems.into_error(&file));
    }
    let fields: Vec<usize> = found.into_iter().flatten().collect();
    let mut columns = vec![Vec::new(); fields.len()];
    let mut lines = Vec::new();
    let mut line_no = 1;
    while read_line(&mut input, &file, &mut line)? {
        line_no += 1;
        if !split_row(line_no, &line, &mut cells, &names, &mut problems) {
            continue;
        }
        lines.push(line_no);
        for (column, &field) in columns.iter_mut().zip(&fields) {
            let bytes = cells[field].bytes(&line);
            if is_missing(bytes) {
                column.push(None);
                continue;
            }
            let text = cells[field].text(&line);
            if text.is_none() {
                problems.report(|| Problem::new(Some(line_no), Some(&names[field]), "not UTF-8 text").with_text(bytes));
            }
            column.push(text.map(Cow::into_owned));
        }
    }
    if lines.is_empty() && problems.is_empty() {
        problems.report(|| Problem::new(None, None, "has a header but no data rows"));
    }
    problems.check(&file)?;
    Ok(Table {
        names: wanted.to_vec(),
        columns,
        file,
        rows: lines.len(),
        lines: Some(lines),
    })
}

fn parquet_table(path: &Path, wanted: &[String]) -> Result<Table, ReadError> {
    let (file, builder) = open_parquet(path)?;
    let schema = builder.schema().clone();
    let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    let mut problems = Problems::default();
    let found = find_columns(&names, wanted, None, "file", &mut problems);
    for (field, name) in found.iter().zip(wanted) {
        let Some(data_type) = field.map(|f| schema.field(f).data_type()) else {
            continue;
        };
        if !is_value_type(data_type) {
            problems.report(|| {
                let message = format!("cannot be read as text (a {data_type} column)");
                Problem::new(None, Some(name), message)
            });
        }
    }
    problems.check(&file)?;
    let fields: Vec<usize> = found.into_iter().flatten().collect();
    let io = |e: Box<dyn std::error::Error + Send + Sync>| ReadError::Io {
        file: file.clone(),
        source: std::io::Error::other(e),
    };
    let mask = ProjectionMask::roots(builder.parquet_schema(), fields.iter().copied());
    let batches = builder.with_projection(mask).build().map_err(|e| io(e.into()))?;
    // A projected batch holds the columns asked for in file order: `order[k]` is the
    // request its column `k` answers.
    let mut order: Vec<usize> = (0..fields.len()).collect();
    order.sort_unstable_by_key(|&i| fields[i]);
    let mut columns = vec![Vec::new(); fields.len()];
    let mut rows = 0;
    for batch in batches {
        let batch = batch.map_err(|e| io(e.into()))?;
        rows += batch.num_rows();
        for (array, &i) in batch.columns().iter().zip(&order) {
            let values = texts(array.as_ref()).into_iter().map(|v| v.map(Cow::into_owned));
            columns[i].extend(values);
        }
    }
    if rows == 0 {
        return Err(ReadError::single(&file, Problem::new(None, None, "has no rows")));
    }
    Ok(Table {
        names: wanted.to_vec(),
        columns,
        file,
        rows,
        lines: None,
    })
}

/// The column of each name asked for, reporting every name the file lacks (or that is asked
/// for twice) and any name the file has twice: with nothing reported, all are found.
fn find_columns(
    names: &[String],
    wanted: &[String],
    line: Option<usize>,
    place: &'static str,
    problems: &mut Problems,
) -> Vec<Option<usize>> {
    let lookup = Names::new(names, line, place, problems);
    wanted
        .iter()
        .enumerate()
        .map(|(i, name)| {
            if wanted[..i].contains(name) {
                problems.report(|| Problem::new(None, Some(name), "is asked for twice"));
                return None;
            }
            lookup.find("requested", name, problems)
        })
        .collect()
}

/// Whether a Parquet column can be read as text.
fn is_value_type(t: &DataType) -> bool {
    match t {
        DataType::Float32 | DataType::Float64 | DataType::Boolean | DataType::Null => true,
        DataType::Dictionary(keys, values) => keys.is_integer() && is_value_type(values),
        t => is_text_type(t),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::Arc;

    use ::parquet::arrow::ArrowWriter;
    use arrow_array::types::Int32Type;
    use arrow_array::{
        ArrayRef, BooleanArray, Date32Array, DictionaryArray, Float32Array, Float64Array, Int64Array, RecordBatch,
        StringArray,
    };
    use flate2::Compression;
    use flate2::write::GzEncoder;

    use super::*;

    fn strings(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    fn some(values: &[Option<&str>]) -> Vec<Option<String>> {
        values.iter().map(|v| v.map(str::to_owned)).collect()
    }

    /// Writes `bytes` to a file called `name` in a fresh directory (kept alive by the caller).
    fn file(name: &str, bytes: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        (dir, path)
    }

    fn messages(error: ReadError) -> Vec<String> {
        match error {
            ReadError::Invalid { problems, .. } => problems.iter().map(ToString::to_string).collect(),
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    const CSV: &str = "id,\"school id\",score,flag,I01\r\n\
                       \"p,1\",S1,1.5,\"say \"\"yes\"\"\",1\r\n\
                       p2,S1,NA,,0\r\n\
                       \r\n\
                       p3 , \"\" ,-2e-3,x,1\r\n";

    #[test]
    fn csv_columns_are_read_as_text_in_the_order_asked_for() {
        let (_dir, path) = file("t.csv", CSV.as_bytes());
        let table = read_table(&path, &strings(&["score", "id", "school id", "flag"])).unwrap();
        assert_eq!(table.names, ["score", "id", "school id", "flag"]);
        assert_eq!(table.rows(), 3);
        assert_eq!(
            table.column("id").unwrap(),
            some(&[Some("p,1"), Some("p2"), Some("p3")])
        );
        assert_eq!(
            table.column("school id").unwrap(),
            some(&[Some("S1"), Some("S1"), None])
        );
        assert_eq!(
            table.column("score").unwrap(),
            some(&[Some("1.5"), None, Some("-2e-3")])
        );
        assert_eq!(
            table.column("flag").unwrap(),
            some(&[Some("say \"yes\""), None, Some("x")])
        );
        assert_eq!(table.column("I01"), None);
        let scores = table.numbers("score").unwrap();
        assert_eq!((scores[0], scores[2]), (1.5, -0.002));
        assert!(scores[1].is_nan());
        assert_eq!(
            column_names(&path).unwrap(),
            ["id", "school id", "score", "flag", "I01"]
        );
        let none = read_table(&path, &[]).unwrap();
        assert_eq!((none.rows(), none.columns.len()), (3, 0));
    }

    #[test]
    fn gzip_is_recognised_by_its_bytes_and_a_byte_order_mark_is_dropped() {
        let text = format!("\u{FEFF}{CSV}");
        let mut gz = GzEncoder::new(Vec::new(), Compression::default());
        gz.write_all(text.as_bytes()).unwrap();
        let gz = gz.finish().unwrap();
        for (name, bytes) in [
            ("t.csv.gz", gz.as_slice()),
            ("t.csv", gz.as_slice()),
            ("t.csv", text.as_bytes()),
        ] {
            let (_dir, path) = file(name, bytes);
            let table = read_table(&path, &strings(&["id"])).unwrap();
            assert_eq!(
                table.column("id").unwrap(),
                some(&[Some("p,1"), Some("p2"), Some("p3")]),
                "{name}"
            );
            assert_eq!(column_names(&path).unwrap()[0], "id");
        }
    }

    #[test]
    fn every_absent_column_is_named() {
        let (_dir, path) = file("t.csv", CSV.as_bytes());
        let error = read_table(&path, &strings(&["PV1", "id", "W_FSTUWT", "id"])).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with(&format!("{}: 3 problems", path.display()))
        );
        assert_eq!(
            messages(error),
            [
                "column \"PV1\": the requested column is not in the header",
                "column \"W_FSTUWT\": the requested column is not in the header",
                "column \"id\": is asked for twice",
            ]
        );
    }

    #[test]
    fn ragged_rows_and_bad_files_are_reported_with_their_line() {
        let (_dir, path) = file("t.csv", b"a,b,c\n1,2,3\n4,5\n6,\"7,8\n");
        assert_eq!(
            messages(read_table(&path, &strings(&["a"])).unwrap_err()),
            [
                "line 3: has 2 cells but the header has 3 columns (found \"4,5\")",
                "line 4, column \"b\": a quote is not closed (quoted cells cannot span lines) (found \"6,\"7,8\")",
            ]
        );
        for (text, message) in [
            ("", "the file is empty: a header row naming the columns is required"),
            (
                "1,2\n3,4\n",
                "line 1: holds only numbers: a header row naming the columns is required (found \"1,2\")",
            ),
            ("a,a\n1,2\n", "line 1, column \"a\": appears twice, as columns 1 and 2"),
            ("a,b\n", "has a header but no data rows"),
        ] {
            let (_dir, path) = file("t.csv", text.as_bytes());
            assert_eq!(
                messages(read_table(&path, &strings(&["a"])).unwrap_err()),
                [message],
                "{text:?}"
            );
        }
        let (_dir, path) = file("t.csv", b"");
        assert!(column_names(&path).is_err());
    }

    #[test]
    fn a_blank_line_of_a_one_column_file_is_missing_and_text_must_be_utf8() {
        let (_dir, path) = file("t.csv", b"w\n1\n\n2\n");
        let table = read_table(&path, &strings(&["w"])).unwrap();
        assert_eq!(table.column("w").unwrap(), some(&[Some("1"), None, Some("2")]));
        let (_dir, path) = file("t.csv", b"a,b\n1,x\xff\n");
        assert_eq!(
            messages(read_table(&path, &strings(&["b"])).unwrap_err()),
            ["line 2, column \"b\": not UTF-8 text (found \"x\u{FFFD}\")"]
        );
    }

    #[test]
    fn numbers_name_the_line_and_column_of_what_is_not_a_number() {
        let (_dir, path) = file("t.csv", b"id,w\n1,0.5\n\n2,x\n3,\n4,1e400\n5,y\n");
        let table = read_table(&path, &strings(&["w", "id"])).unwrap();
        let error = table.numbers("w").unwrap_err();
        assert_eq!(
            messages(error),
            [
                "line 4, column \"w\": not a number (found \"x\")",
                "line 7, column \"w\": not a number (found \"y\")"
            ]
        );
        assert_eq!(table.numbers("id").unwrap(), [1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(
            messages(table.numbers("PV1").unwrap_err()),
            ["column \"PV1\": is not among the columns read"]
        );
    }

    #[test]
    fn parquet_columns_are_read_as_text() {
        let weights = [
            Some(0.1),
            Some(1.0),
            None,
            Some(f64::NAN),
            Some(1.0 / 3.0),
            Some(-2.5e-300),
        ];
        let groups: DictionaryArray<Int32Type> =
            vec![Some("TWN"), Some("AUS"), Some("TWN"), None, Some("AUS"), Some("")]
                .into_iter()
                .collect();
        let columns: Vec<(&str, ArrayRef)> = vec![
            ("I01", Arc::new(Int64Array::from(vec![1, 0, 1, 1, 0, 0]))),
            (
                "id",
                Arc::new(StringArray::from(vec![
                    Some("a"),
                    Some("b"),
                    None,
                    Some("NA"),
                    Some(""),
                    Some("f"),
                ])),
            ),
            ("weight", Arc::new(Float64Array::from(weights.to_vec()))),
            ("group", Arc::new(groups)),
            (
                "pv",
                Arc::new(Float32Array::from(vec![0.1, 2.0, -1.5, 3.25, f32::NAN, 7.0])),
            ),
            (
                "girl",
                Arc::new(BooleanArray::from(vec![
                    Some(true),
                    Some(false),
                    None,
                    None,
                    Some(true),
                    Some(false),
                ])),
            ),
            (
                "school",
                Arc::new(Int64Array::from(vec![
                    Some(101),
                    Some(-7),
                    None,
                    Some(0),
                    Some(1 << 60),
                    Some(3),
                ])),
            ),
            ("born", Arc::new(Date32Array::from(vec![0; 6]))),
        ];
        let batch = RecordBatch::try_from_iter(columns).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.PARQUET");
        let mut writer = ArrowWriter::try_new(std::fs::File::create(&path).unwrap(), batch.schema(), None).unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();

        let wanted = strings(&["school", "weight", "id", "group", "pv", "girl"]);
        let table = read_table(&path, &wanted).unwrap();
        assert_eq!((table.names.as_slice(), table.rows()), (wanted.as_slice(), 6));
        let column = |name| table.column(name).unwrap().to_vec();
        assert_eq!(
            column("id"),
            some(&[Some("a"), Some("b"), None, Some("NA"), Some(""), Some("f")])
        );
        assert_eq!(
            column("group"),
            some(&[Some("TWN"), Some("AUS"), Some("TWN"), None, Some("AUS"), Some("")])
        );
        let school = some(&[
            Some("101"),
            Some("-7"),
            None,
            Some("0"),
            Some("1152921504606846976"),
            Some("3"),
        ]);
        assert_eq!(column("school"), school);
        assert_eq!(
            column("pv"),
            some(&[Some("0.1"), Some("2"), Some("-1.5"), Some("3.25"), None, Some("7")])
        );
        assert_eq!(
            column("girl"),
            some(&[Some("true"), Some("false"), None, None, Some("true"), Some("false")])
        );
        // Floats come back exactly.
        let read = table.numbers("weight").unwrap();
        for (r, (read, written)) in read.iter().zip(weights).enumerate() {
            match written.filter(|w| !w.is_nan()) {
                Some(w) => assert_eq!(read.to_bits(), w.to_bits(), "row {}", r + 1),
                None => assert!(read.is_nan(), "row {}", r + 1),
            }
        }
        assert_eq!(
            messages(table.numbers("girl").unwrap_err())[0],
            "column \"girl\": row 1: not a number (found \"true\")"
        );
        assert_eq!(read_table(&path, &[]).unwrap().rows(), 6);
        assert_eq!(
            column_names(&path).unwrap(),
            ["I01", "id", "weight", "group", "pv", "girl", "school", "born"]
        );
        assert_eq!(
            messages(read_table(&path, &strings(&["born", "PV1"])).unwrap_err()),
            [
                "column \"PV1\": the requested column is not in the file",
                "column \"born\": cannot be read as text (a Date32 column)",
            ]
        );
    }
}

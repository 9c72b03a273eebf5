//! The Parquet reader: one pass over the file's record batches, straight into the byte matrix.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Display;
use std::fs::File;
use std::path::Path;

use ::parquet::arrow::ProjectionMask;
use ::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use ::parquet::file::metadata::KeyValue;
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrowPrimitiveType, PrimitiveArray, RecordBatch};
use arrow_schema::{DataType, Schema};

use super::super::coder::{CodeError, Coder};
use super::super::collect::{Collected, Found};
use super::super::csv::open_file;
use super::super::error::{Problem, Problems, ReadError};
use super::super::header::Names;
use super::super::{ReadData, ReadOptions};
use super::{CATEGORY_VALUES_KEY, CODES_KEY, GROUPS_KEY};
use crate::data::codes::{FIRST_MISSING, NOT_ADMINISTERED};

/// Rows per record batch: large enough that per-batch work vanishes, small enough that a
/// batch of every column stays in cache-sized pieces.
const BATCH_ROWS: usize = 64 * 1024;

/// Runs `$body` with `$a` bound to the array downcast to its integer type (each arm
/// expands `$body` for one concrete type), or evaluates `$other` for any other type.
macro_rules! match_integer {
    ($array:expr, |$a:ident| $body:expr, _ => $other:expr) => {
        match $array.data_type() {
            DataType::Int8 => {
                let $a = $array.as_primitive::<Int8Type>();
                $body
            }
            DataType::Int16 => {
                let $a = $array.as_primitive::<Int16Type>();
                $body
            }
            DataType::Int32 => {
                let $a = $array.as_primitive::<Int32Type>();
                $body
            }
            DataType::Int64 => {
                let $a = $array.as_primitive::<Int64Type>();
                $body
            }
            DataType::UInt8 => {
                let $a = $array.as_primitive::<UInt8Type>();
                $body
            }
            DataType::UInt16 => {
                let $a = $array.as_primitive::<UInt16Type>();
                $body
            }
            DataType::UInt32 => {
                let $a = $array.as_primitive::<UInt32Type>();
                $body
            }
            DataType::UInt64 => {
                let $a = $array.as_primitive::<UInt64Type>();
                $body
            }
            _ => $other,
        }
    };
}

/// Reads response data from a Parquet file, streaming its record batches once.
///
/// Item columns may be of any integer type or `UInt8` byte codes, with null as not
/// administered; integral floats are read too (NaN is null), `2.5` is an error. Id, group
/// and booklet columns hold text (also dictionary-encoded, as R factors and pandas
/// categoricals are) or integers; weights are numbers. Errors name the file, the column, the
/// row (1-based) and the value or type found; like the CSV reader, a read collects up to
/// [`MAX_PROBLEMS`](super::super::MAX_PROBLEMS) problems before giving up.
pub fn read_parquet(path: &Path, opts: &ReadOptions) -> Result<ReadData, ReadError> {
    let (file, builder) = open_parquet(path)?;
    let mut problems = Problems::default();
    let metadata = Metadata::read(builder.metadata().file_metadata().key_value_metadata(), &mut problems);
    let layout = Layout::resolve(builder.schema(), opts, &mut problems);
    let (Some(metadata), Some(layout)) = (metadata, layout) else {
        return Err(problems.into_error(&file));
    };
    let mask = ProjectionMask::roots(builder.parquet_schema(), layout.selected.iter().copied());
    let batches = builder
        .with_projection(mask)
        .with_batch_size(BATCH_ROWS)
        .build()
        .map_err(|e| ReadError::Io {
            file: file.clone(),
            source: std::io::Error::other(e),
        })?;
    let groups = metadata.groups_of(opts.columns.group.as_deref());
    let mut records = Records::new(&layout, opts, metadata.has_codes || opts.raw_codes, groups);
    for batch in batches {
        let batch = batch.map_err(|e| ReadError::Io {
            file: file.clone(),
            source: std::io::Error::other(e),
        })?;
        records.push(&batch, &mut problems);
    }
    if records.rows == 0 && problems.is_empty() {
        problems.report(|| Problem::new(None, None, "has no rows"));
    }
    problems.check(&file)?;
    let layout = records.layout;
    let found = Found {
        names: &layout.names,
        items: &layout.items,
        group: layout.group,
        weight: layout.weight,
        booklet: layout.booklet,
    };
    let mut data = records.c.finish(&file, opts.reference_group.as_deref(), found)?;
    if let Some(table) = &metadata.category_values {
        restore_category_values(&mut data, table);
    }
    Ok(data)
}

/// Opens a Parquet file to read its record batches: its name as errors give it, and the
/// reader's builder, which knows the schema.
pub(in crate::data::read) fn open_parquet(
    path: &Path,
) -> Result<(String, ParquetRecordBatchReaderBuilder<File>), ReadError> {
    let (file, input) = open_file(path)?;
    match ParquetRecordBatchReaderBuilder::try_new(input) {
        Ok(builder) => Ok((file, builder)),
        Err(e) => {
            let problem = Problem::new(None, None, format!("not a readable Parquet file ({e})"));
            Err(ReadError::single(&file, problem))
        }
    }
}

/// What an `assess` file says about itself in its key-value metadata.
struct Metadata {
    /// The file carries the code table: its values 250–255 are missing codes.
    has_codes: bool,
    category_values: Option<HashMap<String, Vec<i64>>>,
    groups: Option<GroupOrder>,
}

#[derive(serde::Deserialize)]
struct GroupOrder {
    column: String,
    names: Vec<String>,
}

impl Metadata {
    /// `None` after reporting metadata that claims to be ours but cannot be understood.
    fn read(kv: Option<&Vec<KeyValue>>, problems: &mut Problems) -> Option<Self> {
        let value = |key: &str| {
            kv.into_iter()
                .flatten()
                .find(|kv| kv.key == key)
                .map(|kv| kv.value.as_deref().unwrap_or(""))
        };
        let category_values = parse(
            value(CATEGORY_VALUES_KEY),
            CATEGORY_VALUES_KEY,
            "a JSON object of integer lists by item",
            problems,
        );
        let groups: Option<GroupOrder> = parse(
            value(GROUPS_KEY),
            GROUPS_KEY,
            "a JSON object of a column and group names",
            problems,
        );
        if let Some(order) = &groups {
            let mut seen = std::collections::HashSet::new();
            if let Some(twice) = order.names.iter().find(|n| !seen.insert(n.as_str())) {
                problems.report(|| {
                    Problem::new(
                        None,
                        None,
                        format!("the \"{GROUPS_KEY}\" metadata names group \"{twice}\" twice"),
                    )
                });
            }
        }
        problems.is_empty().then_some(Metadata {
            has_codes: value(CODES_KEY).is_some(),
            category_values,
            groups,
        })
    }

    /// The groups in the order the file was written with, when it is read by the same column.
    fn groups_of(&self, column: Option<&str>) -> &[String] {
        match (&self.groups, column) {
            (Some(order), Some(column)) if order.column == column => &order.names,
            _ => &[],
        }
    }
}

/// The JSON of one metadata entry, if the file has it; reported if it does not parse.
fn parse<T: serde::de::DeserializeOwned>(
    text: Option<&str>,
    key: &str,
    what: &str,
    problems: &mut Problems,
) -> Option<T> {
    serde_json::from_str(text?)
        .map_err(|e| {
            problems.report(|| Problem::new(None, None, format!("the \"{key}\" metadata is not {what} ({e})")))
        })
        .ok()
}

/// Which columns of the file hold what, and where they are in a record batch.
struct Layout {
    names: Vec<String>,
    /// The field of each item, in matrix order.
    items: Vec<usize>,
    id: Option<usize>,
    group: Option<usize>,
    weight: Option<usize>,
    booklet: Option<usize>,
    /// The fields read, in file order: a projected batch has exactly these columns.
    selected: Vec<usize>,
}

/// Whether a column can hold names: text, integers or a dictionary of them.
pub(in crate::data::read) fn is_text_type(t: &DataType) -> bool {
    match t {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        DataType::Dictionary(keys, values) => keys.is_integer() && is_text_type(values),
        t => t.is_integer(),
    }
}

fn is_item_type(t: &DataType) -> bool {
    t.is_integer() || matches!(t, DataType::Float32 | DataType::Float64 | DataType::Null)
}

fn is_weight_type(t: &DataType) -> bool {
    t.is_integer() || matches!(t, DataType::Float32 | DataType::Float64)
}

impl Layout {
    /// Resolves the options against the file's schema; `None` after reporting problems.
    fn resolve(schema: &Schema, opts: &ReadOptions, problems: &mut Problems) -> Option<Self> {
        let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
        let lookup = Names::new(&names, None, "file", problems);
        let type_of = |col: usize| schema.field(col).data_type();
        let find = |role: &str, name: &str, problems: &mut Problems| lookup.find(role, name, problems);
        let typed =
            |role: &str, name: Option<&str>, fits: fn(&DataType) -> bool, what: &str, problems: &mut Problems| {
                let col = find(role, name?, problems)?;
                if !fits(type_of(col)) {
                    problems.report(|| {
                        let message = format!("the {role} column must hold {what}, found {}", type_of(col));
                        Problem::new(None, Some(&names[col]), message)
                    });
                }
                Some(col)
            };
        let c = &opts.columns;
        let text = "text or integers";
        let id = typed("id", c.id.as_deref(), is_text_type, text, problems);
        let group = typed("group", c.group.as_deref(), is_text_type, text, problems);
        let weight = typed("weight", c.weight.as_deref(), is_weight_type, "numbers", problems);
        let booklet = typed("booklet", c.booklet.as_deref(), is_text_type, text, problems);
        let roles = [("id", id), ("group", group), ("weight", weight), ("booklet", booklet)];
        let items = lookup.items(&roles, opts.items.as_deref(), problems);
        for &col in &items {
            if !is_item_type(type_of(col)) {
                problems.report(|| {
                    let message = format!("item columns must hold integers, found {}", type_of(col));
                    Problem::new(None, Some(&names[col]), message)
                });
            }
        }
        if items.is_empty() && problems.is_empty() {
            problems.report(|| {
                Problem::new(
                    None,
                    None,
                    "no item columns: every column is an id, group, weight or booklet",
                )
            });
        }
        if opts.reference_group.is_some() && c.group.is_none() {
            problems.report(|| Problem::new(None, None, "a reference group is named but no group column"));
        }
        let mut selected: Vec<usize> = items
            .iter()
            .copied()
            .chain(roles.iter().filter_map(|(_, i)| *i))
            .collect();
        selected.sort_unstable();
        selected.dedup();
        problems.is_empty().then_some(Layout {
            names,
            items,
            id,
            group,
            weight,
            booklet,
            selected,
        })
    }

    /// The position of a field among a projected batch's columns.
    fn position(&self, field: usize) -> usize {
        self.selected
            .binary_search(&field)
            .expect("only selected fields are read")
    }
}

/// Everything read from the batches so far.
struct Records<'a> {
    layout: &'a Layout,
    /// Values 250–255 are missing codes (raw codes asked for, or the file's code table).
    codes: bool,
    rows: usize,
    c: Collected,
}

impl<'a> Records<'a> {
    /// `known_groups` come first, in their order (the file's own group order).
    fn new(layout: &'a Layout, opts: &ReadOptions, codes: bool, known_groups: &[String]) -> Self {
        Records {
            layout,
            codes,
            rows: 0,
            c: Collected::new(layout.items.len(), opts.recode, known_groups),
        }
    }

    /// Takes one batch; bad values are reported, never returned.
    fn push(&mut self, batch: &RecordBatch, problems: &mut Problems) {
        let layout = self.layout;
        let n = batch.num_rows();
        let first_row = self.rows + 1;
        self.rows += n;
        let stride = layout.items.len();
        let start = self.c.data.len();
        self.c.data.resize(start + n * stride, NOT_ADMINISTERED);
        let block = &mut self.c.data[start..];
        for (item, (coder, &field)) in self.c.coders.iter_mut().zip(&layout.items).enumerate() {
            let array = batch.column(layout.position(field));
            let mut column = ItemColumn {
                coder,
                codes: self.codes,
                block: &mut *block,
                item,
                stride,
                first_row,
                name: &layout.names[field],
                data_type: array.data_type(),
                problems: &mut *problems,
            };
            match_integer!(array, |a| column.integers(a), _ => match array.data_type() {
                DataType::Float32 => column.floats(array.as_primitive::<Float32Type>(), f64::from),
                DataType::Float64 => column.floats(array.as_primitive::<Float64Type>(), |x| x),
                // All null: the block starts out not administered.
                _ => {}
            });
        }
        let report = |problems: &mut Problems, field: usize, r: usize, message: &str, found: Option<&dyn Display>| {
            problems.report(|| {
                let problem = Problem::new(
                    None,
                    Some(&layout.names[field]),
                    format!("row {}: {message}", first_row + r),
                );
                match found {
                    Some(found) => problem.with_text(found.to_string().as_bytes()),
                    None => problem,
                }
            })
        };
        if let Some(field) = layout.id {
            for (r, id) in texts(batch.column(layout.position(field))).into_iter().enumerate() {
                match id {
                    Some(id) => self.c.persons.push(id.into_owned()),
                    None => report(problems, field, r, "missing id", None),
                }
            }
        }
        if let Some(field) = layout.booklet {
            for (r, booklet) in texts(batch.column(layout.position(field))).into_iter().enumerate() {
                match booklet {
                    Some(booklet) => self.c.booklets.push(booklet.into_owned()),
                    None => report(problems, field, r, "missing booklet", None),
                }
            }
        }
        if let Some(field) = layout.group {
            for (r, name) in texts(batch.column(layout.position(field))).into_iter().enumerate() {
                match self.group(name) {
                    Ok(g) => self.c.groups.push(g),
                    Err(message) => report(problems, field, r, message, None),
                }
            }
        }
        if let Some(field) = layout.weight {
            for (r, weight) in numbers(batch.column(layout.position(field))).into_iter().enumerate() {
                match weight {
                    Some(w) if w.is_finite() && w >= 0.0 => self.c.weights.push(w),
                    Some(w) => report(problems, field, r, "weights must be finite and ≥ 0", Some(&w)),
                    None => report(problems, field, r, "missing weight", None),
                }
            }
        }
    }

    /// The index of a person's group; new groups are numbered in order of first appearance.
    fn group(&mut self, name: Option<Cow<str>>) -> Result<u16, &'static str> {
        let name = name.filter(|n| !n.is_empty()).ok_or("missing group")?;
        self.c.group(name)
    }
}

/// One item column of one batch, being coded into the rows of the batch's block.
struct ItemColumn<'b> {
    coder: &'b mut Coder,
    codes: bool,
    /// The batch's rows of the matrix.
    block: &'b mut [u8],
    item: usize,
    stride: usize,
    /// The 1-based row number of the batch's first row.
    first_row: usize,
    name: &'b str,
    data_type: &'b DataType,
    problems: &'b mut Problems,
}

impl ItemColumn<'_> {
    fn integers<T>(&mut self, array: &PrimitiveArray<T>)
    where
        T: ArrowPrimitiveType,
        T::Native: TryInto<i64> + Display,
    {
        if array.null_count() == 0 {
            for (r, &v) in array.values().iter().enumerate() {
                let byte = match v.try_into() {
                    Ok(value) => self.code(r, value, &v),
                    Err(_) => self.bad(r, NOT_A_CATEGORY, &v),
                };
                self.block[r * self.stride + self.item] = byte;
            }
        } else {
            for (r, v) in array.iter().enumerate() {
                let byte = match v.map(|v| (v.try_into(), v)) {
                    None => NOT_ADMINISTERED,
                    Some((Ok(value), v)) => self.code(r, value, &v),
                    Some((Err(_), v)) => self.bad(r, NOT_A_CATEGORY, &v),
                };
                self.block[r * self.stride + self.item] = byte;
            }
        }
    }

    fn floats<T: ArrowPrimitiveType>(&mut self, array: &PrimitiveArray<T>, widen: impl Fn(T::Native) -> f64) {
        /// 2^63: integral floats from −2^63 up to (not including) this convert exactly.
        const LIMIT: f64 = 9_223_372_036_854_775_808.0;
        for (r, v) in array.iter().enumerate() {
            let byte = match v.map(&widen) {
                None => NOT_ADMINISTERED,
                Some(x) if x.is_nan() => NOT_ADMINISTERED,
                Some(x) if x.fract() == 0.0 && (-LIMIT..LIMIT).contains(&x) => self.code(r, x as i64, &x),
                Some(x) => {
                    let message = format!(
                        "not an integer (a {} column; null or NaN means not administered)",
                        self.data_type
                    );
                    self.bad(r, &message, &x)
                }
            };
            self.block[r * self.stride + self.item] = byte;
        }
    }

    /// The byte of an integer value, as the CSV reader codes a cell.
    fn code(&mut self, r: usize, value: i64, found: &dyn Display) -> u8 {
        if self.codes
            && let Ok(code) = u8::try_from(value)
            && code >= FIRST_MISSING
        {
            return code;
        }
        match self.coder.code(value) {
            Ok(byte) => byte,
            Err(error) => {
                let message = match error {
                    CodeError::NotACategory => NOT_A_CATEGORY,
                    CodeError::MissingCodeNotAllowed => "a missing code (250–255) needs raw codes to be read",
                    CodeError::TooManyValues => {
                        "the item has more than 250 distinct values (a byte holds at most 250 categories)"
                    }
                    CodeError::AlreadyOverLimit => return NOT_ADMINISTERED,
                };
                self.bad(r, message, found)
            }
        }
    }

    /// Reports a bad value; its cell becomes not administered (nothing is returned anyway).
    fn bad(&mut self, r: usize, message: &str, found: &dyn Display) -> u8 {
        let row = self.first_row + r;
        let name = self.name;
        self.problems.report(|| {
            Problem::new(None, Some(name), format!("row {row}: {message}")).with_text(found.to_string().as_bytes())
        });
        NOT_ADMINISTERED
    }
}

const NOT_A_CATEGORY: &str = "not a category 0..249 (values are read as they are)";

/// The texts of a name column (null as `None`): strings, integers, or a dictionary of them.
/// Tables read floats too, in their shortest form that parses back exactly (NaN as `None`),
/// booleans as `true` and `false`, and all-null columns.
pub(in crate::data::read) fn texts(array: &dyn Array) -> Vec<Option<Cow<'_, str>>> {
    fn shown<T: ArrowPrimitiveType>(
        array: &PrimitiveArray<T>,
        is_value: fn(&T::Native) -> bool,
    ) -> Vec<Option<Cow<'static, str>>>
    where
        T::Native: Display,
    {
        array
            .iter()
            .map(|v| v.filter(is_value).map(|v| Cow::Owned(v.to_string())))
            .collect()
    }
    match array.data_type() {
        DataType::Utf8 => array.as_string::<i32>().iter().map(|t| t.map(Cow::Borrowed)).collect(),
        DataType::LargeUtf8 => array.as_string::<i64>().iter().map(|t| t.map(Cow::Borrowed)).collect(),
        DataType::Utf8View => array.as_string_view().iter().map(|t| t.map(Cow::Borrowed)).collect(),
        DataType::Float32 => shown(array.as_primitive::<Float32Type>(), |x| !x.is_nan()),
        DataType::Float64 => shown(array.as_primitive::<Float64Type>(), |x| !x.is_nan()),
        DataType::Boolean => array
            .as_boolean()
            .iter()
            .map(|b| b.map(|b| Cow::Borrowed(if b { "true" } else { "false" })))
            .collect(),
        DataType::Null => vec![None; array.len()],
        DataType::Dictionary(_, _) => {
            let dictionary = array.as_any_dictionary();
            let values = texts(dictionary.values().as_ref());
            let keys = dictionary.normalized_keys();
            (0..array.len())
                .map(|r| {
                    if array.is_null(r) {
                        None
                    } else {
                        values[keys[r]].clone()
                    }
                })
                .collect()
        }
        _ => match_integer!(array, |a| shown(a, |_| true), _ => unreachable!("only columns of these types are read")),
    }
}

/// The numbers of a weight column (null as `None`).
fn numbers(array: &dyn Array) -> Vec<Option<f64>> {
    match array.data_type() {
        DataType::Float32 => array
            .as_primitive::<Float32Type>()
            .iter()
            .map(|v| v.map(f64::from))
            .collect(),
        DataType::Float64 => array.as_primitive::<Float64Type>().iter().collect(),
        _ => match_integer!(array, |a| a.iter().map(|v| v.map(|v| v as f64)).collect(),
            _ => unreachable!("the layout admits only numeric weights")),
    }
}

/// The file's values are categories whose original values its metadata lists: report
/// those instead, for each item the table covers completely.
fn restore_category_values(data: &mut ReadData, table: &HashMap<String, Vec<i64>>) {
    for (values, item) in data.category_values.iter_mut().zip(data.matrix.items()) {
        let Some(original) = table.get(item) else {
            continue;
        };
        let mapped: Option<Vec<i64>> = values
            .iter()
            .map(|&v| usize::try_from(v).ok().and_then(|v| original.get(v).copied()))
            .collect();
        if let Some(mapped) = mapped {
            *values = mapped;
        }
    }
}

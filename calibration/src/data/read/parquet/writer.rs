//! Writing a response matrix as Parquet, byte codes kept, code table in the metadata.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use ::parquet::arrow::ArrowWriter;
use ::parquet::basic::Compression;
use ::parquet::errors::ParquetError;
use ::parquet::file::metadata::KeyValue;
use ::parquet::file::properties::WriterProperties;
use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray, UInt8Array};
use arrow_schema::{DataType, Field, Schema};

use super::super::write::check_columns;
use super::super::{WriteError, WriteOptions};
use super::{CATEGORY_VALUES_KEY, CODES_KEY, GROUPS_KEY, code_table};
use crate::data::ResponseMatrix;

/// Persons per record batch handed to the writer: bounds the memory of the column copies.
const BATCH_ROWS: usize = 64 * 1024;

/// Writes response data to a Parquet file (snappy-compressed): the id, group, weight and
/// booklet columns that `opts.columns` names, then one `UInt8` column per item holding the
/// matrix's bytes as they are.
///
/// Parquet keeps the byte codes (DESIGN.md §4), so `opts.raw_codes` and `opts.policy` do
/// not apply: the missing codes 250–255 are written as they are, and the code table saying
/// what they mean goes into the file's metadata, with `opts.category_values` (each item's
/// original value of each category; 0..K−1 when not given) and the group order.
pub fn write_parquet(
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
    write_batches(out, matrix, booklets, opts).map_err(|e| io(into_io(e)))
}

/// Writes response data as Parquet to any byte sink; `name` is the name errors give.
pub fn write_parquet_to<W: Write + Send>(
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
    write_batches(writer, matrix, booklets, opts).map_err(|e| WriteError::Io {
        file: name.to_owned(),
        source: into_io(e),
    })
}

fn into_io(error: ParquetError) -> std::io::Error {
    match error {
        ParquetError::External(e) => match e.downcast::<std::io::Error>() {
            Ok(io) => *io,
            Err(e) => std::io::Error::other(e),
        },
        e => std::io::Error::other(e),
    }
}

/// Everything that would make the Parquet file different when read back.
fn check(matrix: &ResponseMatrix, booklets: Option<&[String]>, opts: &WriteOptions) -> Result<(), String> {
    check_columns(matrix, booklets, opts)?;
    let c = &opts.columns;
    if c.group.is_some() {
        let mut seen = HashSet::new();
        if matrix.group_names().iter().any(String::is_empty) {
            return Err("an empty group name would read back as a missing group".into());
        }
        if let Some(twice) = matrix.group_names().iter().find(|n| !seen.insert(n.as_str())) {
            return Err(format!("group name \"{twice}\" names two groups"));
        }
    }
    if let Some(values) = opts.category_values {
        if values.len() != matrix.n_items() {
            return Err(format!(
                "category values are given for {} items, the matrix has {}",
                values.len(),
                matrix.n_items()
            ));
        }
        for ((&needed, v), item) in matrix.categories().iter().zip(values).zip(matrix.items()) {
            if v.len() < usize::from(needed) {
                return Err(format!(
                    "item \"{item}\" has category {} but only {} category values",
                    needed - 1,
                    v.len()
                ));
            }
        }
    }
    Ok(())
}

/// The key-value metadata: code table, category values, group order.
fn metadata(matrix: &ResponseMatrix, opts: &WriteOptions) -> Vec<(String, String)> {
    let identity: Vec<Vec<i64>>;
    let values = match opts.category_values {
        Some(values) => values,
        None => {
            identity = matrix
                .categories()
                .iter()
                .map(|&k| (0..i64::from(k)).collect())
                .collect();
            &identity
        }
    };
    // By hand rather than through a map, so items keep matrix order.
    let entries: Vec<String> = matrix
        .items()
        .iter()
        .zip(values)
        .map(|(item, v)| {
            format!(
                "{}:{}",
                serde_json::Value::from(item.as_str()),
                serde_json::Value::from(v.clone())
            )
        })
        .collect();
    let mut kv = vec![
        (CODES_KEY.to_owned(), code_table()),
        (CATEGORY_VALUES_KEY.to_owned(), format!("{{{}}}", entries.join(","))),
    ];
    if let Some(column) = &opts.columns.group {
        let order = serde_json::json!({ "column": column, "names": matrix.group_names() });
        kv.push((GROUPS_KEY.to_owned(), order.to_string()));
    }
    kv
}

fn write_batches<W: Write + Send>(
    out: W,
    matrix: &ResponseMatrix,
    booklets: Option<&[String]>,
    opts: &WriteOptions,
) -> Result<(), ParquetError> {
    let c = &opts.columns;
    let kv = metadata(matrix, opts);
    let text = |name: &String| Field::new(name, DataType::Utf8, false);
    let mut fields = Vec::with_capacity(4 + matrix.n_items());
    fields.extend(c.id.iter().map(text));
    fields.extend(c.group.iter().map(text));
    fields.extend(c.weight.iter().map(|name| Field::new(name, DataType::Float64, false)));
    fields.extend(c.booklet.iter().map(text));
    fields.extend(
        matrix
            .items()
            .iter()
            .map(|name| Field::new(name, DataType::UInt8, false)),
    );
    // The Arrow schema's metadata too: pandas and R's arrow show that one.
    let schema = Arc::new(Schema::new_with_metadata(
        fields,
        kv.iter().cloned().collect::<HashMap<_, _>>(),
    ));
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_key_value_metadata(Some(kv.into_iter().map(|(k, v)| KeyValue::new(k, v)).collect()))
        .build();
    let mut writer = ArrowWriter::try_new(out, schema.clone(), Some(props))?;
    let n = matrix.n_persons();
    let j = matrix.n_items();
    for start in (0..n).step_by(BATCH_ROWS) {
        let rows = start..(start + BATCH_ROWS).min(n);
        let mut columns: Vec<ArrayRef> = Vec::with_capacity(schema.fields().len());
        if c.id.is_some() {
            columns.push(Arc::new(StringArray::from_iter_values(&matrix.persons()[rows.clone()])));
        }
        if c.group.is_some() {
            let names = matrix.group_names();
            let groups = matrix.groups()[rows.clone()].iter().map(|&g| &names[usize::from(g)]);
            columns.push(Arc::new(StringArray::from_iter_values(groups)));
        }
        if c.weight.is_some()
            && let Some(w) = matrix.raw_weights()
        {
            columns.push(Arc::new(Float64Array::from(w[rows.clone()].to_vec())));
        }
        if c.booklet.is_some()
            && let Some(b) = booklets
        {
            columns.push(Arc::new(StringArray::from_iter_values(&b[rows.clone()])));
        }
        let mut items: Vec<Vec<u8>> = (0..j).map(|_| Vec::with_capacity(rows.len())).collect();
        for person in rows {
            for (column, &byte) in items.iter_mut().zip(matrix.row(person)) {
                column.push(byte);
            }
        }
        columns.extend(
            items
                .into_iter()
                .map(|column| Arc::new(UInt8Array::from(column)) as ArrayRef),
        );
        writer.write(&RecordBatch::try_new(schema.clone(), columns)?)?;
    }
    writer.close()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_keeps_item_order_and_names_the_group_column() {
        let items = vec!["b".into(), "a".into()];
        let m = ResponseMatrix::new(items, vec![], vec![0, 1, 2, 255])
            .unwrap()
            .with_groups(vec![1, 0], vec!["y".into(), "x".into()])
            .unwrap();
        let mut opts = WriteOptions::default();
        opts.columns.group = Some("country".into());
        let kv: HashMap<_, _> = metadata(&m, &opts).into_iter().collect();
        assert_eq!(kv[CATEGORY_VALUES_KEY], r#"{"b":[0,1,2],"a":[0,1]}"#);
        assert_eq!(kv[GROUPS_KEY], r#"{"column":"country","names":["y","x"]}"#);
        assert!(kv[CODES_KEY].contains(r#""253":"not reached""#));
    }
}

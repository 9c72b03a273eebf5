//! The Parquet reader and writer: round trips, a file another writer made, agreement with
//! the CSV reader on a reference data set, error messages, and the speed on the perf data.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use arrow_array::types::Int16Type;
use arrow_array::{
    ArrayRef, DictionaryArray, Float32Array, Float64Array, Int8Array, Int32Array, Int64Array, RecordBatch, StringArray,
    UInt16Array,
};
use calibration::data::ResponseMatrix;
use calibration::data::codes::{NOT_ADMINISTERED, NOT_REACHED, OMITTED};
use calibration::data::read::{
    CATEGORY_VALUES_KEY, CODES_KEY, Columns, GROUPS_KEY, ReadData, ReadError, ReadOptions, Recode, WriteOptions,
    read_csv, read_parquet, write_parquet,
};
use parquet::arrow::ArrowWriter;
use parquet::file::reader::{FileReader, SerializedFileReader};

fn reference() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference")
}

/// Writes one record batch with parquet's own Arrow writer, default properties: a file as
/// another tool would make it, not as `write_parquet` does.
fn write_foreign(path: &Path, columns: Vec<(&str, ArrayRef)>) {
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let mut writer = ArrowWriter::try_new(File::create(path).unwrap(), batch.schema(), None).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
}

fn error_of(path: &Path, opts: &ReadOptions) -> String {
    match read_parquet(path, opts) {
        Ok(data) => panic!("expected an error for {}, read {:?}", path.display(), data.matrix),
        Err(e) => e.to_string(),
    }
}

fn rows(m: &ResponseMatrix) -> Vec<Vec<u8>> {
    (0..m.n_persons()).map(|p| m.row(p).to_vec()).collect()
}

fn key_value(path: &Path, key: &str) -> Option<String> {
    let reader = SerializedFileReader::new(File::open(path).unwrap()).unwrap();
    let kv = reader.metadata().file_metadata().key_value_metadata()?.clone();
    kv.into_iter().find(|kv| kv.key == key).and_then(|kv| kv.value)
}

#[test]
fn a_file_from_another_writer_reads_with_any_integer_width_and_nulls() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("foreign.parquet");
    let likert: ArrayRef = Arc::new(Int32Array::from(vec![Some(4), None, Some(2), Some(2), Some(7)]));
    let scored: ArrayRef = Arc::new(Int8Array::from(vec![Some(0), Some(1), None, Some(1), Some(0)]));
    // pandas writes an integer column holding NaN as float64.
    let pandas: ArrayRef = Arc::new(Float64Array::from(vec![
        Some(1.0),
        Some(f64::NAN),
        Some(0.0),
        None,
        Some(254.0),
    ]));
    let booklet: DictionaryArray<Int16Type> = vec!["B2", "B1", "B2", "B1", "B2"].into_iter().collect();
    write_foreign(
        &path,
        vec![
            (
                "student",
                Arc::new(Int64Array::from(vec![9001, 9002, 9003, 9004, 9005])) as ArrayRef,
            ),
            (
                "country",
                Arc::new(StringArray::from(vec![
                    Some("AUS"),
                    Some("TWN"),
                    Some("AUS"),
                    Some("TWN"),
                    Some("TWN"),
                ])),
            ),
            ("w", Arc::new(Float32Array::from(vec![1.5, 2.0, 0.5, 1.0, 1.0]))),
            ("book", Arc::new(booklet)),
            ("Q1", likert),
            ("Q2", scored),
            ("Q3", pandas),
        ],
    );
    let columns = Columns {
        id: Some("student".into()),
        group: Some("country".into()),
        weight: Some("w".into()),
        booklet: Some("book".into()),
    };
    let opts = ReadOptions {
        columns: columns.clone(),
        ..Default::default()
    };
    let data = read_parquet(&path, &opts).unwrap_or_else(|e| panic!("{e}"));
    let m = &data.matrix;
    assert_eq!(m.items(), ["Q1", "Q2", "Q3"]);
    assert_eq!(m.persons(), ["9001", "9002", "9003", "9004", "9005"]);
    assert_eq!(m.group_names(), ["AUS", "TWN"], "groups in order of first appearance");
    assert_eq!(m.groups(), [0, 1, 0, 1, 1]);
    assert_eq!(m.raw_weights().unwrap(), [1.5, 2.0, 0.5, 1.0, 1.0]);
    assert_eq!(data.booklets.as_deref().unwrap(), ["B2", "B1", "B2", "B1", "B2"]);
    // Without a code table or raw codes, 254 is just a value of Q3.
    assert_eq!(data.category_values, [vec![2, 4, 7], vec![0, 1], vec![0, 1, 254]]);
    let na = NOT_ADMINISTERED;
    assert_eq!(rows(m), [[1, 0, 1], [na, 1, na], [0, na, 0], [0, 1, na], [2, 0, 2]]);

    let raw = ReadOptions {
        columns: columns.clone(),
        raw_codes: true,
        reference_group: Some("TWN".into()),
        ..Default::default()
    };
    let data = read_parquet(&path, &raw).unwrap();
    assert_eq!(data.matrix.get(4, 2), OMITTED);
    assert_eq!(data.category_values[2], [0, 1]);
    assert_eq!(data.matrix.group_names(), ["TWN", "AUS"]);
    assert_eq!(data.matrix.groups(), [1, 0, 1, 0, 0]);

    let some_items = ReadOptions {
        items: Some(vec!["Q2".into(), "Q1".into()]),
        recode: Recode::AsIs,
        ..Default::default()
    };
    let data = read_parquet(&path, &some_items).unwrap();
    assert_eq!(data.matrix.items(), ["Q2", "Q1"]);
    assert_eq!(data.matrix.row(0), [0, 4]);
    assert_eq!(data.matrix.persons()[4], "5", "no id column: persons are numbered");
}

#[test]
fn written_files_carry_the_code_table_and_read_back_with_default_options() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.parquet");
    let items = vec!["a".into(), "b".into()];
    let persons = vec!["w".into(), "x".into(), "y".into(), "z".into()];
    let cells = vec![0, 2, 1, OMITTED, NOT_ADMINISTERED, 1, NOT_REACHED, 2];
    let m = ResponseMatrix::new(items, persons, cells)
        .unwrap()
        .with_groups(vec![1, 1, 0, 1], vec!["ref".into(), "other".into()])
        .unwrap();
    let values = [vec![1, 2], vec![-1, 5, 9]];
    let opts = WriteOptions {
        columns: Columns {
            id: Some("id".into()),
            group: Some("g".into()),
            ..Default::default()
        },
        category_values: Some(&values),
        ..Default::default()
    };
    write_parquet(&path, &m, None, &opts).unwrap();
    let codes: serde_json::Value = serde_json::from_str(&key_value(&path, CODES_KEY).unwrap()).unwrap();
    assert_eq!(codes["255"], "not administered");
    assert_eq!(codes["251"], "valid skip");
    assert_eq!(
        key_value(&path, CATEGORY_VALUES_KEY).unwrap(),
        r#"{"a":[1,2],"b":[-1,5,9]}"#
    );
    assert_eq!(
        key_value(&path, GROUPS_KEY).unwrap(),
        r#"{"column":"g","names":["ref","other"]}"#
    );

    // Default options: sorted recoding, no raw codes. The code table still makes 250–255
    // missing codes, the group order makes "ref" the reference group although "other"
    // comes first, and the category values are the original ones.
    let read = ReadOptions {
        columns: Columns {
            id: Some("id".into()),
            group: Some("g".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    let back = read_parquet(&path, &read).unwrap();
    assert_eq!(back.matrix.persons(), m.persons());
    assert_eq!(back.matrix.group_names(), m.group_names());
    assert_eq!(back.matrix.groups(), m.groups());
    assert_eq!(
        back.category_values,
        [vec![1, 2], vec![5, 9]],
        "b's category 0 is not observed"
    );
    let na = NOT_ADMINISTERED;
    assert_eq!(rows(&back.matrix), [[0, 1], [1, OMITTED], [na, 0], [NOT_REACHED, 1]]);
    // Read as the file has it, the matrix is the one written.
    let as_is = ReadOptions {
        recode: Recode::AsIs,
        ..read
    };
    assert_eq!(read_parquet(&path, &as_is).unwrap().matrix, m);

    let unknown = WriteOptions {
        columns: Columns {
            weight: Some("w".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    let error = write_parquet(&path, &m, None, &unknown).unwrap_err().to_string();
    assert_eq!(
        error,
        format!(
            "cannot write {}: a weight column is asked for but the matrix has no weights",
            path.display()
        )
    );
}

#[test]
fn equals_the_csv_reader_on_timss() {
    let csv_path = reference().join("data/TAM_timssAusTwn_scored.csv");
    let header = std::fs::read_to_string(&csv_path).unwrap();
    let items: Vec<String> = header
        .lines()
        .next()
        .unwrap()
        .split(',')
        .filter(|c| c.starts_with("M0"))
        .map(str::to_owned)
        .collect();
    let opts = ReadOptions {
        items: Some(items),
        columns: Columns {
            group: Some("IDCNTRY".into()),
            booklet: Some("IDBOOK".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    let csv = read_csv(&csv_path, &opts).unwrap();
    assert_eq!(csv.matrix.n_persons(), 1769);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("timss.parquet");
    let write = WriteOptions {
        columns: Columns {
            id: Some("IDSTUD".into()),
            ..opts.columns.clone()
        },
        category_values: Some(&csv.category_values),
        ..Default::default()
    };
    write_parquet(&path, &csv.matrix, csv.booklets.as_deref(), &write).unwrap();
    // The same options read the same data: matrix, groups, booklets, category values.
    let back = read_parquet(&path, &opts).unwrap();
    assert_eq!(back, csv);
    // And as the file has it, byte codes as categories.
    let as_is = ReadOptions {
        recode: Recode::AsIs,
        raw_codes: true,
        columns: write.columns.clone(),
        ..Default::default()
    };
    let back = read_parquet(&path, &as_is).unwrap();
    assert_eq!(back.matrix, csv.matrix);
    assert_eq!(back.category_values, csv.category_values);

    let taiwan = ReadOptions {
        reference_group: Some("158".into()),
        ..opts
    };
    let back = read_parquet(&path, &taiwan).unwrap();
    assert_eq!(back.matrix.group_names(), ["158", "36"]);
    assert_eq!(
        back.matrix.groups(),
        read_csv(&csv_path, &taiwan).unwrap().matrix.groups()
    );
}

#[test]
fn errors_name_file_column_row_and_what_was_found() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.parquet");
    let file = path.display().to_string();
    write_foreign(
        &path,
        vec![
            ("w", Arc::new(Float64Array::from(vec![1.0, 2.0, -1.0])) as ArrayRef),
            ("g", Arc::new(StringArray::from(vec![Some("A"), None, Some("B")]))),
            ("I1", Arc::new(Int32Array::from(vec![0, 1, 1]))),
            ("I2", Arc::new(Float64Array::from(vec![1.0, 2.5, 0.0]))),
            ("I3", Arc::new(UInt16Array::from(vec![0, 300, 1]))),
            ("text", Arc::new(StringArray::from(vec!["x", "y", "z"]))),
        ],
    );
    let items = |names: &[&str]| Some(names.iter().map(|s| s.to_string()).collect());

    let missing = ReadOptions {
        items: items(&["I1", "I9"]),
        columns: Columns {
            id: Some("student".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    assert_eq!(
        error_of(&path, &missing),
        format!(
            "{file}: 2 problems:\n  column \"student\": the id column is not in the file\n  column \"I9\": the item column is not in the file"
        )
    );

    let fraction = ReadOptions {
        items: items(&["I1", "I2"]),
        ..Default::default()
    };
    assert_eq!(
        error_of(&path, &fraction),
        format!(
            "{file}: column \"I2\": row 2: not an integer (a Float64 column; null or NaN means not administered) (found \"2.5\")"
        )
    );

    let weight = ReadOptions {
        items: items(&["I1"]),
        columns: Columns {
            weight: Some("w".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    assert_eq!(
        error_of(&path, &weight),
        format!("{file}: column \"w\": row 3: weights must be finite and ≥ 0 (found \"-1\")")
    );

    let several = ReadOptions {
        items: items(&["I1", "I3"]),
        columns: Columns {
            group: Some("g".into()),
            ..Default::default()
        },
        recode: Recode::AsIs,
        ..Default::default()
    };
    assert_eq!(
        error_of(&path, &several),
        format!(
            "{file}: 2 problems:\n  column \"I3\": row 2: not a category 0..249 (values are read as they are) (found \"300\")\n  column \"g\": row 2: missing group"
        )
    );

    let types = ReadOptions {
        items: items(&["I1", "text"]),
        columns: Columns {
            weight: Some("g".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    assert_eq!(
        error_of(&path, &types),
        format!(
            "{file}: 2 problems:\n  column \"g\": the weight column must hold numbers, found Utf8\n  column \"text\": item columns must hold integers, found Utf8"
        )
    );

    let codes = ReadOptions {
        items: items(&["I3"]),
        recode: Recode::AsIs,
        ..Default::default()
    };
    let e = error_of(&path, &codes);
    assert!(e.contains("row 2: not a category 0..249"), "{e}");

    // Not Parquet at all, and no file.
    let csv = dir.path().join("data.csv");
    std::fs::write(&csv, "a,b\n1,2\n").unwrap();
    let e = error_of(&csv, &ReadOptions::default());
    assert!(
        e.starts_with(&format!("{}: not a readable Parquet file (", csv.display())),
        "{e}"
    );
    let none = dir.path().join("none.parquet");
    match read_parquet(&none, &ReadOptions::default()) {
        Err(ReadError::Io { file, .. }) => assert_eq!(file, none.display().to_string()),
        other => panic!("expected an I/O error, got {other:?}"),
    }
}

#[test]
fn missing_codes_without_a_code_table_need_raw_codes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("codes.parquet");
    write_foreign(
        &path,
        vec![("I1", Arc::new(Int32Array::from(vec![0, 253, 1])) as ArrayRef)],
    );
    let as_is = ReadOptions {
        recode: Recode::AsIs,
        ..Default::default()
    };
    assert_eq!(
        error_of(&path, &as_is),
        format!(
            "{}: column \"I1\": row 2: a missing code (250–255) needs raw codes to be read (found \"253\")",
            path.display()
        )
    );
    let raw = ReadOptions {
        raw_codes: true,
        ..as_is
    };
    assert_eq!(read_parquet(&path, &raw).unwrap().matrix.get(1, 0), NOT_REACHED);
}

/// Speed on the perf data:
/// `cargo test --release -p calibration --test read_parquet -- --ignored --nocapture`.
#[test]
#[ignore = "timing run on the perf data; use --release"]
fn perf_data_write_and_read_time() {
    let csv_path = reference().join("perf/2pl_n500k_j40.csv.gz");
    let start = Instant::now();
    let csv = read_csv(&csv_path, &ReadOptions::default()).unwrap();
    let csv_seconds = start.elapsed().as_secs_f64();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("2pl_n500k_j40.parquet");
    let write = WriteOptions {
        columns: Columns {
            id: Some("id".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    let start = Instant::now();
    write_parquet(&path, &csv.matrix, None, &write).unwrap();
    let write_seconds = start.elapsed().as_secs_f64();
    let bytes = std::fs::metadata(&path).unwrap().len();
    let read = ReadOptions {
        columns: write.columns.clone(),
        ..Default::default()
    };
    let start = Instant::now();
    let back = read_parquet(&path, &read).unwrap();
    let read_seconds = start.elapsed().as_secs_f64();
    assert_eq!(back, csv);
    let start = Instant::now();
    let items_only = read_parquet(
        &path,
        &ReadOptions {
            recode: Recode::AsIs,
            ..read.clone()
        },
    )
    .unwrap();
    let as_is_seconds = start.elapsed().as_secs_f64();
    assert_eq!(items_only.matrix, csv.matrix);
    println!(
        "500,000 × 40: csv.gz read {csv_seconds:.3} s; parquet ({:.1} MB) write {write_seconds:.3} s, \
         read {read_seconds:.3} s (sorted), {as_is_seconds:.3} s (as is)",
        bytes as f64 / 1e6
    );
}

mod round_trip {
    use super::*;
    use proptest::prelude::*;

    fn text() -> impl Strategy<Value = String> {
        "[a-z ,\"é\n]{0,5}"
    }

    /// A matrix with every missing code, ids, maybe groups (some of them empty) and
    /// weights, booklets, and category values for some items.
    fn data() -> impl Strategy<Value = (ResponseMatrix, Vec<String>, Option<Vec<Vec<i64>>>)> {
        (1usize..40, 1usize..6, 1usize..5).prop_flat_map(|(n, j, g)| {
            let cells = prop::collection::vec(prop_oneof![3 => 0u8..5, 1 => 250u8..=255], n * j);
            let names = prop::collection::vec(text(), j + g);
            let weights = prop::option::of(prop::collection::vec(
                prop_oneof![Just(0.0), 1e-300f64..1e300, 0.0f64..10.0],
                n,
            ));
            let groups = prop::option::of(prop::collection::vec(0..g as u16, n));
            let values = prop::option::of(prop::collection::vec(prop::collection::btree_set(-300i64..1000, 5), j));
            (
                cells,
                names,
                weights,
                groups,
                prop::collection::vec(text(), n),
                prop::collection::vec(text(), n),
                values,
            )
                .prop_map(move |(cells, names, weights, groups, persons, booklets, values)| {
                    let items = names[..j].iter().enumerate().map(|(k, s)| format!("{s}{k}")).collect();
                    let mut m = ResponseMatrix::new(items, persons, cells).unwrap();
                    if let Some(groups) = groups {
                        let group_names = names[j..].iter().enumerate().map(|(k, s)| format!("{s}g{k}")).collect();
                        m = m.with_groups(groups, group_names).unwrap();
                    }
                    if let Some(w) = weights.filter(|w| w.iter().any(|&x| x > 0.0)) {
                        m = m.with_weights(w).unwrap();
                    }
                    let values = values.map(|v| v.into_iter().map(|s| s.into_iter().collect()).collect());
                    (m, booklets, values)
                })
        })
    }

    /// The columns that describe every person of `m`.
    fn columns_of(m: &ResponseMatrix) -> Columns {
        Columns {
            id: Some("id".into()),
            group: (m.group_names() != ["all"]).then(|| "group".into()),
            weight: m.raw_weights().map(|_| "weight".into()),
            booklet: Some("booklet".into()),
        }
    }

    fn write_and_read(
        m: &ResponseMatrix,
        booklets: &[String],
        values: Option<&[Vec<i64>]>,
        read: &ReadOptions,
    ) -> ReadData {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.parquet");
        let write = WriteOptions {
            columns: columns_of(m),
            category_values: values,
            ..Default::default()
        };
        write_parquet(&path, m, Some(booklets), &write).unwrap();
        read_parquet(&path, read).unwrap_or_else(|e| panic!("{e}"))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn the_matrix_comes_back_exactly((m, booklets, values) in data()) {
            let read = ReadOptions { columns: columns_of(&m), recode: Recode::AsIs, raw_codes: true, ..Default::default() };
            let back = write_and_read(&m, &booklets, values.as_deref(), &read);
            prop_assert_eq!(&back.matrix, &m);
            prop_assert_eq!(back.booklets.as_deref(), Some(booklets.as_slice()));
            let categories = m.categories();
            for (j, v) in back.category_values.iter().enumerate() {
                let k = usize::from(categories[j]);
                match &values {
                    Some(values) => prop_assert_eq!(v.as_slice(), &values[j][..k]),
                    None => prop_assert_eq!(v, &(0..k as i64).collect::<Vec<_>>()),
                }
            }
        }

        #[test]
        fn default_options_keep_codes_and_original_values((m, booklets, values) in data()) {
            let read = ReadOptions { columns: columns_of(&m), ..Default::default() };
            let back = write_and_read(&m, &booklets, values.as_deref(), &read);
            prop_assert_eq!(back.matrix.groups(), m.groups());
            prop_assert_eq!(back.matrix.group_names(), m.group_names());
            for p in 0..m.n_persons() {
                for (j, (&was, &is)) in m.row(p).iter().zip(back.matrix.row(p)).enumerate() {
                    if ResponseMatrix::is_response(was) {
                        let original = values.as_ref().map_or(i64::from(was), |v| v[j][usize::from(was)]);
                        prop_assert_eq!(back.category_values[j][usize::from(is)], original);
                    } else {
                        prop_assert_eq!(is, was);
                    }
                }
            }
        }
    }
}

//! The CSV reader on the reference data sets, its error messages, and the perf data.

use std::path::{Path, PathBuf};
use std::time::Instant;

use calibration::data::ResponseMatrix;
use calibration::data::codes::{NOT_ADMINISTERED, OMITTED};
use calibration::data::read::{
    Columns, MAX_PROBLEMS, ReadData, ReadError, ReadOptions, Recode, read_csv, read_csv_from,
};

fn reference() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference")
}

fn data_file(name: &str) -> PathBuf {
    reference().join("data").join(name)
}

/// The header names of a reference file that start with `prefix` (its item columns).
fn columns_starting(name: &str, prefix: &str) -> Vec<String> {
    let text = std::fs::read_to_string(data_file(name)).unwrap();
    text.lines()
        .next()
        .unwrap()
        .split(',')
        .filter(|c| c.starts_with(prefix))
        .map(str::to_owned)
        .collect()
}

fn read_str(text: &str, opts: &ReadOptions) -> Result<ReadData, ReadError> {
    read_csv_from(text.as_bytes(), "t.csv", opts)
}

fn error_of(text: &str, opts: &ReadOptions) -> String {
    match read_str(text, opts) {
        Ok(data) => panic!("expected an error for {text:?}, read {:?}", data.matrix),
        Err(e) => e.to_string(),
    }
}

fn rows(m: &ResponseMatrix, n: usize) -> Vec<Vec<u8>> {
    (0..n).map(|p| m.row(p).to_vec()).collect()
}

fn with_columns(columns: Columns) -> ReadOptions {
    ReadOptions {
        columns,
        ..Default::default()
    }
}

/// Reads one reference data set the way its README describes it; `None` for a file the
/// test does not know, so a data set added later cannot go unread.
fn read_reference(name: &str) -> Option<ReadData> {
    let opts = match name {
        "mirt_LSAT6.csv"
        | "mirt_LSAT7.csv"
        | "mirt_deAyala.csv"
        | "mirt_SAT12_raw.csv"
        | "mirt_SAT12_scored.csv"
        | "mirt_Science.csv" => ReadOptions::default(),
        "TAM_timssAusTwn_scored.csv" => ReadOptions {
            items: Some(columns_starting(name, "M0")),
            columns: Columns {
                group: Some("IDCNTRY".into()),
                booklet: Some("IDBOOK".into()),
                ..Default::default()
            },
            ..Default::default()
        },
        "TAM_fims_Aus_Jpn_scored.csv" => ReadOptions {
            items: Some(columns_starting(name, "M1PTI")),
            columns: Columns {
                group: Some("country".into()),
                ..Default::default()
            },
            ..Default::default()
        },
        "sirt_pisaMath.csv" | "sirt_pisaRead.csv" => ReadOptions {
            items: Some(columns_starting(name, if name.contains("Math") { "M" } else { "R" })),
            columns: Columns {
                id: Some("idstud".into()),
                ..Default::default()
            },
            ..Default::default()
        },
        "CDM_timss11_G4_AUT.csv" => {
            // The item table (not response data itself) names the items in its first column.
            let text = std::fs::read_to_string(data_file("CDM_timss11_G4_AUT_items.csv")).unwrap();
            ReadOptions {
                items: Some(
                    text.lines()
                        .skip(1)
                        .map(|l| l.split(',').next().unwrap().to_owned())
                        .collect(),
                ),
                columns: Columns {
                    id: Some("IDSTUD".into()),
                    weight: Some("TOTWGT".into()),
                    booklet: Some("IDBOOK".into()),
                    group: None,
                },
                ..Default::default()
            }
        }
        _ => return None,
    };
    Some(read_csv(&data_file(name), &opts).unwrap_or_else(|e| panic!("{e}")))
}

#[test]
fn every_reference_data_set_reads() {
    let mut names: Vec<String> = std::fs::read_dir(reference().join("data"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".csv") && !n.ends_with("_items.csv"))
        .collect();
    names.sort();
    assert_eq!(names.len(), 11);
    for name in &names {
        let data = read_reference(name).unwrap_or_else(|| panic!("{name}: no reading of this data set is known"));
        let m = &data.matrix;
        let (n, j) = match name.as_str() {
            "mirt_LSAT6.csv" | "mirt_LSAT7.csv" => (1000, 5),
            "mirt_deAyala.csv" => (19601, 5),
            "mirt_Science.csv" => (392, 4),
            "mirt_SAT12_raw.csv" | "mirt_SAT12_scored.csv" => (600, 32),
            "sirt_pisaMath.csv" => (565, 11),
            "sirt_pisaRead.csv" => (623, 12),
            "TAM_timssAusTwn_scored.csv" => (1769, 11),
            "TAM_fims_Aus_Jpn_scored.csv" => (6371, 14),
            "CDM_timss11_G4_AUT.csv" => (4668, 174),
            other => panic!("{other}: no expected size"),
        };
        assert_eq!((m.n_persons(), m.n_items()), (n, j), "{name}");
        assert_eq!(data.category_values.len(), j, "{name}");
    }
}

#[test]
fn likert_values_recode_to_sorted_categories() {
    let data = read_reference("mirt_Science.csv").unwrap();
    assert_eq!(data.matrix.items(), ["Comfort", "Work", "Future", "Benefit"]);
    assert!(data.category_values.iter().all(|v| v == &[1, 2, 3, 4]));
    // The first two rows are "4,4,3,2" and "3,3,3,3".
    assert_eq!(rows(&data.matrix, 2), [[3, 3, 2, 1], [2, 2, 2, 2]]);
    assert_eq!(data.matrix.persons()[..2], ["1", "2"]);
}

#[test]
fn sat12_options_keep_their_original_values() {
    let data = read_reference("mirt_SAT12_raw.csv").unwrap();
    assert_eq!(data.category_values[0], [1, 2, 3, 4, 5, 8]);
    assert_eq!(data.category_values[5], [1, 2, 3, 4, 5], "item 6 has no omission");
    // Second row: 3,4,2,8,…
    let original: Vec<i64> = data.matrix.row(1)[..4]
        .iter()
        .zip(&data.category_values)
        .map(|(&c, v)| v[usize::from(c)])
        .collect();
    assert_eq!(original, [3, 4, 2, 8]);
}

#[test]
fn timss_groups_and_booklets() {
    let data = read_reference("TAM_timssAusTwn_scored.csv").unwrap();
    let m = &data.matrix;
    assert_eq!(m.group_names(), ["36", "158"], "groups in order of first appearance");
    let booklets = data.booklets.unwrap();
    assert_eq!(booklets.len(), 1769);
    assert!(booklets.iter().all(|b| b == "1" || b == "14"));
    assert_eq!(m.categories().iter().max(), Some(&3), "some items are scored 0/1/2");

    let opts = ReadOptions {
        items: Some(columns_starting("TAM_timssAusTwn_scored.csv", "M0")),
        columns: Columns {
            group: Some("IDCNTRY".into()),
            ..Default::default()
        },
        reference_group: Some("158".into()),
        ..Default::default()
    };
    let taiwan_first = read_csv(&data_file("TAM_timssAusTwn_scored.csv"), &opts)
        .unwrap()
        .matrix;
    assert_eq!(taiwan_first.group_names(), ["158", "36"]);
    let swapped: Vec<u16> = m.groups().iter().map(|g| 1 - g).collect();
    assert_eq!(taiwan_first.groups(), swapped);
}

#[test]
fn rotated_booklets_weights_and_not_administered() {
    let data = read_reference("CDM_timss11_G4_AUT.csv").unwrap();
    let m = &data.matrix;
    assert_eq!(m.persons()[0], "10201");
    assert_eq!(m.raw_weights().unwrap()[0], 17.4681825);
    // About 25 of 174 items per student; the rest are NA.
    assert_eq!(m.administered(), 115_983);
    assert_eq!(m.row(0)[0], NOT_ADMINISTERED);
    assert!(m.categories().iter().all(|&k| k == 2));
    assert_eq!(data.booklets.unwrap()[..2], ["10", "12"]);
}

#[test]
fn sirt_ids_are_kept_as_text() {
    let data = read_reference("sirt_pisaMath.csv").unwrap();
    assert_eq!(data.matrix.persons()[0], "90001500281");
    assert_eq!(data.matrix.items()[0], "M192Q01");
}

#[test]
fn raw_codes_integral_decimals_blanks_quotes_and_gzip() {
    let text = "\u{feff}\"id\", a ,b\r\n\"p, 1\",1.0,254\r\nq,NA,\r\n";
    let raw = ReadOptions {
        raw_codes: true,
        ..with_columns(Columns {
            id: Some("id".into()),
            ..Default::default()
        })
    };
    let data = read_str(text, &raw).unwrap();
    assert_eq!(data.matrix.items(), ["a", "b"]);
    assert_eq!(data.matrix.persons(), ["p, 1", "q"]);
    assert_eq!(
        rows(&data.matrix, 2),
        [[0, OMITTED], [NOT_ADMINISTERED, NOT_ADMINISTERED]]
    );
    assert_eq!(data.category_values, [vec![1], vec![]]);

    // Without raw codes 254 is just a value; read as-is it is refused.
    let plain = read_str(
        text,
        &ReadOptions {
            raw_codes: false,
            ..raw.clone()
        },
    )
    .unwrap();
    assert_eq!(plain.category_values[1], [254]);
    let message = error_of(
        text,
        &ReadOptions {
            recode: Recode::AsIs,
            raw_codes: false,
            ..raw.clone()
        },
    );
    assert!(
        message.contains("line 2, column \"b\": a missing code (250–255) needs raw codes"),
        "{message}"
    );

    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, text.as_bytes()).unwrap();
    let from_gzip = read_csv_from(gz.finish().unwrap().as_slice(), "t.csv.gz", &raw).unwrap();
    assert_eq!(from_gzip, data);
}

#[test]
fn as_is_keeps_values_as_categories() {
    let opts = ReadOptions {
        recode: Recode::AsIs,
        ..Default::default()
    };
    let data = read_str("a,b\n2,1\n0,\n", &opts).unwrap();
    assert_eq!(rows(&data.matrix, 2), [[2, 1], [0, NOT_ADMINISTERED]]);
    assert_eq!(data.category_values, [vec![0, 1, 2], vec![0, 1]]);
    let message = error_of("a\n-1\n", &opts);
    assert_eq!(
        message,
        "t.csv: line 2, column \"a\": not a category 0..249 (values are read as they are) (found \"-1\")"
    );
}

#[test]
fn cell_errors_name_file_line_column_and_text() {
    let message = error_of("a,b\n1,0\n1, x \n2.5,1\n", &ReadOptions::default());
    assert_eq!(
        message,
        "t.csv: 2 problems:\n  \
         line 3, column \"b\": not an integer (an empty cell or NA means not administered) (found \"x\")\n  \
         line 4, column \"a\": not an integer (an empty cell or NA means not administered) (found \"2.5\")"
    );
}

#[test]
fn header_errors() {
    let opts = ReadOptions::default();
    assert_eq!(
        error_of("", &opts),
        "t.csv: the file is empty: a header row naming the columns is required"
    );
    assert_eq!(
        error_of("0,1\n1,0\n", &opts),
        "t.csv: line 1: holds only numbers: a header row naming the columns is required (found \"0,1\")"
    );
    let quoted_numbers = read_str("\"1\",\"2\"\n0,1\n", &opts).unwrap();
    assert_eq!(quoted_numbers.matrix.items(), ["1", "2"], "quoted numbers are names");
    assert_eq!(
        error_of("a,b,a\n1,2,3\n", &opts),
        "t.csv: line 1, column \"a\": appears twice, as columns 1 and 3"
    );
    assert_eq!(error_of("a,,b\n", &opts), "t.csv: line 1: column 2 has no name");
    assert_eq!(error_of("a,b\n", &opts), "t.csv: has a header but no data rows");
    assert_eq!(
        error_of("\"a,b\n1\n", &opts),
        "t.csv: line 1: cell 1: a quote is not closed (quoted cells cannot span lines) (found \"\"a,b\")"
    );
}

#[test]
fn option_errors_name_the_missing_columns() {
    let opts = ReadOptions {
        items: Some(vec!["a".into(), "z".into(), "w".into()]),
        columns: Columns {
            weight: Some("w".into()),
            booklet: Some("bk".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    assert_eq!(
        error_of("a,w\n1,1\n", &opts),
        "t.csv: 3 problems:\n  \
         column \"bk\": the booklet column is not in the header\n  \
         column \"z\": the item column is not in the header\n  \
         column \"w\": is both an item and the weight column"
    );
    let reference = ReadOptions {
        reference_group: Some("JPN".into()),
        ..Default::default()
    };
    assert_eq!(
        error_of("a\n1\n", &reference),
        "t.csv: a reference group is named but no group column"
    );
    let absent = ReadOptions {
        columns: Columns {
            group: Some("g".into()),
            ..Default::default()
        },
        ..reference
    };
    assert_eq!(
        error_of("g,a\nAUS,1\n", &absent),
        "t.csv: column \"g\": the reference group \"JPN\" does not occur"
    );
}

#[test]
fn row_errors_ragged_rows_weights_groups_and_quotes() {
    let opts = with_columns(Columns {
        weight: Some("w".into()),
        group: Some("g".into()),
        ..Default::default()
    });
    let text = "g,w,a\nA,1,0\nA,1\nA,1,0,1\nA,-1,0\nA,inf,1\nA,NA,1\n,1,1\nA,\"1,0\n";
    assert_eq!(
        error_of(text, &opts),
        "t.csv: 7 problems:\n  \
         line 3: has 2 cells but the header has 3 columns (found \"A,1\")\n  \
         line 4: has 4 cells but the header has 3 columns (found \"A,1,0,1\")\n  \
         line 5, column \"w\": weights must be finite and ≥ 0 (found \"-1\")\n  \
         line 6, column \"w\": weights must be finite and ≥ 0 (found \"inf\")\n  \
         line 7, column \"w\": missing weight (found \"NA\")\n  \
         line 8, column \"g\": missing group (found \"\")\n  \
         line 9, column \"w\": a quote is not closed (quoted cells cannot span lines) (found \"A,\"1,0\")"
    );
    assert_eq!(
        error_of(
            "w,a\n0,1\n0,0\n",
            &with_columns(Columns {
                weight: Some("w".into()),
                ..Default::default()
            })
        ),
        "t.csv: all weights are zero"
    );
}

#[test]
fn more_than_250_values_is_reported_once_per_item() {
    let text: String = std::iter::once("a,b".to_owned())
        .chain((0..300).map(|v| format!("{v},{v}")))
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(
        error_of(&text, &ReadOptions::default()),
        "t.csv: 2 problems:\n  \
         line 252, column \"a\": the item has more than 250 distinct values (a byte holds at most 250 categories) (found \"250\")\n  \
         line 252, column \"b\": the item has more than 250 distinct values (a byte holds at most 250 categories) (found \"250\")"
    );
}

#[test]
fn problems_beyond_the_first_twenty_are_counted() {
    let text = format!("a\n{}", "x\n".repeat(MAX_PROBLEMS + 13));
    match read_str(&text, &ReadOptions::default()) {
        Err(ReadError::Invalid { problems, more, .. }) => {
            assert_eq!((problems.len(), more), (MAX_PROBLEMS, 13));
            assert_eq!(problems[19].line, Some(21));
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
    assert!(
        error_of(&text, &ReadOptions::default()).starts_with("t.csv: 33 problems (the first 20 shown):\n  line 2,")
    );
}

#[test]
fn a_missing_file_is_an_io_error_naming_it() {
    let path = reference().join("no-such-file.csv");
    let message = read_csv(&path, &ReadOptions::default()).unwrap_err().to_string();
    assert!(
        message.starts_with("cannot read ") && message.contains("no-such-file.csv"),
        "{message}"
    );
}

/// Speed of reading the perf data: `cargo test --release -p calibration --test read_csv -- --ignored --nocapture`.
#[test]
#[ignore = "timing run on the perf data; use --release"]
fn perf_data_read_time() {
    let booklet = ReadOptions {
        columns: Columns {
            booklet: Some("booklet".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    let files = [
        ("2pl_n100k_j40.csv.gz", 100_000, 40, ReadOptions::default()),
        ("2pl_n500k_j40.csv.gz", 500_000, 40, ReadOptions::default()),
        ("grm_n100k_j20_k5.csv.gz", 100_000, 20, ReadOptions::default()),
        ("rasch_n200k_j60_6booklets.csv.gz", 200_000, 60, booklet),
    ];
    for (name, n, j, opts) in files {
        let start = Instant::now();
        let data = read_csv(&reference().join("perf").join(name), &opts).unwrap();
        let seconds = start.elapsed().as_secs_f64();
        assert_eq!((data.matrix.n_persons(), data.matrix.n_items()), (n, j));
        let categories = if name.starts_with("grm") { 5 } else { 2 };
        assert!(data.category_values.iter().all(|v| v.len() == categories && v[0] == 0));
        println!("{name}: {n} × {j} read in {seconds:.3} s");
    }
}

mod round_trip {
    use calibration::data::ResponseMatrix;
    use calibration::data::codes::MissingPolicy;
    use calibration::data::read::{Columns, ReadData, ReadOptions, Recode, WriteOptions, read_csv_from, write_csv_to};
    use proptest::prelude::*;

    /// Text that needs quoting now and then (as a prefix of a number, a name that does): commas, quotes, blanks at either end.
    fn text() -> impl Strategy<Value = String> {
        "[a-z ,\"]{0,5}"
    }

    /// A matrix with ids, maybe groups and weights, and booklets; which columns are
    /// written is drawn too.
    fn data() -> impl Strategy<Value = (ResponseMatrix, Vec<String>, Columns)> {
        (1usize..25, 1usize..5, 1usize..4).prop_flat_map(|(n, j, g)| {
            let cells = prop::collection::vec(prop_oneof![3 => 0u8..4, 1 => 250u8..=255], n * j);
            let names = prop::collection::vec(text(), j + g);
            let weights = prop::option::of(prop::collection::vec(
                prop_oneof![Just(0.0), 1e-300f64..1e300, 0.0f64..10.0],
                n,
            ));
            let groups = prop::option::of(prop::collection::vec(0..g as u16, n));
            let persons = prop::collection::vec(text(), n);
            let columns = (any::<bool>(), any::<bool>());
            (
                cells,
                names,
                weights,
                groups,
                persons,
                prop::collection::vec(text(), n),
                columns,
            )
                .prop_map(
                    move |(cells, names, weights, groups, persons, booklets, (with_id, with_booklet))| {
                        let items = names[..j].iter().enumerate().map(|(k, s)| format!("{s}{k}")).collect();
                        let mut m = ResponseMatrix::new(items, persons, cells).unwrap();
                        let mut columns = Columns::default();
                        if let Some(groups) = groups {
                            let group_names = names[j..].iter().enumerate().map(|(k, s)| format!("{s}g{k}")).collect();
                            m = m.with_groups(groups, group_names).unwrap();
                            columns.group = Some("group".into());
                        }
                        if let Some(w) = weights.filter(|w| w.iter().any(|&x| x > 0.0)) {
                            m = m.with_weights(w).unwrap();
                            columns.weight = Some("weight, raw".into());
                        }
                        columns.id = with_id.then(|| "id".into());
                        columns.booklet = with_booklet.then(|| "\"booklet\"".into());
                        (m, booklets, columns)
                    },
                )
        })
    }

    fn write_and_read(m: &ResponseMatrix, booklets: &[String], write: &WriteOptions, read: &ReadOptions) -> ReadData {
        let mut csv = Vec::new();
        write_csv_to(&mut csv, "mem.csv", m, Some(booklets), write).unwrap();
        read_csv_from(csv.as_slice(), "mem.csv", read)
            .unwrap_or_else(|e| panic!("{e}\n{}", String::from_utf8_lossy(&csv)))
    }

    fn group_of_each(m: &ResponseMatrix) -> Vec<&str> {
        m.groups()
            .iter()
            .map(|&g| m.group_names()[usize::from(g)].as_str())
            .collect()
    }

    /// What the matrix says about each person, whatever the order of group names.
    fn assert_same_persons(read: &ReadData, m: &ResponseMatrix, booklets: &[String], columns: &Columns) {
        let back = &read.matrix;
        assert_eq!(back.items(), m.items());
        let rows = |x: &ResponseMatrix| (0..x.n_persons()).map(|p| x.row(p).to_vec()).collect::<Vec<_>>();
        assert_eq!(rows(back), rows(m));
        if columns.id.is_some() {
            assert_eq!(back.persons(), m.persons());
        }
        if columns.group.is_some() {
            assert_eq!(group_of_each(back), group_of_each(m));
        }
        assert_eq!(back.raw_weights(), m.raw_weights());
        assert_eq!(read.booklets.as_deref(), columns.booklet.as_ref().map(|_| booklets));
    }

    #[test]
    fn writing_refuses_what_would_not_read_back() {
        let m = ResponseMatrix::new(vec!["a".into()], vec!["p\nq".into()], vec![0]).unwrap();
        let error = |opts: &WriteOptions| {
            write_csv_to(Vec::new(), "o.csv", &m, None, opts)
                .unwrap_err()
                .to_string()
        };
        let values = [vec![250]];
        let raw = WriteOptions {
            raw_codes: true,
            category_values: Some(&values),
            ..Default::default()
        };
        assert_eq!(
            error(&raw),
            "cannot write o.csv: item \"a\" has the value 250, which would read back as a missing code"
        );
        let few = WriteOptions {
            category_values: Some(&[vec![]]),
            ..Default::default()
        };
        assert_eq!(
            error(&few),
            "cannot write o.csv: item \"a\" has category 0 but only 0 category values"
        );
        let id = WriteOptions {
            columns: Columns {
                id: Some("id".into()),
                ..Default::default()
            },
            ..Default::default()
        };
        assert_eq!(
            error(&id),
            "cannot write o.csv: \"p\\nq\" holds a line break, which a CSV cell cannot"
        );
        let clash = WriteOptions {
            columns: Columns {
                booklet: Some("a".into()),
                ..Default::default()
            },
            ..Default::default()
        };
        assert_eq!(
            error(&clash),
            "cannot write o.csv: the output would name column \"a\" twice"
        );
        let unweighted = WriteOptions {
            columns: Columns {
                weight: Some("w".into()),
                ..Default::default()
            },
            ..Default::default()
        };
        assert_eq!(
            error(&unweighted),
            "cannot write o.csv: a weight column is asked for but the matrix has no weights"
        );
    }

    proptest! {
        #[test]
        fn raw_codes_round_trip((m, booklets, columns) in data()) {
            let write = WriteOptions { columns: columns.clone(), raw_codes: true, ..Default::default() };
            let read = ReadOptions { columns: columns.clone(), raw_codes: true, recode: Recode::AsIs, ..Default::default() };
            assert_same_persons(&write_and_read(&m, &booklets, &write, &read), &m, &booklets, &columns);
        }

        #[test]
        fn policy_applied_round_trip((m, booklets, columns) in data(), omitted: bool, not_reached: bool) {
            let policy = MissingPolicy { omitted_as_zero: omitted, not_reached_as_zero: not_reached };
            let write = WriteOptions { columns: columns.clone(), policy, ..Default::default() };
            let read = ReadOptions { columns: columns.clone(), recode: Recode::AsIs, ..Default::default() };
            assert_same_persons(&write_and_read(&m, &booklets, &write, &read), &m.scaled(policy), &booklets, &columns);
        }

        #[test]
        fn original_values_round_trip(
            (m, booklets, columns) in data(),
            values in prop::collection::vec(prop::collection::btree_set(-300i64..250, 4), 4),
        ) {
            let values: Vec<Vec<i64>> = values[..m.n_items()].iter().map(|s| s.iter().copied().collect()).collect();
            let write = WriteOptions { columns: columns.clone(), raw_codes: true, category_values: Some(&values), ..Default::default() };
            let read = ReadOptions { columns, raw_codes: true, ..Default::default() };
            let back = write_and_read(&m, &booklets, &write, &read);
            for p in 0..m.n_persons() {
                for (j, (&was, &is)) in m.row(p).iter().zip(back.matrix.row(p)).enumerate() {
                    if ResponseMatrix::is_response(was) {
                        prop_assert_eq!(back.category_values[j][usize::from(is)], values[j][usize::from(was)]);
                    } else {
                        prop_assert_eq!(is, was);
                    }
                }
            }
        }
    }
}

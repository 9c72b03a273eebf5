//! End to end through the `assess` binary: the README's main command, designs, and a
//! QTI export → import round trip of the demo bank.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn assess(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_assess"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the assess binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Number of booklet lines (`  booklet   3: …`) in `design bib` output.
fn booklet_lines(text: &str) -> usize {
    text.lines().filter(|l| l.trim_start().starts_with("booklet ")).count()
}

fn demo_bank() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/bank")
}

#[test]
fn validates_the_demo_bank_and_reports_its_design() {
    let out = assess(&["bank", "validate", "demo/bank"]);
    let text = stdout(&out);
    assert!(out.status.success(), "{}\n{}", text, stderr(&out));
    assert!(text.contains("Test `MATH8`"), "{text}");
    assert!(text.contains("7 booklets"), "{text}");
    assert!(text.contains("Questionnaire `STQ8`"), "{text}");
}

#[test]
fn demo_bank_summary_as_json_meets_the_content_brief() {
    let out = assess(&["bank", "validate", "demo/bank", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let test = |id: &str| {
        summary["tests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == id)
            .cloned()
            .unwrap()
    };
    let math = test("MATH8");
    assert!(math["items"].as_u64().unwrap() >= 42, "{math}");
    assert_eq!(math["blocks"], 7);
    assert_eq!(math["booklets"], 7);
    assert!(math["rater_scored"].as_u64().unwrap() >= 1);
    let ct = test("CT8");
    assert!(ct["items"].as_u64().unwrap() >= 6, "{ct}");
    let questionnaire = |id: &str| {
        summary["questionnaires"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("{id}"))
    };
    assert!(questionnaire("STQ8")["items"].as_u64().unwrap() >= 60);
    assert_eq!(questionnaire("TCQ8")["respondent"], "teacher");
    assert_eq!(questionnaire("PRQ8")["respondent"], "principal");
}

#[test]
fn a_broken_bank_fails_with_every_problem() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bank.toml"),
        "id = \"x\"\nversion = \"1\"\ntitle = { en = \"no chinese\" }\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("items")).unwrap();
    std::fs::write(dir.path().join("items/a.toml"), "id = \"b\"\n").unwrap();
    let out = assess(&["bank", "validate", dir.path().to_str().unwrap()]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("nothing was loaded"), "{err}");
    assert!(err.contains("items/a.toml"), "{err}");
}

#[test]
fn generates_and_checks_designs() {
    let out = assess(&["design", "bib", "--blocks", "7", "--per-booklet", "3"]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}{}", stderr(&out));
    assert_eq!(booklet_lines(&text), 7, "{text}");
    assert!(text.contains("λ = 1"), "{text}");

    let out = assess(&["design", "bib", "--blocks", "14", "--per-booklet", "4"]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}{}", stderr(&out));
    assert_eq!(booklet_lines(&text), 14, "{text}");
    assert!(text.contains("near-balanced"), "{text}");

    let dir = tempfile::tempdir().unwrap();
    let unbalanced = dir.path().join("d.toml");
    std::fs::write(
        &unbalanced,
        "booklets = [[\"A\", \"B\"], [\"B\", \"C\"], [\"A\", \"B\"]]\n",
    )
    .unwrap();
    let out = assess(&["design", "check", unbalanced.to_str().unwrap()]);
    assert!(
        !out.status.success(),
        "an unbalanced design fails the check: {}",
        stdout(&out)
    );

    // The near-balanced (14, 4) design: unequal pair counts are reported, not fatal.
    let near: Vec<String> = (0..14)
        .map(|i| {
            let blocks: Vec<String> = [0, 1, 4, 6]
                .iter()
                .map(|d| format!("\"C{}\"", (i + d) % 14 + 1))
                .collect();
            format!("[{}]", blocks.join(", "))
        })
        .collect();
    let near_file = dir.path().join("near.toml");
    std::fs::write(&near_file, format!("booklets = [{}]\n", near.join(", "))).unwrap();
    let out = assess(&["design", "check", near_file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stdout(&out));
    assert!(stdout(&out).contains("0 to 1"), "{}", stdout(&out));

    let out = assess(&["design", "bib", "--blocks", "3", "--per-booklet", "5"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("error:"), "{}", stderr(&out));
}

#[test]
fn qti_export_then_import_reproduces_the_test_items() {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("demo-qti.zip");
    let out = assess(&["bank", "export-qti", "demo/bank", "--out", zip.to_str().unwrap()]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));

    let target = dir.path().join("bank");
    let out = assess(&[
        "bank",
        "import-qti",
        zip.to_str().unwrap(),
        "--into",
        target.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));

    let demo = itembank::Bank::load(&demo_bank()).unwrap();
    let imported = itembank::Bank::load(&target).unwrap();
    assert!(!imported.items.is_empty());
    for (id, item) in &imported.items {
        assert_eq!(Some(item), demo.items.get(id), "item {id} changed in the round trip");
    }
    // Importing the same package again changes nothing and says why.
    let out = assess(&[
        "bank",
        "import-qti",
        zip.to_str().unwrap(),
        "--into",
        target.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert_eq!(itembank::Bank::load(&target).unwrap().items.len(), imported.items.len());
}

fn items_json(run: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(run.join("items.json")).unwrap()).unwrap()
}

#[test]
fn calibrates_csv_and_parquet_into_run_directories() {
    use calibration::data::read::{Columns, ReadOptions, WriteOptions, read_csv, write_parquet};
    let dir = tempfile::tempdir().unwrap();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/data/TAM_timssAusTwn_scored.csv");
    let items = "M032166,M032721,M032757,M032760A,M032760B,M032760C,M032761,M032692,M032626,M032595,M032673";
    let csv_run = dir.path().join("csv");
    let args = [
        "calibrate",
        data.to_str().unwrap(),
        "--model",
        "pcm",
        "--group",
        "IDCNTRY",
        "--items",
        items,
        "--out",
    ];
    let out = assess(&[&args[..], &[csv_run.to_str().unwrap()]].concat());
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    for file in [
        "manifest.json",
        "items.json",
        "items.csv",
        "groups.json",
        "diagnostics.json",
    ] {
        assert!(csv_run.join(file).is_file(), "{file} missing");
    }
    let diagnostics: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(csv_run.join("diagnostics.json")).unwrap()).unwrap();
    assert_eq!(diagnostics["converged"], true);
    assert!(
        diagnostics["item_fit"]["rmsd"]
            .as_array()
            .is_some_and(|r| r.len() == 11)
    );

    // The same data as Parquet gives the same estimates.
    let columns = Columns {
        group: Some("IDCNTRY".into()),
        ..Columns::default()
    };
    let read = ReadOptions {
        items: Some(items.split(',').map(str::to_string).collect()),
        columns: columns.clone(),
        ..ReadOptions::default()
    };
    let parsed = read_csv(&data, &read).unwrap();
    let parquet = dir.path().join("timss.parquet");
    let write = WriteOptions {
        columns,
        raw_codes: true,
        policy: Default::default(),
        category_values: None,
    };
    write_parquet(&parquet, &parsed.matrix, None, &write).unwrap();
    let parquet_run = dir.path().join("parquet");
    let args = [
        "calibrate",
        parquet.to_str().unwrap(),
        "--model",
        "pcm",
        "--group",
        "IDCNTRY",
        "--out",
    ];
    let out = assess(&[&args[..], &[parquet_run.to_str().unwrap()]].concat());
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let (a, b) = (items_json(&csv_run), items_json(&parquet_run));
    for (x, y) in a.as_array().unwrap().iter().zip(b.as_array().unwrap()) {
        assert_eq!(x["slope_intercept"], y["slope_intercept"], "{x} vs {y}");
    }

    // An existing run is not overwritten by accident.
    let out = assess(&[&args[..], &[parquet_run.to_str().unwrap()]].concat());
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--replace"), "{}", stderr(&out));
}

#[test]
fn bad_response_data_is_refused_with_where_and_what() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.csv");
    std::fs::write(&file, "a,b\n0,1\n1,x\n").unwrap();
    let out = assess(&[
        "calibrate",
        file.to_str().unwrap(),
        "--out",
        dir.path().join("run").to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("line 3") && err.contains("\"b\"") && err.contains("\"x\""),
        "{err}"
    );
    assert!(!dir.path().join("run").join("manifest.json").exists());
}

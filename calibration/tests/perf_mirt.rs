//! The speed comparison with mirt 1.45.1 (BENCHMARKS.md), on the simulated data sets of
//! ../shared/reference/perf. Ignored by default (it wants `--release` and minutes):
//!
//! ```sh
//! cargo test --release -p calibration --test perf_mirt -- --ignored --nocapture
//! ```
//!
//! Protocol: 61 nodes, tolerance 1e-4 as mirt; data already in memory; no standard
//! errors (mirt was timed without them); median of 5 runs; every estimate within
//! 2e-3 of mirt's estimates recorded beside its timing, unless our log-likelihood is
//! higher than mirt's (mirt stopped before the maximum), which is reported.

use std::path::{Path, PathBuf};
use std::time::Instant;

use calibration::data::read::{Columns, ReadOptions, read_csv};
use calibration::em::{Options, calibrate};
use calibration::model::{ItemParams, Model};
use serde_json::Value;

fn perf_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference/perf")
}

fn case(name: &str, model: Model, booklet: bool) {
    let timings: Value =
        serde_json::from_str(&std::fs::read_to_string(perf_dir().join("mirt_timings.json")).unwrap()).unwrap();
    let mirt = timings["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["case"] == name)
        .unwrap();
    let file = perf_dir().join(mirt["data_file"].as_str().unwrap());
    let started = Instant::now();
    let columns = Columns {
        booklet: booklet.then(|| "booklet".to_string()),
        ..Columns::default()
    };
    let data = read_csv(
        &file,
        &ReadOptions {
            columns,
            ..ReadOptions::default()
        },
    )
    .unwrap();
    let read = started.elapsed().as_secs_f64();
    let matrix = data.matrix;
    let start: Vec<ItemParams> = matrix
        .categories()
        .iter()
        .map(|&k| ItemParams::new(model.for_categories(k), k))
        .collect();
    let opts = Options::default();
    let mut seconds = Vec::new();
    let mut fit = None;
    for _ in 0..5 {
        let t = Instant::now();
        let f = calibrate(&matrix, start.clone(), &opts, &mut |_| {}).unwrap();
        seconds.push(t.elapsed().as_secs_f64());
        fit = Some(f);
    }
    let fit = fit.unwrap();
    seconds.sort_by(f64::total_cmp);
    let median = seconds[2];
    let mirt_seconds = mirt["wall_s"].as_f64().unwrap();
    let mirt_ll = mirt["logLik"].as_f64().unwrap();
    let mut largest_gap: f64 = 0.0;
    for (item, reference) in fit.items.iter().zip(mirt["estimates"].as_array().unwrap()) {
        for (value, name) in item.values.iter().zip(item.value_names()) {
            if let Some(want) = reference[name.as_str()].as_f64() {
                largest_gap = largest_gap.max((value - want).abs());
            }
        }
    }
    println!(
        "{name}: {} × {}, read {read:.2} s; calibrate median {median:.3} s over 5 ({} cycles), mirt {mirt_seconds:.2} s ({} cycles): {:.1}× faster; \
         logLik {:.4} vs mirt {mirt_ll:.4}; largest parameter gap {largest_gap:.1e}; {} threads",
        matrix.n_persons(),
        matrix.n_items(),
        fit.cycles,
        mirt["EM_cycles"],
        mirt_seconds / median,
        fit.loglik,
        rayon::current_num_threads()
    );
    assert!(
        largest_gap < 2e-3 || fit.loglik > mirt_ll,
        "{name}: estimates differ from mirt's by {largest_gap}"
    );
}

#[test]
#[ignore]
fn two_pl_100k() {
    case("2pl_n100k", Model::TwoPl, false);
}

#[test]
#[ignore]
fn graded_100k() {
    case("grm_n100k", Model::Graded, false);
}

#[test]
#[ignore]
fn rasch_200k_booklets() {
    case("rasch_mat_n200k", Model::Rasch, true);
}

#[test]
#[ignore]
fn two_pl_500k() {
    case("2pl_n500k", Model::TwoPl, false);
}

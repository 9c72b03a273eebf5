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

/// Peak resident memory of this process so far (Linux), in MiB.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// 1,000,000 × 40 2PL, simulated in memory (no mirt figure: it is the scale test).
#[test]
#[ignore]
fn two_pl_1m_simulated() {
    use calibration::simulate::{SimGroup, Simulation};
    let items: Vec<ItemParams> = (0..40)
        .map(|i| {
            let a = 0.5 + 1.5 * (i as f64 / 40.0);
            let b = -2.0 + 4.0 * ((i * 7) % 40) as f64 / 40.0;
            ItemParams {
                values: vec![a, -a * b],
                ..ItemParams::new(Model::TwoPl, 2)
            }
        })
        .collect();
    let sim = Simulation {
        items: items.clone(),
        booklets: vec![],
        groups: vec![SimGroup {
            name: "all".into(),
            persons: 1_000_000,
            mean: 0.0,
            sd: 1.0,
        }],
        seed: 1,
    };
    let (matrix, _) = sim.run();
    let start: Vec<ItemParams> = items.iter().map(|i| ItemParams::new(i.model, i.categories)).collect();
    let t = Instant::now();
    let fit = calibrate(&matrix, start, &Options::default(), &mut |_| {}).unwrap();
    let seconds = t.elapsed().as_secs_f64();
    let worst = fit
        .items
        .iter()
        .zip(&items)
        .flat_map(|(e, t)| e.values.iter().zip(&t.values).map(|(a, b)| (a - b).abs()))
        .fold(0.0, f64::max);
    println!(
        "2pl_1m: 1,000,000 × 40 calibrated in {seconds:.2} s ({} cycles), largest error vs truth {worst:.3}, peak RSS {:.0} MiB, {} threads",
        fit.cycles,
        peak_rss_mib().unwrap_or(f64::NAN),
        rayon::current_num_threads()
    );
    assert!(worst < 0.05);
}

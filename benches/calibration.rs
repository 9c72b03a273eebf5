//! Speed of calibration's hot paths: the E-step (every EM cycle, every person), the
//! M-step (every cycle, every item) and a whole calibration. The comparison with mirt
//! on the reference data sets is `calibration/tests/perf_mirt.rs` (BENCHMARKS.md).

use std::hint::black_box;

use calibration::data::ResponseMatrix;
use calibration::em::{Options, Prepared, calibrate, estep, maximise_item};
use calibration::model::{ItemParams, Model};
use calibration::quadrature::Grid;
use calibration::simulate::{SimGroup, Simulation};
use criterion::{Criterion, criterion_group, criterion_main};

/// 2PL items like the reference perf data: a in [0.5, 2], b spread over [−2, 2].
fn items(n: usize) -> Vec<ItemParams> {
    (0..n)
        .map(|i| {
            let a = 0.5 + 1.5 * (i as f64 / n as f64);
            let b = -2.0 + 4.0 * ((i * 7) % n) as f64 / n as f64;
            ItemParams {
                values: vec![a, -a * b],
                ..ItemParams::new(Model::TwoPl, 2)
            }
        })
        .collect()
}

fn data(persons: usize, n_items: usize) -> ResponseMatrix {
    let sim = Simulation {
        items: items(n_items),
        booklets: vec![],
        groups: vec![SimGroup {
            name: "all".into(),
            persons,
            mean: 0.0,
            sd: 1.0,
        }],
        seed: 1,
    };
    sim.run().0
}

fn log_table(items: &[ItemParams], grid: &Grid) -> Vec<f64> {
    let mut table = Vec::new();
    let mut p = [0.0; 2];
    for item in items {
        let rows: Vec<[f64; 2]> = grid
            .nodes
            .iter()
            .map(|&t| {
                item.probs(t, &mut p);
                [p[0].ln(), p[1].ln()]
            })
            .collect();
        table.extend(rows.iter().map(|r| r[0]));
        table.extend(rows.iter().map(|r| r[1]));
    }
    table
}

fn bench_estep(c: &mut Criterion) {
    let matrix = data(100_000, 40);
    let truth = items(40);
    let grid = Grid::mirt_default();
    let prep = Prepared::new(&matrix, &[2; 40]);
    let table = log_table(&truth, &grid);
    let prior = grid.log_normal_weights(0.0, 1.0);
    let mut group = c.benchmark_group("estep");
    group.sample_size(20);
    group.bench_function("2pl_100k_x40_61nodes", |b| {
        b.iter(|| estep(black_box(&prep), &table, &prior, grid.len()).loglik)
    });
    group.finish();
}

fn bench_mstep(c: &mut Criterion) {
    let matrix = data(20_000, 40);
    let truth = items(40);
    let grid = Grid::mirt_default();
    let prep = Prepared::new(&matrix, &[2; 40]);
    let e = estep(
        &prep,
        &log_table(&truth, &grid),
        &grid.log_normal_weights(0.0, 1.0),
        grid.len(),
    );
    let start = ItemParams::new(Model::TwoPl, 2);
    let q = grid.len();
    c.bench_function("mstep/2pl_item_from_start", |b| {
        b.iter(|| maximise_item(black_box(&start), &e.counts[..2 * q], &grid.nodes).values[1])
    });
}

fn bench_calibrate(c: &mut Criterion) {
    let matrix = data(20_000, 40);
    let start: Vec<ItemParams> = (0..40).map(|_| ItemParams::new(Model::TwoPl, 2)).collect();
    let mut group = c.benchmark_group("calibrate");
    group.sample_size(10);
    group.bench_function("2pl_20k_x40", |b| {
        b.iter(|| calibrate(black_box(&matrix), start.clone(), &Options::default(), &mut |_| {}).map(|f| f.loglik))
    });
    group.finish();
}

criterion_group!(benches, bench_estep, bench_mstep, bench_calibrate);
criterion_main!(benches);

//! Speed of person scoring at city scale: WLEs with standard errors, and EAPs with 10
//! plausible values, for 1,000,000 students on a 40-item 2PL test (the targets:
//! under 10 s and under 15 s on 2 cores; mirt's `fscores` WLE takes 102 s for 10,000).
//! `SCORING_STUDENTS` shrinks the run for a quick look.

use std::hint::black_box;

use calibration::model::{ItemParams, Model};
use calibration::quadrature::Grid;
use criterion::{Criterion, criterion_group, criterion_main};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha20Rng;
use scoring::latreg::{self, Data, Design, PopulationModel, PvOptions};
use scoring::person::{Estimator, Scorer};

const ITEMS: usize = 40;

fn students() -> usize {
    std::env::var("SCORING_STUDENTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000)
}

/// 40 2PL items and responses of N(0, 1) students, one ChaCha stream per student.
fn data(n: usize) -> (Vec<ItemParams>, Vec<u8>) {
    let mut rng = ChaCha20Rng::seed_from_u64(40);
    let items: Vec<ItemParams> = (0..ITEMS)
        .map(|_| {
            let mut item = ItemParams::new(Model::TwoPl, 2);
            let a = rng.random_range(0.7..2.0);
            item.values = vec![a, -a * rng.random_range(-2.0..2.0)];
            item
        })
        .collect();
    let mut responses = vec![0u8; n * ITEMS];
    let mut p = [0.0; 2];
    for (i, row) in responses.chunks_mut(ITEMS).enumerate() {
        let mut rng = ChaCha20Rng::seed_from_u64(41);
        rng.set_stream(i as u64);
        let u1: f64 = 1.0 - rng.random::<f64>();
        let theta = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * rng.random::<f64>()).cos();
        for (x, item) in row.iter_mut().zip(&items) {
            item.probs(theta, &mut p);
            *x = u8::from(rng.random::<f64>() < p[1]);
        }
    }
    (items, responses)
}

fn bench_people(c: &mut Criterion) {
    let n = students();
    let (items, responses) = data(n);
    let mut group = c.benchmark_group("person_scoring");
    group.sample_size(10);
    group.bench_function(format!("wle_with_se_{n}x{ITEMS}_2pl"), |b| {
        b.iter(|| black_box(Scorer::new(0.0, 1.0).estimate_all(&items, &responses, Estimator::Wle)))
    });
    let design = Design::intercept(n);
    let model = PopulationModel {
        terms: design.names.clone(),
        coefficients: vec![0.0],
        variances: vec![1.0],
        log_likelihood: 0.0,
        iterations: 0,
        converged: true,
        history: Vec::new(),
    };
    let keys: Vec<u64> = (0..n as u64).collect();
    let grid = Grid::mirt_default();
    group.bench_function(format!("eap_and_10_pv_{n}x{ITEMS}_2pl"), |b| {
        b.iter(|| {
            let data = Data {
                items: &items,
                responses: &responses,
                design: &design,
                weights: None,
                variance_groups: None,
            };
            black_box(latreg::draw(&data, &model, &grid, &keys, &PvOptions::default()))
        })
    });
    group.finish();
}

criterion_group!(benches, bench_people);
criterion_main!(benches);

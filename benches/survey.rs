//! Speed of the population estimators on the reference table: 100,000 students
//! in 16 districts, 10 plausible values, 80 Fay replicates (PISA's design), and per
//! district the mean, SD, P5–P95 and the shares in 4 proficiency levels, each with its
//! replicate × PV standard error. Target: under 5 s on 2 cores.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha20Rng;
use scoring::estimate::{Grouping, Levels, Options, Sample, Statistic, Variable};
use scoring::survey::{ReplicateMethod, ReplicateWeights};

const STUDENTS: usize = 100_000;
const SCHOOLS: usize = 400;
const DISTRICTS: usize = 16;
const REPLICATES: usize = 80;
const PVS: usize = 10;

/// A standard normal deviate by Box–Muller.
fn normal(rng: &mut ChaCha20Rng) -> f64 {
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

struct Data {
    weights: ReplicateWeights,
    schools: Vec<u32>,
    districts: Vec<u32>,
    pv: Vec<Vec<f64>>,
}

/// 400 schools of 250 students, 25 per district; schools paired in 200 zones, and in
/// each Fay replicate one school of a zone weighted 1.5 and the other 0.5. Scores: a
/// school effect (SD 40), a student effect (SD 90) and PV noise (SD 30) around 500.
fn data() -> Data {
    let mut rng = ChaCha20Rng::seed_from_u64(2026);
    let school: Vec<usize> = (0..STUDENTS).map(|i| i * SCHOOLS / STUDENTS).collect();
    let school_effect: Vec<f64> = (0..SCHOOLS).map(|_| 40.0 * normal(&mut rng)).collect();
    let base: Vec<f64> = (0..SCHOOLS).map(|_| rng.random_range(5.0..30.0)).collect();
    let theta: Vec<f64> = school
        .iter()
        .map(|&j| 500.0 + school_effect[j] + 90.0 * normal(&mut rng))
        .collect();
    let pv = (0..PVS)
        .map(|_| theta.iter().map(|t| t + 30.0 * normal(&mut rng)).collect())
        .collect();
    let full: Vec<f64> = school.iter().map(|&j| base[j] * rng.random_range(0.9..1.1)).collect();
    let replicates = (0..REPLICATES)
        .map(|_| {
            let first_up: Vec<bool> = (0..SCHOOLS / 2).map(|_| rng.random::<bool>()).collect();
            full.iter()
                .zip(&school)
                .map(|(w, &j)| {
                    let up = first_up[j / 2] == (j % 2 == 0);
                    w * if up { 1.5 } else { 0.5 }
                })
                .collect()
        })
        .collect();
    Data {
        weights: ReplicateWeights {
            method: ReplicateMethod::FayBrr { k: 0.5 },
            full,
            replicates,
            df: REPLICATES as f64,
        },
        schools: school.iter().map(|&j| j as u32).collect(),
        districts: school.iter().map(|&j| (j % DISTRICTS) as u32).collect(),
        pv,
    }
}

fn statistics() -> Vec<Statistic> {
    let mut statistics = vec![Statistic::Mean, Statistic::Sd];
    statistics.extend([5.0, 10.0, 25.0, 50.0, 75.0, 90.0, 95.0].map(Statistic::Percentile));
    if let Ok(levels) = Levels::new(vec![420.0, 500.0, 580.0]) {
        statistics.extend(levels.in_level());
    }
    statistics
}

fn bench_table(c: &mut Criterion) {
    let d = data();
    let labels = (1..=DISTRICTS).map(|k| format!("district {k}")).collect();
    let districts = Grouping::new(labels, &d.districts);
    let statistics = statistics();
    let mut group = c.benchmark_group("survey");
    group.sample_size(10);
    group.bench_function("table_16_districts_13_stats_100k_80rep_10pv", |b| {
        b.iter(|| {
            Sample::new(black_box(&d.weights), Some(&d.schools), Options::default())
                .and_then(|sample| sample.table(Variable::Plausible(&d.pv), &districts, &statistics))
                .map(|table| table.rows.len())
        })
    });
    group.finish();
}

criterion_group!(benches, bench_table);
criterion_main!(benches);

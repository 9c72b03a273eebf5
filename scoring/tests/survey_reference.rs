//! Replicate standard errors against an independent implementation: samplics 0.6.1
//! (JK1; Fay BRR on zones of two) and, where samplics has no method, numpy code written
//! from the definitions (JK2; Fay BRR with zones of three), on two generated stratified
//! two-stage designs (`data/survey/generate.py` says how the fixture was made and how to
//! remake it). Our weights come from the whole chain (`weigh`) with full response and
//! no final ratio step, which is what the reference replicates. Tolerance: 1e-8 relative.

use std::path::Path;

use scoring::survey::{
    Replication, Sample, SampledSchool, SampledStudent, SchoolSample, SchoolStatus, StratumSummary, StudentStatus,
    Totals, UnitId, WeightedSample, WeightingOptions, weigh,
};
use serde_json::Value;

struct Design {
    sample: Sample,
    y: Vec<f64>,
    x: Vec<f64>,
    d: Vec<f64>,
    fixture: Value,
}

fn designs() -> Vec<Design> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/survey/reference.json");
    let fixture: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    fixture["designs"].as_array().unwrap().iter().map(design).collect()
}

fn design(v: &Value) -> Design {
    let schools: Vec<SampledSchool> = v["schools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| SampledSchool {
            id: s["id"].as_u64().unwrap(),
            stratum: s["stratum"].as_str().unwrap().into(),
            order: s["order"].as_u64().unwrap() as usize,
            mos: s["mos"].as_f64().unwrap(),
            prob: s["prob"].as_f64().unwrap(),
            certainty: false,
            status: SchoolStatus::Participating,
            nr_cell: None,
        })
        .collect();
    let mut strata: Vec<StratumSummary> = Vec::new();
    for s in &schools {
        if !strata.iter().any(|x| x.stratum == s.stratum) {
            let members = schools.iter().filter(|x| x.stratum == s.stratum).count();
            strata.push(StratumSummary {
                stratum: s.stratum.clone(),
                frame_schools: members,
                frame_mos: 1.0,
                allocated: members,
                certainty: 0,
                interval: None,
                start: None,
            });
        }
    }
    let rows = v["students"].as_array().unwrap();
    let students = rows
        .iter()
        .map(|s| SampledStudent {
            id: s["id"].as_u64().unwrap(),
            school: s["school"].as_u64().unwrap(),
            class: None,
            prob: s["prob"].as_f64().unwrap(),
            status: StudentStatus::Assessed,
            subjects: vec![],
            nr_cell: None,
        })
        .collect();
    let column = |k: &str| rows.iter().map(|s| s[k].as_f64().unwrap()).collect();
    Design {
        sample: Sample {
            schools: SchoolSample { strata, schools },
            students,
            subjects: None,
        },
        y: column("y"),
        x: column("x"),
        d: column("d"),
        fixture: v.clone(),
    }
}

/// mean, total, domain mean and ratio of y under weights w.
fn statistics(d: &Design, w: &[f64]) -> [f64; 4] {
    let sum = |f: &dyn Fn(usize) -> f64| (0..w.len()).map(|i| w[i] * f(i)).sum::<f64>();
    let wy = sum(&|i| d.y[i]);
    [
        wy / sum(&|_| 1.0),
        wy,
        sum(&|i| d.y[i] * d.d[i]) / sum(&|i| d.d[i]),
        wy / sum(&|i| d.x[i]),
    ]
}

const NAMES: [&str; 4] = ["mean", "total", "domain_mean", "ratio"];

fn standard_errors(d: &Design, weighted: &WeightedSample) -> [f64; 4] {
    let w = &weighted.weights;
    let full = statistics(d, &w.full);
    let reps: Vec<[f64; 4]> = w.replicates.iter().map(|r| statistics(d, r)).collect();
    std::array::from_fn(|k| {
        let t: Vec<f64> = reps.iter().map(|r| r[k]).collect();
        w.sampling_variance(full[k], &t).sqrt()
    })
}

fn options() -> WeightingOptions {
    WeightingOptions {
        totals: Totals::Design,
        ..WeightingOptions::default()
    }
}

#[test]
fn standard_errors_match_the_reference() {
    let mut worst: f64 = 0.0;
    for d in designs() {
        let name = d.fixture["name"].as_str().unwrap().to_string();
        for (key, replication) in [
            ("jk1", Replication::Jk1),
            ("jk2", Replication::Jk2),
            (
                "fay_brr",
                Replication::FayBrr {
                    k: 0.5,
                    replicates: None,
                },
            ),
        ] {
            let reference = &d.fixture["results"][key];
            let weighted = weigh(&d.sample, &options(), replication).unwrap();
            assert_eq!(
                weighted.weights.replicates.len() as u64,
                reference["replicates"].as_u64().unwrap(),
                "{name} {key}"
            );
            let ours = standard_errors(&d, &weighted);
            for (k, stat) in NAMES.iter().enumerate() {
                let theirs = reference["se"][stat].as_f64().unwrap();
                let rel = (ours[k] - theirs).abs() / theirs;
                worst = worst.max(rel);
                assert!(rel < 1e-8, "{name} {key} {stat}: ours {} reference {theirs}", ours[k]);
            }
        }
    }
    println!("largest relative SE difference: {worst:.2e}");
}

#[test]
fn full_sample_estimates_and_zones_match() {
    for d in designs() {
        let weighted = weigh(&d.sample, &options(), Replication::Jk2).unwrap();
        let full = statistics(&d, &weighted.weights.full);
        for (k, stat) in NAMES.iter().enumerate() {
            let theirs = d.fixture["results"]["estimates"][stat].as_f64().unwrap();
            assert!((full[k] - theirs).abs() <= 1e-10 * theirs.abs());
        }
        let zones: Vec<Vec<u64>> = weighted
            .zones
            .iter()
            .map(|z| {
                z.units
                    .iter()
                    .map(|u| match u {
                        UnitId::School(id) => *id,
                        other => panic!("unexpected unit {other:?}"),
                    })
                    .collect()
            })
            .collect();
        let expected: Vec<Vec<u64>> = serde_json::from_value(d.fixture["zones"].clone()).unwrap();
        assert_eq!(zones, expected);
        assert_eq!(weighted.weights.df, expected.len() as f64);
    }
}

//! Builders shared by the estimator tests: JK1 replicate weights from PSUs, options
//! without suppression, tolerant comparison.

#![allow(dead_code)] // each test file uses its own subset

use scoring::estimate::Options;
use scoring::survey::{ReplicateMethod, ReplicateWeights};

/// Delete-one-PSU jackknife: replicate r gives PSU r weight 0 and the others P/(P − 1)
/// times their weight; c = (P − 1)/P, df = P − 1.
pub fn jk1(full: Vec<f64>, psu: &[usize]) -> ReplicateWeights {
    let p = psu.iter().max().map_or(0, |m| m + 1);
    let scale = p as f64 / (p as f64 - 1.0);
    let replicates = (0..p)
        .map(|r| {
            full.iter()
                .zip(psu)
                .map(|(&w, &k)| if k == r { 0.0 } else { w * scale })
                .collect()
        })
        .collect();
    ReplicateWeights {
        method: ReplicateMethod::Jk1,
        full,
        replicates,
        df: p as f64 - 1.0,
    }
}

/// Every cell reported, whatever its size.
pub fn report_all() -> Options {
    Options {
        min_students: 0,
        min_schools: 0,
        ..Options::default()
    }
}

/// |a − b| ≤ tol·max(1, |b|).
pub fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1.0)
}

#[track_caller]
pub fn assert_close(a: f64, b: f64, tol: f64) {
    assert!(close(a, b, tol), "{a} vs {b}");
}

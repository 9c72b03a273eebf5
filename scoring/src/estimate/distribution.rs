//! Mean, SD, percentiles and shares of one group's values on every weight set.
//!
//! The values of a plausible value are sorted once; then one pass per weight set over
//! that order accumulates the weight, the moments, the cumulative weight where each
//! percentile is reached and the weight below each cut. Sorting is the only
//! super-linear step and is shared by all 1 + R weight sets.

use super::Sample;
use super::statistic::{Pass, Plan};

/// Every statistic of `plan` for the values `column[i]`, i in `rows` (none missing), on
/// every weight set: `out[s·K + k]`. `totals[s]` is the rows' weight in set s, which
/// fixes the percentile targets before the pass.
pub(crate) fn draws(sample: &Sample, column: &[f64], rows: &[usize], totals: &[f64], plan: &Plan) -> Vec<f64> {
    let mut sorted: Vec<(f64, usize)> = rows.iter().map(|&i| (column[i], i)).collect();
    sorted.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let cut_at: Vec<usize> = plan
        .cuts
        .iter()
        .map(|&cut| sorted.partition_point(|&(x, _)| x < cut))
        .collect();
    // Moments about the median keep Σw·d² free of cancellation on a 500-point scale.
    let shift = sorted.get(sorted.len() / 2).map_or(0.0, |&(x, _)| x);
    let stats = plan.len();
    let mut out = vec![0.0; sample.sets() * stats];
    let mut percentiles = vec![0.0; plan.shares.len()];
    let mut below = vec![0.0; plan.cuts.len()];
    for (s, slot) in out.chunks_exact_mut(stats).enumerate() {
        let weights = sample.set(s);
        let targets = plan.shares.iter().map(|p| p * totals[s]);
        let mut targets = targets.zip(0..).peekable();
        let (mut weight, mut first, mut second) = (0.0, 0.0, 0.0);
        let mut next_cut = 0;
        let mut last = f64::NAN;
        for (position, &(x, i)) in sorted.iter().enumerate() {
            while cut_at.get(next_cut) == Some(&position) {
                below[next_cut] = weight;
                next_cut += 1;
            }
            let w = weights[i];
            if w == 0.0 {
                continue;
            }
            let d = x - shift;
            weight += w;
            first += w * d;
            second += w * d * d;
            last = x;
            while let Some((_, j)) = targets.next_if(|&(target, _)| weight >= target) {
                percentiles[j] = x;
            }
        }
        below[next_cut..].fill(weight);
        // Rounding can leave the last target a hair above the accumulated weight.
        for (_, j) in targets {
            percentiles[j] = last;
        }
        let mean = first / weight;
        let pass = Pass {
            weight,
            mean: shift + mean,
            variance: (second / weight - mean * mean).max(0.0),
            percentiles: &percentiles,
            below: &below,
        };
        plan.read(&pass, slot);
    }
    out
}

/// The rows' weight in every weight set.
pub(crate) fn totals(sample: &Sample, rows: &[usize]) -> Vec<f64> {
    (0..sample.sets())
        .map(|s| {
            let weights = sample.set(s);
            rows.iter().map(|&i| weights[i]).sum()
        })
        .collect()
}

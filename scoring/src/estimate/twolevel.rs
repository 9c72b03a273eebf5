//! The two-level null model: how achievement variance splits between and within
//! schools, by a weighted one-way ANOVA (method of moments).
//!
//! On each weight set, with N students of positive weight in J schools, weights
//! normalised to sum to N (so the estimator does not depend on their scale and reduces
//! to the classical unweighted ANOVA when all weights are equal), W_j a school's
//! normalised weight, ȳ_j its weighted mean and ȳ the overall weighted mean:
//!
//! - MS_within = Σ_j Σ_i w_ij (y_ij − ȳ_j)² / (N − J)
//! - MS_between = Σ_j W_j (ȳ_j − ȳ)² / (J − 1)
//! - n₀ = (N − Σ_j W_j²/N) / (J − 1)
//! - σ²_w = MS_within, σ²_b = max(0, (MS_between − MS_within)/n₀), ICC = σ²_b/(σ²_b + σ²_w).
//!
//! Every plausible value and replicate gets its own decomposition; they are combined by
//! Rubin's rules like any statistic.

use super::input::common_draws;
use super::sample::rows;
use super::{EstimateError, Grouping, Row, Sample, TwoLevelFit, Variable};

impl Sample<'_> {
    /// Between- and within-school variance and the ICC of `achievement` in each group
    /// (students missing it are left out). Needs the sample's school ids.
    pub fn two_level(
        &self,
        achievement: Variable,
        grouping: &Grouping,
    ) -> Result<Vec<Row<TwoLevelFit>>, EstimateError> {
        let schools = self.schools.ok_or(EstimateError::NoSchools)?;
        let n = self.students();
        let draws = common_draws(&[("the analysis variable", achievement)], n)?;
        grouping.check(n)?;
        let mut members = grouping.rows(|i| achievement.present(i));
        for group in &mut members {
            group.sort_by_key(|&i| (schools[i], i));
        }
        let cells = self.cells(&members, draws, |cell, m| {
            decompose(self, achievement.column(m), &members[cell], schools)
        });
        Ok(rows(grouping, cells, |draws| {
            Some(TwoLevelFit {
                between: self.rubin.combine(draws, 0, 3)?,
                within: self.rubin.combine(draws, 1, 3)?,
                icc: self.rubin.combine(draws, 2, 3)?,
            })
        }))
    }
}

/// [σ²_b, σ²_w, ICC] on every weight set for `rows` sorted by school; NaN where fewer
/// than two schools or no within-school degrees of freedom remain.
fn decompose(sample: &Sample, column: &[f64], rows: &[usize], schools: &[u32]) -> Vec<f64> {
    let by_school: Vec<&[usize]> = rows.chunk_by(|&a, &b| schools[a] == schools[b]).collect();
    // Sums about the group's unweighted mean avoid cancellation in Σw·y².
    let shift = rows.iter().map(|&i| column[i]).sum::<f64>() / rows.len().max(1) as f64;
    let mut totals = Vec::with_capacity(by_school.len());
    let mut out = Vec::with_capacity(3 * sample.sets());
    for s in 0..sample.sets() {
        let weights = sample.set(s);
        totals.clear();
        let (mut students, mut within) = (0usize, 0.0);
        for school in &by_school {
            let (mut weight, mut first, mut second) = (0.0, 0.0, 0.0);
            for &i in *school {
                let w = weights[i];
                if w > 0.0 {
                    let d = column[i] - shift;
                    students += 1;
                    weight += w;
                    first += w * d;
                    second += w * d * d;
                }
            }
            if weight > 0.0 {
                within += second - first * first / weight;
                totals.push((weight, first));
            }
        }
        let (n, j) = (students as f64, totals.len() as f64);
        if totals.len() < 2 || students <= totals.len() {
            out.extend([f64::NAN; 3]);
            continue;
        }
        let weight: f64 = totals.iter().map(|t| t.0).sum();
        let mean = totals.iter().map(|t| t.1).sum::<f64>() / weight;
        let between: f64 = totals.iter().map(|&(w, a)| w * (a / w - mean).powi(2)).sum();
        let squares: f64 = totals.iter().map(|t| t.0 * t.0).sum();
        let scale = n / weight;
        let ms_within = scale * within / (n - j);
        let ms_between = scale * between / (j - 1.0);
        let n0 = (n - scale * scale * squares / n) / (j - 1.0);
        let sigma_b = ((ms_between - ms_within) / n0).max(0.0);
        out.extend([sigma_b, ms_within, sigma_b / (sigma_b + ms_within)]);
    }
    out
}

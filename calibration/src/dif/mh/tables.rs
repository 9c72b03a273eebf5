//! One item's score-stratified group × category tables and the statistics pooled over them.

use super::{EtsClass, MhItem, NotEstimable};
use crate::classical::Moments;
use std::collections::BTreeMap;

/// Weight per item category of each group in one stratum.
#[derive(Debug, Clone)]
struct Stratum {
    reference: Vec<f64>,
    focal: Vec<f64>,
}

/// The tables of one item; strata are visited in ascending score, so sums are reproducible.
pub(super) struct Tables {
    categories: usize,
    max_score: u8,
    strata: BTreeMap<u32, Stratum>,
    /// Item score over both groups, for the SD that scales SMD.
    spread: Moments,
}

/// Σ c · w_c: the weighted score sum of a category column.
fn score_sum(weights: &[f64]) -> f64 {
    weights.iter().enumerate().map(|(c, w)| c as f64 * w).sum()
}

impl Tables {
    /// Empty tables for an item with `categories` score categories (at least 2 are kept, so a
    /// 0/1 table exists even when nobody scored 1).
    pub(super) fn new(categories: u8) -> Tables {
        Tables {
            categories: usize::from(categories).max(2),
            max_score: categories.saturating_sub(1),
            strata: BTreeMap::new(),
            spread: Moments::default(),
        }
    }

    /// Adds a person with matching score `stratum`, item score `score` and weight `w`.
    pub(super) fn add(&mut self, stratum: u32, focal: bool, score: u8, w: f64) {
        let k = self.categories;
        let cell = self.strata.entry(stratum).or_insert_with(|| Stratum {
            reference: vec![0.0; k],
            focal: vec![0.0; k],
        });
        let column = if focal { &mut cell.focal } else { &mut cell.reference };
        column[usize::from(score)] += w;
        self.spread.add(f64::from(score), 0.0, w);
    }

    /// Pools the strata into the item's statistics.
    ///
    /// Mantel's statistic compares the focal group's score sum F = Σₖ Fₖ with its expectation
    /// under no DIF, E Fₖ = n_Fk Tₖ / Nₖ, with hypergeometric variance
    /// n_Rk n_Fk (Nₖ Uₖ − Tₖ²) / (Nₖ² (Nₖ − 1)) (Tₖ, Uₖ: sums of scores and squared scores).
    /// For a 0/1 item this is exactly the MH χ² (|A − E A| = |F − E F| since the column totals
    /// are fixed), which then gets the continuity correction. Nₖ Uₖ − Tₖ² is computed as
    /// Σ_{a<b} w_a w_b (a − b)², which is exactly 0 for a stratum without variation.
    pub(super) fn analyse(&self, item: &str) -> MhItem {
        let dichotomous = self.categories == 2;
        let mut out = MhItem {
            item: item.to_owned(),
            max_score: self.max_score,
            strata: 0,
            n_reference: 0.0,
            n_focal: 0.0,
            n_excluded: 0.0,
            chi_square: None,
            p_value: None,
            alpha_mh: None,
            delta_mh: None,
            se_delta: None,
            smd: None,
            smd_effect: None,
            class: None,
            not_estimable: None,
        };
        let (mut sum_f, mut sum_e, mut sum_v, mut smd_sum) = (0.0, 0.0, 0.0, 0.0);
        // Robins–Breslow–Greenland sums: R = Σ AD/N, S = Σ BC/N and the P/Q-weighted terms.
        let (mut r, mut s, mut pr, mut ps_qr, mut qs) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for cell in self.strata.values() {
            let n_r: f64 = cell.reference.iter().sum();
            let n_f: f64 = cell.focal.iter().sum();
            let n = n_r + n_f;
            if !(n_r > 0.0 && n_f > 0.0 && n > 1.0) {
                out.n_excluded += n;
                continue;
            }
            out.strata += 1;
            out.n_reference += n_r;
            out.n_focal += n_f;
            let t_r = score_sum(&cell.reference);
            let t_f = score_sum(&cell.focal);
            smd_sum += n_f * (t_f / n_f - t_r / n_r);
            let pooled: Vec<f64> = cell.reference.iter().zip(&cell.focal).map(|(a, b)| a + b).collect();
            let mut spread = 0.0;
            for (a, &wa) in pooled.iter().enumerate() {
                for (b, &wb) in pooled.iter().enumerate().skip(a + 1) {
                    spread += wa * wb * ((b - a) as f64).powi(2);
                }
            }
            sum_f += t_f;
            sum_e += n_f * (t_r + t_f) / n;
            sum_v += n_r * n_f * spread / (n * n * (n - 1.0));
            if dichotomous {
                let (a, b, c, d) = (cell.reference[1], cell.reference[0], cell.focal[1], cell.focal[0]);
                let (r_k, s_k) = (a * d / n, b * c / n);
                let (p_k, q_k) = ((a + d) / n, (b + c) / n);
                r += r_k;
                s += s_k;
                pr += p_k * r_k;
                ps_qr += p_k * s_k + q_k * r_k;
                qs += q_k * s_k;
            }
        }
        if out.strata == 0 {
            out.not_estimable = Some(NotEstimable::NoCommonStrata);
            return out;
        }
        if sum_v <= 0.0 {
            out.not_estimable = Some(NotEstimable::NoVariation);
            return out;
        }
        let deviation = (sum_f - sum_e).abs();
        let deviation = if dichotomous {
            (deviation - 0.5).max(0.0)
        } else {
            deviation
        };
        let chi_square = deviation * deviation / sum_v;
        // χ²(1) upper tail = P(|Z| > √χ²) = erfc(√(χ²/2)); libm's erfc is accurate in the far tail.
        let p_value = libm::erfc((chi_square / 2.0).sqrt());
        let smd = smd_sum / out.n_focal;
        let sd = self.spread.var_x().map(f64::sqrt).filter(|&sd| sd > 0.0);
        let effect = sd.map(|sd| smd / sd);
        out.chi_square = Some(chi_square);
        out.p_value = Some(p_value);
        out.smd = Some(smd);
        out.smd_effect = effect;
        if !dichotomous {
            out.class = effect.map(|e| EtsClass::polytomous(e, p_value));
        } else if r > 0.0 && s > 0.0 {
            let alpha = r / s;
            let delta = -2.35 * alpha.ln();
            let var_ln = pr / (2.0 * r * r) + ps_qr / (2.0 * r * s) + qs / (2.0 * s * s);
            let se = 2.35 * var_ln.sqrt();
            out.alpha_mh = Some(alpha);
            out.delta_mh = Some(delta);
            out.se_delta = Some(se);
            out.class = Some(EtsClass::dichotomous(delta, se, p_value));
        } else {
            out.not_estimable = Some(NotEstimable::DegenerateOddsRatio);
        }
        out
    }
}

//! Rubin's rules over replicates × plausible values (DESIGN.md §5), Barnard–Rubin
//! degrees of freedom and t-based confidence intervals.
//!
//! For each plausible value m: t_m on the full-sample weights and U_m = c·Σ_r (t_mr − t_m)²
//! over the replicates. Then t̂ = mean_m t_m, Ū = mean_m U_m (all PVs, not PV1 only),
//! B = Σ_m (t_m − t̂)²/(M − 1), V = Ū + (1 + 1/M)·B. Degrees of freedom (Barnard & Rubin
//! 1999) with ν_com the replicate df: λ = (1 + 1/M)·B/V, ν_old = (M − 1)/λ²,
//! ν_obs = (ν_com + 1)/(ν_com + 3)·ν_com·(1 − λ), ν = 1/(1/ν_old + 1/ν_obs); with M = 1
//! V = U and ν = ν_com. When Ū = 0 (λ = 1, every replicate agrees with the full sample)
//! ν_obs vanishes and ν falls back to ν_old rather than to zero.

use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

use super::Estimate;

/// The constants every combination needs: the replicate factor c, the replicate
/// degrees of freedom and the confidence level of the intervals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rubin {
    pub factor: f64,
    pub df_com: f64,
    pub confidence: f64,
}

impl Rubin {
    /// Combines statistic `k` of `stats` statistics stored set-major in each plausible
    /// value's draws (`per_pv[m][s·stats + k]`, set 0 the full sample, then the
    /// replicates). `None` when any draw is not finite: the statistic does not exist
    /// on some weight set.
    pub fn combine(&self, per_pv: &[Vec<f64>], k: usize, stats: usize) -> Option<Estimate> {
        let draws = per_pv.len() as f64;
        let (mut total, mut sampling) = (0.0, 0.0);
        for values in per_pv {
            let full = values[k];
            total += full;
            sampling += self.factor
                * values[k + stats..]
                    .iter()
                    .step_by(stats)
                    .map(|t| (t - full).powi(2))
                    .sum::<f64>();
        }
        let estimate = total / draws;
        let sampling_variance = sampling / draws;
        let imputation_variance = if per_pv.len() > 1 {
            per_pv.iter().map(|values| (values[k] - estimate).powi(2)).sum::<f64>() / (draws - 1.0)
        } else {
            0.0
        };
        let variance = sampling_variance + (1.0 + 1.0 / draws) * imputation_variance;
        if !estimate.is_finite() || !variance.is_finite() {
            return None;
        }
        let df = self.degrees_of_freedom(per_pv.len(), imputation_variance, variance);
        let se = variance.sqrt();
        let half = t_quantile(df, 0.5 + self.confidence / 2.0) * se;
        Some(Estimate {
            estimate,
            se,
            sampling_variance,
            imputation_variance,
            df,
            ci_low: estimate - half,
            ci_high: estimate + half,
        })
    }

    /// Barnard–Rubin ν for M draws with between-draw variance B and total variance V.
    pub fn degrees_of_freedom(&self, draws: usize, imputation_variance: f64, variance: f64) -> f64 {
        if draws == 1 {
            return self.df_com;
        }
        let m = draws as f64;
        let lambda = if variance > 0.0 {
            (1.0 + 1.0 / m) * imputation_variance / variance
        } else {
            0.0
        };
        let old = (m - 1.0) / (lambda * lambda);
        let observed = (self.df_com + 1.0) / (self.df_com + 3.0) * self.df_com * (1.0 - lambda);
        if observed > 0.0 {
            1.0 / (1.0 / old + 1.0 / observed)
        } else {
            old
        }
    }
}

/// The p-quantile of Student's t with `df` degrees of freedom (the normal's when df is
/// infinite).
pub(crate) fn t_quantile(df: f64, p: f64) -> f64 {
    if df.is_infinite() {
        return Normal::standard().inverse_cdf(p);
    }
    StudentsT::new(0.0, 1.0, df).map_or(f64::NAN, |t| t.inverse_cdf(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three PVs of four students, each student its own PSU, JK1 with four replicates
    /// (replicate r drops student r and weights the others 4/3): c = 3/4, ν_com = 3.
    /// The statistic is the mean; a replicate's mean is the mean of the other three.
    ///
    /// PV1 10 20 30 40: t = 25, replicates 30, 80/3, 70/3, 20 → U = ¾·(25 + 25/9 + 25/9 + 25) = 125/3
    /// PV2 12 22 32 42: t = 27, the same spread → U = 125/3
    /// PV3  8 16 28 40: t = 23, replicates 28, 76/3, 64/3, 52/3 → U = ¾·588/9 = 49
    /// t̂ = 25; Ū = (125/3 + 125/3 + 49)/3 = 397/9; B = (0 + 4 + 4)/2 = 4;
    /// V = 397/9 + (4/3)·4 = 445/9, SE = 7.031674…
    /// λ = (16/3)/(445/9) = 48/445; ν_old = 2/λ² = 171.8967…; ν_obs = (4/6)·3·(397/445)
    /// = 794/445; ν = 1/(1/ν_old + 1/ν_obs) = 1.7659394…; t_.975(ν) = 4.8981307…
    /// (from R/scipy), CI = 25 ∓ 34.4420603….
    fn hand_draws() -> Vec<Vec<f64>> {
        vec![
            vec![25.0, 30.0, 80.0 / 3.0, 70.0 / 3.0, 20.0],
            vec![27.0, 32.0, 86.0 / 3.0, 76.0 / 3.0, 22.0],
            vec![23.0, 28.0, 76.0 / 3.0, 64.0 / 3.0, 52.0 / 3.0],
        ]
    }

    const JK1: Rubin = Rubin {
        factor: 0.75,
        df_com: 3.0,
        confidence: 0.95,
    };

    #[test]
    fn hand_checked_rubin_combination() {
        let draws = hand_draws();
        // Each PV's replicate variance.
        for (values, u) in draws.iter().zip([125.0 / 3.0, 125.0 / 3.0, 49.0]) {
            let one = JK1.combine(std::slice::from_ref(values), 0, 1).expect("finite");
            assert!((one.sampling_variance - u).abs() < 1e-12, "{}", one.sampling_variance);
            assert_eq!(one.imputation_variance, 0.0);
            assert_eq!(one.df, 3.0, "M = 1: ν = ν_com");
        }
        let e = JK1.combine(&draws, 0, 1).expect("finite");
        assert!((e.estimate - 25.0).abs() < 1e-12);
        assert!((e.sampling_variance - 397.0 / 9.0).abs() < 1e-12);
        assert!((e.imputation_variance - 4.0).abs() < 1e-12);
        assert!((e.se * e.se - 445.0 / 9.0).abs() < 1e-12);
        assert!((e.se - 7.031674369909662).abs() < 1e-12);
        assert!((e.df - 1.765939397891498).abs() < 1e-12, "{}", e.df);
        assert!((e.ci_low - (-9.442060314495812)).abs() < 1e-6, "{}", e.ci_low);
        assert!((e.ci_high - 59.44206031449581).abs() < 1e-6, "{}", e.ci_high);
    }

    #[test]
    fn barnard_rubin_pieces() {
        let lambda: f64 = 48.0 / 445.0;
        let old: f64 = 2.0 / (lambda * lambda);
        assert!((old - 171.89670138888889).abs() < 1e-9);
        let observed: f64 = 4.0 / 6.0 * 3.0 * (1.0 - lambda);
        assert!((observed - 794.0 / 445.0).abs() < 1e-12);
        let nu = JK1.degrees_of_freedom(3, 4.0, 445.0 / 9.0);
        assert!((nu - 1.0 / (1.0 / old + 1.0 / observed)).abs() < 1e-12);
        // No imputation variance: ν = ν_obs; no sampling variance: ν_old.
        assert!((JK1.degrees_of_freedom(3, 0.0, 10.0) - 2.0).abs() < 1e-12);
        assert_eq!(JK1.degrees_of_freedom(2, 2.0, 3.0), 1.0);
    }

    #[test]
    fn statistic_is_read_from_interleaved_draws() {
        // Two statistics set-major: the second is the first plus 1 on every set.
        let interleaved: Vec<Vec<f64>> = hand_draws()
            .iter()
            .map(|v| v.iter().flat_map(|&t| [t, t + 1.0]).collect())
            .collect();
        let first = JK1.combine(&interleaved, 0, 2).expect("finite");
        let second = JK1.combine(&interleaved, 1, 2).expect("finite");
        assert!((second.estimate - first.estimate - 1.0).abs() < 1e-12);
        assert!((second.se - first.se).abs() < 1e-12);
        assert_eq!(JK1.combine(&[vec![1.0, f64::NAN]], 0, 1), None);
    }

    #[test]
    fn quantiles() {
        assert!((t_quantile(3.0, 0.975) - 3.1824463052837078).abs() < 1e-9);
        assert!((t_quantile(80.0, 0.975) - 1.990063421254446).abs() < 1e-9);
        assert!((t_quantile(f64::INFINITY, 0.975) - 1.959963984540054).abs() < 1e-9);
    }
}

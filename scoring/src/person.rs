//! Person estimates on the latent scale: EAP, MAP, ML and WLE (Warm), each with its
//! standard error, for any mix of calibrated item models and missing responses.
//!
//! Conventions follow mirt's `fscores` defaults, so results compare with it: EAP and
//! its posterior SD on 121 rectangular nodes on [−6, 6] under the group's normal
//! prior; MAP and ML by Newton–Raphson bounded to ±20. Standard errors as mirt's:
//! ML 1/√J_obs(θ) and MAP 1/√(J_obs(θ) + 1/σ²) (observed information, of the
//! likelihood and the posterior), WLE 1/√(−d/dθ of Warm's corrected estimating equation).
//!
//! Edge cases: ML is infinite (±∞, SE ∞) for all-minimum or all-maximum patterns and
//! when the likelihood has no finite maximum (3PL patterns near the guessing floor); WLE stays finite there; a person without any administered
//! item gets the prior (EAP, MAP) or no estimate (ML, WLE: NaN-free `None`).

use calibration::data::codes::FIRST_MISSING;
use calibration::model::{ItemParams, Model, logistic};
use calibration::quadrature::Grid;
use rayon::prelude::*;
use serde::Serialize;

use crate::posterior::{NodeTable, log_weighted_moments};

/// How a person's θ is estimated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Estimator {
    Eap,
    Map,
    Ml,
    Wle,
}

/// An estimate and its standard error; ML may be ±∞ (with SE ∞).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PersonEstimate {
    pub theta: f64,
    pub se: f64,
}

/// The latent distribution a person is scored under, and the EAP grid.
#[derive(Debug, Clone, PartialEq)]
pub struct Scorer {
    pub mean: f64,
    pub variance: f64,
    pub grid: Grid,
    /// Bound of the Newton searches (mirt's `max_theta`).
    pub max_theta: f64,
}

impl Scorer {
    /// mirt's `fscores` defaults under N(mean, variance).
    pub fn new(mean: f64, variance: f64) -> Scorer {
        Scorer {
            mean,
            variance,
            grid: Grid::rectangular(121, -6.0, 6.0),
            max_theta: 20.0,
        }
    }

    /// Estimates θ from one person's responses (one byte per item, categories or
    /// missing codes, which are skipped). `None` when the estimator needs at least
    /// one response and there is none.
    pub fn estimate(&self, items: &[ItemParams], responses: &[u8], how: Estimator) -> Option<PersonEstimate> {
        let answered: Vec<(&ItemParams, usize)> = items
            .iter()
            .zip(responses)
            .filter(|&(item, &x)| x < FIRST_MISSING && x < item.categories)
            .map(|(item, &x)| (item, usize::from(x)))
            .collect();
        match how {
            Estimator::Eap => Some(self.eap(&answered)),
            Estimator::Map => Some(self.newton(&answered, how)),
            Estimator::Ml | Estimator::Wle if answered.is_empty() => None,
            Estimator::Ml => Some(self.ml(&answered)),
            Estimator::Wle => Some(self.newton(&answered, how)),
        }
    }

    fn eap(&self, answered: &[(&ItemParams, usize)]) -> PersonEstimate {
        let mut log_post = self.grid.log_normal_weights(self.mean, self.variance);
        for (node, lp) in self.grid.nodes.iter().zip(log_post.iter_mut()) {
            *lp += log_likelihood(answered, *node);
        }
        posterior_moments(&self.grid.nodes, &log_post)
    }

    /// Estimates every person of a persons × items matrix (row-major), in parallel. Each
    /// person is scored alone, so the result does not depend on the thread count; EAPs
    /// come from a table of the items at the grid nodes (additions only).
    pub fn estimate_all(&self, items: &[ItemParams], responses: &[u8], how: Estimator) -> Vec<Option<PersonEstimate>> {
        let k = items.len().max(1);
        if how != Estimator::Eap {
            return responses
                .par_chunks(k)
                .map(|row| self.estimate(items, row, how))
                .collect();
        }
        let table = NodeTable::new(items, &self.grid.nodes);
        let log_prior = self.grid.log_normal_weights(self.mean, self.variance);
        responses
            .par_chunks(k)
            .map_init(Vec::new, |log_post, row| {
                log_post.clone_from(&log_prior);
                table.add_log_likelihood(row, 0, 1, log_post);
                Some(posterior_moments(&self.grid.nodes, log_post))
            })
            .collect()
    }

    fn ml(&self, answered: &[(&ItemParams, usize)]) -> PersonEstimate {
        let at_min = answered.iter().all(|&(_, x)| x == 0);
        let at_max = answered.iter().all(|&(item, x)| x + 1 == usize::from(item.categories));
        if at_min || at_max {
            let theta = if at_min { f64::NEG_INFINITY } else { f64::INFINITY };
            return PersonEstimate {
                theta,
                se: f64::INFINITY,
            };
        }
        // A 3PL likelihood can have no finite maximum although the pattern is not
        // extreme (it levels off at the guessing floor); the search then stops at the
        // bound, which mirt reports as infinite. So do we.
        let estimate = self.newton(answered, Estimator::Ml);
        if estimate.theta.abs() >= self.max_theta - 1e-6 {
            return PersonEstimate {
                theta: estimate.theta.signum() * f64::INFINITY,
                se: f64::INFINITY,
            };
        }
        estimate
    }

    /// Newton–Raphson on the estimating equation of MAP, ML or WLE, with the test
    /// information as the slope (Fisher scoring) and step-halving on |equation|.
    fn newton(&self, answered: &[(&ItemParams, usize)], how: Estimator) -> PersonEstimate {
        let prior_info = 1.0 / self.variance;
        let equation = |theta: f64| -> (f64, f64) {
            let d = derivatives(answered, theta);
            let value = match how {
                Estimator::Map => d.score - (theta - self.mean) * prior_info,
                Estimator::Wle => d.score + d.warm / (2.0 * d.information),
                _ => d.score,
            };
            let slope = d.information + if how == Estimator::Map { prior_info } else { 0.0 };
            (value, slope)
        };
        let mut theta = if how == Estimator::Map { self.mean } else { 0.0 };
        let (mut value, mut slope) = equation(theta);
        // The WLE equation's slope is not the information, which makes Fisher scoring
        // crawl; a secant slope from the previous point restores fast convergence.
        let mut previous: Option<(f64, f64)> = None;
        for _ in 0..200 {
            if slope <= 0.0 || !value.is_finite() {
                break;
            }
            let secant = previous
                .map(|(t0, v0)| (v0 - value) / (theta - t0))
                .filter(|s| s.is_finite() && *s > 0.0);
            let mut step = value / secant.unwrap_or(slope);
            let moved = loop {
                let next = (theta + step).clamp(-self.max_theta, self.max_theta);
                let (next_value, next_slope) = equation(next);
                if next_value.abs() <= value.abs() || step.abs() <= 1e-12 {
                    let moved = next - theta;
                    previous = (moved != 0.0).then_some((theta, value));
                    (theta, value, slope) = (next, next_value, next_slope);
                    break moved;
                }
                step *= 0.5;
            };
            if moved.abs() < 1e-10 {
                break;
            }
        }
        let d = derivatives(answered, theta);
        let information = match how {
            // mirt: MAP from the observed information of the posterior …
            Estimator::Map => d.observed + prior_info,
            // … WLE from the slope of Warm's corrected estimating equation …
            Estimator::Wle => {
                const H: f64 = 1e-4;
                let (up, down) = (equation(theta + H).0, equation(theta - H).0);
                -(up - down) / (2.0 * H)
            }
            // … and ML from the observed information.
            _ => d.observed,
        };
        PersonEstimate {
            theta,
            se: 1.0 / information.sqrt(),
        }
    }
}

/// Mean and SD of the discrete posterior with log-weights `log_post` at `nodes`.
fn posterior_moments(nodes: &[f64], log_post: &[f64]) -> PersonEstimate {
    let (moments, _) = log_weighted_moments(nodes, log_post);
    PersonEstimate {
        theta: moments.mean,
        se: moments.sd,
    }
}

/// Σ log P_{i,x_i}(θ).
fn log_likelihood(answered: &[(&ItemParams, usize)], theta: f64) -> f64 {
    let mut p = Vec::new();
    answered
        .iter()
        .map(|&(item, x)| {
            p.resize(usize::from(item.categories), 0.0);
            item.probs(theta, &mut p);
            p[x].max(f64::MIN_POSITIVE).ln()
        })
        .sum()
}

/// The score d log L/dθ, the test information I(θ) and Warm's J(θ) = Σ Σ_k P′P″/P.
struct ThetaDerivatives {
    score: f64,
    information: f64,
    /// −d² log L/dθ² (equal to `information` for the 2PL, not for polytomous items).
    observed: f64,
    warm: f64,
}

/// The derivatives summed over the answered items: closed forms for the dichotomous
/// models (the hot path: a million WLEs), central differences of the category
/// probabilities for the polytomous ones (smooth functions, one code path for all).
fn derivatives(answered: &[(&ItemParams, usize)], theta: f64) -> ThetaDerivatives {
    let mut d = ThetaDerivatives {
        score: 0.0,
        information: 0.0,
        observed: 0.0,
        warm: 0.0,
    };
    let mut scratch = [Vec::new(), Vec::new(), Vec::new()];
    for &(item, x) in answered {
        if item.model.dichotomous() {
            add_dichotomous(&mut d, item, x, theta);
        } else {
            add_by_differences(&mut d, item, x, theta, &mut scratch);
        }
    }
    d
}

/// P = g + (1 − g)·σ(aθ + d): P′ = (1 − g)·a·σ(1 − σ), P″ = P′·a·(1 − 2σ); category 0
/// has probability Q = 1 − P and derivatives −P′, −P″.
fn add_dichotomous(d: &mut ThetaDerivatives, item: &ItemParams, x: usize, theta: f64) {
    let v = &item.values;
    let z = v[0] * theta + v[1];
    let guess = if item.model == Model::ThreePl {
        logistic(v[2])
    } else {
        0.0
    };
    // σ(z) and σ(−z) = 1 − σ(z) from one exponential, each accurate in its tail.
    let e = (-z.abs()).exp();
    let (big, small) = (1.0 / (1.0 + e), e / (1.0 + e));
    let (s, t) = if z >= 0.0 { (big, small) } else { (small, big) };
    let p = (guess + (1.0 - guess) * s).max(f64::MIN_POSITIVE);
    // Q from σ(−z), not 1 − P, so it keeps its digits where P is near 1.
    let q = ((1.0 - guess) * t).max(f64::MIN_POSITIVE);
    let first = (1.0 - guess) * v[0] * s * t;
    let second = first * v[0] * (t - s);
    let pq = p * q;
    d.information += first * first / pq;
    d.warm += first * second / pq;
    if x == 1 {
        d.score += first / p;
        d.observed += first * first / (p * p) - second / p;
    } else {
        d.score -= first / q;
        d.observed += first * first / (q * q) + second / q;
    }
}

/// Central differences of the category probabilities in θ.
fn add_by_differences(d: &mut ThetaDerivatives, item: &ItemParams, x: usize, theta: f64, scratch: &mut [Vec<f64>; 3]) {
    const H: f64 = 1e-4;
    let k = usize::from(item.categories);
    let [lo, mid, hi] = scratch;
    for v in [&mut *lo, &mut *mid, &mut *hi] {
        v.resize(k, 0.0);
    }
    item.probs(theta - H, lo);
    item.probs(theta, mid);
    item.probs(theta + H, hi);
    for c in 0..k {
        let p = mid[c].max(f64::MIN_POSITIVE);
        let first = (hi[c] - lo[c]) / (2.0 * H);
        let second = (hi[c] - 2.0 * mid[c] + lo[c]) / (H * H);
        d.information += first * first / p;
        d.warm += first * second / p;
        if c == x {
            d.score += first / p;
            d.observed += first * first / (p * p) - second / p;
        }
    }
}

/// Weighted mean and variance (frequency weights: divisor Σw − 1, so unit weights give
/// the usual n − 1 variance, as mirt's `empirical_rxx` uses).
fn weighted_moments(values: &[(f64, f64)]) -> Option<(f64, f64)> {
    let total: f64 = values.iter().map(|(_, w)| w).sum();
    if total <= 1.0 {
        return None;
    }
    let mean = values.iter().map(|(x, w)| w * x).sum::<f64>() / total;
    let variance = values.iter().map(|(x, w)| w * (x - mean).powi(2)).sum::<f64>() / (total - 1.0);
    Some((mean, variance))
}

/// EAP reliability Var(EAP) / (Var(EAP) + mean PSD²), weighted (TAM's `EAP.rel`,
/// mirt's `empirical_rxx` for EAP). `None` with fewer than two persons' worth of weight.
pub fn eap_reliability(estimates: &[PersonEstimate], weights: &[f64]) -> Option<f64> {
    let points: Vec<(f64, f64)> = estimates.iter().zip(weights).map(|(e, &w)| (e.theta, w)).collect();
    let (_, variance) = weighted_moments(&points)?;
    let total: f64 = weights.iter().sum();
    let error = estimates.iter().zip(weights).map(|(e, w)| w * e.se * e.se).sum::<f64>() / total;
    Some(variance / (variance + error))
}

/// WLE reliability 1 − mean SE² / Var(WLE), weighted (TAM's `WLErel`); persons with
/// infinite estimates (none for WLE; ML of extreme patterns) are left out.
pub fn wle_reliability(estimates: &[PersonEstimate], weights: &[f64]) -> Option<f64> {
    let finite: Vec<(&PersonEstimate, f64)> = estimates
        .iter()
        .zip(weights)
        .filter(|(e, _)| e.theta.is_finite() && e.se.is_finite())
        .map(|(e, &w)| (e, w))
        .collect();
    let points: Vec<(f64, f64)> = finite.iter().map(|(e, w)| (e.theta, *w)).collect();
    let (_, variance) = weighted_moments(&points)?;
    let total: f64 = finite.iter().map(|(_, w)| w).sum();
    let error = finite.iter().map(|(e, w)| w * e.se * e.se).sum::<f64>() / total;
    Some(1.0 - error / variance)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items() -> Vec<ItemParams> {
        (0..5)
            .map(|i| ItemParams {
                values: vec![1.2, 0.5 * i as f64 - 1.0],
                ..ItemParams::new(Model::TwoPl, 2)
            })
            .collect()
    }

    #[test]
    fn edge_cases() {
        let scorer = Scorer::new(0.3, 1.5);
        let none = [255u8; 5];
        let eap = scorer.estimate(&items(), &none, Estimator::Eap).unwrap();
        // No data: the prior itself, up to the grid's truncation at ±6 (~1e-5 here).
        assert!(
            (eap.theta - 0.3).abs() < 1e-4 && (eap.se - 1.5f64.sqrt()).abs() < 1e-4,
            "{eap:?}"
        );
        assert!(scorer.estimate(&items(), &none, Estimator::Ml).is_none());
        assert!(scorer.estimate(&items(), &none, Estimator::Wle).is_none());
        let all_right = [1u8; 5];
        let ml = scorer.estimate(&items(), &all_right, Estimator::Ml).unwrap();
        assert_eq!(ml.theta, f64::INFINITY);
        let wle = scorer.estimate(&items(), &all_right, Estimator::Wle).unwrap();
        assert!(
            wle.theta.is_finite() && wle.theta > 1.0 && wle.se.is_finite(),
            "{wle:?}"
        );
        let map = scorer.estimate(&items(), &all_right, Estimator::Map).unwrap();
        assert!(
            map.theta.is_finite() && map.theta < wle.theta,
            "the prior pulls MAP in: {map:?}"
        );
    }

    #[test]
    fn more_items_give_smaller_standard_errors() {
        let scorer = Scorer::new(0.0, 1.0);
        let short = scorer.estimate(&items()[..3], &[1, 0, 1], Estimator::Wle).unwrap();
        let long = scorer.estimate(&items(), &[1, 0, 1, 0, 1], Estimator::Wle).unwrap();
        assert!(long.se < short.se, "{long:?} vs {short:?}");
    }
}

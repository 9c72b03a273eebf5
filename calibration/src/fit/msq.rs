//! Infit and outfit mean squares integrated over each person's posterior, after
//! TAM's `tam.fit` — made deterministic.
//!
//! For person n, item i and an ability θ, with x the score (category index),
//! E = Σ_k k P_k(θ), V = Σ_k (k − E)² P_k(θ), C₄ = Σ_k (k − E)⁴ P_k(θ):
//!
//! * outfit = Σ_n w_n (x_n − E)²/V / Σ_n w_n (mean squared standardised residual),
//! * infit  = Σ_n w_n (x_n − E)² / Σ_n w_n V (information-weighted),
//! * their t: Wilson–Hilferty, t = (MS^⅓ − 1)·3/√v + √v/3 with
//!   v_infit = Σ w (C₄ − V²) / (Σ w V)² and v_outfit = Σ w (C₄/V² − 1) / (Σ w)²,
//!
//! sums over the persons who answered the item. TAM draws θ_n from each person's
//! posterior (`Nsimul` draws, 15–100 by sample size) and averages the statistics
//! over the draws; in the limit of infinitely many draws every term becomes its
//! posterior expectation Σ_q h_n(θ_q) (…). That limit is what we compute, so the
//! result is exact and reproducible rather than random: because each term depends
//! on one person only, the sums are the E-step's expected counts n_ikq weighted by
//! the term at node q, e.g. outfit = Σ_q Σ_k n_ikq (k − E_q)²/V_q / Σ_q Σ_k n_ikq.
//! (For infit, the ratio of expectations replaces TAM's expectation of the ratio —
//! the same to O(1/N).) Posteriors use each person's group prior, as estimation
//! did; weights are the normalised sampling weights.
//!
//! Unlike the classical versions at a point estimate (WLE, or mirt's EAP default),
//! nothing is plugged in: no bias from shrinkage or from extreme scores' infinite
//! estimates. For dichotomous items TAM's fit design (the A matrix) gives exactly
//! these item statistics; for polytomous items TAM reports one statistic per step
//! parameter, while we report the item's, with the category index as score (Wright &
//! Masters' item infit/outfit). The statistics are defined by the Rasch family's
//! residuals, but are computed for any model with that model's E and V: a 2PL item
//! is then judged against its own slope, which is why its mean squares stay near 1
//! where the Rasch model's would not.

use serde::Serialize;

use super::{FitError, check, traces};
use crate::data::ResponseMatrix;
use crate::em::{GroupParams, Problem};
use crate::model::{ItemParams, Model};
use crate::quadrature::Grid;

/// Infit and outfit of one item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemMeanSquares {
    pub item: String,
    pub model: Model,
    pub infit: Option<f64>,
    pub infit_t: Option<f64>,
    pub outfit: Option<f64>,
    pub outfit_t: Option<f64>,
    /// Weighted number of persons who answered the item.
    pub respondents: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Infit and outfit mean squares of every item at the given parameters, with
/// posteriors on `grid` (use the calibration's).
pub fn mean_squares(
    matrix: &ResponseMatrix,
    items: &[ItemParams],
    groups: &[GroupParams],
    grid: &Grid,
) -> Result<Vec<ItemMeanSquares>, FitError> {
    check(matrix, items, groups, grid)?;
    let problem = Problem::unconstrained(matrix, items, groups, grid);
    let expected = problem.expected(items, groups);
    let traces = traces(items, grid);
    Ok(items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let counts = problem.item_counts(&expected, i, item.categories);
            item_mean_squares(&matrix.items()[i], item, counts, &traces[i], grid.len())
        })
        .collect())
}

/// Posterior-expected sums of one item over all respondents.
#[derive(Default)]
struct Sums {
    respondents: f64,
    squared_standardised: f64,
    squared: f64,
    variance: f64,
    infit_spread: f64,
    outfit_spread: f64,
}

/// `counts` is category × node (expected counts), `trace` node × category.
fn item_mean_squares(name: &str, item: &ItemParams, counts: &[f64], trace: &[f64], q: usize) -> ItemMeanSquares {
    let k = usize::from(item.categories);
    let mut s = Sums::default();
    for node in 0..q {
        let p = &trace[node * k..(node + 1) * k];
        let mean: f64 = p.iter().enumerate().map(|(c, pc)| c as f64 * pc).sum();
        let moment = |power: i32| -> f64 {
            p.iter()
                .enumerate()
                .map(|(c, pc)| (c as f64 - mean).powi(power) * pc)
                .sum()
        };
        let (variance, fourth) = (moment(2), moment(4));
        let here: f64 = (0..k).map(|c| counts[c * q + node]).sum();
        s.respondents += here;
        // At nodes where the item is certain (V = 0 in floating point) residuals are
        // 0/0; TAM's sums drop them (na.rm), and their posterior mass is nil.
        if here == 0.0 || variance <= 0.0 {
            continue;
        }
        let squared: f64 = (0..k).map(|c| counts[c * q + node] * (c as f64 - mean).powi(2)).sum();
        s.squared += squared;
        s.squared_standardised += squared / variance;
        s.variance += here * variance;
        s.infit_spread += here * (fourth - variance * variance);
        s.outfit_spread += here * (fourth / (variance * variance) - 1.0);
    }
    let mut out = ItemMeanSquares {
        item: name.to_string(),
        model: item.model,
        infit: None,
        infit_t: None,
        outfit: None,
        outfit_t: None,
        respondents: s.respondents,
        note: (!item.model.fixed_slope()).then(|| {
            format!(
                "mean squares are Rasch statistics; for a {} item they measure misfit against its own model",
                item.model.name()
            )
        }),
    };
    if s.respondents == 0.0 {
        out.note = Some("nobody answered the item".into());
        return out;
    }
    if s.variance <= 0.0 {
        out.note = Some("the model leaves the item no variance where its respondents are".into());
        return out;
    }
    let outfit = s.squared_standardised / s.respondents;
    let infit = s.squared / s.variance;
    let t = |ms: f64, v: f64| (v > 0.0).then(|| (ms.cbrt() - 1.0) * 3.0 / v.sqrt() + v.sqrt() / 3.0);
    out.infit = Some(infit);
    out.outfit = Some(outfit);
    out.infit_t = t(infit, s.infit_spread / (s.variance * s.variance));
    out.outfit_t = t(outfit, s.outfit_spread / (s.respondents * s.respondents));
    out
}

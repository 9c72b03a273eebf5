//! IRT likelihood-ratio DIF: does letting an item's parameters differ between groups improve
//! the fit of the multiple-group model? This is mirt's `DIF(model, which.par = <all of the
//! item's parameters>, scheme = 'drop')`, with its `drop_sequential` scheme as purification.
//!
//! - **Baseline**: the multiple-group model with every item's parameters equal across groups;
//!   the reference group (group 0) has mean 0 and variance 1, the other groups' means and
//!   variances are free. Fitted once.
//! - **Test of an item**: the item is replaced by one column per group
//!   ([`ResponseMatrix::split_by_group`]), so its parameters are estimated per group while every
//!   other item stays equal across groups and links the groups' scales; the model is refitted
//!   from the baseline estimates (the split columns start from the item's baseline values), so
//!   each refit starts next to its optimum. X² = 2 (logLik_free − logLik_constrained) on
//!   df = (free parameters of the item) × (groups − 1), p from χ²(df). Values an equality
//!   constraint of the estimation options ties to other items (e.g. a common slope) stay tied,
//!   in every group: only the item's own parameters are freed, and df counts only those.
//! - **Information criteria** as mirt's `DIF()` reports them: the difference free − constrained of
//!   AIC, SABIC, HQ and BIC (N = persons in the matrix). Negative means freeing the item is worth
//!   its parameters by that criterion. Serialized with mirt's column names (`AIC`, `SABIC`, `HQ`,
//!   `BIC`, `X2`, `df`, `p`, `adj_pvals`, `converged`).
//! - **Size, not only significance**: each group's parameters of the item in the free model.
//!   They are on the common scale the invariant items define (the reference group's N(0, 1)), so
//!   they compare directly: equal slopes and shifted intercepts are uniform DIF, different slopes
//!   non-uniform DIF.
//! - **Flag**: adjusted p below `alpha`, the adjustment (none, Bonferroni, Benjamini–Hochberg) taken
//!   over the items with a p-value, as R's `p.adjust` does with `NA`s.
//! - **Purification** (anchor selection): flagged items are freed in the baseline, the baseline is
//!   refitted, and the remaining items are tested again against it, until no new item is flagged or
//!   the iteration limit is reached. Items free in the final baseline are then tested the other way
//!   round — constrained again against it — so every reported X² compares the same two kinds of
//!   model (item free vs item equal) given the final anchor set, as mirt's final step does.
//!
//! **Failures never give NaN**: a refit calibration refuses (e.g. one group never uses a category
//! of the item) or one that diverges to non-finite estimates is reported on the item with the
//! reason and no statistics; a refit that hits the cycle limit keeps its statistics with
//! `converged = false`; a free model fitting clearly worse than the constrained one (an optimum
//! missed) keeps X² but gets no p-value. Only a baseline that cannot be fitted, or diverges, is an
//! error: without it nothing can be tested.
//!
//! **Parallel and deterministic**: the refits of one round are independent and run in parallel;
//! results are collected in item order and EM is deterministic, so reports are reproducible.
//!
//! [`ResponseMatrix::split_by_group`]: crate::data::ResponseMatrix::split_by_group

use rayon::prelude::*;
use serde::Serialize;
use statrs::distribution::{ChiSquared, ContinuousCDF};

use crate::data::ResponseMatrix;
use crate::data::codes::MissingPolicy;
use crate::em::{CalibrationError, Constraint, Fit, GroupParams, Options, calibrate};
use crate::model::ItemParams;

/// How p-values are adjusted for testing many items before they are compared with `alpha`
/// (the names are those of R's `p.adjust`, which mirt's `DIF()` calls).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Adjustment {
    #[serde(rename = "none")]
    None,
    /// Controls the family-wise error rate: p × m.
    #[serde(rename = "bonferroni")]
    Bonferroni,
    /// Controls the false discovery rate (Benjamini & Hochberg, 1995): step-up p × m / rank.
    #[serde(rename = "BH")]
    BenjaminiHochberg,
}

/// Options of [`likelihood_ratio`]; the defaults are mirt's (`p.adjust = 'none'`, no sequential scheme).
#[derive(Debug, Clone, PartialEq)]
pub struct LrOptions {
    /// Items to test, by name; `None` tests every item with free parameters of its own.
    pub items: Option<Vec<String>>,
    /// How omitted and not-reached responses are scored (as in scaling).
    pub policy: MissingPolicy,
    /// Estimation of the baseline; refits use the same options but start from the baseline.
    pub estimation: Options,
    /// Significance level of the flag, applied to the adjusted p-value.
    pub alpha: f64,
    pub adjustment: Adjustment,
    /// Purification rounds: 0 for none; otherwise at most this many refits of the baseline, each
    /// with the items flagged so far free across groups.
    pub max_purification_iterations: usize,
}

impl Default for LrOptions {
    fn default() -> Self {
        LrOptions {
            items: None,
            policy: MissingPolicy::default(),
            estimation: Options::default(),
            alpha: 0.05,
            adjustment: Adjustment::None,
            max_purification_iterations: 0,
        }
    }
}

/// Why a likelihood-ratio DIF analysis cannot run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LrError {
    #[error("DIF compares groups, but the matrix has {0} group; assign persons to at least two groups")]
    OneGroup(usize),
    #[error("group {0} has no persons with positive weight")]
    EmptyGroup(String),
    #[error(
        "the matrix has {0} item(s); testing one needs at least one other item, equal across groups, to link the groups"
    )]
    TooFewItems(usize),
    #[error("item {0} is not in the response matrix")]
    UnknownItem(String),
    #[error("item {0} is listed twice")]
    DuplicateItem(String),
    #[error(
        "item {0} has no free parameters of its own (they are fixed, or tied to other items by constraints), so there \
         is nothing to free across groups"
    )]
    NothingToFree(String),
    #[error("no items to test")]
    NoItems,
    #[error("the significance level must lie in (0, 1), got {0}")]
    Alpha(f64),
    #[error("the baseline model (every item equal across groups) cannot be fitted: {0}")]
    Baseline(CalibrationError),
}

/// Why an item's statistics are missing or to be read with care.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RefitProblem {
    /// The refit could not run (the reason from calibration, e.g. a category one group never uses,
    /// which leaves that group's column of the item unidentified) or diverged. No statistics.
    Failed(String),
    /// The refit hit the cycle limit. Statistics are kept (as mirt does, with `converged = false`):
    /// EM never lowers the likelihood, so an unconverged free model understates X² (conservative)
    /// and an unconverged constrained model (purification) overstates it.
    NotConverged { cycles: usize },
    /// The model with the item free fits worse than with it equal across groups, beyond what EM's
    /// stopping rule explains. Nested models cannot do that at their optima, so one fit stopped
    /// short (a flat or multimodal likelihood); X² is kept, p is not given.
    FreeBelowConstrained,
}

/// One group's parameters of the tested item, on the common scale.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupValues {
    pub group: String,
    /// In the order of [`LrItem::parameters`].
    pub values: Vec<f64>,
}

/// Likelihood-ratio DIF results of one item: mirt's row of `DIF()` plus the per-group parameters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LrItem {
    pub item: String,
    /// Whether the item is free across groups in the reported baseline (flagged during purification);
    /// its test then constrains it instead of freeing it.
    pub free_in_baseline: bool,
    /// Whether the refit converged.
    pub converged: bool,
    /// AIC of the free model minus AIC of the constrained one.
    #[serde(rename = "AIC")]
    pub aic: Option<f64>,
    #[serde(rename = "SABIC")]
    pub sabic: Option<f64>,
    #[serde(rename = "HQ")]
    pub hq: Option<f64>,
    #[serde(rename = "BIC")]
    pub bic: Option<f64>,
    /// 2 (logLik_free − logLik_constrained).
    #[serde(rename = "X2")]
    pub x2: Option<f64>,
    /// Parameters added by freeing the item: its own free parameters × (groups − 1).
    pub df: usize,
    /// Upper tail of χ²(df) at X² (at 0 for the slightly negative X² of EM's stopping noise, where
    /// mirt takes |X²|; p ≈ 1 either way).
    pub p: Option<f64>,
    /// `p` after the report's adjustment (equal to `p` without one).
    #[serde(rename = "adj_pvals")]
    pub p_adjusted: Option<f64>,
    /// Adjusted p below the report's `alpha`.
    pub flagged: bool,
    /// Names of the item's parameters, as mirt names them.
    pub parameters: Vec<String>,
    /// Each group's parameters in the free model; empty when it could not be fitted.
    pub groups: Vec<GroupValues>,
    pub problem: Option<RefitProblem>,
}

/// The multiple-group model the items were tested against.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Baseline {
    pub loglik: f64,
    pub n_parameters: usize,
    pub converged: bool,
    pub cycles: usize,
    /// Each group's latent distribution on the common scale (the reference group's is N(0, 1)).
    pub groups: Vec<GroupParams>,
    /// Items free across groups in it (flagged during purification); empty without purification.
    pub free_items: Vec<String>,
}

/// How purification ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Purification {
    /// Refits of the baseline after the first analysis.
    pub iterations: usize,
    /// Whether the flagged set stopped growing (otherwise the limit was hit, no anchor would be
    /// left, or a baseline refit failed).
    pub converged: bool,
    /// Items equal across groups in the reported baseline: the anchor set.
    pub anchors: Vec<String>,
    /// Why a baseline refit failed, which ended purification with the previous baseline.
    pub problem: Option<String>,
}

/// Likelihood-ratio DIF of the tested items.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LrReport {
    /// Name of the reference group (group 0), whose N(0, 1) fixes the scale.
    pub reference: String,
    pub alpha: f64,
    pub adjustment: Adjustment,
    pub baseline: Baseline,
    /// Present when purification was asked for.
    pub purification: Option<Purification>,
    /// The tested items, in matrix order.
    pub items: Vec<LrItem>,
}

/// X² below −this counts as the free model fitting worse than the constrained one. EM stops when
/// no parameter moves by more than its tolerance, which leaves each log-likelihood a little short
/// of its optimum; slightly negative X² for an item without DIF is that noise, not a failure.
const X2_SLACK: f64 = 0.1;

/// Likelihood-ratio DIF of the items of `matrix` (modelled by `items`, one per column) across all of
/// its groups, against the model with every item equal across groups.
pub fn likelihood_ratio(
    matrix: &ResponseMatrix,
    items: &[ItemParams],
    options: &LrOptions,
) -> Result<LrReport, LrError> {
    let names = matrix.group_names();
    if names.len() < 2 {
        return Err(LrError::OneGroup(names.len()));
    }
    let mut present = vec![false; names.len()];
    for (&g, w) in matrix.groups().iter().zip(matrix.normalized_weights()) {
        if w > 0.0 {
            present[usize::from(g)] = true;
        }
    }
    if let Some(g) = present.iter().position(|&p| !p) {
        return Err(LrError::EmptyGroup(names[g].clone()));
    }
    if items.len() != matrix.n_items() {
        return Err(LrError::Baseline(CalibrationError::ItemCount(
            items.len(),
            matrix.n_items(),
        )));
    }
    if matrix.n_items() < 2 {
        return Err(LrError::TooFewItems(matrix.n_items()));
    }
    if !(options.alpha > 0.0 && options.alpha < 1.0) {
        return Err(LrError::Alpha(options.alpha));
    }
    let own: Vec<usize> = (0..items.len())
        .map(|i| own_free(&items[i], i, &options.estimation.constraints))
        .collect();
    let tested = tested_items(matrix, &own, options.items.as_deref())?;

    let study = Study {
        matrix: matrix.scaled(options.policy),
        items,
        options,
        // Standard errors are not reported, so neither fit computes them.
        baseline_options: Options {
            standard_errors: false,
            ..options.estimation.clone()
        },
        refit_options: Options {
            start_from_data: false,
            standard_errors: false,
            ..options.estimation.clone()
        },
        own,
        groups: names.len(),
    };
    let mut freed = vec![false; matrix.n_items()];
    let mut baseline = study.fit(&freed, None).map_err(LrError::Baseline)?;
    let mut results = study.test(&tested, &freed, &baseline);
    study.flag(&mut results);

    let mut purification = None;
    if options.max_purification_iterations > 0 {
        let mut iterations = 0;
        let mut problem = None;
        let converged = loop {
            let mut next = freed.clone();
            for (&item, result) in tested.iter().zip(&results) {
                next[item] |= result.flagged;
            }
            if next == freed {
                break true;
            }
            if iterations == options.max_purification_iterations || next.iter().all(|&f| f) {
                break false;
            }
            match study.fit(&next, Some(&baseline)) {
                Ok(fitted) => baseline = fitted,
                Err(e) => {
                    problem = Some(e.to_string());
                    break false;
                }
            }
            freed = next;
            iterations += 1;
            let retest: Vec<usize> = tested.iter().copied().filter(|&i| !freed[i]).collect();
            study.update(&mut results, &tested, &retest, &freed, &baseline);
        };
        // Freed items are tested by constraining them again against the final baseline.
        let constrain: Vec<usize> = tested.iter().copied().filter(|&i| freed[i]).collect();
        study.update(&mut results, &tested, &constrain, &freed, &baseline);
        purification = Some(Purification {
            iterations,
            converged,
            anchors: item_names(matrix, |i| !freed[i]),
            problem,
        });
    }

    Ok(LrReport {
        reference: names[0].clone(),
        alpha: options.alpha,
        adjustment: options.adjustment,
        baseline: Baseline {
            loglik: baseline.fit.loglik,
            n_parameters: baseline.fit.n_parameters,
            converged: baseline.fit.converged,
            cycles: baseline.fit.cycles,
            groups: baseline.fit.groups.clone(),
            free_items: item_names(matrix, |i| freed[i]),
        },
        purification,
        items: results,
    })
}

/// Names of the items of `matrix` for which `keep` holds.
fn item_names(matrix: &ResponseMatrix, keep: impl Fn(usize) -> bool) -> Vec<String> {
    matrix
        .items()
        .iter()
        .enumerate()
        .filter(|&(i, _)| keep(i))
        .map(|(_, name)| name.clone())
        .collect()
}

/// Number of free values of `item` (at index `i`) that no constraint ties: the values that can
/// differ between groups once the item is freed.
fn own_free(item: &ItemParams, i: usize, constraints: &[Constraint]) -> usize {
    let tied = |k: usize| constraints.iter().any(|c| c.members.contains(&(i, k)));
    (0..item.free.len()).filter(|&k| item.free[k] && !tied(k)).count()
}

/// Indices of the items to test (`own`: each item's number of own free values), in matrix order.
fn tested_items(matrix: &ResponseMatrix, own: &[usize], listed: Option<&[String]>) -> Result<Vec<usize>, LrError> {
    let names = matrix.items();
    let tested: Vec<usize> = match listed {
        None => (0..own.len()).filter(|&i| own[i] > 0).collect(),
        Some(listed) => {
            let mut tested = Vec::with_capacity(listed.len());
            for name in listed {
                let i = names
                    .iter()
                    .position(|n| n == name)
                    .ok_or_else(|| LrError::UnknownItem(name.clone()))?;
                if tested.contains(&i) {
                    return Err(LrError::DuplicateItem(name.clone()));
                }
                if own[i] == 0 {
                    return Err(LrError::NothingToFree(name.clone()));
                }
                tested.push(i);
            }
            tested.sort_unstable();
            tested
        }
    };
    if tested.is_empty() {
        return Err(LrError::NoItems);
    }
    Ok(tested)
}

/// A column of a matrix in which some items are split by group.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Column {
    /// The item's index in the original matrix.
    item: usize,
    /// The group whose responses the column holds; `None` for an item equal across groups.
    group: Option<usize>,
}

/// A fitted model and which item (and group) each of its columns holds.
struct Fitted {
    fit: Fit,
    columns: Vec<Column>,
}

impl Fitted {
    /// The parameters `group` has for `item`: its own column if the item is split, else the common one.
    fn params(&self, item: usize, group: usize) -> Option<&ItemParams> {
        let at = |group| self.columns.iter().position(|&c| c == Column { item, group });
        at(Some(group)).or_else(|| at(None)).map(|at| &self.fit.items[at])
    }
}

/// The data and options shared by every fit of one analysis.
struct Study<'a> {
    /// The matrix with missing codes resolved.
    matrix: ResponseMatrix,
    items: &'a [ItemParams],
    options: &'a LrOptions,
    /// Options of the first baseline fit.
    baseline_options: Options,
    /// Options of refits: starting from the given values.
    refit_options: Options,
    /// Each item's number of own free values (see [`own_free`]).
    own: Vec<usize>,
    groups: usize,
}

impl Study<'_> {
    /// Fits the model with the `freed` items split by group: from the item specifications and the
    /// estimation options (the baseline), or from the estimates of `start`.
    fn fit(&self, freed: &[bool], start: Option<&Fitted>) -> Result<Fitted, CalibrationError> {
        let mut matrix = self.matrix.clone();
        let mut columns: Vec<Column> = (0..freed.len()).map(|item| Column { item, group: None }).collect();
        for item in (0..freed.len()).filter(|&i| freed[i]) {
            if let Some(at) = columns.iter().position(|&c| c == Column { item, group: None }) {
                matrix = matrix.split_by_group(at);
                columns.remove(at);
                columns.extend((0..self.groups).map(|g| Column { item, group: Some(g) }));
            }
        }
        let (items, options) = match start {
            None => (self.items.to_vec(), &self.baseline_options),
            Some(start) => {
                let items = columns
                    .iter()
                    .map(|c| {
                        let spec = &self.items[c.item];
                        // The reference group's values when an item is constrained again.
                        let values = start.params(c.item, c.group.unwrap_or(0)).unwrap_or(spec);
                        ItemParams {
                            values: values.values.clone(),
                            ..spec.clone()
                        }
                    })
                    .collect();
                (items, &self.refit_options)
            }
        };
        // Constraints name columns of the original matrix; a tied value of a split item is tied in
        // every group's column, so it stays equal across groups. An index beyond the matrix stays
        // as it is, for calibration to report (the baseline fit, which splits nothing, does).
        let constraints = options
            .constraints
            .iter()
            .map(|c| Constraint {
                members: c
                    .members
                    .iter()
                    .flat_map(|&(i, k)| {
                        let at: Vec<(usize, usize)> = (0..columns.len())
                            .filter(|&at| columns[at].item == i)
                            .map(|at| (at, k))
                            .collect();
                        if at.is_empty() { vec![(i, k)] } else { at }
                    })
                    .collect(),
            })
            .collect();
        let options = Options {
            constraints,
            ..options.clone()
        };
        let fit = calibrate(&matrix, items, &options, &mut |_| {})?;
        Ok(Fitted { fit, columns })
    }

    /// Tests each of `items` against `baseline`: freeing it, or constraining it again if `freed`.
    fn test(&self, items: &[usize], freed: &[bool], baseline: &Fitted) -> Vec<LrItem> {
        items
            .par_iter()
            .map(|&item| {
                let mut next = freed.to_vec();
                next[item] = !freed[item];
                let refit = self.fit(&next, Some(baseline));
                self.compare(item, baseline, refit.as_ref(), !freed[item])
            })
            .collect()
    }

    /// Replaces the results of `retest` (a subset of `tested`, which `results` follows) by new tests
    /// against `baseline`, then flags again.
    fn update(&self, results: &mut [LrItem], tested: &[usize], retest: &[usize], freed: &[bool], baseline: &Fitted) {
        for (item, result) in retest.iter().zip(self.test(retest, freed, baseline)) {
            if let Some(at) = tested.iter().position(|t| t == item) {
                results[at] = result;
            }
        }
        self.flag(results);
    }

    /// The likelihood-ratio comparison of the model with `item` free and with it equal across groups;
    /// one of them is the baseline, the other the `refit` (the free one when `freeing`).
    fn compare(
        &self,
        item: usize,
        baseline: &Fitted,
        refit: Result<&Fitted, &CalibrationError>,
        freeing: bool,
    ) -> LrItem {
        let spec = &self.items[item];
        let mut out = LrItem {
            item: self.matrix.items()[item].clone(),
            free_in_baseline: !freeing,
            converged: false,
            aic: None,
            sabic: None,
            hq: None,
            bic: None,
            x2: None,
            df: self.own[item] * (self.groups - 1),
            p: None,
            p_adjusted: None,
            flagged: false,
            parameters: spec.value_names(),
            groups: Vec::new(),
            problem: None,
        };
        let refit = match refit {
            Ok(refit) => refit,
            Err(e) => {
                if !freeing {
                    out.groups = self.group_values(baseline, item);
                }
                out.problem = Some(RefitProblem::Failed(e.to_string()));
                return out;
            }
        };
        let (free, constrained) = if freeing { (refit, baseline) } else { (baseline, refit) };
        out.converged = refit.fit.converged;
        out.groups = self.group_values(free, item);
        let x2 = 2.0 * (free.fit.loglik - constrained.fit.loglik);
        // mirt: each criterion of the free model minus the constrained model's, i.e. the penalty
        // of the added parameters minus X².
        let added = free.fit.n_parameters as f64 - constrained.fit.n_parameters as f64;
        let n = self.matrix.n_persons() as f64;
        let criterion = |penalty: f64| Some(added * penalty - x2);
        out.aic = criterion(2.0);
        out.sabic = criterion(((n + 2.0) / 24.0).ln());
        out.hq = criterion(2.0 * n.ln().ln());
        out.bic = criterion(n.ln());
        out.x2 = Some(x2);
        if x2 < -X2_SLACK {
            out.problem = Some(RefitProblem::FreeBelowConstrained);
            return out;
        }
        if !refit.fit.converged {
            out.problem = Some(RefitProblem::NotConverged {
                cycles: refit.fit.cycles,
            });
        }
        match ChiSquared::new(out.df as f64) {
            Ok(chi2) => out.p = Some(chi2.sf(x2.max(0.0))),
            Err(e) => out.problem = Some(RefitProblem::Failed(format!("χ²({}): {e}", out.df))),
        }
        out
    }

    /// Each group's parameters of `item` in `fitted`.
    fn group_values(&self, fitted: &Fitted, item: usize) -> Vec<GroupValues> {
        self.matrix
            .group_names()
            .iter()
            .enumerate()
            .filter_map(|(g, name)| {
                fitted.params(item, g).map(|params| GroupValues {
                    group: name.clone(),
                    values: params.values.clone(),
                })
            })
            .collect()
    }

    /// Sets the adjusted p-values and flags of `results`.
    fn flag(&self, results: &mut [LrItem]) {
        let p: Vec<Option<f64>> = results.iter().map(|r| r.p).collect();
        for (result, adjusted) in results.iter_mut().zip(adjust(&p, self.options.adjustment)) {
            result.p_adjusted = adjusted;
            result.flagged = adjusted.is_some_and(|p| p < self.options.alpha);
        }
    }
}

/// Adjusts the p-values present in `p` for their number m, as R's `p.adjust` does (missing values
/// neither count nor change).
fn adjust(p: &[Option<f64>], method: Adjustment) -> Vec<Option<f64>> {
    let present: Vec<(usize, f64)> = p.iter().enumerate().filter_map(|(i, p)| p.map(|p| (i, p))).collect();
    let m = present.len() as f64;
    match method {
        Adjustment::None => p.to_vec(),
        Adjustment::Bonferroni => p.iter().map(|p| p.map(|p| (p * m).min(1.0))).collect(),
        Adjustment::BenjaminiHochberg => {
            // From the largest p down: the running minimum of p × m / rank.
            let mut order = present;
            order.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            let mut out = vec![None; p.len()];
            let mut running = 1.0_f64;
            for (from_top, &(i, p)) in order.iter().enumerate() {
                let rank = m - from_top as f64;
                running = running.min(p * m / rank);
                out[i] = Some(running);
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Adjustment, adjust};

    #[test]
    fn adjustments_match_r_p_adjust() {
        // p.adjust(c(0.01, NA, 0.04, 0.03, 0.5), "BH") = 0.04 NA 0.0533 0.0533 0.5;
        // "bonferroni" = 0.04 NA 0.16 0.12 1.
        let p = [Some(0.01), None, Some(0.04), Some(0.03), Some(0.5)];
        let close = |a: Vec<Option<f64>>, b: [Option<f64>; 5]| {
            a.iter().zip(&b).all(|(x, y)| {
                matches!((x, y), (None, None)) || matches!((x, y), (Some(x), Some(y)) if (x - y).abs() < 1e-12)
            })
        };
        assert!(close(
            adjust(&p, Adjustment::BenjaminiHochberg),
            [Some(0.04), None, Some(0.16 / 3.0), Some(0.16 / 3.0), Some(0.5)]
        ));
        assert!(close(
            adjust(&p, Adjustment::Bonferroni),
            [Some(0.04), None, Some(0.16), Some(0.12), Some(1.0)]
        ));
        assert_eq!(adjust(&p, Adjustment::None), p);
    }
}

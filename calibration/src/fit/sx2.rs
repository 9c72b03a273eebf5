//! S-X² (Orlando & Thissen 2000; polytomous: Kang & Chen 2007), as mirt 1.45's
//! `itemfit(mod, fit_stats = 'S_X2')` computes it.
//!
//! For item i, persons are grouped by their summed score s over *all* items. The
//! observed table O[s, k] counts persons with score s and category k on item i; the
//! expected table is
//!
//! E[s, k] = N_s · Σ_q L₋ᵢ(s − k | θ_q) P_i(k | θ_q) π(θ_q) / Σ_q L(s | θ_q) π(θ_q),
//!
//! with L and L₋ᵢ the summed-score likelihoods with and without the item (Lord &
//! Wingersky's recursion) and π the group's fitted normal density on the nodes. As in
//! mirt:
//!
//! * the nodes are mirt's own for this statistic — 61 equally spaced on [−6, 6]
//!   (`select_quadpts(1)`, `theta_lim`), whatever grid the calibration used;
//! * scores 0 and the maximum are left out (they carry no information on fit);
//! * sparse cells are collapsed by mirt's rule with `mincell = 1` ([`super::collapse`]);
//! * S-X² = Σ (O − E)²/E over the remaining cells; df = cells − score groups − the
//!   item's estimated parameters − the group's estimated latent parameters (mirt
//!   subtracts the latter too: a Rasch model's free variance costs one df);
//! * RMSEA = √(max(S-X²/df − 1, 0)/(N − 1)), p from χ²(df).
//!
//! Counts are of persons, not weights: the statistic is a χ² on frequencies (mirt
//! ignores survey weights here as well). Each group of a multiple-group calibration is
//! tested on its own persons under its own latent distribution, as mirt's `itemfit`
//! does for a multiple-group model.
//!
//! S-X² needs complete data: with a missing response the summed score is not on the
//! same scale as the others. mirt stops with an error; we report the group's
//! statistic as not available, with the reason.

use rayon::prelude::*;
use serde::Serialize;
use statrs::distribution::{ChiSquared, ContinuousCDF};

use super::collapse::{Cells, collapse};
use super::{FitError, check, prior, traces};
use crate::data::ResponseMatrix;
use crate::em::GroupParams;
use crate::model::ItemParams;
use crate::quadrature::Grid;

/// Options of S-X²; the defaults are mirt's.
#[derive(Debug, Clone, PartialEq)]
pub struct Sx2Options {
    /// Smallest expected count a cell may keep before it is collapsed.
    pub mincell: f64,
    /// The nodes on which the summed-score distributions are integrated.
    pub grid: Grid,
}

impl Default for Sx2Options {
    fn default() -> Self {
        Sx2Options {
            mincell: 1.0,
            grid: Grid::mirt_default(),
        }
    }
}

/// S-X² of one item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemSx2 {
    pub item: String,
    /// The statistic; `None` when no degrees of freedom remain or the table is too sparse.
    pub s_x2: Option<f64>,
    pub df: usize,
    pub rmsea: Option<f64>,
    pub p: Option<f64>,
    /// Why the statistic is missing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// S-X² of all items in one group, or why it cannot be computed there.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Sx2 {
    Computed { items: Vec<ItemSx2> },
    NotAvailable { reason: String },
}

/// S-X² in one group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupSx2 {
    pub group: String,
    pub persons: usize,
    #[serde(flatten)]
    pub result: Sx2,
}

/// S-X² of every item in every group at the given parameters.
pub fn s_x2(
    matrix: &ResponseMatrix,
    items: &[ItemParams],
    groups: &[GroupParams],
    opts: &Sx2Options,
) -> Result<Vec<GroupSx2>, FitError> {
    check(matrix, items, groups, &opts.grid)?;
    let traces = traces(items, &opts.grid);
    Ok(groups
        .iter()
        .enumerate()
        .map(|(g, params)| {
            let members: Vec<usize> = (0..matrix.n_persons())
                .filter(|&p| usize::from(matrix.groups()[p]) == g)
                .collect();
            GroupSx2 {
                group: params.name.clone(),
                persons: members.len(),
                result: group_sx2(matrix, items, &traces, params, &members, opts),
            }
        })
        .collect())
}

/// The observed side of the tables: persons per summed score and, per item, per
/// summed score × category.
struct Observed {
    per_score: Vec<f64>,
    per_item: Vec<Vec<Vec<f64>>>,
}

fn observe(matrix: &ResponseMatrix, items: &[ItemParams], members: &[usize], max: usize) -> Observed {
    let mut per_score = vec![0.0; max + 1];
    let mut per_item: Vec<Vec<Vec<f64>>> = items
        .iter()
        .map(|it| vec![vec![0.0; usize::from(it.categories)]; max + 1])
        .collect();
    for &p in members {
        let row = matrix.row(p);
        let total: usize = row.iter().map(|&x| usize::from(x)).sum();
        per_score[total] += 1.0;
        for (table, &x) in per_item.iter_mut().zip(row) {
            table[total][usize::from(x)] += 1.0;
        }
    }
    Observed { per_score, per_item }
}

fn group_sx2(
    matrix: &ResponseMatrix,
    items: &[ItemParams],
    traces: &[Vec<f64>],
    group: &GroupParams,
    members: &[usize],
    opts: &Sx2Options,
) -> Sx2 {
    let not_available = |reason: String| Sx2::NotAvailable { reason };
    if members.is_empty() {
        return not_available("the group has no persons".into());
    }
    if items.len() < 2 {
        return not_available("S-X² needs at least two items".into());
    }
    let incomplete = members
        .iter()
        .filter(|&&p| matrix.row(p).iter().zip(items).any(|(&x, it)| x >= it.categories))
        .count();
    if incomplete > 0 {
        return not_available(format!(
            "{incomplete} of {} persons have missing responses; S-X² is defined for complete data only \
             (summed scores over different item sets are not comparable; mirt refuses too)",
            members.len()
        ));
    }
    let categories: Vec<usize> = items.iter().map(|it| usize::from(it.categories)).collect();
    let max: usize = categories.iter().map(|k| k - 1).sum();
    let observed = observe(matrix, items, members, max);
    let pi = prior(&opts.grid, group);
    let q = opts.grid.len();
    let (full, _) = summed_score_likelihoods(traces, &categories, None, q);
    let marginal: Vec<f64> = (0..=max)
        .map(|s| (0..q).map(|node| full[s * q + node] * pi[node]).sum())
        .collect();
    let group_free = usize::from(group.free_mean) + usize::from(group.free_variance);
    let context = Context {
        traces,
        categories: &categories,
        pi: &pi,
        marginal: &marginal,
        observed: &observed,
        max,
        persons: members.len(),
        group_free,
        mincell: opts.mincell,
    };
    let names = matrix.items();
    Sx2::Computed {
        items: (0..items.len())
            .into_par_iter()
            .map(|i| context.item(i, &names[i], &items[i]))
            .collect(),
    }
}

/// What every item's statistic in one group shares.
struct Context<'a> {
    traces: &'a [Vec<f64>],
    categories: &'a [usize],
    pi: &'a [f64],
    /// Σ_q L(s | θ_q) π_q for every summed score s.
    marginal: &'a [f64],
    observed: &'a Observed,
    max: usize,
    persons: usize,
    group_free: usize,
    mincell: f64,
}

impl Context<'_> {
    fn item(&self, i: usize, name: &str, params: &ItemParams) -> ItemSx2 {
        let unavailable = |note: &str| ItemSx2 {
            item: name.to_string(),
            s_x2: None,
            df: 0,
            rmsea: None,
            p: None,
            note: Some(note.to_string()),
        };
        let q = self.pi.len();
        let k = self.categories[i];
        let (without, max_without) = summed_score_likelihoods(self.traces, self.categories, Some(i), q);
        let trace = &self.traces[i];
        let scores = 1..self.max;
        let expected: Vec<Vec<Option<f64>>> = scores
            .clone()
            .map(|s| {
                (0..k)
                    .map(|c| {
                        (s >= c && s - c <= max_without).then(|| {
                            let joint: f64 = (0..q)
                                .map(|node| without[(s - c) * q + node] * trace[node * k + c] * self.pi[node])
                                .sum();
                            joint / self.marginal[s] * self.observed.per_score[s]
                        })
                    })
                    .collect()
            })
            .collect();
        let observed: Vec<Vec<f64>> = scores.map(|s| self.observed.per_item[i][s].clone()).collect();
        let Cells { observed, expected } = match collapse(observed, expected, self.mincell) {
            Ok(cells) => cells,
            Err(why) => return unavailable(why),
        };
        let mut statistic = 0.0;
        let mut cells = 0usize;
        for (o_row, e_row) in observed.iter().zip(&expected) {
            for (o, e) in o_row.iter().zip(e_row) {
                if let Some(e) = e {
                    statistic += (o - e).powi(2) / e;
                    cells += 1;
                }
            }
        }
        let spent = expected.len() + params.n_free() + self.group_free;
        if cells <= spent {
            return unavailable("no degrees of freedom left after collapsing");
        }
        let df = cells - spent;
        let ratio = statistic / df as f64 - 1.0;
        let rmsea = if ratio > 0.0 {
            (ratio / (self.persons as f64 - 1.0)).sqrt()
        } else {
            0.0
        };
        let p = ChiSquared::new(df as f64).ok().map(|chi| chi.sf(statistic));
        ItemSx2 {
            item: name.to_string(),
            s_x2: Some(statistic),
            df,
            rmsea: Some(rmsea),
            p,
            note: None,
        }
    }
}

/// Lord & Wingersky's recursion: the probability of each summed score at each node,
/// over all items except `skip`. Returns the (max + 1) × nodes table, row-major, and
/// the maximum score.
fn summed_score_likelihoods(
    traces: &[Vec<f64>],
    categories: &[usize],
    skip: Option<usize>,
    q: usize,
) -> (Vec<f64>, usize) {
    let mut table = vec![1.0; q];
    let mut max = 0;
    for (i, trace) in traces.iter().enumerate() {
        if skip == Some(i) {
            continue;
        }
        let k = categories[i];
        let mut next = vec![0.0; (max + k) * q];
        for s in 0..=max {
            for c in 0..k {
                let (out, from) = (&mut next[(s + c) * q..(s + c + 1) * q], &table[s * q..(s + 1) * q]);
                for (node, (o, l)) in out.iter_mut().zip(from).enumerate() {
                    *o += l * trace[node * k + c];
                }
            }
        }
        table = next;
        max += k - 1;
    }
    (table, max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Model;

    #[test]
    fn summed_score_distribution_sums_to_one_and_matches_enumeration() {
        let items = [
            ItemParams {
                values: vec![1.2, -0.3],
                ..ItemParams::new(Model::TwoPl, 2)
            },
            ItemParams {
                values: vec![0.8, 1.0, -0.5],
                ..ItemParams::new(Model::Graded, 3)
            },
            ItemParams {
                values: vec![1.0, 0.4],
                ..ItemParams::new(Model::Rasch, 2)
            },
        ];
        let grid = Grid::rectangular(5, -2.0, 2.0);
        let traces = traces(&items, &grid);
        let categories = [2, 3, 2];
        let (table, max) = summed_score_likelihoods(&traces, &categories, None, grid.len());
        assert_eq!(max, 4);
        for node in 0..grid.len() {
            let total: f64 = (0..=max).map(|s| table[s * grid.len() + node]).sum();
            assert!((total - 1.0).abs() < 1e-12);
            // Brute force over all 12 patterns.
            let mut brute = [0.0; 5];
            for a in 0..2 {
                for b in 0..3 {
                    for c in 0..2 {
                        brute[a + b + c] += traces[0][node * 2 + a] * traces[1][node * 3 + b] * traces[2][node * 2 + c];
                    }
                }
            }
            for (s, want) in brute.iter().enumerate() {
                assert!((table[s * grid.len() + node] - want).abs() < 1e-14);
            }
        }
        let (without, max) = summed_score_likelihoods(&traces, &categories, Some(1), grid.len());
        assert_eq!((max, without.len()), (2, 3 * grid.len()));
    }
}

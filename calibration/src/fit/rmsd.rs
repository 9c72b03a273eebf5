//! RMSD and MD per item × group, as CDM's `IRT.RMSD` (which TAM uses) and PISA
//! (since 2015) compute them to find items that need group-specific parameters.
//!
//! Within group g, on the grid nodes θ_q with the group's fitted prior π_gq:
//! the pseudo-observed category proportions are P^obs_ik(θ_q) = n_ikq / Σ_k n_ikq,
//! where n_ikq are the group's expected counts (its persons' posteriors, with their
//! weights, summed by the category they gave); the model's are P_ik(θ_q). Then
//!
//! * RMSD_ig = √( Σ_q π_gq Σ_k (P^obs_ik − P_ik)² / K_ig ),
//! * MD_ig   = Σ_q π_gq Σ_k k (P^obs_ik − P_ik) / (K_ig − 1),
//!
//! with K_ig the number of categories the group used. For a dichotomous item both
//! are the usual curves' distance (RMSD² = Σ π (P^obs − P)², MD = Σ π (P^obs − P));
//! for a polytomous item RMSD averages the squared gaps over categories, and MD is
//! the signed gap of the *expected score* scaled by the maximum score to [−1, 1]
//! (CDM's definition). RMSD reacts to any misfit; MD's sign tells whether the group
//! finds the item easier (> 0) or harder than the common parameters say. An item is
//! flagged in a group when RMSD or |MD| exceeds its threshold (0.12 each in PISA).
//! The small-sample bias correction (CDM's `RMSD_bc`) is not computed.

use serde::Serialize;

use super::{FitError, check, group_matrix, prior, traces};
use crate::data::ResponseMatrix;
use crate::em::{GroupParams, Problem};
use crate::model::ItemParams;
use crate::quadrature::Grid;

/// Thresholds above which an item is flagged in a group.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RmsdOptions {
    pub rmsd_threshold: f64,
    pub md_threshold: f64,
}

impl Default for RmsdOptions {
    /// PISA's: RMSD > 0.12 or |MD| > 0.12.
    fn default() -> Self {
        RmsdOptions {
            rmsd_threshold: 0.12,
            md_threshold: 0.12,
        }
    }
}

/// RMSD and MD of one item in one group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupRmsd {
    pub group: String,
    pub rmsd: Option<f64>,
    pub md: Option<f64>,
    /// RMSD or |MD| above its threshold.
    pub flagged: bool,
    /// Weighted number of the group's persons who answered the item.
    pub respondents: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// RMSD and MD of one item in every group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemRmsd {
    pub item: String,
    pub groups: Vec<GroupRmsd>,
}

/// Expected counts below this are no count at all (CDM's ε for "category used").
const EPS: f64 = 1e-10;

/// RMSD and MD of every item in every group at the given parameters, with
/// posteriors on `grid` (use the calibration's).
pub fn rmsd(
    matrix: &ResponseMatrix,
    items: &[ItemParams],
    groups: &[GroupParams],
    grid: &Grid,
    opts: &RmsdOptions,
) -> Result<Vec<ItemRmsd>, FitError> {
    check(matrix, items, groups, grid)?;
    let traces = traces(items, grid);
    let q = grid.len();
    let mut per_group: Vec<Vec<GroupRmsd>> = Vec::with_capacity(groups.len());
    for (g, group) in groups.iter().enumerate() {
        let Some(sub) = group_matrix(matrix, g)? else {
            per_group.push(
                items
                    .iter()
                    .map(|_| empty(&group.name, "the group has no persons with positive weight"))
                    .collect(),
            );
            continue;
        };
        let problem = Problem::unconstrained(&sub, items, std::slice::from_ref(group), grid);
        let expected = problem.expected(items, std::slice::from_ref(group));
        let pi = prior(grid, group);
        per_group.push(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let counts = problem.item_counts(&expected, i, item.categories);
                    group_rmsd(
                        &group.name,
                        counts,
                        &traces[i],
                        &pi,
                        usize::from(item.categories),
                        q,
                        opts,
                    )
                })
                .collect(),
        );
    }
    Ok(matrix
        .items()
        .iter()
        .enumerate()
        .map(|(i, name)| ItemRmsd {
            item: name.clone(),
            groups: per_group.iter().map(|g| g[i].clone()).collect(),
        })
        .collect())
}

fn empty(group: &str, note: &str) -> GroupRmsd {
    GroupRmsd {
        group: group.to_string(),
        rmsd: None,
        md: None,
        flagged: false,
        respondents: 0.0,
        note: Some(note.to_string()),
    }
}

/// `counts` is category × node, `trace` node × category, `pi` the group's prior.
fn group_rmsd(
    group: &str,
    counts: &[f64],
    trace: &[f64],
    pi: &[f64],
    k: usize,
    q: usize,
    opts: &RmsdOptions,
) -> GroupRmsd {
    let used = (0..k)
        .filter(|&c| counts[c * q..(c + 1) * q].iter().sum::<f64>() > EPS)
        .count();
    let respondents: f64 = counts.iter().sum();
    if used == 0 {
        return empty(group, "nobody in the group answered the item");
    }
    let mut squared = 0.0;
    let mut signed = 0.0;
    for node in 0..q {
        let total: f64 = (0..k).map(|c| counts[c * q + node]).sum();
        for c in 0..k {
            let gap = counts[c * q + node] / (total + EPS) - trace[node * k + c];
            squared += pi[node] * gap * gap;
            signed += pi[node] * c as f64 * gap;
        }
    }
    let rmsd = (squared / used as f64).sqrt();
    let md = (used > 1).then(|| signed / (used - 1) as f64);
    GroupRmsd {
        group: group.to_string(),
        rmsd: Some(rmsd),
        md,
        flagged: rmsd > opts.rmsd_threshold || md.is_some_and(|m| m.abs() > opts.md_threshold),
        respondents,
        note: md
            .is_none()
            .then(|| "the group used a single category: MD is undefined".to_string()),
    }
}

//! Item fit: S-X², infit/outfit mean squares, and RMSD/MD per item and group.
//!
//! Three views of the same question — do the responses follow the fitted item
//! response function? — each answering it for a different audience:
//!
//! * [`s_x2`]: Orlando & Thissen's summed-score χ² (2000, 2003), computed exactly as
//!   mirt's `itemfit(…, fit_stats = 'S_X2')`, so that a calibration can be checked
//!   against mirt item by item. Needs complete data, as in mirt.
//! * [`mean_squares`]: infit and outfit mean squares, the Rasch community's
//!   statistics, integrated over each person's posterior as TAM's `tam.fit` does
//!   (deterministically, see the module). Work with rotated booklets.
//! * [`rmsd`]: RMSD and MD per item × group, the statistics PISA uses (since 2015) to
//!   decide where an item needs group-specific parameters; CDM/TAM's `IRT.RMSD`.
//!
//! All take the item and group parameters of a calibration (or anyone's: the
//! reference tests pass mirt's estimates) and a response matrix *as scaling sees it*
//! (missing codes resolved by the [`MissingPolicy`](crate::data::codes::MissingPolicy)).
//! Sums over persons and nodes run in index order, so results are reproducible.

mod collapse;
mod msq;
mod rmsd;
mod sx2;

pub use msq::{ItemMeanSquares, mean_squares};
pub use rmsd::{GroupRmsd, ItemRmsd, RmsdOptions, rmsd};
pub use sx2::{GroupSx2, ItemSx2, Sx2, Sx2Options, s_x2};

use serde::Serialize;

use crate::data::codes::FIRST_MISSING;
use crate::data::{DataError, ResponseMatrix};
use crate::em::GroupParams;
use crate::model::ItemParams;
use crate::quadrature::Grid;

/// Why item fit cannot be computed at all (as opposed to a statistic that is not
/// available for one item or group, which the results say in words).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FitError {
    #[error("{items} item parameter sets given for {columns} item columns")]
    ItemCount { items: usize, columns: usize },
    #[error("{given} latent distributions given for {groups} groups")]
    GroupCount { given: usize, groups: usize },
    #[error("group {group}: variance {variance} must be positive and finite")]
    Variance { group: String, variance: f64 },
    #[error("item {item}: response category {category}, but its model has categories 0..{last}")]
    Category { item: String, category: u8, last: u8 },
    #[error("the quadrature grid needs at least two nodes")]
    Grid,
    #[error(transparent)]
    Data(#[from] DataError),
}

/// Options for [`item_fit`].
#[derive(Debug, Clone, PartialEq)]
pub struct FitOptions {
    pub s_x2: Sx2Options,
    /// The grid for the posterior-based statistics (infit/outfit, RMSD): use the
    /// calibration's, so posteriors are the ones estimation worked with.
    pub grid: Grid,
    pub rmsd: RmsdOptions,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            s_x2: Sx2Options::default(),
            grid: Grid::mirt_default(),
            rmsd: RmsdOptions::default(),
        }
    }
}

/// Every item fit statistic, as it goes into `diagnostics.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemFitReport {
    /// One entry per group (mirt computes S-X² within each group of a multiple-group model).
    pub s_x2: Vec<GroupSx2>,
    pub mean_squares: Vec<ItemMeanSquares>,
    pub rmsd: Vec<ItemRmsd>,
}

/// All item fit statistics at the given parameters.
pub fn item_fit(
    matrix: &ResponseMatrix,
    items: &[ItemParams],
    groups: &[GroupParams],
    opts: &FitOptions,
) -> Result<ItemFitReport, FitError> {
    Ok(ItemFitReport {
        s_x2: s_x2(matrix, items, groups, &opts.s_x2)?,
        mean_squares: mean_squares(matrix, items, groups, &opts.grid)?,
        rmsd: rmsd(matrix, items, groups, &opts.grid, &opts.rmsd)?,
    })
}

/// Checks that parameters and data belong together: one parameter set per item
/// column, one distribution per group, valid variances, and no scored category
/// beyond an item's model (which would otherwise be silently read as missing).
fn check(matrix: &ResponseMatrix, items: &[ItemParams], groups: &[GroupParams], grid: &Grid) -> Result<(), FitError> {
    if items.len() != matrix.n_items() {
        return Err(FitError::ItemCount {
            items: items.len(),
            columns: matrix.n_items(),
        });
    }
    if groups.len() != matrix.group_names().len() {
        return Err(FitError::GroupCount {
            given: groups.len(),
            groups: matrix.group_names().len(),
        });
    }
    if let Some(g) = groups.iter().find(|g| !(g.variance.is_finite() && g.variance > 0.0)) {
        return Err(FitError::Variance {
            group: g.name.clone(),
            variance: g.variance,
        });
    }
    if grid.len() < 2 {
        return Err(FitError::Grid);
    }
    for p in 0..matrix.n_persons() {
        for (i, (&x, item)) in matrix.row(p).iter().zip(items).enumerate() {
            if x < FIRST_MISSING && x >= item.categories {
                return Err(FitError::Category {
                    item: matrix.items()[i].clone(),
                    category: x,
                    last: item.categories - 1,
                });
            }
        }
    }
    Ok(())
}

/// The normalised prior weights of N(mean, variance) on the grid.
fn prior(grid: &Grid, group: &GroupParams) -> Vec<f64> {
    grid.log_normal_weights(group.mean, group.variance)
        .iter()
        .map(|l| l.exp())
        .collect()
}

/// Category probabilities of every item at every node: `[item][node * K + k]`.
fn traces(items: &[ItemParams], grid: &Grid) -> Vec<Vec<f64>> {
    items
        .iter()
        .map(|item| {
            let k = usize::from(item.categories);
            let mut out = vec![0.0; grid.len() * k];
            for (q, &theta) in grid.nodes.iter().enumerate() {
                item.probs(theta, &mut out[q * k..(q + 1) * k]);
            }
            out
        })
        .collect()
}

/// The persons of one group as a matrix of their own (one group, their raw weights),
/// so the E-step gives that group's expected counts under its own prior. `None` when
/// the group has no one with positive weight.
fn group_matrix(matrix: &ResponseMatrix, group: usize) -> Result<Option<ResponseMatrix>, FitError> {
    let members: Vec<usize> = (0..matrix.n_persons())
        .filter(|&p| usize::from(matrix.groups()[p]) == group)
        .filter(|&p| matrix.raw_weights().is_none_or(|w| w[p] > 0.0))
        .collect();
    if members.is_empty() {
        return Ok(None);
    }
    let data = members.iter().flat_map(|&p| matrix.row(p).iter().copied()).collect();
    let persons = members.iter().map(|&p| matrix.persons()[p].clone()).collect();
    let sub = ResponseMatrix::new(matrix.items().to_vec(), persons, data)?;
    Ok(Some(match matrix.raw_weights() {
        Some(w) => sub.with_weights(members.iter().map(|&p| w[p]).collect())?,
        None => sub,
    }))
}

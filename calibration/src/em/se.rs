//! Standard errors by Oakes' identity (mirt's default, used by every reference file).
//!
//! The observed information is
//! I = −[∂²Q(θ|θ′)/∂θ∂θᵀ + ∂²Q(θ|θ′)/∂θ∂θ′ᵀ] at θ = θ′ = θ̂,
//! where Q(θ|θ′) is the expected complete-data log-likelihood with the E-step taken
//! at θ′. The first term is exact and block-diagonal (items, group distributions);
//! the second is the change of Q's gradient when the E-step moves, taken by central
//! differences of whole E-steps, one free parameter at a time (2 E-steps each).

use nalgebra::DMatrix;
use rayon::prelude::*;
use serde::Serialize;

use super::{Expected, GroupParams, Problem, State, item_objective};
use crate::model::ItemParams;

/// Standard errors of every value of every item (`None` where fixed), and of the
/// free group means and variances.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StandardErrors {
    pub items: Vec<Vec<Option<f64>>>,
    /// Each item's covariance block over its values (row-major; zeros where fixed),
    /// for the delta method (IRT-form SEs, linking errors).
    pub item_covariances: Vec<Vec<f64>>,
    pub group_means: Vec<Option<f64>>,
    pub group_variances: Vec<Option<f64>>,
}

/// Why standard errors are not available.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SeError {
    #[error("the information matrix is not positive definite (the model is not identified, or not at a maximum)")]
    NotPositiveDefinite,
}

/// Relative step of the numerical derivative of the gradient.
const STEP: f64 = 1e-5;

impl Problem<'_> {
    /// ∇θ Q(θ̂|θ′) over the free parameters, for the E-step `e` taken at θ′.
    fn q_gradient(&self, at: &State, e: &Expected) -> Vec<f64> {
        let mut grad = Vec::new();
        for (i, item) in at.items.iter().enumerate() {
            let d = item_objective(item, self.item_counts(e, i, item.categories), &self.grid.nodes);
            grad.extend(d.grad.iter().zip(&item.free).filter(|(_, f)| **f).map(|(g, _)| *g));
        }
        let q = self.grid.len();
        for (g, params) in at.groups.iter().enumerate() {
            let (n, s1, s2) = group_sums(&e.group_mass[g * q..(g + 1) * q], &self.grid.nodes, params.mean);
            let v = params.variance;
            if params.free_mean {
                grad.push(s1 / v);
            }
            if params.free_variance {
                grad.push(-n / (2.0 * v) + s2 / (2.0 * v * v));
            }
        }
        grad
    }

    /// ∂²Q/∂θ∂θᵀ over the free parameters (block-diagonal).
    fn q_hessian(&self, at: &State, e: &Expected, size: usize) -> DMatrix<f64> {
        let mut h = DMatrix::zeros(size, size);
        let mut at_row = 0;
        for (i, item) in at.items.iter().enumerate() {
            let d = item_objective(item, self.item_counts(e, i, item.categories), &self.grid.nodes);
            let free: Vec<usize> = (0..item.values.len()).filter(|&j| item.free[j]).collect();
            let n = item.values.len();
            for (a, &ja) in free.iter().enumerate() {
                for (b, &jb) in free.iter().enumerate() {
                    h[(at_row + a, at_row + b)] = d.hess[ja * n + jb];
                }
            }
            at_row += free.len();
        }
        let q = self.grid.len();
        for (g, params) in at.groups.iter().enumerate() {
            let (n, s1, s2) = group_sums(&e.group_mass[g * q..(g + 1) * q], &self.grid.nodes, params.mean);
            let v = params.variance;
            let mean_row = params.free_mean.then(|| {
                h[(at_row, at_row)] = -n / v;
                at_row += 1;
                at_row - 1
            });
            if params.free_variance {
                h[(at_row, at_row)] = n / (2.0 * v * v) - s2 / (v * v * v);
                if let Some(m) = mean_row {
                    h[(m, at_row)] = -s1 / (v * v);
                    h[(at_row, m)] = -s1 / (v * v);
                }
                at_row += 1;
            }
        }
        h
    }
}

/// Posterior mass n, Σ m(θ − μ) and Σ m(θ − μ)² of one group.
fn group_sums(mass: &[f64], nodes: &[f64], mean: f64) -> (f64, f64, f64) {
    let mut sums = (0.0, 0.0, 0.0);
    for (m, t) in mass.iter().zip(nodes) {
        let dev = t - mean;
        sums.0 += m;
        sums.1 += m * dev;
        sums.2 += m * dev * dev;
    }
    sums
}

/// Standard errors at the parameter point (`items`, `groups`), usually the estimates.
pub(super) fn oakes(problem: &Problem<'_>, at: &State) -> Result<StandardErrors, SeError> {
    let x = at.pack();
    let size = x.len();
    let e = problem.expected(&at.items, &at.groups);
    let h1 = problem.q_hessian(at, &e, size);
    let columns: Vec<Vec<f64>> = (0..size)
        .into_par_iter()
        .map(|j| {
            let step = STEP * x[j].abs().max(1.0);
            let moved = |sign: f64| {
                let mut y = x.clone();
                y[j] += sign * step;
                let other = at.unpack(&y);
                problem.q_gradient(at, &problem.expected(&other.items, &other.groups))
            };
            let (up, down) = (moved(1.0), moved(-1.0));
            up.iter().zip(&down).map(|(u, d)| (u - d) / (2.0 * step)).collect()
        })
        .collect();
    let mut info = -h1;
    for (j, column) in columns.iter().enumerate() {
        for (i, c) in column.iter().enumerate() {
            info[(i, j)] -= c;
        }
    }
    // Symmetrise the numerical part before inverting.
    let info = (&info + info.transpose()) * 0.5;
    let cov = info.cholesky().ok_or(SeError::NotPositiveDefinite)?.inverse();
    Ok(unpack_se(at, &cov))
}

fn unpack_se(at: &State, cov: &DMatrix<f64>) -> StandardErrors {
    let mut row = 0;
    let mut items = Vec::new();
    let mut item_covariances = Vec::new();
    for item in &at.items {
        let n = item.values.len();
        let rows: Vec<Option<usize>> = item
            .free
            .iter()
            .map(|&f| {
                f.then(|| {
                    row += 1;
                    row - 1
                })
            })
            .collect();
        items.push(rows.iter().map(|r| r.map(|r| cov[(r, r)].max(0.0).sqrt())).collect());
        let mut block = vec![0.0; n * n];
        for (a, ra) in rows.iter().enumerate() {
            for (b, rb) in rows.iter().enumerate() {
                if let (Some(ra), Some(rb)) = (ra, rb) {
                    block[a * n + b] = cov[(*ra, *rb)];
                }
            }
        }
        item_covariances.push(block);
    }
    let mut group_means = Vec::new();
    let mut group_variances = Vec::new();
    for g in &at.groups {
        let mut take = |free: bool| {
            free.then(|| {
                row += 1;
                cov[(row - 1, row - 1)].max(0.0).sqrt()
            })
        };
        group_means.push(take(g.free_mean));
        group_variances.push(take(g.free_variance));
    }
    StandardErrors {
        items,
        item_covariances,
        group_means,
        group_variances,
    }
}

/// Standard errors at any parameter point of `matrix` (e.g. another program's
/// estimates, to compare the machinery itself).
pub fn standard_errors(
    matrix: &crate::data::ResponseMatrix,
    items: &[ItemParams],
    groups: &[GroupParams],
    grid: &crate::quadrature::Grid,
) -> Result<StandardErrors, SeError> {
    let categories: Vec<u8> = items.iter().map(|i| i.categories).collect();
    let problem = Problem {
        prep: super::Prepared::new(matrix, &categories),
        grid,
    };
    oakes(
        &problem,
        &State {
            items: items.to_vec(),
            groups: groups.to_vec(),
        },
    )
}

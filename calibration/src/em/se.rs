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
        let mut grad = vec![0.0; self.layout.n_vars];
        for (i, item) in at.items.iter().enumerate() {
            let d = item_objective(item, self.item_counts(e, i, item.categories), &self.grid.nodes);
            for (k, var) in self.layout.item_vars[i].iter().enumerate() {
                if let Some(var) = var {
                    grad[*var] += d.grad[k];
                }
            }
        }
        let q = self.grid.len();
        for (g, params) in at.groups.iter().enumerate() {
            let (n, s1, s2) = group_sums(&e.group_mass[g * q..(g + 1) * q], &self.grid.nodes, params.mean);
            let v = params.variance;
            let [mean, variance] = self.layout.group_vars[g];
            if let Some(m) = mean {
                grad[m] = s1 / v;
            }
            if let Some(w) = variance {
                grad[w] = -n / (2.0 * v) + s2 / (2.0 * v * v);
            }
        }
        grad
    }

    /// ∂²Q/∂θ∂θᵀ over the free parameters (block-diagonal but for tied values).
    fn q_hessian(&self, at: &State, e: &Expected) -> DMatrix<f64> {
        let size = self.layout.n_vars;
        let mut h = DMatrix::zeros(size, size);
        for (i, item) in at.items.iter().enumerate() {
            let d = item_objective(item, self.item_counts(e, i, item.categories), &self.grid.nodes);
            let n = item.values.len();
            let vars = &self.layout.item_vars[i];
            for (a, va) in vars.iter().enumerate() {
                for (b, vb) in vars.iter().enumerate() {
                    if let (Some(va), Some(vb)) = (va, vb) {
                        h[(*va, *vb)] += d.hess[a * n + b];
                    }
                }
            }
        }
        let q = self.grid.len();
        for (g, params) in at.groups.iter().enumerate() {
            let (n, s1, s2) = group_sums(&e.group_mass[g * q..(g + 1) * q], &self.grid.nodes, params.mean);
            let v = params.variance;
            let [mean, variance] = self.layout.group_vars[g];
            if let Some(m) = mean {
                h[(m, m)] = -n / v;
            }
            if let Some(w) = variance {
                h[(w, w)] = n / (2.0 * v * v) - s2 / (v * v * v);
                if let Some(m) = mean {
                    h[(m, w)] = -s1 / (v * v);
                    h[(w, m)] = -s1 / (v * v);
                }
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
    let x = problem.layout.pack(at);
    let size = x.len();
    let e = problem.expected(&at.items, &at.groups);
    let h1 = problem.q_hessian(at, &e);
    let columns: Vec<Vec<f64>> = (0..size)
        .into_par_iter()
        .map(|j| {
            let step = STEP * x[j].abs().max(1.0);
            let moved = |sign: f64| {
                let mut y = x.clone();
                y[j] += sign * step;
                let other = problem.layout.unpack(at, &y);
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
    Ok(unpack_se(problem, at, &cov))
}

fn unpack_se(problem: &Problem<'_>, at: &State, cov: &DMatrix<f64>) -> StandardErrors {
    let layout = &problem.layout;
    let sd = |var: usize| cov[(var, var)].max(0.0).sqrt();
    let mut items = Vec::new();
    let mut item_covariances = Vec::new();
    for (item, vars) in at.items.iter().zip(&layout.item_vars) {
        let n = item.values.len();
        items.push(vars.iter().map(|v| v.map(sd)).collect());
        let mut block = vec![0.0; n * n];
        for (a, va) in vars.iter().enumerate() {
            for (b, vb) in vars.iter().enumerate() {
                if let (Some(va), Some(vb)) = (va, vb) {
                    block[a * n + b] = cov[(*va, *vb)];
                }
            }
        }
        item_covariances.push(block);
    }
    StandardErrors {
        items,
        item_covariances,
        group_means: layout.group_vars.iter().map(|[m, _]| m.map(sd)).collect(),
        group_variances: layout.group_vars.iter().map(|[_, v]| v.map(sd)).collect(),
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
    let problem = Problem::unconstrained(matrix, items, groups, grid);
    oakes(
        &problem,
        &State {
            items: items.to_vec(),
            groups: groups.to_vec(),
        },
    )
}

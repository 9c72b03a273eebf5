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

/// Standard errors from the cross-product of person scores (mirt's `SE.type =
/// 'crossprod'`): I = Σ_p w_p s_p s_pᵀ, with s_p the gradient of person p's marginal
/// log-likelihood (weights read as frequency weights). Cheaper than Oakes' identity
/// (one pass over persons) but noisier in small samples; offered as an option.
pub(super) fn cross_product(problem: &Problem<'_>, at: &State) -> Result<StandardErrors, SeError> {
    let layout = &problem.layout;
    let nodes = &problem.grid.nodes;
    let q = nodes.len();
    let n_vars = layout.n_vars;
    let prep = &problem.prep;
    // For every slot (item × category) and node: log P and its gradient over the
    // item's values, mapped to variables.
    let log_table = problem.log_table(&at.items);
    let mut gradients: Vec<Vec<(usize, f64)>> = vec![Vec::new(); prep.n_slots * q];
    for (i, item) in at.items.iter().enumerate() {
        let k = usize::from(item.categories);
        let m = item.values.len();
        for cat in 0..k {
            let slot = prep.slot_base[i] + cat;
            let mut unit = vec![0.0; k];
            unit[cat] = 1.0;
            for (node, &theta) in nodes.iter().enumerate() {
                let mut d = crate::model::Derivs::zeros(m);
                item.add_node(theta, &unit, &mut d);
                gradients[slot * q + node] = layout.item_vars[i]
                    .iter()
                    .zip(&d.grad)
                    .filter_map(|(v, g)| v.map(|v| (v, *g)))
                    .collect();
            }
        }
    }
    let log_prior = problem.log_prior(&at.groups);
    // Fixed chunks summed in order: the same bits for any thread count.
    const CHUNK: usize = 4096;
    let person_info = |info: &mut DMatrix<f64>, p: usize| {
        let w = prep.weights[p];
        let g = usize::from(prep.groups[p]);
        let answers = prep.answers(p);
        let mut post: Vec<f64> = log_prior[g * q..(g + 1) * q].to_vec();
        for &s in &answers {
            post.iter_mut()
                .zip(&log_table[s as usize * q..(s as usize + 1) * q])
                .for_each(|(a, l)| *a += l);
        }
        let max = post.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        post.iter_mut().for_each(|a| *a = (*a - max).exp());
        let total: f64 = post.iter().sum();
        let mut score = vec![0.0; n_vars];
        let group = &at.groups[g];
        let [mean_var, variance_var] = layout.group_vars[g];
        for (node, &theta) in nodes.iter().enumerate() {
            let weight = post[node] / total;
            for &s in &answers {
                for &(v, grad) in &gradients[s as usize * q + node] {
                    score[v] += weight * grad;
                }
            }
            let dev = theta - group.mean;
            if let Some(m) = mean_var {
                score[m] += weight * dev / group.variance;
            }
            if let Some(v) = variance_var {
                score[v] += weight * (-0.5 / group.variance + 0.5 * dev * dev / (group.variance * group.variance));
            }
        }
        for a in 0..n_vars {
            for b in 0..n_vars {
                info[(a, b)] += w * score[a] * score[b];
            }
        }
    };
    let parts: Vec<DMatrix<f64>> = (0..prep.n_persons().div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| {
            let mut info = DMatrix::zeros(n_vars, n_vars);
            (c * CHUNK..((c + 1) * CHUNK).min(prep.n_persons())).for_each(|p| person_info(&mut info, p));
            info
        })
        .collect();
    let info = parts.into_iter().fold(DMatrix::zeros(n_vars, n_vars), |a, b| a + b);
    let cov = info.cholesky().ok_or(SeError::NotPositiveDefinite)?.inverse();
    Ok(unpack_se(problem, at, &cov))
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

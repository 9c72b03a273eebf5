//! The M-step: each item's parameters maximise its expected complete-data
//! log-likelihood (plus log prior) by Newton steps with step-halving; each free
//! group's mean and variance are the moments of its posterior mass.

use nalgebra::{DMatrix, DVector};

use crate::model::{Derivs, ItemParams};

/// Value, gradient and Hessian of an item's expected complete-data log-likelihood
/// (with its log prior) for the expected counts `counts` (category × node rows of
/// this item) over `nodes`.
pub fn item_objective(item: &ItemParams, counts: &[f64], nodes: &[f64]) -> Derivs {
    let k = usize::from(item.categories);
    let q = nodes.len();
    let mut acc = Derivs::zeros(item.values.len());
    let mut r = vec![0.0; k];
    for (node, &theta) in nodes.iter().enumerate() {
        for (cat, slot) in r.iter_mut().enumerate() {
            *slot = counts[cat * q + node];
        }
        item.add_node(theta, &r, &mut acc);
    }
    item.add_prior(&mut acc);
    acc
}

/// Newton iterations stop when the largest step is below this.
const STEP_TOL: f64 = 1e-9;
const MAX_NEWTON: usize = 30;
const MAX_HALVINGS: usize = 30;

/// Maximises the item's objective over its free parameters, starting from its
/// current values; returns the item with the new values.
pub fn maximise_item(item: &ItemParams, counts: &[f64], nodes: &[f64]) -> ItemParams {
    let mut vars = Vec::new();
    let mut n = 0;
    for &free in &item.free {
        vars.push(free.then(|| {
            n += 1;
            n - 1
        }));
    }
    let mut out = maximise_cluster(vec![item.clone()], &[counts], &[vars], n, nodes);
    out.remove(0)
}

/// Value, gradient and Hessian of the summed objective of tied items over the
/// cluster's variables (`vars[j][k]`: the variable of value k of item j).
fn cluster_objective(
    items: &[ItemParams],
    counts: &[&[f64]],
    vars: &[Vec<Option<usize>>],
    n: usize,
    nodes: &[f64],
) -> Derivs {
    let mut total = Derivs::zeros(n);
    for ((item, c), map) in items.iter().zip(counts).zip(vars) {
        let d = item_objective(item, c, nodes);
        let m = item.values.len();
        total.value += d.value;
        for (a, va) in map.iter().enumerate() {
            let Some(va) = va else { continue };
            total.grad[*va] += d.grad[a];
            for (b, vb) in map.iter().enumerate() {
                if let Some(vb) = vb {
                    total.hess[va * n + vb] += d.hess[a * m + b];
                }
            }
        }
    }
    total
}

/// Maximises the summed objective of items whose values share `n` variables (one
/// item, or items tied by equality constraints) by Newton steps with step-halving.
pub fn maximise_cluster(
    items: Vec<ItemParams>,
    counts: &[&[f64]],
    vars: &[Vec<Option<usize>>],
    n: usize,
    nodes: &[f64],
) -> Vec<ItemParams> {
    if n == 0 {
        return items;
    }
    let mut current = items;
    let mut here = cluster_objective(&current, counts, vars, n, nodes);
    for _ in 0..MAX_NEWTON {
        let g = DVector::from_column_slice(&here.grad);
        let neg_h = DMatrix::from_fn(n, n, |a, b| -here.hess[a * n + b]);
        let step = newton_step(&neg_h, &g);
        let mut t = 1.0;
        let mut accepted = None;
        for _ in 0..MAX_HALVINGS {
            let mut trial = current.clone();
            for (item, map) in trial.iter_mut().zip(vars) {
                for (v, var) in item.values.iter_mut().zip(map) {
                    if let Some(var) = var {
                        *v += t * step[*var];
                    }
                }
            }
            if trial.iter().all(ItemParams::is_valid) {
                let value = cluster_objective(&trial, counts, vars, n, nodes);
                if value.value.is_finite() && value.value >= here.value {
                    accepted = Some((trial, value));
                    break;
                }
            }
            t *= 0.5;
        }
        let Some((next, value)) = accepted else { break };
        let largest = step.iter().map(|s| (s * t).abs()).fold(0.0, f64::max);
        current = next;
        here = value;
        if largest < STEP_TOL {
            break;
        }
    }
    current
}

/// Solves (−H) Δ = g; when −H is not positive definite (far from the optimum of a
/// 3PL, say) it is shifted until it is, which turns the step towards gradient ascent.
fn newton_step(neg_h: &DMatrix<f64>, g: &DVector<f64>) -> DVector<f64> {
    let mut ridge = 0.0;
    for _ in 0..40 {
        let mut m = neg_h.clone();
        for i in 0..m.nrows() {
            m[(i, i)] += ridge;
        }
        if let Some(chol) = m.cholesky() {
            return chol.solve(g);
        }
        let scale = neg_h.diagonal().iter().map(|d| d.abs()).fold(1e-8, f64::max);
        ridge = if ridge == 0.0 { 1e-6 * scale } else { ridge * 10.0 };
    }
    g * 1e-3
}

/// The M-step of a group's latent distribution: its posterior mean and variance
/// (moment matching, as mirt and TAM do). This maximises the expected complete-data
/// log-likelihood when the prior weights are the normal density times the node
/// spacing (TAM's weights, the objective EM climbs; see [`super::Cycle::objective`]);
/// the log-likelihood reported, with weights normalised over the grid as mirt reports
/// it, differs from that objective only by the prior mass the grid holds.
pub fn group_moments(mass: &[f64], nodes: &[f64], fixed_mean: Option<f64>) -> (f64, f64) {
    let total: f64 = mass.iter().sum();
    let mean = fixed_mean.unwrap_or_else(|| mass.iter().zip(nodes).map(|(m, t)| m * t).sum::<f64>() / total);
    let variance = mass.iter().zip(nodes).map(|(m, t)| m * (t - mean).powi(2)).sum::<f64>() / total;
    (mean, variance)
}

//! The population model θ_i | x_i ~ N(x_i′Γ, σ²_g) with the items fixed, estimated by
//! EM on a quadrature grid (as TAM's `tam.mml` with `Y =` does).
//!
//! E-step: each student's posterior on the grid nodes under their own prior gives the
//! posterior mean m_i and variance v_i. M-step: Γ = (X′WX)⁻¹X′Wm (weighted least
//! squares of the posterior means), σ²_g = Σ_{i∈g} w_i [v_i + (m_i − x_i′Γ)²] / Σ_{i∈g} w_i.
//! The prior is evaluated at the nodes and normalised over them, as TAM does, so the
//! same grid gives the same fixed point.

use calibration::model::ItemParams;
use calibration::quadrature::Grid;
use nalgebra::{DMatrix, DVector};
use rayon::prelude::*;
use serde::Serialize;

use super::LatregError;
use super::design::Design;
use crate::posterior::{Moments, NodeTable, grid_posterior, log_prior_total};

/// Persons per parallel chunk: fixed, so sums are reduced in the same order whatever
/// the thread count.
const CHUNK: usize = 1024;

/// Estimation options.
#[derive(Debug, Clone)]
pub struct Options {
    pub grid: Grid,
    /// Largest absolute change of Γ and σ² that counts as converged.
    pub tolerance: f64,
    pub max_iterations: usize,
}

impl Default for Options {
    /// mirt's grid (61 nodes on [−6, 6]); a tighter tolerance than TAM's 1e-4 because the
    /// coefficients, not the deviance, are the product here.
    fn default() -> Options {
        Options {
            grid: Grid::mirt_default(),
            tolerance: 1e-6,
            max_iterations: 2000,
        }
    }
}

/// What the population model is fitted to.
#[derive(Debug, Clone, Copy)]
pub struct Data<'a> {
    pub items: &'a [ItemParams],
    /// Persons × items response codes (after the scaling policy), row-major.
    pub responses: &'a [u8],
    pub design: &'a Design,
    /// Sampling weights (normalised to sum to n inside); `None`: equal.
    pub weights: Option<&'a [f64]>,
    /// Residual-variance group of each person (0-based) and the number of groups;
    /// `None`: one σ² for everybody.
    pub variance_groups: Option<(&'a [u16], usize)>,
}

/// A fitted population model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PopulationModel {
    pub terms: Vec<String>,
    pub coefficients: Vec<f64>,
    /// Residual variance per variance group.
    pub variances: Vec<f64>,
    /// Marginal log-likelihood on the grid (weights normalised to n).
    pub log_likelihood: f64,
    pub iterations: usize,
    pub converged: bool,
    /// Log-likelihood after each iteration (never decreases).
    pub history: Vec<f64>,
}

impl PopulationModel {
    /// The prior mean and variance of person `i`.
    pub fn prior(&self, design: &Design, groups: Option<&[u16]>, i: usize) -> (f64, f64) {
        let g = groups.map_or(0, |g| usize::from(g[i]));
        (design.predict(i, &self.coefficients), self.variances[g])
    }
}

/// Checks the inputs and returns the normalised weights.
fn check(data: &Data) -> Result<Vec<f64>, LatregError> {
    let n = data.design.rows();
    let k = data.items.len();
    if k == 0 || data.responses.len() != n * k {
        return Err(LatregError::Shape(format!(
            "{} response codes for {n} persons × {k} items",
            data.responses.len()
        )));
    }
    if let Some((groups, count)) = data.variance_groups {
        if groups.len() != n {
            return Err(LatregError::Shape(format!(
                "{} variance groups for {n} persons",
                groups.len()
            )));
        }
        if let Some(g) = groups.iter().find(|&&g| usize::from(g) >= count) {
            return Err(LatregError::Shape(format!(
                "variance group {g} but only {count} groups"
            )));
        }
    }
    let weights = match data.weights {
        None => vec![1.0; n],
        Some(w) if w.len() != n => return Err(LatregError::Shape(format!("{} weights for {n} persons", w.len()))),
        Some(w) => {
            if let Some(i) = w.iter().position(|x| !x.is_finite() || *x < 0.0) {
                return Err(LatregError::Weight { row: i, value: w[i] });
            }
            let total: f64 = w.iter().sum();
            if total <= 0.0 {
                return Err(LatregError::Weight { row: 0, value: 0.0 });
            }
            w.iter().map(|x| x * n as f64 / total).collect()
        }
    };
    for (i, x) in data.design.values().iter().enumerate() {
        if !x.is_finite() {
            let p = data.design.columns();
            return Err(LatregError::Design {
                row: i / p,
                column: data.design.names[i % p].clone(),
            });
        }
    }
    Ok(weights)
}

/// Fits the population model. Returns the model and every person's posterior moments
/// on the grid under it.
pub fn fit(data: &Data, options: &Options) -> Result<(PopulationModel, Vec<Moments>), LatregError> {
    let weights = check(data)?;
    let design = data.design;
    let (n, p, k) = (design.rows(), design.columns(), data.items.len());
    let nodes = &options.grid.nodes;
    let q = nodes.len();
    let groups = data.variance_groups.map(|(g, _)| g);
    let n_groups = data.variance_groups.map_or(1, |(_, c)| c);

    // X′WX once; its Cholesky factor solves every M-step.
    let mut xtwx = DMatrix::<f64>::zeros(p, p);
    for (i, w) in weights.iter().enumerate() {
        let x = design.row(i);
        for a in 0..p {
            for b in 0..=a {
                xtwx[(a, b)] += w * x[a] * x[b];
            }
        }
    }
    for a in 0..p {
        for b in 0..a {
            xtwx[(b, a)] = xtwx[(a, b)];
        }
    }
    let cholesky = xtwx.cholesky().ok_or(LatregError::Collinear)?;

    let table = NodeTable::new(data.items, nodes);
    let mut log_lik = vec![0.0; n * q];
    log_lik.par_chunks_mut(q).enumerate().for_each(|(i, out)| {
        table.add_log_likelihood(&data.responses[i * k..(i + 1) * k], 0, 1, out);
    });

    let mut model = PopulationModel {
        terms: design.names.clone(),
        coefficients: vec![0.0; p],
        variances: vec![1.0; n_groups],
        log_likelihood: f64::NEG_INFINITY,
        iterations: 0,
        converged: false,
        history: Vec::new(),
    };
    let mut moments = vec![Moments { mean: 0.0, sd: 0.0 }; n];
    while model.iterations < options.max_iterations {
        let ll = e_step(&model, design, groups, nodes, &log_lik, &weights, &mut moments);
        model.log_likelihood = ll;
        model.history.push(ll);
        let (coefficients, variances) = m_step(design, groups, n_groups, &cholesky, &weights, &moments)?;
        let change = coefficients
            .iter()
            .zip(&model.coefficients)
            .chain(variances.iter().zip(&model.variances))
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        model.coefficients = coefficients;
        model.variances = variances;
        model.iterations += 1;
        if change < options.tolerance {
            model.converged = true;
            break;
        }
    }
    // Moments and log-likelihood under the final parameters.
    model.log_likelihood = e_step(&model, design, groups, nodes, &log_lik, &weights, &mut moments);
    Ok((model, moments))
}

/// Posterior moments of every person under the current model; returns the weighted
/// marginal log-likelihood.
fn e_step(
    model: &PopulationModel,
    design: &Design,
    groups: Option<&[u16]>,
    nodes: &[f64],
    log_lik: &[f64],
    weights: &[f64],
    moments: &mut [Moments],
) -> f64 {
    let q = nodes.len();
    let sums: Vec<f64> = moments
        .par_chunks_mut(CHUNK)
        .enumerate()
        .map(|(c, chunk)| {
            let mut scratch = Vec::with_capacity(q);
            let mut sum = 0.0;
            for (j, m) in chunk.iter_mut().enumerate() {
                let i = c * CHUNK + j;
                let (mean, variance) = model.prior(design, groups, i);
                let posterior = grid_posterior(nodes, &log_lik[i * q..(i + 1) * q], mean, variance, &mut scratch);
                *m = posterior.moments;
                sum += weights[i] * (posterior.log_joint - log_prior_total(nodes, mean, variance, &mut scratch));
            }
            sum
        })
        .collect();
    sums.iter().sum()
}

/// Weighted least squares of the posterior means, then the residual variances.
fn m_step(
    design: &Design,
    groups: Option<&[u16]>,
    n_groups: usize,
    cholesky: &nalgebra::Cholesky<f64, nalgebra::Dyn>,
    weights: &[f64],
    moments: &[Moments],
) -> Result<(Vec<f64>, Vec<f64>), LatregError> {
    let p = design.columns();
    let partial: Vec<Vec<f64>> = moments
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(c, chunk)| {
            let mut xtwm = vec![0.0; p];
            for (j, m) in chunk.iter().enumerate() {
                let i = c * CHUNK + j;
                for (acc, x) in xtwm.iter_mut().zip(design.row(i)) {
                    *acc += weights[i] * x * m.mean;
                }
            }
            xtwm
        })
        .collect();
    let mut xtwm = DVector::<f64>::zeros(p);
    for part in &partial {
        for (acc, v) in xtwm.iter_mut().zip(part) {
            *acc += v;
        }
    }
    let coefficients: Vec<f64> = cholesky.solve(&xtwm).iter().copied().collect();

    let partial: Vec<(Vec<f64>, Vec<f64>)> = moments
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(c, chunk)| {
            let (mut num, mut den) = (vec![0.0; n_groups], vec![0.0; n_groups]);
            for (j, m) in chunk.iter().enumerate() {
                let i = c * CHUNK + j;
                let g = groups.map_or(0, |g| usize::from(g[i]));
                let residual = m.mean - design.predict(i, &coefficients);
                num[g] += weights[i] * (m.sd * m.sd + residual * residual);
                den[g] += weights[i];
            }
            (num, den)
        })
        .collect();
    let mut variances = vec![0.0; n_groups];
    let mut totals = vec![0.0; n_groups];
    for (num, den) in &partial {
        for g in 0..n_groups {
            variances[g] += num[g];
            totals[g] += den[g];
        }
    }
    for (g, (v, t)) in variances.iter_mut().zip(&totals).enumerate() {
        if *t <= 0.0 {
            return Err(LatregError::EmptyGroup(g));
        }
        *v /= t;
    }
    Ok((coefficients, variances))
}

//! Plausible values: draws from each student's posterior under the fitted population
//! model, with the items fixed.
//!
//! Every student draws from their own ChaCha20 stream (the seed, stream = a key of the
//! student's id), so the same seed gives the same bits whatever the thread count or the
//! row order. A student without any administered item draws from the population model's
//! conditional prior N(x′Γ, σ²) — their background still informs the draw, as in PISA —
//! and is counted in [`PlausibleValues::answered`] as 0 so callers can report or drop them.

use calibration::quadrature::Grid;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha20Rng;
use rayon::prelude::*;
use serde::Serialize;

use super::LatregError;
use super::model::{Data, PopulationModel};
use crate::posterior::{Density, FineGrid, NodeTable, grid_posterior};

/// Persons per parallel chunk (any size gives the same bits; this one keeps the
/// per-chunk buffers warm).
const CHUNK: usize = 512;

/// How many values to draw and from which seed.
#[derive(Debug, Clone, Copy)]
pub struct PvOptions {
    /// M, the number of plausible values per student (PISA: 10).
    pub count: usize,
    pub seed: u64,
    /// Spacing of the fine tabulation the continuous posteriors are built from.
    pub fine_step: f64,
}

impl Default for PvOptions {
    fn default() -> PvOptions {
        PvOptions {
            count: 10,
            seed: 1,
            fine_step: 0.02,
        }
    }
}

/// Plausible values and the continuous posterior moments they were drawn from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlausibleValues {
    /// M.
    pub count: usize,
    /// Person-major: `values[i * count + m]`.
    pub values: Vec<f64>,
    /// EAP under the population model (the mean the PVs scatter around).
    pub eap: Vec<f64>,
    /// Posterior SD under the population model.
    pub psd: Vec<f64>,
    /// Administered items per student (0: drawn from the conditional prior).
    pub answered: Vec<u32>,
}

impl PlausibleValues {
    /// Plausible value `m` of every student.
    pub fn column(&self, m: usize) -> Vec<f64> {
        self.values.iter().skip(m).step_by(self.count).copied().collect()
    }

    /// Every plausible value as a column, `columns[m][i]` (what the estimators take).
    pub fn columns(&self) -> Vec<Vec<f64>> {
        (0..self.count).map(|m| self.column(m)).collect()
    }
}

/// A stable 64-bit key of a student id (FNV-1a), the stream of their draws.
pub fn person_key(id: &str) -> u64 {
    id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Draws `options.count` plausible values for every student of `data`, keyed by `keys`
/// (one per student, e.g. [`person_key`] of the id). `grid` is the grid the model was
/// fitted on (it places each posterior's window; the draws themselves are continuous).
pub fn draw(
    data: &Data,
    model: &PopulationModel,
    grid: &Grid,
    keys: &[u64],
    options: &PvOptions,
) -> Result<PlausibleValues, LatregError> {
    let (n, k, m) = (data.design.rows(), data.items.len(), options.count);
    if keys.len() != n || data.responses.len() != n * k {
        return Err(LatregError::Shape(format!(
            "{} keys and {} response codes for {n} persons × {k} items",
            keys.len(),
            data.responses.len()
        )));
    }
    if m == 0 {
        return Err(LatregError::Shape("at least one plausible value must be drawn".into()));
    }
    let nodes = &grid.nodes;
    let (lo, hi) = (nodes[0], nodes[nodes.len() - 1]);
    let coarse = NodeTable::new(data.items, nodes);
    let fine = FineGrid::new(data.items, lo, hi, options.fine_step);
    let groups = data.variance_groups.map(|(g, _)| g);

    let mut out = PlausibleValues {
        count: m,
        values: vec![0.0; n * m],
        eap: vec![0.0; n],
        psd: vec![0.0; n],
        answered: vec![0; n],
    };
    out.values
        .par_chunks_mut(CHUNK * m)
        .zip(out.eap.par_chunks_mut(CHUNK))
        .zip(out.psd.par_chunks_mut(CHUNK))
        .zip(out.answered.par_chunks_mut(CHUNK))
        .enumerate()
        .for_each(|(c, (((values, eap), psd), answered))| {
            let mut log_lik = vec![0.0; nodes.len()];
            let mut post = Vec::with_capacity(nodes.len());
            let mut scratch = Vec::new();
            let mut density = Density::default();
            for j in 0..eap.len() {
                let i = c * CHUNK + j;
                let responses = &data.responses[i * k..(i + 1) * k];
                let (mean, variance) = model.prior(data.design, groups, i);
                log_lik.iter_mut().for_each(|l| *l = 0.0);
                answered[j] = coarse.add_log_likelihood(responses, 0, 1, &mut log_lik) as u32;
                let around = grid_posterior(nodes, &log_lik, mean, variance, &mut post).moments;
                fine.posterior(responses, mean, variance, around, &mut scratch, &mut density);
                (eap[j], psd[j]) = density.moments();
                let mut rng = ChaCha20Rng::seed_from_u64(options.seed);
                rng.set_stream(keys[i]);
                for v in &mut values[j * m..(j + 1) * m] {
                    *v = density.quantile(rng.random::<f64>());
                }
            }
        });
    Ok(out)
}

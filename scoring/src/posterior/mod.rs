//! Person posteriors under a normal prior N(μ_i, σ²) that may differ per person (the
//! latent regression's prior): discrete posteriors on a quadrature grid for the EM of
//! the population model, continuous ones for plausible values and EAPs.

mod density;
mod table;

pub use density::Density;
pub use table::NodeTable;

use calibration::model::ItemParams;

/// Posterior mean and standard deviation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Moments {
    pub mean: f64,
    pub sd: f64,
}

/// Mean and SD of the discrete distribution with log-weights `log_weights` (any offset)
/// at `nodes`, and log Σ exp(log_weights).
pub fn log_weighted_moments(nodes: &[f64], log_weights: &[f64]) -> (Moments, f64) {
    let max = log_weights.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (mut total, mut m1, mut m2) = (0.0, 0.0, 0.0);
    for (&t, &l) in nodes.iter().zip(log_weights) {
        let w = (l - max).exp();
        total += w;
        m1 += w * t;
        m2 += w * t * t;
    }
    let mean = m1 / total;
    let moments = Moments {
        mean,
        sd: (m2 / total - mean * mean).max(0.0).sqrt(),
    };
    (moments, max + total.ln())
}

/// A person's posterior on the grid nodes under N(μ, σ²) evaluated at the nodes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GridPosterior {
    pub moments: Moments,
    /// log Σ_q L(θ_q)·exp(−(θ_q − μ)²/2σ²); minus [`log_prior_total`] it is the person's
    /// marginal log-likelihood with the prior normalised over the nodes (as TAM does).
    pub log_joint: f64,
}

/// log Σ_q exp(−(θ_q − μ)²/2σ²): the normaliser of the prior over the nodes.
pub fn log_prior_total(nodes: &[f64], mean: f64, variance: f64, scratch: &mut Vec<f64>) -> f64 {
    log_prior(nodes, mean, variance, scratch);
    log_weighted_moments(nodes, scratch).1
}

/// The prior's log-weights at the nodes, into `scratch`.
fn log_prior(nodes: &[f64], mean: f64, variance: f64, scratch: &mut Vec<f64>) {
    scratch.clear();
    scratch.extend(nodes.iter().map(|&t| -0.5 * (t - mean) * (t - mean) / variance));
}

/// The posterior from log-likelihood values at `nodes`; `scratch` (any length) is reused
/// between persons.
pub fn grid_posterior(
    nodes: &[f64],
    log_likelihood: &[f64],
    mean: f64,
    variance: f64,
    scratch: &mut Vec<f64>,
) -> GridPosterior {
    log_prior(nodes, mean, variance, scratch);
    for (lp, l) in scratch.iter_mut().zip(log_likelihood) {
        *lp += l;
    }
    let (moments, log_joint) = log_weighted_moments(nodes, scratch);
    GridPosterior { moments, log_joint }
}

/// Nodes per posterior window: the spacing is then ~0.2 posterior SD, which keeps the
/// log-linear interpolation's error in the posterior variance below 0.1%.
const WINDOW_NODES: usize = 72;
/// Half-width of the window in posterior SDs.
const WINDOW_SDS: f64 = 7.0;

/// Continuous posteriors from a fine tabulation of the items.
#[derive(Debug, Clone)]
pub struct FineGrid {
    table: NodeTable,
    lo: f64,
    step: f64,
}

impl FineGrid {
    /// Tabulates `items` on [lo, hi] with spacing ~`step` (0.02 logits is plenty).
    pub fn new(items: &[ItemParams], lo: f64, hi: f64, step: f64) -> FineGrid {
        let n = ((hi - lo) / step).ceil().max(1.0) as usize + 1;
        let step = (hi - lo) / (n - 1) as f64;
        let nodes: Vec<f64> = (0..n).map(|j| lo + j as f64 * step).collect();
        FineGrid {
            table: NodeTable::new(items, &nodes),
            lo,
            step,
        }
    }

    /// The person's posterior under N(`mean`, `variance`) as a continuous density on a
    /// window around `around` (a first approximation of the posterior, e.g. the grid
    /// moments). `scratch` is reused between persons.
    pub fn posterior(
        &self,
        responses: &[u8],
        mean: f64,
        variance: f64,
        around: Moments,
        scratch: &mut Vec<f64>,
        density: &mut Density,
    ) {
        let n = self.table.nodes().len();
        let sd = around.sd.max(self.step);
        // The window starts at least two nodes before the grid's end and spans ±7 SD
        // (clipped to the grid); a stride no longer than the window keeps ≥ 2 nodes in it.
        let from = ((around.mean - WINDOW_SDS * sd - self.lo) / self.step)
            .floor()
            .clamp(0.0, n.saturating_sub(2) as f64) as usize;
        let to = (from + (2.0 * WINDOW_SDS * sd / self.step).ceil() as usize).min(n - 1);
        let stride = ((2.0 * WINDOW_SDS * sd / (WINDOW_NODES as f64 * self.step)).floor() as usize).clamp(1, to - from);
        let count = (to - from) / stride + 1;
        scratch.clear();
        scratch.resize(count, 0.0);
        self.table.add_log_likelihood(responses, from, stride, scratch);
        let start = self.lo + from as f64 * self.step;
        let spacing = stride as f64 * self.step;
        let scale = -0.5 / variance;
        for (j, l) in scratch.iter_mut().enumerate() {
            let t = start + j as f64 * spacing;
            *l += scale * (t - mean) * (t - mean);
        }
        density.set(start, spacing, scratch);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calibration::model::Model;

    fn items() -> Vec<ItemParams> {
        (0..20)
            .map(|i| ItemParams {
                values: vec![0.8 + 0.05 * i as f64, 0.2 * i as f64 - 2.0],
                ..ItemParams::new(Model::TwoPl, 2)
            })
            .collect()
    }

    /// The continuous posterior agrees with brute-force integration on a very fine grid.
    #[test]
    fn continuous_posterior_matches_integration() {
        let items = items();
        let responses: Vec<u8> = (0..20).map(|i| u8::from(i % 3 != 0)).collect();
        let (mean, variance) = (0.3, 0.8);
        let nodes: Vec<f64> = (0..=24_000).map(|j| -6.0 + j as f64 * 0.0005).collect();
        let table = NodeTable::new(&items, &nodes);
        let mut ll = vec![0.0; nodes.len()];
        table.add_log_likelihood(&responses, 0, 1, &mut ll);
        let exact = grid_posterior(&nodes, &ll, mean, variance, &mut Vec::new()).moments;

        let fine = FineGrid::new(&items, -6.0, 6.0, 0.02);
        let coarse: Vec<f64> = (0..61).map(|j| -6.0 + j as f64 * 0.2).collect();
        let coarse_table = NodeTable::new(&items, &coarse);
        let mut cl = vec![0.0; 61];
        coarse_table.add_log_likelihood(&responses, 0, 1, &mut cl);
        let around = grid_posterior(&coarse, &cl, mean, variance, &mut Vec::new()).moments;
        let (mut scratch, mut density) = (Vec::new(), Density::default());
        fine.posterior(&responses, mean, variance, around, &mut scratch, &mut density);
        let (m, s) = density.moments();
        assert!((m - exact.mean).abs() < 2e-4, "{m} vs {}", exact.mean);
        assert!((s - exact.sd).abs() < 2e-4, "{s} vs {}", exact.sd);
    }
}

//! Quadrature grids for the latent variable and normal prior weights on them.

use serde::{Deserialize, Serialize};

/// Nodes on the latent scale; the prior of each group is a normal density on them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grid {
    pub nodes: Vec<f64>,
}

impl Grid {
    /// `n` equally spaced nodes on `[lo, hi]` (mirt's default is 61 on [−6, 6]).
    pub fn rectangular(n: usize, lo: f64, hi: f64) -> Grid {
        let n = n.max(2);
        let step = (hi - lo) / (n - 1) as f64;
        Grid {
            nodes: (0..n).map(|i| lo + step * i as f64).collect(),
        }
    }

    /// mirt's default grid.
    pub fn mirt_default() -> Grid {
        Grid::rectangular(61, -6.0, 6.0)
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Log prior weights of N(mean, variance) on the nodes, normalised to sum to 1
    /// over the grid (a discrete distribution, as mirt and TAM use).
    pub fn log_normal_weights(&self, mean: f64, variance: f64) -> Vec<f64> {
        let log_density: Vec<f64> = self
            .nodes
            .iter()
            .map(|t| -0.5 * (t - mean).powi(2) / variance)
            .collect();
        let max = log_density.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let total: f64 = log_density.iter().map(|l| (l - max).exp()).sum();
        let log_total = max + total.ln();
        log_density.iter().map(|l| l - log_total).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_are_a_distribution_with_the_right_moments() {
        let grid = Grid::mirt_default();
        assert_eq!(grid.len(), 61);
        assert!((grid.nodes[30]).abs() < 1e-12);
        let w: Vec<f64> = grid.log_normal_weights(0.5, 1.44).iter().map(|l| l.exp()).collect();
        let total: f64 = w.iter().sum();
        let mean: f64 = grid.nodes.iter().zip(&w).map(|(t, w)| t * w).sum();
        let var: f64 = grid.nodes.iter().zip(&w).map(|(t, w)| (t - mean).powi(2) * w).sum();
        assert!((total - 1.0).abs() < 1e-12);
        // The grid ends 4.6 SD above the mean: the truncated tail shifts the moments by ~1e-5.
        assert!((mean - 0.5).abs() < 1e-4, "{mean}");
        assert!((var - 1.44).abs() < 1e-3, "{var}");
        let standard: Vec<f64> = grid.log_normal_weights(0.0, 1.0).iter().map(|l| l.exp()).collect();
        let var: f64 = grid.nodes.iter().zip(&standard).map(|(t, w)| t * t * w).sum();
        assert!((var - 1.0).abs() < 1e-6, "{var}");
    }
}

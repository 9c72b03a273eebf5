//! Quadrature grids for the latent variable and normal prior weights on them.

use serde::{Deserialize, Serialize};

/// Nodes on the latent scale; the prior of each group is a normal density on them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grid {
    pub nodes: Vec<f64>,
    /// Gauss–Hermite grids: the log quadrature weights of N(0, 1) at the nodes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gauss_hermite_log_weights: Option<Vec<f64>>,
}

impl Grid {
    /// `n` equally spaced nodes on `[lo, hi]` (mirt's default is 61 on [−6, 6]).
    pub fn rectangular(n: usize, lo: f64, hi: f64) -> Grid {
        let n = n.max(2);
        let step = (hi - lo) / (n - 1) as f64;
        Grid {
            nodes: (0..n).map(|i| lo + step * i as f64).collect(),
            gauss_hermite_log_weights: None,
        }
    }

    /// A Gauss–Hermite grid of `n` points for the standard normal: the reference
    /// group's integral is then exact for polynomials up to degree 2n − 1. Other
    /// groups' N(μ, σ²) reweight the same nodes by φ(θ; μ, σ²)/φ(θ; 0, 1), because
    /// one E-step evaluates every group on one set of nodes.
    pub fn gauss_hermite(n: usize) -> Grid {
        let n = n.max(2);
        // Nodes of the physicists' Hermite polynomial H_n by Newton's method from the
        // usual asymptotic starting values, then scaled by √2 for the standard normal.
        let mut nodes = vec![0.0; n];
        let mut weights = vec![0.0; n];
        let m = n.div_ceil(2);
        let nf = n as f64;
        let mut z = 0.0;
        for i in 0..m {
            z = match i {
                0 => (2.0 * nf + 1.0).sqrt() - 1.85575 * (2.0 * nf + 1.0).powf(-1.0 / 6.0),
                1 => z - 1.14 * nf.powf(0.426) / z,
                2 => 1.86 * z - 0.86 * nodes[0],
                3 => 1.91 * z - 0.91 * nodes[1],
                _ => 2.0 * z - nodes[i - 2],
            };
            for _ in 0..100 {
                // H_n(z) by recurrence on the normalised polynomials, and its derivative.
                let (mut p1, mut p2) = (std::f64::consts::PI.powf(-0.25), 0.0);
                for j in 1..=n {
                    let p3 = p2;
                    p2 = p1;
                    let jf = j as f64;
                    p1 = z * (2.0 / jf).sqrt() * p2 - ((jf - 1.0) / jf).sqrt() * p3;
                }
                let derivative = (2.0 * nf).sqrt() * p2;
                let step = p1 / derivative;
                z -= step;
                weights[i] = 2.0 / (derivative * derivative);
                if step.abs() < 1e-14 {
                    break;
                }
            }
            nodes[i] = z;
            nodes[n - 1 - i] = -z;
            weights[n - 1 - i] = weights[i];
        }
        // Roots come largest first; the standard normal's nodes are √2 times them.
        let total: f64 = weights.iter().sum();
        let mut pairs: Vec<(f64, f64)> = nodes
            .iter()
            .zip(&weights)
            .map(|(x, w)| (x * std::f64::consts::SQRT_2, (w / total).ln()))
            .collect();
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        Grid {
            nodes: pairs.iter().map(|p| p.0).collect(),
            gauss_hermite_log_weights: Some(pairs.iter().map(|p| p.1).collect()),
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

    /// log Σ_q w_q of the unnormalised prior weights w_q = φ(θ_q; μ, σ²)·Δθ on a
    /// rectangular grid (TAM's weights), or the Gauss–Hermite weights reweighted by
    /// φ(θ; μ, σ²)/φ(θ; 0, 1): how much of the normal the grid holds. Added to the
    /// normalised log-likelihood it gives the objective EM's moment-matching M-step
    /// maximises exactly.
    pub fn log_prior_mass(&self, mean: f64, variance: f64) -> f64 {
        let log_phi =
            |t: f64| -0.5 * (t - mean).powi(2) / variance - 0.5 * (2.0 * std::f64::consts::PI * variance).ln();
        let terms: Vec<f64> = match &self.gauss_hermite_log_weights {
            None => {
                let step = (self.nodes[self.nodes.len() - 1] - self.nodes[0]) / (self.nodes.len() - 1) as f64;
                self.nodes.iter().map(|&t| log_phi(t) + step.ln()).collect()
            }
            Some(base) => self
                .nodes
                .iter()
                .zip(base)
                .map(|(&t, b)| b + log_phi(t) + 0.5 * t * t + 0.5 * (2.0 * std::f64::consts::PI).ln())
                .collect(),
        };
        let max = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        max + terms.iter().map(|l| (l - max).exp()).sum::<f64>().ln()
    }

    /// Log prior weights of N(mean, variance) on the nodes, normalised to sum to 1
    /// over the grid (a discrete distribution, as mirt uses): the density on a
    /// rectangular grid, the reweighted quadrature weights on a Gauss–Hermite grid.
    pub fn log_normal_weights(&self, mean: f64, variance: f64) -> Vec<f64> {
        let log_density: Vec<f64> = match &self.gauss_hermite_log_weights {
            None => self
                .nodes
                .iter()
                .map(|t| -0.5 * (t - mean).powi(2) / variance)
                .collect(),
            Some(base) => self
                .nodes
                .iter()
                .zip(base)
                .map(|(t, b)| b - 0.5 * (t - mean).powi(2) / variance - 0.5 * variance.ln() + 0.5 * t * t)
                .collect(),
        };
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
    fn gauss_hermite_nodes_integrate_polynomials() {
        // 10 nodes with normal weights integrate θ² and θ⁴ of N(0, 1) exactly (1 and 3).
        let grid = Grid::gauss_hermite(10);
        assert_eq!(grid.len(), 10);
        let w: Vec<f64> = grid.log_normal_weights(0.0, 1.0).iter().map(|l| l.exp()).collect();
        assert!(grid.nodes.windows(2).all(|p| p[0] < p[1]));
        assert!((grid.nodes[0] + grid.nodes[9]).abs() < 1e-12);
        // Largest root of He_10 (probabilists'): 4.8594628283.
        assert!((grid.nodes[9] - 4.859_462_828_332_312).abs() < 1e-9, "{:?}", grid.nodes);
        let moment = |k: i32| -> f64 { grid.nodes.iter().zip(&w).map(|(t, w)| t.powi(k) * w).sum() };
        assert!((moment(2) - 1.0).abs() < 1e-12, "{}", moment(2));
        assert!((moment(4) - 3.0).abs() < 1e-11, "{}", moment(4));
        // Another group reweights the same nodes: N(0.3, 1.2²) has mean 0.3.
        let w: Vec<f64> = grid.log_normal_weights(0.3, 1.44).iter().map(|l| l.exp()).collect();
        let mean: f64 = grid.nodes.iter().zip(&w).map(|(t, w)| t * w).sum();
        assert!((mean - 0.3).abs() < 1e-3, "{mean}");
    }

    #[test]
    fn prior_mass_is_what_the_grid_holds_of_the_normal() {
        let grid = Grid::mirt_default();
        assert!(
            grid.log_prior_mass(0.0, 1.0).abs() < 1e-9,
            "all of N(0, 1) lies within ±6"
        );
        // TAM's 21 nodes hold 99.464% of Taiwan's N(2.069, 2.778) in the TIMSS case.
        let tam = Grid::rectangular(21, -6.0, 6.0);
        let held = tam.log_prior_mass(2.06937628367046, 2.77844609404004).exp();
        assert!((held - 0.9946418298960352).abs() < 1e-12, "{held}");
        assert!(Grid::gauss_hermite(15).log_prior_mass(0.0, 1.0).abs() < 1e-12);
    }

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

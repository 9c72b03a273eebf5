//! The linear map between two calibrations' scales and what it does to item and group
//! parameters.

use serde::{Deserialize, Serialize};

use crate::em::GroupParams;
use crate::model::{ItemParams, Model};

/// θ_base = a·θ_new + b: Kolen & Brennan's A and B. `a` must be positive (every estimator
/// of [`link`](super::link) gives a positive one).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Transform {
    pub a: f64,
    pub b: f64,
}

impl Transform {
    /// A point of the new scale on the base scale.
    pub fn theta(&self, theta_new: f64) -> f64 {
        self.a * theta_new + self.b
    }

    /// New-round item parameters on the base scale.
    ///
    /// Every model is linear in θ inside a logistic: the new-round predictor a·θ_new + d
    /// with θ_new = (θ_base − B)/A becomes (a/A)·θ_base + (d − a·B/A). So, per model:
    ///
    /// - Rasch, 2PL: a* = a/A, d* = d − a·B/A (IRT form: b* = A·b + B).
    /// - 3PL: the same for a and d; the asymptote g = P(θ → −∞) is a probability at the
    ///   end of either scale, so logit g is unchanged.
    /// - graded: each boundary a·θ + d_k gives a* = a/A, d*_k = d_k − a·B/A (b*_k = A·b_k + B).
    /// - GPCM, PCM: category k's term a·k·θ + d_k gives a* = a/A, d*_k = d_k − k·a·B/A (the
    ///   step difficulties b_k = −(d_k − d_{k−1})/a become A·b_k + B).
    ///
    /// Probabilities are preserved: the item gives the same category probabilities at θ_base
    /// as the original at θ_new. A Rasch-family item keeps its model and its fixed slope, whose
    /// value becomes 1/A: on the base scale the unit is the base round's.
    pub fn item(&self, item: &ItemParams) -> ItemParams {
        let mut out = item.clone();
        let a = item.values[0];
        let shift = a * self.b / self.a;
        out.values[0] = a / self.a;
        match item.model {
            Model::Rasch | Model::TwoPl | Model::ThreePl => out.values[1] -= shift,
            Model::Graded => out.values[1..].iter_mut().for_each(|d| *d -= shift),
            Model::Gpcm | Model::Pcm => out.values[1..]
                .iter_mut()
                .enumerate()
                .for_each(|(k, d)| *d -= (k + 1) as f64 * shift),
        }
        out
    }

    /// A new-round group's latent distribution on the base scale: θ_new ~ N(μ, σ²) gives
    /// θ_base = A·θ_new + B ~ N(A·μ + B, A²·σ²).
    pub fn group(&self, group: &GroupParams) -> GroupParams {
        GroupParams {
            mean: self.theta(group.mean),
            variance: self.a * self.a * group.variance,
            ..group.clone()
        }
    }
}

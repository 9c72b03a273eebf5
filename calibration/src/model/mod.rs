//! Item response models in slope–intercept form (DESIGN.md §4), as mirt writes them.
//!
//! | model | parameters (`ItemParams::values`) | category probabilities |
//! |---|---|---|
//! | Rasch, 2PL | `[a, d]` (Rasch: a fixed at 1) | P(1) = σ(aθ + d) |
//! | 3PL | `[a, d, logit g]` | P(1) = g + (1 − g) σ(aθ + d) |
//! | graded | `[a, d₁ … d_{K−1}]` | P(X ≥ k) = σ(aθ + d_k) |
//! | GPCM, PCM | `[a, d₁ … d_{K−1}]` (PCM: a fixed at 1) | P(k) ∝ exp(a·k·θ + d_k), d₀ = 0 |
//!
//! The lower asymptote is estimated on the logit scale (so it stays in (0, 1)), as
//! mirt does; its standard error is reported for logit g, like mirt's.

mod derivs;
mod irt;

pub use derivs::Derivs;
pub use irt::IrtParams;

use serde::{Deserialize, Serialize};

/// The item models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Model {
    Rasch,
    #[serde(rename = "2pl")]
    TwoPl,
    #[serde(rename = "3pl")]
    ThreePl,
    Graded,
    Gpcm,
    Pcm,
}

impl Model {
    /// Reads mirt's item-type names, case-insensitively (`Rasch` on a polytomous item
    /// is mirt's PCM).
    pub fn parse(name: &str) -> Option<Model> {
        Some(match name.to_ascii_lowercase().as_str() {
            "rasch" | "1pl" => Model::Rasch,
            "2pl" => Model::TwoPl,
            "3pl" => Model::ThreePl,
            "graded" | "grm" => Model::Graded,
            "gpcm" => Model::Gpcm,
            "pcm" => Model::Pcm,
            _ => return None,
        })
    }

    /// The name used in output files.
    pub fn name(self) -> &'static str {
        match self {
            Model::Rasch => "rasch",
            Model::TwoPl => "2pl",
            Model::ThreePl => "3pl",
            Model::Graded => "graded",
            Model::Gpcm => "gpcm",
            Model::Pcm => "pcm",
        }
    }

    /// The model an item gets when `self` is asked for a test: mirt's `Rasch` and
    /// `2PL` on an item with more than two categories mean PCM and GPCM.
    pub fn for_categories(self, categories: u8) -> Model {
        match (self, categories > 2) {
            (Model::Rasch, true) => Model::Pcm,
            (Model::TwoPl | Model::ThreePl, true) => Model::Gpcm,
            (Model::Pcm, false) => Model::Rasch,
            (m, _) => m,
        }
    }

    /// Whether the slope is fixed at 1 (the Rasch family, whose latent variance is free instead).
    pub fn fixed_slope(self) -> bool {
        matches!(self, Model::Rasch | Model::Pcm)
    }

    /// Whether the model is dichotomous.
    pub fn dichotomous(self) -> bool {
        matches!(self, Model::Rasch | Model::TwoPl | Model::ThreePl)
    }
}

/// A Beta(α, β) prior on the lower asymptote g (mirt's `PRIOR = (…, g, expbeta, α, β)`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BetaPrior {
    pub alpha: f64,
    pub beta: f64,
}

/// One item's model and parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemParams {
    pub model: Model,
    /// Number of score categories K.
    pub categories: u8,
    /// Slope–intercept parameters, laid out as in the module table.
    pub values: Vec<f64>,
    /// Which of `values` are estimated (false: fixed, e.g. a Rasch slope or an anchor item).
    pub free: Vec<bool>,
    /// Prior on the lower asymptote (3PL only).
    pub guess_prior: Option<BetaPrior>,
}

/// The logistic function, written to stay accurate in both tails.
pub fn logistic(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

impl ItemParams {
    /// Parameters with the model's starting values (slope 1, intercepts from nothing);
    /// [`ItemParams::start_from`] sets better intercepts from observed proportions.
    pub fn new(model: Model, categories: u8) -> ItemParams {
        let k = usize::from(categories.max(2));
        let mut values = vec![1.0];
        match model {
            Model::Rasch | Model::TwoPl => values.push(0.0),
            Model::ThreePl => values.extend([0.0, logit(0.2)]),
            Model::Graded => values.extend((1..k).map(|j| 1.5 - 3.0 * (j as f64) / (k as f64))),
            Model::Gpcm | Model::Pcm => values.extend((1..k).map(|_| 0.0)),
        }
        let mut free = vec![true; values.len()];
        if model.fixed_slope() {
            free[0] = false;
        }
        ItemParams {
            model,
            categories: k as u8,
            values,
            free,
            guess_prior: None,
        }
    }

    /// Starting intercepts from the (weighted) share of each category, which makes EM
    /// start near the answer instead of wandering there.
    pub fn start_from(&mut self, shares: &[f64]) {
        let k = usize::from(self.categories);
        if shares.len() != k || shares.iter().any(|s| !s.is_finite() || *s <= 0.0) {
            return;
        }
        let clamp = |p: f64| p.clamp(0.01, 0.99);
        match self.model {
            Model::Rasch | Model::TwoPl => self.values[1] = logit(clamp(shares[1])),
            Model::ThreePl => self.values[1] = logit(clamp(shares[1])) - 0.5,
            Model::Graded => {
                for j in 1..k {
                    let at_least: f64 = shares[j..].iter().sum();
                    self.values[j] = logit(clamp(at_least));
                }
            }
            Model::Gpcm | Model::Pcm => {
                let mut d = 0.0;
                for j in 1..k {
                    d += (shares[j] / shares[j - 1]).ln().clamp(-4.0, 4.0);
                    self.values[j] = d;
                }
            }
        }
    }

    /// The names of `values` in output files, as mirt names them.
    pub fn value_names(&self) -> Vec<String> {
        let mut names = vec!["a1".to_string()];
        match self.model {
            Model::Rasch | Model::TwoPl => names.push("d".into()),
            Model::ThreePl => names.extend(["d".into(), "logit(g)".into()]),
            Model::Graded | Model::Gpcm | Model::Pcm => names.extend((1..self.categories).map(|k| format!("d{k}"))),
        }
        names
    }

    /// Number of estimated parameters.
    pub fn n_free(&self) -> usize {
        self.free.iter().filter(|&&f| f).count()
    }

    /// Fixes every parameter (an anchor item).
    pub fn fix_all(&mut self) {
        self.free.iter_mut().for_each(|f| *f = false);
    }

    /// Category probabilities at θ.
    pub fn probs(&self, theta: f64, out: &mut [f64]) {
        let v = &self.values;
        match self.model {
            Model::Rasch | Model::TwoPl => {
                let p = logistic(v[0] * theta + v[1]);
                out[0] = 1.0 - p;
                out[1] = p;
            }
            Model::ThreePl => {
                let g = logistic(v[2]);
                let p = g + (1.0 - g) * logistic(v[0] * theta + v[1]);
                out[0] = 1.0 - p;
                out[1] = p;
            }
            Model::Graded => {
                let k = out.len();
                let mut upper = 1.0;
                for j in 0..k {
                    let next = if j + 1 < k {
                        logistic(v[0] * theta + v[j + 1])
                    } else {
                        0.0
                    };
                    out[j] = upper - next;
                    upper = next;
                }
            }
            Model::Gpcm | Model::Pcm => {
                let z = |j: usize| v[0] * (j as f64) * theta + if j == 0 { 0.0 } else { v[j] };
                let max = (0..out.len()).map(z).fold(f64::NEG_INFINITY, f64::max);
                let mut total = 0.0;
                for (j, o) in out.iter_mut().enumerate() {
                    *o = (z(j) - max).exp();
                    total += *o;
                }
                out.iter_mut().for_each(|o| *o /= total);
            }
        }
    }

    /// Whether the parameters define valid probabilities (graded intercepts decreasing,
    /// everything finite); EM's line searches reject steps that break this.
    pub fn is_valid(&self) -> bool {
        self.values.iter().all(|v| v.is_finite())
            && match self.model {
                Model::Graded => self.values[1..].windows(2).all(|w| w[0] > w[1]),
                _ => true,
            }
    }
}

/// The logit of a probability.
pub fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probabilities_sum_to_one() {
        let items = [
            ItemParams {
                values: vec![1.3, -0.4],
                ..ItemParams::new(Model::TwoPl, 2)
            },
            ItemParams {
                values: vec![1.3, -0.4, logit(0.2)],
                ..ItemParams::new(Model::ThreePl, 2)
            },
            ItemParams {
                values: vec![1.1, 2.0, 0.1, -1.5],
                ..ItemParams::new(Model::Graded, 4)
            },
            ItemParams {
                values: vec![0.8, 1.0, 0.4, -2.0],
                ..ItemParams::new(Model::Gpcm, 4)
            },
        ];
        for item in &items {
            let mut p = vec![0.0; usize::from(item.categories)];
            for theta in [-6.0, -1.0, 0.0, 2.5, 6.0] {
                item.probs(theta, &mut p);
                let total: f64 = p.iter().sum();
                assert!((total - 1.0).abs() < 1e-12, "{item:?} at {theta}: {p:?}");
                assert!(p.iter().all(|&x| x > 0.0));
            }
        }
    }

    #[test]
    fn guessing_is_the_lower_asymptote() {
        let item = ItemParams {
            values: vec![2.0, 0.0, logit(0.25)],
            ..ItemParams::new(Model::ThreePl, 2)
        };
        let mut p = [0.0; 2];
        item.probs(-40.0, &mut p);
        assert!((p[1] - 0.25).abs() < 1e-12);
    }

    #[test]
    fn mirt_names() {
        assert_eq!(Model::parse("GRADED"), Some(Model::Graded));
        assert_eq!(Model::parse("2PL"), Some(Model::TwoPl));
        assert_eq!(Model::Rasch.for_categories(4), Model::Pcm);
        assert_eq!(Model::parse("nominal"), None);
    }
}

//! The IRT form of item parameters for reports: b = −d/a and thresholds, with
//! standard errors by the delta method.

use serde::Serialize;

use super::{ItemParams, Model, logistic};

/// Difficulty-form parameters (no 1.702 constant), as mirt's `IRTpars = TRUE`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IrtParams {
    pub a: f64,
    /// b for dichotomous items; b₁ … b_{K−1} for polytomous items.
    pub b: Vec<f64>,
    /// The lower asymptote g (3PL).
    pub g: Option<f64>,
}

impl ItemParams {
    /// The IRT form: dichotomous and graded b = −d/a; GPCM b_k = −(d_k − d_{k−1})/a.
    pub fn irt(&self) -> IrtParams {
        let v = &self.values;
        let a = v[0];
        let b = match self.model {
            Model::Rasch | Model::TwoPl | Model::ThreePl => vec![-v[1] / a],
            Model::Graded => v[1..].iter().map(|d| -d / a).collect(),
            Model::Gpcm | Model::Pcm => (1..v.len())
                .map(|k| -(v[k] - if k == 1 { 0.0 } else { v[k - 1] }) / a)
                .collect(),
        };
        let g = (self.model == Model::ThreePl).then(|| logistic(v[2]));
        IrtParams { a, b, g }
    }

    /// Standard errors of the IRT form from the covariance of `values`
    /// (row-major, one row per value; fixed values have zero rows).
    pub fn irt_se(&self, cov: &[f64]) -> IrtParams {
        let n = self.values.len();
        let var = |grad: &[f64]| -> f64 {
            let mut s = 0.0;
            for i in 0..n {
                for j in 0..n {
                    s += grad[i] * cov[i * n + j] * grad[j];
                }
            }
            s.max(0.0).sqrt()
        };
        let v = &self.values;
        let a = v[0];
        let mut grad = vec![0.0; n];
        let mut b = Vec::new();
        let thresholds = n - 1 - usize::from(self.model == Model::ThreePl);
        for k in 1..=thresholds {
            grad.iter_mut().for_each(|g| *g = 0.0);
            match self.model {
                Model::Gpcm | Model::Pcm => {
                    let prev = if k == 1 { 0.0 } else { v[k - 1] };
                    grad[0] = (v[k] - prev) / (a * a);
                    grad[k] = -1.0 / a;
                    if k > 1 {
                        grad[k - 1] = 1.0 / a;
                    }
                }
                _ => {
                    grad[0] = v[k] / (a * a);
                    grad[k] = -1.0 / a;
                }
            }
            b.push(var(&grad));
        }
        grad.iter_mut().for_each(|g| *g = 0.0);
        grad[0] = 1.0;
        let a_se = var(&grad);
        let g = (self.model == Model::ThreePl).then(|| {
            grad.iter_mut().for_each(|g| *g = 0.0);
            let g = logistic(v[2]);
            grad[2] = g * (1.0 - g);
            var(&grad)
        });
        IrtParams { a: a_se, b, g }
    }
}

//! The Haebara and Stocking–Lord criteria, with their gradients in (A, B), and their
//! minimisation.
//!
//! Both compare a curve of the anchors that stay on their own scale (the target, computed once)
//! with the same curve of the anchors from the other round, put on that scale by evaluating
//! them at the mapped θ — equivalent to transforming their parameters, and it needs only
//! dP/dθ for the gradient. On the base scale (weights w_q at nodes θ_q) the new items are
//! evaluated at u = (θ_q − B)/A, so ∂u/∂A = −u/A and ∂u/∂B = −1/A; on the new scale (the
//! symmetric half) the base items are evaluated at v = A·θ_q + B, ∂v/∂A = θ_q, ∂v/∂B = 1.

use super::newton;
use super::{Estimate, LinkError, Method, Pairs, Quadrature, Transform, Weights};
use crate::model::{ItemParams, Model, logistic};

/// What is compared at each node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Curve {
    /// Every category probability of every item (Haebara).
    Categories,
    /// The expected score Σ_j Σ_k k·P_jk (Stocking–Lord's test characteristic curve).
    Expected,
}

/// Category probabilities and their derivatives with respect to θ.
fn probs_and_slopes(item: &ItemParams, theta: f64, p: &mut [f64], dp: &mut [f64]) {
    item.probs(theta, p);
    let v = &item.values;
    let a = v[0];
    match item.model {
        Model::Rasch | Model::TwoPl => {
            let s = a * p[0] * p[1];
            dp[0] = -s;
            dp[1] = s;
        }
        Model::ThreePl => {
            let s = logistic(a * theta + v[1]);
            let slope = (1.0 - logistic(v[2])) * a * s * (1.0 - s);
            dp[0] = -slope;
            dp[1] = slope;
        }
        Model::Graded => {
            // P_k = S_k − S_{k+1} with boundaries S_k = σ(aθ + d_k), S_0 = 1, S_K = 0.
            let k = p.len();
            let boundary_slope = |j: usize| {
                if j == 0 || j >= k {
                    0.0
                } else {
                    let s = logistic(a * theta + v[j]);
                    a * s * (1.0 - s)
                }
            };
            for (j, d) in dp.iter_mut().enumerate() {
                *d = boundary_slope(j) - boundary_slope(j + 1);
            }
        }
        Model::Gpcm | Model::Pcm => {
            // P_k ∝ exp(a·k·θ + d_k), so dP_k/dθ = a·P_k·(k − E[k]).
            let mean: f64 = p.iter().enumerate().map(|(k, pk)| k as f64 * pk).sum();
            for (k, (d, pk)) in dp.iter_mut().zip(p.iter()).enumerate() {
                *d = a * pk * (k as f64 - mean);
            }
        }
    }
}

/// Buffers for one evaluation of the curves.
struct Scratch {
    p: Vec<f64>,
    dp: Vec<f64>,
}

impl Curve {
    /// Number of values the curve has at one θ.
    fn width(self, items: &[ItemParams]) -> usize {
        match self {
            Curve::Categories => items.iter().map(|i| usize::from(i.categories)).sum(),
            Curve::Expected => 1,
        }
    }

    /// The curve of `items` at θ and its derivative with respect to θ.
    fn evaluate(self, items: &[ItemParams], theta: f64, out: &mut [f64], slope: &mut [f64], scratch: &mut Scratch) {
        match self {
            Curve::Categories => {
                let mut at = 0;
                for item in items {
                    let k = usize::from(item.categories);
                    probs_and_slopes(item, theta, &mut out[at..at + k], &mut slope[at..at + k]);
                    at += k;
                }
            }
            Curve::Expected => {
                out[0] = 0.0;
                slope[0] = 0.0;
                for item in items {
                    let k = usize::from(item.categories);
                    scratch.p.resize(k, 0.0);
                    scratch.dp.resize(k, 0.0);
                    probs_and_slopes(item, theta, &mut scratch.p, &mut scratch.dp);
                    for (c, (p, dp)) in scratch.p.iter().zip(&scratch.dp).enumerate() {
                        out[0] += c as f64 * p;
                        slope[0] += c as f64 * dp;
                    }
                }
            }
        }
    }
}

/// One half of the criterion: the curve of the items staying on their scale at the nodes.
struct Half<'a> {
    quadrature: &'a Quadrature,
    /// Node-major, `width` values per node.
    target: Vec<f64>,
}

impl<'a> Half<'a> {
    fn new(curve: Curve, items: &[ItemParams], quadrature: &'a Quadrature, width: usize) -> Half<'a> {
        let mut target = vec![0.0; quadrature.nodes.len() * width];
        let mut slope = vec![0.0; width];
        let mut scratch = Scratch {
            p: Vec::new(),
            dp: Vec::new(),
        };
        for (q, &theta) in quadrature.nodes.iter().enumerate() {
            curve.evaluate(
                items,
                theta,
                &mut target[q * width..(q + 1) * width],
                &mut slope,
                &mut scratch,
            );
        }
        Half { quadrature, target }
    }
}

/// A criterion F(A, B) = Σ_q w_q ‖target(θ_q) − moved curve‖² over one or both halves.
struct Criterion<'a> {
    curve: Curve,
    width: usize,
    pairs: &'a Pairs,
    /// Base items at base-scale nodes, matched by the new items at u = (θ − B)/A.
    base_scale: Half<'a>,
    /// New items at new-scale nodes, matched by the base items at v = A·θ + B.
    new_scale: Option<Half<'a>>,
}

impl<'a> Criterion<'a> {
    fn new(curve: Curve, pairs: &'a Pairs, weights: &'a Weights) -> Criterion<'a> {
        let width = curve.width(&pairs.base);
        Criterion {
            curve,
            width,
            pairs,
            base_scale: Half::new(curve, &pairs.base, &weights.base, width),
            new_scale: weights
                .symmetric
                .as_ref()
                .map(|q| Half::new(curve, &pairs.new, q, width)),
        }
    }

    /// F and ∇F at x = (A, B); `None` where A is not positive (no scale map).
    fn value_and_gradient(&self, x: [f64; 2]) -> Option<(f64, [f64; 2])> {
        let (a, b) = (x[0], x[1]);
        if !(a > 0.0 && a.is_finite() && b.is_finite()) {
            return None;
        }
        let mut c = vec![0.0; self.width];
        let mut dc = vec![0.0; self.width];
        let mut scratch = Scratch {
            p: Vec::new(),
            dp: Vec::new(),
        };
        let mut value = 0.0;
        let mut grad = [0.0; 2];
        let half = &self.base_scale;
        for (q, (&theta, &w)) in half.quadrature.nodes.iter().zip(&half.quadrature.weights).enumerate() {
            if w == 0.0 {
                continue;
            }
            let u = (theta - b) / a;
            self.curve.evaluate(&self.pairs.new, u, &mut c, &mut dc, &mut scratch);
            let target = &half.target[q * self.width..(q + 1) * self.width];
            for ((t, ck), dk) in target.iter().zip(&c).zip(&dc) {
                let r = t - ck;
                value += w * r * r;
                // ∂r/∂A = −dc·∂u/∂A = dc·u/A; ∂r/∂B = dc/A.
                grad[0] += 2.0 * w * r * dk * u / a;
                grad[1] += 2.0 * w * r * dk / a;
            }
        }
        if let Some(half) = &self.new_scale {
            for (q, (&theta, &w)) in half.quadrature.nodes.iter().zip(&half.quadrature.weights).enumerate() {
                if w == 0.0 {
                    continue;
                }
                let v = a * theta + b;
                self.curve.evaluate(&self.pairs.base, v, &mut c, &mut dc, &mut scratch);
                let target = &half.target[q * self.width..(q + 1) * self.width];
                for ((t, ck), dk) in target.iter().zip(&c).zip(&dc) {
                    let r = ck - t;
                    value += w * r * r;
                    grad[0] += 2.0 * w * r * dk * theta;
                    grad[1] += 2.0 * w * r * dk;
                }
            }
        }
        Some((value, grad))
    }
}

/// Minimises the method's criterion from `start`.
pub(super) fn minimise(
    method: Method,
    pairs: &Pairs,
    weights: &Weights,
    start: Transform,
) -> Result<Estimate, LinkError> {
    let curve = match method {
        Method::Haebara => Curve::Categories,
        _ => Curve::Expected,
    };
    let criterion = Criterion::new(curve, pairs, weights);
    let minimum = newton::minimise(&|x| criterion.value_and_gradient(x), [start.a, start.b])
        .ok_or(LinkError::NoConvergence(method))?;
    Ok(Estimate {
        transform: Transform {
            a: minimum.x[0],
            b: minimum.x[1],
        },
        criterion: Some(minimum.value),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::logit;

    /// The analytic dP/dθ agrees with central differences of the probabilities.
    #[test]
    fn slopes_match_differences() {
        let items = [
            ItemParams {
                values: vec![1.3, -0.4],
                ..ItemParams::new(Model::TwoPl, 2)
            },
            ItemParams {
                values: vec![1.7, 0.6, logit(0.2)],
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
        let h = 1e-6;
        for item in &items {
            let k = usize::from(item.categories);
            let (mut p, mut dp, mut up, mut down, mut ignore) =
                (vec![0.0; k], vec![0.0; k], vec![0.0; k], vec![0.0; k], vec![0.0; k]);
            for theta in [-3.0, -0.7, 0.0, 1.2, 4.0] {
                probs_and_slopes(item, theta, &mut p, &mut dp);
                probs_and_slopes(item, theta + h, &mut up, &mut ignore);
                probs_and_slopes(item, theta - h, &mut down, &mut ignore);
                for c in 0..k {
                    let numeric = (up[c] - down[c]) / (2.0 * h);
                    assert!(
                        (numeric - dp[c]).abs() < 1e-8,
                        "{item:?} at {theta}: {numeric} vs {}",
                        dp[c]
                    );
                }
            }
        }
    }

    /// The analytic gradient of both criteria, both halves, agrees with central differences.
    #[test]
    fn gradient_matches_differences() {
        let pairs = Pairs {
            base: vec![
                ItemParams {
                    values: vec![1.2, 0.3],
                    ..ItemParams::new(Model::TwoPl, 2)
                },
                ItemParams {
                    values: vec![0.9, 1.0, -0.2, -1.1],
                    ..ItemParams::new(Model::Graded, 4)
                },
                ItemParams {
                    values: vec![1.1, 0.5, -0.5],
                    ..ItemParams::new(Model::Gpcm, 3)
                },
            ],
            new: vec![
                ItemParams {
                    values: vec![1.0, -0.2],
                    ..ItemParams::new(Model::TwoPl, 2)
                },
                ItemParams {
                    values: vec![0.8, 1.4, 0.1, -0.9],
                    ..ItemParams::new(Model::Graded, 4)
                },
                ItemParams {
                    values: vec![1.3, 0.2, -0.1],
                    ..ItemParams::new(Model::Gpcm, 3)
                },
            ],
        };
        let weights = Weights {
            base: Quadrature::default(),
            symmetric: Some(Quadrature::default()),
        };
        for curve in [Curve::Categories, Curve::Expected] {
            let criterion = Criterion::new(curve, &pairs, &weights);
            let x = [1.15, -0.3];
            let (_, grad) = criterion.value_and_gradient(x).unwrap();
            for j in 0..2 {
                let h = 1e-6;
                let (mut up, mut down) = (x, x);
                up[j] += h;
                down[j] -= h;
                let numeric = (criterion.value_and_gradient(up).unwrap().0
                    - criterion.value_and_gradient(down).unwrap().0)
                    / (2.0 * h);
                assert!(
                    (numeric - grad[j]).abs() < 1e-7,
                    "{curve:?} {j}: {numeric} vs {}",
                    grad[j]
                );
            }
        }
    }
}

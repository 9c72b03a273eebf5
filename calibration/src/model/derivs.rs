//! Analytic derivatives of the expected complete-data log-likelihood of one item,
//! Σ_q Σ_k r_qk log P_k(θ_q), with respect to all of its parameters.
//!
//! Every model is handled through the gradient and Hessian of log P_k at a node,
//! added up with the expected counts r_qk; the M-step then takes Newton steps on
//! the free parameters. Exact Hessians (not Fisher scoring) because the standard
//! errors by Oakes' identity need the observed complete-data information.

use super::{ItemParams, Model, logistic};

/// A running sum of value, gradient and Hessian (row-major n × n).
#[derive(Debug, Clone, PartialEq)]
pub struct Derivs {
    pub value: f64,
    pub grad: Vec<f64>,
    pub hess: Vec<f64>,
}

impl Derivs {
    pub fn zeros(n: usize) -> Derivs {
        Derivs {
            value: 0.0,
            grad: vec![0.0; n],
            hess: vec![0.0; n * n],
        }
    }

    fn n(&self) -> usize {
        self.grad.len()
    }

    /// Adds `r` × (log p, g, H).
    fn add(&mut self, r: f64, log_p: f64, g: &[f64], h: &[f64]) {
        self.value += r * log_p;
        for (a, b) in self.grad.iter_mut().zip(g) {
            *a += r * b;
        }
        for (a, b) in self.hess.iter_mut().zip(h) {
            *a += r * b;
        }
    }
}

/// log P, its gradient and Hessian from P, ∇P and ∇²P.
fn log_of(p: f64, dp: &[f64], d2p: &[f64], g: &mut [f64], h: &mut [f64]) -> f64 {
    let n = dp.len();
    for i in 0..n {
        g[i] = dp[i] / p;
    }
    for i in 0..n {
        for j in 0..n {
            h[i * n + j] = d2p[i * n + j] / p - g[i] * g[j];
        }
    }
    p.max(f64::MIN_POSITIVE).ln()
}

impl ItemParams {
    /// Adds Σ_k r_k log P_k(θ) with its gradient and Hessian to `acc`.
    /// `r` holds the expected count of each category at this node.
    pub fn add_node(&self, theta: f64, r: &[f64], acc: &mut Derivs) {
        let total: f64 = r.iter().sum();
        if total == 0.0 {
            return;
        }
        let n = acc.n();
        let v = &self.values;
        match self.model {
            Model::Rasch | Model::TwoPl => {
                let s = logistic(v[0] * theta + v[1]);
                let x = [theta, 1.0];
                let w = s * (1.0 - s);
                let h = [-w * theta * theta, -w * theta, -w * theta, -w];
                let c1 = 1.0 - s;
                acc.add(r[1], s.max(f64::MIN_POSITIVE).ln(), &[c1 * x[0], c1 * x[1]], &h);
                acc.add(r[0], (1.0 - s).max(f64::MIN_POSITIVE).ln(), &[-s * x[0], -s * x[1]], &h);
            }
            Model::ThreePl => {
                let s = logistic(v[0] * theta + v[1]);
                let g = logistic(v[2]);
                let p = g + (1.0 - g) * s;
                let pz = (1.0 - g) * s * (1.0 - s);
                let pg = g * (1.0 - g) * (1.0 - s);
                let pzz = pz * (1.0 - 2.0 * s);
                let pzg = -g * (1.0 - g) * s * (1.0 - s);
                let pgg = pg * (1.0 - 2.0 * g);
                let dp = [pz * theta, pz, pg];
                let d2p = [
                    pzz * theta * theta,
                    pzz * theta,
                    pzg * theta,
                    pzz * theta,
                    pzz,
                    pzg,
                    pzg * theta,
                    pzg,
                    pgg,
                ];
                let (mut gr, mut h) = ([0.0; 3], [0.0; 9]);
                let lp = log_of(p, &dp, &d2p, &mut gr, &mut h);
                acc.add(r[1], lp, &gr, &h);
                let dq = dp.map(|x| -x);
                let d2q = d2p.map(|x| -x);
                let lq = log_of(1.0 - p, &dq, &d2q, &mut gr, &mut h);
                acc.add(r[0], lq, &gr, &h);
            }
            Model::Graded => {
                let k = r.len();
                // Cumulative P*_j = P(X ≥ j) for j = 0..=k, with their derivatives.
                let mut star = vec![0.0; k + 1];
                let mut dstar = vec![vec![0.0; n]; k + 1];
                let mut d2star = vec![vec![0.0; n * n]; k + 1];
                star[0] = 1.0;
                for j in 1..k {
                    let s = logistic(v[0] * theta + v[j]);
                    let w = s * (1.0 - s);
                    let u = w * (1.0 - 2.0 * s);
                    star[j] = s;
                    dstar[j][0] = w * theta;
                    dstar[j][j] = w;
                    d2star[j][0] = u * theta * theta;
                    d2star[j][j] = u * theta;
                    d2star[j][j * n] = u * theta;
                    d2star[j][j * n + j] = u;
                }
                let (mut dp, mut d2p) = (vec![0.0; n], vec![0.0; n * n]);
                let (mut gr, mut h) = (vec![0.0; n], vec![0.0; n * n]);
                for cat in 0..k {
                    if r[cat] == 0.0 {
                        continue;
                    }
                    let p = star[cat] - star[cat + 1];
                    for i in 0..n {
                        dp[i] = dstar[cat][i] - dstar[cat + 1][i];
                    }
                    for i in 0..n * n {
                        d2p[i] = d2star[cat][i] - d2star[cat + 1][i];
                    }
                    let lp = log_of(p, &dp, &d2p, &mut gr, &mut h);
                    acc.add(r[cat], lp, &gr, &h);
                }
            }
            Model::Gpcm | Model::Pcm => {
                let k = r.len();
                let mut p = vec![0.0; k];
                self.probs(theta, &mut p);
                // ∂z_j: slope column j·θ, intercept column j (for j ≥ 1).
                let dz = |j: usize, i: usize| match i {
                    0 => j as f64 * theta,
                    _ if i == j => 1.0,
                    _ => 0.0,
                };
                let mean: Vec<f64> = (0..n).map(|i| (0..k).map(|j| p[j] * dz(j, i)).sum()).collect();
                let mut cov = vec![0.0; n * n];
                for a in 0..n {
                    for b in 0..n {
                        cov[a * n + b] = (0..k).map(|j| p[j] * (dz(j, a) - mean[a]) * (dz(j, b) - mean[b])).sum();
                    }
                }
                let h: Vec<f64> = cov.iter().map(|c| -c).collect();
                let mut gr = vec![0.0; n];
                for cat in 0..k {
                    if r[cat] == 0.0 {
                        continue;
                    }
                    for (i, g) in gr.iter_mut().enumerate() {
                        *g = dz(cat, i) - mean[i];
                    }
                    acc.add(r[cat], p[cat].max(f64::MIN_POSITIVE).ln(), &gr, &h);
                }
            }
        }
    }

    /// Adds the log prior of the parameters (the Beta prior on a 3PL asymptote) to `acc`.
    pub fn add_prior(&self, acc: &mut Derivs) {
        if let (Model::ThreePl, Some(prior)) = (self.model, self.guess_prior) {
            let g = logistic(self.values[2]);
            let n = acc.n();
            acc.value += (prior.alpha - 1.0) * g.ln() + (prior.beta - 1.0) * (1.0 - g).ln();
            acc.grad[2] += (prior.alpha - 1.0) * (1.0 - g) - (prior.beta - 1.0) * g;
            acc.hess[2 * n + 2] -= (prior.alpha + prior.beta - 2.0) * g * (1.0 - g);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{BetaPrior, logit};
    use super::*;

    /// Σ r_k log P_k computed from probabilities alone.
    fn value(item: &ItemParams, theta: f64, r: &[f64]) -> f64 {
        let mut acc = Derivs::zeros(item.values.len());
        item.add_node(theta, r, &mut acc);
        item.add_prior(&mut acc);
        acc.value
    }

    /// Checks gradient and Hessian against central differences.
    fn check(item: ItemParams, r: &[f64]) {
        let n = item.values.len();
        let theta = 0.7;
        let mut acc = Derivs::zeros(n);
        item.add_node(theta, r, &mut acc);
        item.add_prior(&mut acc);
        let mut p = vec![0.0; r.len()];
        item.probs(theta, &mut p);
        let direct: f64 = r.iter().zip(&p).map(|(r, p)| r * p.ln()).sum::<f64>();
        let prior_free = {
            let mut a = Derivs::zeros(n);
            item.add_node(theta, r, &mut a);
            a.value
        };
        assert!((direct - prior_free).abs() < 1e-10, "{:?}", item.model);
        let h = 1e-5;
        for i in 0..n {
            let mut up = item.clone();
            let mut down = item.clone();
            up.values[i] += h;
            down.values[i] -= h;
            let num = (value(&up, theta, r) - value(&down, theta, r)) / (2.0 * h);
            assert!(
                (num - acc.grad[i]).abs() < 1e-6 * (1.0 + num.abs()),
                "{:?} grad {i}: {num} vs {}",
                item.model,
                acc.grad[i]
            );
            let mut gu = Derivs::zeros(n);
            up.add_node(theta, r, &mut gu);
            up.add_prior(&mut gu);
            let mut gd = Derivs::zeros(n);
            down.add_node(theta, r, &mut gd);
            down.add_prior(&mut gd);
            for j in 0..n {
                let num = (gu.grad[j] - gd.grad[j]) / (2.0 * h);
                let ana = acc.hess[i * n + j];
                assert!(
                    (num - ana).abs() < 1e-5 * (1.0 + num.abs()),
                    "{:?} hess {i},{j}: {num} vs {ana}",
                    item.model
                );
            }
        }
    }

    #[test]
    fn derivatives_match_finite_differences() {
        check(
            ItemParams {
                values: vec![1.3, -0.4],
                ..ItemParams::new(Model::TwoPl, 2)
            },
            &[3.0, 5.0],
        );
        let mut three = ItemParams {
            values: vec![1.3, -0.4, logit(0.2)],
            ..ItemParams::new(Model::ThreePl, 2)
        };
        three.guess_prior = Some(BetaPrior { alpha: 5.0, beta: 17.0 });
        check(three, &[3.0, 5.0]);
        check(
            ItemParams {
                values: vec![1.1, 2.0, 0.1, -1.5],
                ..ItemParams::new(Model::Graded, 4)
            },
            &[1.0, 2.0, 3.0, 4.0],
        );
        check(
            ItemParams {
                values: vec![0.8, 1.0, 0.4, -2.0],
                ..ItemParams::new(Model::Gpcm, 4)
            },
            &[1.0, 2.0, 3.0, 4.0],
        );
    }
}

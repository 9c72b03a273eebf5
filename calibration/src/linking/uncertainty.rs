//! The two errors of a link: from the anchors' estimation error (delta method) and from the
//! choice of anchors (jackknife over items). See the module documentation of `linking`.

use rayon::prelude::*;

use super::{Anchor, LinkError, LinkSe, Method, Pairs, Round, Transform, Weights, estimate};

/// Relative step of the numerical derivatives of (A, B) with respect to item parameters.
const STEP: f64 = 1e-5;

impl LinkSe {
    /// From the 2 × 2 covariance matrix of (A, B).
    fn from_covariance(v: [[f64; 2]; 2]) -> LinkSe {
        LinkSe {
            a: v[0][0].max(0.0).sqrt(),
            b: v[1][1].max(0.0).sqrt(),
            covariance: v[0][1],
        }
    }
}

/// The first error in input order, so that parallel evaluation reports deterministically.
fn in_order<T>(results: Vec<Result<T, LinkError>>) -> Result<Vec<T>, LinkError> {
    results.into_iter().collect()
}

/// One free parameter: anchor, round, index into its values.
#[derive(Debug, Clone, Copy)]
struct Parameter {
    item: usize,
    round: Round,
    value: usize,
}

/// ∂(A, B)/∂ parameter by central differences of the whole estimator, warm-started at `at`.
fn derivative(
    method: Method,
    pairs: &Pairs,
    weights: &Weights,
    at: Transform,
    p: Parameter,
) -> Result<[f64; 2], LinkError> {
    let original = match p.round {
        Round::Base => &pairs.base[p.item],
        Round::New => &pairs.new[p.item],
    };
    let h = STEP * (1.0 + original.values[p.value].abs());
    let moved = |sign: f64| {
        let mut moved = pairs.clone();
        let item = match p.round {
            Round::Base => &mut moved.base[p.item],
            Round::New => &mut moved.new[p.item],
        };
        item.values[p.value] += sign * h;
        estimate(method, &moved, weights, Some(at)).map(|e| e.transform)
    };
    let (up, down) = (moved(1.0)?, moved(-1.0)?);
    Ok([(up.a - down.a) / (2.0 * h), (up.b - down.b) / (2.0 * h)])
}

/// Var(A, B) ≈ Σ_items Σ_rounds J Σ Jᵀ over the anchors' covariance blocks; `None` when no
/// anchor has a covariance.
pub(super) fn delta_method(
    method: Method,
    pairs: &Pairs,
    anchors: &[&Anchor],
    weights: &Weights,
    at: Transform,
) -> Result<Option<LinkSe>, LinkError> {
    // Each anchor's covariance block and its size, per round.
    let block = |item: usize, round: Round| -> Option<(&[f64], usize)> {
        let anchor = anchors[item];
        match round {
            Round::Base => anchor.base_covariance.as_deref().map(|c| (c, anchor.base.values.len())),
            Round::New => anchor.new_covariance.as_deref().map(|c| (c, anchor.new.values.len())),
        }
    };
    let mut parameters = Vec::new();
    for item in 0..anchors.len() {
        for round in [Round::Base, Round::New] {
            if let Some((c, n)) = block(item, round) {
                // Fixed values have zero rows: no error to carry, no derivative needed.
                parameters.extend(
                    (0..n)
                        .filter(|&v| c[v * n + v] > 0.0)
                        .map(|value| Parameter { item, round, value }),
                );
            }
        }
    }
    if parameters.is_empty() {
        return Ok(None);
    }
    let jacobian = in_order(
        parameters
            .par_iter()
            .map(|&p| derivative(method, pairs, weights, at, p))
            .collect(),
    )?;
    let mut v = [[0.0; 2]; 2];
    for (p, jp) in parameters.iter().zip(&jacobian) {
        for (q, jq) in parameters.iter().zip(&jacobian) {
            if p.item != q.item || p.round != q.round {
                continue;
            }
            let c = block(p.item, p.round).map_or(0.0, |(c, n)| c[p.value * n + q.value]);
            for r in 0..2 {
                for s in 0..2 {
                    v[r][s] += jp[r] * c * jq[s];
                }
            }
        }
    }
    Ok(Some(LinkSe::from_covariance(v)))
}

/// The jackknife over anchors: Var = (n−1)/n Σ_i (x₍ᵢ₎ − x̄)² for x = A, B (and the
/// covariance likewise); `None` with fewer than three anchors (a replicate needs two).
pub(super) fn jackknife(
    method: Method,
    pairs: &Pairs,
    names: &[String],
    weights: &Weights,
    at: Transform,
) -> Result<Option<LinkSe>, LinkError> {
    let n = names.len();
    if n < 3 {
        return Ok(None);
    }
    let replicates = in_order(
        (0..n)
            .into_par_iter()
            .map(|i| {
                estimate(method, &pairs.without(i), weights, Some(at))
                    .map(|e| e.transform)
                    .map_err(|source| LinkError::Replicate {
                        item: names[i].clone(),
                        source: Box::new(source),
                    })
            })
            .collect(),
    )?;
    let nf = n as f64;
    let mean_a = replicates.iter().map(|t| t.a).sum::<f64>() / nf;
    let mean_b = replicates.iter().map(|t| t.b).sum::<f64>() / nf;
    let mut v = [[0.0; 2]; 2];
    for t in &replicates {
        let d = [t.a - mean_a, t.b - mean_b];
        for r in 0..2 {
            for s in 0..2 {
                v[r][s] += (nf - 1.0) / nf * d[r] * d[s];
            }
        }
    }
    Ok(Some(LinkSe::from_covariance(v)))
}

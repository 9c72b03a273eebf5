//! Simulating responses from known parameters, for truth-recovery tests, benchmarks
//! and `assess simulate`.
//!
//! Each person draws from their own ChaCha20 stream (the seed, stream = person
//! index), so a data set is the same whatever the thread count or the order of
//! generation, and growing N keeps the first persons' responses unchanged.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha20Rng;
use rayon::prelude::*;

use crate::data::ResponseMatrix;
use crate::data::codes::NOT_ADMINISTERED;
use crate::model::ItemParams;

/// A simulated group: its size and latent distribution.
#[derive(Debug, Clone, PartialEq)]
pub struct SimGroup {
    pub name: String,
    pub persons: usize,
    pub mean: f64,
    pub sd: f64,
}

/// What to simulate. Booklets list item indices; persons rotate through them in
/// order (person p gets booklet p mod B). No booklets: everyone answers every item.
#[derive(Debug, Clone, PartialEq)]
pub struct Simulation {
    pub items: Vec<ItemParams>,
    pub booklets: Vec<Vec<usize>>,
    pub groups: Vec<SimGroup>,
    pub seed: u64,
}

/// A standard normal deviate by Box–Muller (one per call keeps streams simple).
fn normal(rng: &mut ChaCha20Rng) -> f64 {
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

impl Simulation {
    /// Draws the responses and the true abilities.
    pub fn run(&self) -> (ResponseMatrix, Vec<f64>) {
        let n: usize = self.groups.iter().map(|g| g.persons).sum();
        let j = self.items.len();
        let group_of: Vec<usize> = self
            .groups
            .iter()
            .enumerate()
            .flat_map(|(g, s)| std::iter::repeat_n(g, s.persons))
            .collect();
        let rows: Vec<(Vec<u8>, f64)> = (0..n)
            .into_par_iter()
            .map(|p| {
                let mut rng = ChaCha20Rng::seed_from_u64(self.seed);
                rng.set_stream(p as u64);
                let group = &self.groups[group_of[p]];
                let theta = group.mean + group.sd * normal(&mut rng);
                let mut row = vec![NOT_ADMINISTERED; j];
                let administered: Vec<usize> = if self.booklets.is_empty() {
                    (0..j).collect()
                } else {
                    self.booklets[p % self.booklets.len()].clone()
                };
                let mut probs = Vec::new();
                for i in administered {
                    let item = &self.items[i];
                    probs.resize(usize::from(item.categories), 0.0);
                    item.probs(theta, &mut probs);
                    let u: f64 = rng.random::<f64>();
                    let mut cumulative = 0.0;
                    let mut category = probs.len() - 1;
                    for (k, pk) in probs.iter().enumerate() {
                        cumulative += pk;
                        if u < cumulative {
                            category = k;
                            break;
                        }
                    }
                    row[i] = category as u8;
                }
                (row, theta)
            })
            .collect();
        let names: Vec<String> = (1..=j).map(|i| format!("I{i:03}")).collect();
        let data: Vec<u8> = rows.iter().flat_map(|(r, _)| r.iter().copied()).collect();
        let thetas = rows.iter().map(|(_, t)| *t).collect();
        let groups: Vec<u16> = group_of.iter().map(|&g| g as u16).collect();
        let group_names = self.groups.iter().map(|g| g.name.clone()).collect();
        let matrix = ResponseMatrix::new(names, vec![], data)
            .and_then(|m| m.with_groups(groups, group_names))
            .unwrap_or_else(|e| unreachable!("simulated data has a valid shape: {e}"));
        (matrix, thetas)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Model;

    fn simulation(persons: usize) -> Simulation {
        Simulation {
            items: (0..4)
                .map(|i| ItemParams {
                    values: vec![1.0, i as f64 - 1.5],
                    ..ItemParams::new(Model::TwoPl, 2)
                })
                .collect(),
            booklets: vec![vec![0, 1], vec![2, 3]],
            groups: vec![SimGroup {
                name: "g".into(),
                persons,
                mean: 0.0,
                sd: 1.0,
            }],
            seed: 7,
        }
    }

    #[test]
    fn reproducible_and_prefix_stable() {
        let (a, ta) = simulation(100).run();
        let (b, tb) = simulation(200).run();
        assert_eq!(a.row(42), b.row(42));
        assert_eq!(ta[..100], tb[..100]);
        assert_eq!(a.row(0)[2], NOT_ADMINISTERED, "person 0 gets booklet 0 only");
        assert_eq!(a.row(1)[0], NOT_ADMINISTERED);
        let mean = tb.iter().sum::<f64>() / 200.0;
        assert!(mean.abs() < 0.3, "{mean}");
    }
}

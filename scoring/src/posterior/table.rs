//! Item log-probabilities tabulated on a grid of θ nodes.
//!
//! Scoring a million students evaluates the same items at the same nodes a million
//! times; tabulating log P(category | node) once turns each person's log-likelihood on
//! the grid into a sum of table rows — additions only, which the compiler vectorises.

use calibration::data::codes::FIRST_MISSING;
use calibration::model::ItemParams;

/// log P_{i,k}(θ_q) for every item i, category k and node q.
#[derive(Debug, Clone)]
pub struct NodeTable {
    nodes: Vec<f64>,
    /// Start of item i's block (`categories × nodes`, category-major) in `log_probs`.
    offsets: Vec<usize>,
    categories: Vec<u8>,
    log_probs: Vec<f64>,
}

impl NodeTable {
    /// Tabulates `items` at `nodes`.
    pub fn new(items: &[ItemParams], nodes: &[f64]) -> NodeTable {
        let q = nodes.len();
        let mut offsets = Vec::with_capacity(items.len());
        let mut log_probs = Vec::new();
        let mut probs = Vec::new();
        for item in items {
            offsets.push(log_probs.len());
            let k = usize::from(item.categories);
            let start = log_probs.len();
            log_probs.resize(start + k * q, 0.0);
            probs.resize(k, 0.0);
            for (node_index, &theta) in nodes.iter().enumerate() {
                item.probs(theta, &mut probs);
                for (category, p) in probs.iter().enumerate() {
                    log_probs[start + category * q + node_index] = p.max(f64::MIN_POSITIVE).ln();
                }
            }
        }
        NodeTable {
            nodes: nodes.to_vec(),
            offsets,
            categories: items.iter().map(|i| i.categories).collect(),
            log_probs,
        }
    }

    pub fn nodes(&self) -> &[f64] {
        &self.nodes
    }

    pub fn n_items(&self) -> usize {
        self.offsets.len()
    }

    /// Adds the person's log-likelihood at nodes `first, first + stride, …` (as many as
    /// `out` holds) to `out`. Missing codes and out-of-range categories add nothing.
    /// Returns how many items were answered.
    pub fn add_log_likelihood(&self, responses: &[u8], first: usize, stride: usize, out: &mut [f64]) -> usize {
        let q = self.nodes.len();
        let mut answered = 0;
        for ((&x, &offset), &k) in responses.iter().zip(&self.offsets).zip(&self.categories) {
            if x >= FIRST_MISSING || x >= k {
                continue;
            }
            answered += 1;
            let row = &self.log_probs[offset + usize::from(x) * q..offset + (usize::from(x) + 1) * q];
            if stride == 1 {
                for (o, l) in out.iter_mut().zip(&row[first..]) {
                    *o += l;
                }
            } else {
                for (o, l) in out.iter_mut().zip(row[first..].iter().step_by(stride)) {
                    *o += l;
                }
            }
        }
        answered
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calibration::model::Model;

    #[test]
    fn sums_of_rows_are_the_log_likelihood() {
        let items: Vec<ItemParams> = (0..3)
            .map(|i| ItemParams {
                values: vec![1.0 + 0.2 * i as f64, 0.3 * i as f64 - 0.2],
                ..ItemParams::new(Model::TwoPl, 2)
            })
            .collect();
        let nodes = [-1.0, 0.0, 0.5, 2.0];
        let table = NodeTable::new(&items, &nodes);
        let responses = [1u8, 255, 0];
        let mut out = [0.0; 2];
        assert_eq!(table.add_log_likelihood(&responses, 1, 2, &mut out), 2);
        for (o, theta) in out.iter().zip([0.0, 2.0]) {
            let mut p = [0.0; 2];
            items[0].probs(theta, &mut p);
            let mut expected = p[1].ln();
            items[2].probs(theta, &mut p);
            expected += p[0].ln();
            assert!((o - expected).abs() < 1e-12);
        }
    }
}

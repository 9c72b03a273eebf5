//! Per-item statistics of a scored matrix: counts, mean, p-value, category proportions and
//! the item–rest correlation.

use super::{ClassicalError, ClassicalOptions, ItemFlag, Moments};
use crate::data::ResponseMatrix;
use crate::data::codes::NOT_ADMINISTERED;
use serde::Serialize;

/// Classical statistics of one item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemStats {
    pub item: String,
    /// Persons administered the item (after the missing policy), whatever their weight.
    pub n: usize,
    /// Their normalised weight.
    pub n_weighted: f64,
    /// The maximum score: declared in the options, else the highest observed category.
    pub max_score: u8,
    /// Weighted mean score; `None` when nobody with positive weight was administered the item.
    pub mean: Option<f64>,
    /// Weighted standard deviation of the score (divisor Σw).
    pub sd: Option<f64>,
    /// Mean / maximum score; `None` when the maximum score is 0.
    pub p_value: Option<f64>,
    /// Weighted share of each category 0..=max_score; empty when `n_weighted` is 0.
    pub category_proportions: Vec<f64>,
    /// Pearson correlation of the item score with the rest score (the total over the person's
    /// *other administered* items); `None` when either is constant.
    pub item_rest: Option<f64>,
    pub flags: Vec<ItemFlag>,
}

/// Classical statistics of every item of `matrix`, in item order.
///
/// The rest score corrects the item–total correlation for the item's own contribution, which
/// would otherwise inflate it (most for short tests). Persons administered only the item itself
/// have rest score 0 and still count.
pub fn item_statistics(matrix: &ResponseMatrix, options: &ClassicalOptions) -> Result<Vec<ItemStats>, ClassicalError> {
    let n_items = matrix.n_items();
    let policy = options.policy;
    let weights = matrix.normalized_weights();
    // Raw categories suffice: the policy only turns missing codes into 0 or 255.
    let observed = matrix.categories();
    let max_scores: Vec<u8> = match &options.max_scores {
        None => observed.iter().map(|&k| k.saturating_sub(1)).collect(),
        Some(declared) => {
            if declared.len() != n_items {
                return Err(ClassicalError::ItemColumn {
                    what: "max_scores",
                    items: n_items,
                    got: declared.len(),
                });
            }
            for ((item, &k), &max) in matrix.items().iter().zip(&observed).zip(declared) {
                if k > 0 && k - 1 > max {
                    return Err(ClassicalError::AboveMaximum {
                        item: item.clone(),
                        category: k - 1,
                        max,
                    });
                }
            }
            declared.clone()
        }
    };

    let mut counts: Vec<usize> = vec![0; n_items];
    let mut categories: Vec<Vec<f64>> = max_scores.iter().map(|&m| vec![0.0; usize::from(m) + 1]).collect();
    let mut moments = vec![Moments::default(); n_items];
    let mut scores = vec![NOT_ADMINISTERED; n_items];
    for (person, &w) in weights.iter().enumerate() {
        for (s, &b) in scores.iter_mut().zip(matrix.row(person)) {
            *s = policy.apply(b);
        }
        let total: u32 = scores
            .iter()
            .filter(|&&x| x != NOT_ADMINISTERED)
            .map(|&x| u32::from(x))
            .sum();
        for (i, &x) in scores.iter().enumerate() {
            if x == NOT_ADMINISTERED {
                continue;
            }
            counts[i] += 1;
            categories[i][usize::from(x)] += w;
            moments[i].add(f64::from(x), f64::from(total - u32::from(x)), w);
        }
    }

    let flags = &options.flags;
    let stats = (0..n_items)
        .map(|i| {
            let m = &moments[i];
            let n_weighted = m.weight();
            let max_score = max_scores[i];
            let mean = m.mean_x();
            let var = m.var_x();
            let p_value = mean.filter(|_| max_score > 0).map(|x| x / f64::from(max_score));
            let item_rest = m.correlation();
            let mut item_flags = Vec::new();
            if n_weighted == 0.0 {
                item_flags.push(ItemFlag::NoResponses);
            }
            if var == Some(0.0) {
                item_flags.push(ItemFlag::NoVariance);
            }
            if p_value.is_some_and(|p| p < flags.p_low) {
                item_flags.push(ItemFlag::Hard);
            }
            if p_value.is_some_and(|p| p > flags.p_high) {
                item_flags.push(ItemFlag::Easy);
            }
            if item_rest.is_some_and(|r| r < flags.min_item_rest) {
                item_flags.push(ItemFlag::LowItemRest);
            }
            let category_proportions = if n_weighted > 0.0 {
                categories[i].iter().map(|c| c / n_weighted).collect()
            } else {
                Vec::new()
            };
            ItemStats {
                item: matrix.items()[i].clone(),
                n: counts[i],
                n_weighted,
                max_score,
                mean,
                sd: var.map(f64::sqrt),
                p_value,
                category_proportions,
                item_rest,
                flags: item_flags,
            }
        })
        .collect();
    Ok(stats)
}

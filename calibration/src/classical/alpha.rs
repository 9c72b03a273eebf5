//! Cronbach's α of an item set, with "α if item deleted".

use super::{ClassicalError, Moments};
use crate::data::ResponseMatrix;
use crate::data::codes::{MissingPolicy, NOT_ADMINISTERED};
use serde::Serialize;

/// Cronbach's α of an item set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlphaReport {
    pub items: Vec<String>,
    /// Persons administered every item of the set (after the missing policy).
    pub n_complete: usize,
    /// Their normalised weight.
    pub n_weighted: f64,
    /// α = k/(k−1) · (1 − Σ var(item) / var(total)); `None` when the total score is constant
    /// (or nobody is complete). It can be negative: items that correlate negatively on average.
    pub alpha: Option<f64>,
    /// α of the set without each item, in the order of `items`, on the same complete cases.
    pub if_deleted: Vec<AlphaIfDeleted>,
}

/// α of the item set without one item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlphaIfDeleted {
    pub item: String,
    /// `None` when fewer than two items would remain or the remaining total is constant.
    pub alpha: Option<f64>,
}

/// Cronbach's α of the items at indices `items`, on complete cases.
///
/// Complete cases keep α an internal-consistency figure of one fixed set of persons (with
/// pairwise deletion the covariance matrix need not even be positive definite). "α if item
/// deleted" reuses the same complete cases, as SPSS and psych do, so the values compare
/// directly with `alpha`. It needs only each item's variance and covariance with the total:
/// var(T − xᵢ) = var(T) + var(xᵢ) − 2 cov(xᵢ, T), so the cost stays linear in the items.
pub fn cronbach_alpha(
    matrix: &ResponseMatrix,
    items: &[usize],
    policy: MissingPolicy,
) -> Result<AlphaReport, ClassicalError> {
    let k = items.len();
    if k < 2 {
        return Err(ClassicalError::TooFewItems(k));
    }
    let mut seen = vec![false; matrix.n_items()];
    for &i in items {
        match seen.get_mut(i) {
            None => {
                return Err(ClassicalError::ItemIndex {
                    index: i,
                    items: matrix.n_items(),
                });
            }
            Some(true) => return Err(ClassicalError::DuplicateItem(matrix.items()[i].clone())),
            Some(s) => *s = true,
        }
    }

    let weights = matrix.normalized_weights();
    let mut moments = vec![Moments::default(); k];
    let mut scores = vec![0u8; k];
    let mut n_complete = 0;
    for (person, &w) in weights.iter().enumerate() {
        for (s, &i) in scores.iter_mut().zip(items) {
            *s = policy.apply(matrix.get(person, i));
        }
        if scores.contains(&NOT_ADMINISTERED) {
            continue;
        }
        n_complete += 1;
        let total: f64 = scores.iter().map(|&x| f64::from(x)).sum();
        for (m, &x) in moments.iter_mut().zip(&scores) {
            m.add(f64::from(x), total, w);
        }
    }

    // Every item's accumulator saw the same totals in the same order, so any one holds var(T).
    let var_total = moments[0].var_y().unwrap_or(0.0);
    let item_vars: Vec<f64> = moments.iter().map(|m| m.var_x().unwrap_or(0.0)).collect();
    let sum_item_vars: f64 = item_vars.iter().sum();
    let alpha = alpha_from(k, sum_item_vars, var_total);
    let if_deleted = items
        .iter()
        .zip(&moments)
        .zip(&item_vars)
        .map(|((&i, m), &var_i)| {
            let cov = m.cov().unwrap_or(0.0);
            let var_rest = var_total + var_i - 2.0 * cov;
            // The subtraction leaves rounding noise where the rest total is really constant.
            let var_rest = if var_rest > 1e-12 * var_total { var_rest } else { 0.0 };
            AlphaIfDeleted {
                item: matrix.items()[i].clone(),
                alpha: alpha_from(k - 1, sum_item_vars - var_i, var_rest),
            }
        })
        .collect();
    Ok(AlphaReport {
        items: items.iter().map(|&i| matrix.items()[i].clone()).collect(),
        n_complete,
        n_weighted: moments[0].weight(),
        alpha,
        if_deleted,
    })
}

/// α from the number of items, the sum of item variances and the variance of their total.
fn alpha_from(k: usize, sum_item_vars: f64, var_total: f64) -> Option<f64> {
    (k >= 2 && var_total > 0.0).then(|| {
        let k = k as f64;
        k / (k - 1.0) * (1.0 - sum_item_vars / var_total)
    })
}

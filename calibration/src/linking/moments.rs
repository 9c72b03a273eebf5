//! Mean–mean and mean–sigma from the IRT form of the anchors (thresholds pooled, one slope
//! per item; see the module documentation of `linking`).

use super::{LinkError, Pairs, Round, Transform};
use crate::model::ItemParams;

/// Slopes (one per item) and thresholds (all of them) of a round's anchors.
fn slopes_and_thresholds(items: &[ItemParams]) -> (Vec<f64>, Vec<f64>) {
    let mut slopes = Vec::with_capacity(items.len());
    let mut thresholds = Vec::new();
    for item in items {
        let irt = item.irt();
        slopes.push(irt.a);
        thresholds.extend(irt.b);
    }
    (slopes, thresholds)
}

fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

/// The population SD (the divisor cancels in the ratio).
fn sd(x: &[f64]) -> f64 {
    let m = mean(x);
    (x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / x.len() as f64).sqrt()
}

/// A = mean(a_new) / mean(a_base): slopes are divided by A (a_base = a_new / A).
pub(super) fn mean_mean(pairs: &Pairs) -> Transform {
    let (a_base, b_base) = slopes_and_thresholds(&pairs.base);
    let (a_new, b_new) = slopes_and_thresholds(&pairs.new);
    let a = mean(&a_new) / mean(&a_base);
    Transform {
        a,
        b: mean(&b_base) - a * mean(&b_new),
    }
}

/// A = SD(b_base) / SD(b_new): thresholds are multiplied by A (b_base = A·b_new + B).
pub(super) fn mean_sigma(pairs: &Pairs) -> Result<Transform, LinkError> {
    let (_, b_base) = slopes_and_thresholds(&pairs.base);
    let (_, b_new) = slopes_and_thresholds(&pairs.new);
    let (s_base, s_new) = (sd(&b_base), sd(&b_new));
    if s_base <= 0.0 {
        return Err(LinkError::NoSpread(Round::Base));
    }
    if s_new <= 0.0 {
        return Err(LinkError::NoSpread(Round::New));
    }
    let a = s_base / s_new;
    Ok(Transform {
        a,
        b: mean(&b_base) - a * mean(&b_new),
    })
}

/// Each item's location: its mean threshold (b itself for a dichotomous item).
pub(super) fn location(item: &ItemParams) -> f64 {
    mean(&item.irt().b)
}

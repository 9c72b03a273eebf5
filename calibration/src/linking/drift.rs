//! Iterative removal of drifting anchors (see [`DriftRule`]).

use super::moments::location;
use super::{Anchor, DriftRule, DroppedItem, LinkError, Pairs, Weights, estimate};

/// Drops anchors from `used` one at a time, the farthest first, while the farthest is beyond
/// the rule's threshold; never below two anchors. Returns them in the order dropped.
pub(super) fn screen(
    used: &mut Vec<&Anchor>,
    rule: DriftRule,
    weights: &Weights,
) -> Result<Vec<DroppedItem>, LinkError> {
    let mut dropped = Vec::new();
    while used.len() > 2 {
        let pairs = Pairs {
            base: used.iter().map(|a| a.base.clone()).collect(),
            new: used.iter().map(|a| a.new.clone()).collect(),
        };
        let map = estimate(rule.screening, &pairs, weights, None)?.transform;
        let displacement: Vec<f64> = used
            .iter()
            .map(|a| location(&a.base) - map.theta(location(&a.new)))
            .collect();
        let n = displacement.len() as f64;
        let mean = displacement.iter().sum::<f64>() / n;
        let sd = (displacement.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        // The first of equally far items, so the choice does not depend on float noise in sorting.
        let (worst, distance) =
            displacement
                .iter()
                .map(|d| (d - mean).abs())
                .enumerate()
                .fold(
                    (0, f64::NEG_INFINITY),
                    |best, (i, x)| if x > best.1 { (i, x) } else { best },
                );
        if sd <= 0.0 || distance <= rule.threshold * sd {
            break;
        }
        dropped.push(DroppedItem {
            name: used[worst].name.clone(),
            displacement: displacement[worst],
            z: distance / sd,
        });
        used.remove(worst);
    }
    Ok(dropped)
}

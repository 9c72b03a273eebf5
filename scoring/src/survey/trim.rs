//! Trimming extreme weights: within each domain, weights above `multiple` × the domain's
//! median are cut to that cap and the excess is spread over the weights below it in
//! proportion to their size, repeated until none exceeds the cap. Domain totals are
//! kept, so trimming trades a little bias for less variance without moving totals.

use super::error::SurveyError;

/// Trims `weights`, where `domain[i]` indexes `labels`. Fails when a domain's total
/// cannot fit under its cap (total > cap × count).
pub fn trim_weights(
    weights: &[f64],
    domain: &[usize],
    labels: &[String],
    multiple: f64,
) -> Result<Vec<f64>, SurveyError> {
    if !(multiple.is_finite() && multiple > 1.0) {
        return Err(SurveyError::BadTrimMultiple(multiple));
    }
    let mut out = weights.to_vec();
    for (d, label) in labels.iter().enumerate() {
        let members: Vec<usize> = (0..weights.len()).filter(|&i| domain[i] == d).collect();
        if members.is_empty() {
            continue;
        }
        let mut sorted: Vec<f64> = members.iter().map(|&i| weights[i]).collect();
        sorted.sort_by(f64::total_cmp);
        let m = sorted.len();
        let median = if m % 2 == 1 {
            sorted[m / 2]
        } else {
            (sorted[m / 2 - 1] + sorted[m / 2]) / 2.0
        };
        let cap = multiple * median;
        let total: f64 = sorted.iter().sum();
        if total > cap * m as f64 {
            return Err(SurveyError::TrimInfeasible {
                domain: label.clone(),
                total,
                cap,
            });
        }
        let mut capped = vec![false; m];
        // Each pass caps at least one more weight, so this ends within m passes.
        loop {
            let mut excess = 0.0;
            for (k, &i) in members.iter().enumerate() {
                if !capped[k] && out[i] > cap {
                    excess += out[i] - cap;
                    out[i] = cap;
                    capped[k] = true;
                }
            }
            let free: f64 = (0..m).filter(|&k| !capped[k]).map(|k| out[members[k]]).sum();
            if excess == 0.0 || free <= 0.0 {
                break;
            }
            let scale = 1.0 + excess / free;
            (0..m).filter(|&k| !capped[k]).for_each(|k| out[members[k]] *= scale);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_and_keeps_the_total() {
        // Median 2, cap 6: 20 is cut by 14, spread over the others (total 14) → ×2; 5 then
        // becomes 10 > 6 and is cut by 4, spread over the rest (total 18) → ×22/18.
        let w = [1.0, 2.0, 2.0, 5.0, 20.0, 2.0, 2.0];
        let t = trim_weights(&w, &[0; 7], &["all".into()], 3.0).unwrap();
        assert!((t.iter().sum::<f64>() - 34.0).abs() < 1e-12);
        assert_eq!((t[3], t[4]), (6.0, 6.0));
        assert!((t[0] - 2.0 * 22.0 / 18.0).abs() < 1e-12);
        assert!((t[1] - 4.0 * 22.0 / 18.0).abs() < 1e-12);
    }

    #[test]
    fn infeasible_and_bad_multiples_are_refused() {
        let w = [1.0, 1.0, 100.0];
        assert!(matches!(
            trim_weights(&w, &[0; 3], &["d".into()], 3.0),
            Err(SurveyError::TrimInfeasible { .. })
        ));
        for m in [1.0, 0.5, f64::NAN, f64::INFINITY] {
            assert!(matches!(
                trim_weights(&w, &[0; 3], &["d".into()], m),
                Err(SurveyError::BadTrimMultiple(_))
            ));
        }
    }
}

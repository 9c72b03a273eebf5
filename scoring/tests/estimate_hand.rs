//! Estimators against answers worked out by hand or in closed form.

mod estimate_support;

use estimate_support::{assert_close, jk1, report_all};
use scoring::estimate::{Estimate, Grouping, Levels, Options, Sample, Statistic, Variable, between_rounds};

/// The Rubin example of `rubin.rs` end to end: four students, each its own PSU, JK1
/// (c = 3/4, ν_com = 3), three PVs; the statistic is the mean.
/// PV1 10 20 30 40 (t 25, U 125/3), PV2 12 22 32 42 (t 27, U 125/3),
/// PV3 8 16 28 40 (t 23, U 49) → t̂ 25, Ū 397/9, B 4, V 445/9, ν 1.7659394.
#[test]
fn rubin_mean_of_three_pvs_and_four_jk1_replicates() {
    let weights = jk1(vec![1.0; 4], &[0, 1, 2, 3]);
    let sample = Sample::new(&weights, None, report_all()).unwrap();
    let pv = vec![
        vec![10.0, 20.0, 30.0, 40.0],
        vec![12.0, 22.0, 32.0, 42.0],
        vec![8.0, 16.0, 28.0, 40.0],
    ];
    let all = Grouping::everyone("all", 4);
    let table = sample
        .table(Variable::Plausible(&pv), &all, &[Statistic::Mean])
        .unwrap();
    let e = table.rows[0].value.as_ref().unwrap()[0].unwrap();
    assert_close(e.estimate, 25.0, 1e-12);
    assert_close(e.sampling_variance, 397.0 / 9.0, 1e-12);
    assert_close(e.imputation_variance, 4.0, 1e-12);
    assert_close(e.se * e.se, 445.0 / 9.0, 1e-12);
    assert_close(e.df, 1.765939397891498, 1e-10);
    assert_close(e.ci_high, 59.44206031449581, 1e-6);
    let counts = table.rows[0].counts;
    assert_eq!((counts.students, counts.schools, counts.sum_weights), (4, None, 4.0));

    // The caller-side combination gives the same from the same draws.
    let draws = vec![
        vec![25.0, 30.0, 80.0 / 3.0, 70.0 / 3.0, 20.0],
        vec![27.0, 32.0, 86.0 / 3.0, 76.0 / 3.0, 22.0],
        vec![23.0, 28.0, 76.0 / 3.0, 64.0 / 3.0, 52.0 / 3.0],
    ];
    let direct = sample.combine(&draws).unwrap().unwrap();
    assert_close(direct.se, e.se, 1e-12);
    assert_close(direct.df, e.df, 1e-12);
}

/// An observed variable (M = 1): V = U, B = 0 and ν = ν_com.
#[test]
fn observed_variable_has_replicate_df() {
    let weights = jk1(vec![1.0; 4], &[0, 1, 2, 3]);
    let sample = Sample::new(&weights, None, report_all()).unwrap();
    let x = [10.0, 20.0, 30.0, 40.0];
    let all = Grouping::everyone("all", 4);
    let table = sample.table(Variable::Observed(&x), &all, &[Statistic::Mean]).unwrap();
    let e = table.rows[0].value.as_ref().unwrap()[0].unwrap();
    assert_close(e.sampling_variance, 125.0 / 3.0, 1e-12);
    assert_eq!(e.imputation_variance, 0.0);
    assert_eq!(e.df, 3.0);
    // t_.975(3) = 3.1824463.
    assert_close(e.ci_low, 25.0 - 3.1824463052837078 * (125.0f64 / 3.0).sqrt(), 1e-9);
}

/// Values 1..5 with weights 1, 2, 3, 2, 2 (W = 10), given out of order; cumulative
/// weight shares 0.1, 0.3, 0.6, 0.8, 1.0. The p-th percentile is the first value whose
/// cumulative share reaches p/100: P5 → 1, P25 → 2, P50 → 3, P80 → 4 (reached exactly),
/// P90 → 5, P0 → 1, P100 → 5. Mean 3.2, SD √1.56 (divisor W).
/// Levels with cuts 2.5 and 4.5: below 30 %, between 50 %, at or above 20 %; at or
/// above 2.5: 70 %. A value equal to a cut is at the level above: ≥ 3 is 70 %.
#[test]
fn percentiles_sd_and_level_shares_by_hand() {
    let values = [3.0, 1.0, 5.0, 2.0, 4.0];
    let full = vec![3.0, 1.0, 2.0, 2.0, 2.0];
    let weights = jk1(full, &[0, 1, 2, 3, 4]);
    let sample = Sample::new(&weights, None, report_all()).unwrap();
    let levels = Levels::new(vec![2.5, 4.5]).unwrap();
    let mut statistics = vec![Statistic::Mean, Statistic::Sd];
    statistics.extend([0.0, 5.0, 25.0, 50.0, 80.0, 90.0, 100.0].map(Statistic::Percentile));
    statistics.extend(levels.in_level());
    statistics.extend(levels.at_or_above());
    statistics.extend(Levels::new(vec![3.0]).unwrap().at_or_above());
    let all = Grouping::everyone("all", 5);
    let table = sample.table(Variable::Observed(&values), &all, &statistics).unwrap();
    let got: Vec<f64> = table.rows[0]
        .value
        .as_ref()
        .unwrap()
        .iter()
        .map(|e| e.unwrap().estimate)
        .collect();
    let expected = [
        3.2,
        1.56f64.sqrt(),
        1.0,
        1.0,
        2.0,
        3.0,
        4.0,
        5.0,
        5.0,
        30.0,
        50.0,
        20.0,
        70.0,
        20.0,
        70.0,
    ];
    assert_eq!(got.len(), expected.len());
    for (k, (g, e)) in got.iter().zip(expected).enumerate() {
        assert!((g - e).abs() < 1e-12, "{}: {g} vs {e}", statistics[k]);
    }
}

/// Three schools of two students, equal weights: 1 3 | 5 7 | 9 11. School means 2, 6,
/// 10; MS_within = 6/3 = 2; MS_between = 2·32/2 = 32; n₀ = (6 − 12/6)/2 = 2;
/// σ²_b = (32 − 2)/2 = 15, σ²_w = 2, ICC = 15/17. Scaling the weights changes nothing.
#[test]
fn two_level_balanced_anova() {
    let y = [1.0, 3.0, 5.0, 7.0, 9.0, 11.0];
    let schools = [7, 7, 3, 3, 9, 9];
    for w in [1.0, 37.5] {
        let weights = jk1(vec![w; 6], &[0, 0, 1, 1, 2, 2]);
        let sample = Sample::new(&weights, Some(&schools), report_all()).unwrap();
        let rows = sample
            .two_level(Variable::Observed(&y), &Grouping::everyone("all", 6))
            .unwrap();
        let fit = rows[0].value.as_ref().unwrap();
        assert_close(fit.between.estimate, 15.0, 1e-12);
        assert_close(fit.within.estimate, 2.0, 1e-12);
        assert_close(fit.icc.estimate, 15.0 / 17.0, 1e-12);
        assert_eq!(rows[0].counts.schools, Some(3));
    }
}

/// Weighted sums about the weighted means, for closed forms.
fn weighted(w: &[f64], a: &[f64], b: &[f64]) -> f64 {
    let total: f64 = w.iter().sum();
    let mean = |x: &[f64]| w.iter().zip(x).map(|(w, x)| w * x).sum::<f64>() / total;
    let (ma, mb) = (mean(a), mean(b));
    w.iter().zip(a).zip(b).map(|((w, a), b)| w * (a - ma) * (b - mb)).sum()
}

/// x 1 2 3 4, y 2 4 5 9: Sxy = 11, Sxx = 5, Syy = 26, r = 11/√130.
#[test]
fn correlation_by_hand() {
    let weights = jk1(vec![2.0; 4], &[0, 1, 2, 3]);
    let sample = Sample::new(&weights, None, report_all()).unwrap();
    let (x, y) = ([1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 5.0, 9.0]);
    let rows = sample
        .correlation(
            Variable::Observed(&x),
            Variable::Observed(&y),
            &Grouping::everyone("all", 4),
        )
        .unwrap();
    assert_close(rows[0].value.unwrap().estimate, 11.0 / 130f64.sqrt(), 1e-12);
}

#[test]
fn regression_matches_closed_forms() {
    let n = 12;
    let x1: Vec<f64> = (0..n).map(|i| i as f64).collect();
    let x2: Vec<f64> = (0..n).map(|i| ((i * 7) % 5) as f64).collect();
    let noise: Vec<f64> = (0..n).map(|i| ((i * 13) % 7) as f64 - 3.0).collect();
    let w: Vec<f64> = (0..n).map(|i| 1.0 + (i % 3) as f64).collect();
    let psu: Vec<usize> = (0..n).map(|i| i % 4).collect();
    let weights = jk1(w.clone(), &psu);
    let sample = Sample::new(&weights, None, report_all()).unwrap();
    let all = Grouping::everyone("all", n);

    // An exact linear relation is recovered exactly, R² = 1.
    let exact: Vec<f64> = (0..n).map(|i| 3.0 + 2.0 * x1[i] - 0.5 * x2[i]).collect();
    let predictors = [Variable::Observed(&x1), Variable::Observed(&x2)];
    let fit = sample
        .regression(Variable::Observed(&exact), &predictors, &all)
        .unwrap();
    let fit = fit[0].value.as_ref().unwrap();
    assert_close(fit.intercept.estimate, 3.0, 1e-10);
    assert_close(fit.coefficients[0].estimate, 2.0, 1e-10);
    assert_close(fit.coefficients[1].estimate, -0.5, 1e-10);
    assert_close(fit.r_squared.estimate, 1.0, 1e-10);

    // With noise: Cramer's rule on the weighted normal equations.
    let y: Vec<f64> = (0..n).map(|i| exact[i] + noise[i]).collect();
    let (s11, s22, s12) = (weighted(&w, &x1, &x1), weighted(&w, &x2, &x2), weighted(&w, &x1, &x2));
    let (s1y, s2y, syy) = (weighted(&w, &x1, &y), weighted(&w, &x2, &y), weighted(&w, &y, &y));
    let det = s11 * s22 - s12 * s12;
    let b1 = (s22 * s1y - s12 * s2y) / det;
    let b2 = (s11 * s2y - s12 * s1y) / det;
    let total: f64 = w.iter().sum();
    let mean = |x: &[f64]| w.iter().zip(x).map(|(w, x)| w * x).sum::<f64>() / total;
    let fit = sample.regression(Variable::Observed(&y), &predictors, &all).unwrap();
    let fit = fit[0].value.as_ref().unwrap();
    assert_close(fit.coefficients[0].estimate, b1, 1e-10);
    assert_close(fit.coefficients[1].estimate, b2, 1e-10);
    assert_close(
        fit.intercept.estimate,
        mean(&y) - b1 * mean(&x1) - b2 * mean(&x2),
        1e-10,
    );
    assert_close(fit.r_squared.estimate, (b1 * s1y + b2 * s2y) / syy, 1e-10);
    assert!(fit.coefficients[0].se > 0.0);

    // The gradient is the one-predictor slope and 100·r².
    let gradient = sample
        .gradient(Variable::Observed(&y), Variable::Observed(&x1), &all)
        .unwrap();
    let gradient = gradient[0].value.as_ref().unwrap();
    assert_close(gradient.slope.estimate, s1y / s11, 1e-10);
    assert_close(gradient.strength.estimate, 100.0 * s1y * s1y / (s11 * syy), 1e-10);
}

/// SE = √(3² + 4² + 12²) = 13; df = 13⁴/(3⁴/80 + 4⁴/80) = 28561·80/337 ≈ 6780, so the
/// 95 % interval is 10 ∓ 1.960…·13.
#[test]
fn between_rounds_adds_linking_error() {
    let round = |estimate, se| Estimate {
        estimate,
        se,
        sampling_variance: se * se,
        imputation_variance: 0.0,
        df: 80.0,
        ci_low: f64::NAN,
        ci_high: f64::NAN,
    };
    let d = between_rounds(&round(500.0, 3.0), &round(510.0, 4.0), 12.0, 0.95).unwrap();
    assert_close(d.estimate, 10.0, 1e-12);
    assert_close(d.se, 13.0, 1e-12);
    assert_close(d.df, 28561.0 * 80.0 / 337.0, 1e-12);
    assert!(
        d.ci_low < 10.0 - 1.96 * 13.0 && d.ci_low > 10.0 - 1.961 * 13.0,
        "{}",
        d.ci_low
    );
}

/// Results are plain data: a table survives a JSON round trip; string labels become
/// groups in sorted order.
#[test]
fn tables_serialise_and_string_labels_sort() {
    let weights = jk1(vec![1.0; 4], &[0, 1, 2, 3]);
    let sample = Sample::new(&weights, None, report_all()).unwrap();
    let x = [10.0, 20.0, 30.0, 40.0];
    let grouping = Grouping::from_labels(&[Some("girls"), Some("boys"), None, Some("girls")]);
    assert_eq!(grouping.labels(), ["boys", "girls"]);
    let table = sample
        .table(
            Variable::Observed(&x),
            &grouping,
            &[Statistic::Mean, Statistic::Percentile(50.0)],
        )
        .unwrap();
    assert_eq!(table.rows[0].counts.students, 1);
    assert_close(table.rows[1].value.as_ref().unwrap()[0].unwrap().estimate, 25.0, 1e-12);
    let json = serde_json::to_string(&table).unwrap();
    let back: scoring::estimate::Table = serde_json::from_str(&json).unwrap();
    assert_eq!(back, table);
}

/// Cells under the minimum keep their counts and lose the estimate.
#[test]
fn small_cells_are_suppressed() {
    let n = 40;
    let x: Vec<f64> = (0..n).map(|i| i as f64).collect();
    let codes: Vec<u32> = (0..n).map(|i| u32::from(i >= 35)).collect();
    let schools: Vec<u32> = (0..n as u32).map(|i| i / 5).collect();
    let weights = jk1(vec![1.0; n], &(0..n).map(|i| i / 5).collect::<Vec<_>>());
    let grouping = Grouping::new(vec!["big".into(), "small".into()], &codes);
    let sample = Sample::new(&weights, Some(&schools), Options::default()).unwrap();
    let table = sample
        .table(Variable::Observed(&x), &grouping, &[Statistic::Mean])
        .unwrap();
    assert!(!table.rows[0].suppressed && table.rows[0].value.is_some());
    assert!(table.rows[1].suppressed && table.rows[1].value.is_none());
    assert_eq!(table.rows[1].counts.students, 5);
    assert_eq!(table.rows[1].counts.schools, Some(1));
    // With a minimum of one student, schools decide: seven are enough, one is not.
    let seven = Options {
        min_students: 1,
        min_schools: 7,
        ..Options::default()
    };
    let sample = Sample::new(&weights, Some(&schools), seven).unwrap();
    let table = sample
        .table(Variable::Observed(&x), &grouping, &[Statistic::Mean])
        .unwrap();
    assert_eq!(table.rows[0].counts.schools, Some(7));
    assert!(!table.rows[0].suppressed);
    assert!(table.rows[1].suppressed);
}

/// A missing value leaves the student out of the statistic and the counts.
#[test]
fn missing_values_are_excluded() {
    let weights = jk1(vec![1.0; 5], &[0, 1, 2, 3, 4]);
    let sample = Sample::new(&weights, None, report_all()).unwrap();
    let pv = vec![vec![1.0, 2.0, f64::NAN, 4.0, 5.0], vec![1.0, 2.0, 3.0, f64::NAN, 5.0]];
    let table = sample
        .table(
            Variable::Plausible(&pv),
            &Grouping::everyone("all", 5),
            &[Statistic::Mean],
        )
        .unwrap();
    assert_eq!(table.rows[0].counts.students, 3);
    assert_close(
        table.rows[0].value.as_ref().unwrap()[0].unwrap().estimate,
        8.0 / 3.0,
        1e-12,
    );
}

//! Classical statistics on mirt's LSAT7 and SAT12 data (../shared/reference/data beside the checkout).

use calibration::classical::{ClassicalOptions, cronbach_alpha, distractor_analysis, item_statistics};
use calibration::data::ResponseMatrix;
use calibration::data::codes::MissingPolicy;

/// Reads a small all-integer CSV with a header row (the reader module is not ours to use here).
fn read_csv(name: &str) -> (Vec<String>, Vec<Vec<u8>>) {
    let path = format!("{}/../../shared/reference/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut lines = text.lines();
    let header = lines
        .next()
        .unwrap()
        .split(',')
        .map(|s| s.trim_matches('"').to_owned())
        .collect();
    let rows = lines
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').map(|x| x.parse().unwrap()).collect())
        .collect();
    (header, rows)
}

fn to_matrix(header: Vec<String>, rows: &[Vec<u8>]) -> ResponseMatrix {
    ResponseMatrix::new(header, vec![], rows.concat()).unwrap()
}

#[test]
fn lsat7_p_values_and_alpha() {
    let (header, rows) = read_csv("mirt_LSAT7.csv");
    assert_eq!((rows.len(), header.len()), (1000, 5));
    let m = to_matrix(header, &rows);
    let stats = item_statistics(&m, &ClassicalOptions::default()).unwrap();
    let n = rows.len() as f64;
    let means: Vec<f64> = (0..5)
        .map(|j| rows.iter().map(|r| f64::from(r[j])).sum::<f64>() / n)
        .collect();
    // LSAT7's column means (counts of correct answers / 1000).
    let published = [0.828, 0.658, 0.772, 0.606, 0.843];
    for ((s, mean), want) in stats.iter().zip(&means).zip(published) {
        assert!((s.p_value.unwrap() - mean).abs() < 1e-12);
        assert!((mean - want).abs() < 1e-12);
        assert_eq!(s.n, 1000);
    }

    // KR-20 computed directly: k/(k−1) · (1 − Σ p(1−p) / var(total)).
    let totals: Vec<f64> = rows.iter().map(|r| r.iter().map(|&x| f64::from(x)).sum()).collect();
    let mean_total = totals.iter().sum::<f64>() / n;
    let var_total = totals.iter().map(|t| (t - mean_total).powi(2)).sum::<f64>() / n;
    let pq: f64 = means.iter().map(|p| p * (1.0 - p)).sum();
    let kr20 = 5.0 / 4.0 * (1.0 - pq / var_total);
    let all = [0, 1, 2, 3, 4];
    let report = cronbach_alpha(&m, &all, MissingPolicy::default()).unwrap();
    assert_eq!(report.n_complete, 1000);
    let alpha = report.alpha.unwrap();
    assert!((alpha - kr20).abs() < 1e-12, "{alpha} vs {kr20}");
    // The same formula evaluated independently in Python.
    assert!((alpha - 0.453_408_735_387_448_75).abs() < 1e-12, "{alpha}");
    // "α if deleted" equals α of the four remaining items.
    for (j, deleted) in report.if_deleted.iter().enumerate() {
        let rest: Vec<usize> = all.iter().copied().filter(|&i| i != j).collect();
        let direct = cronbach_alpha(&m, &rest, MissingPolicy::default())
            .unwrap()
            .alpha
            .unwrap();
        assert!((deleted.alpha.unwrap() - direct).abs() < 1e-12);
    }
}

#[test]
fn sat12_key_shares_are_the_scored_p_values() {
    let (header, raw) = read_csv("mirt_SAT12_raw.csv");
    let (_, scored) = read_csv("mirt_SAT12_scored.csv");
    // The key as data/README.md gives it (mirt's ?SAT12 example).
    let key = [
        1, 4, 5, 2, 3, 1, 2, 1, 3, 1, 2, 4, 2, 1, 5, 3, 4, 4, 1, 4, 3, 3, 4, 1, 3, 5, 1, 3, 1, 5, 4, 5,
    ];
    let options = ClassicalOptions::default();
    let items = distractor_analysis(&to_matrix(header.clone(), &raw), &key, &options).unwrap();
    let stats = item_statistics(&to_matrix(header, &scored), &options).unwrap();
    for (item, s) in items.iter().zip(&stats) {
        let key_row = item.options.iter().find(|o| o.key).unwrap();
        assert!((key_row.share - s.p_value.unwrap()).abs() < 1e-12, "{}", item.item);
        // The key's point-biserial with the rest score is the item–rest correlation.
        assert!(
            (key_row.point_biserial.unwrap() - s.item_rest.unwrap()).abs() < 1e-12,
            "{}",
            item.item
        );
        let shares: f64 = item.options.iter().map(|o| o.share).sum();
        assert!((shares - 1.0).abs() < 1e-12);
    }
}

//! Classical item statistics on matrices small enough to compute by hand.

use calibration::classical::{
    ClassicalError, ClassicalOptions, FlagThresholds, ItemFlag, cronbach_alpha, distractor_analysis, item_statistics,
};
use calibration::data::ResponseMatrix;
use calibration::data::codes::{MissingPolicy, NOT_ADMINISTERED, OMITTED};

fn matrix(items: usize, data: Vec<u8>) -> ResponseMatrix {
    ResponseMatrix::new((1..=items).map(|i| format!("i{i}")).collect(), vec![], data).unwrap()
}

fn close(got: Option<f64>, want: f64) {
    let got = got.unwrap_or(f64::NAN);
    assert!((got - want).abs() < 1e-12, "got {got}, want {want}");
}

/// Five persons × three 0/1 items:
///
/// ```text
///        i1 i2 i3  total
///   p1    1  1  1    3
///   p2    1  1  0    2
///   p3    1  0  0    1
///   p4    0  1  0    1
///   p5    0  0  0    0
/// ```
fn five_by_three() -> ResponseMatrix {
    matrix(3, vec![1, 1, 1, 1, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0])
}

#[test]
fn hand_computed_item_statistics() {
    let stats = item_statistics(&five_by_three(), &ClassicalOptions::default()).unwrap();
    assert_eq!(stats.len(), 3);
    for s in &stats {
        assert_eq!((s.n, s.max_score), (5, 1));
        close(Some(s.n_weighted), 5.0);
        assert!(s.flags.is_empty(), "{s:?}");
    }
    close(stats[0].p_value, 0.6);
    close(stats[1].mean, 0.6);
    close(stats[2].p_value, 0.2);
    close(stats[2].sd, 0.4); // √(0.2 · 0.8)
    assert_eq!(stats[0].category_proportions.len(), 2);
    close(Some(stats[0].category_proportions[0]), 0.4);
    close(Some(stats[2].category_proportions[1]), 0.2);
    // i1 against rest (2, 1, 0, 1, 0): cov = 0.6/5 = 0.12, var(i1) = 0.24, var(rest) = 2.8/5 = 0.56.
    close(stats[0].item_rest, 0.12 / (0.24f64 * 0.56).sqrt());
    // i2 against rest (2, 1, 1, 0, 0): the same moments.
    close(stats[1].item_rest, 0.12 / (0.24f64 * 0.56).sqrt());
    // i3 against rest (2, 2, 1, 1, 0): cov = 0.8/5 = 0.16, var(i3) = 0.16, var(rest) = 0.56.
    close(stats[2].item_rest, 0.16 / (0.16f64 * 0.56).sqrt());
}

#[test]
fn flags_follow_thresholds() {
    let options = ClassicalOptions {
        flags: FlagThresholds {
            p_low: 0.25,
            p_high: 0.55,
            min_item_rest: 0.4,
            ..FlagThresholds::default()
        },
        ..ClassicalOptions::default()
    };
    let stats = item_statistics(&five_by_three(), &options).unwrap();
    assert_eq!(stats[0].flags, [ItemFlag::Easy, ItemFlag::LowItemRest]);
    assert_eq!(stats[2].flags, [ItemFlag::Hard]);
}

#[test]
fn cronbach_alpha_by_hand() {
    // Item variances p(1 − p): 0.24, 0.24, 0.16, sum 0.64. Totals (3, 2, 1, 1, 0): mean 1.4,
    // squared deviations 2.56 + 0.36 + 0.16 + 0.16 + 1.96 = 5.2, variance 1.04.
    // α = 3/2 · (1 − 0.64/1.04) = 1.5 · 0.4/1.04 = 15/26.
    let report = cronbach_alpha(&five_by_three(), &[0, 1, 2], MissingPolicy::default()).unwrap();
    assert_eq!(report.n_complete, 5);
    close(report.alpha, 15.0 / 26.0);
    // Without i1: totals (2, 1, 0, 1, 0), variance 0.56, item variances 0.24 + 0.16 → 2(1 − 0.4/0.56) = 4/7.
    // Without i2: totals (2, 1, 1, 0, 0), variance 0.56, item variances 0.40 → 4/7.
    // Without i3: totals (2, 2, 1, 1, 0), variance 0.56, item variances 0.48 → 2(1 − 0.48/0.56) = 2/7.
    let deleted: Vec<_> = report.if_deleted.iter().map(|d| (d.item.as_str(), d.alpha)).collect();
    assert_eq!(deleted.iter().map(|d| d.0).collect::<Vec<_>>(), ["i1", "i2", "i3"]);
    close(deleted[0].1, 4.0 / 7.0);
    close(deleted[1].1, 4.0 / 7.0);
    close(deleted[2].1, 2.0 / 7.0);
    // Two items: "α if deleted" would leave one item, which has no α.
    let pair = cronbach_alpha(&five_by_three(), &[0, 1], MissingPolicy::default()).unwrap();
    assert!(pair.if_deleted.iter().all(|d| d.alpha.is_none()));
}

#[test]
fn alpha_rejects_bad_item_sets() {
    let m = five_by_three();
    let policy = MissingPolicy::default();
    assert_eq!(cronbach_alpha(&m, &[0], policy), Err(ClassicalError::TooFewItems(1)));
    assert_eq!(
        cronbach_alpha(&m, &[0, 3], policy),
        Err(ClassicalError::ItemIndex { index: 3, items: 3 })
    );
    assert_eq!(
        cronbach_alpha(&m, &[1, 1], policy),
        Err(ClassicalError::DuplicateItem("i2".into()))
    );
}

/// Four persons, a not-administered and an omitted response, a polytomous third item:
///
/// ```text
///        i1  i2   i3
///   p1    1   1    2
///   p2    0   1    1
///   p3    1  255   0
///   p4    0   0  254 (omitted)
/// ```
fn with_missing() -> ResponseMatrix {
    matrix(3, vec![1, 1, 2, 0, 1, 1, 1, NOT_ADMINISTERED, 0, 0, 0, OMITTED])
}

#[test]
fn missing_responses_are_excluded_item_by_item() {
    let stats = item_statistics(&with_missing(), &ClassicalOptions::default()).unwrap();
    // i2: p3 not administered → n = 3, mean 2/3.
    assert_eq!(stats[1].n, 3);
    close(stats[1].p_value, 2.0 / 3.0);
    // Totals over administered items (omitted scores 0): 4, 2, 1, 0; rest for i2 (p1, p2, p4): 3, 1, 0.
    // cov = (5/9 − 1/9 + 8/9)/3 = 4/9, var(i2) = 2/9, var(rest) = 14/9 → r = 4/√28.
    close(stats[1].item_rest, 4.0 / 28f64.sqrt());
    // i3 (omitted → 0): scores 2, 1, 0, 0 → mean 0.75, p = 0.375, proportions ½, ¼, ¼.
    assert_eq!((stats[2].n, stats[2].max_score), (4, 2));
    close(stats[2].p_value, 0.375);
    assert_eq!(stats[2].category_proportions, [0.5, 0.25, 0.25]);

    // Omitted treated as not administered: i3 has scores 2, 1, 0.
    let skip = ClassicalOptions {
        policy: MissingPolicy {
            omitted_as_zero: false,
            not_reached_as_zero: false,
        },
        ..ClassicalOptions::default()
    };
    let stats = item_statistics(&with_missing(), &skip).unwrap();
    assert_eq!(stats[2].n, 3);
    close(stats[2].p_value, 0.5);

    // Complete cases: all four persons on {i1, i3}; three on all items (p3 lacks i2).
    let policy = MissingPolicy::default();
    assert_eq!(cronbach_alpha(&with_missing(), &[0, 2], policy).unwrap().n_complete, 4);
    assert_eq!(
        cronbach_alpha(&with_missing(), &[0, 1, 2], policy).unwrap().n_complete,
        3
    );
    assert_eq!(
        cronbach_alpha(&with_missing(), &[0, 2], skip.policy)
            .unwrap()
            .n_complete,
        3
    );
}

#[test]
fn declared_maximum_scores() {
    let declared = ClassicalOptions {
        max_scores: Some(vec![1, 1, 3]),
        ..ClassicalOptions::default()
    };
    let stats = item_statistics(&with_missing(), &declared).unwrap();
    close(stats[2].p_value, 0.25); // 0.75 / 3
    assert_eq!(stats[2].category_proportions, [0.5, 0.25, 0.25, 0.0]);
    let low = ClassicalOptions {
        max_scores: Some(vec![1, 1, 1]),
        ..ClassicalOptions::default()
    };
    assert_eq!(
        item_statistics(&with_missing(), &low),
        Err(ClassicalError::AboveMaximum {
            item: "i3".into(),
            category: 2,
            max: 1
        })
    );
    let short = ClassicalOptions {
        max_scores: Some(vec![1]),
        ..ClassicalOptions::default()
    };
    assert!(matches!(
        item_statistics(&with_missing(), &short),
        Err(ClassicalError::ItemColumn { got: 1, .. })
    ));
}

#[test]
fn degenerate_items_give_no_nan() {
    // i1 all correct, i2 never administered, i3 varies.
    let m = matrix(3, vec![1, 255, 0, 1, 255, 1, 1, 255, 1]);
    let stats = item_statistics(&m, &ClassicalOptions::default()).unwrap();
    assert_eq!(stats[0].flags, [ItemFlag::NoVariance, ItemFlag::Easy]);
    assert_eq!(stats[0].item_rest, None);
    assert_eq!(stats[1].flags, [ItemFlag::NoResponses]);
    assert_eq!(
        (stats[1].n, stats[1].mean, stats[1].p_value, stats[1].item_rest),
        (0, None, None, None)
    );
    assert!(stats[1].category_proportions.is_empty());
    let alpha = cronbach_alpha(&m, &[0, 2], MissingPolicy::default()).unwrap();
    assert!(alpha.alpha.is_some());
    assert_eq!(
        cronbach_alpha(&m, &[0, 1], MissingPolicy::default()).unwrap().alpha,
        None
    );
    let json = serde_json::to_string(&stats).unwrap();
    assert!(!json.contains("NaN") && !json.contains("inf"), "{json}");
}

#[test]
fn weight_two_equals_a_duplicated_person() {
    let base = with_missing();
    let mut data: Vec<u8> = (0..4).flat_map(|p| base.row(p).to_vec()).collect();
    data.extend_from_slice(base.row(1));
    let duplicated = matrix(3, data);
    let weighted = base.clone().with_weights(vec![1.0, 2.0, 1.0, 1.0]).unwrap();
    let options = ClassicalOptions::default();
    let a = item_statistics(&duplicated, &options).unwrap();
    let b = item_statistics(&weighted, &options).unwrap();
    for (a, b) in a.iter().zip(&b) {
        // Normalised weights sum to the 4 persons, the copies to 5.
        close(Some(b.n_weighted * 5.0 / 4.0), a.n_weighted);
        for (x, y) in [
            (a.mean, b.mean),
            (a.sd, b.sd),
            (a.p_value, b.p_value),
            (a.item_rest, b.item_rest),
        ] {
            close(y, x.unwrap());
        }
        for (x, y) in a.category_proportions.iter().zip(&b.category_proportions) {
            close(Some(*y), *x);
        }
    }
    let policy = MissingPolicy::default();
    let a = cronbach_alpha(&duplicated, &[0, 1, 2], policy).unwrap();
    let b = cronbach_alpha(&weighted, &[0, 1, 2], policy).unwrap();
    assert_eq!((a.n_complete, b.n_complete), (4, 3));
    close(b.alpha, a.alpha.unwrap());
    for (x, y) in a.if_deleted.iter().zip(&b.if_deleted) {
        close(y.alpha, x.alpha.unwrap());
    }
}

/// Option codes of five persons on two multiple-choice items, keys 2 and 1:
///
/// ```text
///        i1  i2         scores  total
///   p1    2   1          1 1      2
///   p2    2   3          1 0      1
///   p3    1   1          0 1      1
///   p4    3  254         0 0      0
///   p5    1  255         0 –      0
/// ```
fn options_raw() -> ResponseMatrix {
    matrix(2, vec![2, 1, 2, 3, 1, 1, 3, OMITTED, 1, NOT_ADMINISTERED])
}

#[test]
fn hand_computed_distractors() {
    let items = distractor_analysis(&options_raw(), &[2, 1], &ClassicalOptions::default()).unwrap();
    let i1 = &items[0];
    assert_eq!((i1.n, i1.key), (5, 2));
    let codes: Vec<u8> = i1.options.iter().map(|o| o.code).collect();
    assert_eq!(codes, [1, 2, 3]);
    let shares: Vec<f64> = i1.options.iter().map(|o| o.share).collect();
    assert_eq!(shares, [0.4, 0.4, 0.2]);
    // Mean totals: option 1 (p3, p5) (1 + 0)/2, key 2 (p1, p2) (2 + 1)/2, option 3 (p4) 0.
    close(i1.options[0].mean_total, 0.5);
    close(i1.options[1].mean_total, 1.5);
    close(i1.options[2].mean_total, 0.0);
    // Rest scores for i1: (1, 0, 1, 0, 0), mean 0.4, variance 0.24.
    // Option 1 chosen by (0, 0, 1, 0, 1): cov = 0.2/5 = 0.04, var 0.24 → r = 1/6: flagged.
    close(i1.options[0].point_biserial, 1.0 / 6.0);
    assert!(i1.options[0].flagged);
    // Key chosen by (1, 1, 0, 0, 0): cov 0.04 → r = 1/6, not a distractor.
    close(i1.options[1].point_biserial, 1.0 / 6.0);
    assert!(i1.options[1].key && !i1.options[1].flagged);
    // Option 3 chosen by (0, 0, 0, 1, 0): cov = −0.4/5, var 0.16.
    close(i1.options[2].point_biserial, -0.08 / (0.16f64 * 0.24).sqrt());
    assert_eq!(i1.flags, [ItemFlag::PositiveDistractor]);

    // i2: p5 not administered; the omission scores 0 and is its own row (code 254).
    let i2 = &items[1];
    assert_eq!(i2.n, 4);
    let rows: Vec<(u8, f64)> = i2.options.iter().map(|o| (o.code, o.share)).collect();
    assert_eq!(rows, [(1, 0.5), (3, 0.25), (OMITTED, 0.25)]);
    close(i2.options[0].mean_total, 1.5);
    close(i2.options[1].mean_total, 1.0);
    // Rest (1, 1, 0, 0): the key is uncorrelated with it, option 3 (p2) correlates 1/√3.
    close(i2.options[0].point_biserial, 0.0);
    close(i2.options[1].point_biserial, 1.0 / 3f64.sqrt());
    assert!(i2.options[1].flagged && !i2.options[2].flagged);

    // Omissions as not administered: no 254 row, three persons.
    let skip = ClassicalOptions {
        policy: MissingPolicy {
            omitted_as_zero: false,
            not_reached_as_zero: false,
        },
        ..ClassicalOptions::default()
    };
    let items = distractor_analysis(&options_raw(), &[2, 1], &skip).unwrap();
    assert_eq!(items[1].n, 3);
    assert_eq!(items[1].options.iter().map(|o| o.code).collect::<Vec<_>>(), [1, 3]);
}

#[test]
fn distractor_edge_cases() {
    // A key nobody chose is still listed.
    let items = distractor_analysis(&options_raw(), &[4, 1], &ClassicalOptions::default()).unwrap();
    let key = items[0].options.iter().find(|o| o.key).unwrap();
    assert_eq!(
        (key.code, key.n, key.share, key.mean_total, key.point_biserial),
        (4, 0, 0.0, None, None)
    );
    assert!(serde_json::to_string(&items).is_ok());
    let options = ClassicalOptions::default();
    assert!(matches!(
        distractor_analysis(&options_raw(), &[1], &options),
        Err(ClassicalError::ItemColumn { .. })
    ));
    assert_eq!(
        distractor_analysis(&options_raw(), &[1, 250], &options),
        Err(ClassicalError::KeyCode {
            item: "i2".into(),
            key: 250
        })
    );
}

//! Bad input gets a clear error (or documented handling), never NaN estimates.

use calibration::data::ResponseMatrix;
use calibration::data::codes::NOT_ADMINISTERED as NA;
use calibration::em::{CalibrationError, Options, calibrate};
use calibration::model::{ItemParams, Model};

fn matrix(items: usize, rows: &[&[u8]]) -> ResponseMatrix {
    let names = (1..=items).map(|i| format!("Q{i}")).collect();
    ResponseMatrix::new(names, vec![], rows.concat()).unwrap()
}

fn two_pl(n: usize) -> Vec<ItemParams> {
    (0..n).map(|_| ItemParams::new(Model::TwoPl, 2)).collect()
}

fn error(m: &ResponseMatrix, items: Vec<ItemParams>) -> String {
    match calibrate(m, items, &Options::default(), &mut |_| {}) {
        Err(e) => e.to_string(),
        Ok(fit) => panic!("expected an error, got {fit:?}"),
    }
}

/// A few persons with varied patterns on three items.
fn rows() -> Vec<[u8; 3]> {
    vec![
        [0, 1, 1],
        [1, 0, 1],
        [1, 1, 0],
        [0, 0, 1],
        [1, 1, 1],
        [0, 1, 0],
        [1, 0, 0],
        [0, 0, 0],
    ]
}

#[test]
fn an_item_with_one_category_is_named() {
    let mut data = rows();
    data.iter_mut().for_each(|r| r[1] = 1);
    let refs: Vec<&[u8]> = data.iter().map(|r| r.as_slice()).collect();
    let e = error(&matrix(3, &refs), two_pl(3));
    assert!(
        e.contains("Q2") && e.contains("all 8 responses are in category 1"),
        "{e}"
    );
}

#[test]
fn an_item_nobody_answered_is_named() {
    let mut data = rows();
    data.iter_mut().for_each(|r| r[2] = NA);
    let refs: Vec<&[u8]> = data.iter().map(|r| r.as_slice()).collect();
    let e = error(&matrix(3, &refs), two_pl(3));
    assert!(e.contains("Q3") && e.contains("nobody answered"), "{e}");
}

#[test]
fn categories_beyond_the_model_and_missing_codes_are_refused() {
    let mut data = rows();
    data[0][0] = 2;
    let refs: Vec<&[u8]> = data.iter().map(|r| r.as_slice()).collect();
    let e = error(&matrix(3, &refs), two_pl(3));
    assert!(e.contains("Q1") && e.contains("category 2"), "{e}");
    let mut data = rows();
    data[0][0] = 254;
    let refs: Vec<&[u8]> = data.iter().map(|r| r.as_slice()).collect();
    let e = error(&matrix(3, &refs), two_pl(3));
    assert!(e.contains("missing code"), "{e}");
}

#[test]
fn unobserved_middle_categories_must_be_recoded() {
    let data: Vec<[u8; 3]> = rows().iter().map(|r| [r[0] * 2, r[1], r[2]]).collect();
    let refs: Vec<&[u8]> = data.iter().map(|r| r.as_slice()).collect();
    let mut items = two_pl(3);
    items[0] = ItemParams::new(Model::Graded, 3);
    let e = error(&matrix(3, &refs), items);
    assert!(e.contains("Q1") && e.contains("never observed"), "{e}");
}

#[test]
fn a_disconnected_booklet_design_is_refused() {
    // Persons answer either Q1–Q2 or Q3–Q4: two unrelated scales.
    let data: Vec<[u8; 4]> = rows()
        .iter()
        .enumerate()
        .map(|(p, r)| {
            if p % 2 == 0 {
                [r[0], r[1], NA, NA]
            } else {
                [NA, NA, r[1], r[2]]
            }
        })
        .collect();
    let refs: Vec<&[u8]> = data.iter().map(|r| r.as_slice()).collect();
    let e = error(&matrix(4, &refs), two_pl(4));
    assert!(e.contains("not connected") && e.contains("Q3"), "{e}");
}

#[test]
fn persons_without_responses_add_nothing() {
    let mut data = rows();
    data.push([NA, NA, NA]);
    let with: Vec<&[u8]> = data.iter().map(|r| r.as_slice()).collect();
    let without: Vec<&[u8]> = data[..data.len() - 1].iter().map(|r| r.as_slice()).collect();
    let opts = Options::default();
    let a = calibrate(&matrix(3, &with), two_pl(3), &opts, &mut |_| {}).unwrap();
    let b = calibrate(&matrix(3, &without), two_pl(3), &opts, &mut |_| {}).unwrap();
    assert_eq!(a.persons_without_responses, 1);
    assert_eq!(a.items, b.items);
    assert_eq!(a.loglik, b.loglik);
}

#[test]
fn negative_weights_and_wrong_model_counts_are_refused() {
    let data = rows();
    let refs: Vec<&[u8]> = data.iter().map(|r| r.as_slice()).collect();
    let m = matrix(3, &refs);
    let mut weights = vec![1.0; 8];
    weights[3] = -2.0;
    let e = m.clone().with_weights(weights).unwrap_err().to_string();
    assert!(e.contains("row 4") && e.contains("-2"), "{e}");
    assert!(matches!(
        calibrate(&m, two_pl(2), &Options::default(), &mut |_| {}),
        Err(CalibrationError::ItemCount(2, 3))
    ));
}

#[test]
fn tiny_data_gives_finite_estimates() {
    // Eight persons, three items: estimates are poor but must be numbers.
    let data = rows();
    let refs: Vec<&[u8]> = data.iter().map(|r| r.as_slice()).collect();
    let opts = Options {
        standard_errors: true,
        ..Options::default()
    };
    let fit = calibrate(&matrix(3, &refs), two_pl(3), &opts, &mut |_| {}).unwrap();
    assert!(fit.loglik.is_finite());
    assert!(
        fit.items.iter().all(|i| i.values.iter().all(|v| v.is_finite())),
        "{:?}",
        fit.items
    );
    if let Some(se) = &fit.standard_errors {
        assert!(se.items.iter().flatten().flatten().all(|s| s.is_finite()));
    } else {
        assert!(fit.standard_error_problem.is_some());
    }
}

#[test]
fn a_separated_group_is_an_error_not_nan() {
    // Group b never answers Q1 or Q2 correctly and always Q3: its distribution runs
    // away. The calibration must stop with a clear error or finite estimates.
    let mut rows: Vec<[u8; 3]> = rows();
    rows.extend([[0, 0, 1]; 6]);
    let refs: Vec<&[u8]> = rows.iter().map(|r| r.as_slice()).collect();
    let groups = (0..rows.len()).map(|p| u16::from(p >= 8)).collect();
    let m = matrix(3, &refs)
        .with_groups(groups, vec!["a".into(), "b".into()])
        .unwrap();
    match calibrate(&m, two_pl(3), &Options::default(), &mut |_| {}) {
        Err(e) => assert!(e.to_string().contains("diverged"), "{e}"),
        Ok(fit) => {
            assert!(fit.loglik.is_finite());
            assert!(
                fit.groups.iter().all(|g| g.mean.is_finite() && g.variance.is_finite()),
                "{:?}",
                fit.groups
            );
        }
    }
}

//! Importing weights that come with a data set: PISA-style Fay BRR columns, TIMSS-style
//! JK2, and every kind of bad value named by row and column.

use scoring::survey::{ReplicateMethod, ReplicateWeights, SurveyError, WeightColumn};

fn names(r: usize) -> Vec<String> {
    (1..=r).map(|i| format!("W_FSTURWT{i}")).collect()
}

fn import(method: ReplicateMethod, full: &[f64], reps: &[Vec<f64>]) -> Result<ReplicateWeights, SurveyError> {
    let names = names(reps.len());
    let columns: Vec<WeightColumn> = reps
        .iter()
        .zip(&names)
        .map(|(values, name)| WeightColumn { name, values })
        .collect();
    ReplicateWeights::import(
        method,
        WeightColumn {
            name: "W_FSTUWT",
            values: full,
        },
        &columns,
    )
}

const PISA: ReplicateMethod = ReplicateMethod::FayBrr { k: 0.5 };

#[test]
fn pisa_columns() {
    let full = vec![10.0, 20.0, 30.0];
    let reps: Vec<Vec<f64>> = (0..80)
        .map(|r| {
            let f = if r % 2 == 0 { 1.5 } else { 0.5 };
            full.iter().map(|w| w * f).collect()
        })
        .collect();
    let w = import(PISA, &full, &reps).unwrap();
    assert_eq!((w.len(), w.replicates.len(), w.df), (3, 80, 80.0));
    assert!((w.factor() - 0.05).abs() < 1e-15);
    // A total of 60: replicates at 90 and 30, so V = 0.05 · 80 · 30² = 3600.
    let totals: Vec<f64> = w.replicates.iter().map(|r| r.iter().sum()).collect();
    assert!((w.sampling_variance(60.0, &totals) - 3600.0).abs() < 1e-9);
}

#[test]
fn jackknife_zeros_are_legitimate() {
    let full = vec![2.0, 2.0];
    let w = import(ReplicateMethod::Jk2, &full, &[vec![0.0, 4.0], vec![4.0, 0.0]]).unwrap();
    assert_eq!(w.df, 1.0);
    let w = import(ReplicateMethod::Jk1, &full, &[vec![0.0, 4.0], vec![4.0, 0.0]]).unwrap();
    assert_eq!(w.df, 1.0);
    let given = import(ReplicateMethod::Given { factor: 1.0 }, &full, &[vec![0.0, 4.0]]).unwrap();
    assert_eq!(given.factor(), 1.0);
}

#[test]
fn bad_values_name_row_and_column() {
    let ok = vec![1.0, 1.0, 1.0];
    let cases: Vec<(Vec<f64>, Vec<f64>, SurveyError)> = vec![
        (
            vec![1.0, f64::NAN, 1.0],
            ok.clone(),
            SurveyError::MissingWeight {
                row: 2,
                column: "W_FSTUWT".into(),
            },
        ),
        (
            vec![1.0, 1.0, 0.0],
            ok.clone(),
            SurveyError::NonPositiveWeight {
                row: 3,
                column: "W_FSTUWT".into(),
                value: 0.0,
            },
        ),
        (
            vec![-2.0, 1.0, 1.0],
            ok.clone(),
            SurveyError::NonPositiveWeight {
                row: 1,
                column: "W_FSTUWT".into(),
                value: -2.0,
            },
        ),
        (
            vec![1.0, f64::INFINITY, 1.0],
            ok.clone(),
            SurveyError::NonFiniteWeight {
                row: 2,
                column: "W_FSTUWT".into(),
                value: f64::INFINITY,
            },
        ),
        (
            ok.clone(),
            vec![1.0, -0.5, 1.0],
            SurveyError::NegativeReplicateWeight {
                row: 2,
                column: "W_FSTURWT2".into(),
                value: -0.5,
            },
        ),
        (
            ok.clone(),
            vec![1.0, 1.0, f64::NAN],
            SurveyError::MissingWeight {
                row: 3,
                column: "W_FSTURWT2".into(),
            },
        ),
        (
            ok.clone(),
            vec![1.0, 1.0],
            SurveyError::ColumnLength {
                column: "W_FSTURWT2".into(),
                rows: 2,
                expected: 3,
            },
        ),
    ];
    for (full, second, expected) in cases {
        let got = import(PISA, &full, &[ok.clone(), second]);
        assert_eq!(got, Err(expected));
    }
    let message = import(PISA, &[1.0, f64::NAN], &[vec![1.0, 1.0]])
        .unwrap_err()
        .to_string();
    assert_eq!(message, "row 2, column `W_FSTUWT`: weight is missing");
}

#[test]
fn bad_methods_and_shapes() {
    let full = [1.0, 1.0];
    let rep = vec![vec![1.0, 1.0]];
    assert_eq!(import(PISA, &full, &[]), Err(SurveyError::NoReplicates));
    assert_eq!(
        import(ReplicateMethod::FayBrr { k: 1.0 }, &full, &rep),
        Err(SurveyError::BadFayCoefficient(1.0))
    );
    assert_eq!(
        import(ReplicateMethod::Given { factor: 0.0 }, &full, &rep),
        Err(SurveyError::BadVarianceFactor(0.0))
    );
    assert_eq!(
        import(ReplicateMethod::Jk1, &full, &rep),
        Err(SurveyError::TooFewReplicates(1))
    );
}

//! Bad input is an error with a clear message, never a panic or a table of NaN.

mod estimate_support;

use estimate_support::{jk1, report_all};
use scoring::estimate::{
    Estimate, EstimateError, Grouping, Levels, Options, Sample, Statistic, Subset, Variable, between_rounds,
};
use scoring::survey::ReplicateWeights;

fn weights(n: usize) -> ReplicateWeights {
    jk1(vec![1.0; n], &(0..n).map(|i| i % 4).collect::<Vec<_>>())
}

#[test]
fn bad_weights() {
    let mut w = weights(8);
    w.full[3] = -1.0;
    let e = Sample::new(&w, None, report_all()).unwrap_err();
    assert_eq!(e, EstimateError::BadWeight { row: 3, value: -1.0 });
    assert!(e.to_string().contains("student 3"), "{e}");

    let mut w = weights(8);
    w.replicates[2][5] = f64::NAN;
    assert!(matches!(
        Sample::new(&w, None, report_all()),
        Err(EstimateError::BadReplicateWeight {
            replicate: 3,
            row: 5,
            ..
        })
    ));

    let mut w = weights(8);
    w.replicates[1].pop();
    assert!(matches!(
        Sample::new(&w, None, report_all()),
        Err(EstimateError::Length {
            found: 7,
            expected: 8,
            ..
        })
    ));

    let mut w = weights(8);
    w.replicates.clear();
    assert_eq!(
        Sample::new(&w, None, report_all()).unwrap_err(),
        EstimateError::NoReplicates
    );

    let mut w = weights(8);
    w.df = 0.0;
    assert_eq!(
        Sample::new(&w, None, report_all()).unwrap_err(),
        EstimateError::BadDegreesOfFreedom(0.0)
    );

    let empty = jk1(vec![], &[]);
    assert_eq!(
        Sample::new(&empty, None, report_all()).unwrap_err(),
        EstimateError::Empty
    );
}

#[test]
fn bad_schools_and_options() {
    let w = weights(8);
    assert!(matches!(
        Sample::new(&w, Some(&[1, 2, 3]), report_all()),
        Err(EstimateError::Length { found: 3, .. })
    ));
    let options = Options {
        confidence: 1.0,
        ..Options::default()
    };
    assert_eq!(
        Sample::new(&w, None, options).unwrap_err(),
        EstimateError::BadConfidence(1.0)
    );
    let sample = Sample::new(&w, None, report_all()).unwrap();
    let x = [1.0; 8];
    let all = Grouping::everyone("all", 8);
    assert_eq!(
        sample.two_level(Variable::Observed(&x), &all).unwrap_err(),
        EstimateError::NoSchools
    );
}

#[test]
fn bad_variables() {
    let w = weights(8);
    let sample = Sample::new(&w, None, report_all()).unwrap();
    let all = Grouping::everyone("all", 8);
    let mean = [Statistic::Mean];

    let short = vec![vec![1.0; 8], vec![1.0; 7]];
    let e = sample.table(Variable::Plausible(&short), &all, &mean).unwrap_err();
    assert!(e.to_string().contains("plausible value 2"), "{e}");

    let none: Vec<Vec<f64>> = vec![];
    assert!(matches!(
        sample.table(Variable::Plausible(&none), &all, &mean),
        Err(EstimateError::NoColumns { .. })
    ));

    let mut infinite = vec![1.0; 8];
    infinite[6] = f64::INFINITY;
    assert!(matches!(
        sample.table(Variable::Observed(&infinite), &all, &mean),
        Err(EstimateError::NotFinite { row: 6, .. })
    ));

    let five = vec![vec![1.0; 8]; 5];
    let ten = vec![vec![1.0; 8]; 10];
    assert_eq!(
        sample
            .correlation(Variable::Plausible(&five), Variable::Plausible(&ten), &all)
            .unwrap_err(),
        EstimateError::DrawsMismatch { first: 5, second: 10 }
    );
    // An observed column pairs with any number of PVs.
    assert!(
        sample
            .correlation(Variable::Plausible(&five), Variable::Observed(&[1.0; 8]), &all)
            .is_ok()
    );
    assert_eq!(
        sample.regression(Variable::Plausible(&five), &[], &all).unwrap_err(),
        EstimateError::NoPredictors
    );
}

#[test]
fn bad_groupings() {
    let w = weights(4);
    let sample = Sample::new(&w, None, report_all()).unwrap();
    let x = [1.0, 2.0, 3.0, 4.0];
    let mean = [Statistic::Mean];
    let labels = vec!["a".to_string(), "b".to_string()];

    let codes = [0, 0, 1, 0];
    let wrong_length = Grouping::new(labels.clone(), &codes[..3]);
    assert!(matches!(
        sample.table(Variable::Observed(&x), &wrong_length, &mean),
        Err(EstimateError::Length {
            found: 3,
            expected: 4,
            ..
        })
    ));

    let unknown = [0, 0, 2, 0];
    let unknown = Grouping::new(labels.clone(), &unknown);
    assert_eq!(
        sample.table(Variable::Observed(&x), &unknown, &mean).unwrap_err(),
        EstimateError::UnknownGroupCode {
            row: 2,
            code: 2,
            groups: 2
        }
    );

    let empty = [0, 0, Grouping::NONE, 0];
    let empty = Grouping::new(labels.clone(), &empty);
    let e = sample.table(Variable::Observed(&x), &empty, &mean).unwrap_err();
    assert_eq!(e, EstimateError::EmptyGroup { label: "b".into() });
    assert_eq!(e.to_string(), "group `b` has no students");

    let no_labels = Grouping::new(vec![], &codes);
    assert_eq!(
        sample.table(Variable::Observed(&x), &no_labels, &mean).unwrap_err(),
        EstimateError::NoGroups
    );

    let fine = Grouping::new(labels, &codes);
    assert_eq!(
        sample
            .difference(Variable::Observed(&x), &mean, Subset::Group(&fine, 5), Subset::All)
            .unwrap_err(),
        EstimateError::NoSuchGroup { index: 5, groups: 2 }
    );
}

#[test]
fn bad_statistics() {
    let w = weights(4);
    let sample = Sample::new(&w, None, report_all()).unwrap();
    let x = [1.0, 2.0, 3.0, 4.0];
    let all = Grouping::everyone("all", 4);
    let table = |stats: &[Statistic]| sample.table(Variable::Observed(&x), &all, stats).unwrap_err();
    assert_eq!(table(&[]), EstimateError::NoStatistics);
    assert_eq!(
        table(&[Statistic::Percentile(101.0)]),
        EstimateError::BadPercentile(101.0)
    );
    let backwards = Statistic::Share {
        at_least: Some(5.0),
        below: Some(2.0),
    };
    assert!(matches!(table(&[backwards]), EstimateError::BadShare { .. }));
    assert!(matches!(Levels::new(vec![3.0, 2.0]), Err(EstimateError::BadCuts(_))));
    assert!(matches!(Levels::new(vec![]), Err(EstimateError::BadCuts(_))));
    assert!(matches!(Levels::new(vec![f64::NAN]), Err(EstimateError::BadCuts(_))));
}

#[test]
fn bad_combinations() {
    let w = weights(4);
    let sample = Sample::new(&w, None, report_all()).unwrap();
    assert!(matches!(
        sample.combine(&[vec![1.0; 5], vec![1.0; 4]]),
        Err(EstimateError::Shape {
            expected: 5,
            found: 4,
            ..
        })
    ));
    let e = Estimate {
        estimate: 1.0,
        se: 1.0,
        sampling_variance: 1.0,
        imputation_variance: 0.0,
        df: 10.0,
        ci_low: 0.0,
        ci_high: 2.0,
    };
    assert_eq!(
        between_rounds(&e, &e, -1.0, 0.95).unwrap_err(),
        EstimateError::BadLinkingError(-1.0)
    );
}

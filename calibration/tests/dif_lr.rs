//! Likelihood-ratio DIF finds uniform and non-uniform DIF planted in simulated 2PL data and in a
//! graded item, agrees with two calibrations run by hand, and reports bad input and refits that
//! cannot run instead of giving NaN.

use std::sync::OnceLock;
use std::time::Instant;

use calibration::data::ResponseMatrix;
use calibration::data::codes::NOT_ADMINISTERED;
use calibration::dif::lr::RefitProblem;
use calibration::dif::{Adjustment, LrError, LrOptions, LrReport, likelihood_ratio};
use calibration::em::CalibrationError;
use calibration::em::{Constraint, Options, calibrate};
use calibration::model::{ItemParams, Model};
use calibration::simulate::{SimGroup, Simulation};

const ITEMS: usize = 15;
const PER_GROUP: usize = 2000;
/// Intercept 0.8 lower in the focal group: harder for it at equal proficiency (uniform DIF).
const HARDER_FOR_FOCAL: usize = 3;
/// Intercept 0.8 higher in the focal group (uniform DIF).
const EASIER_FOR_FOCAL: usize = 7;
/// Slope 1.8 in the reference group, 0.9 in the focal group (non-uniform DIF).
const FLATTER_FOR_FOCAL: usize = 11;
const DIF_ITEMS: [usize; 3] = [HARDER_FOR_FOCAL, EASIER_FOR_FOCAL, FLATTER_FOR_FOCAL];
/// Focal-group mean (impact, which the group means must absorb); the reference group is N(0, 1).
const FOCAL_MEAN: f64 = -0.3;

fn two_pl(a: f64, d: f64) -> ItemParams {
    ItemParams {
        values: vec![a, d],
        ..ItemParams::new(Model::TwoPl, 2)
    }
}

fn group(name: &str, persons: usize, mean: f64) -> SimGroup {
    SimGroup {
        name: name.into(),
        persons,
        mean,
        sd: 1.0,
    }
}

/// `Simulation` draws one parameter set for all its groups, so each group is simulated from its
/// own items (with its own seed: equal seeds would give both groups the same random streams) and
/// the two matrices are stacked, reference group first.
fn stack(reference: (Vec<ItemParams>, SimGroup), focal: (Vec<ItemParams>, SimGroup), seed: u64) -> ResponseMatrix {
    let [(r, _), (f, _)] = [(reference, seed), (focal, seed + 1)].map(|((items, group), seed)| {
        Simulation {
            items,
            booklets: vec![],
            groups: vec![group],
            seed,
        }
        .run()
    });
    let names = vec![r.group_names()[0].clone(), f.group_names()[0].clone()];
    let data: Vec<u8> = (0..r.n_persons())
        .map(|p| r.row(p))
        .chain((0..f.n_persons()).map(|p| f.row(p)))
        .flatten()
        .copied()
        .collect();
    let groups = [vec![0; r.n_persons()], vec![1; f.n_persons()]].concat();
    ResponseMatrix::new(r.items().to_vec(), vec![], data)
        .and_then(|m| m.with_groups(groups, names))
        .expect("stacked simulated data has a valid shape")
}

/// 15 2PL items, slopes 0.8–1.6 and intercepts evenly over [−1.5, 1.5], with the planted DIF.
fn planted() -> ResponseMatrix {
    let reference: Vec<ItemParams> = (0..ITEMS)
        .map(|i| {
            let a = if i == FLATTER_FOR_FOCAL {
                1.8
            } else {
                0.8 + 0.2 * (i % 5) as f64
            };
            two_pl(a, 1.5 - 3.0 * i as f64 / (ITEMS - 1) as f64)
        })
        .collect();
    let mut focal = reference.clone();
    focal[HARDER_FOR_FOCAL].values[1] -= 0.8;
    focal[EASIER_FOR_FOCAL].values[1] += 0.8;
    focal[FLATTER_FOR_FOCAL].values[0] = 0.9;
    stack(
        (reference, group("reference", PER_GROUP, 0.0)),
        (focal, group("focal", PER_GROUP, FOCAL_MEAN)),
        20_260_301,
    )
}

fn models() -> Vec<ItemParams> {
    vec![ItemParams::new(Model::TwoPl, 2); ITEMS]
}

/// The planted data and its analysis with default options (shared by the tests that need them).
fn analysed() -> &'static (ResponseMatrix, LrReport) {
    static ANALYSED: OnceLock<(ResponseMatrix, LrReport)> = OnceLock::new();
    ANALYSED.get_or_init(|| {
        let m = planted();
        let start = Instant::now();
        let report = likelihood_ratio(&m, &models(), &LrOptions::default()).expect("the analysis runs");
        eprintln!("LR DIF of 15 items, 2 × 2000 persons: {:.2?}", start.elapsed());
        for it in &report.items {
            eprintln!(
                "{} X2 {:8.2} df {} p {:.2e} AIC {:8.2} BIC {:8.2} groups {:?}",
                it.item,
                it.x2.unwrap_or(f64::NAN),
                it.df,
                it.p.unwrap_or(f64::NAN),
                it.aic.unwrap_or(f64::NAN),
                it.bic.unwrap_or(f64::NAN),
                it.groups.iter().map(|g| &g.values).collect::<Vec<_>>()
            );
        }
        (m, report)
    })
}

/// Whether every number reported is finite (serde_json would write NaN as null, so look at the values).
fn all_finite(report: &LrReport) -> bool {
    report.items.iter().all(|it| {
        [it.aic, it.sabic, it.hq, it.bic, it.x2, it.p, it.p_adjusted]
            .iter()
            .flatten()
            .chain(it.groups.iter().flat_map(|g| &g.values))
            .all(|x| x.is_finite())
    })
}

/// Clean items with p < 0.01.
fn false_positives(report: &LrReport) -> Vec<&str> {
    report
        .items
        .iter()
        .enumerate()
        .filter(|&(i, it)| !DIF_ITEMS.contains(&i) && it.p.is_some_and(|p| p < 0.01))
        .map(|(_, it)| it.item.as_str())
        .collect()
}

#[test]
fn planted_dif_is_found_with_its_size() {
    let (_, report) = analysed();
    assert_eq!(report.items.len(), ITEMS);
    assert_eq!(report.reference, "reference");
    assert!(report.baseline.converged);
    let focal = &report.baseline.groups[1];
    assert!((focal.mean - FOCAL_MEAN).abs() < 0.12, "{focal:?}");
    for it in &report.items {
        assert_eq!(it.df, 2, "{it:?}");
        assert!(it.converged && it.problem.is_none(), "{it:?}");
        assert!(it.x2.is_some_and(|x| x > -0.1) && it.p.is_some(), "{it:?}");
        assert_eq!(it.groups.len(), 2);
        assert_eq!(it.parameters, ["a1", "d"]);
    }
    for i in DIF_ITEMS {
        let it = &report.items[i];
        assert!(it.p.is_some_and(|p| p < 1e-3) && it.flagged, "{it:?}");
        // mirt's sign: free − constrained, so freeing a DIF item lowers every criterion.
        assert!(
            it.aic.is_some_and(|a| a < 0.0) && it.bic.is_some_and(|b| b < 0.0),
            "{it:?}"
        );
    }
    let fp = false_positives(report);
    assert!(fp.len() <= 1, "{fp:?}");

    // The size of the DIF on the common scale: intercept shifts of ∓0.8, slopes 1.8 vs 0.9.
    let values = |i: usize, g: usize| report.items[i].groups[g].values.clone();
    let shift = |i: usize| values(i, 1)[1] - values(i, 0)[1];
    assert!(
        (shift(HARDER_FOR_FOCAL) + 0.8).abs() < 0.3,
        "{:?}",
        report.items[HARDER_FOR_FOCAL]
    );
    assert!(
        (shift(EASIER_FOR_FOCAL) - 0.8).abs() < 0.3,
        "{:?}",
        report.items[EASIER_FOR_FOCAL]
    );
    let (a_ref, a_focal) = (values(FLATTER_FOR_FOCAL, 0)[0], values(FLATTER_FOR_FOCAL, 1)[0]);
    assert!(
        (a_ref - 1.8).abs() < 0.35 && (a_focal - 0.9).abs() < 0.25,
        "{a_ref} {a_focal}"
    );
    // A clean item's groups agree.
    assert!(shift(0).abs() < 0.3 && (values(0, 0)[0] - values(0, 1)[0]).abs() < 0.35);

    assert!(all_finite(report));
    let json = serde_json::to_string(report).expect("the report serializes");
    for column in [
        "\"AIC\"",
        "\"SABIC\"",
        "\"HQ\"",
        "\"BIC\"",
        "\"X2\"",
        "\"df\"",
        "\"p\"",
        "\"adj_pvals\"",
    ] {
        assert!(json.contains(column), "{column}");
    }
}

#[test]
fn x2_is_twice_the_loglik_difference_of_two_calibrations() {
    let (m, report) = analysed();
    let opts = Options::default();
    let baseline = calibrate(m, models(), &opts, &mut |_| {}).expect("baseline");
    assert!((baseline.loglik - report.baseline.loglik).abs() < 1e-6);
    let item = HARDER_FOR_FOCAL;
    let free = calibrate(
        &m.split_by_group(item),
        vec![ItemParams::new(Model::TwoPl, 2); ITEMS + 1],
        &opts,
        &mut |_| {},
    )
    .expect("free");
    let x2 = 2.0 * (free.loglik - baseline.loglik);
    let got = &report.items[item];
    eprintln!("X2 by hand {x2:.4}, reported {:?}", got.x2);
    assert!(got.x2.is_some_and(|g| (g - x2).abs() < 0.02), "{x2} vs {got:?}");
    assert_eq!(free.n_parameters - baseline.n_parameters, got.df);
    // mirt's information criteria: the difference free − constrained.
    let n = m.n_persons() as f64;
    let close = |got: Option<f64>, want: f64| got.is_some_and(|g| (g - want).abs() < 0.02);
    assert!(close(got.aic, free.aic - baseline.aic), "{got:?}");
    assert!(close(got.bic, free.bic - baseline.bic), "{got:?}");
    assert!(close(got.sabic, -x2 + 2.0 * ((n + 2.0) / 24.0).ln()), "{got:?}");
    assert!(close(got.hq, -x2 + 4.0 * n.ln().ln()), "{got:?}");
}

#[test]
fn purification_keeps_the_findings_or_improves_them() {
    let (m, plain) = analysed();
    let options = LrOptions {
        adjustment: Adjustment::Bonferroni,
        max_purification_iterations: 3,
        ..LrOptions::default()
    };
    let start = Instant::now();
    let report = likelihood_ratio(m, &models(), &options).expect("the analysis runs");
    eprintln!("with purification: {:.2?}", start.elapsed());
    let purification = report.purification.as_ref().expect("purification was asked for");
    eprintln!("{purification:?}");
    for i in DIF_ITEMS {
        let it = &report.items[i];
        eprintln!(
            "{} X2 {:?} (without purification {:?})",
            it.item, it.x2, plain.items[i].x2
        );
        assert!(
            it.p.is_some_and(|p| p < 1e-3) && it.flagged && it.free_in_baseline,
            "{it:?}"
        );
        assert!(!purification.anchors.contains(&it.item));
        assert!(report.baseline.free_items.contains(&it.item));
    }
    let (fp, fp_plain) = (false_positives(&report), false_positives(plain));
    assert!(fp.len() <= fp_plain.len() && fp.len() <= 1, "{fp:?} vs {fp_plain:?}");
    assert!(
        purification.converged && purification.problem.is_none(),
        "{purification:?}"
    );
    for it in &report.items {
        assert!(it.problem.is_none(), "{it:?}");
        assert_eq!(it.p_adjusted, it.p.map(|p| (p * ITEMS as f64).min(1.0)));
    }
}

#[test]
fn dif_in_a_graded_item_is_found() {
    // Seven clean 2PL items and a 4-category graded item whose thresholds are 0.7 higher for the
    // focal group (it needs more proficiency for each category).
    let mut reference: Vec<ItemParams> = (0..7)
        .map(|i| two_pl(0.9 + 0.1 * i as f64, 1.0 - 0.3 * i as f64))
        .collect();
    reference.push(ItemParams {
        values: vec![1.3, 1.5, 0.0, -1.5],
        ..ItemParams::new(Model::Graded, 4)
    });
    let mut focal = reference.clone();
    focal[7].values[1..].iter_mut().for_each(|d| *d -= 0.7);
    let m = stack(
        (reference, group("reference", 1000, 0.0)),
        (focal, group("focal", 1000, FOCAL_MEAN)),
        20_260_302,
    );
    let mut items = vec![ItemParams::new(Model::TwoPl, 2); 7];
    items.push(ItemParams::new(Model::Graded, 4));
    let options = LrOptions {
        items: Some(vec!["I008".into(), "I002".into()]),
        ..LrOptions::default()
    };
    let report = likelihood_ratio(&m, &items, &options).expect("the analysis runs");
    let [clean, graded] = &report.items[..] else {
        panic!("two items tested: {report:?}")
    };
    eprintln!("graded: X2 {:?} p {:?} groups {:?}", graded.x2, graded.p, graded.groups);
    assert_eq!((clean.item.as_str(), clean.df), ("I002", 2));
    assert_eq!(
        (graded.item.as_str(), graded.df),
        ("I008", 4),
        "graded: 1 slope + 3 intercepts"
    );
    assert!(graded.p.is_some_and(|p| p < 1e-3) && graded.flagged, "{graded:?}");
    assert_eq!(graded.parameters, ["a1", "d1", "d2", "d3"]);
    let shift = graded.groups[1].values[2] - graded.groups[0].values[2];
    assert!((shift + 0.7).abs() < 0.3, "{graded:?}");
    // Deterministic: the same analysis gives the same bits.
    assert_eq!(likelihood_ratio(&m, &items, &options).expect("runs again"), report);
}

/// Five clean 2PL items, 2 × 300 persons, with `focal_item_0` as the focal group's response to item 1.
fn with_focal_item_0(focal_item_0: u8) -> ResponseMatrix {
    let items: Vec<ItemParams> = (0..5).map(|i| two_pl(1.0, 1.0 - 0.5 * i as f64)).collect();
    let m = stack(
        (items.clone(), group("reference", 300, 0.0)),
        (items, group("focal", 300, 0.0)),
        7,
    );
    let data: Vec<u8> = (0..m.n_persons())
        .flat_map(|p| {
            let focal = m.groups()[p] == 1;
            m.row(p)
                .iter()
                .enumerate()
                .map(move |(i, &x)| if focal && i == 0 { focal_item_0 } else { x })
        })
        .collect();
    ResponseMatrix::new(m.items().to_vec(), vec![], data)
        .and_then(|x| x.with_groups(m.groups().to_vec(), m.group_names().to_vec()))
        .expect("valid shape")
}

#[test]
fn values_tied_by_constraints_stay_tied_across_groups() {
    // A common estimated slope (mirt's 1PL by CONSTRAIN): freeing item 3 frees only its intercept.
    let reference: Vec<ItemParams> = (0..8).map(|i| two_pl(1.2, 1.2 - 0.35 * i as f64)).collect();
    let mut focal = reference.clone();
    focal[2].values[1] -= 0.8;
    let m = stack(
        (reference, group("reference", 1000, 0.0)),
        (focal, group("focal", 1000, FOCAL_MEAN)),
        20_260_303,
    );
    let options = LrOptions {
        items: Some(vec!["I003".into(), "I005".into()]),
        estimation: Options {
            constraints: vec![Constraint {
                members: (0..8).map(|i| (i, 0)).collect(),
            }],
            ..Options::default()
        },
        ..LrOptions::default()
    };
    let report = likelihood_ratio(&m, &vec![ItemParams::new(Model::TwoPl, 2); 8], &options).expect("runs");
    let [dif, clean] = &report.items[..] else {
        panic!("two items tested: {report:?}")
    };
    assert_eq!((dif.df, clean.df), (1, 1));
    assert!(
        dif.p.is_some_and(|p| p < 1e-3) && clean.problem.is_none(),
        "{dif:?} {clean:?}"
    );
    let slopes: Vec<f64> = dif.groups.iter().map(|g| g.values[0]).collect();
    assert_eq!(slopes[0], slopes[1], "{dif:?}");
    assert!(
        (dif.groups[1].values[1] - dif.groups[0].values[1] + 0.8).abs() < 0.3,
        "{dif:?}"
    );
}

#[test]
fn a_refit_that_cannot_run_is_reported_on_its_item() {
    // Item 1 is not in the focal group's booklet: equal across groups it is fine (only the reference
    // group informs it), but its focal column cannot be estimated.
    let m = with_focal_item_0(NOT_ADMINISTERED);
    let items = vec![ItemParams::new(Model::TwoPl, 2); 5];
    let report = likelihood_ratio(&m, &items, &LrOptions::default()).expect("the baseline fits");
    let failed = &report.items[0];
    assert!(
        matches!(&failed.problem, Some(RefitProblem::Failed(why)) if why.contains("I001@focal")),
        "{failed:?}"
    );
    assert!(failed.x2.is_none() && failed.p.is_none() && failed.p_adjusted.is_none() && !failed.flagged);
    assert!(!failed.converged && failed.groups.is_empty() && failed.df == 2);
    for it in &report.items[1..] {
        assert!(it.p.is_some() && it.problem.is_none(), "{it:?}");
    }
    assert!(all_finite(&report));

    // Nobody in the focal group gets item 1 right: the item separates the groups and the likelihood
    // has its optimum at infinity. Whatever EM makes of that, no NaN comes out.
    let m = with_focal_item_0(0);
    match likelihood_ratio(&m, &items, &LrOptions::default()) {
        Ok(report) => assert!(all_finite(&report), "{report:?}"),
        Err(e) => assert!(matches!(e, LrError::Baseline(CalibrationError::Diverged { .. })), "{e}"),
    }
}

#[test]
fn bad_input_is_refused_with_a_clear_error() {
    let rows = vec![0, 1, 1, 0, 1, 1, 0, 0];
    let one_group = ResponseMatrix::new(vec!["a".into(), "b".into()], vec![], rows).expect("valid shape");
    let items = vec![ItemParams::new(Model::TwoPl, 2); 2];
    let error = likelihood_ratio(&one_group, &items, &LrOptions::default()).unwrap_err();
    assert_eq!(error, LrError::OneGroup(1));
    assert!(error.to_string().contains("at least two groups"), "{error}");

    let two_groups = one_group
        .with_groups(vec![0, 0, 1, 1], vec!["x".into(), "y".into()])
        .expect("valid groups");
    let listing = |names: &[&str]| LrOptions {
        items: Some(names.iter().map(|n| n.to_string()).collect()),
        ..LrOptions::default()
    };
    let error = likelihood_ratio(&two_groups, &items, &listing(&["a", "c"])).unwrap_err();
    assert_eq!(error, LrError::UnknownItem("c".into()));
    assert_eq!(error.to_string(), "item c is not in the response matrix");
    assert_eq!(
        likelihood_ratio(&two_groups, &items, &listing(&["b", "b"])).unwrap_err(),
        LrError::DuplicateItem("b".into())
    );
    assert_eq!(
        likelihood_ratio(&two_groups, &items, &listing(&[])).unwrap_err(),
        LrError::NoItems
    );
    let alpha = LrOptions {
        alpha: 1.5,
        ..LrOptions::default()
    };
    assert_eq!(
        likelihood_ratio(&two_groups, &items, &alpha).unwrap_err(),
        LrError::Alpha(1.5)
    );
    let empty_group = ResponseMatrix::new(vec!["a".into(), "b".into()], vec![], vec![0, 1, 1, 0])
        .and_then(|m| m.with_groups(vec![0, 0], vec!["x".into(), "y".into()]))
        .expect("valid groups");
    assert_eq!(
        likelihood_ratio(&empty_group, &items, &LrOptions::default()).unwrap_err(),
        LrError::EmptyGroup("y".into())
    );
}

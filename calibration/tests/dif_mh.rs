//! Mantel–Haenszel DIF on tables small enough to compute by hand, and its edge cases.

use calibration::data::ResponseMatrix;
use calibration::data::codes::NOT_ADMINISTERED;
use calibration::dif::mh::{DifError, EtsClass, Matching, MhItem, MhOptions, NotEstimable, mantel_haenszel};

/// Persons as (group, matching score, responses).
fn build(items: usize, persons: &[(u16, u32, Vec<u8>)]) -> (ResponseMatrix, Vec<u32>) {
    let data = persons.iter().flat_map(|p| p.2.clone()).collect();
    let m = ResponseMatrix::new((1..=items).map(|i| format!("i{i}")).collect(), vec![], data)
        .unwrap()
        .with_groups(persons.iter().map(|p| p.0).collect(), vec!["ref".into(), "foc".into()])
        .unwrap();
    (m, persons.iter().map(|p| p.1).collect())
}

/// `n` copies of a person.
fn copies(n: usize, group: u16, score: u32, responses: &[u8]) -> Vec<(u16, u32, Vec<u8>)> {
    vec![(group, score, responses.to_vec()); n]
}

fn given(scores: Vec<u32>) -> MhOptions {
    MhOptions {
        matching: Matching::Given(scores),
        ..MhOptions::default()
    }
}

fn close(got: Option<f64>, want: f64, tol: f64) {
    let got = got.unwrap_or(f64::NAN);
    assert!((got - want).abs() < tol, "got {got}, want {want}");
}

/// Two strata of one 0/1 item, plus a stratum of the reference group only:
///
/// ```text
///   stratum   ref right  ref wrong  foc right  foc wrong    N
///      1         10         10          5         15        40
///      2         20          5         15         10        50
///      3          2          2          –          –         4  (no focal persons: left out)
/// ```
fn two_strata() -> (ResponseMatrix, Vec<u32>) {
    let mut persons = Vec::new();
    for (stratum, cells) in [(1, [10, 10, 5, 15]), (2, [20, 5, 15, 10]), (3, [2, 2, 0, 0])] {
        persons.extend(copies(cells[0], 0, stratum, &[1]));
        persons.extend(copies(cells[1], 0, stratum, &[0]));
        persons.extend(copies(cells[2], 1, stratum, &[1]));
        persons.extend(copies(cells[3], 1, stratum, &[0]));
    }
    // A focal person who did not get the item counts nowhere.
    persons.push((1, 1, vec![NOT_ADMINISTERED]));
    build(1, &persons)
}

#[test]
fn hand_computed_two_strata() {
    let (m, scores) = two_strata();
    let report = mantel_haenszel(&m, &given(scores)).unwrap();
    assert_eq!(
        (report.reference.as_str(), report.focal.as_str(), report.matching),
        ("ref", "foc", "given")
    );
    let it = &report.items[0];
    assert_eq!((it.strata, it.max_score, it.not_estimable), (2, 1, None));
    close(Some(it.n_reference), 45.0, 1e-12);
    close(Some(it.n_focal), 45.0, 1e-12);
    close(Some(it.n_excluded), 4.0, 1e-12);
    // α_MH = Σ AD/N / Σ BC/N = (150/40 + 200/50) / (50/40 + 75/50) = 7.75 / 2.75 = 31/11.
    close(it.alpha_mh, 31.0 / 11.0, 1e-12);
    close(it.delta_mh, -2.35 * (31.0f64 / 11.0).ln(), 1e-12);
    // E A = n_R m₁ / N: 20·15/40 = 7.5 and 25·35/50 = 17.5, so Σ A − Σ E A = 30 − 25 = 5.
    // Var A = n_R n_F m₁ m₀ / (N² (N − 1)): 20·20·15·25/(1600·39) = 125/52, 25·25·35·15/(2500·49) = 75/28,
    // total 925/182. χ² = (5 − ½)² / (925/182) = 20.25 · 182 / 925.
    let chi = 20.25 * 182.0 / 925.0;
    close(it.chi_square, chi, 1e-12);
    close(it.p_value, 0.045_925_516_642_813_62, 1e-12);
    // RBG: P = (A+D)/N = 0.625, 0.6; Q = 0.375, 0.4; R_k = 3.75, 4; S_k = 1.25, 1.5; R = 7.75, S = 2.75.
    let sum_pr: f64 = 0.625 * 3.75 + 0.6 * 4.0;
    let sum_ps_qr = (0.625 * 1.25 + 0.375 * 3.75) + (0.6 * 1.5 + 0.4 * 4.0);
    let sum_qs = 0.375 * 1.25 + 0.4 * 1.5;
    let var_ln = sum_pr / (2.0 * 7.75 * 7.75) + sum_ps_qr / (2.0 * 7.75 * 2.75) + sum_qs / (2.0 * 2.75 * 2.75);
    close(it.se_delta, 2.35 * var_ln.sqrt(), 1e-12);
    // STD P-DIF: (20 · (5/20 − 10/20) + 25 · (15/25 − 20/25)) / 45 = −2/9.
    close(it.smd, -2.0 / 9.0, 1e-12);
    // Δ ≈ −2.43 and p ≈ 0.046, but (|Δ| − 1)/SE ≈ 1.30 < 1.645: B, favouring the reference group.
    assert_eq!(it.class, Some(EtsClass::BMinus));
}

#[test]
fn hand_computed_polytomous() {
    // Item scored 0..2; stratum 1: ref (0, 1, 1, 2), foc (0, 0, 1); stratum 2: ref (1, 2, 2), foc (0, 1, 2, 2).
    let mut persons = Vec::new();
    for (group, stratum, scores) in [
        (0, 1, &[0, 1, 1, 2][..]),
        (1, 1, &[0, 0, 1]),
        (0, 2, &[1, 2, 2]),
        (1, 2, &[0, 1, 2, 2]),
    ] {
        persons.extend(scores.iter().map(|&x| (group, stratum, vec![x])));
    }
    let (m, scores) = build(1, &persons);
    let it = &mantel_haenszel(&m, &given(scores)).unwrap().items[0];
    assert_eq!(it.max_score, 2);
    // Stratum 1: F = 1, T = 5, U = 7, E F = 3·5/7, Var = 4·3·(7·7 − 25)/(49·6) = 48/49.
    // Stratum 2: F = 5, T = 10, U = 18, E F = 4·10/7, Var = 3·4·(7·18 − 100)/(49·6) = 52/49.
    // Mantel χ² = (6 − 55/7)² / (100/49) = (169/49)/(100/49) = 1.69 (no continuity correction).
    close(it.chi_square, 1.69, 1e-12);
    close(it.p_value, 0.193_600_969_171_220_7, 1e-12);
    // SMD = (3 · (1/3 − 1) + 4 · (5/4 − 5/3)) / 7 = −11/21; item SD over all 14: √(125/196).
    close(it.smd, -11.0 / 21.0, 1e-12);
    close(it.smd_effect, -11.0 / 21.0 / (125.0f64 / 196.0).sqrt(), 1e-12);
    assert_eq!((it.alpha_mh, it.delta_mh, it.se_delta), (None, None, None));
    // Large effect but not significant: AA.
    assert_eq!(it.class, Some(EtsClass::AA));
}

/// Items of a small two-group matrix whose scores vary.
fn small() -> ResponseMatrix {
    let rows: [(u16, [u8; 4]); 12] = [
        (0, [1, 1, 1, 0]),
        (0, [1, 0, 1, 1]),
        (0, [0, 1, 0, 0]),
        (0, [1, 1, 0, 1]),
        (0, [0, 0, 1, 0]),
        (0, [1, 1, 1, 1]),
        (1, [1, 0, 1, 0]),
        (1, [0, 1, 0, 1]),
        (1, [1, 1, 0, 0]),
        (1, [0, 0, 0, 1]),
        (1, [1, 1, 1, 0]),
        (1, [0, 1, 1, 1]),
    ];
    build(4, &rows.map(|(g, r)| (g, 0, r.to_vec()))).0
}

#[test]
fn total_and_rest_matching_are_the_given_scores() {
    let m = small();
    let total: Vec<u32> = (0..m.n_persons())
        .map(|p| m.row(p).iter().map(|&x| u32::from(x)).sum())
        .collect();
    let by_total = mantel_haenszel(&m, &MhOptions::default()).unwrap();
    assert_eq!(
        by_total.items,
        mantel_haenszel(&m, &given(total.clone())).unwrap().items
    );
    let by_rest = mantel_haenszel(
        &m,
        &MhOptions {
            matching: Matching::Rest,
            ..MhOptions::default()
        },
    )
    .unwrap();
    for (i, item) in by_rest.items.iter().enumerate() {
        let rest = total
            .iter()
            .enumerate()
            .map(|(p, t)| t - u32::from(m.get(p, i)))
            .collect();
        assert_eq!(item, &mantel_haenszel(&m, &given(rest)).unwrap().items[i]);
    }
}

#[test]
fn weight_two_equals_a_duplicated_person_in_the_odds_ratio() {
    let (m, scores) = two_strata();
    let mut weights = vec![1.0; m.n_persons()];
    weights[0] = 2.0;
    let weighted = mantel_haenszel(&m.clone().with_weights(weights).unwrap(), &given(scores.clone())).unwrap();
    let (mut persons, mut dup_scores) = (Vec::new(), Vec::new());
    for p in std::iter::once(0).chain(0..m.n_persons()) {
        persons.push((m.groups()[p], scores[p], m.row(p).to_vec()));
        dup_scores.push(scores[p]);
    }
    let duplicated = mantel_haenszel(&build(1, &persons).0, &given(dup_scores)).unwrap();
    // Normalised weights rescale every count alike, which α_MH, Δ_MH and SMD do not see.
    let (a, b) = (&duplicated.items[0], &weighted.items[0]);
    close(b.alpha_mh, a.alpha_mh.unwrap(), 1e-12);
    close(b.delta_mh, a.delta_mh.unwrap(), 1e-12);
    close(b.smd, a.smd.unwrap(), 1e-12);
}

fn assert_empty(it: &MhItem, reason: NotEstimable) {
    assert_eq!(it.not_estimable, Some(reason), "{it:?}");
    assert_eq!(
        (it.alpha_mh, it.delta_mh, it.se_delta, it.class),
        (None, None, None, None)
    );
}

#[test]
fn degenerate_items_are_reported_without_nan() {
    let na = NOT_ADMINISTERED;
    // i1: only the reference group got it; i2: everybody right; i3: within the stratum the reference
    // group is always right and the focal group always wrong; i4: never administered.
    let persons = [
        (0, 1, vec![1, 1, 1, na]),
        (0, 1, vec![0, 1, 1, na]),
        (1, 1, vec![na, 1, 0, na]),
        (1, 1, vec![na, 1, 0, na]),
    ];
    let (m, scores) = build(4, &persons);
    let report = mantel_haenszel(&m, &given(scores)).unwrap();
    let items = &report.items;
    assert_empty(&items[0], NotEstimable::NoCommonStrata);
    close(Some(items[0].n_excluded), 2.0, 1e-12);
    assert_empty(&items[1], NotEstimable::NoVariation);
    assert_eq!((items[1].chi_square, items[1].p_value), (None, None));
    assert_empty(&items[2], NotEstimable::DegenerateOddsRatio);
    // E F = 2·2/4 = 1, F = 0, Var = 2·2·(2·2)/(16·3) = 1/3 → χ² = (1 − ½)² · 3 = 0.75.
    close(items[2].chi_square, 0.75, 1e-12);
    close(items[2].smd, -1.0, 1e-12);
    assert_empty(&items[3], NotEstimable::NoCommonStrata);
    let json = serde_json::to_string(&report).unwrap();
    assert!(!json.contains("NaN") && !json.contains("inf"), "{json}");
    assert!(json.contains(r#""not_estimable":"degenerate_odds_ratio""#));
}

#[test]
fn bad_options_are_errors() {
    let m = small();
    let run = |options: MhOptions| mantel_haenszel(&m, &options).unwrap_err();
    assert_eq!(
        run(MhOptions {
            focal: 0,
            ..MhOptions::default()
        }),
        DifError::SameGroup("ref".into())
    );
    assert_eq!(
        run(MhOptions {
            focal: 2,
            ..MhOptions::default()
        }),
        DifError::Group { index: 2, groups: 2 }
    );
    assert_eq!(run(given(vec![0; 3])), DifError::MatchingLength { persons: 12, got: 3 });
    assert_eq!(
        run(MhOptions {
            max_purification_iterations: 2,
            ..given(vec![0; 12])
        }),
        DifError::PurifyGiven
    );
    let one_group = m
        .clone()
        .with_groups(vec![0; 12], vec!["ref".into(), "foc".into()])
        .unwrap();
    assert_eq!(
        mantel_haenszel(&one_group, &MhOptions::default()).unwrap_err(),
        DifError::EmptyGroup {
            role: "focal",
            name: "foc".into()
        }
    );
}

//! Mantel–Haenszel DIF recovers DIF planted in simulated Rasch data.

use calibration::data::ResponseMatrix;
use calibration::dif::mh::{EtsClass, MhOptions, MhReport, mantel_haenszel};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

const ITEMS: usize = 20;
const PER_GROUP: usize = 2000;
/// Harder for the focal group by 0.8 logits: favours the reference group.
const AGAINST_FOCAL: usize = 4;
/// Easier for the focal group by 0.8 logits: favours the focal group.
const FOR_FOCAL: usize = 12;

/// Rasch responses of 2 × 2000 persons to 20 items with difficulties evenly spread over
/// [−1.5, 1.5]; the focal group is 0.5 SD less able (impact, which matching must absorb).
fn simulate(seed: u64) -> ResponseMatrix {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut data = Vec::with_capacity(2 * PER_GROUP * ITEMS);
    let mut groups = Vec::with_capacity(2 * PER_GROUP);
    for group in [0u16, 1] {
        for _ in 0..PER_GROUP {
            // Box–Muller: one standard normal deviate from two uniforms on (0, 1].
            let (u1, u2) = (1.0 - rng.random::<f64>(), rng.random::<f64>());
            let theta = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos() - 0.5 * f64::from(group);
            for item in 0..ITEMS {
                let mut b = -1.5 + 3.0 * item as f64 / (ITEMS - 1) as f64;
                if group == 1 {
                    b += match item {
                        AGAINST_FOCAL => 0.8,
                        FOR_FOCAL => -0.8,
                        _ => 0.0,
                    };
                }
                let p = 1.0 / (1.0 + (b - theta).exp());
                data.push(u8::from(rng.random::<f64>() < p));
            }
            groups.push(group);
        }
    }
    ResponseMatrix::new((1..=ITEMS).map(|i| format!("item{i}")).collect(), vec![], data)
        .unwrap()
        .with_groups(groups, vec!["reference".into(), "focal".into()])
        .unwrap()
}

/// Under the Rasch model ln α_MH estimates b_focal − b_reference, so Δ_MH ≈ −2.35 · (±0.8) = ∓1.88.
fn check_recovery(report: &MhReport) {
    let against = &report.items[AGAINST_FOCAL];
    let for_focal = &report.items[FOR_FOCAL];
    assert!(against.delta_mh.is_some_and(|d| (d + 1.88).abs() < 0.45), "{against:?}");
    assert!(
        for_focal.delta_mh.is_some_and(|d| (d - 1.88).abs() < 0.45),
        "{for_focal:?}"
    );
    assert!(
        matches!(against.class, Some(EtsClass::CMinus | EtsClass::BMinus)),
        "{against:?}"
    );
    assert!(
        matches!(for_focal.class, Some(EtsClass::CPlus | EtsClass::BPlus)),
        "{for_focal:?}"
    );
    let clean = report
        .items
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != AGAINST_FOCAL && i != FOR_FOCAL);
    let flagged: Vec<_> = clean
        .filter(|(_, it)| it.class != Some(EtsClass::A))
        .map(|(_, it)| it)
        .collect();
    assert!(flagged.len() <= 1, "{flagged:?}");
}

#[test]
fn planted_dif_is_found_with_the_right_sign() {
    let m = simulate(20_260_101);
    let report = mantel_haenszel(&m, &MhOptions::default()).unwrap();
    check_recovery(&report);
    // 0.8 logits with 2000 per group is large, unambiguous DIF: class C.
    assert_eq!(report.items[AGAINST_FOCAL].class, Some(EtsClass::CMinus));
    assert_eq!(report.items[FOR_FOCAL].class, Some(EtsClass::CPlus));
    assert!(
        report
            .items
            .iter()
            .all(|it| it.not_estimable.is_none() && it.se_delta.is_some())
    );
    // Same input, same bits.
    assert_eq!(report, mantel_haenszel(&m, &MhOptions::default()).unwrap());
}

#[test]
fn purification_drops_the_dif_items_from_the_matching_score() {
    let m = simulate(7);
    let options = MhOptions {
        max_purification_iterations: 5,
        ..MhOptions::default()
    };
    let report = mantel_haenszel(&m, &options).unwrap();
    check_recovery(&report);
    let purification = report.purification.as_ref().unwrap();
    assert!(
        purification.converged && (1..=5).contains(&purification.iterations),
        "{purification:?}"
    );
    let flagged: Vec<&str> = report
        .items
        .iter()
        .filter(|it| it.class.is_some_and(EtsClass::is_flagged))
        .map(|it| it.item.as_str())
        .collect();
    assert_eq!(purification.anchors.len(), ITEMS - flagged.len());
    assert!(flagged.iter().all(|f| !purification.anchors.iter().any(|a| a == f)));
    assert!(!purification.anchors.contains(&m.items()[AGAINST_FOCAL]));
    assert!(!purification.anchors.contains(&m.items()[FOR_FOCAL]));
    let plain = mantel_haenszel(&m, &MhOptions::default()).unwrap();
    assert_eq!(plain.purification, None);
}

//! Properties of booklet design generation, checking and rotation.

use std::collections::BTreeMap;

use itembank::design::{
    Construction, Design, DesignError, GenerateOptions, Generated, PositionBalance, StudentSlot, check,
    check_with_labels, generate, rotate,
};
use proptest::prelude::*;

fn gen_default(v: usize, k: usize) -> Generated {
    match generate(v, k, &GenerateOptions::default()) {
        Ok(generated) => generated,
        Err(e) => panic!("generate({v}, {k}) failed: {e}"),
    }
}

/// Everything a generated design promises, checked independently.
fn assert_claims_hold(v: usize, k: usize, generated: &Generated) {
    let design = &generated.design;
    let report = check(design);
    let context = format!("(v={v}, k={k}) {}\n{report}", generated.construction);
    assert_eq!(design.blocks, v, "{context}");
    assert!(design.booklets.iter().all(|b| b.len() == k), "{context}");
    assert!(
        report.duplicates.is_empty() && report.out_of_range.is_empty(),
        "{context}"
    );
    assert_eq!(report.block_frequency_min, report.block_frequency_max, "{context}");
    assert_eq!(report.block_frequency_min * v, report.booklets * k, "{context}");
    assert!(report.connected, "{context}");
    assert_eq!(
        (report.lambda_min, report.lambda_max),
        generated.construction.lambda_range(),
        "{context}"
    );
    assert_eq!(report.is_bib, generated.construction.is_bib(), "{context}");
    assert!(report.positions_near_balanced, "{context}");
    match generated.positions {
        PositionBalance::Exact => assert!(report.positions_balanced, "{context}"),
        PositionBalance::WithinOne => {
            assert!(!report.positions_balanced, "{context}");
            assert_eq!(report.position_max - report.position_min, 1, "{context}");
        }
    }
    // The fallback always has exactly v booklets, and only tried BIB sizes
    // within the cap.
    match &generated.construction {
        Construction::NearBalancedCyclic {
            not_found,
            max_booklets,
            ..
        } => {
            assert_eq!(report.booklets, v, "{context}");
            assert!(not_found.iter().all(|a| a.booklets <= *max_booklets), "{context}");
        }
        _ => assert!(report.booklets >= v, "{context}"),
    }
    if report.is_bib {
        assert!(report.problems.is_empty(), "{context}");
    }
}

/// The BIBs found for v in 3..=30 and k in 2..=min(v − 1, 8) with the
/// default cap of 2v booklets: (v, k, b, λ). All other pairs fall back.
const BIBS: &[(usize, usize, usize, usize)] = &[
    (3, 2, 3, 1),
    (4, 2, 6, 1),
    (4, 3, 4, 2),
    (5, 2, 10, 1),
    (5, 3, 10, 3),
    (5, 4, 5, 3),
    (6, 3, 10, 2),
    (6, 5, 6, 4),
    (7, 3, 7, 1),
    (7, 4, 7, 2),
    (7, 6, 7, 5),
    (8, 4, 14, 3),
    (8, 7, 8, 6),
    (9, 3, 12, 1),
    (9, 4, 18, 3),
    (9, 5, 18, 5),
    (9, 6, 12, 5),
    (9, 8, 9, 7),
    (10, 5, 18, 4),
    (11, 5, 11, 2),
    (11, 6, 11, 3),
    (12, 6, 22, 5),
    (13, 3, 26, 1),
    (13, 4, 13, 1),
    (13, 6, 26, 5),
    (13, 7, 26, 7),
    (14, 7, 26, 6),
    (15, 7, 15, 3),
    (15, 8, 15, 4),
    (16, 4, 20, 1),
    (16, 6, 32, 4),
    (16, 8, 30, 7),
    (17, 8, 34, 7),
    (21, 5, 21, 1),
    (21, 6, 42, 3),
    (22, 7, 44, 4),
    (25, 5, 30, 1),
    (29, 7, 58, 3),
    (29, 8, 58, 4),
];

#[test]
fn every_design_in_the_grid_is_valid_and_bibs_are_found() {
    let mut found = Vec::new();
    for v in 3..=30 {
        for k in 2..=(v - 1).min(8) {
            let generated = gen_default(v, k);
            assert_claims_hold(v, k, &generated);
            if generated.construction.is_bib() {
                found.push((
                    v,
                    k,
                    generated.design.booklets.len(),
                    generated.construction.lambda_range().0,
                ));
            }
        }
    }
    assert_eq!(found, BIBS);
}

#[test]
fn fano_plane() {
    let generated = gen_default(7, 3);
    assert!(matches!(
        generated.construction,
        Construction::CyclicDifferenceFamily {
            lambda: 1,
            positions_rebalanced: false,
            ..
        }
    ));
    // Booklet i is the base block {0, 1, 3} shifted by i, order kept.
    for (i, booklet) in generated.design.booklets.iter().enumerate() {
        assert_eq!(booklet, &[i, (i + 1) % 7, (i + 3) % 7]);
    }
    let report = check(&generated.design);
    assert_eq!(report.booklets, 7);
    assert!(report.is_bib && report.positions_balanced);
    assert_eq!((report.lambda_min, report.lambda_max), (1, 1));
    assert_eq!(report.position_counts, vec![vec![1, 1, 1]; 7]);
}

#[test]
fn thirteen_blocks_in_thirteen_booklets_of_four() {
    let generated = gen_default(13, 4);
    let report = check(&generated.design);
    assert_eq!(report.booklets, 13);
    assert!(report.is_bib && report.positions_balanced);
    assert_eq!((report.lambda_min, report.lambda_max), (1, 1));
    assert_eq!((report.block_frequency_min, report.block_frequency_max), (4, 4));
}

#[test]
fn steiner_triple_system_of_order_thirteen() {
    let generated = gen_default(13, 3);
    let report = check(&generated.design);
    assert_eq!(report.booklets, 26);
    assert!(report.is_bib && report.positions_balanced);
    assert_eq!((report.lambda_min, report.lambda_max), (1, 1));
    assert_eq!(report.position_min, 2);
}

#[test]
fn fourteen_four_falls_back_and_says_so() {
    // 14 booklets of 4 hold 14 × 6 = 84 pairs, fewer than the 91 pairs of
    // 14 blocks, so no design with 14 booklets can link every pair; the
    // fallback links all but one class of 7 pairs, each other pair once.
    let generated = gen_default(14, 4);
    let Construction::NearBalancedCyclic {
        base_block,
        lambda_min,
        lambda_max,
        max_booklets,
        not_found,
        exhaustive,
    } = &generated.construction
    else {
        panic!("expected the fallback, got {:?}", generated.construction);
    };
    assert_eq!(base_block, &[0, 1, 4, 6]);
    assert_eq!((*lambda_min, *lambda_max), (0, 1));
    assert_eq!(*max_booklets, 28);
    assert!(not_found.is_empty(), "no b ≤ 28 makes λ whole");
    assert!(*exhaustive);
    let report = check(&generated.design);
    assert_eq!(report.booklets, 14);
    assert!(report.connected && !report.is_bib && report.positions_balanced);
    assert_eq!((report.lambda_min, report.lambda_max), (0, 1));
    assert_eq!(report.pairs_never_together, 7);
    let text = report.to_string();
    assert!(
        text.contains("booklets per pair (λ):   0 to 1; 7 of 91 pairs never share a booklet"),
        "{text}"
    );
    assert!(text.contains("linkage:                 connected"), "{text}");
    assert!(
        generated
            .construction
            .to_string()
            .contains("no BIB has at most 28 booklets")
    );
}

#[test]
fn a_higher_cap_admits_a_bib_the_default_excludes() {
    // All 15 pairs of 6 blocks need 15 booklets, more than the default 12.
    let capped = gen_default(6, 2);
    assert!(!capped.construction.is_bib());
    let generated = generate(6, 2, &GenerateOptions { max_booklets: Some(15) }).unwrap();
    assert_claims_hold(6, 2, &generated);
    assert!(generated.construction.is_bib());
    assert_eq!(generated.design.booklets.len(), 15);
}

#[test]
fn one_rotational_designs_balance_positions_within_one() {
    for (v, k, b, lambda) in [(8, 4, 14, 3), (9, 3, 12, 1), (16, 4, 20, 1), (25, 5, 30, 1)] {
        let generated = gen_default(v, k);
        assert!(
            matches!(generated.construction, Construction::OneRotational { lambda: l, .. } if l == lambda),
            "{:?}",
            generated.construction
        );
        assert_eq!(generated.positions, PositionBalance::WithinOne);
        let report = check(&generated.design);
        assert_eq!(report.booklets, b);
        assert!(report.is_bib && report.positions_near_balanced && !report.positions_balanced);
    }
}

#[test]
fn all_pairs_of_four_blocks() {
    let generated = gen_default(4, 2);
    // {0, 2} has a short orbit (2 booklets), so positions were reordered.
    assert!(matches!(
        generated.construction,
        Construction::CyclicDifferenceFamily {
            positions_rebalanced: true,
            ..
        }
    ));
    assert_eq!(generated.positions, PositionBalance::WithinOne);
    let mut pairs: Vec<Vec<usize>> = generated
        .design
        .booklets
        .iter()
        .map(|b| {
            let mut p = b.clone();
            p.sort_unstable();
            p
        })
        .collect();
    pairs.sort();
    assert_eq!(
        pairs,
        vec![vec![0, 1], vec![0, 2], vec![0, 3], vec![1, 2], vec![1, 3], vec![2, 3]]
    );
}

fn fano() -> Design {
    Design {
        blocks: 7,
        booklets: (0..7).map(|i| vec![i, (i + 1) % 7, (i + 3) % 7]).collect(),
    }
}

#[test]
fn check_reports_a_missing_block() {
    let mut design = fano();
    design.blocks = 8; // block 7 is declared but never used
    let report = check(&design);
    assert_eq!((report.block_frequency_min, report.block_frequency_max), (0, 3));
    assert_eq!(report.components, 2);
    assert!(!report.connected && !report.is_bib);
    assert_eq!(report.pairs_never_together, 7);
    assert!(
        report
            .problems
            .contains(&"block 7 appears in no booklet; most blocks appear 3 times".to_string()),
        "{:?}",
        report.problems
    );
}

#[test]
fn check_reports_a_duplicated_block() {
    let mut design = fano();
    design.booklets[0] = vec![0, 0, 3];
    let report = check(&design);
    assert_eq!(report.duplicates, vec![(0, 0)]);
    assert!(!report.is_bib);
    assert_eq!((report.block_frequency_min, report.block_frequency_max), (2, 4));
    assert!(report.problems.contains(&"booklet 1 holds block 0 2 times".to_string()));
    assert!(
        report
            .problems
            .contains(&"block 1 appears 2 times; most blocks appear 3 times".to_string())
    );
    assert!(
        report
            .problems
            .contains(&"block 0 appears 4 times; most blocks appear 3 times".to_string())
    );
}

#[test]
fn check_reports_unbalanced_positions() {
    let mut design = fano();
    for booklet in &mut design.booklets {
        booklet.sort_unstable();
    }
    let report = check(&design);
    assert!(report.is_bib, "sorting keeps pairs");
    assert!(!report.positions_balanced && !report.positions_near_balanced);
    assert_eq!((report.position_min, report.position_max), (0, 3));
    assert_eq!(report.position_counts[0], vec![3, 0, 0]);
    assert!(
        report
            .problems
            .contains(&"block 0 is unevenly placed: positions 1–3 hold it 3, 0, 0 times".to_string()),
        "{:?}",
        report.problems
    );
    assert!(
        report
            .to_string()
            .contains("positions:               unbalanced: 0 to 3 times")
    );
}

#[test]
fn check_reports_a_disconnected_design() {
    // Two halves: all pairs of {0..3} and all pairs of {4..7}.
    let mut booklets = Vec::new();
    for half in [0, 4] {
        for a in 0..4 {
            for b in a + 1..4 {
                booklets.push(vec![half + a, half + b]);
            }
        }
    }
    let report = check(&Design { blocks: 8, booklets });
    assert_eq!(report.components, 2);
    assert!(!report.connected && !report.is_bib);
    assert_eq!(report.pairs_never_together, 16);
    assert_eq!((report.lambda_min, report.lambda_max), (0, 1));
    assert!(
        report
            .problems
            .contains(&"the blocks fall into 2 groups that share no booklet: {0, 1, 2, 3}, {4, 5, 6, 7}".to_string()),
        "{:?}",
        report.problems
    );
    assert!(report.to_string().contains("NOT connected"));
}

#[test]
fn labelled_design_file_round_trip() {
    let file: Vec<Vec<String>> = [
        ["M1", "M2", "M4"],
        ["M2", "M3", "M5"],
        ["M3", "M4", "M6"],
        ["M4", "M5", "M7"],
        ["M5", "M6", "M1"],
        ["M6", "M7", "M2"],
        ["M7", "M1", "M3"],
    ]
    .iter()
    .map(|b| b.iter().map(|s| s.to_string()).collect())
    .collect();
    let (design, labels) = Design::from_labels(&file).unwrap();
    assert_eq!(labels, ["M1", "M2", "M4", "M3", "M5", "M6", "M7"]);
    let report = check_with_labels(&design, &labels);
    assert!(report.is_bib && report.positions_balanced && report.problems.is_empty());
    assert!(matches!(
        Design::from_labels(&[Vec::<String>::new()]),
        Err(DesignError::EmptyBooklet { booklet: 0 })
    ));
}

/// Relabels blocks by `perm` and reverses booklet order.
fn relabel(design: &Design, perm: &[usize]) -> Design {
    Design {
        blocks: design.blocks,
        booklets: design
            .booklets
            .iter()
            .rev()
            .map(|b| b.iter().map(|&x| perm[x]).collect())
            .collect(),
    }
}

fn grid() -> impl Strategy<Value = (usize, usize)> {
    (3usize..=30).prop_flat_map(|v| (Just(v), 2..=(v - 1).min(8)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Pair and frequency counts do not depend on block names or booklet
    /// order, so neither may `check`'s verdict.
    #[test]
    fn check_is_invariant_under_relabelling((v, k) in grid(), seed in any::<u64>()) {
        let generated = gen_default(v, k);
        let mut perm: Vec<usize> = (0..v).collect();
        // A cheap deterministic shuffle driven by the proptest seed.
        let mut s = seed | 1;
        for i in (1..v).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            perm.swap(i, (s % (i as u64 + 1)) as usize);
        }
        let a = check(&generated.design);
        let b = check(&relabel(&generated.design, &perm));
        prop_assert_eq!(a.is_bib, b.is_bib);
        prop_assert_eq!((a.lambda_min, a.lambda_max), (b.lambda_min, b.lambda_max));
        prop_assert_eq!(a.pairs_never_together, b.pairs_never_together);
        prop_assert_eq!((a.position_min, a.position_max), (b.position_min, b.position_max));
        prop_assert_eq!(a.connected, b.connected);
    }

    /// Removing one booklet from a BIB always breaks balance, and `check`
    /// notices.
    #[test]
    fn check_notices_a_missing_booklet((v, k) in grid(), pick in any::<usize>()) {
        let mut design = gen_default(v, k).design;
        let gone = pick % design.booklets.len();
        design.booklets.remove(gone);
        let report = check(&design);
        prop_assert!(!report.is_bib);
        prop_assert_eq!(report.block_frequency_max - report.block_frequency_min, 1);
        prop_assert!(!report.problems.is_empty());
    }
}

/// Students as (school, class, id) triples; ids unique per school.
fn students() -> impl Strategy<Value = Vec<(String, String, String)>> {
    prop::collection::vec((0u8..5, 0u8..4), 0..120).prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(|(i, (school, class))| (format!("S{school}"), format!("C{class}"), format!("st{i:03}")))
            .collect()
    })
}

fn slots(rows: &[(String, String, String)]) -> Vec<StudentSlot<'_>> {
    rows.iter()
        .map(|(school, class, student)| StudentSlot { student, school, class })
        .collect()
}

proptest! {
    #[test]
    fn rotation_is_balanced_within_every_school(rows in students(), booklets in 1usize..30, seed in any::<u64>()) {
        let assigned = rotate(&slots(&rows), booklets, seed).unwrap();
        prop_assert_eq!(assigned.len(), rows.len());
        let mut per_school: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for ((school, _, _), &b) in rows.iter().zip(&assigned) {
            prop_assert!(b < booklets);
            per_school.entry(school.as_str()).or_insert_with(|| vec![0; booklets])[b] += 1;
        }
        for counts in per_school.values() {
            let lo = counts.iter().min().copied().unwrap_or(0);
            let hi = counts.iter().max().copied().unwrap_or(0);
            prop_assert!(hi - lo <= 1, "{:?}", counts);
        }
    }

    #[test]
    fn rotation_gives_classes_consecutive_booklets(rows in students(), booklets in 1usize..30, seed in any::<u64>()) {
        let assigned = rotate(&slots(&rows), booklets, seed).unwrap();
        let mut ordered: Vec<(&str, &str, &str, usize)> = rows
            .iter()
            .zip(&assigned)
            .map(|((s, c, id), &b)| (s.as_str(), c.as_str(), id.as_str(), b))
            .collect();
        ordered.sort();
        for pair in ordered.windows(2) {
            if pair[0].0 == pair[1].0 {
                prop_assert_eq!(pair[1].3, (pair[0].3 + 1) % booklets);
            }
        }
    }

    #[test]
    fn rotation_is_reproducible_and_ignores_input_order(
        (rows, shuffled) in students().prop_flat_map(|rows| (Just(rows.clone()), Just(rows).prop_shuffle())),
        booklets in 1usize..30,
        seed in any::<u64>(),
    ) {
        let first = rotate(&slots(&rows), booklets, seed).unwrap();
        prop_assert_eq!(&first, &rotate(&slots(&rows), booklets, seed).unwrap());
        let other = rotate(&slots(&shuffled), booklets, seed).unwrap();
        let by_student = |rs: &[(String, String, String)], bs: &[usize]| -> BTreeMap<String, usize> {
            rs.iter().zip(bs).map(|((s, _, id), &b)| (format!("{s}/{id}"), b)).collect()
        };
        prop_assert_eq!(by_student(&rows, &first), by_student(&shuffled, &other));
    }

    /// With 20 schools the chance that two seeds give the same starts is
    /// 13^−20: a differing assignment is certain in practice.
    #[test]
    fn different_seeds_change_the_assignment(a in any::<u64>(), b in any::<u64>()) {
        prop_assume!(a != b);
        let rows: Vec<(String, String, String)> = (0..20)
            .flat_map(|s| (0..3).map(move |i| (format!("school{s}"), "c".to_string(), format!("p{i}"))))
            .collect();
        let slots = slots(&rows);
        prop_assert_ne!(rotate(&slots, 13, a).unwrap(), rotate(&slots, 13, b).unwrap());
    }
}

#[test]
fn rotation_rejects_bad_input() {
    assert_eq!(rotate(&[], 0, 1), Err(DesignError::NothingToRotate));
    let twice = [
        StudentSlot {
            student: "s1",
            school: "A",
            class: "1",
        },
        StudentSlot {
            student: "s1",
            school: "A",
            class: "1",
        },
    ];
    assert!(matches!(
        rotate(&twice, 7, 3),
        Err(DesignError::DuplicateStudent { .. })
    ));
}

//! Weighting and replication: population totals, non-response adjustments by hand,
//! replicates that re-run them, trimming, census and certainty schools, zones of three,
//! one-school strata, subject weights, determinism and bad input.

use std::collections::{BTreeMap, HashMap};

use proptest::prelude::*;
use scoring::survey::{
    Frame, FrameSchool, Level, Pass, ReplicateMethod, Replication, Roster, RosterStudent, Sample, SampledSchool,
    SampledStudent, SchoolNonResponse, SchoolSample, SchoolStatus, StratumSummary, StudentSelection, StudentStatus,
    SubjectDesign, SurveyError, Totals, Trim, WeightedSample, WeightingOptions, assign_subjects, census,
    select_schools, select_students, trim_weights, weigh,
};

const JK2: Replication = Replication::Jk2;
const BRR: Replication = Replication::FayBrr {
    k: 0.5,
    replicates: None,
};
const METHODS: [Replication; 3] = [Replication::Jk1, JK2, BRR];

fn school(id: u64, stratum: &str, order: usize, mos: f64, prob: f64) -> SampledSchool {
    SampledSchool {
        id,
        stratum: stratum.into(),
        order,
        mos,
        prob,
        certainty: prob == 1.0,
        status: SchoolStatus::Participating,
        nr_cell: None,
    }
}

fn students(school: u64, n: u64, prob: f64) -> Vec<SampledStudent> {
    (0..n)
        .map(|id| SampledStudent {
            id,
            school,
            class: None,
            prob,
            status: StudentStatus::Assessed,
            subjects: vec![],
            nr_cell: None,
        })
        .collect()
}

/// A sample from schools and students; each stratum's frame total is given.
fn sample(schools: Vec<SampledSchool>, students: Vec<SampledStudent>, frame_mos: &[(&str, f64)]) -> Sample {
    let strata = frame_mos
        .iter()
        .map(|&(stratum, mos)| StratumSummary {
            stratum: stratum.into(),
            frame_schools: 0,
            frame_mos: mos,
            allocated: 0,
            certainty: 0,
            interval: None,
            start: None,
        })
        .collect();
    Sample {
        schools: SchoolSample { strata, schools },
        students,
        subjects: None,
    }
}

fn design_totals() -> WeightingOptions {
    WeightingOptions {
        totals: Totals::Design,
        ..WeightingOptions::default()
    }
}

/// One stratum: A, B (refused), C, D; A has an absent student.
fn by_hand() -> Sample {
    let mut schools = vec![
        school(1, "S", 0, 100.0, 0.2),
        school(2, "S", 1, 200.0, 0.4),
        school(3, "S", 2, 120.0, 0.25),
        school(4, "S", 3, 150.0, 0.5),
    ];
    schools[1].status = SchoolStatus::Refused;
    let mut st = students(1, 4, 0.04);
    st[3].status = StudentStatus::Absent;
    st.extend(students(3, 3, 3.0 / 120.0));
    st.extend(students(4, 2, 2.0 / 150.0));
    sample(schools, st, &[("S", 2000.0)])
}

/// Sums of weights per stratum of the rows.
fn stratum_sums(weighted: &WeightedSample, stratum_of: &HashMap<u64, String>, w: &[f64]) -> BTreeMap<String, f64> {
    let mut sums = BTreeMap::new();
    for (key, x) in weighted.students.iter().zip(w) {
        *sums.entry(stratum_of[&key.school].clone()).or_insert(0.0) += x;
    }
    sums
}

/// A PPS sample of 2 strata with a certainty school, rosters that differ from the MOS,
/// one refused school and some absent students.
fn fielded(seed: u64, roster_scale: f64) -> (Sample, Frame) {
    let mut schools: Vec<FrameSchool> = (0..30)
        .map(|i| FrameSchool {
            id: 100 + i,
            stratum: if i < 18 { "A" } else { "B" }.into(),
            implicit: vec![format!("{}", i % 3)],
            mos: 40.0 + (i * 13 % 90) as f64,
        })
        .collect();
    schools[0].mos = 700.0;
    let frame = Frame::new(schools).unwrap();
    let alloc = [("A".to_string(), 5), ("B".to_string(), 4)].into_iter().collect();
    let mut s = select_schools(&frame, &alloc, seed).unwrap();
    let refused = s.schools.iter().position(|x| !x.certainty).unwrap();
    s.schools[refused].status = SchoolStatus::Refused;
    let mut all = Vec::new();
    for x in s.schools.iter().filter(|x| x.status == SchoolStatus::Participating) {
        let size = (x.mos * roster_scale).round() as u64;
        let roster = Roster {
            school: x.id,
            students: (0..size).map(|id| RosterStudent { id, class: id / 20 }).collect(),
        };
        let mut st = select_students(&roster, StudentSelection::Random { students: 12 }, seed).unwrap();
        if roster_scale != 1.0 {
            st[0].status = StudentStatus::Absent;
        }
        all.extend(st);
    }
    (
        Sample {
            schools: s,
            students: all,
            subjects: None,
        },
        frame,
    )
}

#[test]
fn final_weights_sum_to_the_frame_totals_in_every_replicate() {
    let (s, frame) = fielded(3, 0.8);
    let stratum_of: HashMap<u64, String> = s.schools.schools.iter().map(|x| (x.id, x.stratum.clone())).collect();
    let mut expected = BTreeMap::new();
    for f in frame.schools() {
        *expected.entry(f.stratum.clone()).or_insert(0.0) += f.mos;
    }
    for method in METHODS {
        let w = weigh(&s, &WeightingOptions::default(), method).unwrap();
        for weights in std::iter::once(&w.weights.full).chain(&w.weights.replicates) {
            for (stratum, sum) in stratum_sums(&w, &stratum_of, weights) {
                assert!((sum - expected[&stratum]).abs() < 1e-9 * sum, "{method:?} {stratum}");
            }
        }
    }
    let given: BTreeMap<String, f64> = [("A".into(), 5000.0), ("B".into(), 800.0)].into_iter().collect();
    let options = WeightingOptions {
        totals: Totals::Given(given.clone()),
        ..WeightingOptions::default()
    };
    let w = weigh(&s, &options, JK2).unwrap();
    for (stratum, sum) in stratum_sums(&w, &stratum_of, &w.weights.full) {
        assert!((sum - given[&stratum]).abs() < 1e-9 * sum);
    }
}

#[test]
fn design_weights_add_up_when_rosters_match_the_frame() {
    // Full response, rosters of exactly MOS students: Σ 1/(π_i π_j|i) is the frame total
    // without any ratio step, certainty school included.
    let (mut s, frame) = fielded(9, 1.0);
    s.schools
        .schools
        .iter_mut()
        .for_each(|x| x.status = SchoolStatus::Participating);
    for x in s.schools.schools.clone() {
        if !s.students.iter().any(|st| st.school == x.id) {
            let roster = Roster {
                school: x.id,
                students: (0..x.mos as u64).map(|id| RosterStudent { id, class: 0 }).collect(),
            };
            s.students
                .extend(select_students(&roster, StudentSelection::Random { students: 12 }, 9).unwrap());
        }
    }
    let w = weigh(&s, &design_totals(), JK2).unwrap();
    let total: f64 = frame.schools().iter().map(|f| f.mos).sum();
    assert!((w.weights.full.iter().sum::<f64>() - total).abs() < 1e-9 * total);
}

#[test]
fn non_response_adjustments_by_hand() {
    let s = by_hand();
    // School NR by enrolment: (5·100 + 2.5·200 + 4·120 + 2·150) / (5·100 + 4·120 + 2·150).
    let school_nr = 1780.0 / 1280.0;
    let expected = [
        5.0 * school_nr * 25.0 * 4.0 / 3.0, // school 1: one of four students absent
        4.0 * school_nr * 40.0,
        2.0 * school_nr * 75.0,
    ];
    let w = weigh(&s, &design_totals(), JK2).unwrap();
    assert_eq!(w.students.len(), 8);
    for (key, x) in w.students.iter().zip(&w.weights.full) {
        let e = expected[[1, 3, 4].iter().position(|&i| i == key.school).unwrap()];
        assert!((x - e).abs() < 1e-10 * e);
    }
    // By number of schools instead: (5 + 2.5 + 4 + 2) / (5 + 4 + 2).
    let options = WeightingOptions {
        school_nr: SchoolNonResponse::Schools,
        ..design_totals()
    };
    let w = weigh(&s, &options, JK2).unwrap();
    assert!((w.weights.full[3] - 4.0 * 13.5 / 11.0 * 40.0).abs() < 1e-10);
}

#[test]
fn each_replicate_reruns_non_response() {
    // Zone (A, C, D); replicate 1 drops A and doubles C. Re-running the school
    // adjustment gives C (2·4·120 + 2.5·200 + 2·150) / (2·4·120 + 2·150) of its doubled
    // base weight; doubling C's final weight would keep the full-sample factor instead.
    let s = by_hand();
    let w = weigh(&s, &design_totals(), JK2).unwrap();
    let row = w.students.iter().position(|k| k.school == 3).unwrap();
    let rerun = 2.0 * 4.0 * (1760.0 / 1260.0) * 40.0;
    let naive = 2.0 * w.weights.full[row];
    let got = w.weights.replicates[0][row];
    assert!((got - rerun).abs() < 1e-10 * rerun, "{got} vs {rerun}");
    assert!((got - naive).abs() > 1e-3 * naive);
    // The cell's eligible weight is kept whichever school is dropped.
    for rep in &w.weights.replicates {
        let total: f64 = rep.iter().sum();
        let eligible = |drop: u64, double: u64| {
            let b = |id: u64, base: f64, mos: f64| {
                base * mos
                    * if id == drop {
                        0.0
                    } else if id == double {
                        2.0
                    } else {
                        1.0
                    }
            };
            b(1, 5.0, 100.0) + 500.0 + b(3, 4.0, 120.0) + b(4, 2.0, 150.0)
        };
        let possible = [eligible(1, 3), eligible(3, 4), eligible(4, 1)];
        // Weights stand for students: Σ w = Σ over schools of adjusted school weight × N_i,
        // and with N_i = MOS_i that is the cell's eligible enrolment.
        assert!(possible.iter().any(|p| (total - p).abs() < 1e-9 * p), "{total}");
    }
}

#[test]
fn trimming_caps_and_keeps_totals() {
    let mut schools = vec![school(1, "S", 0, 100.0, 0.1), school(2, "S", 1, 100.0, 0.5)];
    schools.push(school(3, "S", 2, 100.0, 0.5));
    let mut st = students(1, 5, 0.05);
    st.extend(students(2, 10, 0.1));
    st.extend(students(3, 10, 0.1));
    let s = sample(schools, st, &[("S", 1000.0)]);
    let plain = weigh(&s, &design_totals(), JK2).unwrap();
    let options = WeightingOptions {
        trim: Some(Trim { multiple: 3.5 }),
        ..design_totals()
    };
    let trimmed = weigh(&s, &options, JK2).unwrap();
    let sum = |w: &[f64]| w.iter().sum::<f64>();
    assert!((sum(&plain.weights.full) - sum(&trimmed.weights.full)).abs() < 1e-9 * sum(&plain.weights.full));
    let mut sorted = plain.weights.full.clone();
    sorted.sort_by(f64::total_cmp);
    let cap = 3.5 * sorted[sorted.len() / 2];
    assert!(plain.weights.full.iter().any(|&w| w > cap));
    assert!(trimmed.weights.full.iter().all(|&w| w <= cap * (1.0 + 1e-12)));
    // Replicates reuse the full-sample trimming factors.
    let factor = trimmed.weights.full[0] / plain.weights.full[0];
    assert!((trimmed.weights.replicates[1][0] / plain.weights.replicates[1][0] - factor).abs() < 1e-12);
}

proptest! {
    #[test]
    fn trimming_keeps_domain_totals(weights in prop::collection::vec(0.1f64..100.0, 1..60), multiple in 1.5f64..5.0) {
        let domain: Vec<usize> = (0..weights.len()).map(|i| i % 3).collect();
        let labels: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let totals = |w: &[f64]| (0..3).map(|d| (0..w.len()).filter(|&i| domain[i] == d).map(|i| w[i]).sum::<f64>()).collect::<Vec<_>>();
        match trim_weights(&weights, &domain, &labels, multiple) {
            Ok(t) => {
                for (a, b) in totals(&weights).iter().zip(totals(&t)) {
                    prop_assert!((a - b).abs() <= 1e-9 * a.max(1.0));
                }
                for d in 0..3 {
                    let mut m: Vec<f64> = (0..weights.len()).filter(|&i| domain[i] == d).map(|i| weights[i]).collect();
                    m.sort_by(f64::total_cmp);
                    if m.is_empty() { continue; }
                    let median = if m.len() % 2 == 1 { m[m.len() / 2] } else { (m[m.len() / 2 - 1] + m[m.len() / 2]) / 2.0 };
                    prop_assert!((0..t.len()).filter(|&i| domain[i] == d).all(|i| t[i] <= multiple * median * (1.0 + 1e-12)));
                }
            }
            Err(SurveyError::TrimInfeasible { .. }) => {}
            Err(e) => prop_assert!(false, "{e}"),
        }
    }
}

#[test]
fn census_has_no_between_school_variance() {
    let frame = Frame::new(
        (0..6)
            .map(|i| FrameSchool {
                id: i + 1,
                stratum: if i < 3 { "A" } else { "B" }.into(),
                implicit: vec![],
                mos: 30.0 + 10.0 * i as f64,
            })
            .collect(),
    )
    .unwrap();
    let schools = census(&frame);
    let mut all = Vec::new();
    for x in &schools.schools {
        let roster = Roster {
            school: x.id,
            students: (0..x.mos as u64)
                .map(|id| RosterStudent { id, class: id / 10 })
                .collect(),
        };
        all.extend(select_students(&roster, StudentSelection::Random { students: 9 }, 4).unwrap());
    }
    let s = Sample {
        schools,
        students: all,
        subjects: None,
    };
    for method in [JK2, BRR] {
        let w = weigh(&s, &WeightingOptions::default(), method).unwrap();
        assert!(w.zones.iter().all(|z| z.stratum.starts_with("school ")));
        let mean = |y: &dyn Fn(usize) -> f64, weights: &[f64]| {
            (0..weights.len()).map(|i| weights[i] * y(i)).sum::<f64>() / weights.iter().sum::<f64>()
        };
        let se = |y: &dyn Fn(usize) -> f64| {
            let reps: Vec<f64> = w.weights.replicates.iter().map(|r| mean(y, r)).collect();
            w.weights.sampling_variance(mean(y, &w.weights.full), &reps).sqrt()
        };
        // A value constant within schools has no sampling variance in a census; one that
        // varies within schools has.
        let between = |i: usize| w.students[i].school as f64 * 10.0;
        let within = |i: usize| (w.students[i].student % 4) as f64;
        assert!(se(&between) < 1e-9, "{method:?}: {}", se(&between));
        assert!(se(&within) > 0.01);
    }
    // Census of students too: nothing was sampled, so nothing to replicate.
    let mut full = s.clone();
    full.students = full
        .schools
        .schools
        .iter()
        .flat_map(|x| students(x.id, x.mos as u64, 1.0))
        .collect();
    assert_eq!(
        weigh(&full, &WeightingOptions::default(), JK2).map(|_| ()),
        Err(SurveyError::TooFewUnits(0))
    );
}

#[test]
fn certainty_schools_pair_their_students() {
    let (s, _) = fielded(3, 0.8);
    let certain = s.schools.schools.iter().find(|x| x.certainty).unwrap().id;
    let w = weigh(&s, &WeightingOptions::default(), JK2).unwrap();
    let own = format!("school {certain}");
    let zones: Vec<_> = w.zones.iter().filter(|z| z.stratum == own).collect();
    // 12 sampled, 1 absent: 11 assessed students → 4 pairs and a triple.
    assert_eq!(zones.len(), 5);
    assert_eq!(zones.iter().map(|z| z.units.len()).sum::<usize>(), 11);
    assert_eq!(w.weights.df, w.zones.len() as f64);
    assert_eq!(
        w.weights.replicates.len(),
        2 * w.zones.len() + w.zones.iter().filter(|z| z.units.len() == 3).count()
    );
}

#[test]
fn zones_of_three() {
    let mut s = by_hand();
    s.schools.schools[1].status = SchoolStatus::Ineligible;
    s.students[3].status = StudentStatus::Assessed;
    let ratio = |w: &WeightedSample, r: usize, school: u64| {
        let row = w.students.iter().position(|k| k.school == school).unwrap();
        w.weights.replicates[r][row] / w.weights.full[row]
    };
    let w = weigh(&s, &design_totals(), JK2).unwrap();
    let got: Vec<[f64; 3]> = (0..3).map(|r| [1, 3, 4].map(|id| ratio(&w, r, id))).collect();
    assert_eq!(got, [[0.0, 2.0, 1.0], [1.0, 0.0, 2.0], [2.0, 1.0, 0.0]]);
    let w = weigh(&s, &design_totals(), BRR).unwrap();
    assert_eq!(w.weights.replicates.len(), 2);
    let (low, high) = (1.0 - 0.5 * 2f64.sqrt(), 1.0 + 0.5 / 2f64.sqrt());
    // Order-2 Hadamard: +1 in replicate 1 lowers the first unit, −1 in replicate 2 raises it.
    let (up, down) = (1.0 + 0.5 * 2f64.sqrt(), 1.0 - 0.5 / 2f64.sqrt());
    for (r, expected) in [(0, [low, high, high]), (1, [up, down, down])] {
        let got = [1, 3, 4].map(|id| ratio(&w, r, id));
        for (g, e) in got.iter().zip(expected) {
            assert!((g - e).abs() < 1e-12, "{got:?}");
        }
    }
    // PISA's published factors.
    for (ours, pisa) in [(low, 0.2929), (high, 1.3536), (up, 1.7071), (down, 0.6464)] {
        assert!((ours - pisa).abs() < 1e-4);
    }
    let k0 = Replication::FayBrr {
        k: 0.0,
        replicates: None,
    };
    assert_eq!(
        weigh(&s, &design_totals(), k0).map(|_| ()),
        Err(SurveyError::FayTooSmallForTriple(0.0))
    );
}

#[test]
fn a_one_school_stratum_is_collapsed_with_its_neighbour() {
    let schools = vec![
        school(1, "S1", 0, 100.0, 0.2),
        school(2, "S1", 1, 100.0, 0.3),
        school(3, "S2", 0, 100.0, 0.4),
        SampledSchool {
            status: SchoolStatus::Refused,
            ..school(4, "S2", 1, 100.0, 0.4)
        },
        school(5, "S3", 0, 100.0, 0.2),
        school(6, "S3", 1, 100.0, 0.25),
    ];
    let st: Vec<SampledStudent> = [1, 2, 3, 5, 6].iter().flat_map(|&i| students(i, 5, 0.05)).collect();
    let s = sample(schools, st, &[("S1", 900.0), ("S2", 600.0), ("S3", 700.0)]);
    let stratum_of: HashMap<u64, String> = s.schools.schools.iter().map(|x| (x.id, x.stratum.clone())).collect();
    for method in METHODS {
        let w = weigh(&s, &WeightingOptions::default(), method).unwrap();
        assert_eq!(w.collapsed.len(), 1);
        assert_eq!(
            (w.collapsed[0].stratum.as_str(), w.collapsed[0].into.as_str()),
            ("S2", "S1")
        );
        assert_eq!(w.zones[0].stratum, "S1+S2");
        assert_eq!(w.zones[0].units.len(), 3);
        for weights in std::iter::once(&w.weights.full).chain(&w.weights.replicates) {
            let sums = stratum_sums(&w, &stratum_of, weights);
            assert!((sums["S1"] + sums["S2"] - 1500.0).abs() < 1e-9);
            assert!((sums["S3"] - 700.0).abs() < 1e-9);
        }
    }
    // Without a neighbour that has schools of its own, the lone school is an error.
    let lone = sample(
        vec![school(1, "S1", 0, 100.0, 0.2), school(2, "S2", 0, 50.0, 1.0)],
        [students(1, 5, 0.05), students(2, 5, 0.1)].concat(),
        &[("S1", 900.0), ("S2", 50.0)],
    );
    assert_eq!(
        weigh(&lone, &WeightingOptions::default(), JK2).map(|_| ()),
        Err(SurveyError::LoneSchool("S1".into()))
    );
    // A school representing itself with one sampled student has no within-school pair.
    let one = sample(
        vec![school(2, "S2", 0, 50.0, 1.0)],
        students(2, 1, 0.02),
        &[("S2", 50.0)],
    );
    assert_eq!(
        weigh(&one, &WeightingOptions::default(), JK2).map(|_| ()),
        Err(SurveyError::LoneUnitInSchool(2))
    );
}

#[test]
fn subject_weights_carry_the_factor() {
    let (mut s, _) = fielded(3, 0.8);
    let design = SubjectDesign::new(4, 2).unwrap();
    assign_subjects(&mut s.students, design, 3).unwrap();
    s.subjects = Some(design);
    let w = weigh(&s, &WeightingOptions::default(), JK2).unwrap();
    let maths = w.subject(1).unwrap();
    assert!(maths.rows.iter().all(|&r| w.taken[r].contains(&1)));
    assert!(maths.rows.len() * 2 <= w.students.len() + 10);
    for (i, &r) in maths.rows.iter().enumerate() {
        assert_eq!(maths.weights.full[i], 2.0 * w.weights.full[r]);
        assert_eq!(maths.weights.replicates[3][i], 2.0 * w.weights.replicates[3][r]);
    }
    assert_eq!(
        w.subject(4).map(|_| ()),
        Err(SurveyError::UnknownSubject {
            subject: 4,
            subjects: 4
        })
    );
    let plain = weigh(&fielded(3, 0.8).0, &WeightingOptions::default(), JK2).unwrap();
    assert_eq!(plain.subject(0).map(|_| ()), Err(SurveyError::NoSubjectDesign));
}

#[test]
fn same_weights_whatever_the_thread_count_and_through_serde() {
    let (s, _) = fielded(5, 0.8);
    let run = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| weigh(&s, &WeightingOptions::default(), BRR).unwrap())
    };
    let one = run(1);
    assert_eq!(one, run(2));
    assert_eq!(one.weights.method, ReplicateMethod::FayBrr { k: 0.5 });
    // serde_json (without its float_roundtrip feature) may move a float by an ulp.
    let back: WeightedSample = serde_json::from_str(&serde_json::to_string(&one).unwrap()).unwrap();
    assert_eq!(
        (&back.students, &back.zones, back.weights.method),
        (&one.students, &one.zones, one.weights.method)
    );
    let pairs = back
        .weights
        .replicates
        .iter()
        .flatten()
        .zip(one.weights.replicates.iter().flatten());
    assert!(
        pairs
            .chain(back.weights.full.iter().zip(&one.weights.full))
            .all(|(a, b)| (a - b).abs() <= 1e-15 * b)
    );
    let back: Sample = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
    assert_eq!(back.students.len(), s.students.len());
    assert_eq!(
        back.schools.schools.iter().map(|x| x.id).collect::<Vec<_>>(),
        s.schools.schools.iter().map(|x| x.id).collect::<Vec<_>>()
    );
}

#[test]
fn pisa_sized_brr() {
    let (s, _) = fielded(5, 0.8);
    let pisa = Replication::FayBrr {
        k: 0.5,
        replicates: Some(80),
    };
    let w = weigh(&s, &WeightingOptions::default(), pisa).unwrap();
    assert_eq!(w.weights.replicates.len(), 80);
    assert!((w.weights.factor() - 0.05).abs() < 1e-15);
    let bad = Replication::FayBrr {
        k: 0.5,
        replicates: Some(28),
    };
    assert_eq!(
        weigh(&s, &WeightingOptions::default(), bad).map(|_| ()),
        Err(SurveyError::NoHadamard(28))
    );
    let bad = Replication::FayBrr {
        k: 1.0,
        replicates: None,
    };
    assert_eq!(
        weigh(&s, &WeightingOptions::default(), bad).map(|_| ()),
        Err(SurveyError::BadFayCoefficient(1.0))
    );
}

#[test]
fn bad_samples_give_clear_errors() {
    let check = |s: &Sample, options: &WeightingOptions, expected: SurveyError| {
        assert_eq!(weigh(s, options, JK2).map(|_| ()), Err(expected));
    };
    let defaults = WeightingOptions::default();
    let mut s = by_hand();
    s.schools.schools[0].prob = 0.0;
    check(
        &s,
        &defaults,
        SurveyError::BadSchoolProbability { school: 1, prob: 0.0 },
    );
    let mut s = by_hand();
    s.students[0].prob = 1.5;
    check(
        &s,
        &defaults,
        SurveyError::BadStudentProbability {
            school: 1,
            student: 0,
            prob: 1.5,
        },
    );
    let mut s = by_hand();
    s.students[0].school = 2;
    check(
        &s,
        &defaults,
        SurveyError::StudentOutsideSample { school: 2, student: 0 },
    );
    let mut s = by_hand();
    s.students
        .iter_mut()
        .filter(|x| x.school == 4)
        .for_each(|x| x.status = StudentStatus::Absent);
    check(&s, &defaults, SurveyError::NoAssessedStudents(4));
    let mut s = by_hand();
    s.schools.schools[0].nr_cell = Some("lonely".into());
    s.schools.schools[1].nr_cell = Some("lonely".into());
    s.schools.schools[0].status = SchoolStatus::Refused;
    s.students.retain(|x| x.school != 1);
    let expected = SurveyError::EmptyResponseCell {
        pass: Pass::Full,
        level: Level::School,
        cell: "lonely".into(),
    };
    assert!(
        expected
            .to_string()
            .contains("full sample: school non-response cell `lonely`")
    );
    check(&s, &defaults, expected);
    let s = by_hand();
    let given = |pairs: &[(&str, f64)]| WeightingOptions {
        totals: Totals::Given(pairs.iter().map(|&(k, v)| (k.to_string(), v)).collect()),
        ..WeightingOptions::default()
    };
    check(&s, &given(&[]), SurveyError::MissingTotal("S".into()));
    check(
        &s,
        &given(&[("S", -1.0)]),
        SurveyError::BadTotal {
            stratum: "S".into(),
            total: -1.0,
        },
    );
    check(
        &s,
        &given(&[("S", 1.0), ("T", 1.0)]),
        SurveyError::UnknownStratum("T".into()),
    );
    let trim = WeightingOptions {
        trim: Some(Trim { multiple: 0.9 }),
        ..WeightingOptions::default()
    };
    check(&s, &trim, SurveyError::BadTrimMultiple(0.9));
}

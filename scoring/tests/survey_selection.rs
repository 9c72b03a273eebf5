//! Selection: PPS probabilities and certainty schools, Horvitz–Thompson unbiasedness
//! over many seeds, reproducibility, students within schools, subject sub-sampling.

use std::collections::{BTreeMap, HashMap};

use proptest::prelude::*;
use scoring::survey::{
    Frame, FrameSchool, Roster, RosterStudent, StudentSelection, SubjectDesign, SurveyError, assign_subjects, census,
    select_schools, select_students,
};

/// A frame from (stratum, implicit key, MOS) triples; ids count from 1.
fn frame(schools: &[(&str, &str, f64)]) -> Frame {
    Frame::new(
        schools
            .iter()
            .enumerate()
            .map(|(i, &(stratum, implicit, mos))| FrameSchool {
                id: i as u64 + 1,
                stratum: stratum.into(),
                implicit: vec![implicit.into()],
                mos,
            })
            .collect(),
    )
    .unwrap()
}

fn allocation(pairs: &[(&str, usize)]) -> BTreeMap<String, usize> {
    pairs.iter().map(|&(s, n)| (s.to_string(), n)).collect()
}

/// Two strata; stratum A has one school large enough to be a certainty school and one
/// that only becomes one once the first is set aside.
fn two_strata() -> Frame {
    let mut schools = vec![("A", "1", 900.0), ("A", "2", 420.0)];
    schools.extend((0..18).map(|i| ("A", if i % 2 == 0 { "1" } else { "2" }, 20.0 + 7.0 * i as f64)));
    schools.extend((0..12).map(|i| ("B", "1", 30.0 + 11.0 * i as f64)));
    frame(&schools)
}

proptest! {
    #[test]
    fn pps_probabilities(sizes in prop::collection::vec(1.0f64..500.0, 3..40), share in 0.05f64..0.95, seed: u64) {
        let n = ((sizes.len() as f64 * share) as usize).max(1);
        let f = frame(&sizes.iter().map(|&m| ("S", "", m)).collect::<Vec<_>>());
        let s = select_schools(&f, &allocation(&[("S", n)]), seed).unwrap();
        prop_assert_eq!(s.schools.len(), n);
        let certain: Vec<_> = s.schools.iter().filter(|x| x.certainty).collect();
        let rest_mos: f64 = sizes.iter().sum::<f64>() - certain.iter().map(|x| x.mos).sum::<f64>();
        let rest_n = (n - certain.len()) as f64;
        for x in &s.schools {
            let expected = if x.certainty { 1.0 } else { rest_n * x.mos / rest_mos };
            prop_assert!((x.prob - expected).abs() < 1e-12, "π {} expected {}", x.prob, expected);
        }
        // No school left out of the certainty set reaches the final interval.
        if rest_n > 0.0 {
            let interval = rest_mos / rest_n;
            let ids: Vec<u64> = certain.iter().map(|x| x.id).collect();
            prop_assert!(f.schools().iter().filter(|x| !ids.contains(&x.id)).all(|x| x.mos < interval));
            prop_assert!(certain.iter().all(|x| x.mos >= interval * (1.0 - 1e-12)));
        }
    }
}

#[test]
fn certainty_schools_and_recomputed_interval() {
    let f = two_strata();
    let s = select_schools(&f, &allocation(&[("A", 4), ("B", 3)]), 11).unwrap();
    let a = &s.strata[0];
    // ΣMOS_A = 900 + 420 + 18·20 + 7·153 = 2751: interval 687.75 takes 900; then
    // 1851/3 = 617 misses 420, so one certainty school and three drawn from 1851.
    assert_eq!((a.stratum.as_str(), a.allocated, a.certainty), ("A", 4, 1));
    assert!((a.interval.unwrap() - 1851.0 / 3.0).abs() < 1e-9);
    let big = s.schools.iter().find(|x| x.id == 1).unwrap();
    assert!(big.certainty && big.prob == 1.0);
    let second = select_schools(&f, &allocation(&[("A", 6), ("B", 3)]), 11).unwrap();
    // With six: 2751/6 = 458.5 takes 900; 1851/5 = 370.2 then takes 420.
    assert_eq!(second.strata[0].certainty, 2);
}

#[test]
fn horvitz_thompson_recovers_frame_totals() {
    // Two-stage: schools by PPS (with certainty schools), students at random within
    // them; the mean over seeds of Σ y/(π_i π_j|i) must come within 4 SE of the truth.
    let f = two_strata();
    let alloc = allocation(&[("A", 4), ("B", 3)]);
    let rosters: HashMap<u64, Roster> = f
        .schools()
        .iter()
        .map(|s| {
            let students = (0..s.mos as u64)
                .map(|id| RosterStudent { id, class: id / 25 })
                .collect();
            (s.id, Roster { school: s.id, students })
        })
        .collect();
    let y = |school: u64, student: u64| (school % 7) as f64 * 3.0 + (student % 5) as f64;
    let truth: f64 = rosters
        .values()
        .flat_map(|r| r.students.iter().map(move |s| y(r.school, s.id)))
        .sum();
    let runs = 3000;
    let mut estimates = Vec::with_capacity(runs);
    let mut hits: HashMap<u64, (usize, f64)> = HashMap::new();
    for seed in 0..runs as u64 {
        let s = select_schools(&f, &alloc, seed).unwrap();
        let mut total = 0.0;
        for school in &s.schools {
            let entry = hits.entry(school.id).or_insert((0, school.prob));
            entry.0 += 1;
            let students =
                select_students(&rosters[&school.id], StudentSelection::Random { students: 10 }, seed).unwrap();
            total += students
                .iter()
                .map(|st| y(st.school, st.id) / (school.prob * st.prob))
                .sum::<f64>();
        }
        estimates.push(total);
    }
    let mean = estimates.iter().sum::<f64>() / runs as f64;
    let sd = (estimates.iter().map(|e| (e - mean).powi(2)).sum::<f64>() / (runs - 1) as f64).sqrt();
    let se = sd / (runs as f64).sqrt();
    assert!((mean - truth).abs() < 4.0 * se, "mean {mean} truth {truth} se {se}");
    // Inclusion frequencies match π for every school that was ever drawn.
    for (id, (count, prob)) in hits {
        let freq = count as f64 / runs as f64;
        let tol = 4.0 * (prob * (1.0 - prob) / runs as f64).sqrt() + 1e-9;
        assert!((freq - prob).abs() <= tol, "school {id}: frequency {freq}, π {prob}");
    }
}

#[test]
fn same_seed_same_sample() {
    let f = two_strata();
    let alloc = allocation(&[("A", 4), ("B", 3)]);
    let run = |seed| {
        let s = select_schools(&f, &alloc, seed).unwrap();
        let roster = Roster {
            school: s.schools[0].id,
            students: (0..40).map(|id| RosterStudent { id, class: id / 10 }).collect(),
        };
        let mut students = select_students(&roster, StudentSelection::Random { students: 12 }, seed).unwrap();
        assign_subjects(&mut students, SubjectDesign::new(4, 2).unwrap(), seed).unwrap();
        (s, students)
    };
    assert_eq!(run(5), run(5));
    assert_ne!(run(5), run(6));
}

#[test]
fn census_takes_every_school_with_certainty() {
    let f = two_strata();
    let s = census(&f);
    assert_eq!(s.schools.len(), f.schools().len());
    assert!(s.schools.iter().all(|x| x.certainty && x.prob == 1.0));
    assert_eq!(s.strata.iter().map(|x| x.frame_schools).sum::<usize>(), 32);
}

#[test]
fn class_sampling_probability() {
    let roster = Roster {
        school: 3,
        students: (0..50).map(|id| RosterStudent { id, class: id % 5 }).collect(),
    };
    let s = select_students(&roster, StudentSelection::Classes { classes: 2 }, 8).unwrap();
    assert_eq!(s.len(), 20);
    assert!(s.iter().all(|x| x.prob == 0.4 && x.class.is_some()));
    let all = select_students(&roster, StudentSelection::All, 8).unwrap();
    assert!(all.len() == 50 && all.iter().all(|x| x.prob == 1.0));
}

#[test]
fn every_student_takes_a_subject_with_probability_k_over_n() {
    // 7 students, 2 of 4 subjects: within a school counts must balance, which could
    // favour some subjects for some students; the symmetric rule keeps k/n exact.
    let roster = Roster {
        school: 1,
        students: (0..7).map(|id| RosterStudent { id, class: 0 }).collect(),
    };
    let design = SubjectDesign::new(4, 2).unwrap();
    let runs = 4000;
    let mut count = [[0usize; 4]; 7];
    for seed in 0..runs {
        let mut s = select_students(&roster, StudentSelection::All, seed).unwrap();
        assign_subjects(&mut s, design, seed).unwrap();
        for (j, st) in s.iter().enumerate() {
            st.subjects.iter().for_each(|&k| count[j][k] += 1);
        }
    }
    let tol = 4.0 * (0.25 / runs as f64).sqrt();
    for row in count {
        for c in row {
            assert!((c as f64 / runs as f64 - 0.5).abs() < tol, "{c}");
        }
    }
    assert_eq!(design.factor(), 2.0);
}

#[test]
fn bad_designs_give_clear_errors() {
    let f = two_strata();
    assert_eq!(
        select_schools(&f, &allocation(&[("A", 4)]), 1),
        Err(SurveyError::MissingAllocation("B".into()))
    );
    assert_eq!(
        select_schools(&f, &allocation(&[("A", 4), ("B", 0)]), 1),
        Err(SurveyError::MissingAllocation("B".into()))
    );
    assert_eq!(
        select_schools(&f, &allocation(&[("A", 4), ("B", 13)]), 1),
        Err(SurveyError::AllocationTooLarge {
            stratum: "B".into(),
            requested: 13,
            available: 12
        })
    );
    assert_eq!(
        select_schools(&f, &allocation(&[("A", 4), ("B", 3), ("C", 1)]), 1),
        Err(SurveyError::UnknownStratum("C".into()))
    );
    let zero = Frame::new(vec![FrameSchool {
        id: 4,
        stratum: "A".into(),
        implicit: vec![],
        mos: 0.0,
    }]);
    assert_eq!(zero, Err(SurveyError::BadMeasureOfSize { school: 4, mos: 0.0 }));
    assert_eq!(
        SubjectDesign::new(4, 4),
        Err(SurveyError::BadSubjectDesign {
            subjects: 4,
            per_student: 4
        })
    );
    let message = SubjectDesign::new(3, 5).unwrap_err().to_string();
    assert!(message.contains("5 of 3 subjects"), "{message}");
}

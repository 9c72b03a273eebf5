//! A unit against a population containing it is differenced inside every replicate ×
//! plausible value: the SE equals that direct computation and is well below
//! √(SE₁² + SE₂²) when the unit is a big part of the population.

mod estimate_support;

use estimate_support::{assert_close, jk1, report_all};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use scoring::estimate::{Grouping, Sample, Statistic, Subset, Variable};

const PVS: usize = 5;

/// 30 schools of 20 students; schools 0..24 in district A (80 %), 24..30 in B. JK1 over
/// schools. PVs share a student effect and a school effect, so replicates move both
/// the district and the city together.
struct City {
    pv: Vec<Vec<f64>>,
    full: Vec<f64>,
    school: Vec<usize>,
    district: Vec<u32>,
}

fn city() -> City {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let (schools, size) = (30, 20);
    let school: Vec<usize> = (0..schools * size).map(|i| i / size).collect();
    let effect: Vec<f64> = (0..schools).map(|_| rng.random_range(-60.0..60.0)).collect();
    let student: Vec<f64> = school
        .iter()
        .map(|&j| 500.0 + effect[j] + rng.random_range(-80.0..80.0))
        .collect();
    let pv = (0..PVS)
        .map(|_| student.iter().map(|t| t + rng.random_range(-20.0..20.0)).collect())
        .collect();
    City {
        pv,
        full: school.iter().map(|_| rng.random_range(5.0..15.0)).collect(),
        district: school.iter().map(|&j| u32::from(j >= 24)).collect(),
        school,
    }
}

/// The weighted mean of the rows where `keep` holds.
fn mean(values: &[f64], weights: &[f64], keep: impl Fn(usize) -> bool) -> f64 {
    let (mut sum, mut total) = (0.0, 0.0);
    for (i, (x, w)) in values.iter().zip(weights).enumerate() {
        if keep(i) {
            sum += w * x;
            total += w;
        }
    }
    sum / total
}

#[test]
fn district_against_city_is_differenced_in_every_replicate_and_pv() {
    let c = city();
    let weights = jk1(c.full.clone(), &c.school);
    let sample = Sample::new(&weights, None, report_all()).unwrap();
    let districts = Grouping::new(vec!["A".into(), "B".into()], &c.district);
    let variable = Variable::Plausible(&c.pv);
    let stats = [Statistic::Mean];
    let d = sample
        .difference(variable, &stats, Subset::Group(&districts, 0), Subset::All)
        .unwrap();
    let d = d.estimates[0].unwrap();

    // Direct: district minus city on each PV × weight set, then Rubin's rules by hand.
    let sets: Vec<&[f64]> = std::iter::once(weights.full.as_slice())
        .chain(weights.replicates.iter().map(Vec::as_slice))
        .collect();
    let c_jk1 = (weights.replicates.len() as f64 - 1.0) / weights.replicates.len() as f64;
    let (mut t, mut u) = (Vec::new(), Vec::new());
    for pv in &c.pv {
        let diff: Vec<f64> = sets
            .iter()
            .map(|w| mean(pv, w, |i| c.district[i] == 0) - mean(pv, w, |_| true))
            .collect();
        t.push(diff[0]);
        u.push(c_jk1 * diff[1..].iter().map(|x| (x - diff[0]).powi(2)).sum::<f64>());
    }
    let m = PVS as f64;
    let t_hat = t.iter().sum::<f64>() / m;
    let u_bar = u.iter().sum::<f64>() / m;
    let b = t.iter().map(|x| (x - t_hat).powi(2)).sum::<f64>() / (m - 1.0);
    assert_close(d.estimate, t_hat, 1e-10);
    assert_close(d.sampling_variance, u_bar, 1e-9);
    assert_close(d.imputation_variance, b, 1e-9);
    assert_close(d.se, (u_bar + (1.0 + 1.0 / m) * b).sqrt(), 1e-9);

    // Far below the independent-samples formula: the district is 80 % of the city.
    let table = sample.table(variable, &districts, &stats).unwrap();
    let city_table = sample
        .table(variable, &Grouping::everyone("city", c.school.len()), &stats)
        .unwrap();
    let se_a = table.rows[0].value.as_ref().unwrap()[0].unwrap().se;
    let se_city = city_table.rows[0].value.as_ref().unwrap()[0].unwrap().se;
    let naive = (se_a * se_a + se_city * se_city).sqrt();
    assert!(d.se < 0.6 * naive, "{} vs {naive}", d.se);

    // The whole-table form gives the same row.
    let compared = sample.compare_with(variable, &districts, &stats, Subset::All).unwrap();
    let row = compared.rows[0].value.as_ref().unwrap()[0].unwrap();
    assert_eq!(row, d);
    assert_eq!(compared.rows[0].counts, table.rows[0].counts);
}

#[test]
fn group_difference_is_antisymmetric_and_suppression_propagates() {
    let c = city();
    let weights = jk1(c.full.clone(), &c.school);
    let sample = Sample::new(&weights, None, report_all()).unwrap();
    let districts = Grouping::new(vec!["A".into(), "B".into()], &c.district);
    let variable = Variable::Plausible(&c.pv);
    let stats = [Statistic::Mean, Statistic::Percentile(50.0)];
    let (a, b) = (Subset::Group(&districts, 0), Subset::Group(&districts, 1));
    let ab = sample.difference(variable, &stats, a, b).unwrap();
    let ba = sample.difference(variable, &stats, b, a).unwrap();
    for (x, y) in ab.estimates.iter().zip(&ba.estimates) {
        let (x, y) = (x.unwrap(), y.unwrap());
        assert_close(x.estimate, -y.estimate, 1e-12);
        assert_close(x.se, y.se, 1e-12);
    }
    assert_eq!(ab.a.students, 480);
    assert_eq!(ab.b.students, 120);

    let strict = scoring::estimate::Options {
        min_students: 200,
        ..report_all()
    };
    let sample = Sample::new(&weights, None, strict).unwrap();
    let ab = sample.difference(variable, &stats, a, b).unwrap();
    assert!(ab.suppressed && ab.estimates.is_empty());
}

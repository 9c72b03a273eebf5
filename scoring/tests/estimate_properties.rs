//! Properties every estimator must have: invariance to row order and to the scale of
//! the weights, standard errors that shrink as the sample grows, and the same bits
//! whatever the thread count.

mod estimate_support;

use estimate_support::{close, jk1, report_all};
use proptest::prelude::*;
use scoring::estimate::{Estimate, Grouping, Sample, Statistic, Variable};
use scoring::survey::ReplicateWeights;

/// A small clustered sample: three PVs, two groups, PSUs as schools.
#[derive(Debug, Clone)]
struct Data {
    pv: Vec<Vec<f64>>,
    ses: Vec<f64>,
    full: Vec<f64>,
    psu: Vec<usize>,
    group: Vec<u32>,
}

impl Data {
    fn weights(&self) -> ReplicateWeights {
        jk1(self.full.clone(), &self.psu)
    }

    fn schools(&self) -> Vec<u32> {
        self.psu.iter().map(|&p| p as u32).collect()
    }

    /// Rows in the order `order`.
    fn permuted(&self, order: &[usize]) -> Data {
        let pick = |x: &[f64]| order.iter().map(|&i| x[i]).collect::<Vec<f64>>();
        Data {
            pv: self.pv.iter().map(|v| pick(v)).collect(),
            ses: pick(&self.ses),
            full: pick(&self.full),
            psu: order.iter().map(|&i| self.psu[i]).collect(),
            group: order.iter().map(|&i| self.group[i]).collect(),
        }
    }

    /// The sample twice over, the copy in new PSUs: twice the PSUs, same population.
    fn doubled(&self) -> Data {
        let psus = self.psu.iter().max().map_or(0, |m| m + 1);
        let twice = |x: &[f64]| [x, x].concat();
        Data {
            pv: self.pv.iter().map(|v| twice(v)).collect(),
            ses: twice(&self.ses),
            full: twice(&self.full),
            psu: self
                .psu
                .iter()
                .copied()
                .chain(self.psu.iter().map(|p| p + psus))
                .collect(),
            group: [self.group.as_slice(), self.group.as_slice()].concat(),
        }
    }
}

fn data() -> impl Strategy<Value = Data> {
    (12usize..40).prop_flat_map(|n| {
        (
            prop::collection::vec(prop::collection::vec(200.0f64..800.0, n), 3),
            prop::collection::vec(-2.0f64..2.0, n),
            prop::collection::vec(0.5f64..5.0, n),
        )
            .prop_map(move |(pv, ses, full)| Data {
                pv,
                ses,
                full,
                psu: (0..n).map(|i| i % 4).collect(),
                group: (0..n).map(|i| u32::from(i % 3 == 0)).collect(),
            })
    })
}

const STATISTICS: [Statistic; 6] = [
    Statistic::Mean,
    Statistic::Sd,
    Statistic::Percentile(10.0),
    Statistic::Percentile(50.0),
    Statistic::Share {
        at_least: Some(450.0),
        below: None,
    },
    Statistic::Share {
        at_least: Some(350.0),
        below: Some(550.0),
    },
];

/// Every estimate of the sample: the table, the correlation, the regression and the
/// two-level model, each group.
fn everything(d: &Data) -> Vec<Option<Estimate>> {
    let weights = d.weights();
    let schools = d.schools();
    let sample = Sample::new(&weights, Some(&schools), report_all()).unwrap();
    let grouping = Grouping::new(vec!["a".into(), "b".into()], &d.group);
    let (pv, ses) = (Variable::Plausible(&d.pv), Variable::Observed(&d.ses));
    let mut out = Vec::new();
    for row in sample.table(pv, &grouping, &STATISTICS).unwrap().rows {
        out.extend(row.value.unwrap_or_default());
    }
    for row in sample.correlation(pv, ses, &grouping).unwrap() {
        out.push(row.value);
    }
    for row in sample.regression(pv, &[ses], &grouping).unwrap() {
        let fit = row.value.map(|f| [f.intercept, f.coefficients[0], f.r_squared]);
        out.extend((0..3).map(|k| fit.map(|f| f[k])));
    }
    for row in sample.two_level(pv, &grouping).unwrap() {
        let fit = row.value.map(|f| [f.between, f.within, f.icc]);
        out.extend((0..3).map(|k| fit.map(|f| f[k])));
    }
    out
}

fn same(a: &[Option<Estimate>], b: &[Option<Estimate>]) -> Result<(), TestCaseError> {
    prop_assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        match (x, y) {
            (Some(x), Some(y)) => {
                prop_assert!(close(x.estimate, y.estimate, 1e-9), "{:?} vs {:?}", x, y);
                prop_assert!(close(x.se, y.se, 1e-7), "{:?} vs {:?}", x, y);
                prop_assert!(close(x.df, y.df, 1e-7), "{:?} vs {:?}", x, y);
            }
            (None, None) => {}
            _ => prop_assert!(false, "{:?} vs {:?}", x, y),
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn invariant_to_row_order((d, order) in data().prop_flat_map(|d| {
        let n = d.full.len();
        (Just(d), Just((0..n).collect::<Vec<usize>>()).prop_shuffle())
    })) {
        same(&everything(&d), &everything(&d.permuted(&order)))?;
    }

    #[test]
    fn invariant_to_the_scale_of_the_weights(d in data(), k in 0.01f64..100.0) {
        let mut scaled = d.clone();
        scaled.full.iter_mut().for_each(|w| *w *= k);
        same(&everything(&d), &everything(&scaled))?;
    }

    /// Doubling the sample into twice the PSUs leaves the means and shares unchanged
    /// and shrinks their sampling variance (B is unchanged: same PVs).
    #[test]
    fn standard_errors_shrink_with_n(d in data()) {
        let mean_and_share = [STATISTICS[0], STATISTICS[4]];
        let run = |d: &Data| {
            let weights = d.weights();
            let sample = Sample::new(&weights, None, report_all()).unwrap();
            let all = Grouping::everyone("all", d.full.len());
            let table = sample.table(Variable::Plausible(&d.pv), &all, &mean_and_share).unwrap();
            table.rows[0].value.clone().unwrap_or_default()
        };
        for (small, big) in run(&d).into_iter().zip(run(&d.doubled())) {
            let (small, big) = (small.unwrap(), big.unwrap());
            prop_assert!(close(small.estimate, big.estimate, 1e-9));
            prop_assert!(close(small.imputation_variance, big.imputation_variance, 1e-7));
            if small.sampling_variance > 1e-9 {
                prop_assert!(big.sampling_variance < small.sampling_variance, "{:?} vs {:?}", big, small);
                prop_assert!(big.se < small.se);
            }
        }
    }
}

#[test]
fn same_bits_whatever_the_thread_count() {
    let n = 3000;
    let d = Data {
        pv: (0..5)
            .map(|m| {
                (0..n)
                    .map(|i| 400.0 + ((i * 37 + m * 11) % 200) as f64 + 0.1 * m as f64)
                    .collect()
            })
            .collect(),
        ses: (0..n).map(|i| ((i * 17) % 23) as f64 / 10.0 - 1.0).collect(),
        full: (0..n).map(|i| 1.0 + ((i * 7) % 5) as f64 / 3.0).collect(),
        psu: (0..n).map(|i| i % 40).collect(),
        group: (0..n).map(|i| (i % 2) as u32).collect(),
    };
    let run = |threads| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| everything(&d))
    };
    let one = run(1);
    assert!(one.iter().all(Option::is_some));
    let bits = |v: &[Option<Estimate>]| -> Vec<u64> {
        v.iter()
            .flatten()
            .flat_map(|e| [e.estimate.to_bits(), e.se.to_bits(), e.df.to_bits()])
            .collect()
    };
    assert_eq!(bits(&one), bits(&run(2)));
    assert_eq!(bits(&one), bits(&run(3)));
}

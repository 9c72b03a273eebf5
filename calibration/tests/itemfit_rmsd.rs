//! RMSD and MD per item × group on simulated two-group data in which one item is
//! harder in group 2 (uniform DIF), at the true and at calibrated parameters, and
//! against a direct computation from each person's posterior.

use calibration::data::ResponseMatrix;
use calibration::em::{GroupParams, Options, calibrate};
use calibration::fit::{FitOptions, ItemRmsd, RmsdOptions, item_fit, rmsd};
use calibration::model::{ItemParams, Model};
use calibration::quadrature::Grid;
use calibration::simulate::{SimGroup, Simulation};

/// The item that is harder in group 2, and by how much (intercept shift).
const DIF_ITEM: usize = 6;
const SHIFT: f64 = -1.5;
/// A three-category graded item, to exercise the polytomous definitions.
const POLY_ITEM: usize = 11;

fn items() -> Vec<ItemParams> {
    (0..14)
        .map(|i| {
            if i == POLY_ITEM {
                ItemParams {
                    values: vec![1.1, 1.0, -0.8],
                    ..ItemParams::new(Model::Graded, 3)
                }
            } else {
                ItemParams {
                    values: vec![0.8 + 0.05 * i as f64, 1.3 - 0.2 * i as f64],
                    ..ItemParams::new(Model::TwoPl, 2)
                }
            }
        })
        .collect()
}

/// Simulates each group with its own item parameters and stacks them.
fn two_groups(n1: usize, n2: usize) -> (ResponseMatrix, [SimGroup; 2]) {
    let groups = [
        SimGroup {
            name: "A".into(),
            persons: n1,
            mean: 0.0,
            sd: 1.0,
        },
        SimGroup {
            name: "B".into(),
            persons: n2,
            mean: 0.4,
            sd: 1.1,
        },
    ];
    let mut shifted = items();
    shifted[DIF_ITEM].values[1] += SHIFT;
    let run = |items: Vec<ItemParams>, group: &SimGroup, seed: u64| {
        Simulation {
            items,
            booklets: vec![],
            groups: vec![group.clone()],
            seed,
        }
        .run()
        .0
    };
    let (a, b) = (run(items(), &groups[0], 11), run(shifted, &groups[1], 12));
    let data: Vec<u8> = (0..a.n_persons())
        .flat_map(|p| a.row(p).to_vec())
        .chain((0..b.n_persons()).flat_map(|p| b.row(p).to_vec()))
        .collect();
    let membership = [vec![0u16; n1], vec![1u16; n2]].concat();
    let matrix = ResponseMatrix::new(a.items().to_vec(), vec![], data)
        .unwrap()
        .with_groups(membership, vec!["A".into(), "B".into()])
        .unwrap();
    (matrix, groups)
}

fn true_groups(sim: &[SimGroup; 2]) -> Vec<GroupParams> {
    sim.iter()
        .enumerate()
        .map(|(g, s)| GroupParams {
            name: s.name.clone(),
            mean: s.mean,
            variance: s.sd * s.sd,
            free_mean: g > 0,
            free_variance: g > 0,
        })
        .collect()
}

fn show(result: &[ItemRmsd]) -> String {
    result
        .iter()
        .map(|it| {
            let cells: Vec<String> = it
                .groups
                .iter()
                .map(|g| {
                    format!(
                        "{} {:.3}/{:+.3}",
                        g.group,
                        g.rmsd.unwrap_or(f64::NAN),
                        g.md.unwrap_or(f64::NAN)
                    )
                })
                .collect();
            format!("{}: {}", it.item, cells.join("  "))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// At the parameters that generated group A, only the DIF item in group B is off.
#[test]
fn dif_item_stands_out_at_true_parameters() {
    let (matrix, sim) = two_groups(3000, 3000);
    let result = rmsd(
        &matrix,
        &items(),
        &true_groups(&sim),
        &Grid::mirt_default(),
        &RmsdOptions::default(),
    )
    .unwrap();
    let table = show(&result);
    for (i, item) in result.iter().enumerate() {
        for (g, cell) in item.groups.iter().enumerate() {
            let (r, md) = (cell.rmsd.unwrap(), cell.md.unwrap());
            if i == DIF_ITEM && g == 1 {
                assert!(r > 0.2 && cell.flagged, "{table}");
                assert!(md < -0.2, "harder in B means MD < 0:\n{table}");
            } else {
                // Only sampling noise (also in each group's realised ability distribution).
                assert!(r < 0.05 && md.abs() < 0.05 && !cell.flagged, "{table}");
            }
        }
    }
}

/// After a concurrent calibration (common item parameters, group B's distribution
/// free) with a large reference group, as in PISA: the DIF item is flagged in B and
/// nowhere else, and it is B's largest RMSD by far.
#[test]
fn dif_item_is_flagged_after_calibration() {
    let (matrix, _) = two_groups(4000, 1500);
    let start = matrix
        .categories()
        .iter()
        .map(|&k| ItemParams::new(if k > 2 { Model::Graded } else { Model::TwoPl }, k))
        .collect();
    let opts = Options::default();
    let fit = calibrate(&matrix, start, &opts, &mut |_| {}).unwrap();
    assert!(fit.converged);
    let result = rmsd(&matrix, &fit.items, &fit.groups, &opts.grid, &RmsdOptions::default()).unwrap();
    let table = show(&result);
    let flagged: Vec<(usize, usize)> = result
        .iter()
        .enumerate()
        .flat_map(|(i, it)| {
            it.groups
                .iter()
                .enumerate()
                .filter(|(_, c)| c.flagged)
                .map(move |(g, _)| (i, g))
        })
        .collect();
    assert_eq!(flagged, vec![(DIF_ITEM, 1)], "{table}");
    let b = |i: usize| result[i].groups[1].rmsd.unwrap();
    let next = (0..result.len()).filter(|&i| i != DIF_ITEM).map(b).fold(0.0, f64::max);
    assert!(b(DIF_ITEM) > 3.0 * next, "{table}");
    assert!(result[DIF_ITEM].groups[1].md.unwrap() < -0.12, "{table}");
}

/// The library's route (expected counts from the E-step of the group's own persons,
/// with their sampling weights) against the definition evaluated person by person.
#[test]
fn matches_a_direct_computation_from_posteriors() {
    let (matrix, sim) = two_groups(600, 700);
    let weights: Vec<f64> = (0..matrix.n_persons()).map(|p| 0.5 + (p % 7) as f64 * 0.25).collect();
    let matrix = matrix.with_weights(weights.clone()).unwrap();
    let items = items();
    let groups = true_groups(&sim);
    let grid = Grid::rectangular(31, -5.0, 5.0);
    let result = rmsd(&matrix, &items, &groups, &grid, &RmsdOptions::default()).unwrap();
    for (g, group) in groups.iter().enumerate() {
        let prior: Vec<f64> = grid
            .log_normal_weights(group.mean, group.variance)
            .iter()
            .map(|l| l.exp())
            .collect();
        for i in [DIF_ITEM, POLY_ITEM] {
            let k = usize::from(items[i].categories);
            // n[node][category]: posterior mass of the group's persons by the category they gave.
            let mut n = vec![vec![0.0; k]; grid.len()];
            for p in (0..matrix.n_persons()).filter(|&p| usize::from(matrix.groups()[p]) == g) {
                let mut post: Vec<f64> = grid
                    .nodes
                    .iter()
                    .zip(&prior)
                    .map(|(&theta, &w)| {
                        let mut like = w;
                        for (item, &x) in items.iter().zip(matrix.row(p)) {
                            let mut probs = vec![0.0; usize::from(item.categories)];
                            item.probs(theta, &mut probs);
                            like *= probs[usize::from(x)];
                        }
                        like
                    })
                    .collect();
                let total: f64 = post.iter().sum();
                post.iter_mut().for_each(|x| *x *= weights[p] / total);
                for (q, mass) in post.iter().enumerate() {
                    n[q][usize::from(matrix.get(p, i))] += mass;
                }
            }
            let (mut squared, mut signed) = (0.0, 0.0);
            let mut model = vec![0.0; k];
            for (q, &theta) in grid.nodes.iter().enumerate() {
                items[i].probs(theta, &mut model);
                let total: f64 = n[q].iter().sum();
                for c in 0..k {
                    let gap = n[q][c] / total - model[c];
                    squared += prior[q] * gap * gap;
                    signed += prior[q] * c as f64 * gap;
                }
            }
            let cell = &result[i].groups[g];
            let (want_rmsd, want_md) = ((squared / k as f64).sqrt(), signed / (k - 1) as f64);
            assert!(
                (cell.rmsd.unwrap() - want_rmsd).abs() < 1e-8,
                "{i}/{g}: {cell:?} vs {want_rmsd}"
            );
            assert!(
                (cell.md.unwrap() - want_md).abs() < 1e-8,
                "{i}/{g}: {cell:?} vs {want_md}"
            );
        }
    }
}

/// Everything goes into diagnostics.json as is: one report with S-X² per group,
/// mean squares per item and RMSD per item × group.
#[test]
fn the_full_report_serialises() {
    let (matrix, sim) = two_groups(300, 300);
    let report = item_fit(&matrix, &items(), &true_groups(&sim), &FitOptions::default()).unwrap();
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["s_x2"][1]["group"], "B");
    assert_eq!(json["s_x2"][1]["status"], "computed");
    assert!(json["s_x2"][0]["items"][DIF_ITEM]["s_x2"].is_f64());
    assert!(json["mean_squares"][POLY_ITEM]["infit"].is_f64());
    assert_eq!(json["rmsd"][0]["item"], "I001");
    assert_eq!(json["rmsd"][0]["groups"][1]["group"], "B");
    assert!(json["rmsd"][0]["groups"][1]["rmsd"].is_f64() && json["rmsd"][0]["groups"][1]["flagged"].is_boolean());
}

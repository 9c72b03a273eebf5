//! Infit/outfit mean squares: against TAM 4.3-25's `tam.fit` on PISA 2009 mathematics,
//! and on simulated Rasch data with items of known misfit.

use calibration::data::ResponseMatrix;
use calibration::em::{GroupParams, Options, calibrate};
use calibration::fit::{ItemMeanSquares, mean_squares};
use calibration::model::{ItemParams, Model};
use calibration::quadrature::Grid;
use calibration::simulate::{SimGroup, Simulation};
use serde_json::Value;

mod support;
use support::{load_matrix, reference};

/// TAM draws abilities from each person's posterior (`Nsimul` = 40 times for N = 565)
/// and averages; we take the exact posterior expectation (the limit of infinitely
/// many draws). On TAM's estimates and TAM's 21-node grid the two must agree up to
/// TAM's Monte Carlo error — for outfit, whose draws' spread we can compute exactly,
/// within four of TAM's Monte Carlo standard errors plus 0.002; infit (a ratio,
/// averaged over draws by TAM) within 0.01.
#[test]
fn pisa_math_rasch_against_tam() {
    let text = std::fs::read_to_string(reference().join("results/tam_pisaMath__Rasch.json")).unwrap();
    let r: Value = serde_json::from_str(&text).unwrap();
    let columns: Vec<String> = r["item_columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    let matrix = load_matrix(r["data_file"].as_str().unwrap(), &columns);
    // TAM: P(1) = σ(θ − ξ), so d = −ξ.
    let items: Vec<ItemParams> = r["xsi"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| ItemParams {
            values: vec![1.0, -x["xsi"].as_f64().unwrap()],
            ..ItemParams::new(Model::Rasch, 2)
        })
        .collect();
    let groups = [GroupParams {
        name: "all".into(),
        mean: 0.0,
        variance: r["variance"].as_f64().unwrap(),
        free_mean: false,
        free_variance: true,
    }];
    let grid = Grid::rectangular(21, -6.0, 6.0);
    let ours = mean_squares(&matrix, &items, &groups, &grid).unwrap();
    let draws = 40.0;
    let mut report = Vec::new();
    for ((got, tam), item) in ours.iter().zip(r["itemfit"].as_array().unwrap()).zip(&items) {
        assert_eq!(got.item, tam["parameter"].as_str().unwrap());
        assert!(got.note.is_none(), "a Rasch item needs no note");
        let (outfit, infit) = (got.outfit.unwrap(), got.infit.unwrap());
        let (tam_outfit, tam_infit) = (tam["Outfit"].as_f64().unwrap(), tam["Infit"].as_f64().unwrap());
        let mc_se = (outfit_draw_variance(&matrix, &items, &groups, &grid, &got.item, item) / draws).sqrt();
        report.push(format!(
            "{}: outfit {outfit:.4} vs TAM {tam_outfit:.4} (MC se {mc_se:.4}), infit {infit:.4} vs TAM {tam_infit:.4}",
            got.item
        ));
        assert!(
            (outfit - tam_outfit).abs() < 4.0 * mc_se + 0.002 && (infit - tam_infit).abs() < 0.01,
            "{}",
            report.join("\n")
        );
    }
    println!("{}", report.join("\n"));
}

/// The variance of one of TAM's Monte Carlo outfit draws: (1/N²) Σ_n Var_posterior(z²_n),
/// computed directly from each person's posterior (independently of the library's
/// E-step, which also makes this a check of the expected-count route).
fn outfit_draw_variance(
    matrix: &ResponseMatrix,
    items: &[ItemParams],
    groups: &[GroupParams],
    grid: &Grid,
    name: &str,
    item: &ItemParams,
) -> f64 {
    let i = matrix.items().iter().position(|n| n == name).unwrap();
    let prior = grid.log_normal_weights(groups[0].mean, groups[0].variance);
    let mut p = [0.0; 2];
    let mut total = 0.0;
    let n = matrix.n_persons() as f64;
    for person in 0..matrix.n_persons() {
        let row = matrix.row(person);
        let mut log_post: Vec<f64> = prior.clone();
        for (q, &theta) in grid.nodes.iter().enumerate() {
            for (it, &x) in items.iter().zip(row) {
                it.probs(theta, &mut p);
                log_post[q] += p[usize::from(x)].ln();
            }
        }
        let max = log_post.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let post: Vec<f64> = log_post.iter().map(|l| (l - max).exp()).collect();
        let norm: f64 = post.iter().sum();
        let x = f64::from(row[i]);
        let (mut m1, mut m2) = (0.0, 0.0);
        for (q, &theta) in grid.nodes.iter().enumerate() {
            item.probs(theta, &mut p);
            let z2 = (x - p[1]).powi(2) / (p[0] * p[1]);
            m1 += post[q] / norm * z2;
            m2 += post[q] / norm * z2 * z2;
        }
        total += m2 - m1 * m1;
    }
    total / (n * n)
}

fn rasch_item(d: f64) -> ItemParams {
    ItemParams {
        values: vec![1.0, d],
        ..ItemParams::new(Model::Rasch, 2)
    }
}

/// Rasch data with two deliberately misfitting items: item 4 discriminates much
/// more than the rest (slope 2.5: Guttman-like, overfit — mean squares below 1),
/// item 9 much less (slope 0.35: noisy, underfit — above 1).
fn simulated() -> ResponseMatrix {
    let mut items: Vec<ItemParams> = (0..16).map(|i| rasch_item(1.6 - 0.2 * i as f64)).collect();
    for (i, slope) in [(4, 2.5), (9, 0.35)] {
        items[i] = ItemParams {
            values: vec![slope, items[i].values[1] * slope],
            ..ItemParams::new(Model::TwoPl, 2)
        };
    }
    let simulation = Simulation {
        items,
        booklets: vec![],
        groups: vec![SimGroup {
            name: "all".into(),
            persons: 3000,
            mean: 0.0,
            sd: 1.0,
        }],
        seed: 20240611,
    };
    simulation.run().0
}

fn fitted(matrix: &ResponseMatrix, model: Model) -> Vec<ItemMeanSquares> {
    let start = matrix.categories().iter().map(|&k| ItemParams::new(model, k)).collect();
    let opts = Options::default();
    let fit = calibrate(matrix, start, &opts, &mut |_| {}).unwrap();
    assert!(fit.converged);
    mean_squares(matrix, &fit.items, &fit.groups, &opts.grid).unwrap()
}

#[test]
fn rasch_fit_shows_the_items_simulated_with_other_slopes() {
    let matrix = simulated();
    let fit = fitted(&matrix, Model::Rasch);
    for (i, item) in fit.iter().enumerate() {
        let (infit, outfit) = (item.infit.unwrap(), item.outfit.unwrap());
        match i {
            4 => {
                assert!(infit < 0.9 && outfit < 0.8, "steep item {i}: {item:?}");
                assert!(item.infit_t.unwrap() < -5.0, "{item:?}");
            }
            9 => {
                assert!(infit > 1.12 && outfit > 1.15, "flat item {i}: {item:?}");
                assert!(item.infit_t.unwrap() > 5.0, "{item:?}");
            }
            _ => assert!(
                (0.95..1.05).contains(&infit) && (0.92..1.08).contains(&outfit) && item.infit_t.unwrap().abs() < 3.0,
                "fitting item {i}: {item:?}"
            ),
        }
        assert!((item.respondents - 3000.0).abs() < 1e-6);
    }
}

/// The same data under the 2PL: the slopes are in the model now, so every item fits
/// — the mean squares measure misfit against the item's own model (and say so).
#[test]
fn under_the_2pl_the_same_items_fit() {
    let matrix = simulated();
    for item in fitted(&matrix, Model::TwoPl) {
        let (infit, outfit) = (item.infit.unwrap(), item.outfit.unwrap());
        assert!(
            (0.93..1.07).contains(&infit) && (0.85..1.15).contains(&outfit),
            "{item:?}"
        );
        assert!(item.note.as_deref().is_some_and(|n| n.contains("own model")));
    }
}

/// Booklet designs: persons answer only some items; each item's statistics use its
/// own respondents.
#[test]
fn rotated_booklets_use_each_items_respondents() {
    let items: Vec<ItemParams> = (0..9).map(|i| rasch_item(1.0 - 0.25 * i as f64)).collect();
    let simulation = Simulation {
        items: items.clone(),
        booklets: vec![vec![0, 1, 2, 3, 4, 5], vec![3, 4, 5, 6, 7, 8], vec![6, 7, 8, 0, 1, 2]],
        groups: vec![SimGroup {
            name: "all".into(),
            persons: 3000,
            mean: 0.0,
            sd: 1.0,
        }],
        seed: 5,
    };
    let matrix = simulation.run().0;
    let groups = [GroupParams {
        name: "all".into(),
        mean: 0.0,
        variance: 1.0,
        free_mean: false,
        free_variance: true,
    }];
    let fit = mean_squares(&matrix, &items, &groups, &Grid::mirt_default()).unwrap();
    for item in &fit {
        assert!((item.respondents - 2000.0).abs() < 1e-6, "{item:?}");
        assert!((0.93..1.07).contains(&item.infit.unwrap()), "{item:?}");
        assert!((0.9..1.1).contains(&item.outfit.unwrap()), "{item:?}");
    }
}

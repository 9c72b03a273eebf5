//! Same inputs, same bits, whatever the thread count (DESIGN.md §4).

use calibration::em::{Options, calibrate};
use calibration::model::{ItemParams, Model};
use calibration::simulate::{SimGroup, Simulation};

#[test]
fn one_and_two_threads_give_identical_bits() {
    let items: Vec<ItemParams> = (0..12)
        .map(|i| match i % 3 {
            0 => ItemParams {
                values: vec![1.1, 0.4 - 0.1 * i as f64],
                ..ItemParams::new(Model::TwoPl, 2)
            },
            1 => ItemParams {
                values: vec![0.9, 1.2, 0.0, -1.3],
                ..ItemParams::new(Model::Graded, 4)
            },
            _ => ItemParams {
                values: vec![0.7, 0.6, -0.5],
                ..ItemParams::new(Model::Gpcm, 3)
            },
        })
        .collect();
    // More persons than one E-step chunk, two groups, booklets: every parallel path.
    let sim = Simulation {
        items: items.clone(),
        booklets: vec![(0..8).collect(), (4..12).collect(), (0..4).chain(8..12).collect()],
        groups: vec![
            SimGroup {
                name: "a".into(),
                persons: 6000,
                mean: 0.0,
                sd: 1.0,
            },
            SimGroup {
                name: "b".into(),
                persons: 5000,
                mean: -0.3,
                sd: 0.9,
            },
        ],
        seed: 5,
    };
    let (matrix, _) = sim.run();
    let start: Vec<ItemParams> = items.iter().map(|i| ItemParams::new(i.model, i.categories)).collect();
    let opts = Options {
        standard_errors: true,
        ..Options::default()
    };
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| calibrate(&matrix, start.clone(), &opts, &mut |_| {}).unwrap())
    };
    let (one, two) = (run(1), run(2));
    assert_eq!(one.loglik.to_bits(), two.loglik.to_bits());
    assert_eq!(one, two, "every estimate, SE and history entry must match bit for bit");
}

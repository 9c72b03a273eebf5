//! Linking on exact and hand-computed parameters: every method recovers a known
//! transformation, the transformation preserves probabilities, the errors follow their
//! formulas, drift screening finds a planted drifting item, and bad input is refused.

use calibration::em::GroupParams;
use calibration::linking::{
    Anchor, DriftRule, LinkError, LinkOptions, Method, Quadrature, Round, RoundItems, Transform, common_items, link,
};
use calibration::model::{ItemParams, Model, logit};
use calibration::quadrature::Grid;

/// The truth of the recovery tests: θ_base = 1.2·θ_new − 0.5.
const TRUTH: Transform = Transform { a: 1.2, b: -0.5 };

/// Its inverse, which takes base-scale parameters to the new scale.
fn inverse(t: Transform) -> Transform {
    Transform {
        a: 1.0 / t.a,
        b: -t.b / t.a,
    }
}

fn item(model: Model, categories: u8, values: &[f64]) -> ItemParams {
    ItemParams {
        values: values.to_vec(),
        ..ItemParams::new(model, categories)
    }
}

/// Ten base items of every linkable model with a spread of slopes and locations.
fn base_items() -> Vec<ItemParams> {
    vec![
        item(Model::TwoPl, 2, &[1.1, 0.4]),
        item(Model::TwoPl, 2, &[0.7, -0.9]),
        item(Model::TwoPl, 2, &[1.6, 1.3]),
        item(Model::ThreePl, 2, &[1.4, -0.2, logit(0.2)]),
        item(Model::ThreePl, 2, &[2.0, 1.5, logit(0.15)]),
        item(Model::Graded, 4, &[1.2, 2.1, 0.3, -1.4]),
        item(Model::Graded, 3, &[0.9, 0.8, -1.1]),
        item(Model::Gpcm, 3, &[1.0, 0.6, 0.2]),
        item(Model::Gpcm, 4, &[0.8, 1.1, 1.3, 0.2]),
        item(Model::TwoPl, 2, &[1.3, -1.8]),
    ]
}

/// Anchors whose new-round parameters are the base ones put exactly on the new scale.
fn exact_anchors(truth: Transform) -> Vec<Anchor> {
    base_items()
        .into_iter()
        .enumerate()
        .map(|(i, base)| Anchor {
            name: format!("item{i}"),
            new: inverse(truth).item(&base),
            base,
            base_covariance: None,
            new_covariance: None,
        })
        .collect()
}

fn assert_recovers(options: &LinkOptions, anchors: &[Anchor], truth: Transform) {
    let linking = link(anchors, options).unwrap();
    assert_eq!(linking.methods.len(), options.methods.len());
    for m in &linking.methods {
        let t = m.transform;
        assert!(
            (t.a - truth.a).abs() < 1e-6 && (t.b - truth.b).abs() < 1e-6,
            "{}: {t:?}",
            m.method
        );
        // Exact data: every replicate is exact too, and nothing is estimated.
        let jk = m.item_sampling_se.unwrap();
        assert!(jk.a < 1e-6 && jk.b < 1e-6, "{}: {jk:?}", m.method);
        assert!(m.estimation_se.is_none());
        if let Some(c) = m.criterion {
            assert!(c < 1e-20, "{}: criterion {c}", m.method);
        }
    }
}

#[test]
fn every_method_recovers_an_exact_transformation() {
    let anchors = exact_anchors(TRUTH);
    assert_recovers(&LinkOptions::default(), &anchors, TRUTH);
    // Haebara's symmetric criterion, with the new group's N(0, 1).
    let symmetric = LinkOptions {
        symmetric: Some(Quadrature::default()),
        ..LinkOptions::default()
    };
    assert_recovers(&symmetric, &anchors, TRUTH);
    // Custom nodes and weights: uniform on [−4, 4], and a normal not centred at 0.
    let uniform = Grid::rectangular(41, -4.0, 4.0);
    let custom = LinkOptions {
        weights: Quadrature {
            weights: vec![1.0; uniform.len()],
            nodes: uniform.nodes,
        },
        symmetric: Some(Quadrature::normal(&Grid::rectangular(31, -5.0, 5.0), 0.5, 1.5)),
        ..LinkOptions::default()
    };
    assert_recovers(&custom, &anchors, TRUTH);
    // A contraction with a positive shift.
    assert_recovers(
        &LinkOptions::default(),
        &exact_anchors(Transform { a: 0.8, b: 0.7 }),
        Transform { a: 0.8, b: 0.7 },
    );
}

#[test]
fn transformed_items_give_the_same_probabilities() {
    let t = Transform { a: 1.3, b: 0.4 };
    for new in base_items() {
        let moved = t.item(&new);
        let k = usize::from(new.categories);
        let (mut p_new, mut p_base) = (vec![0.0; k], vec![0.0; k]);
        for theta_new in [-3.0, -1.0, 0.0, 0.5, 2.0] {
            new.probs(theta_new, &mut p_new);
            moved.probs(t.theta(theta_new), &mut p_base);
            for (x, y) in p_new.iter().zip(&p_base) {
                assert!((x - y).abs() < 1e-14, "{new:?}");
            }
        }
        // IRT form: a* = a/A, every threshold b* = A·b + B, g unchanged.
        let (before, after) = (new.irt(), moved.irt());
        assert!((after.a - before.a / t.a).abs() < 1e-14);
        for (b, b_star) in before.b.iter().zip(&after.b) {
            assert!((b_star - (t.a * b + t.b)).abs() < 1e-12);
        }
        assert_eq!(before.g, after.g);
    }
    let group = GroupParams {
        name: "round 2".into(),
        mean: 0.2,
        variance: 0.8,
        free_mean: true,
        free_variance: true,
    };
    let moved = t.group(&group);
    assert!((moved.mean - (1.3 * 0.2 + 0.4)).abs() < 1e-15);
    assert!((moved.variance - 1.69 * 0.8).abs() < 1e-15);
    assert_eq!(moved.name, "round 2");
}

/// A small example computed by hand; the GPCM item shows the pooling of thresholds.
///
/// IRT form (a; b), slope–intercept d = −a·b (GPCM: d₁ = −a·b₁, d₂ = d₁ − a·b₂):
///
/// | item | base a | base b | new a | new b |
/// |---|---|---|---|---|
/// | 1 (2PL) | 1.0 | −1.0 | 1.25 | −1.5 |
/// | 2 (2PL) | 0.5 | 0.0 | 0.5 | −0.5 |
/// | 3 (2PL) | 1.5 | 2.0 | 1.75 | 0.5 |
/// | 4 (GPCM) | 1.0 | −0.5, 0.5 | 1.0 | −1.0, 0.0 |
///
/// Slopes, one per item: mean 4.0/4 = 1.0 (base), 4.5/4 = 1.125 (new).
/// Thresholds, all five: base mean 1.0/5 = 0.2, deviations −1.2, −0.2, 1.8, −0.7, 0.3, sum of
/// squares 5.3, variance 1.06; new mean −2.5/5 = −0.5, deviations −1, 0, 1, −0.5, 0.5, sum of
/// squares 2.5, variance 0.5.
///
/// - mean–mean: A = 1.125/1.0 = 1.125, B = 0.2 − 1.125·(−0.5) = 0.7625;
/// - mean–sigma: A = √(1.06/0.5) = √2.12, B = 0.2 + 0.5·√2.12.
#[test]
fn moment_methods_match_a_hand_computed_example() {
    let two_pl = |a: f64, b: f64| item(Model::TwoPl, 2, &[a, -a * b]);
    let gpcm = |a: f64, b1: f64, b2: f64| item(Model::Gpcm, 3, &[a, -a * b1, -a * b1 - a * b2]);
    let pairs = [
        (two_pl(1.0, -1.0), two_pl(1.25, -1.5)),
        (two_pl(0.5, 0.0), two_pl(0.5, -0.5)),
        (two_pl(1.5, 2.0), two_pl(1.75, 0.5)),
        (gpcm(1.0, -0.5, 0.5), gpcm(1.0, -1.0, 0.0)),
    ];
    let anchors: Vec<Anchor> = pairs
        .into_iter()
        .enumerate()
        .map(|(i, (base, new))| Anchor {
            name: format!("item{}", i + 1),
            base,
            new,
            base_covariance: None,
            new_covariance: None,
        })
        .collect();
    let options = LinkOptions {
        methods: vec![Method::MeanMean, Method::MeanSigma],
        ..LinkOptions::default()
    };
    let linking = link(&anchors, &options).unwrap();
    let mm = linking.method(Method::MeanMean).unwrap().transform;
    let ms = linking.method(Method::MeanSigma).unwrap().transform;
    assert!((mm.a - 1.125).abs() < 1e-14 && (mm.b - 0.7625).abs() < 1e-14, "{mm:?}");
    let a = 2.12f64.sqrt();
    assert!(
        (ms.a - a).abs() < 1e-14 && (ms.b - (0.2 + 0.5 * a)).abs() < 1e-14,
        "{ms:?}"
    );
}

/// Rasch anchors: mean–mean has A = 1 and B = mean(b_base − b_new), and its jackknife over
/// items is PISA's linking error SD(b_base − b_new)/√n (sample SD) exactly.
#[test]
fn rasch_jackknife_is_the_pisa_linking_error() {
    let b_base = [-1.2, -0.4, 0.1, 0.5, 0.9, 1.6];
    let shifts = [0.31, 0.18, 0.42, 0.25, 0.09, 0.35];
    let anchors: Vec<Anchor> = b_base
        .iter()
        .zip(&shifts)
        .enumerate()
        .map(|(i, (&b, &shift))| Anchor {
            name: format!("item{i}"),
            base: item(Model::Rasch, 2, &[1.0, -b]),
            new: item(Model::Rasch, 2, &[1.0, -(b - shift)]),
            base_covariance: None,
            new_covariance: None,
        })
        .collect();
    let options = LinkOptions {
        methods: vec![Method::MeanMean],
        ..LinkOptions::default()
    };
    let m = link(&anchors, &options).unwrap().methods[0].clone();
    let n = shifts.len() as f64;
    let mean = shifts.iter().sum::<f64>() / n;
    let sd = (shifts.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    assert!((m.transform.a - 1.0).abs() < 1e-15);
    assert!((m.transform.b - mean).abs() < 1e-14);
    let jk = m.item_sampling_se.unwrap();
    assert!((jk.b - sd / n.sqrt()).abs() < 1e-14, "{} vs {}", jk.b, sd / n.sqrt());
    assert!(jk.a < 1e-15);
}

/// Mean–mean with 2PL anchors whose only uncertain value is the new round's intercept:
/// B = mean(b_base) − A·mean(b_new), b_new,j = −d_j/a_j, so ∂B/∂d_j = A/(n·a_j) and
/// Var(B) = Σ_j (A/(n·a_j))² Var(d_j); A does not depend on d.
#[test]
fn delta_method_matches_the_analytic_jacobian() {
    let slopes = [0.8, 1.0, 1.4, 1.1];
    let variances = [0.01, 0.04, 0.02, 0.03];
    let anchors: Vec<Anchor> = slopes
        .iter()
        .zip(&variances)
        .enumerate()
        .map(|(i, (&a, &v))| {
            let base = item(Model::TwoPl, 2, &[a, 0.3 * i as f64 - 0.5]);
            Anchor {
                name: format!("item{i}"),
                new: inverse(TRUTH).item(&base),
                base,
                base_covariance: None,
                new_covariance: Some(vec![0.0, 0.0, 0.0, v]),
            }
        })
        .collect();
    let options = LinkOptions {
        methods: vec![Method::MeanMean],
        ..LinkOptions::default()
    };
    let m = link(&anchors, &options).unwrap().methods[0].clone();
    let a = m.transform.a;
    let n = slopes.len() as f64;
    let new_slopes: Vec<f64> = anchors.iter().map(|x| x.new.values[0]).collect();
    let var_b: f64 = new_slopes
        .iter()
        .zip(&variances)
        .map(|(s, v)| (a / (n * s)).powi(2) * v)
        .sum();
    let se = m.estimation_se.unwrap();
    assert!((se.b - var_b.sqrt()).abs() < 1e-8, "{} vs {}", se.b, var_b.sqrt());
    assert!(se.a < 1e-9 && se.covariance.abs() < 1e-9, "{se:?}");
    // The SE of the new round's mean at θ_new = 1 adds nothing from A here.
    assert!((se.at(1.0) - se.b).abs() < 1e-8);
}

#[test]
fn drift_screening_drops_a_planted_item() {
    let mut anchors = exact_anchors(TRUTH);
    // Item 5 (graded) became 0.8 logits harder on the base scale in the new round.
    let drifting = &mut anchors[5].new;
    let shift = 0.8 / TRUTH.a * drifting.values[0];
    drifting.values[1..].iter_mut().for_each(|d| *d -= shift);
    for screening in Method::ALL {
        let options = LinkOptions {
            drift: Some(DriftRule {
                threshold: 2.0,
                screening,
            }),
            ..LinkOptions::default()
        };
        let linking = link(&anchors, &options).unwrap();
        assert_eq!(linking.dropped.len(), 1, "{screening}: {:?}", linking.dropped);
        let dropped = &linking.dropped[0];
        assert_eq!(dropped.name, "item5");
        assert!(dropped.z > 2.0);
        assert_eq!(linking.anchors.len(), 9);
        assert!(!linking.anchors.contains(&"item5".to_string()));
        for m in &linking.methods {
            assert!((m.transform.a - TRUTH.a).abs() < 1e-6 && (m.transform.b - TRUTH.b).abs() < 1e-6);
        }
    }
    // Without the rule the drift biases every method.
    let plain = link(&anchors, &LinkOptions::default()).unwrap();
    assert!(plain.dropped.is_empty());
    assert!(plain.methods.iter().all(|m| (m.transform.b - TRUTH.b).abs() > 1e-3));
}

#[test]
fn common_items_pair_by_name() {
    let base_names: Vec<String> = ["x", "a", "b", "c"].iter().map(|s| s.to_string()).collect();
    let new_names: Vec<String> = ["c", "y", "a"].iter().map(|s| s.to_string()).collect();
    let items = base_items();
    let base_cov: Vec<Vec<f64>> = (0..4).map(|i| vec![i as f64; 4]).collect();
    let anchors = common_items(
        RoundItems {
            names: &base_names,
            items: &items[..4],
            covariances: Some(&base_cov),
        },
        RoundItems {
            names: &new_names,
            items: &items[..3],
            covariances: None,
        },
    )
    .unwrap();
    let names: Vec<&str> = anchors.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["a", "c"]);
    assert_eq!(anchors[0].base, items[1]);
    assert_eq!(anchors[0].new, items[2]);
    assert_eq!(anchors[1].base_covariance, Some(vec![3.0; 4]));
    assert_eq!(anchors[1].new_covariance, None);
    let err = common_items(
        RoundItems {
            names: &new_names,
            items: &items[..2],
            covariances: None,
        },
        RoundItems {
            names: &new_names,
            items: &items[..3],
            covariances: None,
        },
    );
    assert!(matches!(err, Err(LinkError::RoundShape { round: Round::Base, .. })));
}

#[test]
fn bad_input_is_refused_with_a_reason() {
    let anchors = exact_anchors(TRUTH);
    let options = LinkOptions::default();
    let run = |anchors: &[Anchor]| link(anchors, &options).unwrap_err();

    assert_eq!(run(&anchors[..1]), LinkError::TooFewItems(1));
    assert_eq!(run(&[]), LinkError::TooFewItems(0));

    let mut twice = anchors.clone();
    twice[1].name = twice[0].name.clone();
    assert_eq!(run(&twice), LinkError::DuplicateItem("item0".into()));

    let mut model = anchors.clone();
    model[0].new = item(Model::Graded, 2, &[1.0, 0.0]);
    assert!(
        matches!(run(&model), LinkError::ModelMismatch { ref item, base: "2pl", new: "graded" } if item == "item0")
    );

    let mut categories = anchors.clone();
    categories[5].new = item(Model::Graded, 3, &[1.0, 0.5, -0.5]);
    assert!(matches!(
        run(&categories),
        LinkError::CategoryMismatch { base: 4, new: 3, .. }
    ));

    let mut slope = anchors.clone();
    slope[2].base.values[0] = -0.3;
    let err = run(&slope);
    assert!(
        matches!(err, LinkError::NonPositiveSlope { round: Round::Base, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("item2"), "{err}");
    slope[2].base.values[0] = 0.0;
    assert!(matches!(run(&slope), LinkError::NonPositiveSlope { .. }));

    let mut values = anchors.clone();
    values[0].new.values.push(0.1);
    assert!(matches!(run(&values), LinkError::Malformed { round: Round::New, .. }));
    let mut nan = anchors.clone();
    nan[3].base.values[1] = f64::NAN;
    assert!(matches!(run(&nan), LinkError::Malformed { .. }));
    let mut disordered = anchors.clone();
    disordered[5].base.values[1..].reverse();
    assert!(matches!(run(&disordered), LinkError::Malformed { .. }));

    let mut covariance = anchors.clone();
    covariance[0].new_covariance = Some(vec![0.1; 3]);
    assert!(matches!(run(&covariance), LinkError::Malformed { .. }));
    covariance[0].new_covariance = Some(vec![-0.1, 0.0, 0.0, 0.1]);
    assert!(matches!(run(&covariance), LinkError::Malformed { .. }));

    // Mean–sigma needs a spread of thresholds.
    let flat: Vec<Anchor> = (0..2)
        .map(|i| Anchor {
            name: format!("flat{i}"),
            base: item(Model::TwoPl, 2, &[1.0 + i as f64, 0.0]),
            new: item(Model::TwoPl, 2, &[1.0, 0.0]),
            base_covariance: None,
            new_covariance: None,
        })
        .collect();
    assert_eq!(run(&flat), LinkError::NoSpread(Round::Base));

    let weights = |w: Quadrature| {
        link(
            &anchors,
            &LinkOptions {
                weights: w,
                ..LinkOptions::default()
            },
        )
        .unwrap_err()
    };
    assert!(matches!(
        weights(Quadrature {
            nodes: vec![0.0, 1.0],
            weights: vec![1.0]
        }),
        LinkError::Weights { .. }
    ));
    assert!(matches!(
        weights(Quadrature {
            nodes: vec![0.0, 1.0],
            weights: vec![1.0, -1.0]
        }),
        LinkError::Weights { .. }
    ));
    assert!(matches!(
        weights(Quadrature {
            nodes: vec![0.0, 1.0],
            weights: vec![1.0, 0.0]
        }),
        LinkError::Weights { .. }
    ));

    let drift = LinkOptions {
        drift: Some(DriftRule {
            threshold: 0.0,
            screening: Method::MeanSigma,
        }),
        ..LinkOptions::default()
    };
    assert_eq!(link(&anchors, &drift).unwrap_err(), LinkError::DriftThreshold(0.0));
}

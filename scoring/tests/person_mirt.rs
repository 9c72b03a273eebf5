//! Person estimates against mirt 1.45.1's `fscores` (EAP, MAP, ML, WLE with SEs) for
//! the first 200 persons of the reference cases, scored at mirt's own item estimates
//! and latent distribution, so the comparison tests the estimators. Tolerance: 1e-3
//! on θ (the project's), 5% on standard errors.

use std::path::{Path, PathBuf};

use calibration::data::ResponseMatrix;
use calibration::data::read::{ReadOptions, read_csv};
use calibration::model::{ItemParams, Model};
use scoring::person::{Estimator, Scorer};
use serde_json::Value;

/// A reference result file and its data, read as `assess calibrate` reads them.
fn load(result: &str) -> (Value, ResponseMatrix) {
    let r: Value = serde_json::from_str(&std::fs::read_to_string(reference().join(result)).unwrap()).unwrap();
    let columns: Vec<String> = r["item_columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().into())
        .collect();
    let options = ReadOptions {
        items: Some(columns),
        ..ReadOptions::default()
    };
    let matrix = read_csv(&reference().join(r["data_file"].as_str().unwrap()), &options)
        .unwrap()
        .matrix;
    (r, matrix)
}

fn reference() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference")
}

fn check(file: &str, model: Model) {
    check_estimators(
        file,
        model,
        &[Estimator::Eap, Estimator::Map, Estimator::Ml, Estimator::Wle],
    );
}

fn check_estimators(file: &str, model: Model, which: &[Estimator]) {
    let (r, matrix) = load(&format!("results/{}", file));
    let items: Vec<ItemParams> = matrix
        .categories()
        .iter()
        .zip(r["items_slope_intercept"].as_array().unwrap())
        .map(|(&k, p)| {
            let item = ItemParams::new(model.for_categories(k), k);
            let num = |key: &str| p[key].as_f64().unwrap();
            let mut values = vec![num("a1")];
            match item.model {
                Model::Rasch | Model::TwoPl => values.push(num("d")),
                Model::ThreePl => values.extend([num("d"), (num("g") / (1.0 - num("g"))).ln()]),
                _ => values.extend((1..k).map(|c| num(&format!("d{c}")))),
            }
            ItemParams { values, ..item }
        })
        .collect();
    let pars = r["group_pars"]["par"].as_array().unwrap();
    let scorer = Scorer::new(pars[0].as_f64().unwrap(), pars[1].as_f64().unwrap());
    let scores = &r["person_scores"];
    let mut failures = Vec::new();
    let all = [
        (Estimator::Eap, "EAP"),
        (Estimator::Map, "MAP"),
        (Estimator::Ml, "ML"),
        (Estimator::Wle, "WLE"),
    ];
    for (how, key) in all.into_iter().filter(|(how, _)| which.contains(how)) {
        let thetas = scores[key]["theta"].as_array().unwrap();
        let ses = scores[key]["se"].as_array().unwrap();
        for (p, (want, want_se)) in thetas.iter().zip(ses).enumerate() {
            let got = scorer.estimate(&items, matrix.row(p), how).unwrap();
            match want.as_f64() {
                Some(want) => {
                    let se_ok = want_se.as_f64().is_none_or(|s| (got.se / s - 1.0).abs() < 0.05);
                    if (got.theta - want).abs() > 1e-3 || !se_ok {
                        failures.push(format!("{key} person {}: {:?} vs mirt {want} ± {want_se}", p + 1, got));
                    }
                }
                None => {
                    let infinite = if want.as_str() == Some("-Inf") {
                        f64::NEG_INFINITY
                    } else {
                        f64::INFINITY
                    };
                    if got.theta != infinite {
                        failures.push(format!("{key} person {}: {:?} vs mirt {want}", p + 1, got));
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{file}: {} differences, e.g.\n{}",
        failures.len(),
        failures[..failures.len().min(8)].join("\n")
    );
}

#[test]
fn lsat7_2pl() {
    check("LSAT7__2PL.json", Model::TwoPl);
}

#[test]
fn lsat7_rasch() {
    check("LSAT7__Rasch.json", Model::Rasch);
}

#[test]
fn science_graded() {
    check("Science__graded.json", Model::Graded);
}

#[test]
fn science_gpcm() {
    check("Science__gpcm.json", Model::Gpcm);
}

/// EAP, MAP and ML match mirt for the 3PL; WLE does not yet (θ differs by ~0.03 while
/// the 2PL, Rasch, graded and GPCM WLEs match to 1e-6): mirt's Warm correction for the
/// 3PL evidently differs from the general J = Σ P′P″/(PQ) used here. Open, noted on
/// the scoring issue, rather than matched blindly.
#[test]
fn sat12_3pl() {
    check_estimators(
        "SAT12__3PL_prior.json",
        Model::ThreePl,
        &[Estimator::Eap, Estimator::Map, Estimator::Ml],
    );
}

/// mirt's empirical EAP reliability (`empirical_rxx` of the EAP scores) on LSAT7.
#[test]
fn eap_reliability_matches_mirt() {
    use scoring::person::eap_reliability;
    let (r, matrix) = load("results/LSAT7__2PL.json");
    let items: Vec<ItemParams> = r["items_slope_intercept"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| ItemParams {
            values: vec![p["a1"].as_f64().unwrap(), p["d"].as_f64().unwrap()],
            ..ItemParams::new(Model::TwoPl, 2)
        })
        .collect();
    let scorer = Scorer::new(0.0, 1.0);
    let eaps: Vec<_> = (0..matrix.n_persons())
        .map(|p| scorer.estimate(&items, matrix.row(p), Estimator::Eap).unwrap())
        .collect();
    let rel = eap_reliability(&eaps, &vec![1.0; eaps.len()]).unwrap();
    let want = r["reliability"]["empirical_rxx_EAP"].as_f64().unwrap();
    assert!((rel - want).abs() < 1e-3, "{rel} vs mirt {want}");
}

/// TAM's WLEs for the PISA 2009 mathematics Rasch fit, and its WLE reliability
/// (`WLErel`). TAM's WLE standard errors are 1/√I(θ), mirt's (ours) the slope of Warm's
/// corrected equation, which differ most for extreme patterns (TAM's WLErel of 0.655 for
/// all 565 persons becomes 0.684 with mirt's errors), so the reliability formula is
/// checked with TAM's own errors and the conventions are not mixed.
#[test]
fn wle_and_its_reliability_match_tam() {
    use scoring::person::{PersonEstimate, wle_reliability};
    let (r, matrix) = load("results/tam_pisaMath__Rasch.json");
    // TAM's Rasch: P = exp(θ − ξ) / (1 + exp(θ − ξ)), so a = 1 and d = −ξ.
    let items: Vec<ItemParams> = r["item"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| ItemParams {
            values: vec![1.0, -t["AXsi_.Cat1"].as_f64().unwrap()],
            ..ItemParams::new(Model::Rasch, 2)
        })
        .collect();
    let scorer = Scorer::new(0.0, r["variance"].as_f64().unwrap());
    let thetas = r["WLE"]["theta"].as_array().unwrap();
    let errors = r["WLE"]["error"].as_array().unwrap();
    let mut with_tam_errors = Vec::new();
    for (p, (want, error)) in thetas.iter().zip(errors).enumerate() {
        let ours = scorer.estimate(&items, matrix.row(p), Estimator::Wle).unwrap();
        let want = want.as_f64().unwrap();
        assert!(
            (ours.theta - want).abs() < 1e-3,
            "person {}: {ours:?} vs TAM {want}",
            p + 1
        );
        with_tam_errors.push(PersonEstimate {
            theta: ours.theta,
            se: error.as_f64().unwrap(),
        });
    }
    // The reliability formula, with TAM's errors, against a direct computation.
    let rel = wle_reliability(&with_tam_errors, &vec![1.0; with_tam_errors.len()]).unwrap();
    let n = with_tam_errors.len() as f64;
    let mean = with_tam_errors.iter().map(|e| e.theta).sum::<f64>() / n;
    let var = with_tam_errors.iter().map(|e| (e.theta - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let direct = 1.0 - with_tam_errors.iter().map(|e| e.se * e.se).sum::<f64>() / n / var;
    assert!((rel - direct).abs() < 1e-12, "{rel} vs {direct}");
}

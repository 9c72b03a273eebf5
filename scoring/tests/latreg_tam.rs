//! The latent regression against TAM 4.3-25 (`tam.mml(resp, Y = Y)` on PISA 2009
//! Austria maths, 565 students in 51 schools): with the items fixed at TAM's ξ and on
//! TAM's 21 nodes, the regression coefficients and the residual variance must match
//! within 1e-3, the EAPs under the fitted prior within 1e-3, and plausible values must
//! scatter around the EAP as draws from the posterior do.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use calibration::model::{ItemParams, Model};
use calibration::quadrature::Grid;
use scoring::latreg::{self, Data, Design, Options, PvOptions, person_key};
use serde_json::Value;

fn reference() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference")
}

struct Case {
    items: Vec<ItemParams>,
    responses: Vec<u8>,
    design: Design,
    ids: Vec<String>,
    result: Value,
}

/// The data with Y = (1, female, hisei, migra, school mean of hisei), as in the result file.
fn case() -> Case {
    let result: Value = serde_json::from_str(
        &std::fs::read_to_string(reference().join("results/tam_pisaMath__Rasch_latreg_PV.json")).unwrap(),
    )
    .unwrap();
    let text = std::fs::read_to_string(reference().join("data/sirt_pisaMath.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let item_columns: Vec<usize> = result["item_columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| column(c.as_str().unwrap()))
        .collect();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let num = |row: &Vec<&str>, name: &str| row[column(name)].parse::<f64>().unwrap();
    let mut school_hisei: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
    for row in &rows {
        let entry = school_hisei.entry(row[column("idschool")]).or_default();
        entry.0 += num(row, "hisei");
        entry.1 += 1.0;
    }
    let mut design = Vec::new();
    let mut responses = Vec::new();
    for row in &rows {
        let (sum, count) = school_hisei[row[column("idschool")]];
        design.extend([
            1.0,
            num(row, "female"),
            num(row, "hisei"),
            num(row, "migra"),
            sum / count,
        ]);
        responses.extend(item_columns.iter().map(|&c| row[c].parse::<u8>().unwrap()));
    }
    let names = ["Intercept", "female", "hisei", "migra", "school_mean_hisei"]
        .map(String::from)
        .to_vec();
    let items = result["xsi"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            let mut item = ItemParams::new(Model::Rasch, 2);
            item.values = vec![1.0, -x["xsi"].as_f64().unwrap()];
            item.fix_all();
            item
        })
        .collect();
    Case {
        items,
        responses,
        design: Design::new(names, design).unwrap(),
        ids: rows.iter().map(|r| r[column("idstud")].to_string()).collect(),
        result,
    }
}

impl Case {
    /// Unweighted, one residual variance, as in TAM's call.
    fn data(&self) -> Data<'_> {
        Data {
            items: &self.items,
            responses: &self.responses,
            design: &self.design,
            weights: None,
            variance_groups: None,
        }
    }
}

fn tam_options() -> Options {
    Options {
        grid: Grid::rectangular(21, -6.0, 6.0),
        ..Options::default()
    }
}

#[test]
fn coefficients_and_variance_match_tam() {
    let case = case();
    let data = case.data();
    let (model, moments) = latreg::fit(&data, &tam_options()).unwrap();
    assert!(model.converged, "{} iterations", model.iterations);
    let expected = case.result["beta"]["value"].as_array().unwrap();
    for ((name, got), want) in model.terms.iter().zip(&model.coefficients).zip(expected) {
        let want = want.as_f64().unwrap();
        assert!((got - want).abs() < 1e-3, "{name}: {got} vs TAM {want}");
    }
    let variance = case.result["variance"].as_f64().unwrap();
    assert!(
        (model.variances[0] - variance).abs() < 1e-3,
        "σ² {} vs TAM {variance}",
        model.variances[0]
    );
    // TAM's log-likelihood includes the item parameters' fit, which is the same model.
    let tam_ll = case.result["fit"]["logLik"].as_f64().unwrap();
    assert!(
        (model.log_likelihood - tam_ll).abs() < 1e-2,
        "{} vs {tam_ll}",
        model.log_likelihood
    );
    for pair in model.history.windows(2) {
        assert!(pair[1] >= pair[0] - 1e-9, "EM log-likelihood decreased: {pair:?}");
    }
    let eap = case.result["person_EAP"]["EAP"].as_array().unwrap();
    let sd = case.result["person_EAP"]["SD_EAP"].as_array().unwrap();
    for (i, m) in moments.iter().take(eap.len()).enumerate() {
        let (e, s) = (eap[i].as_f64().unwrap(), sd[i].as_f64().unwrap());
        assert!((m.mean - e).abs() < 1e-3, "EAP of person {i}: {} vs TAM {e}", m.mean);
        assert!(
            (m.sd - s).abs() < 1e-3,
            "posterior SD of person {i}: {} vs TAM {s}",
            m.sd
        );
    }
}

#[test]
fn plausible_values_are_posterior_draws() {
    let case = case();
    let data = case.data();
    let options = tam_options();
    let (model, _) = latreg::fit(&data, &options).unwrap();
    let keys: Vec<u64> = case.ids.iter().map(|id| person_key(id)).collect();
    let m = 200;
    let pv = latreg::draw(
        &data,
        &model,
        &options.grid,
        &keys,
        &PvOptions {
            count: m,
            seed: 7,
            ..PvOptions::default()
        },
    )
    .unwrap();
    let n = keys.len();
    // The mean of 200 PVs per student is their EAP up to Monte-Carlo error PSD/√200:
    // on average within 0.01 (Monte-Carlo SE of that average ≈ 0.002) …
    let mut bias = 0.0;
    let mut z2 = 0.0;
    let mut variance_ratio = 0.0;
    for i in 0..n {
        let draws = &pv.values[i * m..(i + 1) * m];
        let mean = draws.iter().sum::<f64>() / m as f64;
        let var = draws.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (m - 1) as f64;
        bias += (mean - pv.eap[i]) / n as f64;
        z2 += ((mean - pv.eap[i]) / (pv.psd[i] / (m as f64).sqrt())).powi(2) / n as f64;
        variance_ratio += var / pv.psd[i].powi(2) / n as f64;
    }
    assert!(bias.abs() < 0.01, "mean PV − EAP = {bias}");
    // … each student's deviation is of the size Monte-Carlo error predicts (mean z² ≈ 1,
    // SE ≈ √(2/565) ≈ 0.06), and the draws' spread is the posterior SD.
    assert!((z2 - 1.0).abs() < 0.25, "mean squared z = {z2}");
    assert!(
        (variance_ratio - 1.0).abs() < 0.03,
        "PV variance / PSD² = {variance_ratio}"
    );
    // The continuous EAP agrees with TAM's 21-node EAP up to TAM's discretisation.
    let eap = case.result["person_EAP"]["EAP"].as_array().unwrap();
    for (i, e) in eap.iter().enumerate() {
        assert!((pv.eap[i] - e.as_f64().unwrap()).abs() < 0.02, "person {i}");
    }
    // The same seed gives the same bits, and other rows don't change a student's draws.
    let draw_with = |seed| {
        latreg::draw(
            &data,
            &model,
            &options.grid,
            &keys,
            &PvOptions {
                count: m,
                seed,
                ..PvOptions::default()
            },
        )
        .unwrap()
    };
    assert_eq!(pv.values, draw_with(7).values);
    let other = draw_with(8);
    assert_ne!(pv.values, other.values);
}

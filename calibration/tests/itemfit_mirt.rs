//! S-X² against mirt 1.45.1's `itemfit(mod, fit_stats = 'S_X2')` on every mirt
//! reference case (../shared/reference/results).
//!
//! The statistic is computed at *mirt's* estimates (items_slope_intercept, and the
//! latent variance for Rasch models), so the comparison tests the statistic and not
//! the estimation. Tolerances: S-X² 1e-3 relative, df exact, p 1e-4 and RMSEA 1e-5
//! absolute. (In fact every item agrees to 1e-10: same nodes, same recursion, same
//! collapsing, so a tolerance breach means a change of method, not rounding.)

use calibration::data::ResponseMatrix;
use calibration::data::codes::NOT_ADMINISTERED;
use calibration::em::GroupParams;
use calibration::fit::{Sx2, Sx2Options, s_x2};
use calibration::model::{ItemParams, Model};
use serde_json::Value;

mod support;
use support::{item_columns, load_json, load_matrix, reference_values};

/// The data, mirt's item estimates and latent distribution of one reference case.
fn mirt_model(file: &str, model: Model) -> (Value, ResponseMatrix, Vec<ItemParams>, Vec<GroupParams>) {
    let r = load_json(file);
    let matrix = load_matrix(r["data_file"].as_str().unwrap(), &item_columns(&r));
    let items: Vec<ItemParams> = matrix
        .categories()
        .iter()
        .zip(r["items_slope_intercept"].as_array().unwrap())
        .map(|(&k, reference)| {
            let model = model.for_categories(k);
            ItemParams {
                values: reference_values(model, k, reference),
                ..ItemParams::new(model, k)
            }
        })
        .collect();
    let pars = r["group_pars"]["par"].as_array().unwrap();
    // mirt estimates the latent variance exactly when every slope is fixed (Rasch, PCM),
    // and S-X²'s df pays for it.
    let groups = vec![GroupParams {
        name: "all".into(),
        mean: pars[0].as_f64().unwrap(),
        variance: pars[1].as_f64().unwrap(),
        free_mean: false,
        free_variance: items.iter().all(|it| it.model.fixed_slope()),
    }];
    (r, matrix, items, groups)
}

fn check_case(file: &str, model: Model) {
    let (r, matrix, items, groups) = mirt_model(file, model);
    let result = s_x2(&matrix, &items, &groups, &Sx2Options::default()).unwrap();
    assert_eq!(result.len(), 1);
    assert_eq!(
        result[0].persons,
        r["itemfit"]["n_rows_used"].as_u64().unwrap() as usize
    );
    let Sx2::Computed { items: ours } = &result[0].result else {
        panic!("{file}: {:?}", result[0].result);
    };
    let mut failures = Vec::new();
    for (got, want) in ours.iter().zip(r["itemfit"]["items"].as_array().unwrap()) {
        assert_eq!(got.item, want["item"].as_str().unwrap());
        let (sx2, df, rmsea, p) = (
            want["S_X2"].as_f64().unwrap(),
            want["df.S_X2"].as_u64().unwrap() as usize,
            want["RMSEA.S_X2"].as_f64().unwrap(),
            want["p.S_X2"].as_f64().unwrap(),
        );
        let ok = got.df == df
            && got.s_x2.is_some_and(|s| (s / sx2 - 1.0).abs() < 1e-3)
            && got.p.is_some_and(|x| (x - p).abs() < 1e-4)
            && got.rmsea.is_some_and(|x| (x - rmsea).abs() < 1e-5);
        if !ok {
            failures.push(format!(
                "{}: ours S_X2 {:?} df {} p {:?} RMSEA {:?} | mirt {sx2} df {df} p {p} RMSEA {rmsea}",
                got.item, got.s_x2, got.df, got.p, got.rmsea
            ));
        }
    }
    assert!(failures.is_empty(), "{file}:\n{}", failures.join("\n"));
}

#[test]
fn lsat7_2pl() {
    check_case("LSAT7__2PL.json", Model::TwoPl);
}

#[test]
fn lsat7_rasch() {
    check_case("LSAT7__Rasch.json", Model::Rasch);
}

#[test]
fn lsat6_2pl() {
    check_case("LSAT6__2PL.json", Model::TwoPl);
}

#[test]
fn lsat6_rasch() {
    check_case("LSAT6__Rasch.json", Model::Rasch);
}

#[test]
fn deayala_2pl() {
    check_case("deAyala__2PL.json", Model::TwoPl);
}

#[test]
fn deayala_rasch() {
    check_case("deAyala__Rasch.json", Model::Rasch);
}

#[test]
fn sat12_2pl() {
    check_case("SAT12__2PL.json", Model::TwoPl);
}

#[test]
fn sat12_rasch() {
    check_case("SAT12__Rasch.json", Model::Rasch);
}

#[test]
fn sat12_3pl_with_prior() {
    check_case("SAT12__3PL_prior.json", Model::ThreePl);
}

#[test]
fn science_graded() {
    check_case("Science__graded.json", Model::Graded);
}

#[test]
fn science_gpcm() {
    check_case("Science__gpcm.json", Model::Gpcm);
}

#[test]
fn science_pcm() {
    check_case("Science__PCM.json", Model::Pcm);
}

#[test]
fn pisa_math_2pl() {
    check_case("pisaMath__2PL.json", Model::TwoPl);
}

#[test]
fn pisa_math_rasch() {
    check_case("pisaMath__Rasch.json", Model::Rasch);
}

#[test]
fn timss_graded() {
    check_case("timssAusTwn__graded.json", Model::Graded);
}

#[test]
fn timss_gpcm() {
    check_case("timssAusTwn__gpcm.json", Model::Gpcm);
}

#[test]
fn timss_pcm() {
    check_case("timssAusTwn__PCM.json", Model::Pcm);
}

/// mirt refuses S-X² on incomplete data ("Only X2, G2, … can be computed with missing
/// data"); we say so instead of computing a statistic on incomparable summed scores.
#[test]
fn incomplete_data_is_not_available() {
    let (_, matrix, items, groups) = mirt_model("LSAT7__2PL.json", Model::TwoPl);
    let mut data: Vec<u8> = (0..matrix.n_persons()).flat_map(|p| matrix.row(p).to_vec()).collect();
    data[7] = NOT_ADMINISTERED;
    data[4001] = calibration::data::codes::OMITTED;
    let holes = ResponseMatrix::new(matrix.items().to_vec(), vec![], data).unwrap();
    let result = s_x2(&holes, &items, &groups, &Sx2Options::default()).unwrap();
    let Sx2::NotAvailable { reason } = &result[0].result else {
        panic!("{:?}", result[0].result);
    };
    assert!(
        reason.starts_with("2 of 1000 persons have missing responses"),
        "{reason}"
    );
    let json = serde_json::to_value(&result[0]).unwrap();
    assert_eq!(json["status"], "not_available");
    assert_eq!(json["group"], "all");
}

/// Multiple groups: each group is tested on its own persons and latent distribution
/// (mirt's itemfit on a multiple-group model), and a free group mean and variance
/// cost two degrees of freedom.
#[test]
fn groups_are_tested_separately() {
    let (_, matrix, items, groups) = mirt_model("SAT12__2PL.json", Model::TwoPl);
    let n = matrix.n_persons();
    let membership: Vec<u16> = (0..n).map(|p| u16::from(p >= 250)).collect();
    let two = matrix
        .clone()
        .with_groups(membership, vec!["first".into(), "second".into()])
        .unwrap();
    let second = GroupParams {
        name: "second".into(),
        mean: 0.1,
        variance: 1.2,
        free_mean: true,
        free_variance: true,
    };
    let both = [groups[0].clone(), second.clone()];
    let result = s_x2(&two, &items, &both, &Sx2Options::default()).unwrap();
    assert_eq!((result[0].persons, result[1].persons), (250, n - 250));
    for (g, (range, params)) in [(0..250, &groups[0]), (250..n, &second)].into_iter().enumerate() {
        let data: Vec<u8> = range.clone().flat_map(|p| matrix.row(p).to_vec()).collect();
        let alone = ResponseMatrix::new(matrix.items().to_vec(), vec![], data).unwrap();
        let single = s_x2(&alone, &items, std::slice::from_ref(params), &Sx2Options::default()).unwrap();
        assert_eq!(result[g].result, single[0].result);
    }
    let fixed = GroupParams {
        free_mean: false,
        free_variance: false,
        ..second
    };
    let known = s_x2(&two, &items, &[groups[0].clone(), fixed], &Sx2Options::default()).unwrap();
    let (Sx2::Computed { items: free }, Sx2::Computed { items: fixed }) = (&result[1].result, &known[1].result) else {
        panic!("S-X² not computed");
    };
    for (x, y) in free.iter().zip(fixed) {
        if y.df > 2 {
            assert_eq!(x.df + 2, y.df, "{x:?} vs {y:?}");
        }
    }
    let json = serde_json::to_value(&result[1]).unwrap();
    assert_eq!(json["status"], "computed");
    assert_eq!(json["items"][0]["item"], "Item.1");
}

/// Parameters that do not belong to the data are an error, not a statistic.
#[test]
fn mismatched_parameters_are_errors() {
    let (_, matrix, items, groups) = mirt_model("LSAT7__2PL.json", Model::TwoPl);
    let opts = Sx2Options::default();
    assert!(matches!(
        s_x2(&matrix, &items[1..], &groups, &opts),
        Err(calibration::fit::FitError::ItemCount { items: 4, columns: 5 })
    ));
    let mut data: Vec<u8> = (0..matrix.n_persons()).flat_map(|p| matrix.row(p).to_vec()).collect();
    data[3] = 2;
    let beyond = ResponseMatrix::new(matrix.items().to_vec(), vec![], data).unwrap();
    assert!(matches!(
        s_x2(&beyond, &items, &groups, &opts),
        Err(calibration::fit::FitError::Category { category: 2, .. })
    ));
}

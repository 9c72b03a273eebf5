//! Shared helpers of the reference tests: locating ../shared/reference, reading its
//! result files, and loading its data through the project's own CSV reader.
//!
//! Each test binary uses a subset of these helpers.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use calibration::data::ResponseMatrix;
use calibration::data::read::{Columns, ReadOptions, read_csv};
use calibration::model::{ItemParams, Model};
use serde_json::Value;

/// The reference folder beside the checkout.
pub fn reference() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference")
}

/// A result file of `reference/results`.
pub fn load_json(name: &str) -> Value {
    let text = std::fs::read_to_string(reference().join("results").join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The item columns a result file was computed on.
pub fn item_columns(r: &Value) -> Vec<String> {
    r["item_columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

/// A reference data file's item columns, read as `assess calibrate` reads them
/// (each item's observed values recoded to 0..K−1 in sorted order, as mirt does),
/// with an optional group column whose first value in file order is the reference group.
pub fn load_data(file: &str, columns: &[String], group: Option<&str>, reference_group: Option<&str>) -> ResponseMatrix {
    let options = ReadOptions {
        items: Some(columns.to_vec()),
        columns: Columns {
            group: group.map(str::to_string),
            ..Columns::default()
        },
        reference_group: reference_group.map(str::to_string),
        ..ReadOptions::default()
    };
    read_csv(&reference().join(file), &options)
        .unwrap_or_else(|e| panic!("{file}: {e}"))
        .matrix
}

/// A reference data file's item columns, one group.
pub fn load_matrix(file: &str, columns: &[String]) -> ResponseMatrix {
    load_data(file, columns, None, None)
}

/// mirt's slope–intercept estimates of one item, in our parameter layout
/// (the 3PL asymptote on the logit scale).
pub fn reference_values(model: Model, categories: u8, reference: &Value) -> Vec<f64> {
    let num = |key: &str| reference[key].as_f64().unwrap();
    let mut values = vec![num("a1")];
    match model {
        Model::Rasch | Model::TwoPl => values.push(num("d")),
        Model::ThreePl => {
            values.push(num("d"));
            let g = num("g");
            values.push((g / (1.0 - g)).ln());
        }
        Model::Graded | Model::Gpcm | Model::Pcm => values.extend((1..categories).map(|k| num(&format!("d{k}")))),
    }
    values
}

/// An item with mirt's estimates in place of its values.
pub fn with_reference_values(item: &ItemParams, reference: &Value) -> ItemParams {
    ItemParams {
        values: reference_values(item.model, item.categories, reference),
        ..item.clone()
    }
}

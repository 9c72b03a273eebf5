//! The persons table `assess score` writes: ids, person estimates with standard errors
//! and plausible values, all on the reporting scale when one is set.

use scoring::latreg::PlausibleValues;
use scoring::person::{Estimator, PersonEstimate};
use scoring::scale::ReportingScale;

/// What goes into `persons.csv`.
pub struct PersonsTable<'a> {
    pub ids: &'a [String],
    pub estimates: &'a [(Estimator, Vec<Option<PersonEstimate>>)],
    pub pvs: Option<&'a PlausibleValues>,
    pub scale: Option<&'a ReportingScale>,
}

/// A number as CSV writes it: shortest round-trip text, empty when absent, `Inf`/`-Inf`
/// for infinite ML estimates.
fn cell(value: Option<f64>) -> String {
    match value {
        None => String::new(),
        Some(v) if v == f64::INFINITY => "Inf".into(),
        Some(v) if v == f64::NEG_INFINITY => "-Inf".into(),
        Some(v) => format!("{v}"),
    }
}

impl PersonsTable<'_> {
    pub fn header(&self) -> Vec<String> {
        let mut header = vec!["id".to_string()];
        for (how, _) in self.estimates {
            let name = format!("{how:?}").to_lowercase();
            header.push(name.clone());
            header.push(format!("{name}_se"));
        }
        if let Some(pvs) = self.pvs {
            header.push("answered".into());
            header.extend((1..=pvs.count).map(|m| format!("pv{m}")));
        }
        header
    }

    pub fn to_csv(&self) -> String {
        let mut out = self.header().join(",") + "\n";
        let score = |theta: f64| self.scale.map_or(theta, |s| s.score(theta));
        let se = |e: f64| self.scale.map_or(e, |s| s.se(e));
        for (i, id) in self.ids.iter().enumerate() {
            let mut row = vec![quote(id)];
            for (_, values) in self.estimates {
                row.push(cell(values[i].map(|e| score(e.theta))));
                row.push(cell(values[i].map(|e| se(e.se))));
            }
            if let Some(pvs) = self.pvs {
                row.push(pvs.answered[i].to_string());
                row.extend(
                    pvs.values[i * pvs.count..(i + 1) * pvs.count]
                        .iter()
                        .map(|&v| cell(Some(score(v)))),
                );
            }
            out += &(row.join(",") + "\n");
        }
        out
    }
}

/// Quotes an id that holds a comma, quote or line break.
fn quote(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

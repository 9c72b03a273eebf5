//! The design matrix of the population model: one row per student, an intercept first.

use serde::Serialize;

/// Conditioning variables as a dense row-major matrix with named columns.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Design {
    pub names: Vec<String>,
    rows: usize,
    data: Vec<f64>,
}

impl Design {
    /// A design from row-major values; `None` when the sizes disagree.
    pub fn new(names: Vec<String>, data: Vec<f64>) -> Option<Design> {
        let columns = names.len();
        if columns == 0 || !data.len().is_multiple_of(columns) {
            return None;
        }
        Some(Design {
            rows: data.len() / columns,
            names,
            data,
        })
    }

    /// The intercept-only design (no conditioning): every student shares one prior.
    pub fn intercept(rows: usize) -> Design {
        Design {
            names: vec!["Intercept".into()],
            rows,
            data: vec![1.0; rows],
        }
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn columns(&self) -> usize {
        self.names.len()
    }

    /// All values, row-major.
    pub fn values(&self) -> &[f64] {
        &self.data
    }

    pub fn row(&self, i: usize) -> &[f64] {
        let p = self.columns();
        &self.data[i * p..(i + 1) * p]
    }

    /// x_i′Γ.
    pub fn predict(&self, i: usize, coefficients: &[f64]) -> f64 {
        self.row(i).iter().zip(coefficients).map(|(x, g)| x * g).sum()
    }
}

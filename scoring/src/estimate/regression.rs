//! Correlations, OLS regressions and the SES gradient by group, each coefficient with
//! its replicate × plausible-value standard error. Students missing any of the
//! variables are left out of that group's fit (listwise deletion).

use nalgebra::DVector;

use super::input::common_draws;
use super::moments::{Moments, moments};
use super::sample::{Cell, rows};
use super::{Estimate, EstimateError, Gradient, Grouping, RegressionFit, Row, Sample, Variable};

impl Sample<'_> {
    /// Weighted Pearson correlation of `x` and `y` in each group.
    pub fn correlation(
        &self,
        x: Variable,
        y: Variable,
        grouping: &Grouping,
    ) -> Result<Vec<Row<Estimate>>, EstimateError> {
        let n = self.students();
        let draws = common_draws(&[("x", x), ("y", y)], n)?;
        grouping.check(n)?;
        let members = grouping.rows(|i| x.present(i) && y.present(i));
        let cells = self.cells(&members, draws, |cell, m| {
            moments(self, &[x.column(m), y.column(m)], &members[cell])
                .iter()
                .map(|s| s.cov[(0, 1)] / (s.cov[(0, 0)] * s.cov[(1, 1)]).sqrt())
                .collect()
        });
        Ok(rows(grouping, cells, |draws| self.rubin.combine(draws, 0, 1)))
    }

    /// Weighted least squares of `y` on `predictors` with an intercept in each group.
    pub fn regression(
        &self,
        y: Variable,
        predictors: &[Variable],
        grouping: &Grouping,
    ) -> Result<Vec<Row<RegressionFit>>, EstimateError> {
        let p = predictors.len();
        let cells = self.regression_cells(y, predictors, grouping)?;
        Ok(rows(grouping, cells, |draws| {
            let all: Option<Vec<Estimate>> = self.combine_all(draws, p + 2).into_iter().collect();
            let all = all?;
            Some(RegressionFit {
                intercept: all[0],
                coefficients: all[1..=p].to_vec(),
                r_squared: all[p + 1],
            })
        }))
    }

    /// The SES gradient in each group: the slope of `achievement` on `ses` (score points
    /// per unit of the index) and its strength, the percentage of the variance of
    /// achievement the index explains (100·R²).
    pub fn gradient(
        &self,
        achievement: Variable,
        ses: Variable,
        grouping: &Grouping,
    ) -> Result<Vec<Row<Gradient>>, EstimateError> {
        let cells = self.regression_cells(achievement, &[ses], grouping)?;
        Ok(rows(grouping, cells, |draws| {
            Some(Gradient {
                slope: self.rubin.combine(draws, 1, 3)?,
                strength: self.rubin.combine(draws, 2, 3)?.scaled(100.0),
            })
        }))
    }

    /// Draws of [intercept, coefficients…, R²] per group.
    fn regression_cells(
        &self,
        y: Variable,
        predictors: &[Variable],
        grouping: &Grouping,
    ) -> Result<Vec<Cell>, EstimateError> {
        if predictors.is_empty() {
            return Err(EstimateError::NoPredictors);
        }
        let n = self.students();
        let mut variables: Vec<(String, Variable)> = predictors
            .iter()
            .enumerate()
            .map(|(j, &x)| (format!("predictor {}", j + 1), x))
            .collect();
        variables.push(("the outcome".to_string(), y));
        let draws = common_draws(&variables, n)?;
        grouping.check(n)?;
        let members = grouping.rows(|i| variables.iter().all(|(_, v)| v.present(i)));
        Ok(self.cells(&members, draws, |cell, m| {
            let columns: Vec<&[f64]> = variables.iter().map(|(_, v)| v.column(m)).collect();
            moments(self, &columns, &members[cell]).iter().flat_map(fit).collect()
        }))
    }
}

/// [intercept, coefficients…, R²] from the moments of (predictors…, y); NaN throughout
/// when the predictors are collinear on this weight set.
fn fit(moments: &Moments) -> Vec<f64> {
    let p = moments.mean.len() - 1;
    let sxx = moments.cov.view((0, 0), (p, p)).into_owned();
    let sxy: DVector<f64> = moments.cov.view((0, p), (p, 1)).column(0).into_owned();
    let Some(cholesky) = sxx.cholesky() else {
        return vec![f64::NAN; p + 2];
    };
    let b = cholesky.solve(&sxy);
    let intercept = moments.mean[p] - b.iter().zip(&moments.mean).map(|(b, x)| b * x).sum::<f64>();
    let r_squared = b.dot(&sxy) / moments.cov[(p, p)];
    std::iter::once(intercept)
        .chain(b.iter().copied())
        .chain([r_squared])
        .collect()
}

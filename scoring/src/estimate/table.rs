//! Tables of distribution statistics by group, and differences computed inside every
//! replicate × plausible value (between groups, or a unit against a population that
//! contains it).

use super::input::common_draws;
use super::sample::{Cell, rows as rows_of};
use super::statistic::Plan;
use super::{Difference, EstimateError, Grouping, Row, Sample, Statistic, Subset, Table, Variable, distribution};

const VARIABLE: &str = "the analysis variable";

impl Sample<'_> {
    /// Each statistic of `variable` in each group of `grouping`.
    pub fn table(
        &self,
        variable: Variable,
        grouping: &Grouping,
        statistics: &[Statistic],
    ) -> Result<Table, EstimateError> {
        let plan = Plan::new(statistics)?;
        let draws = common_draws(&[(VARIABLE, variable)], self.students())?;
        grouping.check(self.students())?;
        let rows = grouping.rows(|i| variable.present(i));
        let cells = self.distribution_cells(variable, draws, &rows, &plan);
        Ok(Table {
            statistics: statistics.to_vec(),
            rows: rows_of(grouping, cells, |draws| Some(self.combine_all(draws, plan.len()))),
        })
    }

    /// Each statistic of `variable` in subset `a` minus the same in subset `b`. The two
    /// may overlap (a district and the city containing it): the difference is taken
    /// inside every replicate × plausible value, so shared students cancel — never
    /// √(SE₁² + SE₂²).
    pub fn difference(
        &self,
        variable: Variable,
        statistics: &[Statistic],
        a: Subset,
        b: Subset,
    ) -> Result<Difference, EstimateError> {
        let plan = Plan::new(statistics)?;
        let n = self.students();
        let draws = common_draws(&[(VARIABLE, variable)], n)?;
        let rows = [a.rows(n, |i| variable.present(i))?, b.rows(n, |i| variable.present(i))?];
        let cells = self.distribution_cells(variable, draws, &rows, &plan);
        let (a, b) = (&cells[0], &cells[1]);
        let estimates = match (&a.draws, &b.draws) {
            (Some(first), Some(second)) => self.combine_all(&subtract(first, second), plan.len()),
            _ => Vec::new(),
        };
        Ok(Difference {
            a: a.counts,
            b: b.counts,
            suppressed: a.suppressed || b.suppressed,
            estimates,
        })
    }

    /// Each group of `grouping` minus `reference` (e.g. every district against the
    /// city), differenced inside every replicate × plausible value as in
    /// [`Sample::difference`]. A row is suppressed when the group or the reference is;
    /// its counts are the group's.
    pub fn compare_with(
        &self,
        variable: Variable,
        grouping: &Grouping,
        statistics: &[Statistic],
        reference: Subset,
    ) -> Result<Table, EstimateError> {
        let plan = Plan::new(statistics)?;
        let draws = common_draws(&[(VARIABLE, variable)], self.students())?;
        grouping.check(self.students())?;
        let mut rows = grouping.rows(|i| variable.present(i));
        rows.push(reference.rows(self.students(), |i| variable.present(i))?);
        let cells = self.distribution_cells(variable, draws, &rows, &plan);
        let reference = &cells[grouping.labels().len()];
        Ok(Table {
            statistics: statistics.to_vec(),
            rows: grouping
                .labels()
                .iter()
                .zip(&cells)
                .map(|(label, cell)| Row {
                    group: label.clone(),
                    counts: cell.counts,
                    suppressed: cell.suppressed || reference.suppressed,
                    value: match (&cell.draws, &reference.draws) {
                        (Some(unit), Some(all)) => Some(self.combine_all(&subtract(unit, all), plan.len())),
                        _ => None,
                    },
                })
                .collect(),
        })
    }

    /// The draws of every cell: each plausible value's values sorted once per cell,
    /// then one pass per weight set.
    fn distribution_cells(&self, variable: Variable, draws: usize, rows: &[Vec<usize>], plan: &Plan) -> Vec<Cell> {
        let totals: Vec<Vec<f64>> = rows.iter().map(|r| distribution::totals(self, r)).collect();
        self.cells(rows, draws, |cell, m| {
            distribution::draws(self, variable.column(m), &rows[cell], &totals[cell], plan)
        })
    }
}

/// Draws of `a` minus draws of `b`, plausible value by plausible value, set by set.
fn subtract(a: &[Vec<f64>], b: &[Vec<f64>]) -> Vec<Vec<f64>> {
    a.iter()
        .zip(b)
        .map(|(x, y)| x.iter().zip(y).map(|(x, y)| x - y).collect())
        .collect()
}

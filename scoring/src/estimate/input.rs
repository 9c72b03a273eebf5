//! What an estimate is computed on: an analysis variable (plausible values or one
//! observed column) and the students it is computed over (a grouping, or a subset for
//! differences). Borrowed slices throughout: a 100,000-student file is never copied.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use super::EstimateError;

/// An analysis variable, one value per student; NaN marks a missing value.
#[derive(Debug, Clone, Copy)]
pub enum Variable<'a> {
    /// M plausible values, `pv[m][i]`: every statistic is computed on each and combined
    /// by Rubin's rules.
    Plausible(&'a [Vec<f64>]),
    /// One observed column (a questionnaire index, a WLE treated as observed): M = 1,
    /// no imputation variance.
    Observed(&'a [f64]),
}

impl<'a> Variable<'a> {
    /// Number of columns M (1 for an observed variable).
    pub fn draws(&self) -> usize {
        match self {
            Variable::Plausible(pv) => pv.len(),
            Variable::Observed(_) => 1,
        }
    }

    /// Column `m`; an observed variable has the same column for every m, so that it
    /// pairs with any number of plausible values of another variable.
    pub(crate) fn column(&self, m: usize) -> &'a [f64] {
        match self {
            Variable::Plausible(pv) => &pv[m],
            Variable::Observed(x) => x,
        }
    }

    /// True when student `row` has a value in every column.
    pub(crate) fn present(&self, row: usize) -> bool {
        (0..self.draws()).all(|m| !self.column(m)[row].is_nan())
    }

    /// Checks the shape and values against a sample of `n` students.
    fn check(&self, name: &str, n: usize) -> Result<(), EstimateError> {
        if self.draws() == 0 {
            return Err(EstimateError::NoColumns { what: name.to_string() });
        }
        for m in 0..self.draws() {
            let what = match self {
                Variable::Plausible(_) => format!("plausible value {} of {name}", m + 1),
                Variable::Observed(_) => name.to_string(),
            };
            let column = self.column(m);
            if column.len() != n {
                return Err(EstimateError::Length {
                    what,
                    found: column.len(),
                    expected: n,
                });
            }
            if let Some((row, &value)) = column.iter().enumerate().find(|(_, x)| x.is_infinite()) {
                return Err(EstimateError::NotFinite { what, row, value });
            }
        }
        Ok(())
    }
}

/// Checks variables that enter one statistic together and returns their common M: all
/// with the same number of plausible values, or observed (paired with every PV).
pub(crate) fn common_draws<S: AsRef<str>>(variables: &[(S, Variable)], n: usize) -> Result<usize, EstimateError> {
    let mut draws = 1;
    for (name, variable) in variables {
        variable.check(name.as_ref(), n)?;
        let m = variable.draws();
        if m != 1 && draws != 1 && m != draws {
            return Err(EstimateError::DrawsMismatch {
                first: draws,
                second: m,
            });
        }
        draws = draws.max(m);
    }
    Ok(draws)
}

/// A partition of the students into labelled groups (district, school, gender…).
#[derive(Debug, Clone, PartialEq)]
pub struct Grouping<'a> {
    labels: Vec<String>,
    codes: Cow<'a, [u32]>,
}

impl<'a> Grouping<'a> {
    /// The code of a student who belongs to no group (e.g. gender not reported): such
    /// students enter no group's estimates, but do enter [`Subset::All`].
    pub const NONE: u32 = u32::MAX;

    /// Groups from per-student codes indexing `labels` (or [`Grouping::NONE`]).
    pub fn new(labels: Vec<String>, codes: &'a [u32]) -> Grouping<'a> {
        Grouping {
            labels,
            codes: Cow::Borrowed(codes),
        }
    }

    /// One group holding all `n` students.
    pub fn everyone(label: &str, n: usize) -> Grouping<'static> {
        Grouping {
            labels: vec![label.to_string()],
            codes: Cow::Owned(vec![0; n]),
        }
    }

    /// Groups from per-student string labels, in sorted label order (so the table does
    /// not depend on the order of the rows); `None` is [`Grouping::NONE`].
    pub fn from_labels<S: AsRef<str>>(labels: &[Option<S>]) -> Grouping<'static> {
        let names: BTreeSet<&str> = labels.iter().flatten().map(AsRef::as_ref).collect();
        let index: BTreeMap<&str, u32> = names.into_iter().zip(0..).collect();
        let codes = labels
            .iter()
            .map(|s| s.as_ref().map_or(Grouping::NONE, |s| index[s.as_ref()]))
            .collect();
        Grouping {
            labels: index.into_keys().map(str::to_string).collect(),
            codes: Cow::Owned(codes),
        }
    }

    /// The group labels, in code order.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// Checks the codes against a sample of `n` students: every code names a label and
    /// every label has a student.
    pub(crate) fn check(&self, n: usize) -> Result<(), EstimateError> {
        if self.labels.is_empty() {
            return Err(EstimateError::NoGroups);
        }
        if self.codes.len() != n {
            return Err(EstimateError::Length {
                what: "the grouping".to_string(),
                found: self.codes.len(),
                expected: n,
            });
        }
        let mut sizes = vec![0usize; self.labels.len()];
        for (row, &code) in self.codes.iter().enumerate() {
            match sizes.get_mut(code as usize) {
                Some(size) => *size += 1,
                None if code == Grouping::NONE => {}
                None => {
                    return Err(EstimateError::UnknownGroupCode {
                        row,
                        code,
                        groups: self.labels.len(),
                    });
                }
            }
        }
        match sizes.iter().position(|&size| size == 0) {
            Some(g) => Err(EstimateError::EmptyGroup {
                label: self.labels[g].clone(),
            }),
            None => Ok(()),
        }
    }

    /// The rows of each group, in row order, keeping only rows where `keep` holds.
    pub(crate) fn rows(&self, keep: impl Fn(usize) -> bool) -> Vec<Vec<usize>> {
        let mut rows = vec![Vec::new(); self.labels.len()];
        for (row, &code) in self.codes.iter().enumerate() {
            if let Some(group) = rows.get_mut(code as usize)
                && keep(row)
            {
                group.push(row);
            }
        }
        rows
    }
}

/// A set of students one side of a difference is computed over.
#[derive(Debug, Clone, Copy)]
pub enum Subset<'g, 'a> {
    /// Every student of the sample (the population, e.g. the whole city).
    All,
    /// One group of a grouping, by index into its labels.
    Group(&'g Grouping<'a>, usize),
}

impl Subset<'_, '_> {
    /// Its rows among `n` students where `keep` holds, after checking the grouping.
    pub(crate) fn rows(&self, n: usize, keep: impl Fn(usize) -> bool) -> Result<Vec<usize>, EstimateError> {
        match self {
            Subset::All => Ok((0..n).filter(|&row| keep(row)).collect()),
            Subset::Group(grouping, g) => {
                grouping.check(n)?;
                if *g >= grouping.labels.len() {
                    return Err(EstimateError::NoSuchGroup {
                        index: *g,
                        groups: grouping.labels.len(),
                    });
                }
                Ok((0..n)
                    .filter(|&row| grouping.codes[row] as usize == *g && keep(row))
                    .collect())
            }
        }
    }
}

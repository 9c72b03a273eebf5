//! Results as plain data: what `reports` renders and `estimates.json` stores. Nothing
//! here computes; every struct serialises as is.

use serde::{Deserialize, Serialize};

use super::Statistic;

/// One statistic with its standard error by Rubin's rules over replicates × plausible
/// values (DESIGN.md §5).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// t̂: the mean over plausible values of the full-sample statistic.
    pub estimate: f64,
    /// √V with V = Ū + (1 + 1/M)·B.
    pub se: f64,
    /// Ū: the replicate sampling variance averaged over all plausible values.
    pub sampling_variance: f64,
    /// B: the variance of the statistic between plausible values (0 for an observed variable).
    pub imputation_variance: f64,
    /// Degrees of freedom of the t reference distribution (Barnard–Rubin).
    pub df: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

impl Estimate {
    /// The same estimate on a scale `factor` times larger (e.g. a proportion as a
    /// percentage): what combining `factor`-times draws gives.
    pub(crate) fn scaled(self, factor: f64) -> Estimate {
        let square = factor * factor;
        Estimate {
            estimate: self.estimate * factor,
            se: self.se * factor.abs(),
            sampling_variance: self.sampling_variance * square,
            imputation_variance: self.imputation_variance * square,
            df: self.df,
            ci_low: (self.ci_low * factor).min(self.ci_high * factor),
            ci_high: (self.ci_low * factor).max(self.ci_high * factor),
        }
    }
}

/// How many students a cell rests on, the figures the minimum-n rule looks at.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    /// Students of the cell with a value (missing values excluded).
    pub students: usize,
    /// Distinct schools among them; `None` when the sample has no school ids.
    pub schools: Option<usize>,
    /// Their full-sample weights summed: the population the cell represents.
    pub sum_weights: f64,
}

/// One group's result. `value` is `None` when the cell is suppressed (too few students
/// or schools: the counts are still reported) or when the statistic cannot be computed
/// (e.g. no variance to correlate, a singular regression, a replicate without weight).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row<T> {
    pub group: String,
    pub counts: Counts,
    pub suppressed: bool,
    pub value: Option<T>,
}

/// A table "group × statistic": `rows[g].value[k]` is statistic `statistics[k]` of
/// group g, `None` where that one statistic cannot be computed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    pub statistics: Vec<Statistic>,
    pub rows: Vec<Row<Vec<Option<Estimate>>>>,
}

/// Statistics of subset `a` minus the same statistics of subset `b`, differenced inside
/// every replicate × plausible value so that what they share (students, schools)
/// cancels in the standard error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Difference {
    pub a: Counts,
    pub b: Counts,
    /// True when either side is suppressed; `estimates` is then empty.
    pub suppressed: bool,
    /// One per requested statistic.
    pub estimates: Vec<Option<Estimate>>,
}

/// A weighted least-squares fit of y on predictors with an intercept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegressionFit {
    pub intercept: Estimate,
    /// One per predictor, in the order given.
    pub coefficients: Vec<Estimate>,
    /// Share of the variance of y explained, 0..1.
    pub r_squared: Estimate,
}

/// The socio-economic gradient: how achievement rises with an SES index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gradient {
    /// Score points per one unit of the index.
    pub slope: Estimate,
    /// Percentage of the variance of achievement the index explains (100·R²).
    pub strength: Estimate,
}

/// The two-level null model: achievement variance between and within schools.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TwoLevelFit {
    /// σ²_b: variance of school means around the overall mean.
    pub between: Estimate,
    /// σ²_w: variance of students around their school's mean.
    pub within: Estimate,
    /// σ²_b / (σ²_b + σ²_w): the intraclass correlation, which is also the share of
    /// the variance lying between schools (×100 for a percentage).
    pub icc: Estimate,
}

/// A statistic of a later round minus the same statistic of an earlier one, from
/// independent samples linked through common items.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RoundDifference {
    /// Later minus earlier.
    pub estimate: f64,
    /// √(SE₁² + SE₂² + linking error²).
    pub se: f64,
    pub linking_error: f64,
    /// Welch–Satterthwaite degrees of freedom (the linking error counted as known).
    pub df: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

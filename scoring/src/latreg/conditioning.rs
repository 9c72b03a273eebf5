//! Conditioning variables for the population model, built from background data as the
//! large-scale studies do (DESIGN.md §5): categorical variables dummy-coded against
//! their most frequent category, missing answers coded as their own indicator (numeric
//! ones filled with the mean), the many coded columns condensed into principal
//! components keeping a share of their variance (default 90%), and some variables kept
//! as they are: those marked `direct`, school means of key variables, and school
//! membership (school-mean WLE or school dummies), without which school PV means would
//! be shrunk toward the city.

use std::collections::BTreeMap;

use nalgebra::{DMatrix, SymmetricEigen};

use super::LatregError;
use super::design::Design;

/// One background variable's answers, one per student.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    /// NaN = missing.
    Numeric(Vec<f64>),
    /// `None` = missing.
    Categorical(Vec<Option<String>>),
}

/// A background variable.
#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    pub name: String,
    pub values: Values,
    /// Entered into the model as coded, not through the principal components (e.g.
    /// gender, or a variable reported by).
    pub direct: bool,
}

/// How school membership enters the model.
#[derive(Debug, Clone, PartialEq)]
pub enum Membership {
    None,
    /// The school mean of these per-student WLEs (NaN = none) as one regressor.
    MeanWle(Vec<f64>),
    /// One dummy per school but the first (in id order).
    Dummies,
}

/// What to build the conditioning variables from.
#[derive(Debug, Clone)]
pub struct Spec<'a> {
    pub variables: &'a [Variable],
    /// Share of the coded variables' variance the principal components keep.
    pub variance_share: f64,
    /// Each student's school; needed for school means and membership.
    pub schools: Option<&'a [String]>,
    /// Numeric variables whose school means enter as regressors.
    pub school_means_of: &'a [String],
    pub membership: Membership,
    /// Sampling weights for the means and the components (`None`: equal).
    pub weights: Option<&'a [f64]>,
}

/// The built design and what went into it.
#[derive(Debug, Clone, PartialEq)]
pub struct Conditioning {
    pub design: Design,
    /// Coded columns that went into the principal components.
    pub coded: usize,
    /// Principal components kept.
    pub components: usize,
    /// Share of the coded columns' variance the kept components explain.
    pub explained: f64,
}

type Column = (String, Vec<f64>);

/// Builds the design matrix: intercept, direct variables, school terms, components.
pub fn build(spec: &Spec) -> Result<Conditioning, LatregError> {
    let n = spec
        .variables
        .first()
        .map_or_else(|| spec.schools.map_or(0, <[String]>::len), |v| len(&v.values));
    if !(spec.variance_share > 0.0 && spec.variance_share <= 1.0) {
        return Err(LatregError::Shape(format!(
            "the share of variance kept must be in (0, 1], not {}",
            spec.variance_share
        )));
    }
    let weights = spec.weights.map_or_else(|| vec![1.0; n], <[f64]>::to_vec);
    if weights.len() != n {
        return Err(LatregError::Shape(format!(
            "{} weights for {n} students",
            weights.len()
        )));
    }
    let mut direct: Vec<Column> = Vec::new();
    let mut pooled: Vec<Column> = Vec::new();
    for variable in spec.variables {
        if len(&variable.values) != n {
            return Err(LatregError::Shape(format!(
                "variable {} has {} values for {n} students",
                variable.name,
                len(&variable.values)
            )));
        }
        let coded = code(variable, &weights);
        if variable.direct {
            direct.extend(coded)
        } else {
            pooled.extend(coded)
        }
    }
    direct.extend(school_terms(spec, n, &weights)?);
    let (components, explained) = principal_components(&pooled, &weights, spec.variance_share);
    let kept = components.len();
    let mut names = vec!["Intercept".to_string()];
    let columns: Vec<Column> = direct.into_iter().chain(components).collect();
    names.extend(columns.iter().map(|(name, _)| name.clone()));
    let mut data = Vec::with_capacity(n * names.len());
    for i in 0..n {
        data.push(1.0);
        data.extend(columns.iter().map(|(_, values)| values[i]));
    }
    let design = Design::new(names, data).ok_or_else(|| LatregError::Shape("empty design".into()))?;
    Ok(Conditioning {
        design,
        coded: pooled.len(),
        components: kept,
        explained,
    })
}

fn len(values: &Values) -> usize {
    match values {
        Values::Numeric(v) => v.len(),
        Values::Categorical(v) => v.len(),
    }
}

fn weighted_mean(values: impl Iterator<Item = (f64, f64)>) -> Option<f64> {
    let (sum, total) = values.fold((0.0, 0.0), |(s, t), (x, w)| (s + w * x, t + w));
    (total > 0.0).then(|| sum / total)
}

/// A variable's coded columns, constant columns dropped.
fn code(variable: &Variable, weights: &[f64]) -> Vec<Column> {
    let name = &variable.name;
    let mut columns = Vec::new();
    match &variable.values {
        Values::Numeric(values) => {
            let observed = values
                .iter()
                .zip(weights)
                .filter(|(x, _)| x.is_finite())
                .map(|(&x, &w)| (x, w));
            let Some(mean) = weighted_mean(observed) else {
                return columns;
            };
            columns.push((
                name.clone(),
                values.iter().map(|&x| if x.is_finite() { x } else { mean }).collect(),
            ));
            columns.push((
                format!("{name}:missing"),
                values.iter().map(|x| f64::from(u8::from(!x.is_finite()))).collect(),
            ));
        }
        Values::Categorical(values) => {
            let mut counts: BTreeMap<&str, f64> = BTreeMap::new();
            for (v, w) in values.iter().zip(weights) {
                if let Some(level) = v {
                    *counts.entry(level).or_default() += w;
                }
            }
            // The most frequent level is the reference (ties: the first in sort order).
            let reference = counts
                .iter()
                .fold(None, |best: Option<(&str, f64)>, (&level, &c)| match best {
                    Some((_, b)) if b >= c => best,
                    _ => Some((level, c)),
                });
            for &level in counts.keys().filter(|&&l| Some(l) != reference.map(|r| r.0)) {
                columns.push((
                    format!("{name}={level}"),
                    values
                        .iter()
                        .map(|v| f64::from(u8::from(v.as_deref() == Some(level))))
                        .collect(),
                ));
            }
            columns.push((
                format!("{name}:missing"),
                values.iter().map(|v| f64::from(u8::from(v.is_none()))).collect(),
            ));
        }
    }
    columns.retain(|(_, values)| values.iter().any(|&x| x != values[0]));
    columns
}

/// School means of key variables and the membership terms.
fn school_terms(spec: &Spec, n: usize, weights: &[f64]) -> Result<Vec<Column>, LatregError> {
    let needs_schools = !spec.school_means_of.is_empty() || spec.membership != Membership::None;
    let Some(schools) = spec.schools else {
        return if needs_schools {
            Err(LatregError::Shape(
                "school means and school membership need each student's school".into(),
            ))
        } else {
            Ok(Vec::new())
        };
    };
    if schools.len() != n {
        return Err(LatregError::Shape(format!(
            "{} school ids for {n} students",
            schools.len()
        )));
    }
    let mut columns = Vec::new();
    for name in spec.school_means_of {
        let values = spec
            .variables
            .iter()
            .find_map(|v| match &v.values {
                Values::Numeric(values) if &v.name == name => Some(values),
                _ => None,
            })
            .ok_or_else(|| LatregError::Shape(format!("no numeric variable {name} to take school means of")))?;
        columns.push((format!("school_mean:{name}"), school_means(schools, values, weights)));
    }
    match &spec.membership {
        Membership::None => {}
        Membership::MeanWle(wle) => {
            if wle.len() != n {
                return Err(LatregError::Shape(format!("{} WLEs for {n} students", wle.len())));
            }
            columns.push(("school_mean:wle".into(), school_means(schools, wle, weights)));
        }
        Membership::Dummies => {
            let ids: std::collections::BTreeSet<&str> = schools.iter().map(String::as_str).collect();
            for id in ids.into_iter().skip(1) {
                columns.push((
                    format!("school={id}"),
                    schools.iter().map(|s| f64::from(u8::from(s == id))).collect(),
                ));
            }
        }
    }
    Ok(columns)
}

/// Each student's school mean of `values` (observed values, weighted); a school with no
/// observed value gets the overall mean.
fn school_means(schools: &[String], values: &[f64], weights: &[f64]) -> Vec<f64> {
    let mut sums: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
    for ((s, &x), &w) in schools.iter().zip(values).zip(weights) {
        if x.is_finite() {
            let e = sums.entry(s).or_default();
            e.0 += w * x;
            e.1 += w;
        }
    }
    let overall = weighted_mean(sums.values().map(|&(s, t)| (s / t, t))).unwrap_or(0.0);
    schools
        .iter()
        .map(|s| sums.get(s.as_str()).map_or(overall, |&(sum, total)| sum / total))
        .collect()
}

/// Principal components of the standardised columns keeping `share` of their variance.
fn principal_components(columns: &[Column], weights: &[f64], share: f64) -> (Vec<Column>, f64) {
    let p = columns.len();
    if p == 0 {
        return (Vec::new(), 1.0);
    }
    let n = weights.len();
    let total: f64 = weights.iter().sum();
    let mut standardised = DMatrix::<f64>::zeros(n, p);
    for (j, (_, values)) in columns.iter().enumerate() {
        let mean = values.iter().zip(weights).map(|(x, w)| w * x).sum::<f64>() / total;
        let sd = (values
            .iter()
            .zip(weights)
            .map(|(x, w)| w * (x - mean).powi(2))
            .sum::<f64>()
            / total)
            .sqrt();
        for i in 0..n {
            standardised[(i, j)] = (values[i] - mean) / sd;
        }
    }
    let mut correlation = DMatrix::<f64>::zeros(p, p);
    for (i, w) in weights.iter().enumerate() {
        let row = standardised.row(i);
        for a in 0..p {
            for b in 0..=a {
                correlation[(a, b)] += w * row[a] * row[b] / total;
            }
        }
    }
    correlation.fill_upper_triangle_with_lower_triangle();
    let eigen = SymmetricEigen::new(correlation);
    let mut order: Vec<usize> = (0..p).collect();
    order.sort_by(|&a, &b| eigen.eigenvalues[b].total_cmp(&eigen.eigenvalues[a]));
    let trace: f64 = eigen.eigenvalues.iter().map(|v| v.max(0.0)).sum();
    let mut kept = Vec::new();
    let mut explained = 0.0;
    for &c in &order {
        if explained >= share * trace - 1e-12 {
            break;
        }
        explained += eigen.eigenvalues[c].max(0.0);
        kept.push(c);
    }
    let components = kept
        .iter()
        .enumerate()
        .map(|(k, &c)| {
            let vector = eigen.eigenvectors.column(c);
            let scores = (0..n)
                .map(|i| standardised.row(i).iter().zip(vector.iter()).map(|(z, v)| z * v).sum())
                .collect();
            (format!("PC{}", k + 1), scores)
        })
        .collect();
    (components, explained / trace)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(variables: &[Variable]) -> Spec<'_> {
        Spec {
            variables,
            variance_share: 0.9,
            schools: None,
            school_means_of: &[],
            membership: Membership::None,
            weights: None,
        }
    }

    #[test]
    fn dummies_missing_indicators_and_direct_variables() {
        let variables = vec![
            Variable {
                name: "gender".into(),
                values: Values::Categorical(vec![Some("f".into()), Some("m".into()), Some("f".into()), None]),
                direct: true,
            },
            Variable {
                name: "books".into(),
                values: Values::Numeric(vec![1.0, f64::NAN, 3.0, 5.0]),
                direct: true,
            },
        ];
        let c = build(&spec(&variables)).unwrap();
        assert_eq!(
            c.design.names,
            ["Intercept", "gender=m", "gender:missing", "books", "books:missing"]
        );
        // The missing value is filled with the mean of the observed (3) and flagged.
        assert_eq!(c.design.row(1), [1.0, 1.0, 0.0, 3.0, 1.0]);
        assert_eq!(c.design.row(3), [1.0, 0.0, 1.0, 5.0, 0.0]);
        assert_eq!(c.components, 0);
    }

    #[test]
    fn components_keep_the_requested_share() {
        // Three columns, two nearly the same: two components carry almost everything.
        let a: Vec<f64> = (0..50).map(|i| (i as f64 * 0.37).sin()).collect();
        let b: Vec<f64> = a.iter().enumerate().map(|(i, x)| x + 0.01 * (i as f64).cos()).collect();
        let c: Vec<f64> = (0..50).map(|i| (i as f64 * 1.3).cos()).collect();
        let variables: Vec<Variable> = [("a", a), ("b", b), ("c", c)]
            .into_iter()
            .map(|(name, v)| Variable {
                name: name.into(),
                values: Values::Numeric(v),
                direct: false,
            })
            .collect();
        let built = build(&spec(&variables)).unwrap();
        assert_eq!(built.components, 2);
        assert!(built.explained > 0.99 && built.explained <= 1.0, "{}", built.explained);
        let all = build(&Spec {
            variance_share: 1.0,
            ..spec(&variables)
        })
        .unwrap();
        assert_eq!(all.components, 3);
    }

    #[test]
    fn school_means_and_membership() {
        let schools: Vec<String> = ["s1", "s1", "s2", "s2"].map(String::from).to_vec();
        let variables = vec![Variable {
            name: "hisei".into(),
            values: Values::Numeric(vec![1.0, 3.0, f64::NAN, 4.0]),
            direct: true,
        }];
        let means = vec!["hisei".to_string()];
        let built = build(&Spec {
            schools: Some(&schools),
            school_means_of: &means,
            membership: Membership::Dummies,
            ..spec(&variables)
        })
        .unwrap();
        assert_eq!(
            built.design.names,
            ["Intercept", "hisei", "hisei:missing", "school_mean:hisei", "school=s2"]
        );
        assert_eq!(built.design.row(0)[3], 2.0);
        assert_eq!(built.design.row(2)[3..], [4.0, 1.0]);
        let no_schools = build(&Spec {
            school_means_of: &means,
            ..spec(&variables)
        });
        assert!(no_schools.is_err());
    }
}

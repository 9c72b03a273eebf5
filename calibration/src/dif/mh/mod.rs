//! Mantel–Haenszel DIF between a reference and a focal group (Holland & Thayer, 1988).
//!
//! Persons are matched on a score (by default the total score, studied item included: with it
//! MH agrees with the Rasch model, where ln α_MH estimates the focal-minus-reference difference
//! in item difficulty). Within each score stratum where both groups are present, the item's
//! 2 × 2 table (group × right/wrong) is pooled into the common odds ratio α_MH; reported on the
//! ETS delta scale, Δ_MH = −2.35 ln α_MH, negative Δ means the item is harder for the focal
//! group at equal score, i.e. it favours the reference group.
//!
//! - **Dichotomous items**: α_MH, Δ_MH with the Robins–Breslow–Greenland (Phillips–Holland)
//!   standard error, the MH χ² with continuity correction and its p-value, and the ETS class
//!   ([`EtsClass`]). Also the standardization index (STD P-DIF, Dorans & Kulick) as `smd`.
//! - **Polytomous items** (maximum score > 1): Mantel's (1963) χ² for ordered responses and the
//!   standardized mean difference SMD = Σₖ (n_Fk / n_F)(ȳ_Fk − ȳ_Rk), classified AA/BB/CC by
//!   the ETS rule of Zwick, Thayer & Mazzeo (1997) on SMD / SD(item).
//!
//! **Weights.** Counts are sums of [`ResponseMatrix::normalized_weights`], which add up to the
//! sample size, so the tables stay on the count scale; α_MH, Δ_MH and SMD are then weighted
//! estimates, while χ², p and SE treat the weighted counts as counts (a model-based, not a
//! design-based, test — for flagging, not for inference about the population).
//!
//! **Degenerate items never give NaN**: an item no stratum shows in both groups, an item without
//! variation in the usable strata (e.g. everybody right) and a one-sided odds ratio (0 or ∞)
//! give `None` statistics, no class, and the reason in [`MhItem::not_estimable`]. Strata with
//! only one group (or total weight ≤ 1, too little for the hypergeometric variance) carry no
//! information about DIF and are left out; their weight is reported as `n_excluded`.
//!
//! **Booklet designs**: total and rest scores sum the items a person was administered, so in a
//! rotated design they are comparable only within a booklet; run per booklet, or match on a
//! given score (e.g. a binned proficiency estimate) with [`Matching::Given`].
//!
//! [`ResponseMatrix::normalized_weights`]: crate::data::ResponseMatrix::normalized_weights

mod tables;

use crate::data::ResponseMatrix;
use crate::data::codes::{MissingPolicy, NOT_ADMINISTERED};
use serde::Serialize;
use tables::Tables;

/// The score persons are matched on.
#[derive(Debug, Clone, PartialEq)]
pub enum Matching {
    /// Total score over the (anchor) items, studied item included — the standard MH criterion.
    Total,
    /// Total score over the (anchor) items except the studied one.
    Rest,
    /// A score per person (e.g. a purified score from elsewhere, or binned proficiency
    /// estimates); persons with equal values form a stratum. Cannot be purified.
    Given(Vec<u32>),
}

/// Options of [`mantel_haenszel`].
#[derive(Debug, Clone, PartialEq)]
pub struct MhOptions {
    /// Group index of the reference group.
    pub reference: u16,
    /// Group index of the focal group.
    pub focal: u16,
    /// How omitted and not-reached responses are scored (as in scaling).
    pub policy: MissingPolicy,
    pub matching: Matching,
    /// Purification rounds: 0 for none; otherwise at most this many recomputations, each
    /// matching on the items not flagged B/C (BB/CC) in the previous round.
    pub max_purification_iterations: usize,
}

impl Default for MhOptions {
    fn default() -> Self {
        MhOptions {
            reference: 0,
            focal: 1,
            policy: MissingPolicy::default(),
            matching: Matching::Total,
            max_purification_iterations: 0,
        }
    }
}

/// Why a DIF analysis cannot run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DifError {
    #[error("group index {index} does not exist ({groups} groups)")]
    Group { index: u16, groups: usize },
    #[error("reference and focal group are the same ({0})")]
    SameGroup(String),
    #[error("the {role} group {name} has no persons with positive weight")]
    EmptyGroup { role: &'static str, name: String },
    #[error("the matching score has {got} entries, expected one per person ({persons})")]
    MatchingLength { persons: usize, got: usize },
    #[error("purification recomputes the matching score from the items, so it cannot refine a given score")]
    PurifyGiven,
}

/// ETS DIF class. Signs: `+` favours the focal group, `−` the reference group.
///
/// Dichotomous (Δ_MH): A if the MH χ² is not significant at 0.05 or |Δ| < 1; C if |Δ| ≥ 1.5 and
/// |Δ| is significantly greater than 1 (one-sided 0.05: (|Δ| − 1) / SE > 1.645); B otherwise.
/// Polytomous (SMD / SD): AA if Mantel's χ² is not significant at 0.05 or |SMD/SD| ≤ 0.17; CC if
/// |SMD/SD| > 0.25; BB otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum EtsClass {
    A,
    #[serde(rename = "B+")]
    BPlus,
    #[serde(rename = "B-")]
    BMinus,
    #[serde(rename = "C+")]
    CPlus,
    #[serde(rename = "C-")]
    CMinus,
    AA,
    #[serde(rename = "BB+")]
    BbPlus,
    #[serde(rename = "BB-")]
    BbMinus,
    #[serde(rename = "CC+")]
    CcPlus,
    #[serde(rename = "CC-")]
    CcMinus,
}

/// One-sided 5 % point of the standard normal distribution.
const Z_95: f64 = 1.644_853_626_951_472_2;
/// The significance level the ETS rules are defined with.
const LEVEL: f64 = 0.05;

impl EtsClass {
    /// Whether the class calls for review (anything but A / AA); purification drops these items.
    pub fn is_flagged(self) -> bool {
        !matches!(self, EtsClass::A | EtsClass::AA)
    }

    /// The class of a dichotomous item from Δ_MH, its standard error and the MH χ² p-value.
    pub fn dichotomous(delta: f64, se: f64, p_value: f64) -> EtsClass {
        let size = delta.abs();
        let focal = delta > 0.0;
        if p_value >= LEVEL || size < 1.0 {
            EtsClass::A
        } else if size >= 1.5 && (size - 1.0) / se > Z_95 {
            if focal { EtsClass::CPlus } else { EtsClass::CMinus }
        } else if focal {
            EtsClass::BPlus
        } else {
            EtsClass::BMinus
        }
    }

    /// The class of a polytomous item from SMD / SD(item) and the Mantel χ² p-value.
    pub fn polytomous(effect: f64, p_value: f64) -> EtsClass {
        let size = effect.abs();
        let focal = effect > 0.0;
        if p_value >= LEVEL || size <= 0.17 {
            EtsClass::AA
        } else if size > 0.25 {
            if focal { EtsClass::CcPlus } else { EtsClass::CcMinus }
        } else if focal {
            EtsClass::BbPlus
        } else {
            EtsClass::BbMinus
        }
    }
}

/// Why an item's DIF statistics are missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotEstimable {
    /// No stratum holds both groups (e.g. only one group was administered the item).
    NoCommonStrata,
    /// The item score does not vary within the usable strata (e.g. everybody right or wrong).
    NoVariation,
    /// Within the strata one group is never right where the other is wrong (or vice versa), so
    /// α_MH is 0 or ∞; χ² and p are still given. Typical of tiny samples — inspect the item.
    DegenerateOddsRatio,
}

/// Mantel–Haenszel results of one item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MhItem {
    pub item: String,
    /// Highest observed category; above 1 the polytomous statistics apply.
    pub max_score: u8,
    /// Strata used (both groups present).
    pub strata: usize,
    /// Weight of reference-group persons in the used strata.
    pub n_reference: f64,
    /// Weight of focal-group persons in the used strata.
    pub n_focal: f64,
    /// Weight of persons administered the item in strata left out (only one group present).
    pub n_excluded: f64,
    /// Dichotomous: MH χ² with continuity correction; polytomous: Mantel's χ² (1 df).
    pub chi_square: Option<f64>,
    pub p_value: Option<f64>,
    /// Common odds ratio (reference odds over focal odds); dichotomous only.
    pub alpha_mh: Option<f64>,
    /// −2.35 ln α_MH; dichotomous only.
    pub delta_mh: Option<f64>,
    /// Standard error of Δ_MH; dichotomous only.
    pub se_delta: Option<f64>,
    /// Focal-weighted mean difference focal − reference within strata (STD P-DIF for
    /// dichotomous items); negative favours the reference group.
    pub smd: Option<f64>,
    /// SMD divided by the item's SD in both groups together.
    pub smd_effect: Option<f64>,
    pub class: Option<EtsClass>,
    pub not_estimable: Option<NotEstimable>,
}

/// How purification ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Purification {
    /// Recomputations after the first analysis.
    pub iterations: usize,
    /// Whether the flagged set stopped changing (otherwise the limit was hit or every item was
    /// flagged, leaving nothing to match on).
    pub converged: bool,
    /// Items in the matching score of the reported results.
    pub anchors: Vec<String>,
}

/// Mantel–Haenszel DIF of every item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MhReport {
    pub reference: String,
    pub focal: String,
    /// "total", "rest" or "given".
    pub matching: &'static str,
    /// Present when purification was asked for.
    pub purification: Option<Purification>,
    pub items: Vec<MhItem>,
}

/// A person of the reference or focal group.
struct Member {
    person: usize,
    focal: bool,
    weight: f64,
}

/// Mantel–Haenszel DIF of every item of `matrix` between two of its groups.
///
/// Purification (Holland & Thayer, 1988): the items flagged B or C are dropped from the matching
/// score and all items are analysed again, until the flagged set repeats or the iteration limit
/// is reached. The studied item always stays in its own total-score criterion, as the Rasch
/// argument for including it requires.
pub fn mantel_haenszel(matrix: &ResponseMatrix, options: &MhOptions) -> Result<MhReport, DifError> {
    let names = matrix.group_names();
    for index in [options.reference, options.focal] {
        if usize::from(index) >= names.len() {
            return Err(DifError::Group {
                index,
                groups: names.len(),
            });
        }
    }
    let reference = names[usize::from(options.reference)].clone();
    let focal = names[usize::from(options.focal)].clone();
    if options.reference == options.focal {
        return Err(DifError::SameGroup(reference));
    }
    let matching = match &options.matching {
        Matching::Total => "total",
        Matching::Rest => "rest",
        Matching::Given(scores) => {
            if scores.len() != matrix.n_persons() {
                return Err(DifError::MatchingLength {
                    persons: matrix.n_persons(),
                    got: scores.len(),
                });
            }
            if options.max_purification_iterations > 0 {
                return Err(DifError::PurifyGiven);
            }
            "given"
        }
    };

    let members: Vec<Member> = matrix
        .normalized_weights()
        .into_iter()
        .zip(matrix.groups())
        .enumerate()
        .filter(|&(_, (w, &g))| w > 0.0 && (g == options.reference || g == options.focal))
        .map(|(person, (weight, &g))| Member {
            person,
            focal: g == options.focal,
            weight,
        })
        .collect();
    for (is_focal, role, name) in [(false, "reference", &reference), (true, "focal", &focal)] {
        if !members.iter().any(|m| m.focal == is_focal) {
            return Err(DifError::EmptyGroup {
                role,
                name: name.clone(),
            });
        }
    }

    let study = Study {
        matrix,
        options,
        members,
    };
    let mut anchor = vec![true; matrix.n_items()];
    let mut items = study.analyse(&anchor);
    let mut purification = None;
    if options.max_purification_iterations > 0 {
        let mut iterations = 0;
        let converged = loop {
            let next: Vec<bool> = items
                .iter()
                .map(|it| !it.class.is_some_and(EtsClass::is_flagged))
                .collect();
            if next == anchor {
                break true;
            }
            if iterations == options.max_purification_iterations || !next.contains(&true) {
                break false;
            }
            anchor = next;
            items = study.analyse(&anchor);
            iterations += 1;
        };
        let anchors = matrix
            .items()
            .iter()
            .zip(&anchor)
            .filter(|&(_, &a)| a)
            .map(|(name, _)| name.clone())
            .collect();
        purification = Some(Purification {
            iterations,
            converged,
            anchors,
        });
    }
    Ok(MhReport {
        reference,
        focal,
        matching,
        purification,
        items,
    })
}

/// The persons and options of one analysis.
struct Study<'a> {
    matrix: &'a ResponseMatrix,
    options: &'a MhOptions,
    members: Vec<Member>,
}

impl Study<'_> {
    /// Every item's results with the matching score built from the `anchor` items.
    fn analyse(&self, anchor: &[bool]) -> Vec<MhItem> {
        let policy = self.options.policy;
        let score = |m: &Member, i: usize| policy.apply(self.matrix.get(m.person, i));
        let base: Vec<u32> = self
            .members
            .iter()
            .map(|m| match &self.options.matching {
                Matching::Given(scores) => scores[m.person],
                Matching::Total | Matching::Rest => (0..anchor.len())
                    .filter(|&i| anchor[i])
                    .map(|i| score(m, i))
                    .filter(|&x| x != NOT_ADMINISTERED)
                    .map(u32::from)
                    .sum(),
            })
            .collect();
        let categories = self.matrix.categories();
        (0..anchor.len())
            .map(|i| {
                let mut tables = Tables::new(categories[i]);
                for (m, &b) in self.members.iter().zip(&base) {
                    let x = score(m, i);
                    if x == NOT_ADMINISTERED {
                        continue;
                    }
                    let stratum = match self.options.matching {
                        Matching::Total if !anchor[i] => b + u32::from(x),
                        Matching::Rest if anchor[i] => b - u32::from(x),
                        _ => b,
                    };
                    tables.add(stratum, m.focal, x, m.weight);
                }
                tables.analyse(&self.matrix.items()[i])
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::EtsClass::{self, *};

    #[test]
    fn ets_rules() {
        assert_eq!(EtsClass::dichotomous(-2.0, 0.2, 1e-6), CMinus);
        assert_eq!(EtsClass::dichotomous(2.0, 0.2, 1e-6), CPlus);
        // |Δ| ≥ 1.5 but not significantly above 1: B.
        assert_eq!(EtsClass::dichotomous(1.6, 0.5, 1e-6), BPlus);
        assert_eq!(EtsClass::dichotomous(-1.2, 0.1, 1e-6), BMinus);
        assert_eq!(EtsClass::dichotomous(-0.99, 0.01, 1e-9), A);
        assert_eq!(EtsClass::dichotomous(-2.5, 0.2, 0.06), A);
        assert_eq!(EtsClass::polytomous(-0.3, 0.01), CcMinus);
        assert_eq!(EtsClass::polytomous(0.2, 0.01), BbPlus);
        assert_eq!(EtsClass::polytomous(0.17, 0.01), AA);
        assert_eq!(EtsClass::polytomous(0.5, 0.2), AA);
        assert!(!A.is_flagged() && !AA.is_flagged() && BPlus.is_flagged() && CcMinus.is_flagged());
    }
}

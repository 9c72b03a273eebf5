//! Classical distractor analysis of multiple-choice items from the raw option codes.

use super::{ClassicalError, ClassicalOptions, ItemFlag, Moments};
use crate::data::ResponseMatrix;
use crate::data::codes::{FIRST_MISSING, NOT_ADMINISTERED};
use serde::Serialize;

/// How one option (or one missing code scored 0) of an item was chosen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OptionStats {
    /// The option code as in the raw matrix; codes ≥ 250 are missing codes the policy scores 0
    /// (e.g. 254 = omitted), listed so the shares add up to 1.
    pub code: u8,
    /// Whether this is the keyed (correct) option.
    pub key: bool,
    /// Persons choosing it, whatever their weight.
    pub n: usize,
    /// Weighted share of the persons administered the item (0 when nobody has weight).
    pub share: f64,
    /// Weighted mean total score (the item included) of those choosing it; `None` if nobody did.
    pub mean_total: Option<f64>,
    /// Correlation of choosing it with the rest score (the item's own score left out, so the key's
    /// point is not inflated and a distractor's not deflated); for the key this is the item–rest
    /// correlation. `None` when everybody or nobody chose it or the rest score is constant.
    pub point_biserial: Option<f64>,
    /// A wrong option with a point-biserial above the threshold.
    pub flagged: bool,
}

/// Distractor analysis of one item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DistractorItem {
    pub item: String,
    pub key: u8,
    /// Persons administered the item (after the missing policy), whatever their weight.
    pub n: usize,
    pub n_weighted: f64,
    /// Every option seen, and the key even when nobody chose it, by ascending code.
    pub options: Vec<OptionStats>,
    /// [`ItemFlag::NoResponses`] or [`ItemFlag::PositiveDistractor`].
    pub flags: Vec<ItemFlag>,
}

/// One option's running sums.
#[derive(Debug, Clone, Default)]
struct Tally {
    n: usize,
    weight: f64,
    mean_rest: f64,
    /// (chose it, rest score) over everybody administered the item.
    moments: Moments,
}

/// Distractor analysis of `raw`, a matrix of option codes (bytes below 250; missing codes as
/// usual), with `key[i]` the correct option of item `i`.
///
/// An option code equal to the key scores 1, any other option 0; missing codes are scored by the
/// policy. The total score is the number of keyed answers over the person's administered items.
/// Weighted with [`ResponseMatrix::normalized_weights`].
pub fn distractor_analysis(
    raw: &ResponseMatrix,
    key: &[u8],
    options: &ClassicalOptions,
) -> Result<Vec<DistractorItem>, ClassicalError> {
    let n_items = raw.n_items();
    if key.len() != n_items {
        return Err(ClassicalError::ItemColumn {
            what: "the key",
            items: n_items,
            got: key.len(),
        });
    }
    if let Some((item, &k)) = raw.items().iter().zip(key).find(|&(_, &k)| k >= FIRST_MISSING) {
        return Err(ClassicalError::KeyCode {
            item: item.clone(),
            key: k,
        });
    }
    let policy = options.policy;
    let score = |b: u8, k: u8| {
        if b < FIRST_MISSING {
            u8::from(b == k)
        } else {
            policy.apply(b)
        }
    };

    // Pass 1: total scores and the codes each item shows.
    let mut present = vec![[false; 256]; n_items];
    for (seen, &k) in present.iter_mut().zip(key) {
        seen[usize::from(k)] = true;
    }
    let totals: Vec<u32> = (0..raw.n_persons())
        .map(|p| {
            let mut total = 0;
            for ((seen, &b), &k) in present.iter_mut().zip(raw.row(p)).zip(key) {
                let s = score(b, k);
                if s != NOT_ADMINISTERED {
                    seen[usize::from(b)] = true;
                    total += u32::from(s);
                }
            }
            total
        })
        .collect();
    let codes: Vec<Vec<u8>> = present
        .iter()
        .map(|seen| (0..=u8::MAX).filter(|&c| seen[usize::from(c)]).collect())
        .collect();

    // Pass 2: every administered response updates all options of its item, in person order.
    let mut tallies: Vec<Vec<Tally>> = codes.iter().map(|c| vec![Tally::default(); c.len()]).collect();
    for (p, w) in raw.normalized_weights().into_iter().enumerate() {
        for (i, &b) in raw.row(p).iter().enumerate() {
            let s = score(b, key[i]);
            if s == NOT_ADMINISTERED {
                continue;
            }
            let rest = f64::from(totals[p] - u32::from(s));
            for (tally, &code) in tallies[i].iter_mut().zip(&codes[i]) {
                let chose = code == b;
                tally.moments.add(f64::from(u8::from(chose)), rest, w);
                if chose {
                    tally.n += 1;
                    if w > 0.0 {
                        tally.weight += w;
                        tally.mean_rest += w / tally.weight * (rest - tally.mean_rest);
                    }
                }
            }
        }
    }

    let threshold = options.flags.max_distractor_point_biserial;
    let items = tallies
        .iter()
        .zip(&codes)
        .zip(key)
        .zip(raw.items())
        .map(|(((tallies, codes), &k), item)| {
            let n_weighted: f64 = tallies.iter().map(|t| t.weight).sum();
            let options: Vec<OptionStats> = tallies
                .iter()
                .zip(codes)
                .map(|(t, &code)| {
                    let point_biserial = t.moments.correlation();
                    let wrong_option = code != k && code < FIRST_MISSING;
                    OptionStats {
                        code,
                        key: code == k,
                        n: t.n,
                        share: if n_weighted > 0.0 { t.weight / n_weighted } else { 0.0 },
                        mean_total: (t.weight > 0.0).then(|| t.mean_rest + f64::from(u8::from(code == k))),
                        point_biserial,
                        flagged: wrong_option && point_biserial.is_some_and(|r| r > threshold),
                    }
                })
                .collect();
            let mut flags = Vec::new();
            if n_weighted == 0.0 {
                flags.push(ItemFlag::NoResponses);
            }
            if options.iter().any(|o| o.flagged) {
                flags.push(ItemFlag::PositiveDistractor);
            }
            DistractorItem {
                item: item.clone(),
                key: k,
                n: tallies.iter().map(|t| t.n).sum(),
                n_weighted,
                options,
                flags,
            }
        })
        .collect();
    Ok(items)
}

//! First stage: schools by systematic PPS within explicit strata, or a census of schools.
//!
//! Within a stratum the frame is sorted by its implicit keys (implicit stratification),
//! schools whose measure of size reaches the sampling interval are taken with certainty
//! (π = 1) and set aside, the interval is recomputed on the rest, and so on until no school
//! reaches it; the remaining n schools are drawn systematically from a random start with
//! π = n·MOS/ΣMOS over the remaining schools.

use std::collections::BTreeMap;

use rand::RngExt;
use serde::{Deserialize, Serialize};

use super::error::SurveyError;
use super::frame::{Frame, FrameSchool};
use super::streams::{Stage, stream};

/// What happened to a sampled school in the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SchoolStatus {
    Participating,
    /// Eligible but not taking part: its weight goes to participating schools of its cell.
    Refused,
    /// Out of scope (closed, no target grade): no weight and no non-response adjustment.
    Ineligible,
}

/// A school of the sample with its selection probability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampledSchool {
    pub id: u64,
    pub stratum: String,
    /// Position in the stratum's sampling order (the sorted frame); zones follow it.
    pub order: usize,
    pub mos: f64,
    /// π_i, the school's probability of selection.
    pub prob: f64,
    /// Taken with certainty (or in a census): the school represents only itself, so its
    /// students, not the school, are the units of variance estimation.
    pub certainty: bool,
    /// Set after fieldwork; selection marks every school as participating.
    pub status: SchoolStatus,
    /// School non-response cell; `None` uses the (weighting) stratum.
    pub nr_cell: Option<String>,
}

/// One explicit stratum: what the frame held and what was drawn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StratumSummary {
    pub stratum: String,
    pub frame_schools: usize,
    /// Σ MOS over the stratum's frame: the default population total of its weights.
    pub frame_mos: f64,
    pub allocated: usize,
    pub certainty: usize,
    /// Interval and random start of the systematic pass (none when every allocated
    /// school was a certainty school, or in a census).
    pub interval: Option<f64>,
    pub start: Option<f64>,
}

/// The school sample: strata in label order, schools by stratum in sampling order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SchoolSample {
    pub strata: Vec<StratumSummary>,
    pub schools: Vec<SampledSchool>,
}

/// Systematic PPS selection of `allocation[stratum]` schools in every explicit stratum.
/// The random start of stratum h comes from the stream keyed by h's index in label order.
pub fn select_schools(
    frame: &Frame,
    allocation: &BTreeMap<String, usize>,
    seed: u64,
) -> Result<SchoolSample, SurveyError> {
    let strata = frame.strata();
    if let Some(unknown) = allocation.keys().find(|k| !strata.contains_key(k.as_str())) {
        return Err(SurveyError::UnknownStratum(unknown.clone()));
    }
    let mut sample = SchoolSample {
        strata: Vec::new(),
        schools: Vec::new(),
    };
    for (h, (&label, schools)) in strata.iter().enumerate() {
        let n = match allocation.get(label) {
            Some(&n) if n > 0 => n,
            _ => return Err(SurveyError::MissingAllocation(label.into())),
        };
        if n > schools.len() {
            return Err(SurveyError::AllocationTooLarge {
                stratum: label.into(),
                requested: n,
                available: schools.len(),
            });
        }
        let mos: Vec<f64> = schools.iter().map(|s| s.mos).collect();
        let certain = certainty_schools(&mos, n);
        let taken = certain.iter().filter(|&&c| c).count();
        let mut summary = StratumSummary {
            stratum: label.into(),
            frame_schools: schools.len(),
            frame_mos: mos.iter().sum(),
            allocated: n,
            certainty: taken,
            interval: None,
            start: None,
        };
        let mut drawn: Vec<(usize, f64)> = Vec::new();
        if n > taken {
            let rest: Vec<usize> = (0..schools.len()).filter(|&i| !certain[i]).collect();
            let interval = rest.iter().map(|&i| mos[i]).sum::<f64>() / (n - taken) as f64;
            let start = stream(seed, Stage::SchoolStart, h as u64).random::<f64>() * interval;
            summary.interval = Some(interval);
            summary.start = Some(start);
            drawn = systematic(&rest, &mos, interval, start, n - taken)
                .into_iter()
                .map(|i| (i, mos[i] / interval))
                .collect();
        }
        drawn.extend((0..schools.len()).filter(|&i| certain[i]).map(|i| (i, 1.0)));
        drawn.sort_by_key(|&(i, _)| i);
        sample.schools.extend(
            drawn
                .into_iter()
                .map(|(i, prob)| sampled(schools[i], i, prob, certain[i])),
        );
        sample.strata.push(summary);
    }
    Ok(sample)
}

/// Every school of the frame, each with π = 1 (and so representing only itself).
pub fn census(frame: &Frame) -> SchoolSample {
    let mut sample = SchoolSample {
        strata: Vec::new(),
        schools: Vec::new(),
    };
    for (label, schools) in frame.strata() {
        sample.strata.push(StratumSummary {
            stratum: label.into(),
            frame_schools: schools.len(),
            frame_mos: schools.iter().map(|s| s.mos).sum(),
            allocated: schools.len(),
            certainty: schools.len(),
            interval: None,
            start: None,
        });
        sample
            .schools
            .extend(schools.iter().enumerate().map(|(i, s)| sampled(s, i, 1.0, true)));
    }
    sample
}

fn sampled(s: &FrameSchool, order: usize, prob: f64, certainty: bool) -> SampledSchool {
    SampledSchool {
        id: s.id,
        stratum: s.stratum.clone(),
        order,
        mos: s.mos,
        prob,
        certainty,
        status: SchoolStatus::Participating,
        nr_cell: None,
    }
}

/// Marks the certainty schools: repeatedly, every school whose size reaches the interval
/// of the schools not yet marked (ΣMOS / slots left) is marked. A relative tolerance of
/// 1e-12 keeps a school exactly at the interval from missing it by rounding.
fn certainty_schools(mos: &[f64], n: usize) -> Vec<bool> {
    let mut certain = vec![false; mos.len()];
    let mut left = n;
    while left > 0 {
        let total: f64 = (0..mos.len()).filter(|&i| !certain[i]).map(|i| mos[i]).sum();
        let interval = total / left as f64;
        let mut reaching: Vec<usize> = (0..mos.len())
            .filter(|&i| !certain[i] && mos[i] >= interval * (1.0 - 1e-12))
            .collect();
        if reaching.is_empty() {
            break;
        }
        reaching.sort_by(|&a, &b| mos[b].total_cmp(&mos[a]));
        for &i in reaching.iter().take(left) {
            certain[i] = true;
        }
        left -= reaching.len().min(left);
    }
    certain
}

/// Systematic selection along `order` with points start + j·interval, j < n: the school
/// whose cumulated size span holds a point is taken. Every size is below the interval,
/// so no school holds two points; a point pushed past the end by rounding takes the last.
fn systematic(order: &[usize], mos: &[f64], interval: f64, start: f64, n: usize) -> Vec<usize> {
    let mut taken = Vec::with_capacity(n);
    let mut k = 0;
    let mut end = mos[order[0]];
    for j in 0..n {
        let point = start + j as f64 * interval;
        while point >= end && k + 1 < order.len() {
            k += 1;
            end += mos[order[k]];
        }
        if taken.last() != Some(&order[k]) {
            taken.push(order[k]);
        }
    }
    taken
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certainty_is_repeated_on_the_rest() {
        // Interval 200/2 = 100: school 0 (120) is certain; then 80/1 = 80: school 1 (60)
        // is not.
        assert_eq!(certainty_schools(&[120.0, 60.0, 20.0], 2), [true, false, false]);
        // 60 + 30 + 10 with n = 2: 50 → 60 certain, then 40/1 → 30 not.
        assert_eq!(certainty_schools(&[60.0, 30.0, 10.0], 2), [true, false, false]);
        // Taking every school makes each of them certain.
        assert_eq!(certainty_schools(&[10.0, 90.0], 2), [true, true]);
        assert_eq!(certainty_schools(&[0.1, 0.1, 0.1], 3), [true, true, true]);
    }

    #[test]
    fn systematic_takes_the_school_under_each_point() {
        let mos = [10.0, 30.0, 20.0, 40.0];
        let order = [0, 1, 2, 3];
        // Interval 50, start 5: points 5 and 55 fall in schools 0 and 2.
        assert_eq!(systematic(&order, &mos, 50.0, 5.0, 2), [0, 2]);
        assert_eq!(systematic(&order, &mos, 50.0, 49.0, 2), [2, 3]);
    }
}

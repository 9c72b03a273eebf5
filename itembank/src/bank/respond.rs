//! Scoring a respondent's whole questionnaire, with routing decided on the server.

use std::collections::BTreeMap;

use super::Bank;
use crate::codes::MissingCode;
use crate::questionnaire::Shown;
use crate::score::{Outcome, RawResponse};

impl Bank {
    /// Scores every item of a questionnaire for one respondent, in presentation order.
    ///
    /// Routing is replayed on the scored answers: an item the rules jumped over is a
    /// valid skip (251) even if an answer is stored for it — the answer is stale, left
    /// from before the respondent changed the answer that routes around it. A shown
    /// item without an answer is omitted (254). `None` if there is no such questionnaire.
    pub fn score_questionnaire(
        &self,
        questionnaire: &str,
        answers: &BTreeMap<String, RawResponse>,
    ) -> Option<Vec<(String, Outcome)>> {
        let routing = self.routing(questionnaire)?;
        let scored: BTreeMap<&str, Outcome> = routing
            .order()
            .iter()
            .map(|id| {
                let outcome = match (self.item(id), answers.get(id)) {
                    (Some(item), Some(raw)) => item.score(raw),
                    _ => Outcome::Missing(MissingCode::Omitted),
                };
                (id.as_str(), outcome)
            })
            .collect();
        let value_of = |id: &str| scored.get(id).and_then(Outcome::value);
        let resolved = routing.resolve(&value_of);
        Some(
            resolved
                .into_iter()
                .map(|(id, shown)| {
                    let outcome = match shown {
                        Shown::ValidSkip => Outcome::Missing(MissingCode::ValidSkip),
                        Shown::Shown => scored
                            .get(id.as_str())
                            .copied()
                            .unwrap_or(Outcome::Missing(MissingCode::Omitted)),
                    };
                    (id, outcome)
                })
                .collect(),
        )
    }
}

//! Compiled routing: validation (unknown targets, backward jumps, cycles,
//! questions no answer can reach) and the server-side replay that decides which
//! items were shown and which were validly skipped.

use std::collections::BTreeMap;

use super::condition::{self, Condition};
use super::{END, Questionnaire};
use crate::problems::FieldProblems;

/// What an item's answers can be, for deciding which routing branches are possible.
#[derive(Debug, Clone, PartialEq)]
pub enum Domain {
    /// Score categories `0..n`.
    Categories(u8),
    /// Any number in `[min, max]`.
    Range(f64, f64),
    /// The item has no value a condition can test (a test item, free text).
    None,
}

/// Whether a questionnaire item was shown or routed away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    Shown,
    ValidSkip,
}

#[derive(Debug, Clone)]
struct Rule {
    at: usize,
    condition: Condition,
    /// Position to continue at; `order.len()` ends the questionnaire.
    target: usize,
}

/// A questionnaire's item order with its routing rules, validated.
#[derive(Debug, Clone)]
pub struct Routing {
    order: Vec<String>,
    rules: Vec<Rule>,
}

/// More answer combinations than this are not enumerated; branches are then
/// assumed possible, which can only hide an unreachable question, never invent one.
const MAX_COMBINATIONS: usize = 100_000;

impl Routing {
    /// Compiles and validates the routing of `q` over its items in presentation order.
    pub fn compile(
        q: &Questionnaire,
        order: Vec<String>,
        domain_of: &dyn Fn(&str) -> Domain,
    ) -> Result<Routing, FieldProblems> {
        let mut p = FieldProblems::default();
        let position: BTreeMap<&str, usize> = order.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
        let mut rules = Vec::new();
        for (r, rule) in q.routing.iter().enumerate() {
            let field = format!("routing[{r}]");
            let Some(&at) = position.get(rule.at.as_str()) else {
                p.push(
                    format!("{field}.at"),
                    format!("`{}` is not an item of this questionnaire", rule.at),
                );
                continue;
            };
            let target = if rule.goto == END {
                order.len()
            } else if let Some(&t) = position.get(rule.goto.as_str()) {
                t
            } else {
                p.push(
                    format!("{field}.goto"),
                    format!("`{}` is not an item of this questionnaire (or `{END}`)", rule.goto),
                );
                continue;
            };
            let condition = match condition::parse(&rule.when) {
                Ok(c) => c,
                Err(e) => {
                    p.push(format!("{field}.when"), format!("cannot read `{}`: {e}", rule.when));
                    continue;
                }
            };
            for item in condition.items() {
                match position.get(item) {
                    None => p.push(
                        format!("{field}.when"),
                        format!("`{item}` is not an item of this questionnaire"),
                    ),
                    Some(&i) if i > at => p.push(
                        format!("{field}.when"),
                        format!(
                            "reads `{item}`, which comes after `{}` and is not answered yet",
                            rule.at
                        ),
                    ),
                    Some(_) if domain_of(item) == Domain::None => p.push(
                        format!("{field}.when"),
                        format!(
                            "`{item}` has no value a condition can test (use a Likert, categorical or numeric item)"
                        ),
                    ),
                    Some(_) => {}
                }
            }
            if target == at + 1 {
                p.push(
                    format!("{field}.goto"),
                    format!("`{}` is the next item anyway; the rule does nothing", rule.goto),
                );
            }
            rules.push(Rule { at, condition, target });
        }
        if !p.is_empty() {
            return Err(p);
        }
        let routing = Routing { order, rules };
        routing.check_flow(domain_of, &mut p);
        if p.is_empty() { Ok(routing) } else { Err(p) }
    }

    /// The items in presentation order.
    pub fn order(&self) -> &[String] {
        &self.order
    }

    /// Possible next positions from each position (`len` = the end).
    fn successors(&self, domain_of: &dyn Fn(&str) -> Domain) -> Vec<Vec<usize>> {
        (0..self.order.len())
            .map(|at| {
                let here: Vec<&Rule> = self.rules.iter().filter(|r| r.at == at).collect();
                let mut next = possible_targets(&here, domain_of, at + 1);
                next.sort_unstable();
                next.dedup();
                next
            })
            .collect()
    }

    fn check_flow(&self, domain_of: &dyn Fn(&str) -> Domain, p: &mut FieldProblems) {
        let successors = self.successors(domain_of);
        if let Some(cycle) = find_cycle(&successors) {
            let names: Vec<&str> = cycle.iter().map(|&i| self.order[i].as_str()).collect();
            p.push(
                "routing",
                format!("routing makes a cycle: {} → {}", names.join(" → "), names[0]),
            );
            return;
        }
        let mut reached = vec![false; self.order.len() + 1];
        let mut stack = vec![0];
        while let Some(i) = stack.pop() {
            if std::mem::replace(&mut reached[i], true) {
                continue;
            }
            if let Some(next) = successors.get(i) {
                stack.extend(next.iter().copied().filter(|&n| !reached[n]));
            }
        }
        for (i, id) in self.order.iter().enumerate() {
            if !reached[i] {
                p.push(
                    "routing",
                    format!("question `{id}` can never be shown: every route skips it"),
                );
            }
        }
    }

    /// Replays the routing on the answers: which items were shown, which skipped.
    ///
    /// `value_of` gives an answered item's value (category or number).
    pub fn resolve(&self, value_of: &dyn Fn(&str) -> Option<f64>) -> Vec<(String, Shown)> {
        let mut shown = vec![Shown::ValidSkip; self.order.len()];
        let mut at = 0;
        while at < self.order.len() {
            shown[at] = Shown::Shown;
            let jump = self.rules.iter().find(|r| r.at == at && r.condition.eval(value_of));
            // Compilation guarantees forward jumps; `max` keeps the walk finite regardless.
            at = jump.map_or(at + 1, |r| r.target.max(at + 1));
        }
        self.order.iter().cloned().zip(shown).collect()
    }
}

/// The targets the rules at one position can lead to, including falling through
/// to `next` when some answers trigger no rule. The first rule that holds wins.
fn possible_targets(rules: &[&Rule], domain_of: &dyn Fn(&str) -> Domain, next: usize) -> Vec<usize> {
    if rules.is_empty() {
        return vec![next];
    }
    let mut items: Vec<&str> = rules.iter().flat_map(|r| r.condition.items()).collect();
    items.sort_unstable();
    items.dedup();
    let probes: Vec<Vec<Option<f64>>> = items
        .iter()
        .map(|item| {
            let constants: Vec<f64> = rules.iter().flat_map(|r| r.condition.constants_for(item)).collect();
            probe_values(&domain_of(item), &constants)
        })
        .collect();
    let combinations = probes.iter().try_fold(1usize, |acc, p| acc.checked_mul(p.len()));
    if combinations.is_none_or(|n| n > MAX_COMBINATIONS) {
        let mut all: Vec<usize> = rules.iter().map(|r| r.target).collect();
        all.push(next);
        return all;
    }
    let mut targets = Vec::new();
    let mut choice = vec![0usize; items.len()];
    loop {
        let value_of = |id: &str| items.iter().position(|i| *i == id).and_then(|k| probes[k][choice[k]]);
        let fired = rules.iter().find(|r| r.condition.eval(&value_of));
        targets.push(fired.map_or(next, |r| r.target));
        // Advance the mixed-radix counter over all probe combinations.
        let mut k = 0;
        loop {
            if k == choice.len() {
                return targets;
            }
            choice[k] += 1;
            if choice[k] < probes[k].len() {
                break;
            }
            choice[k] = 0;
            k += 1;
        }
    }
}

/// Values that exercise every branch of comparisons with `constants` over a domain:
/// each category, or for ranges the bounds, the constants and points between them.
fn probe_values(domain: &Domain, constants: &[f64]) -> Vec<Option<f64>> {
    let mut values: Vec<Option<f64>> = vec![None];
    match *domain {
        Domain::Categories(n) => values.extend((0..n).map(|k| Some(f64::from(k)))),
        Domain::Range(lo, hi) => {
            let mut points = vec![lo, hi];
            for &c in constants {
                points.extend([c - 0.5, c, c + 0.5]);
            }
            points.retain(|v| (lo..=hi).contains(v));
            points.sort_by(f64::total_cmp);
            points.dedup();
            values.extend(points.into_iter().map(Some));
        }
        Domain::None => {}
    }
    values
}

/// A cycle in the successor graph, as the positions along it.
fn find_cycle(successors: &[Vec<usize>]) -> Option<Vec<usize>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    let n = successors.len();
    let mut mark = vec![Mark::New; n];
    for start in 0..n {
        if mark[start] != Mark::New {
            continue;
        }
        let mut path = vec![(start, 0usize)];
        mark[start] = Mark::Open;
        while let Some(&mut (node, ref mut edge)) = path.last_mut() {
            let Some(&next) = successors[node].get(*edge) else {
                mark[node] = Mark::Done;
                path.pop();
                continue;
            };
            *edge += 1;
            if next >= n {
                continue;
            }
            match mark[next] {
                Mark::Open => {
                    let from = path.iter().position(|&(v, _)| v == next).unwrap_or(0);
                    return Some(path[from..].iter().map(|&(v, _)| v).collect());
                }
                Mark::New => {
                    mark[next] = Mark::Open;
                    path.push((next, 0));
                }
                Mark::Done => {}
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::{Questionnaire, QuestionnaireSection, Respondent, RoutingRule};
    use super::*;
    use crate::text::LocalizedText;

    fn questionnaire(rules: &[(&str, &str, &str)]) -> (Questionnaire, Vec<String>) {
        let order: Vec<String> = (1..=6).map(|i| format!("Q{i}")).collect();
        let q = Questionnaire {
            id: "T".into(),
            title: LocalizedText::zh("测试"),
            respondent: Respondent::Student,
            time_limit_minutes: None,
            sections: vec![QuestionnaireSection {
                id: "S".into(),
                title: LocalizedText::zh("一"),
                entries: order.clone(),
            }],
            routing: rules
                .iter()
                .map(|(at, when, goto)| RoutingRule {
                    at: at.to_string(),
                    when: when.to_string(),
                    goto: goto.to_string(),
                })
                .collect(),
        };
        (q, order)
    }

    fn binary(_: &str) -> Domain {
        Domain::Categories(2)
    }

    fn messages(p: FieldProblems) -> Vec<String> {
        p.0.into_iter().map(|p| p.message).collect()
    }

    #[test]
    fn skipped_items_are_valid_skips() {
        let (q, order) = questionnaire(&[("Q2", "Q2 == 0", "Q6")]);
        let routing = Routing::compile(&q, order, &binary).unwrap();
        let no_siblings = routing.resolve(&|id| (id == "Q2").then_some(0.0));
        let shown: Vec<Shown> = no_siblings.iter().map(|(_, s)| *s).collect();
        let (show, skip) = (Shown::Shown, Shown::ValidSkip);
        assert_eq!(shown, vec![show, show, skip, skip, skip, show]);
        let siblings = routing.resolve(&|id| (id == "Q2").then_some(1.0));
        assert!(siblings.iter().all(|(_, s)| *s == show));
        // An unanswered routing question does not skip anything.
        assert!(routing.resolve(&|_| None).iter().all(|(_, s)| *s == show));
    }

    #[test]
    fn backward_jump_is_a_cycle() {
        let (q, order) = questionnaire(&[("Q4", "Q4 == 1", "Q2")]);
        let e = messages(Routing::compile(&q, order, &binary).unwrap_err());
        assert!(e[0].contains("cycle: Q2 → Q3 → Q4 → Q2"), "{e:?}");
    }

    #[test]
    fn always_true_jump_makes_questions_unreachable() {
        let (q, order) = questionnaire(&[("Q1", "Q1 in [0, 1] or not Q1 in [0, 1]", "Q4")]);
        let e = messages(Routing::compile(&q, order, &binary).unwrap_err());
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(e[0].contains("`Q2` can never be shown"));
        assert!(e[1].contains("`Q3` can never be shown"));
    }

    #[test]
    fn range_conditions_use_probes() {
        let (q, order) = questionnaire(&[("Q1", "Q1 >= 0", "Q3")]);
        let range = |_: &str| Domain::Range(0.0, 10.0);
        // Q1 >= 0 holds for every answer in range, but a missing answer falls through.
        assert!(Routing::compile(&q, order.clone(), &range).is_ok());
        let (q, _) = questionnaire(&[("Q1", "Q1 > 20", "Q3")]);
        assert!(Routing::compile(&q, order, &range).is_ok());
    }

    #[test]
    fn bad_references_are_reported() {
        let (q, order) = questionnaire(&[
            ("Q9", "Q1 == 0", "Q3"),
            ("Q1", "Q5 == 0", "Q3"),
            ("Q1", "Q1 === 0", "Q3"),
            ("Q1", "Q1 == 0", "Q7"),
        ]);
        let e = messages(Routing::compile(&q, order, &binary).unwrap_err());
        assert_eq!(e.len(), 4, "{e:?}");
    }
}

//! The response matrix: one byte per person × item, persons in rows.

use super::codes::{FIRST_MISSING, MissingPolicy, NOT_ADMINISTERED};

/// Why response data cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DataError {
    #[error("the matrix has {got} bytes, expected {persons} persons × {items} items = {expected}")]
    Shape {
        persons: usize,
        items: usize,
        expected: usize,
        got: usize,
    },
    #[error("{what} has {got} entries, expected one per person ({persons})")]
    PersonColumn {
        what: &'static str,
        persons: usize,
        got: usize,
    },
    #[error("weight of person {person} (row {row}) is {weight}; weights must be finite and ≥ 0")]
    BadWeight { person: String, row: usize, weight: f64 },
    #[error("all weights are zero")]
    ZeroWeights,
    #[error("item {item} has category {category}; categories must be below {FIRST_MISSING}")]
    Category { item: String, category: u8 },
    #[error("{0}")]
    Invalid(String),
}

/// Responses of persons to items, with each person's group and sampling weight.
///
/// Bytes are scored categories `0..K−1` or the missing codes of [`super::codes`].
/// Groups are indices into `group_names` (group 0 is the reference group).
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseMatrix {
    items: Vec<String>,
    persons: Vec<String>,
    data: Vec<u8>,
    groups: Vec<u16>,
    group_names: Vec<String>,
    weights: Option<Vec<f64>>,
}

impl ResponseMatrix {
    /// A matrix of one group without weights; `persons` are ids (row numbers if empty).
    pub fn new(items: Vec<String>, persons: Vec<String>, data: Vec<u8>) -> Result<Self, DataError> {
        let n = if items.is_empty() { 0 } else { data.len() / items.len() };
        let persons = if persons.is_empty() {
            (1..=n).map(|r| r.to_string()).collect()
        } else {
            persons
        };
        let expected = persons.len() * items.len();
        if data.len() != expected {
            return Err(DataError::Shape {
                persons: persons.len(),
                items: items.len(),
                expected,
                got: data.len(),
            });
        }
        let groups = vec![0; persons.len()];
        Ok(ResponseMatrix {
            items,
            persons,
            data,
            groups,
            group_names: vec!["all".into()],
            weights: None,
        })
    }

    /// Assigns persons to groups; `names[0]` is the reference group.
    pub fn with_groups(mut self, groups: Vec<u16>, names: Vec<String>) -> Result<Self, DataError> {
        if groups.len() != self.persons.len() {
            return Err(DataError::PersonColumn {
                what: "the group column",
                persons: self.persons.len(),
                got: groups.len(),
            });
        }
        if let Some(&g) = groups.iter().find(|&&g| usize::from(g) >= names.len()) {
            return Err(DataError::Invalid(format!(
                "group index {g} has no name ({} names)",
                names.len()
            )));
        }
        self.groups = groups;
        self.group_names = names;
        Ok(self)
    }

    /// Sets sampling weights (raw; estimation normalises them to sum to the sample size).
    pub fn with_weights(mut self, weights: Vec<f64>) -> Result<Self, DataError> {
        if weights.len() != self.persons.len() {
            return Err(DataError::PersonColumn {
                what: "the weight column",
                persons: self.persons.len(),
                got: weights.len(),
            });
        }
        if let Some((row, &weight)) = weights.iter().enumerate().find(|(_, w)| !(w.is_finite() && **w >= 0.0)) {
            return Err(DataError::BadWeight {
                person: self.persons[row].clone(),
                row: row + 1,
                weight,
            });
        }
        if weights.iter().all(|&w| w == 0.0) {
            return Err(DataError::ZeroWeights);
        }
        self.weights = Some(weights);
        Ok(self)
    }

    pub fn n_persons(&self) -> usize {
        self.persons.len()
    }

    pub fn n_items(&self) -> usize {
        self.items.len()
    }

    pub fn items(&self) -> &[String] {
        &self.items
    }

    pub fn persons(&self) -> &[String] {
        &self.persons
    }

    pub fn group_names(&self) -> &[String] {
        &self.group_names
    }

    /// Group index of each person.
    pub fn groups(&self) -> &[u16] {
        &self.groups
    }

    /// The response of `person` to `item`.
    pub fn get(&self, person: usize, item: usize) -> u8 {
        self.data[person * self.items.len() + item]
    }

    /// One person's responses, one byte per item.
    pub fn row(&self, person: usize) -> &[u8] {
        let j = self.items.len();
        &self.data[person * j..(person + 1) * j]
    }

    /// Raw weights, if any.
    pub fn raw_weights(&self) -> Option<&[f64]> {
        self.weights.as_deref()
    }

    /// Weights normalised to sum to the number of persons (as TAM and mirt do), so
    /// log-likelihoods and standard errors are on the sample's scale; all ones without weights.
    pub fn normalized_weights(&self) -> Vec<f64> {
        match &self.weights {
            None => vec![1.0; self.persons.len()],
            Some(w) => {
                let total: f64 = w.iter().sum();
                let scale = self.persons.len() as f64 / total;
                w.iter().map(|x| x * scale).collect()
            }
        }
    }

    /// Number of score categories of each item: one more than the highest category seen.
    pub fn categories(&self) -> Vec<u8> {
        let mut max = vec![0u8; self.items.len()];
        for row in self.data.chunks_exact(self.items.len().max(1)) {
            for (m, &x) in max.iter_mut().zip(row) {
                if x < FIRST_MISSING && x + 1 > *m {
                    *m = x + 1;
                }
            }
        }
        max
    }

    /// The matrix as scaling sees it: missing codes resolved by `policy`.
    pub fn scaled(&self, policy: MissingPolicy) -> ResponseMatrix {
        ResponseMatrix {
            data: self.data.iter().map(|&b| policy.apply(b)).collect(),
            ..self.clone()
        }
    }

    /// Whether a byte is a scored response (not a missing code).
    pub fn is_response(byte: u8) -> bool {
        byte < FIRST_MISSING
    }

    /// Keeps only the given items (in that order).
    pub fn select_items(&self, keep: &[usize]) -> ResponseMatrix {
        let data = (0..self.n_persons())
            .flat_map(|p| keep.iter().map(move |&i| (p, i)))
            .map(|(p, i)| self.get(p, i))
            .collect();
        ResponseMatrix {
            items: keep.iter().map(|&i| self.items[i].clone()).collect(),
            data,
            ..self.clone()
        }
    }

    /// Replaces item `item` by one column per group (named `ITEM@GROUP`), each holding
    /// that group's responses and "not administered" elsewhere: calibrating the result
    /// estimates the item's parameters separately in every group, while every other
    /// item stays equal across groups. This is how group-specific (non-invariant)
    /// items and likelihood-ratio DIF are fitted without a second engine.
    /// The new columns are appended at the end, in group order.
    pub fn split_by_group(&self, item: usize) -> ResponseMatrix {
        let j = self.n_items();
        let g = self.group_names.len();
        let mut items: Vec<String> = self
            .items
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != item)
            .map(|(_, n)| n.clone())
            .collect();
        items.extend(
            self.group_names
                .iter()
                .map(|name| format!("{}@{name}", self.items[item])),
        );
        let mut data = Vec::with_capacity(self.n_persons() * (j - 1 + g));
        for p in 0..self.n_persons() {
            let row = self.row(p);
            data.extend(row.iter().enumerate().filter(|&(i, _)| i != item).map(|(_, &x)| x));
            let own = usize::from(self.groups[p]);
            data.extend((0..g).map(|k| if k == own { row[item] } else { NOT_ADMINISTERED }));
        }
        ResponseMatrix {
            items,
            data,
            ..self.clone()
        }
    }

    /// Number of administered (non-255) responses.
    pub fn administered(&self) -> usize {
        self.data.iter().filter(|&&b| b != NOT_ADMINISTERED).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> ResponseMatrix {
        let items = vec!["a".into(), "b".into()];
        ResponseMatrix::new(items, vec![], vec![0, 1, 2, 255, 254, 0]).unwrap()
    }

    #[test]
    fn shape_and_access() {
        let m = small();
        assert_eq!((m.n_persons(), m.n_items()), (3, 2));
        assert_eq!(m.persons(), ["1", "2", "3"]);
        assert_eq!(m.row(1), [2, 255]);
        assert_eq!(m.categories(), vec![3, 2]);
        assert_eq!(m.administered(), 5);
        assert_eq!(m.scaled(MissingPolicy::default()).row(2), [0, 0]);
        assert!(ResponseMatrix::new(vec!["a".into()], vec!["x".into()], vec![0, 1]).is_err());
    }

    #[test]
    fn splitting_an_item_by_group() {
        let m = small()
            .with_groups(vec![0, 1, 1], vec!["x".into(), "y".into()])
            .unwrap();
        let split = m.split_by_group(0);
        assert_eq!(split.items(), ["b", "a@x", "a@y"]);
        assert_eq!(split.row(0), [1, 0, 255]);
        assert_eq!(split.row(1), [255, 255, 2]);
        assert_eq!(split.row(2), [0, 255, 254]);
    }

    #[test]
    fn weights_are_checked_and_normalised() {
        let m = small().with_weights(vec![1.0, 2.0, 3.0]).unwrap();
        let w = m.normalized_weights();
        assert!((w.iter().sum::<f64>() - 3.0).abs() < 1e-12);
        assert!((w[2] / w[0] - 3.0).abs() < 1e-12);
        assert!(matches!(
            small().with_weights(vec![1.0, -1.0, 1.0]),
            Err(DataError::BadWeight { row: 2, .. })
        ));
        assert!(matches!(
            small().with_weights(vec![0.0; 3]),
            Err(DataError::ZeroWeights)
        ));
        assert!(small().with_weights(vec![1.0, f64::NAN, 1.0]).is_err());
    }
}

//! What every reader gathers per person, and how it becomes a [`ReadData`]: shared by
//! the CSV and Parquet readers so both number categories and groups the same way.

use std::borrow::Cow;
use std::collections::HashMap;

use super::coder::Coder;
use super::error::{Problem, ReadError};
use super::{ReadData, Recode};
use crate::data::ResponseMatrix;

/// The columns a reader found, by position in `names`.
pub(super) struct Found<'a> {
    pub names: &'a [String],
    pub items: &'a [usize],
    pub group: Option<usize>,
    pub weight: Option<usize>,
    pub booklet: Option<usize>,
}

/// Per-person values gathered while reading.
pub(super) struct Collected {
    pub coders: Vec<Coder>,
    /// Persons × items, row by row; under sorted recoding, categories are provisional.
    pub data: Vec<u8>,
    pub persons: Vec<String>,
    pub groups: Vec<u16>,
    pub group_names: Vec<String>,
    pub group_index: HashMap<String, u16>,
    pub weights: Vec<f64>,
    pub booklets: Vec<String>,
}

impl Collected {
    /// `known_groups` come first, in their order (a file's own group order).
    pub fn new(items: usize, recode: Recode, known_groups: &[String]) -> Self {
        Collected {
            coders: (0..items).map(|_| Coder::new(recode)).collect(),
            data: Vec::new(),
            persons: Vec::new(),
            groups: Vec::new(),
            group_names: known_groups.to_vec(),
            group_index: (0..).zip(known_groups).map(|(g, name)| (name.clone(), g)).collect(),
            weights: Vec::new(),
            booklets: Vec::new(),
        }
    }

    /// The index of a (non-missing) group; new groups are numbered in order of first appearance.
    pub fn group(&mut self, name: Cow<str>) -> Result<u16, &'static str> {
        if let Some(&g) = self.group_index.get(name.as_ref()) {
            return Ok(g);
        }
        let g = u16::try_from(self.group_names.len()).map_err(|_| "more than 65,536 groups")?;
        let name = name.into_owned();
        self.group_index.insert(name.clone(), g);
        self.group_names.push(name);
        Ok(g)
    }

    /// Renumbers categories in sorted order, orders groups and builds the matrix.
    pub fn finish(self, file: &str, reference_group: Option<&str>, layout: Found<'_>) -> Result<ReadData, ReadError> {
        let Collected {
            coders,
            mut data,
            persons,
            mut groups,
            mut group_names,
            group_index,
            weights,
            booklets,
        } = self;
        let (category_values, renumber): (Vec<_>, Vec<_>) = coders.into_iter().map(Coder::finish).unzip();
        if renumber.iter().any(Option::is_some) {
            let tables: Vec<[u8; 256]> = renumber.iter().map(|r| full_table(r.as_deref())).collect();
            for row in data.chunks_exact_mut(tables.len()) {
                for (byte, table) in row.iter_mut().zip(&tables) {
                    *byte = table[usize::from(*byte)];
                }
            }
        }
        if let Some(reference) = reference_group
            && let Some(col) = layout.group
        {
            let Some(&r) = group_index.get(reference) else {
                let message = format!("the reference group \"{reference}\" does not occur");
                return Err(ReadError::single(
                    file,
                    Problem::new(None, Some(&layout.names[col]), message),
                ));
            };
            // The reference group moves to the front; the others keep their order.
            group_names[..=usize::from(r)].rotate_right(1);
            for g in &mut groups {
                *g = if *g == r {
                    0
                } else if *g < r {
                    *g + 1
                } else {
                    *g
                };
            }
        }
        let data_error = |source| ReadError::Data {
            file: file.to_owned(),
            source,
        };
        let items = layout.items.iter().map(|&col| layout.names[col].clone()).collect();
        let mut matrix = ResponseMatrix::new(items, persons, data).map_err(data_error)?;
        if layout.group.is_some() {
            matrix = matrix.with_groups(groups, group_names).map_err(data_error)?;
        }
        if layout.weight.is_some() {
            matrix = matrix.with_weights(weights).map_err(data_error)?;
        }
        Ok(ReadData {
            matrix,
            booklets: layout.booklet.map(|_| booklets),
            category_values,
        })
    }
}

/// A renumbering of provisional categories widened to every byte, missing codes unchanged,
/// so the pass over the data needs no branch.
fn full_table(renumber: Option<&[u8]>) -> [u8; 256] {
    let mut table = std::array::from_fn(|b| b as u8);
    if let Some(renumber) = renumber {
        table[..renumber.len()].copy_from_slice(renumber);
    }
    table
}

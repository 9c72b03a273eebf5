//! The header row: column names, and which columns the options pick.

use std::collections::HashMap;

use super::ReadOptions;
use super::error::{Problem, Problems};
use super::split::Cell;

/// The line the header is on.
const HEADER_LINE: Option<usize> = Some(1);

/// Where each part of a person's record sits in a line: indices of header columns.
pub(super) struct Layout {
    pub names: Vec<String>,
    /// The column of each item, in matrix order.
    pub items: Vec<usize>,
    pub id: Option<usize>,
    pub group: Option<usize>,
    pub weight: Option<usize>,
    pub booklet: Option<usize>,
}

impl Layout {
    /// Reads the header cells and resolves the options against them; `None` after
    /// reporting problems, since no row can be read without a sound header.
    pub(super) fn resolve(line: &[u8], cells: &[Cell], opts: &ReadOptions, problems: &mut Problems) -> Option<Self> {
        let names = header_names(line, cells, problems)?;
        let lookup = Names::new(&names, HEADER_LINE, "header", problems);
        let find = |role: &str, name: &str, problems: &mut Problems| lookup.find(role, name, problems);
        let c = &opts.columns;
        let id = c.id.as_deref().and_then(|n| find("id", n, problems));
        let group = c.group.as_deref().and_then(|n| find("group", n, problems));
        let weight = c.weight.as_deref().and_then(|n| find("weight", n, problems));
        let booklet = c.booklet.as_deref().and_then(|n| find("booklet", n, problems));
        let roles = [("id", id), ("group", group), ("weight", weight), ("booklet", booklet)];
        let items = lookup.items(&roles, opts.items.as_deref(), problems);
        if items.is_empty() && problems.is_empty() {
            problems.report(|| {
                Problem::new(
                    HEADER_LINE,
                    None,
                    "no item columns: every column is an id, group, weight or booklet",
                )
            });
        }
        if opts.reference_group.is_some() && c.group.is_none() {
            problems.report(|| Problem::new(None, None, "a reference group is named but no group column"));
        }
        problems.is_empty().then_some(Layout {
            names,
            items,
            id,
            group,
            weight,
            booklet,
        })
    }
}

/// The column names of a header row; `None` after reporting problems: a header of only
/// numbers (a data row), a column without a name or a name that is not UTF-8.
pub(super) fn header_names(line: &[u8], cells: &[Cell], problems: &mut Problems) -> Option<Vec<String>> {
    if cells.iter().all(|c| c.is_unquoted_number(line)) {
        problems.report(|| {
            Problem::new(
                HEADER_LINE,
                None,
                "holds only numbers: a header row naming the columns is required",
            )
            .with_text(line)
        });
        return None;
    }
    let mut names = Vec::with_capacity(cells.len());
    for (i, cell) in cells.iter().enumerate() {
        match cell.text(line) {
            Some(name) if !name.is_empty() => names.push(name.into_owned()),
            Some(_) => problems.report(|| Problem::new(HEADER_LINE, None, format!("column {} has no name", i + 1))),
            None => problems.report(|| {
                Problem::new(HEADER_LINE, None, format!("the name of column {} is not UTF-8", i + 1))
                    .with_text(cell.bytes(line))
            }),
        }
    }
    (names.len() == cells.len()).then_some(names)
}

/// Column names resolved against the read options, shared by the CSV header and the
/// Parquet schema so both report the same problems in the same words.
pub(super) struct Names<'a> {
    names: &'a [String],
    index: HashMap<&'a str, usize>,
    /// Where the names are, for messages: "header" or "file".
    place: &'static str,
}

impl<'a> Names<'a> {
    /// Indexes the names, reporting any that appears twice (at `line`, if the names have one).
    pub fn new(names: &'a [String], line: Option<usize>, place: &'static str, problems: &mut Problems) -> Self {
        let mut index = HashMap::with_capacity(names.len());
        for (i, name) in names.iter().enumerate() {
            if let Some(first) = index.insert(name.as_str(), i) {
                problems.report(|| {
                    Problem::new(
                        line,
                        Some(name),
                        format!("appears twice, as columns {} and {}", first + 1, i + 1),
                    )
                });
            }
        }
        Names { names, index, place }
    }

    /// The column of a role, or a reported problem.
    pub fn find(&self, role: &str, name: &str, problems: &mut Problems) -> Option<usize> {
        let found = self.index.get(name).copied();
        if found.is_none() {
            let place = self.place;
            problems.report(|| Problem::new(None, Some(name), format!("the {role} column is not in the {place}")));
        }
        found
    }

    /// The item columns: the listed ones, or every column without another role.
    pub fn items(
        &self,
        roles: &[(&str, Option<usize>)],
        listed: Option<&[String]>,
        problems: &mut Problems,
    ) -> Vec<usize> {
        let role_of = |col: usize| roles.iter().find(|(_, i)| *i == Some(col)).map(|(role, _)| *role);
        let Some(listed) = listed else {
            return (0..self.names.len()).filter(|&col| role_of(col).is_none()).collect();
        };
        let mut items = Vec::with_capacity(listed.len());
        for name in listed {
            let Some(col) = self.find("item", name, problems) else {
                continue;
            };
            if items.contains(&col) {
                problems.report(|| Problem::new(None, Some(name), "is listed twice as an item"));
            } else if let Some(role) = role_of(col) {
                problems.report(|| Problem::new(None, Some(name), format!("is both an item and the {role} column")));
            } else {
                items.push(col);
            }
        }
        items
    }
}

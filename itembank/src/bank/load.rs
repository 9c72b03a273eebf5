//! Reading a bank directory in one pass and checking it as a whole.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use serde::de::DeserializeOwned;

use super::{Bank, BankInfo};
use crate::item::{Item, ItemKind};
use crate::problems::{BankProblems, FieldProblems};
use crate::questionnaire::{Domain, Routing};

/// Objects read so far, each with the file it came from.
struct Loaded<T> {
    by_id: BTreeMap<String, (PathBuf, T)>,
}

impl<T> Loaded<T> {
    fn new() -> Self {
        Loaded { by_id: BTreeMap::new() }
    }

    fn file(&self, id: &str) -> &Path {
        self.by_id.get(id).map_or(Path::new(""), |(p, _)| p.as_path())
    }

    fn into_values(self) -> BTreeMap<String, T> {
        self.by_id.into_iter().map(|(id, (_, v))| (id, v)).collect()
    }
}

pub(super) fn load(dir: &Path) -> Result<Bank, BankProblems> {
    let mut problems = BankProblems(Vec::new());
    let info = read_file::<BankInfo>(dir, Path::new("bank.toml"), &mut problems);
    let items = read_folder(dir, "items", &mut problems, |text| {
        Item::from_toml(text).map(|i| (i.id.clone(), i))
    });
    let units = read_folder(
        dir,
        "units",
        &mut problems,
        parse_with_id(|u: &crate::unit::Unit| u.id.clone()),
    );
    let tests = read_folder(
        dir,
        "instruments",
        &mut problems,
        parse_with_id(|t: &crate::instrument::TestInstrument| t.id.clone()),
    );
    let questionnaires = read_folder(
        dir,
        "questionnaires",
        &mut problems,
        parse_with_id(|q: &crate::questionnaire::Questionnaire| q.id.clone()),
    );

    for (path, item) in items.by_id.values() {
        problems.extend_from(path, item.check());
        if let Some(audio) = &item.audio {
            check_media(dir, path, "audio.src", &audio.src, &mut problems);
        }
    }
    for (path, unit) in units.by_id.values() {
        problems.extend_from(path, unit.check());
        if let Some(audio) = &unit.audio {
            check_media(dir, path, "audio.src", &audio.src, &mut problems);
        }
    }
    check_units(&items, &units, &mut problems);
    for (path, test) in tests.by_id.values() {
        problems.extend_from(path, test.check());
        let entries = test
            .blocks
            .iter()
            .enumerate()
            .map(|(i, b)| (format!("blocks[{i}].entries"), &b.entries));
        let p = check_entries(entries, &items, &units, Purpose::Test);
        problems.extend_from(path, p);
    }
    let mut routings = BTreeMap::new();
    for (path, q) in questionnaires.by_id.values() {
        problems.extend_from(path, q.check());
        let entries = q
            .sections
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("sections[{i}].entries"), &s.entries));
        let p = check_entries(entries, &items, &units, Purpose::Questionnaire);
        if !p.is_empty() {
            problems.extend_from(path, p);
            continue;
        }
        let order: Vec<String> = q
            .sections
            .iter()
            .flat_map(|s| &s.entries)
            .flat_map(|e| match units.by_id.get(e) {
                Some((_, u)) => u.items.clone(),
                None => vec![e.clone()],
            })
            .collect();
        let domain_of = |id: &str| items.by_id.get(id).map_or(Domain::None, |(_, item)| domain(&item.kind));
        match Routing::compile(q, order, &domain_of) {
            Ok(r) => {
                routings.insert(q.id.clone(), r);
            }
            Err(p) => problems.extend_from(path, p),
        }
    }
    check_id_clashes(&items, &units, &mut problems);

    match info {
        Some(info) if problems.0.is_empty() => Ok(Bank {
            info,
            items: items.into_values(),
            units: units.into_values(),
            tests: tests.into_values(),
            questionnaires: questionnaires.into_values(),
            routings,
        }),
        _ => Err(problems),
    }
}

fn parse_with_id<T: DeserializeOwned>(id: fn(&T) -> String) -> impl Fn(&str) -> Result<(String, T), String> {
    move |text| {
        let value: T = toml::from_str(text).map_err(|e| crate::toml_error(text, &e))?;
        Ok((id(&value), value))
    }
}

fn read_file<T: DeserializeOwned>(dir: &Path, rel: &Path, problems: &mut BankProblems) -> Option<T> {
    let text = match std::fs::read_to_string(dir.join(rel)) {
        Ok(t) => t,
        Err(e) => {
            problems.push(rel, "", format!("cannot read: {e}"));
            return None;
        }
    };
    toml::from_str(&text)
        .map_err(|e| problems.push(rel, "", crate::toml_error(&text, &e)))
        .ok()
}

/// Reads every `*.toml` below `dir/folder` (sorted, so problems come in a stable order).
fn read_folder<T>(
    dir: &Path,
    folder: &str,
    problems: &mut BankProblems,
    parse: impl Fn(&str) -> Result<(String, T), String>,
) -> Loaded<T> {
    let mut loaded = Loaded::new();
    let mut files = Vec::new();
    if let Err(e) = collect_toml(&dir.join(folder), &mut files) {
        problems.push(Path::new(folder), "", format!("cannot list the folder: {e}"));
    }
    files.sort();
    for full in files {
        let rel = full.strip_prefix(dir).unwrap_or(&full).to_path_buf();
        let text = match std::fs::read_to_string(&full) {
            Ok(t) => t,
            Err(e) => {
                problems.push(&rel, "", format!("cannot read: {e}"));
                continue;
            }
        };
        let (id, value) = match parse(&text) {
            Ok(v) => v,
            Err(e) => {
                problems.push(&rel, "", e);
                continue;
            }
        };
        if full.file_stem().and_then(|s| s.to_str()) != Some(id.as_str()) {
            problems.push(&rel, "id", format!("`{id}` must match the file name (`{id}.toml`)"));
        }
        if let Some((first, _)) = loaded.by_id.get(&id) {
            problems.push(&rel, "id", format!("`{id}` is already used by {}", first.display()));
            continue;
        }
        loaded.by_id.insert(id, (rel, value));
    }
    loaded
}

fn collect_toml(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_toml(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
    Ok(())
}

fn check_media(dir: &Path, file: &Path, field: &str, src: &str, problems: &mut BankProblems) {
    let rel = Path::new(src);
    let inside = rel.components().all(|c| matches!(c, Component::Normal(_)));
    if !inside {
        problems.push(file, field, format!("`{src}` must be a path inside the bank directory"));
    } else if !dir.join(rel).is_file() {
        problems.push(file, field, format!("`{src}` does not exist in the bank directory"));
    }
}

fn check_units(items: &Loaded<Item>, units: &Loaded<crate::unit::Unit>, problems: &mut BankProblems) {
    let mut owner: BTreeMap<&str, &str> = BTreeMap::new();
    for (path, unit) in units.by_id.values() {
        for (i, id) in unit.items.iter().enumerate() {
            if !items.by_id.contains_key(id) {
                problems.push(path, format!("items[{i}]"), format!("unknown item `{id}`"));
            } else if let Some(other) = owner.insert(id, &unit.id) {
                problems.push(
                    path,
                    format!("items[{i}]"),
                    format!("item `{id}` is already in unit `{other}`"),
                );
            }
        }
    }
}

fn check_id_clashes(items: &Loaded<Item>, units: &Loaded<crate::unit::Unit>, problems: &mut BankProblems) {
    for id in units.by_id.keys() {
        if items.by_id.contains_key(id) {
            problems.push(
                units.file(id),
                "id",
                format!("`{id}` is also an item id ({})", items.file(id).display()),
            );
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Purpose {
    Test,
    Questionnaire,
}

/// Checks block or section entries: each names a unit or an item that is not part
/// of a unit, used once, and of a kind that belongs in that kind of instrument.
fn check_entries<'a>(
    lists: impl Iterator<Item = (String, &'a Vec<String>)>,
    items: &Loaded<Item>,
    units: &Loaded<crate::unit::Unit>,
    purpose: Purpose,
) -> FieldProblems {
    let mut p = FieldProblems::default();
    let in_unit: BTreeMap<&str, &str> = units
        .by_id
        .values()
        .flat_map(|(_, u)| u.items.iter().map(move |i| (i.as_str(), u.id.as_str())))
        .collect();
    let mut used = BTreeSet::new();
    for (field, entries) in lists {
        for entry in entries {
            if !used.insert(entry.as_str()) {
                p.push(&field, format!("`{entry}` is used more than once"));
            }
            let item_ids: Vec<&str> = match (units.by_id.get(entry), items.by_id.get(entry)) {
                (Some((_, unit)), _) => unit.items.iter().map(String::as_str).collect(),
                (None, Some(_)) => {
                    if let Some(unit) = in_unit.get(entry.as_str()) {
                        p.push(
                            &field,
                            format!("item `{entry}` belongs to unit `{unit}`; list the unit instead"),
                        );
                    }
                    vec![entry.as_str()]
                }
                (None, None) => {
                    p.push(&field, format!("`{entry}` is neither a unit nor an item"));
                    continue;
                }
            };
            for id in item_ids {
                let Some((_, item)) = items.by_id.get(id) else { continue };
                let fits = match purpose {
                    Purpose::Test => !item.kind.is_questionnaire(),
                    Purpose::Questionnaire => {
                        item.kind.is_questionnaire() || matches!(item.kind, ItemKind::ShortText(_))
                    }
                };
                if !fits {
                    let what = if purpose == Purpose::Test {
                        "a test"
                    } else {
                        "a questionnaire"
                    };
                    p.push(
                        &field,
                        format!("item `{id}` ({}) does not belong in {what}", item.kind.tag().name()),
                    );
                }
            }
        }
    }
    p
}

/// The values a questionnaire item can take, for routing analysis.
fn domain(kind: &ItemKind) -> Domain {
    match kind {
        ItemKind::TimeUse(s) => Domain::Range(f64::from(s.min_minutes), f64::from(s.max_minutes)),
        ItemKind::BackgroundNumeric(s) => Domain::Range(s.min, s.max),
        ItemKind::Likert(_) | ItemKind::Categorical(_) => kind.categories().map_or(Domain::None, Domain::Categories),
        _ => Domain::None,
    }
}

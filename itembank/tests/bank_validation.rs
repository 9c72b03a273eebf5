//! Loading banks from disk: a broken bank reports every problem with its file and
//! field and loads nothing; a good bank loads with its routing and designs.

use std::path::Path;

use itembank::questionnaire::Shown;
use itembank::{Bank, BankProblems};

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn choice_item(id: &str, zh: &str) -> String {
    format!(
        r#"id = "{id}"
kind = "single_choice"
status = "operational"
version = 1
prompt = {{ zh-CN = "{zh}", en = "Question {id}" }}
[response]
correct = "A"
options = [{{ id = "A", text = {{ zh-CN = "是" }} }}, {{ id = "B", text = {{ zh-CN = "否" }} }}]
"#
    )
}

fn yes_no(id: &str) -> String {
    format!(
        r#"id = "{id}"
kind = "categorical"
status = "operational"
version = 1
prompt = {{ zh-CN = "问题 {id}" }}
[response]
options = [{{ id = "no", text = {{ zh-CN = "否" }} }}, {{ id = "yes", text = {{ zh-CN = "是" }} }}]
"#
    )
}

/// A small valid bank: 3 blocks of one item, booklets of 2, and a questionnaire.
fn good_bank(dir: &Path) {
    write(
        dir,
        "bank.toml",
        "id = \"t\"\nversion = \"1\"\ntitle = { zh-CN = \"测试\" }\n",
    );
    for id in ["A1", "A2", "A3", "A4"] {
        write(dir, &format!("items/test/{id}.toml"), &choice_item(id, "题目"));
    }
    write(
        dir,
        "units/U1.toml",
        "id = \"U1\"\nstimulus = { zh-CN = \"材料\" }\nitems = [\"A3\", \"A4\"]\n",
    );
    write(
        dir,
        "instruments/T.toml",
        r#"id = "T"
title = { zh-CN = "测试" }
subject = "mathematics"
grade = 8
blocks = [{ id = "B1", entries = ["A1"] }, { id = "B2", entries = ["A2"] }, { id = "B3", entries = ["U1"] }]
design = { per_booklet = 2 }
sections = [{ id = "s1", title = { zh-CN = "一" }, positions = [1, 2], time_limit_minutes = 30 }]
"#,
    );
    for id in ["Q1", "Q2", "Q3", "Q4"] {
        write(dir, &format!("items/q/{id}.toml"), &yes_no(id));
    }
    write(
        dir,
        "questionnaires/SQ.toml",
        r#"id = "SQ"
title = { zh-CN = "学生问卷" }
respondent = "student"
sections = [{ id = "a", title = { zh-CN = "家庭" }, entries = ["Q1", "Q2", "Q3", "Q4"] }]
routing = [{ at = "Q1", when = "Q1 == 0", goto = "Q4" }]
"#,
    );
}

fn messages(problems: &BankProblems) -> Vec<String> {
    problems.0.iter().map(ToString::to_string).collect()
}

fn has(all: &[String], file: &str, field: &str, text: &str) -> bool {
    all.iter()
        .any(|m| m.starts_with(file) && m.contains(field) && m.contains(text))
}

#[test]
fn a_good_bank_loads_with_routing_and_design() {
    let dir = tempfile::tempdir().unwrap();
    good_bank(dir.path());
    let bank = Bank::load(dir.path()).unwrap_or_else(|p| panic!("{p}"));
    assert_eq!(bank.items.len(), 8);
    let summary = bank.summary();
    assert_eq!(summary.tests[0].items, 4);
    assert_eq!(
        summary.tests[0].booklets, 3,
        "3 blocks in booklets of 2 need 3 booklets"
    );
    assert_eq!(summary.questionnaires[0].items, 4);
    let routing = bank.routing("SQ").unwrap();
    let resolved = routing.resolve(&|id| (id == "Q1").then_some(0.0));
    let skipped: Vec<&str> = resolved
        .iter()
        .filter(|(_, s)| *s == Shown::ValidSkip)
        .map(|(id, _)| id.as_str())
        .collect();
    assert_eq!(skipped, ["Q2", "Q3"]);
}

#[test]
fn questionnaire_scoring_decides_valid_skips_on_the_server() {
    use itembank::codes::MissingCode;
    use itembank::{Outcome, RawResponse};
    let dir = tempfile::tempdir().unwrap();
    good_bank(dir.path());
    let bank = Bank::load(dir.path()).unwrap();
    let answers = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(id, c)| (id.to_string(), RawResponse::Choice(c.to_string())))
            .collect()
    };
    // "No" on Q1 routes to Q4: Q2 and Q3 are valid skips, even with a stale answer on Q2.
    let scored = bank
        .score_questionnaire("SQ", &answers(&[("Q1", "no"), ("Q2", "yes")]))
        .unwrap();
    let outcomes: Vec<Outcome> = scored.iter().map(|(_, o)| *o).collect();
    let skip = Outcome::Missing(MissingCode::ValidSkip);
    let omitted = Outcome::Missing(MissingCode::Omitted);
    assert_eq!(outcomes, vec![Outcome::Score(0), skip, skip, omitted]);
    // "Yes" shows everything; unanswered shown items are omitted, not skipped.
    let scored = bank
        .score_questionnaire("SQ", &answers(&[("Q1", "yes"), ("Q3", "no")]))
        .unwrap();
    let outcomes: Vec<Outcome> = scored.iter().map(|(_, o)| *o).collect();
    assert_eq!(outcomes, vec![Outcome::Score(1), omitted, Outcome::Score(0), omitted]);
    assert!(bank.score_questionnaire("NOPE", &answers(&[])).is_none());
}

#[test]
fn a_broken_bank_reports_every_problem_and_loads_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    good_bank(d);
    // Duplicate id in another folder.
    write(d, "items/other/A1.toml", &choice_item("A1", "重复"));
    // Missing zh-CN text.
    write(d, "items/test/A5.toml", &choice_item("A5", ""));
    // Bad reference: a block entry that does not exist, and a unit item that does not exist.
    write(
        d,
        "units/U2.toml",
        "id = \"U2\"\nstimulus = { zh-CN = \"材料\" }\nitems = [\"NOPE\"]\n",
    );
    let instrument = std::fs::read_to_string(d.join("instruments/T.toml"))
        .unwrap()
        .replace("[\"A2\"]", "[\"A2\", \"GHOST\"]");
    write(d, "instruments/T.toml", &instrument);
    // A routing cycle in one questionnaire, an unreachable question in another.
    write(
        d,
        "questionnaires/CY.toml",
        r#"id = "CY"
title = { zh-CN = "循环" }
respondent = "teacher"
sections = [{ id = "a", title = { zh-CN = "一" }, entries = ["Q5", "Q6", "Q7"] }]
routing = [{ at = "Q7", when = "Q7 == 1", goto = "Q5" }]
"#,
    );
    write(
        d,
        "questionnaires/UN.toml",
        r#"id = "UN"
title = { zh-CN = "不可达" }
respondent = "parent"
sections = [{ id = "a", title = { zh-CN = "一" }, entries = ["Q8", "Q9", "Q10"] }]
routing = [{ at = "Q8", when = "Q8 in [0, 1] or not Q8 in [0, 1]", goto = "Q10" }]
"#,
    );
    for id in ["Q5", "Q6", "Q7", "Q8", "Q9", "Q10"] {
        write(d, &format!("items/q2/{id}.toml"), &yes_no(id));
    }
    // Malformed TOML and a typo in a response field.
    write(d, "items/test/BAD.toml", "id = \"BAD\"\nkind = \"single_choice\n");
    write(
        d,
        "items/test/TYPO.toml",
        &choice_item("TYPO", "题目").replace("correct =", "corect ="),
    );

    let problems = Bank::load(d).unwrap_err();
    let all = messages(&problems);
    let report = all.join("\n");
    assert!(
        has(&all, "items/test/A1.toml", "id", "already used by items/other/A1.toml"),
        "{report}"
    );
    assert!(has(&all, "items/test/A5.toml", "prompt", "missing zh-CN"), "{report}");
    assert!(
        has(&all, "units/U2.toml", "items[0]", "unknown item `NOPE`"),
        "{report}"
    );
    assert!(
        has(
            &all,
            "instruments/T.toml",
            "blocks[1].entries",
            "`GHOST` is neither a unit nor an item"
        ),
        "{report}"
    );
    assert!(
        has(&all, "questionnaires/CY.toml", "routing", "cycle: Q5 → Q6 → Q7 → Q5"),
        "{report}"
    );
    assert!(
        has(&all, "questionnaires/UN.toml", "routing", "`Q9` can never be shown"),
        "{report}"
    );
    assert!(has(&all, "items/test/BAD.toml", "", "line 2"), "{report}");
    assert!(
        has(&all, "items/test/TYPO.toml", "", "unknown field `corect`"),
        "{report}"
    );
    assert!(all.len() >= 8, "{report}");
}

#[test]
fn wrong_kinds_and_unit_items_are_rejected_in_instruments() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    good_bank(d);
    // A questionnaire item in a test block, and an item listed without its unit.
    let instrument = std::fs::read_to_string(d.join("instruments/T.toml"))
        .unwrap()
        .replace("[\"A2\"]", "[\"A2\", \"Q1\", \"A3\"]");
    write(d, "instruments/T.toml", &instrument);
    let all = messages(&Bank::load(d).unwrap_err());
    assert!(
        has(
            &all,
            "instruments/T.toml",
            "blocks[1]",
            "`Q1` (categorical) does not belong in a test"
        ),
        "{all:?}"
    );
    assert!(
        has(&all, "instruments/T.toml", "blocks[1]", "belongs to unit `U1`"),
        "{all:?}"
    );
}

#[test]
fn a_missing_bank_directory_is_one_clear_problem() {
    let dir = tempfile::tempdir().unwrap();
    let all = messages(&Bank::load(&dir.path().join("nowhere")).unwrap_err());
    assert_eq!(all.len(), 1, "{all:?}");
    assert!(all[0].starts_with("bank.toml: cannot read"), "{all:?}");
}

#[test]
fn item_files_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    good_bank(dir.path());
    let bank = Bank::load(dir.path()).unwrap();
    for item in bank.items.values() {
        let text = item.to_toml().unwrap();
        assert_eq!(&itembank::Item::from_toml(&text).unwrap(), item, "{text}");
    }
}

//! Table-driven tests of every item kind's scoring rule: each row is a raw response
//! and the outcome the server must record for it.

use itembank::codes::MissingCode;
use itembank::item::Pair;
use itembank::{Item, Outcome, RawResponse};

const OMITTED: Outcome = Outcome::Missing(MissingCode::Omitted);
const INVALID: Outcome = Outcome::Missing(MissingCode::Invalid);
const DONT_KNOW: Outcome = Outcome::Missing(MissingCode::DontKnow);

fn item(kind: &str, response: &str) -> Item {
    let text = format!(
        "id = \"T1\"\nkind = \"{kind}\"\nstatus = \"operational\"\nversion = 1\nprompt = {{ zh-CN = \"题目\" }}\n[response]\n{response}"
    );
    let item = Item::from_toml(&text).unwrap_or_else(|e| panic!("{kind}: {e}"));
    let problems = item.check();
    assert!(problems.is_empty(), "{kind}: {problems:?}");
    item
}

fn run(item: &Item, table: &[(RawResponse, Outcome)]) {
    assert!(table.len() >= 5, "each kind is tested with at least five responses");
    for (raw, expected) in table {
        assert_eq!(item.score(raw), *expected, "{}: {raw:?}", item.kind.tag().name());
    }
}

fn text(s: &str) -> RawResponse {
    RawResponse::Text(s.to_string())
}

fn choice(s: &str) -> RawResponse {
    RawResponse::Choice(s.to_string())
}

fn list(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

const OPTIONS: &str = r#"options = [
  { id = "A", text = { zh-CN = "甲" } }, { id = "B", text = { zh-CN = "乙" } },
  { id = "C", text = { zh-CN = "丙" } }, { id = "D", text = { zh-CN = "丁" } },
]"#;

#[test]
fn single_choice() {
    let item = item("single_choice", &format!("correct = \"C\"\n{OPTIONS}"));
    run(
        &item,
        &[
            (choice("C"), Outcome::Score(1)),
            (choice(" C "), Outcome::Score(1)),
            (choice("A"), Outcome::Score(0)),
            (choice("E"), INVALID),
            (choice(""), OMITTED),
            (RawResponse::Empty, OMITTED),
            (RawResponse::Choices(list(&["C"])), INVALID),
        ],
    );
}

#[test]
fn multiple_choice_all_or_nothing() {
    let item = item("multiple_choice", &format!("correct = [\"A\", \"C\"]\n{OPTIONS}"));
    run(
        &item,
        &[
            (RawResponse::Choices(list(&["A", "C"])), Outcome::Score(1)),
            (RawResponse::Choices(list(&["C", "A"])), Outcome::Score(1)),
            (RawResponse::Choices(list(&["A"])), Outcome::Score(0)),
            (RawResponse::Choices(list(&["A", "C", "D"])), Outcome::Score(0)),
            (RawResponse::Choices(list(&["A", "X"])), INVALID),
            (RawResponse::Choices(vec![]), OMITTED),
        ],
    );
}

#[test]
fn multiple_choice_partial_credit() {
    let partial = "partial = { values = { A = 1, C = 1, B = -1, D = -1 }, lower = 0, upper = 2 }";
    let item = item(
        "multiple_choice",
        &format!("correct = [\"A\", \"C\"]\n{partial}\n{OPTIONS}"),
    );
    assert_eq!(item.kind.categories(), Some(3));
    run(
        &item,
        &[
            (RawResponse::Choices(list(&["A", "C"])), Outcome::Score(2)),
            (RawResponse::Choices(list(&["A"])), Outcome::Score(1)),
            (RawResponse::Choices(list(&["A", "B"])), Outcome::Score(0)),
            (RawResponse::Choices(list(&["A", "C", "D"])), Outcome::Score(1)),
            (RawResponse::Choices(list(&["B", "D"])), Outcome::Score(0)),
            // A repeated selection counts once, as in QTI.
            (RawResponse::Choices(list(&["A", "A"])), Outcome::Score(1)),
        ],
    );
}

#[test]
fn numeric_entry_with_units_and_range() {
    let spec = r#"answer = 12.5
tolerance = 0.05
units = [{ symbol = "cm", factor = 1 }, { symbol = "厘米", factor = 1 }, { symbol = "m", factor = 100 }]
valid_min = 0
valid_max = 1000"#;
    let item = item("numeric", spec);
    run(
        &item,
        &[
            (text("12.5"), Outcome::Score(1)),
            (text("１２．５"), Outcome::Score(1)),
            (text(" 12.54 cm "), Outcome::Score(1)),
            (text("12.5厘米"), Outcome::Score(1)),
            (text("0.125 m"), Outcome::Score(1)),
            (text("25/2"), Outcome::Score(1)),
            (text("12.6"), Outcome::Score(0)),
            (text("12.5 km"), Outcome::Score(0)),
            (text("abc"), Outcome::Score(0)),
            (text("-3"), INVALID),
            (text("\u{2212}3"), INVALID),
            (text("5000"), INVALID),
            (text("  "), OMITTED),
        ],
    );
}

#[test]
fn numeric_entry_requiring_a_unit() {
    let item = item(
        "numeric",
        "answer = 3\nunits = [{ symbol = \"kg\" }]\nunit_required = true",
    );
    run(
        &item,
        &[
            (text("3 kg"), Outcome::Score(1)),
            (text("３ｋｇ"), Outcome::Score(1)),
            (text("3"), Outcome::Score(0)),
            (text("3.0000000001 kg"), Outcome::Score(1)),
            (text("3.1 kg"), Outcome::Score(0)),
        ],
    );
}

#[test]
fn short_text_normalisation() {
    let item = item("short_text", "accepted = [\"等腰三角形\", \"2x+1\"]");
    run(
        &item,
        &[
            (text("等腰三角形"), Outcome::Score(1)),
            (text(" 等腰 三角形 "), Outcome::Score(1)),
            (text("２ｘ＋１"), Outcome::Score(1)),
            (text("2X + 1"), Outcome::Score(1)),
            (text("\u{3000}2x+1\u{3000}"), Outcome::Score(1)),
            (text("三角形"), Outcome::Score(0)),
            (text("2x-1"), Outcome::Score(0)),
            (text("2x\u{2212}1"), Outcome::Score(0)),
            (text(""), OMITTED),
        ],
    );
    let strict = item_with_case();
    run(
        &strict,
        &[
            (text("New York"), Outcome::Score(1)),
            (text("new york"), Outcome::Score(0)),
            (text(" New   York "), Outcome::Score(1)),
            (text("NewYork"), Outcome::Score(0)),
            (text("Ｎｅｗ Ｙｏｒｋ"), Outcome::Score(1)),
        ],
    );
}

fn item_with_case() -> Item {
    item(
        "short_text",
        "accepted = [\"New York\"]\ncase_sensitive = true\nignore_spaces = false",
    )
}

#[test]
fn ordering() {
    let item = item(
        "ordering",
        &format!("correct = [\"C\", \"A\", \"D\", \"B\"]\n{OPTIONS}"),
    );
    run(
        &item,
        &[
            (RawResponse::Sequence(list(&["C", "A", "D", "B"])), Outcome::Score(1)),
            (RawResponse::Sequence(list(&["A", "C", "D", "B"])), Outcome::Score(0)),
            (RawResponse::Sequence(list(&["C", "A", "D"])), Outcome::Score(0)),
            (RawResponse::Sequence(list(&["C", "A", "D", "Z"])), INVALID),
            (RawResponse::Sequence(vec![]), OMITTED),
        ],
    );
}

#[test]
fn matching_all_or_nothing_and_partial() {
    let base = r#"sources = [{ id = "S1", text = { zh-CN = "正方形" } }, { id = "S2", text = { zh-CN = "圆" } }]
targets = [{ id = "T1", text = { zh-CN = "四条边" } }, { id = "T2", text = { zh-CN = "没有边" } }]
correct = [{ source = "S1", target = "T1" }, { source = "S2", target = "T2" }]"#;
    let pair = |s: &str, t: &str| Pair {
        source: s.into(),
        target: t.into(),
    };
    let right = RawResponse::Pairs(vec![pair("S2", "T2"), pair("S1", "T1")]);
    let half = RawResponse::Pairs(vec![pair("S1", "T1")]);
    let crossed = RawResponse::Pairs(vec![pair("S1", "T2"), pair("S2", "T1")]);
    let item1 = item("matching", base);
    run(
        &item1,
        &[
            (right.clone(), Outcome::Score(1)),
            (half.clone(), Outcome::Score(0)),
            (crossed.clone(), Outcome::Score(0)),
            (RawResponse::Pairs(vec![pair("S3", "T1")]), INVALID),
            (RawResponse::Pairs(vec![]), OMITTED),
        ],
    );
    let partial = format!("{base}\npartial = {{ values = {{ \"S1 T1\" = 1, \"S2 T2\" = 1 }}, upper = 2 }}");
    let item2 = item("matching", &partial);
    run(
        &item2,
        &[
            (right, Outcome::Score(2)),
            (half, Outcome::Score(1)),
            (crossed, Outcome::Score(0)),
            (
                RawResponse::Pairs(vec![pair("S1", "T1"), pair("S1", "T2")]),
                Outcome::Score(1),
            ),
            (text("S1 T1"), INVALID),
        ],
    );
}

#[test]
fn inline_choice() {
    let spec = format!("text = {{ zh-CN = \"三角形的内角和是{{gap}}度。\" }}\ncorrect = \"B\"\n{OPTIONS}");
    let item = item("inline_choice", &spec);
    run(
        &item,
        &[
            (choice("B"), Outcome::Score(1)),
            (choice("A"), Outcome::Score(0)),
            (choice("b"), INVALID),
            (choice(""), OMITTED),
            (text("B"), INVALID),
        ],
    );
}

#[test]
fn extended_response_waits_for_raters() {
    let spec = r#"rubric = { points = [
  { score = 0, descriptor = { zh-CN = "错误" } },
  { score = 1, descriptor = { zh-CN = "部分正确" } },
  { score = 2, descriptor = { zh-CN = "完全正确" } },
] }"#;
    let item = item("extended", spec);
    assert_eq!(item.kind.categories(), Some(3));
    run(
        &item,
        &[
            (text("因为两边之和大于第三边"), Outcome::Pending),
            (text("x"), Outcome::Pending),
            (text("   "), OMITTED),
            (RawResponse::Empty, OMITTED),
            (choice("A"), INVALID),
        ],
    );
}

#[test]
fn likert_with_dont_know() {
    let spec = r#"scale = [{ zh-CN = "非常不同意" }, { zh-CN = "不同意" }, { zh-CN = "同意" }, { zh-CN = "非常同意" }]
reverse = true
dont_know = { zh-CN = "不知道" }"#;
    let item = item("likert", spec);
    assert_eq!(item.kind.categories(), Some(4));
    run(
        &item,
        &[
            (choice("0"), Outcome::Score(0)),
            (choice("3"), Outcome::Score(3)),
            (choice("4"), INVALID),
            (choice("dont_know"), DONT_KNOW),
            (choice("not_applicable"), INVALID),
            (RawResponse::Empty, OMITTED),
        ],
    );
}

#[test]
fn time_use_ranges() {
    let item = item("time_use", "min_minutes = 0\nmax_minutes = 720");
    run(
        &item,
        &[
            (RawResponse::Duration { hours: 1, minutes: 30 }, Outcome::Value(90.0)),
            (RawResponse::Duration { hours: 0, minutes: 0 }, Outcome::Value(0.0)),
            (RawResponse::Duration { hours: 12, minutes: 0 }, Outcome::Value(720.0)),
            (RawResponse::Duration { hours: 12, minutes: 1 }, INVALID),
            (RawResponse::Duration { hours: 1, minutes: 75 }, INVALID),
            (
                RawResponse::Duration {
                    hours: u32::MAX,
                    minutes: 0,
                },
                INVALID,
            ),
            (RawResponse::Empty, OMITTED),
        ],
    );
}

#[test]
fn background_numeric() {
    let item = item("background_numeric", "min = 0\nmax = 10\ninteger = true");
    run(
        &item,
        &[
            (text("2"), Outcome::Value(2.0)),
            (text("２"), Outcome::Value(2.0)),
            (text("0"), Outcome::Value(0.0)),
            (text("2.5"), INVALID),
            (text("11"), INVALID),
            (text("两个"), INVALID),
            (text(""), OMITTED),
        ],
    );
}

#[test]
fn categorical_codes() {
    let spec = r#"options = [
  { id = "primary", text = { zh-CN = "小学" }, code = 1 },
  { id = "junior", text = { zh-CN = "初中" }, code = 2 },
  { id = "college", text = { zh-CN = "大学" }, code = 6 },
  { id = "dk", text = { zh-CN = "不知道" }, dont_know = true },
]"#;
    let item = item("categorical", spec);
    assert_eq!(item.kind.categories(), Some(3));
    run(
        &item,
        &[
            (choice("primary"), Outcome::Score(0)),
            (choice("college"), Outcome::Score(2)),
            (choice("dk"), DONT_KNOW),
            (choice("phd"), INVALID),
            (RawResponse::Choices(list(&["junior"])), INVALID),
            (choice(""), OMITTED),
        ],
    );
}

#[test]
fn creative_task_waits_for_raters() {
    let spec = r#"process = "diverse_ideas"
domain = "social_problem_solving"
idea_boxes = 3
codebook = [{ code = "C01", label = { zh-CN = "减少浪费" }, conventional = true }, { code = "C02", label = { zh-CN = "分享" } }]
rubric = { points = [{ score = 0, descriptor = { zh-CN = "无" } }, { score = 1, descriptor = { zh-CN = "一类" } }, { score = 2, descriptor = { zh-CN = "两类" } }] }"#;
    let item = item("creative", spec);
    let ideas = |v: &[&str]| RawResponse::Ideas(list(v));
    run(
        &item,
        &[
            (ideas(&["少打饭", "", ""]), Outcome::Pending),
            (ideas(&["少打饭", "光盘行动", "剩饭喂鸡"]), Outcome::Pending),
            (ideas(&["", " ", ""]), OMITTED),
            (ideas(&[]), OMITTED),
            (text("少打饭"), INVALID),
        ],
    );
}

#[test]
fn raw_responses_round_trip_as_json() {
    let raw = RawResponse::Duration { hours: 1, minutes: 5 };
    let json = serde_json::to_string(&raw).unwrap();
    assert_eq!(json, r#"{"type":"duration","value":{"hours":1,"minutes":5}}"#);
    assert_eq!(serde_json::from_str::<RawResponse>(&json).unwrap(), raw);
}

//! Sample items of every kind for the QTI export and round-trip tests (included by
//! `qti_export.rs` and `qti_roundtrip.rs` with `#[path]`).

use std::collections::BTreeMap;

use itembank::item::*;
use itembank::text::LocalizedText;

fn t(zh: &str, en: &str) -> LocalizedText {
    LocalizedText::new(zh, en)
}

fn choice(id: &str, zh: &str, en: &str) -> Choice {
    Choice {
        id: id.into(),
        text: t(zh, en),
    }
}

fn item(id: &str, prompt: LocalizedText, kind: ItemKind) -> Item {
    Item {
        id: id.into(),
        title: None,
        meta: ItemMeta {
            subject: Some("mathematics".into()),
            grade: Some(8),
            content_domain: Some("number".into()),
            process_domain: Some("applying".into()),
            cognitive_level: None,
            construct: None,
            status: Status::Operational,
            version: 3,
        },
        prompt,
        audio: None,
        kind,
    }
}

/// One item of each kind (several for the kinds with variants); the first ones are
/// exportable, the last two are questionnaire items QTI export skips.
pub fn items() -> Vec<Item> {
    let mut single = item(
        "M8-SC01",
        t(
            "下列哪个数是质数？（单选）\n注意：全角数字“１２”与半角相同。",
            "Which number is prime?",
        ),
        ItemKind::SingleChoice(SingleChoiceSpec {
            options: vec![
                choice("A", "４", "4"),
                choice("B", "７", "7"),
                choice("C", "９ & <10>", "9"),
            ],
            correct: "B".into(),
            shuffle: true,
        }),
    );
    single.title = Some(t("质数（一）", "Primes 1"));
    let partial = ScoreMap {
        values: BTreeMap::from([("1".into(), 1), ("2".into(), 1), ("3".into(), -1)]),
        default: 0,
        lower: 0,
        upper: 2,
    };
    let multiple = item(
        "8-MC01",
        t("哪些是偶数？", "Which are even?"),
        ItemKind::MultipleChoice(MultipleChoiceSpec {
            options: vec![
                choice("1", "２", "2"),
                choice("2", "４", "4"),
                choice("3", "５", "5"),
                choice("4", "７", "7"),
            ],
            correct: vec!["1".into(), "2".into()],
            partial: Some(partial),
            max_choices: Some(3),
            shuffle: false,
        }),
    );
    let multiple_plain = item(
        "M8-MC02",
        LocalizedText::zh("哪些图形是四边形？"),
        ItemKind::MultipleChoice(MultipleChoiceSpec {
            options: vec![
                choice("A", "正方形", "square"),
                choice("B", "三角形", "triangle"),
                choice("C", "梯形", "trapezium"),
            ],
            correct: vec!["A".into(), "C".into()],
            partial: None,
            max_choices: None,
            shuffle: true,
        }),
    );
    let numeric = item(
        "M8-NU01",
        t(
            "已知 <math><mi>x</mi><mo>+</mo><mn>2</mn><mo>=</mo><mn>5.5</mn></math>，求 <math><msup><mi>x</mi><mn>2</mn></msup></math> 的值（单位：厘米）。",
            "Given x + 2 = 5.5, find x squared (cm).",
        ),
        ItemKind::Numeric(NumericSpec {
            answer: 12.25,
            tolerance: 0.05,
            units: vec![
                UnitSpec {
                    symbol: "cm".into(),
                    factor: 1.0,
                },
                UnitSpec {
                    symbol: "mm".into(),
                    factor: 0.1,
                },
            ],
            unit_required: false,
            valid_min: Some(0.0),
            valid_max: Some(1000.0),
        }),
    );
    let numeric_exact = item(
        "M8-NU02",
        LocalizedText::zh("计算 <math><mfrac><mn>5</mn><mn>2</mn></mfrac></math>。"),
        ItemKind::Numeric(NumericSpec {
            answer: 2.5,
            tolerance: 0.0,
            units: Vec::new(),
            unit_required: false,
            valid_min: None,
            valid_max: None,
        }),
    );
    let short = item(
        "C8-ST01",
        t("中国最长的河流是哪一条？", "Which is the longest river in China?"),
        ItemKind::ShortText(ShortTextSpec {
            accepted: vec!["长江".into(), "扬子江".into(), "Yangtze".into()],
            case_sensitive: false,
            ignore_spaces: false,
            expected_length: Some(10),
        }),
    );
    let ordering = item(
        "S8-OR01",
        t("按从小到大排列。", "Order from smallest to largest."),
        ItemKind::Ordering(OrderingSpec {
            options: vec![
                choice("a", "细胞", "cell"),
                choice("b", "组织", "tissue"),
                choice("c", "器官", "organ"),
            ],
            correct: vec!["a".into(), "b".into(), "c".into()],
            shuffle: true,
        }),
    );
    let pair = |s: &str, t: &str| Pair {
        source: s.into(),
        target: t.into(),
    };
    let matching = item(
        "S8-MA01",
        LocalizedText::zh("把动物与它们的类别连起来。"),
        ItemKind::Matching(MatchingSpec {
            sources: vec![choice("S1", "鲸", "whale"), choice("S2", "蛇", "snake")],
            targets: vec![choice("T1", "哺乳动物", "mammal"), choice("T2", "爬行动物", "reptile")],
            correct: vec![pair("S1", "T1"), pair("S2", "T2")],
            partial: Some(ScoreMap {
                values: BTreeMap::from([("S1 T1".into(), 1), ("S2 T2".into(), 1)]),
                default: 0,
                lower: 0,
                upper: 2,
            }),
        }),
    );
    let matching_plain = item(
        "S8-MA02",
        LocalizedText::zh("连线。"),
        ItemKind::Matching(MatchingSpec {
            sources: vec![choice("x", "水", "water"), choice("y", "冰", "ice")],
            targets: vec![choice("1", "液体", "liquid"), choice("2", "固体", "solid")],
            correct: vec![pair("x", "1"), pair("y", "2")],
            partial: None,
        }),
    );
    let inline = item(
        "E8-IC01",
        t("选择正确的词填空。", "Choose the right word."),
        ItemKind::InlineChoice(InlineChoiceSpec {
            text: t(
                "昨天我们{gap}公园。\n然后回家了。",
                "Yesterday we {gap} the park.\nThen we went home.",
            ),
            options: vec![choice("go", "去", "go"), choice("went", "去了", "went")],
            correct: "went".into(),
        }),
    );
    let point = |score: u8, zh: &str, en: &str, examples: Vec<LocalizedText>| ScorePoint {
        score,
        descriptor: t(zh, en),
        examples,
    };
    let extended = item(
        "C8-EX01",
        t(
            "阅读短文，回答问题。\n你认为作者为什么这样写？请说明理由。",
            "Why did the author write this? Explain.",
        ),
        ItemKind::Extended(ExtendedSpec {
            rubric: Rubric {
                points: vec![
                    point(0, "未作答或答案无关。", "No relevant answer.", vec![]),
                    point(
                        1,
                        "给出观点，但没有理由。",
                        "A view without reasons.",
                        vec![t("因为他喜欢。", "Because he likes it.")],
                    ),
                    point(
                        2,
                        "给出观点并用文中证据说明。\n需引用原文。",
                        "A view with evidence.",
                        vec![t("文中说……所以……", "The text says … so …")],
                    ),
                ],
            },
            max_chars: Some(500),
            expected_lines: Some(8),
        }),
    );
    let likert = item(
        "Q-LK01",
        LocalizedText::zh("我喜欢数学。"),
        ItemKind::Likert(LikertSpec {
            scale: vec![LocalizedText::zh("不同意"), LocalizedText::zh("同意")],
            reverse: false,
            dont_know: None,
            not_applicable: None,
        }),
    );
    let categorical = item(
        "Q-CA01",
        LocalizedText::zh("你家里有多少本书？"),
        ItemKind::Categorical(CategoricalSpec {
            options: vec![
                CodedChoice {
                    id: "a".into(),
                    text: LocalizedText::zh("0–10"),
                    code: Some(1),
                    dont_know: false,
                },
                CodedChoice {
                    id: "b".into(),
                    text: LocalizedText::zh("11 本以上"),
                    code: Some(2),
                    dont_know: false,
                },
            ],
        }),
    );
    vec![
        single,
        multiple,
        multiple_plain,
        numeric,
        numeric_exact,
        short,
        ordering,
        matching,
        matching_plain,
        inline,
        extended,
        likert,
        categorical,
    ]
}

#[test]
fn samples_are_valid_items() {
    for item in items() {
        let problems = item.check();
        assert!(problems.is_empty(), "{}: {:?}", item.id, problems.0);
    }
}

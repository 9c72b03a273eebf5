//! Speed of the item bank's hot paths: loading and validating the demo bank (done at
//! every service start and `bank validate`), scoring responses (done for every saved
//! answer), and generating booklet designs.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use itembank::design::{self, GenerateOptions};
use itembank::{Bank, RawResponse};

fn demo_bank() -> Bank {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/bank");
    match Bank::load(&dir) {
        Ok(bank) => bank,
        Err(problems) => panic!("the demo bank must load: {problems}"),
    }
}

fn load(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/bank");
    c.bench_function("bank/load_demo", |b| {
        b.iter(|| Bank::load(black_box(&dir)).map(|bank| bank.items.len()))
    });
}

fn score(c: &mut Criterion) {
    let bank = demo_bank();
    // One plausible raw response per item, so every scoring rule is exercised.
    let responses: Vec<(&itembank::Item, RawResponse)> = bank
        .items
        .values()
        .map(|item| {
            let raw = match &item.kind {
                itembank::ItemKind::SingleChoice(s) => RawResponse::Choice(s.correct.clone()),
                itembank::ItemKind::MultipleChoice(s) => RawResponse::Choices(s.correct.clone()),
                itembank::ItemKind::Numeric(s) => RawResponse::Text(format!("{}", s.answer)),
                itembank::ItemKind::ShortText(s) => RawResponse::Text(format!(" {} ", s.accepted[0])),
                itembank::ItemKind::Likert(_) | itembank::ItemKind::Categorical(_) => RawResponse::Choice("1".into()),
                itembank::ItemKind::TimeUse(_) => RawResponse::Duration { hours: 1, minutes: 30 },
                _ => RawResponse::Text("答案".into()),
            };
            (item, raw)
        })
        .collect();
    c.bench_function("score/all_demo_items", |b| {
        b.iter(|| {
            responses
                .iter()
                .map(|(item, raw)| item.score(black_box(raw)))
                .filter(|o| matches!(o, itembank::Outcome::Score(1)))
                .count()
        })
    });
}

fn designs(c: &mut Criterion) {
    let opts = GenerateOptions::default();
    c.bench_function("design/bib_13_4", |b| {
        b.iter(|| design::generate(black_box(13), 4, &opts).map(|g| g.design.booklets.len()))
    });
    c.bench_function("design/fallback_14_4", |b| {
        b.iter(|| design::generate(black_box(14), 4, &opts).map(|g| g.design.booklets.len()))
    });
    c.bench_function("design/largest_60_8", |b| {
        b.iter(|| design::generate(black_box(60), 8, &opts).map(|g| g.design.booklets.len()))
    });
}

criterion_group!(benches, load, score, designs);
criterion_main!(benches);

//! `assess calibrate` → `score` → `estimate` on a synthetic two-stage sample with JK2
//! replicate weights: the chain runs end to end, district means come out in the order
//! they were generated with honest standard errors, and results do not depend on the
//! thread count.

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Output};

fn assess(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_assess"))
        .args(args)
        .output()
        .expect("the assess binary runs")
}

fn check(out: &Output) {
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A small linear congruential generator: enough randomness for a fixture.
struct Lcg(u64);

impl Lcg {
    fn uniform(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    fn normal(&mut self) -> f64 {
        (-2.0 * self.uniform().ln()).sqrt() * (std::f64::consts::TAU * self.uniform()).cos()
    }
}

const DISTRICT_EFFECTS: [f64; 4] = [-0.6, -0.2, 0.2, 0.6];

/// 40 schools (10 per district, paired into 20 JK2 zones), 25 students each, 15 2PL items.
fn write_data(path: &Path) {
    let mut rng = Lcg(7);
    let items: Vec<(f64, f64)> = (0..15)
        .map(|i| (0.8 + 0.08 * i as f64, -1.4 + 0.2 * i as f64))
        .collect();
    let mut text = String::from("id,district,school,W");
    for r in 1..=40 {
        write!(text, ",RW{r}").unwrap();
    }
    for i in 1..=15 {
        write!(text, ",I{i:02}").unwrap();
    }
    text.push('\n');
    for school in 0..40usize {
        let district = school / 10;
        let effect = DISTRICT_EFFECTS[district] + 0.3 * rng.normal();
        let weight = 10.0 + (school % 3) as f64;
        let zone = school / 2;
        for student in 0..25 {
            let theta = effect + rng.normal();
            write!(text, "s{school}-{student},D{district},{school},{weight}").unwrap();
            for r in 0..40 {
                // Replicates 2z and 2z+1 drop one school of zone z and double the other.
                let factor = if r / 2 != zone {
                    1.0
                } else if (r % 2 == 0) == (school % 2 == 0) {
                    0.0
                } else {
                    2.0
                };
                write!(text, ",{}", weight * factor).unwrap();
            }
            for &(a, b) in &items {
                let p = 1.0 / (1.0 + (-a * (theta - b)).exp());
                write!(text, ",{}", u8::from(rng.uniform() < p)).unwrap();
            }
            text.push('\n');
        }
    }
    std::fs::write(path, text).unwrap();
}

#[test]
fn calibrate_score_estimate() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("sample.csv");
    write_data(&data);
    let run = dir.path().join("run");
    let items: Vec<String> = (1..=15).map(|i| format!("I{i:02}")).collect();
    let (data_s, run_s) = (data.to_str().unwrap(), run.to_str().unwrap());
    check(&assess(&[
        "calibrate",
        data_s,
        "--id",
        "id",
        "--weight",
        "W",
        "--items",
        &items.join(","),
        "--out",
        run_s,
    ]));
    let score = |threads: &str| {
        check(&assess(&[
            "score",
            "--run",
            run_s,
            "--condition",
            "district",
            "--categorical",
            "district",
            "--direct",
            "district",
            "--school",
            "school",
            "--variance-by",
            "district",
            "--pv",
            "5",
            "--seed",
            "3",
            "--threads",
            threads,
        ]));
        std::fs::read_to_string(run.join("persons.csv")).unwrap()
    };
    let one = score("1");
    assert_eq!(one, score("2"), "plausible values depend on the thread count");
    assert!(
        one.starts_with("id,eap,eap_se,wle,wle_se,answered,pv1,pv2,pv3,pv4,pv5\n"),
        "{}",
        &one[..80]
    );
    assert_eq!(one.lines().count(), 1001);

    check(&assess(&[
        "estimate",
        "--run",
        run_s,
        "--replicates",
        "RW",
        "--method",
        "jk2",
        "--by",
        "district,school",
        "--levels",
        "-1,0,1",
        "--school",
        "school",
    ]));
    let estimates: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("estimates.json")).unwrap()).unwrap();
    assert_eq!(estimates["weights"]["replicates"], 40);
    assert_eq!(estimates["weights"]["factor"], 0.5);
    let districts = &estimates["results"][1];
    assert_eq!(districts["by"], "district");
    let rows = districts["table"]["rows"].as_array().unwrap();
    let means: Vec<f64> = rows
        .iter()
        .map(|r| r["value"][0]["estimate"].as_f64().unwrap())
        .collect();
    let ses: Vec<f64> = rows.iter().map(|r| r["value"][0]["se"].as_f64().unwrap()).collect();
    assert!(
        means.windows(2).all(|w| w[0] < w[1]),
        "district means out of order: {means:?}"
    );
    // 10 schools of 25 per district: the SE of a mean is about 0.1–0.2 logits.
    assert!(ses.iter().all(|&s| s > 0.03 && s < 0.4), "{ses:?}");
    assert!(districts["compared_with_all"]["rows"].as_array().unwrap().len() == 4);
    assert!(districts["two_level"][0]["value"]["icc"]["estimate"].as_f64().unwrap() > 0.0);
    // A column can both group and identify schools; schools have 25 students, under the
    // minimum of 30, so their cells are suppressed.
    let schools = estimates["results"][2]["table"]["rows"].as_array().unwrap();
    assert_eq!(schools.len(), 40);
    assert!(schools.iter().all(|r| r["suppressed"] == true));
    let population: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("population.json")).unwrap()).unwrap();
    assert_eq!(
        population["model"]["variances"].as_array().unwrap().len(),
        4,
        "one residual variance per district"
    );
}

#[test]
fn estimate_explains_missing_replicates() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("sample.csv");
    write_data(&data);
    let out = assess(&[
        "estimate",
        "--data",
        data.to_str().unwrap(),
        "--weight",
        "W",
        "--replicates",
        "REPW",
        "--variable",
        "I01",
        "--out",
        dir.path().join("e.json").to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(message.contains("no replicate weight columns REPW1"), "{message}");
    assert!(!dir.path().join("e.json").exists());
}

//! A large export made up in memory, for measuring the search index at the scale the
//! issue names (100,000 requests) without a file of that size in the repository.

#![allow(dead_code, unreachable_pub)]

use jobaudit::audit::{self, Audit};
use jobaudit::config::SiteConfig;
use jobaudit::export::{self, Export};

/// Requests to make: `JOBAUDIT_SEARCH_SCALE`, default 20,000 (the figure is
/// 100,000; run with it set to check).
pub fn scale() -> u64 {
    std::env::var("JOBAUDIT_SEARCH_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_000)
}

const FIRST: [&str; 40] = [
    "Amir", "Beth", "Chen", "Dara", "Eli", "Fatima", "George", "Hana", "Iain", "Jo", "Kofi",
    "Lena", "Maria", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sam", "Tariq", "Uma", "Vik",
    "Wen", "Xavier", "Yusuf", "Zoe", "Alex", "Ben", "Cara", "Dan", "Emma", "Finn", "Gita", "Hugo",
    "Ines", "Jack", "Kate", "Liam", "Mei", "Nina",
];
const LAST: [&str; 40] = [
    "Smith", "Jones", "Patel", "Khan", "Brown", "Taylor", "Wilson", "Evans", "Thomas", "Roberts",
    "Walker", "Wright", "Green", "Hall", "Wood", "Clarke", "Hughes", "Edwards", "Turner", "Hill",
    "Moore", "Cooper", "Ward", "Morris", "King", "Baker", "Harris", "Lewis", "Young", "Allen",
    "Scott", "Adams", "Mitchell", "Campbell", "Bell", "Murphy", "Kelly", "Price", "Reid", "Shaw",
];

/// A large export made up in memory: workspaces and researchers active for a stretch of
/// time each, a few jobs a request, common actions and backends. Sized by
/// `JOBAUDIT_SEARCH_SCALE` (default 20,000; the figure is 100,000).
pub fn audit(n: u64) -> Audit {
    let config = SiteConfig::default();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let actions = [
        "generate_study_population",
        "generate_dataset",
        "run_model",
        "describe",
        "make_tables",
        "plot_measures",
        "cox_regression",
        "extract_data",
    ];
    let identifier = |next: &mut dyn FnMut() -> u64| -> String {
        let mut v = next();
        (0..16)
            .map(|_| {
                let c = b"abcdefghijklmnopqrstuvwxyz234567"[(v % 32) as usize] as char;
                v /= 32;
                c
            })
            .collect()
    };
    let requests = (1..=n)
        .map(|id| {
            // Workspaces and researchers are each busy for a while, then quiet.
            let ws = id / 40 + next() % 60;
            let user = id / 150 + next() % 30;
            let org = ws % 60;
            let first = FIRST[(user % 40) as usize];
            let last = format!("{}{}", LAST[(user / 40 % 40) as usize], user / 1600);
            let jobs: Vec<serde_json::Value> = (0..1 + next() % 5)
                .map(|_| {
                    serde_json::json!({
                        "identifier": identifier(&mut next),
                        "action": actions[(next() % 8) as usize],
                        "status": "succeeded",
                    })
                })
                .collect();
            let status = ["succeeded", "succeeded", "succeeded", "failed"][(next() % 4) as usize];
            let backend = if next() % 7 == 0 { "emis" } else { "tpp" };
            let day = id * 1460 / n;
            let created = chrono::DateTime::from_timestamp(1_600_000_000 + day as i64 * 86_400, 0)
                .unwrap();
            let record = serde_json::json!({
                "id": id,
                "identifier": identifier(&mut next),
                "backend": backend,
                "workspace": {"name": format!("study-{ws}-analysis"), "repo": format!("https://github.com/opensafely/study-{ws}")},
                "project": {"slug": format!("project-{}", ws / 3), "name": format!("Project {}", ws / 3)},
                "orgs": [{"slug": format!("org-{org}"), "name": format!("Organisation {org}"), "lead": true}],
                "created_by": {"username": format!("{}{}{user}", first.to_lowercase(), last.to_lowercase()), "fullname": format!("{first} {last}")},
                "created_at": created.to_rfc3339(),
                "sha": format!("{:016x}{:016x}{:08x}", next(), next(), next() as u32),
                "requested_actions": [actions[(next() % 8) as usize]],
                "status": status,
                "jobs": jobs,
            });
            export::request_from_json(&record.to_string(), &config).unwrap()
        })
        .collect();
    audit::audit(Export {
        config,
        requests,
        pipelines: Default::default(),
        pages: Vec::new(),
        diagnostics: Vec::new(),
        counts: Default::default(),
    })
}

//! The five pages of `../shared/seeds/`, built from `data/`: every fact each seed shows,
//! field by field, read from the parsed HTML.

use crate::common::*;
use scraper::Html;

/// What one seed page shows. Values are copied from the seed text.
struct Seed {
    id: u64,
    path: &'static str,
    organisation: &'static str,
    workspace: &'static str,
    identifier: &'static str,
    researcher: &'static str,
    /// (action, status, identifier, status line) of each job the seed lists; an empty
    /// action or status is one the seed lost.
    jobs: &'static [(
        &'static str,
        &'static str,
        &'static str,
        Option<&'static str>,
    )],
    runtime: &'static str,
    backend_code: &'static str,
    status: &'static str,
    backend: &'static str,
    branch: &'static str,
    commit: &'static str,
    requested: &'static [&'static str],
    /// The first line of the pipeline as the seed prints it.
    yaml_first_line: &'static str,
    /// Action names of the seed's project.yaml, in order.
    actions: &'static [&'static str],
}

const SEEDS: [Seed; 5] = [
    Seed {
        id: 2505,
        path: "emis-qa/emis-qa-main/2505/index.html",
        organisation: "Bennett Institute",
        workspace: "emis-qa-main",
        identifier: "qlzgpqmutw6sbqti",
        researcher: "Iain Dillingham",
        jobs: &[("", "", "gkjqsokitnud77wl", None)],
        runtime: "00:43:44",
        backend_code: "EMIS",
        status: "Succeeded",
        backend: "EMIS",
        branch: "main",
        commit: "28d4355",
        requested: &["generate_study_population"],
        yaml_first_line: "version: '3.0'",
        actions: &[
            "generate_study_population",
            "rotate_study_population",
            "generate_summary_notebook",
        ],
    },
    Seed {
        id: 10898,
        path: "flucats/flucats/10898/index.html",
        organisation: "University of Liverpool",
        workspace: "flucats",
        identifier: "pzztw7wladpqkpqb",
        researcher: "Simon Davy",
        jobs: &[(
            "test_action",
            "Failed",
            "6nhad5m5vkyxqf4z",
            Some("cancelled_by_user: Cancelled by user"),
        )],
        runtime: "18:21:28",
        backend_code: "EMIS",
        status: "Failed",
        backend: "EMIS",
        branch: "main",
        commit: "0478b82",
        requested: &["test_action"],
        yaml_first_line: "version: '3.0'",
        actions: &[
            "test_action",
            "generate_study_population_1",
            "generate_study_population_2",
            "generate_study_population_end",
            "join_cohorts_weekly",
            "generate_dataset_report",
        ],
    },
    Seed {
        id: 3131,
        path: "covid-vaccine-coverage/covid-vaccine-not-done-branch/3131/index.html",
        organisation: "Bennett Institute",
        workspace: "covid-vaccine-not-done-branch",
        identifier: "a43r5ei6a2zuejqh",
        researcher: "Helen Curtis",
        jobs: &[],
        runtime: "00:01:23",
        backend_code: "TPP",
        status: "Succeeded",
        backend: "TPP",
        branch: "create-outputs",
        commit: "b747464",
        requested: &["generate_additional_outputs"],
        yaml_first_line: "version: '3.0'",
        actions: &[
            "generate_study_population",
            "cohort_checks",
            "transform",
            "count_prevalences",
            "compute_uptake_for_paper",
            "generate_additional_outputs",
            "generate_outputs",
        ],
    },
    Seed {
        id: 19021,
        path: "ons-cis-short-data-report/ons-cis-short-data-report/19021/index.html",
        organisation: "Bennett Institute",
        workspace: "ons-cis-short-data-report",
        identifier: "5i42i3xk2j47qlg6",
        researcher: "Iain Dillingham",
        jobs: &[("render_report", "Succeeded", "54fy7iwzg25g3bvp", None)],
        runtime: "00:02:01",
        backend_code: "TPP",
        status: "Succeeded",
        backend: "TPP",
        branch: "main",
        commit: "ac4e7b6",
        requested: &["render_report"],
        yaml_first_line: "version: \"3.0\"",
        actions: &["visit_num", "make_safe", "render_report"],
    },
    Seed {
        id: 21418,
        path: "vte-diagnoses-and-deaths/vte-diagnoses-and-deaths/21418/index.html",
        organisation: "NHS England",
        workspace: "vte-diagnoses-and-deaths",
        identifier: "kliug6gyctqh2z32",
        researcher: "Joshua Mutio",
        jobs: &[],
        runtime: "00:18:09",
        backend_code: "TPP",
        status: "Succeeded",
        backend: "TPP",
        branch: "main",
        commit: "9657ba0",
        requested: &["generate_dataset", "initial_analysis"],
        yaml_first_line: "version: '3.0'",
        actions: &[
            "generate_dataset",
            "generate_pivoted_dataset",
            "initial_analysis",
            "aggregate_pivots",
        ],
    },
];

fn pages() -> Vec<(&'static Seed, Html)> {
    let (_dir, site, summary) = build(&manifest_dir().join("data"));
    assert_eq!(summary.requests_rendered, 5);
    SEEDS.iter().map(|s| (s, page(&site, s.path))).collect()
}

#[test]
fn header_names_the_request_its_organisation_workspace_and_id() {
    for (seed, doc) in pages() {
        assert_eq!(text(one(&doc, "h1")), format!("Job request: {}", seed.id));
        let facts = definitions(one(&doc, "dl.facts"));
        assert_eq!(
            lookup(&facts, "Organisation:"),
            seed.organisation,
            "{}",
            seed.id
        );
        assert_eq!(lookup(&facts, "Workspace:"), seed.workspace, "{}", seed.id);
        assert_eq!(lookup(&facts, "ID:"), seed.identifier, "{}", seed.id);
        let title = text(one(&doc, "head > title"));
        assert_eq!(
            title,
            format!(
                "Job request: {} - {} | OpenSAFELY Jobs",
                seed.id, seed.workspace
            )
        );
    }
}

#[test]
fn intro_names_the_researcher_and_explains_both_levels() {
    for (seed, doc) in pages() {
        let intro = text(one(&doc, "section.intro"));
        assert!(
            intro.contains(&format!(
                "when the authorised researcher {} requested one or more actions to be run against real patient data within a secure environment.",
                seed.researcher
            )),
            "{intro}"
        );
        assert!(intro.contains("By cross-referencing the list of jobs with the pipeline section below, you can infer what security level the outputs were written to."));
        let levels = all_text(&doc, "ul.levels > li > strong");
        assert_eq!(levels, ["highly_sensitive", "moderately_sensitive"]);
        let explained = all_text(&doc, "ul.levels li li");
        assert_eq!(
            explained,
            [
                "Researchers can never directly view these outputs",
                "Researchers can only request code is run against them",
                "Can be viewed by an approved researcher by logging into a highly secure environment",
                "These are the only outputs that can be requested for public release via a controlled output review service.",
            ]
        );
    }
}

#[test]
fn jobs_list_every_job_the_seed_shows() {
    for (seed, doc) in pages() {
        let jobs: Vec<_> = doc.select(&sel("#jobs li.job")).collect();
        assert!(jobs.len() >= seed.jobs.len(), "{}", seed.id);
        for &(action, status, identifier, line) in seed.jobs {
            let job = jobs
                .iter()
                .find(|j| j.value().id() == Some(&format!("job-{identifier}")))
                .unwrap_or_else(|| panic!("job {identifier} on {}", seed.id));
            let facts = definitions(*job);
            assert_eq!(lookup(&facts, "Job identifier:"), identifier);
            if !action.is_empty() {
                assert_eq!(lookup(&facts, "Action:"), action);
            }
            if !status.is_empty() {
                assert_eq!(lookup(&facts, "Status:"), status);
            }
            match line {
                Some(line) => assert_eq!(lookup(&facts, "Status message:"), line),
                None => assert!(
                    facts.iter().all(|(l, _)| l != "Status message:"),
                    "{}",
                    seed.id
                ),
            }
        }
    }
}

#[test]
fn pipeline_is_the_seed_project_yaml_in_a_closed_details() {
    for (seed, doc) in pages() {
        let details = one(&doc, "#pipeline details");
        assert!(details.value().attr("open").is_none(), "closed by default");
        assert_eq!(
            text(within(details, "summary")[0]).split(' ').next(),
            Some("Show")
        );
        assert!(text(within(details, "summary")[0]).starts_with("Show project.yaml"));
        let code: String = within(details, "pre code")[0].text().collect();
        assert_eq!(
            code.lines().next(),
            Some(seed.yaml_first_line),
            "{}",
            seed.id
        );
        for action in seed.actions {
            assert!(
                code.contains(&format!("  {action}:")),
                "{action} in {}",
                seed.id
            );
        }
        // Highlighted at build time: every action name is a highlighted key.
        let keys: Vec<String> = within(details, "pre code b")
            .into_iter()
            .map(text)
            .collect();
        for action in seed.actions {
            assert!(
                keys.iter().any(|k| k == action),
                "{action} highlighted on {}",
                seed.id
            );
        }
    }
}

#[test]
fn timeline_shows_runtime_and_the_backend_footer() {
    for (seed, doc) in pages() {
        let timeline = one(&doc, "#timeline");
        assert_eq!(
            text(within(timeline, ".runtime")[0]),
            seed.runtime,
            "{}",
            seed.id
        );
        let labels: Vec<String> = within(timeline, ".label").into_iter().map(text).collect();
        assert_eq!(labels[0], "Created:");
        assert!(labels.contains(&"Runtime:".to_owned()));
        for time in within(timeline, "time") {
            let iso = time.value().attr("datetime").unwrap();
            assert!(iso.ends_with('Z') && iso.len() == 20, "{iso}");
            assert!(text(time).ends_with(" UTC"));
        }
        assert_eq!(
            text(within(timeline, ".footnote")[0]),
            format!(
                "These timestamps are generated and stored using the UTC timezone on the {} backend.",
                seed.backend_code
            )
        );
    }
}

#[test]
fn job_request_card_has_every_field_in_order() {
    for (seed, doc) in pages() {
        let card = one(&doc, "#request");
        assert_eq!(text(within(card, "h2")[0]), "Job request");
        let facts = definitions(within(card, "dl")[0]);
        let labels: Vec<&str> = facts.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(
            labels,
            [
                "Status",
                "Backend",
                "Workspace",
                "Requested by",
                "Branch",
                "Force run dependencies",
                "Git commit hash",
                "Requested actions"
            ]
        );
        assert_eq!(lookup(&facts, "Status"), seed.status, "{}", seed.id);
        assert_eq!(lookup(&facts, "Backend"), seed.backend);
        assert_eq!(lookup(&facts, "Workspace"), seed.workspace);
        assert_eq!(lookup(&facts, "Requested by"), seed.researcher);
        assert_eq!(lookup(&facts, "Branch"), seed.branch);
        assert_eq!(lookup(&facts, "Force run dependencies"), "No");
        assert_eq!(lookup(&facts, "Git commit hash"), seed.commit);
        let commit = within(card, "a code")
            .into_iter()
            .find(|c| text(*c) == seed.commit)
            .expect("linked commit");
        let href = commit
            .parent()
            .and_then(scraper::ElementRef::wrap)
            .and_then(|a| a.value().attr("href"))
            .unwrap();
        assert!(
            href.starts_with(&format!(
                "https://github.com/opensafely/{}/tree/{}",
                seed.workspace, seed.commit
            )),
            "{href}"
        );
        let requested: Vec<String> = within(card, "ul.actions li")
            .into_iter()
            .map(text)
            .collect();
        assert_eq!(requested, seed.requested);
    }
}

#[test]
fn code_comparison_says_there_is_no_previous_request() {
    for (seed, doc) in pages() {
        let card = one(&doc, "#code-comparison");
        assert_eq!(text(within(card, "h2")[0]), "Code comparison");
        assert_eq!(
            text(within(card, ".subtitle")[0]),
            "Compare the code used in this job request"
        );
        let items: Vec<String> = within(card, "li").into_iter().map(text).collect();
        assert_eq!(
            items,
            ["No previous job request available for comparison"],
            "{}",
            seed.id
        );
    }
}

#[test]
fn sections_come_in_the_seed_order() {
    for (seed, doc) in pages() {
        let headings = all_text(&doc, "main h2");
        assert_eq!(
            headings,
            [
                "Jobs",
                "Pipeline",
                "Job statistics",
                "Timeline",
                "Job request",
                "Code comparison"
            ],
            "{}",
            seed.id
        );
    }
}

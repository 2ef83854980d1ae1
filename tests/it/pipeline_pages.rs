//! The pipeline as the request pages present it (issues 3 and 6): every job states what
//! its action writes at which level, every action of the pipeline is anchored, jobs link
//! to their action, and the graph has a node per action and an edge per need. Expected
//! values are read from the pipeline library's own result for each file.

use crate::common::*;
use std::path::Path;

use jobaudit::export::{self, Lookup, repo_owner_and_name};
use jobaudit::pipeline;

/// (request page, its project.yaml) for every request of `data/`.
fn pages_and_pipelines(
    site: &Path,
) -> Vec<(String, pipeline::Pipeline, jobaudit::model::JobRequest)> {
    let export = export::read(&manifest_dir().join("data")).unwrap();
    export
        .full_requests()
        .iter()
        .map(|r| {
            let (owner, repo) = repo_owner_and_name(&r.workspace.repo).unwrap();
            let Lookup::Found(stored) = export.pipelines.lookup(&owner, &repo, &r.sha) else {
                panic!("pipeline of {}", r.id)
            };
            let parsed = pipeline::load(&export.pipelines.text(stored).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", stored.path.display()));
            let page = format!(
                "{}/{}/{}/index.html",
                r.project.slug, r.workspace.name, r.id
            );
            assert!(site.join(&page).is_file());
            (page, parsed, r.clone())
        })
        .collect()
}

#[test]
fn every_job_states_its_outputs_by_level() {
    let (_dir, site, _) = build(&manifest_dir().join("data"));
    for (rel, pipeline, request) in pages_and_pipelines(&site) {
        let doc = page(&site, &rel);
        assert!(!request.jobs.is_empty());
        for job in &request.jobs {
            let li = one(&doc, &format!("#job-{}", job.identifier));
            let action = pipeline.action(&job.action).unwrap();
            let stated: Vec<String> = within(li, ".outputs li").into_iter().map(text).collect();
            let expected: Vec<String> = action
                .outputs
                .iter()
                .map(|(level, outputs)| {
                    let list: Vec<String> = outputs
                        .iter()
                        .map(|o| format!("{}: {}", o.name, o.pattern))
                        .collect();
                    format!("{level} — {}", list.join(", "))
                })
                .collect();
            assert_eq!(stated, expected, "{rel} job {}", job.identifier);
        }
        // The intro sums up the levels the requested actions write to.
        let summary: Vec<String> = doc
            .select(&sel(".level-summary .level"))
            .map(text)
            .collect();
        assert!(!summary.is_empty(), "{rel}");
    }
}

#[test]
fn every_action_is_anchored_and_every_job_links_to_its_action() {
    let (_dir, site, _) = build(&manifest_dir().join("data"));
    for (rel, pipeline, request) in pages_and_pipelines(&site) {
        let doc = page(&site, &rel);
        for action in &pipeline.actions {
            let block = one(&doc, &format!("#action-{}", action.name));
            let first_line = within(block, "a[id^='L']")[0]
                .value()
                .id()
                .unwrap()
                .to_owned();
            assert_eq!(
                first_line,
                format!("L{}", action.lines.start),
                "{rel} {}",
                action.name
            );
            let requested = block
                .value()
                .has_class("req", scraper::CaseSensitivity::CaseSensitive);
            assert_eq!(
                requested,
                request.requested_actions.contains(&action.name),
                "{rel} {}",
                action.name
            );
        }
        for job in &request.jobs {
            let link = one(&doc, &format!("#job-{} dd a", job.identifier));
            assert_eq!(
                link.value().attr("href"),
                Some(format!("#action-{}", job.action).as_str())
            );
        }
    }
}

#[test]
fn the_graph_has_a_node_per_action_and_an_edge_per_need() {
    let (_dir, site, _) = build(&manifest_dir().join("data"));
    for (rel, pipeline, request) in pages_and_pipelines(&site) {
        let doc = page(&site, &rel);
        let svg = one(&doc, "#pipeline svg.pipeline-graph");
        let nodes: Vec<String> = within(svg, "g.node")
            .into_iter()
            .map(|g| g.value().attr("data-action").unwrap().to_owned())
            .collect();
        let names: Vec<String> = pipeline.actions.iter().map(|a| a.name.clone()).collect();
        let mut sorted = nodes.clone();
        sorted.sort();
        let mut expected = names.clone();
        expected.sort();
        assert_eq!(sorted, expected, "{rel}");
        let edges: Vec<(String, String)> = within(svg, "path.edge")
            .into_iter()
            .map(|p| {
                (
                    p.value().attr("data-from").unwrap().to_owned(),
                    p.value().attr("data-to").unwrap().to_owned(),
                )
            })
            .collect();
        let mut needs: Vec<(String, String)> = pipeline
            .actions
            .iter()
            .flat_map(|a| a.needs.iter().map(|n| (n.clone(), a.name.clone())))
            .collect();
        needs.sort();
        needs.dedup();
        let mut edges_sorted = edges.clone();
        edges_sorted.sort();
        assert_eq!(edges_sorted, needs, "{rel}");
        // Nodes link to their action's block; jobs' statuses are on their nodes.
        for node in within(svg, "a") {
            let href = node.value().attr("href").unwrap();
            assert!(href.starts_with("#action-"), "{href}");
        }
        for job in &request.jobs {
            let node = within(svg, &format!("g.node[data-action='{}']", job.action));
            let class = node[0].value().attr("class").unwrap();
            assert!(
                class.contains(&format!("status-{}", job.status)),
                "{rel}: {class}"
            );
        }
    }
}

//! Which actions a job request runs (spec/pipeline.md §16). The library stores `needs`
//! but resolves nothing; job-runner expands `run_all` and walks `needs`. This is the
//! static-page version of job-runner's walk.

use std::collections::HashSet;

use super::RUN_ALL;
use super::model::Pipeline;

impl Pipeline {
    /// Every action name, in file order, except a user action literally named `run_all`
    /// (the library's `all_actions`, which is what a `run_all` request expands to).
    pub fn all_actions(&self) -> Vec<String> {
        self.actions
            .iter()
            .filter(|a| a.name != RUN_ALL)
            .map(|a| a.name.clone())
            .collect()
    }

    /// The library's `action_images`: each distinct `image:tag`, with `latest` reported
    /// as `v1`, sorted.
    pub fn action_images(&self) -> Vec<String> {
        let mut images: Vec<String> = self
            .actions
            .iter()
            .map(|a| {
                let tag = if a.run.tag == "latest" {
                    "v1"
                } else {
                    a.run.tag.as_str()
                };
                format!("{}:{tag}", a.run.image)
            })
            .collect();
        images.sort();
        images.dedup();
        images
    }

    /// Every distinct output pattern across all actions, in file order (the library's
    /// `get_all_output_patterns_from_project_file`, which returns them as a set).
    pub fn output_patterns(&self) -> Vec<String> {
        let mut seen: HashSet<&str> = HashSet::new();
        let mut patterns: Vec<String> = Vec::new();
        for a in &self.actions {
            for (_, outputs) in &a.outputs {
                for o in outputs {
                    if seen.insert(&o.pattern) {
                        patterns.push(o.pattern.clone());
                    }
                }
            }
        }
        patterns
    }

    /// The actions a job request asks to run, in file order, each once.
    ///
    /// `run_all` expands to [`Pipeline::all_actions`]. Names the pipeline does not
    /// define are dropped (job-runner would refuse the request).
    ///
    /// Without `force_run_dependencies`, only the requested actions are listed. Job-runner
    /// also schedules a needed action when it has not already succeeded in the workspace,
    /// but that depends on the workspace's history, which a page built from one request
    /// cannot know; the audit layer adds such jobs from the job records themselves. With
    /// `force_run_dependencies`, every requested action's whole `needs` closure is run
    /// regardless of history, so it is included.
    pub fn expand_requested(
        &self,
        requested: &[String],
        force_run_dependencies: bool,
    ) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for r in requested {
            if r == RUN_ALL {
                names.extend(self.all_actions());
            } else if self.action(r).is_some() {
                names.push(r.clone());
            }
        }
        if force_run_dependencies {
            self.needs_closure(&names)
        } else {
            self.in_file_order(&names)
        }
    }

    /// The named actions and everything they need, directly or not, in file order.
    /// Cycles and self-needs (which the library allows) are walked once.
    pub fn needs_closure(&self, names: &[String]) -> Vec<String> {
        let mut seen: HashSet<&str> = HashSet::new();
        let mut stack: Vec<&str> = names.iter().map(String::as_str).collect();
        while let Some(name) = stack.pop() {
            let Some(action) = self.action(name) else {
                continue;
            };
            if seen.insert(action.name.as_str()) {
                stack.extend(action.needs.iter().map(String::as_str));
            }
        }
        self.actions
            .iter()
            .filter(|a| seen.contains(a.name.as_str()))
            .map(|a| a.name.clone())
            .collect()
    }

    fn in_file_order(&self, names: &[String]) -> Vec<String> {
        let names: HashSet<&str> = names.iter().map(String::as_str).collect();
        self.actions
            .iter()
            .filter(|a| names.contains(a.name.as_str()))
            .map(|a| a.name.clone())
            .collect()
    }
}

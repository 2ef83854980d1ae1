//! What an audit learnt that the next build can take instead of working it out again: the
//! summary of each request by its key (`RequestRecord::key`), as its record names it, and
//! whether each distinct project.yaml is valid.

use chrono::{DateTime, Utc};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::pipelines::{Facts, TextFacts};
use super::{JobStats, JobSummary, Status, Summary};
use crate::interning::{Interner, Sym, Texts, write_seq};
use crate::model::{Backend, Org, Project, Text, User, Workspace};

#[derive(Debug, Default)]
pub struct AuditMemo {
    pub(super) summaries: FxHashMap<u128, Summary>,
    pub(super) texts: Facts,
}

/// A request's project, orgs and researcher as its record names them, where the names
/// shown (`Names`) differ.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct OwnNames {
    pub(super) project: Project,
    pub(super) orgs: Vec<Org>,
    pub(super) created_by: User,
}

/// What [`Audit::memo`](super::Audit::memo) gives to write: each summary as this build
/// shows it, with its record's own names where they differ.
pub struct AuditMemoOut<'a> {
    pub(super) summaries: Vec<(u128, &'a Summary, Option<&'a OwnNames>)>,
    pub(super) texts: &'a Facts,
}

/// [`AuditMemo`] as it is written (row by row, by [`AuditMemoOut::write_rows`]), its
/// strings in the memo's table.
#[derive(Debug, Default, Deserialize)]
pub struct AuditRows {
    summaries: Vec<SummaryRow>,
    texts: Vec<(u128, TextFacts)>,
}

type ProjectRow = (Sym, Sym, Option<Sym>);
type OrgRow = (Sym, Sym, bool);
type UserRow = (Sym, Sym);
/// Seconds and nanoseconds since 1970.
type TimeRow = (i64, u32);

#[derive(Debug, Serialize, Deserialize)]
struct SummaryRow {
    key: u128,
    id: u64,
    identifier: Sym,
    backend: (Sym, Sym),
    workspace: (Sym, Sym, Sym),
    project: ProjectRow,
    orgs: Vec<OrgRow>,
    created_by: UserRow,
    created_at: TimeRow,
    sha: Sym,
    requested_actions: Vec<Sym>,
    definition: Option<u128>,
    status: Status,
    started: Option<TimeRow>,
    stats: [usize; 6],
    jobs: Vec<(Sym, Sym, Sym)>,
    own: Option<(ProjectRow, Vec<OrgRow>, UserRow)>,
}

impl<'a> AuditMemoOut<'a> {
    /// Appends the rows, in id order, to `out` as postcard writes [`AuditRows`].
    pub fn write_rows(
        &self,
        strings: &mut Interner<'a>,
        out: Vec<u8>,
    ) -> postcard::Result<Vec<u8>> {
        let rows = self
            .summaries
            .iter()
            .map(|&(key, s, own)| summary_row(key, s, own, strings));
        let out = write_seq(out, rows)?;
        let mut texts: Vec<_> = self.texts.iter().collect();
        texts.sort_unstable_by_key(|(h, _)| **h);
        write_seq(out, texts.into_iter())
    }
}

fn summary_row<'a>(
    key: u128,
    s: &'a Summary,
    own: Option<&'a OwnNames>,
    strings: &mut Interner<'a>,
) -> SummaryRow {
    let mut sym = |s: &'a Text| strings.text(s);
    SummaryRow {
        key,
        id: s.id,
        identifier: sym(&s.identifier),
        backend: (sym(&s.backend.slug), sym(&s.backend.name)),
        workspace: (
            sym(&s.workspace.name),
            sym(&s.workspace.repo),
            sym(&s.workspace.branch),
        ),
        project: project_row(&s.project, &mut sym),
        orgs: s.orgs.iter().map(|o| org_row(o, &mut sym)).collect(),
        created_by: (sym(&s.created_by.username), sym(&s.created_by.fullname)),
        created_at: time_row(s.created_at),
        sha: sym(&s.sha),
        requested_actions: s.requested_actions.iter().map(&mut sym).collect(),
        definition: s.definition,
        status: s.status,
        started: s.started.map(time_row),
        stats: {
            let t = &s.stats;
            [
                t.total,
                t.pending,
                t.running,
                t.succeeded,
                t.failed,
                t.completed,
            ]
        },
        jobs: s
            .jobs
            .iter()
            .map(|j| (sym(&j.identifier), sym(&j.action), sym(&j.status)))
            .collect(),
        own: own.map(|o| {
            (
                project_row(&o.project, &mut sym),
                o.orgs.iter().map(|org| org_row(org, &mut sym)).collect(),
                (sym(&o.created_by.username), sym(&o.created_by.fullname)),
            )
        }),
    }
}

impl AuditMemo {
    /// The memo of `rows`, each summary named as its record names it.
    pub fn from_rows(rows: AuditRows, strings: &Texts) -> AuditMemo {
        let s = |n: Sym| strings.get(n);
        let summaries = rows
            .summaries
            .into_par_iter()
            .map(|row| {
                let (project, orgs, created_by) = match row.own {
                    Some((project, orgs, user)) => (project, orgs, user),
                    None => (row.project, row.orgs, row.created_by),
                };
                let [total, pending, running, succeeded, failed, completed] = row.stats;
                let summary = Summary {
                    id: row.id,
                    identifier: s(row.identifier),
                    backend: Backend {
                        slug: s(row.backend.0),
                        name: s(row.backend.1),
                    },
                    workspace: Workspace {
                        name: s(row.workspace.0),
                        repo: s(row.workspace.1),
                        branch: s(row.workspace.2),
                    },
                    project: Project {
                        slug: s(project.0),
                        name: s(project.1),
                        number: project.2.map(s),
                    },
                    orgs: orgs
                        .into_iter()
                        .map(|(slug, name, lead)| Org {
                            slug: s(slug),
                            name: s(name),
                            lead,
                        })
                        .collect(),
                    created_by: User {
                        username: s(created_by.0),
                        fullname: s(created_by.1),
                    },
                    created_at: time(row.created_at),
                    sha: s(row.sha),
                    requested_actions: row.requested_actions.into_iter().map(s).collect(),
                    definition: row.definition,
                    status: row.status,
                    started: row.started.map(time),
                    stats: JobStats {
                        total,
                        pending,
                        running,
                        succeeded,
                        failed,
                        completed,
                    },
                    jobs: row
                        .jobs
                        .into_iter()
                        .map(|(identifier, action, status)| JobSummary {
                            identifier: s(identifier),
                            action: s(action),
                            status: s(status),
                        })
                        .collect(),
                    pipeline: None,
                };
                (row.key, summary)
            })
            .collect();
        AuditMemo {
            summaries,
            texts: rows.texts.into_iter().collect(),
        }
    }
}

fn project_row<'a>(p: &'a Project, sym: &mut impl FnMut(&'a Text) -> Sym) -> ProjectRow {
    (sym(&p.slug), sym(&p.name), p.number.as_ref().map(sym))
}

fn org_row<'a>(o: &'a Org, sym: &mut impl FnMut(&'a Text) -> Sym) -> OrgRow {
    (sym(&o.slug), sym(&o.name), o.lead)
}

fn time_row(t: DateTime<Utc>) -> TimeRow {
    (t.timestamp(), t.timestamp_subsec_nanos())
}

/// A time from its row; a damaged row gives the epoch (its checksum keeps a damaged memo
/// from being read at all).
fn time((secs, nanos): TimeRow) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, nanos).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interning::Table;
    use serde_json::json;

    /// Summaries written row by row read back as they were, each by its record's key, and
    /// named as its record names it where the names shown differ.
    #[test]
    fn summaries_read_back_as_their_records_make_them() {
        let records: Vec<String> = (1..=30u64)
            .map(|id| {
                let named = id % 7 == 0;
                json!({
                    "id": id, "identifier": format!("r{id}"), "backend": "tpp",
                    "project": if named { json!({"slug": "p", "name": format!("P{id}")}) } else { json!("p") },
                    "orgs": ["o", format!("org{}", id % 3)], "created_by": "ann",
                    "workspace": {"name": format!("ws{}", id % 4), "repo": "https://github.com/o/ws"},
                    "created_at": format!("2024-01-{:02}T00:00:00Z", id % 28 + 1),
                    "sha": format!("{id:040x}"), "status": if id % 5 == 0 { "failed" } else { "succeeded" },
                    "requested_actions": (0..id % 4).map(|a| format!("a{a}")).collect::<Vec<_>>(),
                    "jobs": (0..id % 3).map(|j| json!({
                        "identifier": format!("j{id}-{j}"), "action": format!("a{j}"),
                        "status": if j == 1 { "failed" } else { "succeeded" },
                        "started_at": "2024-02-01T10:00:00.5Z",
                    })).collect::<Vec<_>>(),
                })
                .to_string()
            })
            .collect();
        let export = crate::export::from_json(&records, Default::default()).unwrap();
        let audit = crate::audit::audit(export).unwrap();
        let (_, out) = audit.memo();
        assert!(out.summaries.iter().any(|(_, _, own)| own.is_some()));
        let mut strings = Interner::default();
        let rows = out.write_rows(&mut strings, Vec::new()).unwrap();
        let table: Table =
            postcard::from_bytes(&postcard::to_stdvec(&strings.table()).unwrap()).unwrap();
        let rows: AuditRows = postcard::from_bytes(&rows).unwrap();
        let memo = AuditMemo::from_rows(rows, &table.texts());
        assert_eq!(memo.summaries.len(), 30);
        for &(key, summary, own) in &out.summaries {
            let mut expected = Summary {
                pipeline: None,
                ..summary.clone()
            };
            if let Some(own) = own {
                expected.project = own.project.clone();
                expected.orgs = own.orgs.clone();
                expected.created_by = own.created_by.clone();
            }
            assert_eq!(memo.summaries[&key], expected, "request {}", summary.id);
        }
    }
}

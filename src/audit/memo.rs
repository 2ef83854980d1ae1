//! What an audit learnt that the next build can take instead of working it out again: the
//! summary of each request by its key (`RequestRecord::key`), as its record names it, and
//! whether each distinct project.yaml is valid.

use chrono::{DateTime, Utc};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::pipelines::{Facts, TextFacts};
use super::{JobStats, JobSummary, Status, Summary};
use crate::export::{Backend, Org, Project, Text, User, Workspace};
use crate::interning::{Interner, Sym, Texts};

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

/// [`AuditMemo`] as it is written, its strings in the memo's table.
#[derive(Debug, Default, Serialize, Deserialize)]
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
    /// The rows to write, in id order.
    pub fn rows(&self, strings: &mut Interner<'a>) -> AuditRows {
        let mut sym = |s: &'a Text| strings.text(s);
        let summaries = self
            .summaries
            .iter()
            .map(|&(key, s, own)| SummaryRow {
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
            })
            .collect();
        let mut texts: Vec<_> = self.texts.iter().map(|(h, e)| (*h, e.clone())).collect();
        texts.sort_unstable_by_key(|(h, _)| *h);
        AuditRows { summaries, texts }
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

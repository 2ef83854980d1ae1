//! One display name per project, org and researcher across the export: an API-shaped
//! record names them only by slug, so the latest record that gave a real name (one that
//! is not just the slug again) names every page they appear on.

use rustc_hash::FxHashMap;

use super::Summary;
use crate::model::{Org, Project, Text, User};

/// The names to show, by slug; a slug no record names has no entry.
#[derive(Debug, Default)]
pub struct Names {
    projects: FxHashMap<Text, (Text, Option<Text>)>,
    orgs: FxHashMap<Text, Text>,
    users: FxHashMap<Text, Text>,
}

impl Names {
    /// Gathered from `requests` in id order, so a later record's name wins.
    pub(super) fn of(requests: &[Summary]) -> Names {
        // Gathered by borrowed names, shared once per slug: a hundred thousand requests
        // name a few thousand.
        let mut projects: FxHashMap<&str, (&Text, Option<&Text>)> = FxHashMap::default();
        let mut orgs: FxHashMap<&str, &Text> = FxHashMap::default();
        let mut users: FxHashMap<&str, &Text> = FxHashMap::default();
        for r in requests {
            let p = &r.project;
            if p.name != p.slug || p.number.is_some() {
                let entry = projects.entry(&p.slug).or_insert((&p.slug, None));
                if p.name != p.slug {
                    entry.0 = &p.name;
                }
                if p.number.is_some() {
                    entry.1 = p.number.as_ref();
                }
            }
            for o in r.orgs.iter().filter(|o| o.name != o.slug) {
                orgs.insert(&o.slug, &o.name);
            }
            if r.created_by.fullname != r.created_by.username {
                users.insert(&r.created_by.username, &r.created_by.fullname);
            }
        }
        let shared = |map: FxHashMap<&str, &Text>| -> FxHashMap<Text, Text> {
            map.into_iter()
                .map(|(k, v)| (k.into(), v.clone()))
                .collect()
        };
        Names {
            projects: projects
                .into_iter()
                .map(|(k, (name, number))| (k.into(), (name.clone(), number.cloned())))
                .collect(),
            orgs: shared(orgs),
            users: shared(users),
        }
    }

    /// Names a request's project, orgs and researcher (of its record or its summary);
    /// returns the names they had when any of them changed. Most already agree, and
    /// are left as they are.
    pub fn apply(
        &self,
        project: &mut Project,
        orgs: &mut Vec<Org>,
        user: &mut User,
    ) -> Option<(Project, Vec<Org>, User)> {
        let (p, o, u) = self.shown(project, orgs, user)?;
        Some((
            std::mem::replace(project, p),
            std::mem::replace(orgs, o),
            std::mem::replace(user, u),
        ))
    }

    /// The names to show in place of these, if any differs.
    fn shown(
        &self,
        project: &Project,
        orgs: &[Org],
        user: &User,
    ) -> Option<(Project, Vec<Org>, User)> {
        let (mut p, mut o, mut u) = (project.clone(), orgs.to_vec(), user.clone());
        if let Some((name, number)) = self.projects.get(&*p.slug) {
            p.name.clone_from(name);
            p.number.clone_from(number);
        }
        for org in &mut o {
            if let Some(name) = self.orgs.get(&*org.slug) {
                org.name.clone_from(name);
            }
        }
        if let Some(fullname) = self.users.get(&*u.username) {
            u.fullname.clone_from(fullname);
        }
        (p != *project || o != orgs || u != *user).then_some((p, o, u))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    /// A name given by any record names every record of its slug, in its summary and its
    /// full record alike; a later one wins, and records that give none (API-shaped: slugs
    /// only) take it too.
    #[test]
    fn the_latest_real_name_names_every_record() {
        let record = |id: u64, named: Option<(&str, u64, &str, &str)>| {
            let mut r = json!({
                "id": id, "identifier": format!("r{id}"), "backend": "tpp",
                "project": "p", "orgs": ["o"], "created_by": "ann",
                "workspace": {"name": "ws", "repo": "https://github.com/o/ws"},
                "created_at": "2024-01-01T00:00:00Z",
            });
            if let Some((project, number, fullname, org)) = named {
                r["project"] = json!({"slug": "p", "name": project, "number": number});
                r["orgs"] = json!([{"slug": "o", "name": org}]);
                r["created_by"] = json!({"username": "ann", "fullname": fullname});
            }
            r.to_string()
        };
        let records = [
            record(1, None),
            record(2, Some(("Old name", 7, "Ann Old", "Org Old"))),
            record(3, None),
            record(4, Some(("Project P", 12, "Ann Lee", "Org O"))),
            record(5, None),
        ];
        let export = crate::export::from_json(&records, Default::default()).unwrap();
        let audit = crate::audit::audit(export).unwrap();
        for (n, r) in audit.requests.iter().enumerate() {
            let full = audit.request(n).unwrap().request;
            for (project, orgs, user) in [
                (&r.project, &r.orgs, &r.created_by),
                (&full.project, &full.orgs, &full.created_by),
            ] {
                assert_eq!(&*project.name, "Project P", "request {}", r.id);
                assert_eq!(project.number.as_deref(), Some("12"), "request {}", r.id);
                assert_eq!(&*user.fullname, "Ann Lee", "request {}", r.id);
                assert_eq!(&*orgs[0].name, "Org O", "request {}", r.id);
            }
        }
    }
}

//! Plausible names for projects, workspaces, organisations and researchers, made from
//! word lists in the style of jobs.opensafely.org. Every name that reaches a path keeps to
//! job-server's workspace alphabet (letters, digits, `-`, `_`).

use std::collections::HashSet;

use super::rng::Rng;

/// The longest name that may become a path segment, in bytes: the export format's limit
/// (`maxLength` of the `segment` names in schema/job.schema.json and
/// schema/job_request.schema.json, a file name's length; README: Input format). Names made
/// here are far shorter; one of the deliberately bad jobs has an identifier longer.
pub(crate) const MAX_SEGMENT_BYTES: usize = 255;

const CONDITIONS: &[&str] = &[
    "covid",
    "long-covid",
    "asthma",
    "copd",
    "diabetes",
    "ckd",
    "dementia",
    "hypertension",
    "heart-failure",
    "stroke",
    "sepsis",
    "influenza",
    "rsv",
    "pneumonia",
    "depression",
    "anxiety",
    "autism",
    "adhd",
    "cancer",
    "epilepsy",
    "obesity",
    "frailty",
    "vte",
    "af",
    "hiv",
    "hepatitis-c",
    "ms",
    "psoriasis",
    "lupus",
    "arthritis",
    "osteoporosis",
    "uti",
    "cellulitis",
    "migraine",
    "gout",
    "ibd",
    "sickle-cell",
    "learning-disability",
];

const SUBJECTS: &[&str] = &[
    "vaccine",
    "vaccination",
    "antiviral",
    "antibiotic",
    "prescribing",
    "mortality",
    "admissions",
    "outcomes",
    "coverage",
    "uptake",
    "inequalities",
    "recovery",
    "testing",
    "monitoring",
    "medication",
    "deprivation",
    "ethnicity",
    "care-homes",
    "pregnancy",
    "children",
    "shielding",
    "treatment",
    "referrals",
    "waiting-times",
    "bmi",
    "smoking",
];

const ASPECTS: &[&str] = &[
    "effectiveness",
    "safety",
    "risk-factors",
    "trends",
    "disparities",
    "impact",
    "burden",
    "incidence",
    "prevalence",
    "survival",
    "costs",
    "pathways",
    "timeliness",
    "audit",
    "report",
    "characteristics",
    "codelists",
    "measures",
    "descriptives",
    "cohort",
];

const WORKSPACE_SUFFIXES: &[&str] = &[
    "",
    "",
    "",
    "",
    "-main",
    "-v2",
    "-v3",
    "-emis",
    "-tpp",
    "-sensitivity",
    "-dev",
    "-test",
    "-rerun",
    "-update",
    "-descriptive",
    "-models",
    "-report",
    "_2",
];

const UNIVERSITIES: &[&str] = &[
    "Bristol",
    "Oxford",
    "Cambridge",
    "Manchester",
    "Leeds",
    "Edinburgh",
    "Glasgow",
    "Birmingham",
    "Nottingham",
    "Liverpool",
    "Sheffield",
    "Exeter",
    "Leicester",
    "Warwick",
    "Newcastle",
    "Southampton",
    "York",
    "Cardiff",
    "Dundee",
    "Aberdeen",
    "Bath",
    "Keele",
];

/// Organisations that lead projects; slug and display name.
const ORGS: &[(&str, &str)] = &[
    ("bennett-institute", "Bennett Institute"),
    ("lshtm", "London School of Hygiene & Tropical Medicine"),
    ("ukhsa", "UK Health Security Agency"),
    ("nhs-england", "NHS England"),
    ("icnarc", "ICNARC"),
    ("ons", "Office for National Statistics"),
    ("phs", "Public Health Scotland"),
    ("ucl", "University College London"),
    ("imperial", "Imperial College London"),
    ("kcl", "King's College London"),
    ("mhra", "Medicines & Healthcare products Regulatory Agency"),
    ("nice", "National Institute for Health and Care Excellence"),
];

const FIRST: &[&str] = &[
    "Alice",
    "Amir",
    "Anna",
    "Ben",
    "Caroline",
    "Chris",
    "Daniel",
    "Elsie",
    "Emily",
    "Fatima",
    "George",
    "Hannah",
    "Helen",
    "Iain",
    "Isabel",
    "Jon",
    "Jessica",
    "Kate",
    "Krishnan",
    "Laura",
    "Liam",
    "Louis",
    "Maria",
    "Mark",
    "Milan",
    "Nadia",
    "Olivia",
    "Peter",
    "Priya",
    "Rachel",
    "Rose",
    "Sam",
    "Sebastian",
    "Simon",
    "Sophie",
    "Steven",
    "Tom",
    "Victoria",
    "Wei",
    "William",
    "Yamina",
    "Zoë",
    "Seán",
    "Łukasz",
];

const LAST: &[&str] = &[
    "Adams",
    "Bacon",
    "Brown",
    "Curtis",
    "Davy",
    "Dillingham",
    "Evans",
    "Fisher",
    "Green",
    "Hickman",
    "Hopcroft",
    "Inglesby",
    "Jones",
    "Khan",
    "Lee",
    "Mahalingasivam",
    "Morley",
    "Nab",
    "O'Dwyer",
    "Parker",
    "Patel",
    "Quinn",
    "Rentsch",
    "Schultze",
    "Smith",
    "Tazare",
    "Tomlinson",
    "Walker",
    "Williamson",
    "Wong",
    "Yates",
    "Zheng",
    "MacKenna",
    "Nightingale",
];

/// Names handed out so far, so every slug and username is unique.
#[derive(Debug, Default)]
pub(crate) struct Names {
    taken: HashSet<String>,
}

pub(crate) struct Person {
    pub username: String,
    pub fullname: String,
}

impl Names {
    /// `base`, or `base-2`, `base-3`, … when taken.
    fn unique(&mut self, base: String) -> String {
        if self.taken.insert(base.clone()) {
            return base;
        }
        (2..)
            .map(|n| format!("{base}-{n}"))
            .find(|candidate| self.taken.insert(candidate.clone()))
            .expect("an unused suffix")
    }

    /// A project: (slug, display name), e.g. ("covid-vaccine-effectiveness",
    /// "COVID vaccine effectiveness").
    pub(crate) fn project(&mut self, rng: &mut Rng) -> (String, String) {
        let base = format!(
            "{}-{}-{}",
            rng.pick(CONDITIONS),
            rng.pick(SUBJECTS),
            rng.pick(ASPECTS)
        );
        let slug = self.unique(base);
        let mut words = slug.split('-');
        let first = words.next().unwrap_or_default();
        let first = if first.len() <= 4 {
            first.to_ascii_uppercase()
        } else {
            let mut c = first.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        };
        let name = std::iter::once(first)
            .chain(words.map(str::to_owned))
            .collect::<Vec<_>>()
            .join(" ");
        (slug, name)
    }

    /// A workspace of `project`: its name is also the repo's name.
    pub(crate) fn workspace(&mut self, rng: &mut Rng, project: &str) -> String {
        // Real workspaces often shorten the project's slug.
        let stem: Vec<&str> = project.split('-').collect();
        let keep = if stem.len() > 2 && rng.chance(0.4) {
            2
        } else {
            stem.len()
        };
        let base = format!("{}{}", stem[..keep].join("-"), rng.pick(WORKSPACE_SUFFIXES));
        self.unique(base)
    }

    /// Organisation number `i`: the well-known ones first, then universities.
    pub(crate) fn org(&mut self, i: usize) -> (String, String) {
        if let Some((slug, name)) = ORGS.get(i) {
            self.taken.insert((*slug).to_owned());
            return ((*slug).to_owned(), (*name).to_owned());
        }
        let n = i - ORGS.len();
        let city = UNIVERSITIES[n % UNIVERSITIES.len()];
        let round = n / UNIVERSITIES.len();
        let (slug, name) = if round == 0 {
            (
                format!("university-of-{}", city.to_ascii_lowercase()),
                format!("University of {city}"),
            )
        } else {
            (
                format!("{}-{}", city.to_ascii_lowercase(), round + 1),
                format!("{city} Research Group {}", round + 1),
            )
        };
        (self.unique(slug), name)
    }

    /// A researcher: a GitHub-style username and a full name (with non-ASCII letters and
    /// apostrophes, which must be escaped but never reach a path).
    pub(crate) fn person(&mut self, rng: &mut Rng) -> Person {
        let first = *rng.pick(FIRST);
        let last = *rng.pick(LAST);
        let ascii = |s: &str| -> String {
            s.chars()
                .filter_map(|c| match c {
                    'ë' => Some('e'),
                    'á' => Some('a'),
                    'Ł' => Some('l'),
                    c if c.is_ascii_alphanumeric() => Some(c.to_ascii_lowercase()),
                    _ => None,
                })
                .collect()
        };
        let base = match rng.below(4) {
            0 => format!("{}{}", ascii(first), ascii(last)),
            1 => format!("{}{}", &ascii(first)[..1], ascii(last)),
            2 => format!("{}-{}", ascii(first), ascii(last)),
            _ => format!("{}{}-bennett", &ascii(first)[..1], ascii(last)),
        };
        Person {
            username: self.unique(base),
            fullname: format!("{first} {last}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The export format's rule for a name that becomes a path segment: the `pattern` of
    /// the `segment` names in schema/job.schema.json, job-server's workspace name rule
    /// `^[-a-zA-Z0-9_]+$`.
    fn is_path_safe(name: &str) -> bool {
        !name.is_empty()
            && name.len() <= MAX_SEGMENT_BYTES
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    }

    #[test]
    fn names_are_unique_and_path_safe() {
        let mut names = Names::default();
        let mut rng = Rng::new(3);
        let mut seen = HashSet::new();
        for i in 0..500 {
            let (project, _) = names.project(&mut rng);
            let workspace = names.workspace(&mut rng, &project);
            let (org, _) = names.org(i);
            let person = names.person(&mut rng);
            for name in [project, workspace, org, person.username] {
                assert!(is_path_safe(&name), "{name}");
                assert!(seen.insert(name.clone()), "{name} twice");
            }
        }
    }
}

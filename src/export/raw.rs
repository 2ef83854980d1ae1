//! A job request exactly as an export's file gives it (DESIGN.md §2): job-server's API
//! form (bare slugs and usernames) or with display names (objects), before the names are
//! filled in.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::model::records::{Job, null_as_empty};
use crate::model::time;

/// A job request exactly as the file gives it, before display names are filled in.
#[derive(Debug, Deserialize)]
pub(crate) struct RawJobRequest {
    pub id: u64,
    pub identifier: String,
    pub backend: SlugOr<RawBackend>,
    /// §4.3's flattened display names, accepted beside the bare slugs.
    #[serde(default)]
    pub backend_name: Option<String>,
    pub workspace: RawWorkspace,
    pub project: SlugOr<RawProject>,
    #[serde(default)]
    pub project_name: Option<String>,
    #[serde(default)]
    pub orgs: Vec<SlugOr<RawOrg>>,
    #[serde(default)]
    pub org_name: Option<String>,
    pub created_by: SlugOr<RawUser>,
    #[serde(default)]
    pub created_by_fullname: Option<String>,
    #[serde(deserialize_with = "time::required")]
    pub created_at: DateTime<Utc>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub sha: String,
    #[serde(default)]
    pub requested_actions: Vec<String>,
    #[serde(default)]
    pub cancelled_actions: Vec<String>,
    #[serde(default)]
    pub force_run_dependencies: bool,
    #[serde(default, alias = "_status")]
    pub status: Option<String>,
    #[serde(default)]
    pub status_message: Option<String>,
    #[serde(default)]
    pub project_definition: Option<String>,
    #[serde(default)]
    pub jobs: Vec<Job>,
}

/// A bare slug/username (job-server's API) or an object with a display name.
#[derive(Debug)]
pub(crate) enum SlugOr<T> {
    Slug(String),
    Object(T),
}

/// Told apart by the value's first token. (`#[serde(untagged)]` would buffer every value
/// and try each form in turn: a third of the time it took to read a request.)
impl<'de, T: Deserialize<'de>> Deserialize<'de> for SlugOr<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Either<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Either<T> {
            type Value = SlugOr<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string or an object")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(SlugOr::Slug(v.to_owned()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(SlugOr::Slug(v))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<Self::Value, A::Error> {
                T::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(SlugOr::Object)
            }
        }
        d.deserialize_any(Either(std::marker::PhantomData))
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct RawBackend {
    pub slug: String,
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct RawWorkspace {
    pub name: String,
    pub repo: String,
    #[serde(default)]
    pub branch: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct RawProject {
    pub slug: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "number_or_string")]
    pub number: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct RawOrg {
    pub slug: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub lead: bool,
}

#[derive(Debug, Deserialize)]
pub(crate) struct RawUser {
    pub username: String,
    #[serde(default)]
    pub fullname: Option<String>,
}

/// Project numbers are digits or `POS-20YY-NNNN` (spec/job-server.md §1.5).
fn number_or_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged, expecting = "a project number (integer or string)")]
    enum N {
        Int(u64),
        Str(String),
    }
    Ok(Option::<N>::deserialize(d)?.map(|n| match n {
        N::Int(i) => i.to_string(),
        N::Str(s) => s,
    }))
}

#[cfg(test)]
mod tests {
    use crate::config::SiteConfig;
    use crate::export::request_from_json;

    fn request(backend: &str, created_by: &str) -> String {
        format!(
            r#"{{"id": 7, "identifier": "abc", "backend": {backend}, "created_by": {created_by},
               "workspace": {{"name": "ws", "repo": "https://github.com/o/ws"}},
               "project": "p", "created_at": "2024-03-05T14:03:22Z", "sha": "d597be8"}}"#
        )
    }

    #[test]
    fn a_slug_or_an_object_is_told_apart_by_its_first_token() {
        let config = SiteConfig::default();
        let bare = request_from_json(&request(r#""tpp""#, r#""ann""#), &config).unwrap();
        assert_eq!(
            (
                bare.backend.slug.as_ref(),
                bare.created_by.username.as_ref()
            ),
            ("tpp", "ann")
        );
        let object = request(
            r#"{"slug": "emis", "name": "EMIS"}"#,
            r#"{"username": "bo", "fullname": "Bo Li"}"#,
        );
        let object = request_from_json(&object, &config).unwrap();
        assert_eq!(
            (
                object.backend.name.as_ref(),
                object.created_by.fullname.as_ref()
            ),
            ("EMIS", "Bo Li")
        );

        for (wrong, expected) in [
            ("5", "a string or an object"),
            ("[\"tpp\"]", "a string or an object"),
            (r#"{"name": "no slug"}"#, "missing field `slug`"),
        ] {
            let err = request_from_json(&request(wrong, r#""ann""#), &config).unwrap_err();
            assert!(err.message.contains(expected), "{wrong}: {}", err.message);
        }
    }
}

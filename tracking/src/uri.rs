//! Model URIs, as MLflow spells them, resolved to bundle bytes from either store.
//!
//! - a path: a bundle file, a run folder of the local store, or a folder holding `model.tandem`
//! - `runs:/<run id>[/<artifact path>]`: the run's bundle (artifact path `model` by default)
//! - `models:/<name>/<version>`, `models:/<name>/latest`, `models:/<name>@<alias>`: the registry

use std::fmt;
use std::path::{Path, PathBuf};

use super::{Error, ModelVersion, Result, StoreConfig};

/// A parsed `--model` argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelUri {
    /// A file or folder.
    Path(PathBuf),
    /// `runs:/<id>/<artifact path>`.
    Run {
        /// Run id.
        run_id: String,
        /// The bundle's artifact path (`model/model.tandem`).
        bundle: String,
    },
    /// `models:/<name>/<version>`.
    Version {
        /// Registered model name.
        name: String,
        /// Version number.
        version: u64,
    },
    /// `models:/<name>/latest`.
    Latest {
        /// Registered model name.
        name: String,
    },
    /// `models:/<name>@<alias>`.
    Alias {
        /// Registered model name.
        name: String,
        /// Alias.
        alias: String,
    },
}

/// A bundle found through a URI.
pub struct Resolved {
    /// The bundle file's bytes.
    pub bytes: Vec<u8>,
    /// Where it came from, for messages and `/version`.
    pub source: String,
    /// The registry version, for `models:/` URIs.
    pub version: Option<ModelVersion>,
}

impl ModelUri {
    /// Parse a `--model` argument.
    pub fn parse(s: &str) -> Result<ModelUri> {
        let malformed = |part: Option<Error>| Error::InvalidModelUri {
            uri: s.into(),
            source: part.map(Box::new),
        };
        if let Some(rest) = s.strip_prefix("runs:/") {
            return Self::parse_run(rest).map_err(|part| malformed(Some(part)));
        }
        if let Some(rest) = s.strip_prefix("models:/") {
            return Self::parse_registry(rest).map_err(malformed);
        }
        if let Some((scheme, _)) = s.split_once(':')
            && scheme.len() > 1
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !Path::new(s).exists()
        {
            return Err(Error::UnsupportedScheme {
                scheme: scheme.into(),
                uri: s.into(),
            });
        }
        Ok(ModelUri::Path(PathBuf::from(s)))
    }

    /// `<run id>[/<artifact path>]`, after `runs:/`; the error is the invalid part.
    fn parse_run(rest: &str) -> Result<ModelUri> {
        let rest = rest.trim_start_matches('/');
        let (run_id, path) = rest.split_once('/').unwrap_or((rest, ""));
        super::local::check_run_id(run_id)?;
        let bundle = match path.trim_end_matches('/') {
            "" => "model/model.tandem".to_string(),
            p if p.ends_with(".tandem") => p.to_string(),
            p => format!("{p}/model.tandem"),
        };
        super::local::check_artifact_path(&bundle)?;
        Ok(ModelUri::Run {
            run_id: run_id.to_ascii_lowercase(),
            bundle,
        })
    }

    /// `<name>/<version>`, `<name>/latest` or `<name>@<alias>`, after `models:/`; the error is
    /// the invalid part, if one part is (an alias), else `None`.
    fn parse_registry(rest: &str) -> std::result::Result<ModelUri, Option<Error>> {
        let rest = rest.trim_start_matches('/').trim_end_matches('/');
        if let Some((name, alias)) = rest.split_once('@') {
            if name.is_empty() || name.contains('/') {
                return Err(None);
            }
            super::check_alias(alias).map_err(Some)?;
            return Ok(ModelUri::Alias {
                name: name.into(),
                alias: alias.into(),
            });
        }
        let (name, version) = rest.rsplit_once('/').ok_or(None)?;
        if name.is_empty() {
            return Err(None);
        }
        if version.eq_ignore_ascii_case("latest") {
            return Ok(ModelUri::Latest { name: name.into() });
        }
        let version: u64 = version.parse().ok().filter(|v| *v > 0).ok_or(None)?;
        Ok(ModelUri::Version {
            name: name.into(),
            version,
        })
    }

    /// True for registry URIs, whose target can move (aliases, latest).
    pub fn can_move(&self) -> bool {
        matches!(self, ModelUri::Alias { .. } | ModelUri::Latest { .. })
    }

    /// Fetch the bundle this URI names.
    pub fn resolve(&self, stores: &StoreConfig) -> Result<Resolved> {
        match self {
            ModelUri::Path(p) => {
                let file = bundle_in(p);
                let bytes = std::fs::read(&file).map_err(Error::io("read model", &file))?;
                Ok(Resolved {
                    bytes,
                    source: file.display().to_string(),
                    version: None,
                })
            }
            ModelUri::Run { run_id, bundle } => {
                let store = stores.open()?;
                let bytes = store.get_artifact(run_id, bundle)?;
                Ok(Resolved {
                    bytes,
                    source: format!("runs:/{run_id}/{bundle} ({})", store.location()),
                    version: None,
                })
            }
            ModelUri::Version { .. } | ModelUri::Latest { .. } | ModelUri::Alias { .. } => {
                let store = stores.open()?;
                let v = self.version(&*store)?;
                let bundle = format!("{}/model.tandem", v.artifact_path.trim_end_matches('/'));
                let bytes = store.get_artifact(&v.run_id, &bundle)?;
                verify_registered(&v, &bytes)?;
                Ok(Resolved {
                    bytes,
                    source: format!(
                        "models:/{}/{} (run {}, {})",
                        v.name,
                        v.version,
                        v.run_id,
                        store.location()
                    ),
                    version: Some(v),
                })
            }
        }
    }

    /// The registry version a `models:/` URI names right now.
    pub fn version(&self, store: &dyn super::Store) -> Result<ModelVersion> {
        match self {
            ModelUri::Version { name, version } => store.version(name, *version),
            ModelUri::Latest { name } => store.latest_version(name),
            ModelUri::Alias { name, alias } => store.version_by_alias(name, alias),
            ModelUri::Path(_) | ModelUri::Run { .. } => Err(Error::NotRegistryUri {
                uri: self.to_string(),
            }),
        }
    }
}

impl fmt::Display for ModelUri {
    /// The URI as MLflow spells it (`models:/titanic@champion`), or the path.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelUri::Path(p) => write!(f, "{}", p.display()),
            ModelUri::Run { run_id, bundle } => write!(f, "runs:/{run_id}/{bundle}"),
            ModelUri::Version { name, version } => write!(f, "models:/{name}/{version}"),
            ModelUri::Latest { name } => write!(f, "models:/{name}/latest"),
            ModelUri::Alias { name, alias } => write!(f, "models:/{name}@{alias}"),
        }
    }
}

/// Check a registry version's bundle against the SHA-256 recorded when it was registered.
/// A version registered before Tandem recorded one has nothing to check against: it passes.
pub fn verify_registered(version: &ModelVersion, bytes: &[u8]) -> Result<()> {
    let Some(expected) = &version.bundle_sha256 else {
        return Ok(());
    };
    let actual = crate::ids::sha256_hex(bytes);
    if actual.eq_ignore_ascii_case(expected.trim()) {
        return Ok(());
    }
    Err(Error::Tampered {
        uri: format!("models:/{}/{}", version.name, version.version),
        expected: expected.clone(),
        actual,
    })
}

/// The bundle file a path names: itself, `artifacts/model/model.tandem` of a run folder, or
/// `model.tandem` in a folder.
pub fn bundle_in(path: &Path) -> PathBuf {
    if !path.is_dir() {
        return path.to_path_buf();
    }
    let in_run = path.join("artifacts").join("model").join("model.tandem");
    if in_run.is_file() {
        in_run
    } else {
        path.join("model.tandem")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn run_uris() {
        let run = |b: &str| ModelUri::Run {
            run_id: ID.into(),
            bundle: b.into(),
        };
        assert_eq!(
            ModelUri::parse(&format!("runs:/{ID}")).unwrap(),
            run("model/model.tandem")
        );
        assert_eq!(
            ModelUri::parse(&format!("runs:/{ID}/model")).unwrap(),
            run("model/model.tandem")
        );
        assert_eq!(
            ModelUri::parse(&format!("runs:/{ID}/model/model.tandem")).unwrap(),
            run("model/model.tandem")
        );
        assert_eq!(
            ModelUri::parse(&format!("runs:/{ID}/other")).unwrap(),
            run("other/model.tandem")
        );
        for bad in [
            "runs:/".to_string(),
            "runs:/xyz".into(),
            format!("runs:/{ID}/../x"),
            format!("runs:/{ID}x"),
        ] {
            assert!(ModelUri::parse(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn registry_uris() {
        assert_eq!(
            ModelUri::parse("models:/titanic@champion").unwrap(),
            ModelUri::Alias {
                name: "titanic".into(),
                alias: "champion".into()
            }
        );
        assert_eq!(
            ModelUri::parse("models:/titanic/3").unwrap(),
            ModelUri::Version {
                name: "titanic".into(),
                version: 3
            }
        );
        assert!(
            ModelUri::parse("models:/titanic/latest")
                .unwrap()
                .can_move()
        );
        for bad in [
            "models:/",
            "models:/titanic",
            "models:/titanic@",
            "models:/@x",
            "models:/titanic/0",
            "models:/titanic/abc",
            "models:/t/x@y",
            "model:/titanic/1",
            "s3://bucket/model",
        ] {
            assert!(ModelUri::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            ModelUri::parse("some/file.tandem").unwrap(),
            ModelUri::Path("some/file.tandem".into())
        );
    }

    fn parse_error(uri: &str) -> (&'static str, String) {
        let e = ModelUri::parse(uri).unwrap_err();
        (e.code(), crate::error::report(&e))
    }

    #[test]
    fn a_malformed_uri_names_itself_what_is_expected_and_the_bad_part() {
        let (code, text) = parse_error("runs:/xyz");
        assert_eq!(code, "INVALID_MODEL_URI");
        assert!(text.starts_with("malformed model URI `runs:/xyz`: expected a bundle path"));
        assert!(
            text.ends_with(": malformed run id `xyz`: expected 32 hex digits"),
            "{text}"
        );
        let (_, text) = parse_error(&format!("runs:/{ID}/../x"));
        assert!(
            text.contains("invalid artifact path `../x/model.tandem`"),
            "{text}"
        );
        let (_, text) = parse_error("models:/titanic@latest");
        assert!(text.contains("invalid alias `latest`"), "{text}");
        let (_, text) = parse_error("models:/titanic/0");
        assert_eq!(
            text,
            format!(
                "malformed model URI `models:/titanic/0`: {}",
                crate::error::MODEL_URI_HELP
            )
        );
        let (code, text) = parse_error("s3://bucket/model");
        assert_eq!(code, "UNSUPPORTED_URI_SCHEME");
        assert!(
            text.starts_with("unsupported model URI scheme `s3:` in `s3://bucket/model`"),
            "{text}"
        );
    }

    #[test]
    fn uris_print_as_mlflow_spells_them() {
        for uri in [
            "models:/titanic@champion",
            "models:/titanic/3",
            "models:/titanic/latest",
        ] {
            assert_eq!(ModelUri::parse(uri).unwrap().to_string(), uri);
        }
        assert_eq!(
            ModelUri::parse(&format!("runs:/{ID}")).unwrap().to_string(),
            format!("runs:/{ID}/model/model.tandem")
        );
    }
}

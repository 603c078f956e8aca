//! One module per subcommand.

mod derived_run;
pub mod drift;
pub mod evaluate;
mod evaluate_record;
pub mod explain;
pub mod init;
pub mod inspect;
pub mod key_args;
pub mod keys;
pub mod models;
pub mod predict;
mod predict_stream;
pub mod read_args;
pub mod runs;
pub mod schema;
pub mod serve;
pub mod train;
pub mod transform_args;
pub mod tune;
pub mod validate;

use std::path::PathBuf;

use anyhow::{Context, Result, anyhow};
use clap::Args;
use tandem_core::bundle::{Limit, Limits};
use tandem_core::runtime::LoadOptions;
use tandem_tracking::StoreConfig;
use tandem_tracking::uri::{ModelUri, Resolved};

/// Where runs and registered models live: `--tracking-uri` / `MLFLOW_TRACKING_URI` (an MLflow
/// server) or else the local folder `--runs-dir`.
#[derive(Args, Debug, Clone)]
pub struct StoreArgs {
    /// MLflow tracking server (`http://host:port`); also read from `MLFLOW_TRACKING_URI`.
    /// Without it, runs live in `--runs-dir`.
    #[arg(long, env = "MLFLOW_TRACKING_URI", value_name = "URI", global = true)]
    pub tracking_uri: Option<String>,
    /// The local run store (and, with `--tracking-uri`, where training keeps its local copy).
    #[arg(long, default_value = "tandem-runs", value_name = "DIR", global = true)]
    pub runs_dir: PathBuf,
    /// Raise (or lower) a limit on what a bundle may ask of the loader, for a bundle you
    /// trust (repeatable; an exceeded limit is BUNDLE_LIMIT, naming it). Names: bundle_bytes,
    /// parts, part_bytes, json_bytes, json_depth, string_bytes, feature_width, layers,
    /// parameters, nnef_entries, nnef_graph_bytes, nnef_nesting, nnef_operators,
    /// nnef_statements, nnef_foreign_ops, tensor_bytes (defaults in docs/bundle-format.md).
    #[arg(
        long = "bundle-limit",
        value_name = "NAME=VALUE",
        value_parser = tandem_core::bundle::limits::parse_assignment,
        global = true
    )]
    pub bundle_limits: Vec<(Limit, u64)>,
}

impl StoreArgs {
    /// The tracking library's settings.
    pub fn config(&self) -> StoreConfig {
        StoreConfig {
            tracking_uri: self.tracking_uri.clone(),
            runs_dir: self.runs_dir.clone(),
        }
    }

    /// How bundles load: the default engine, under the limits `--bundle-limit` sets.
    pub fn load_options(&self) -> LoadOptions {
        let mut limits = Limits::default();
        for &(limit, value) in &self.bundle_limits {
            limits.set(limit, value);
        }
        LoadOptions::default().limits(limits)
    }

    /// Open the store these arguments name.
    pub fn open(&self) -> Result<Box<dyn tandem_tracking::Store>> {
        Ok(self.config().open()?)
    }
}

/// Describe a core error with its stable code: `[BUNDLE_CHECKSUM] checksum mismatch in ...`.
pub fn core_error(e: &tandem_core::Error) -> anyhow::Error {
    anyhow!("[{}] {e}", e.code())
}

/// The data a data argument names, as one local file (`tandem-sources`): a CSV or JSON Lines
/// path as given; an HTTP(S) URL downloaded into the cache (retries, a whole-body check, an
/// optional `#sha256=` pin); Parquet, `sqlite:`, `postgres://` and `rest+https://` sources
/// converted into a temporary JSON Lines file, removed when the result is dropped. What the
/// conversion read is said on stderr.
pub fn data_file(arg: &std::path::Path) -> Result<tandem_sources::Materialized> {
    let text = arg.to_string_lossy();
    let data = tandem_sources::open(&text, &tandem_sources::url::FetchOptions::from_env())
        .map_err(|e| anyhow!("[{}] {e}", e.code()))?;
    for line in data.report.lines() {
        eprintln!("{line}");
    }
    Ok(data)
}

/// Resolve `--model` (a path, `runs:/...` or `models:/...`) to the bundle's bytes.
pub fn fetch_model(model: &str, stores: &StoreArgs) -> Result<Resolved> {
    Ok(ModelUri::parse(model)?.resolve(&stores.config())?)
}

/// Resolve `--model` and load the bundle with `options` (a pinned key), with errors that say
/// which model and why.
pub fn load_model(
    model: &str,
    stores: &StoreArgs,
    options: &tandem_core::runtime::LoadOptions,
) -> Result<(tandem_core::Model, String)> {
    let found = fetch_model(model, stores)?;
    let m = tandem_core::Model::load_options(&found.bytes, options)
        .map_err(|e| core_error(&e))
        .with_context(|| format!("cannot load model {}", found.source))?;
    Ok((m, found.source))
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};
    use tandem_core::bundle::Limit;

    #[derive(Parser)]
    struct Probe {
        #[command(flatten)]
        store: super::StoreArgs,
    }

    #[test]
    fn the_bundle_limit_help_names_every_limit_and_the_flag_sets_them() {
        let help = Probe::command().render_long_help().to_string();
        for limit in Limit::all() {
            assert!(help.contains(limit.name()), "{} in {help}", limit.name());
        }
        let probe = Probe::parse_from([
            "x",
            "--bundle-limit",
            "layers=80",
            "--bundle-limit",
            "parts=9",
        ]);
        let limits = probe.store.load_options().limits;
        assert_eq!(
            (limits.get(Limit::Layers), limits.get(Limit::Parts)),
            (80, 9)
        );
        assert!(Probe::try_parse_from(["x", "--bundle-limit", "layer=80"]).is_err());
    }
}

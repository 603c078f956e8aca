//! The pipeline-spec target: `tandem.toml` text through the TOML parser and the spec's
//! checks, then its features compiled against each real bundle's schema (core's binding
//! checks: fields, the label, expressions, patterns, limits).

use std::path::Path;

use tandem_train::spec::{LoadedSpec, features};

use crate::bundles::models;

/// A spec's text (not UTF-8: nothing to do, as `tandem train` refuses it on reading).
pub fn pipeline_spec(data: &[u8]) {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("fuzz/tandem.toml");
    let Ok(file) = LoadedSpec::parse(path, source) else {
        return;
    };
    let _ = file.data.read_options().check();
    let spec = LoadedSpec {
        path: path.to_path_buf(),
        source: source.to_string(),
        file,
    };
    for model in models() {
        let _ = features::compile(&spec, model.schema());
    }
}

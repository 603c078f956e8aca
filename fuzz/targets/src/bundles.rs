//! The real bundles the targets drive: trained by `tests/parity/prepare.sh` and copied into
//! `fuzz/targets/bundles/` (the `nodes` spec, which uses every shared node and an
//! expression; the titanic example, with a regex stage; the cps1985 example, a regression).
//! Each loads once per process.

use std::sync::OnceLock;

use tandem_core::Model;

/// `tests/parity/nodes.toml`: datetime, boolean words, bins, an expression, ordinal,
/// hashing, one-hot, tf-idf, counts and text stages (classification).
pub const NODES: &[u8] = include_bytes!("../bundles/nodes.tandem");
/// `examples/titanic/tandem.toml`: a regex extract and tf-idf on names (classification).
pub const TITANIC: &[u8] = include_bytes!("../bundles/titanic.tandem");
/// `examples/cps1985/tandem.toml`: a regression with target scaling.
pub const CPS1985: &[u8] = include_bytes!("../bundles/cps1985.tandem");

fn load(cell: &'static OnceLock<Option<Model>>, bytes: &[u8]) -> Option<&'static Model> {
    cell.get_or_init(|| Model::load(bytes).ok()).as_ref()
}

/// The loaded models (a bundle that stopped loading is left out; the replay test checks
/// that all three load).
pub fn models() -> Vec<&'static Model> {
    static CELLS: [OnceLock<Option<Model>>; 3] =
        [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    [NODES, TITANIC, CPS1985]
        .iter()
        .zip(CELLS.iter())
        .filter_map(|(bytes, cell)| load(cell, bytes))
        .collect()
}

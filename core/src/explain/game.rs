//! The explanation as a game: players are the raw fields the preprocessing reads, and a
//! coalition's worth is the model's mean output over the background rows when the fields in
//! the coalition take the instance's values and the others the background row's.
//!
//! Every node is transformed once for the instance and once per background row; a
//! coalition's feature vector is then spliced from those blocks. Only a node reading several
//! fields (a column over an expression) that a coalition splits is transformed again, on
//! the mixed row, and that block is cached.

use super::shapley::Worth;
use crate::instance::{Instance, Value};
use crate::prep::TransformOptions;
use crate::{Error, Model};

/// Rows handed to the network at once.
const ROWS_PER_RUN: usize = 8192;

struct Node {
    /// Indices (into the players) of the fields this node reads.
    players: Vec<usize>,
    /// The block for the instance.
    instance: Vec<f32>,
    /// The block for each background row.
    background: Vec<Vec<f32>>,
    /// Blocks of mixed rows, per background row: (which of `players` take the instance's
    /// value, as bits, the block). A node reads few fields, so a list is enough.
    mixed: Vec<Vec<(u64, Vec<f32>)>>,
}

/// The schema fields some node reads (the players), ascending.
pub(crate) fn players(model: &Model) -> Vec<usize> {
    let prep = model.bound_preprocessing();
    let n_fields = model.schema().fields.len();
    let mut read = vec![false; n_fields];
    for n in 0..prep.node_count() {
        for f in prep.node_fields(n, n_fields) {
            read[f] = true;
        }
    }
    (0..n_fields).filter(|&f| read[f]).collect()
}

/// The game of one instance against one background.
pub(crate) struct Game<'a> {
    model: &'a Model,
    instance: &'a Instance,
    background: &'a [Instance],
    /// The schema field of each player.
    players: Vec<usize>,
    nodes: Vec<Node>,
    width: usize,
    /// Network rows evaluated so far.
    pub(crate) evaluations: u64,
    features: Vec<f32>,
    scores: Vec<f64>,
}

fn transform_node(
    model: &Model,
    node: usize,
    values: &[Value],
    row: Option<usize>,
) -> Result<Vec<f32>, Error> {
    let prep = model.bound_preprocessing();
    let mut out = Vec::with_capacity(prep.node_width(node));
    prep.node_transform_into(node, values, TransformOptions::default(), &mut out)
        .map_err(|source| Error::Instance { row, source })?;
    Ok(out)
}

impl<'a> Game<'a> {
    /// Preprocess `instance` (already through the range and category policies) and every
    /// background row, node by node.
    pub(crate) fn new(
        model: &'a Model,
        instance: &'a Instance,
        background: &'a [Instance],
    ) -> Result<Self, Error> {
        let prep = model.bound_preprocessing();
        let n_fields = model.schema().fields.len();
        let reads: Vec<Vec<usize>> = (0..prep.node_count())
            .map(|n| prep.node_fields(n, n_fields))
            .collect();
        let players = players(model);
        let mut nodes = Vec::with_capacity(reads.len());
        for (n, fields) in reads.iter().enumerate() {
            // A background row that does not transform is the background's fault, not the
            // explained row's: a schema error naming it (no caller renumbers it).
            let background = background
                .iter()
                .enumerate()
                .map(|(row, b)| {
                    transform_node(model, n, &b.values, None)
                        .map_err(|e| Error::Schema(format!("background row {}: {e}", row + 1)))
                })
                .collect::<Result<Vec<_>, _>>()?;
            nodes.push(Node {
                players: fields
                    .iter()
                    .filter_map(|f| players.binary_search(f).ok())
                    .collect(),
                instance: transform_node(model, n, &instance.values, None)?,
                mixed: vec![Vec::new(); background.len()],
                background,
            });
        }
        Ok(Game {
            model,
            instance,
            background,
            players,
            nodes,
            width: prep.width(),
            evaluations: 0,
            features: Vec::new(),
            scores: Vec::new(),
        })
    }

    /// The schema field of each player, ascending.
    pub(crate) fn player_fields(&self) -> &[usize] {
        &self.players
    }

    /// Append the feature vector of `coalition` against background row `b` to the buffer.
    fn splice(&mut self, coalition: &[bool], b: usize) -> Result<(), Error> {
        let Game {
            model,
            instance,
            background,
            players,
            nodes,
            features,
            ..
        } = self;
        for (n, node) in nodes.iter_mut().enumerate() {
            let inside = node.players.iter().filter(|&&p| coalition[p]).count();
            if inside == node.players.len() {
                features.extend_from_slice(&node.instance);
            } else if inside == 0 {
                features.extend_from_slice(&node.background[b]);
            } else {
                // A column over several fields, split by the coalition: the mixed row. Its
                // block is cached when its players fit the bits of a key.
                let key = node
                    .players
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| coalition[**p])
                    .fold(0u64, |k, (i, _)| {
                        k | 1u64.checked_shl(i as u32).unwrap_or(0)
                    });
                let cacheable = node.players.len() <= 64;
                let cache = &mut node.mixed[b];
                if let Some((_, block)) = cache.iter().find(|(k, _)| cacheable && *k == key) {
                    features.extend_from_slice(block);
                    continue;
                }
                let mut values = background[b].values.clone();
                for &p in node.players.iter().filter(|&&p| coalition[p]) {
                    let f = players[p];
                    values[f] = instance.values[f].clone();
                }
                let block = transform_node(model, n, &values, None)?;
                features.extend_from_slice(&block);
                if cacheable {
                    cache.push((key, block));
                }
            }
        }
        Ok(())
    }
}

impl Worth for Game<'_> {
    fn players(&self) -> usize {
        self.players.len()
    }

    fn outputs(&self) -> usize {
        self.model.scores_width()
    }

    fn worth(&mut self, coalitions: &[Vec<bool>], out: &mut Vec<f64>) -> Result<(), Error> {
        let rows = self.background.len().max(1);
        let k = self.outputs();
        let per_run = (ROWS_PER_RUN / rows).max(1);
        for chunk in coalitions.chunks(per_run) {
            self.features.clear();
            self.features.reserve(chunk.len() * rows * self.width);
            for coalition in chunk {
                for b in 0..self.background.len() {
                    self.splice(coalition, b)?;
                }
            }
            self.scores.clear();
            self.model.scores_of(&self.features, &mut self.scores)?;
            self.evaluations += (chunk.len() * self.background.len()) as u64;
            for scores in self.scores.chunks(rows * k) {
                for o in 0..k {
                    let sum: f64 = scores.iter().skip(o).step_by(k).sum();
                    out.push(sum / rows as f64);
                }
            }
        }
        Ok(())
    }
}

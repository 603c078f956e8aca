//! The preprocessing node by node: which schema fields each node reads, how wide its block
//! of the feature vector is, and its block for one instance. The explanation pipeline
//! (`crate::explain`) builds feature vectors of mixed instances from these blocks, so a
//! coalition of fields costs a copy, not a second pass through the preprocessing.

use super::{Bound, BoundPreprocessor, Step, TransformOptions};
use crate::{InstanceError, Value};

impl Bound {
    fn width(&self) -> usize {
        match self {
            Bound::Field(_, step) => step.width(),
            Bound::Column(c) => c.width(),
        }
    }

    /// Append this node's features for `values` (one per schema field).
    pub(super) fn transform_into(
        &self,
        values: &[Value],
        options: TransformOptions,
        out: &mut Vec<f32>,
    ) -> Result<(), InstanceError> {
        match self {
            Bound::Column(c) => c.transform_into(values, options, out),
            Bound::Field(idx, step) => {
                let value = values.get(*idx).unwrap_or(&Value::Missing);
                match step {
                    Step::Numeric(p) => {
                        out.push(p.transform(value));
                        Ok(())
                    }
                    Step::OneHot(p) => p.transform_into(value, options, out),
                    Step::Tfidf(p) => {
                        p.transform_into(value, out);
                        Ok(())
                    }
                    Step::Column(_) => Ok(()),
                }
            }
        }
    }
}

impl BoundPreprocessor {
    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.steps.len()
    }

    /// Features node `node` writes (0 for a node that does not exist).
    pub fn node_width(&self, node: usize) -> usize {
        self.steps.get(node).map_or(0, Bound::width)
    }

    /// The schema fields node `node` reads, ascending, out of `n_fields`: one for a node
    /// over a field, every field of a column's expression.
    pub fn node_fields(&self, node: usize, n_fields: usize) -> Vec<usize> {
        let Some(bound) = self.steps.get(node) else {
            return Vec::new();
        };
        (0..n_fields).filter(|&f| bound.reads(f)).collect()
    }

    /// Append node `node`'s features for `values` (one per schema field); on error nothing
    /// is appended.
    pub fn node_transform_into(
        &self,
        node: usize,
        values: &[Value],
        options: TransformOptions,
        out: &mut Vec<f32>,
    ) -> Result<(), InstanceError> {
        let Some(bound) = self.steps.get(node) else {
            return Ok(());
        };
        let start = out.len();
        bound.transform_into(values, options, out).inspect_err(|_| {
            out.truncate(start);
        })
    }
}

//! One stable sort for the short lists the runtime orders (class names, a node's categories,
//! error codes). Each `sort_by` on another element type or comparator instantiates the
//! standard library's sort again, 5-8 KB of wasm apiece; this one is compiled once.

/// The positions `0..len` in the order `less` defines, equal elements in their original
/// order (a merge sort: O(n log n) comparisons).
pub(crate) fn sorted_indices(len: usize, less: &dyn Fn(usize, usize) -> bool) -> Vec<usize> {
    let mut a: Vec<usize> = (0..len).collect();
    let mut b = vec![0usize; len];
    let mut width = 1;
    while width < len {
        let mut start = 0;
        while start < len {
            let mid = (start + width).min(len);
            let end = (start + 2 * width).min(len);
            let (mut i, mut j) = (start, mid);
            for slot in &mut b[start..end] {
                // Take from the right run only when strictly less: stability.
                if j < end && (i >= mid || less(a[j], a[i])) {
                    *slot = a[j];
                    j += 1;
                } else {
                    *slot = a[i];
                    i += 1;
                }
            }
            start = end;
        }
        std::mem::swap(&mut a, &mut b);
        width *= 2;
    }
    a
}

/// `items` in the order of `order` (a permutation of their positions).
pub(crate) fn permuted<T: Clone>(items: &[T], order: &[usize]) -> Vec<T> {
    order
        .iter()
        .filter_map(|&i| items.get(i).cloned())
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn sorts_stably_like_the_standard_sort() {
        let mut seed = 7u64;
        for len in [0usize, 1, 2, 3, 7, 8, 9, 100, 1000] {
            let keys: Vec<u64> = (0..len)
                .map(|_| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    (seed >> 33) % 10
                })
                .collect();
            let got = sorted_indices(len, &|a, b| keys[a] < keys[b]);
            let mut want: Vec<usize> = (0..len).collect();
            want.sort_by_key(|&i| keys[i]);
            assert_eq!(got, want, "{len}");
        }
        assert_eq!(permuted(&["b", "a", "c"], &[1, 0, 2]), vec!["a", "b", "c"]);
    }
}

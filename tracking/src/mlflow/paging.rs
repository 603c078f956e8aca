//! MLflow's paged searches: ask for a page of `max_results`, then again with the answer's
//! `next_page_token` until there is none. MLflow caps a page at 1000 registered models and at
//! 50000 runs; Tandem asks for [`page_size`] (1000 by default) on every search.

use crate::Result;

/// The largest page Tandem asks for (MLflow's cap for registered models).
pub const MAX_PAGE_SIZE: usize = 1000;

/// The page size of every search: `TANDEM_MLFLOW_PAGE_SIZE` (1 to 1000), else 1000. A smaller
/// page helps a server or a proxy with small answer limits, and lets the tests page cheaply.
pub fn page_size(setting: Option<String>) -> usize {
    setting
        .and_then(|v| v.trim().parse::<usize>().ok())
        .map_or(MAX_PAGE_SIZE, |n| n.clamp(1, MAX_PAGE_SIZE))
}

/// Every item of a paged search, up to `max`. `page` fetches one page given the token of the
/// previous answer (`None` for the first) and returns its items and its `next_page_token`.
/// Paging stops at the last page, at `max` items, and at an answer that would page forever
/// (an empty page, or the token it was asked with).
pub fn all_pages<T>(
    max: usize,
    page: impl FnMut(Option<&str>) -> Result<(Vec<T>, Option<String>)>,
) -> Result<Vec<T>> {
    Ok(kept_pages(max, &|_| true, page)?.0)
}

/// [`all_pages`] keeping only the items `keep` accepts, up to `max` of them; with the number
/// of items passed over before the last kept one (or before the end).
pub fn kept_pages<T>(
    max: usize,
    keep: &dyn Fn(&T) -> bool,
    mut page: impl FnMut(Option<&str>) -> Result<(Vec<T>, Option<String>)>,
) -> Result<(Vec<T>, usize)> {
    let mut out = Vec::new();
    let mut passed = 0usize;
    let mut token: Option<String> = None;
    loop {
        let (items, next) = page(token.as_deref())?;
        let empty = items.is_empty();
        for item in items {
            if out.len() >= max {
                break;
            }
            if keep(&item) {
                out.push(item);
            } else {
                passed += 1;
            }
        }
        let next = next.filter(|t| !t.is_empty());
        if empty || next.is_none() || next == token || out.len() >= max {
            break;
        }
        token = next;
    }
    Ok((out, passed))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A server of `n` items that pages as MLflow documents: an opaque token for the offset.
    fn server(
        n: usize,
        size: usize,
    ) -> impl FnMut(Option<&str>) -> Result<(Vec<usize>, Option<String>)> {
        move |token| {
            let from: usize = token.map_or(0, |t| t.trim_start_matches("off-").parse().unwrap());
            let to = (from + size).min(n);
            Ok(((from..to).collect(), (to < n).then(|| format!("off-{to}"))))
        }
    }

    #[test]
    fn every_page_is_read_in_order_up_to_the_maximum() {
        assert_eq!(
            all_pages(usize::MAX, server(2500, 1000)).unwrap(),
            (0..2500).collect::<Vec<_>>()
        );
        assert_eq!(all_pages(1500, server(2500, 1000)).unwrap().len(), 1500);
        assert_eq!(
            all_pages(usize::MAX, server(0, 1000)).unwrap(),
            Vec::<usize>::new()
        );
        assert_eq!(
            all_pages(usize::MAX, server(1000, 1000)).unwrap().len(),
            1000
        );
    }

    #[test]
    fn kept_pages_read_on_until_enough_are_kept_and_count_the_rest() {
        let even = |n: &usize| n.is_multiple_of(2);
        let (kept, passed) = kept_pages(10, &even, server(50, 7)).unwrap();
        assert_eq!(kept, (0..20).step_by(2).collect::<Vec<_>>());
        assert_eq!(passed, 9); // 1, 3, ..., 17: the odd ones before 18
        let (kept, passed) = kept_pages(100, &even, server(50, 7)).unwrap();
        assert_eq!((kept.len(), passed), (25, 25));
        let (kept, passed) = kept_pages(5, &|_| false, server(50, 7)).unwrap();
        assert_eq!((kept.len(), passed), (0, 50));
    }

    #[test]
    fn the_page_size_setting_is_kept_within_mlflow_limits() {
        assert_eq!(page_size(None), 1000);
        assert_eq!(page_size(Some("3".into())), 3);
        assert_eq!(page_size(Some("0".into())), 1);
        assert_eq!(page_size(Some("5000".into())), 1000);
        assert_eq!(page_size(Some("many".into())), 1000);
    }

    #[test]
    fn a_token_that_does_not_move_stops_paging() {
        let mut calls = 0;
        let items = all_pages(usize::MAX, |_| {
            calls += 1;
            Ok((vec![calls], Some("same".to_string())))
        })
        .unwrap();
        assert_eq!((items, calls), (vec![1, 2], 2));
    }
}

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
    mut page: impl FnMut(Option<&str>) -> Result<(Vec<T>, Option<String>)>,
) -> Result<Vec<T>> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let (items, next) = page(token.as_deref())?;
        let empty = items.is_empty();
        out.extend(items);
        let next = next.filter(|t| !t.is_empty());
        if empty || next.is_none() || next == token || out.len() >= max {
            break;
        }
        token = next;
    }
    out.truncate(max);
    Ok(out)
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

//! How well scores rank positives above negatives: the area under the ROC curve and average
//! precision (the area under the precision-recall curve as scikit-learn sums it), binary or
//! one-vs-rest over classes. Tied scores are one threshold, as in scikit-learn's curves.

/// Cumulative (false positives, true positives) at each distinct score, highest first.
pub(crate) fn curve(scores: &[f64], positive: &[bool]) -> Vec<(f64, f64)> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let mut points = Vec::new();
    let (mut fp, mut tp) = (0.0, 0.0);
    for (k, &i) in order.iter().enumerate() {
        if positive[i] {
            tp += 1.0;
        } else {
            fp += 1.0;
        }
        let last_of_tie = order
            .get(k + 1)
            .is_none_or(|&next| scores[next] != scores[i]);
        if last_of_tie {
            points.push((fp, tp));
        }
    }
    points
}

/// ROC AUC of `scores` for the rows marked `positive` (`None` without both kinds of rows).
pub fn roc_auc(scores: &[f64], positive: &[bool]) -> Option<f64> {
    let points = curve(scores, positive);
    let &(negatives, positives) = points.last()?;
    if negatives == 0.0 || positives == 0.0 {
        return None;
    }
    let mut area = 0.0;
    let (mut fp0, mut tp0) = (0.0, 0.0);
    for &(fp, tp) in &points {
        area += (fp - fp0) * (tp + tp0) / 2.0;
        (fp0, tp0) = (fp, tp);
    }
    Some(area / (negatives * positives))
}

/// Average precision: the precision at each threshold weighted by the recall it adds
/// (scikit-learn's `average_precision_score`; `None` without positives).
pub fn average_precision(scores: &[f64], positive: &[bool]) -> Option<f64> {
    let points = curve(scores, positive);
    let &(_, positives) = points.last()?;
    if positives == 0.0 {
        return None;
    }
    let mut ap = 0.0;
    let mut recall0 = 0.0;
    for &(fp, tp) in &points {
        let recall = tp / positives;
        ap += (recall - recall0) * tp / (tp + fp);
        recall0 = recall;
    }
    Some(ap)
}

/// `metric` one-vs-rest: class `c`'s probability scores the rows of class `c`, averaged over
/// the classes it is defined for (present in the truth; `None` if none is).
pub fn one_vs_rest(
    probs: &[Vec<f64>],
    truth: &[usize],
    n_classes: usize,
    metric: fn(&[f64], &[bool]) -> Option<f64>,
) -> Option<f64> {
    let per_class: Vec<f64> = (0..n_classes)
        .filter_map(|c| {
            let scores: Vec<f64> = probs
                .iter()
                .map(|p| p.get(c).copied().unwrap_or(0.0))
                .collect();
            let positive: Vec<bool> = truth.iter().map(|&t| t == c).collect();
            metric(&scores, &positive)
        })
        .collect();
    (!per_class.is_empty()).then(|| per_class.iter().sum::<f64>() / per_class.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_perfect_ranking_has_area_one_and_a_reversed_one_zero() {
        let positive = [false, false, true, true];
        assert_eq!(roc_auc(&[0.1, 0.2, 0.8, 0.9], &positive), Some(1.0));
        assert_eq!(roc_auc(&[0.9, 0.8, 0.2, 0.1], &positive), Some(0.0));
        assert_eq!(
            average_precision(&[0.1, 0.2, 0.8, 0.9], &positive),
            Some(1.0)
        );
    }

    #[test]
    fn ties_count_half_and_one_kind_of_row_has_no_area() {
        assert_eq!(roc_auc(&[0.5, 0.5], &[false, true]), Some(0.5));
        assert_eq!(roc_auc(&[0.5, 0.7], &[true, true]), None);
        assert_eq!(average_precision(&[0.5, 0.7], &[false, false]), None);
    }
}

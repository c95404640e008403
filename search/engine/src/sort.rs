//! Stable sorting with one copy of the standard library's sort.
//!
//! Every `sort_by` of another element or closure type compiles the
//! standard library's sort again (3–6 KB of WebAssembly each, the runtime's
//! largest share of code after tantivy). The engine's small sorts (facet
//! lists, spelling candidates, ranges, bundles) go through [`sort_by`]
//! instead: it sorts positions with one instance of the standard sort,
//! shared by every caller, then moves the items into that order.

use std::cmp::Ordering;

/// Sorts `items` stably by `cmp`, like `slice::sort_by`.
pub(crate) fn sort_by<T>(items: &mut Vec<T>, mut cmp: impl FnMut(&T, &T) -> Ordering) {
    if items.len() < 2 {
        return;
    }
    let mut order: Vec<usize> = (0..items.len()).collect();
    sort_positions(&mut order, &mut |a, b| cmp(&items[a], &items[b]));
    let mut slots: Vec<Option<T>> = items.drain(..).map(Some).collect();
    items.extend(
        order
            .into_iter()
            .map(|i| slots[i].take().expect("a permutation")),
    );
}

/// Sorts `items` stably by the key `key` gives, like `slice::sort_by_key`.
pub(crate) fn sort_by_key<T, K: Ord>(items: &mut Vec<T>, mut key: impl FnMut(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

/// The one instance of the standard sort.
#[inline(never)]
fn sort_positions(order: &mut [usize], cmp: &mut dyn FnMut(usize, usize) -> Ordering) {
    order.sort_by(|&a, &b| cmp(a, b));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_stably_like_the_standard_sort() {
        let mut v: Vec<(u8, char)> = vec![(3, 'a'), (1, 'b'), (3, 'c'), (0, 'd'), (1, 'e')];
        let mut expected = v.clone();
        expected.sort_by_key(|x| x.0);
        sort_by_key(&mut v, |x| x.0);
        assert_eq!(v, expected);
        assert_eq!(v, [(0, 'd'), (1, 'b'), (1, 'e'), (3, 'a'), (3, 'c')]);
        sort_by(&mut v, |a, b| b.1.cmp(&a.1));
        assert_eq!(v.iter().map(|x| x.1).collect::<String>(), "edcba");
    }
}

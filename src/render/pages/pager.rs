//! Long lists split into numbered pages, so that no page grows with the
//! knowledge base: the first page of a list is `<folder>index.html`, the
//! next ones `<folder>page/2/index.html`, … (the URLs static hosts and
//! other generators use).

use serde::Serialize;

/// How many pages around the current one the navigation names (besides
/// the first and the last).
const NEIGHBOURS: usize = 2;

/// One page of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slice {
    /// 1-based.
    pub number: usize,
    pub count: usize,
    pub per_page: usize,
    /// Items in the whole list.
    pub total: usize,
}

impl Slice {
    /// The pages of a list of `total` items, `per_page` on each (one page,
    /// empty, when there are none).
    pub fn all(total: usize, per_page: usize) -> impl Iterator<Item = Slice> {
        let count = page_count(total, per_page);
        (1..=count).map(move |number| Slice {
            number,
            count,
            per_page,
            total,
        })
    }

    /// The range of items on this page.
    pub fn range(&self) -> std::ops::Range<usize> {
        let start = ((self.number - 1) * self.per_page).min(self.total);
        start..(start + self.per_page).min(self.total)
    }

    /// This page's part of `items`.
    pub fn of<'a, T>(&self, items: &'a [T]) -> &'a [T] {
        &items[self.range()]
    }
}

/// How many pages `total` items take, `per_page` on each; at least one.
pub fn page_count(total: usize, per_page: usize) -> usize {
    total.div_ceil(per_page).max(1)
}

/// Path of page `number` of the list whose first page is `<folder>index.html`.
pub fn page_path(folder: &str, number: usize) -> String {
    if number <= 1 {
        format!("{folder}index.html")
    } else {
        format!("{folder}page/{number}/index.html")
    }
}

/// The page of the list (in `folder`) that holds item `index` (0-based).
pub fn page_of(folder: &str, index: usize, per_page: usize) -> String {
    page_path(folder, index / per_page + 1)
}

/// `pager` in templates: where this page is in its list, and links to the
/// others (paths relative to the site root). A list on one page has none.
#[derive(Debug, Clone, Serialize)]
pub struct Pager {
    pub number: usize,
    pub count: usize,
    /// 1-based positions of the first and last items shown, of `total`.
    pub first: usize,
    pub last: usize,
    pub total: usize,
    pub previous: Option<String>,
    pub next: Option<String>,
    /// The first and last pages and those around this one, in order; a gap
    /// between two of them is an entry without a number.
    pub links: Vec<PagerLink>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PagerLink {
    /// None for a gap ("…").
    pub number: Option<usize>,
    pub path: Option<String>,
    pub current: bool,
}

impl Pager {
    pub fn new(folder: &str, slice: Slice) -> Pager {
        let Slice { number, count, .. } = slice;
        let range = slice.range();
        let mut links = Vec::new();
        let mut last_shown = 0;
        for n in 1..=count {
            let near = n.abs_diff(number) <= NEIGHBOURS;
            if !(n == 1 || n == count || near) {
                continue;
            }
            if n > last_shown + 1 {
                links.push(PagerLink {
                    number: None,
                    path: None,
                    current: false,
                });
            }
            links.push(PagerLink {
                number: Some(n),
                path: Some(page_path(folder, n)),
                current: n == number,
            });
            last_shown = n;
        }
        Pager {
            number,
            count,
            first: range.start + 1,
            last: range.end,
            total: slice.total,
            previous: (number > 1).then(|| page_path(folder, number - 1)),
            next: (number < count).then(|| page_path(folder, number + 1)),
            links,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_cover_the_list_once() {
        let slices: Vec<Slice> = Slice::all(250, 100).collect();
        assert_eq!(slices.len(), 3);
        let ranges: Vec<_> = slices.iter().map(Slice::range).collect();
        assert_eq!(ranges, [0..100, 100..200, 200..250]);
        let empty: Vec<Slice> = Slice::all(0, 100).collect();
        assert_eq!(empty.len(), 1);
        assert_eq!(empty[0].range(), 0..0);
        assert_eq!(page_path("tags/db/", 1), "tags/db/index.html");
        assert_eq!(page_path("tags/db/", 3), "tags/db/page/3/index.html");
        assert_eq!(
            page_of("incidents/", 199, 100),
            "incidents/page/2/index.html"
        );
    }

    #[test]
    fn navigation_names_the_ends_and_the_neighbours() {
        let slice = Slice::all(1000, 100).nth(4).unwrap();
        let pager = Pager::new("incidents/", slice);
        let numbers: Vec<Option<usize>> = pager.links.iter().map(|l| l.number).collect();
        assert_eq!(
            numbers,
            [
                Some(1),
                None,
                Some(3),
                Some(4),
                Some(5),
                Some(6),
                Some(7),
                None,
                Some(10)
            ]
        );
        assert!(pager.links[4].current);
        assert_eq!(
            pager.previous.as_deref(),
            Some("incidents/page/4/index.html")
        );
        assert_eq!(pager.next.as_deref(), Some("incidents/page/6/index.html"));
        assert_eq!((pager.first, pager.last, pager.total), (401, 500, 1000));
        let first = Pager::new("incidents/", Slice::all(150, 100).next().unwrap());
        assert_eq!(first.previous, None);
        assert_eq!(first.links.len(), 2);
    }
}

//! `action-items/`: every action item by status (the index shows the first
//! of each; a status with more has pages of its own), open items by owner,
//! and the one order in which every page lists action items.

use std::collections::HashMap;

use jiff::civil::Date;
use serde::Serialize;

use super::SiteData;
use super::lists::pager;
use super::pager::{Pager, Slice};
use crate::incident::{ActionItem, ActionStatus, Incident};
use crate::link::Kb;
use crate::render::views::{ActionItemView, action_item_view, is_overdue};

/// Items of each status the index shows.
pub const ACTION_ITEMS_ON_INDEX: usize = 100;
/// Items per page of one status.
pub const ACTION_ITEMS_PER_PAGE: usize = 200;
/// Owners the index groups open items under (those with the most overdue).
pub const OWNERS_ON_INDEX: usize = 50;
/// Open items shown for each owner (the most urgent).
pub const ITEMS_PER_OWNER: usize = 10;

/// The context of `action_items.html`. "Open" means open or in progress,
/// overdue or not, as on the home page and in the metrics.
#[derive(Debug, Serialize)]
pub struct ActionItemsPage {
    /// Open, past the due date.
    pub overdue: BucketView,
    /// Open, not overdue.
    pub open: BucketView,
    /// Every open item: `overdue` and `open` together.
    pub open_total: usize,
    /// Open items by owner: most overdue first; at most [`OWNERS_ON_INDEX`].
    pub owners: Vec<OwnerGroup>,
    /// Owners with open items, shown or not.
    pub owners_total: usize,
    pub done: BucketView,
    pub wont_do: BucketView,
    pub total: usize,
    /// Done of all, in percent with one decimal; none without action items.
    pub completion_percent: Option<f64>,
    /// "Today" (`--now`), `YYYY-MM-DD`.
    pub now: String,
}

/// One status on the index.
#[derive(Debug, Serialize)]
pub struct BucketView {
    /// The first items, most urgent first.
    pub items: Vec<ActionItemView>,
    /// Items with this status.
    pub count: usize,
    /// Its own first page, when it has more items than shown here.
    pub all: Option<String>,
}

/// The open action items of one owner (or of nobody).
#[derive(Debug, Serialize)]
pub struct OwnerGroup {
    /// None: items nobody owns.
    pub owner: Option<String>,
    /// Open items of this owner, shown or not.
    pub open: usize,
    pub overdue: usize,
    /// The most urgent first; at most [`ITEMS_PER_OWNER`].
    pub items: Vec<ActionItemView>,
}

/// An action item with the incident it belongs to.
pub type Owned<'a> = (&'a Incident, &'a ActionItem);

/// The statuses the pages list action items under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    Overdue,
    Open,
    Done,
    WontDo,
}

impl Bucket {
    pub const ALL: [Bucket; 4] = [Bucket::Overdue, Bucket::Open, Bucket::Done, Bucket::WontDo];

    fn holds(self, item: &ActionItem, kb: &Kb) -> bool {
        match self {
            Bucket::Overdue => is_overdue(item, kb),
            Bucket::Open => item.status.is_pending() && !is_overdue(item, kb),
            Bucket::Done => item.status == ActionStatus::Done,
            Bucket::WontDo => item.status == ActionStatus::WontDo,
        }
    }

    /// Its anchor on the index and its folder's name.
    pub fn slug(self) -> &'static str {
        match self {
            Bucket::Overdue => "overdue",
            Bucket::Open => "open",
            Bucket::Done => "done",
            Bucket::WontDo => "wont-do",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Bucket::Overdue => "Overdue",
            Bucket::Open => "Open, not overdue",
            Bucket::Done => "Done",
            Bucket::WontDo => "Won't do",
        }
    }

    /// The folder of its own pages.
    pub fn folder(self) -> String {
        format!("action-items/{}/", self.slug())
    }
}

/// Every action item, sorted by urgency, in its bucket (in [`Bucket::ALL`] order).
pub fn buckets(kb: &Kb) -> Vec<Vec<Owned<'_>>> {
    let mut items: Vec<Owned<'_>> = kb
        .incidents
        .iter()
        .flat_map(|i| i.action_items.iter().map(move |a| (i, a)))
        .collect();
    sort_by_urgency(&mut items, kb);
    Bucket::ALL
        .iter()
        .map(|b| {
            items
                .iter()
                .copied()
                .filter(|(_, a)| b.holds(a, kb))
                .collect()
        })
        .collect()
}

/// Whether a bucket of `count` items has pages of its own.
pub fn has_pages(count: usize) -> bool {
    count > ACTION_ITEMS_ON_INDEX
}

/// Sorts action items for lists: overdue first, then the others still
/// pending, then done and won't do; within each, by due date, undated last.
pub fn sort_by_urgency(items: &mut [Owned<'_>], kb: &Kb) {
    items.sort_by_key(|(_, item)| urgency(item, kb));
}

fn urgency(item: &ActionItem, kb: &Kb) -> (u8, bool, Option<Date>) {
    let rank = if is_overdue(item, kb) {
        0
    } else if item.status.is_pending() {
        1
    } else {
        2
    };
    (rank, item.due.is_none(), item.due)
}

/// Views of action items, with their incidents.
pub fn views(items: &[Owned<'_>], kb: &Kb) -> Vec<ActionItemView> {
    items
        .iter()
        .map(|(incident, item)| action_item_view(item, kb, Some(incident)))
        .collect()
}

/// The open items of `items` (in urgency order) grouped by owner (names
/// compared case-insensitively): owners with the most overdue items first,
/// then the most open, then by name; items nobody owns last.
fn by_owner(items: &[Owned<'_>], kb: &Kb) -> Vec<OwnerGroup> {
    let mut groups: Vec<(OwnerGroup, Vec<Owned<'_>>)> = Vec::new();
    let mut index: HashMap<Option<String>, usize> = HashMap::new();
    for &(incident, item) in items.iter().filter(|(_, a)| a.status.is_pending()) {
        let owner = item
            .owner
            .as_deref()
            .map(str::trim)
            .filter(|o| !o.is_empty());
        let n = *index
            .entry(owner.map(str::to_lowercase))
            .or_insert_with(|| {
                groups.push((
                    OwnerGroup {
                        owner: owner.map(str::to_string),
                        open: 0,
                        overdue: 0,
                        items: Vec::new(),
                    },
                    Vec::new(),
                ));
                groups.len() - 1
            });
        let (group, owned) = &mut groups[n];
        group.open += 1;
        group.overdue += usize::from(is_overdue(item, kb));
        owned.push((incident, item));
    }
    groups.sort_by(|(a, _), (b, _)| {
        (
            a.owner.is_none(),
            std::cmp::Reverse(a.overdue),
            std::cmp::Reverse(a.open),
        )
            .cmp(&(
                b.owner.is_none(),
                std::cmp::Reverse(b.overdue),
                std::cmp::Reverse(b.open),
            ))
            .then_with(|| a.owner.cmp(&b.owner))
    });
    groups
        .into_iter()
        .map(|(mut group, owned)| {
            group.items = views(&owned[..owned.len().min(ITEMS_PER_OWNER)], kb);
            group
        })
        .collect()
}

pub fn index(data: &SiteData<'_>) -> ActionItemsPage {
    let kb = data.kb;
    let bucket = |b: Bucket| {
        let items = &data.action_items[b as usize];
        BucketView {
            items: views(&items[..items.len().min(ACTION_ITEMS_ON_INDEX)], kb),
            count: items.len(),
            all: has_pages(items.len()).then(|| format!("{}index.html", b.folder())),
        }
    };
    let total = kb.incidents.iter().map(|i| i.action_items.len()).sum();
    let done = data.action_items[Bucket::Done as usize].len();
    let open: Vec<Owned<'_>> = [Bucket::Overdue, Bucket::Open]
        .iter()
        .flat_map(|&b| data.action_items[b as usize].iter().copied())
        .collect();
    let mut owners = by_owner(&open, kb);
    let owners_total = owners.len();
    owners.truncate(OWNERS_ON_INDEX);
    ActionItemsPage {
        open_total: open.len(),
        owners,
        owners_total,
        overdue: bucket(Bucket::Overdue),
        open: bucket(Bucket::Open),
        done: bucket(Bucket::Done),
        wont_do: bucket(Bucket::WontDo),
        completion_percent: (total > 0)
            .then(|| (done as f64 * 1000.0 / total as f64).round() / 10.0),
        total,
        now: kb.scope.now.to_string(),
    }
}

/// The context of `action_items_status.html`: one page of one status.
#[derive(Debug, Serialize)]
pub struct BucketPage {
    pub title: &'static str,
    pub items: Vec<ActionItemView>,
    /// Items with this status, on every page.
    pub total: usize,
    pub pager: Option<Pager>,
    /// "Today" (`--now`), `YYYY-MM-DD`.
    pub now: String,
}

pub fn bucket_page(data: &SiteData<'_>, bucket: Bucket, slice: Slice) -> BucketPage {
    let items = &data.action_items[bucket as usize];
    BucketPage {
        title: bucket.title(),
        items: views(slice.of(items), data.kb),
        total: items.len(),
        pager: pager(&bucket.folder(), slice),
        now: data.kb.scope.now.to_string(),
    }
}

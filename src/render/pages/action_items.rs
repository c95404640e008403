//! `action-items/index.html`, and the one order in which every page lists
//! action items.

use std::collections::HashMap;

use jiff::civil::Date;
use serde::Serialize;

use crate::incident::{ActionItem, ActionStatus, Incident};
use crate::link::Kb;
use crate::render::views::{ActionItemView, action_item_view, is_overdue};

/// The context of `action_items.html`. "Open" means open or in progress,
/// overdue or not, as on the home page and in the metrics.
#[derive(Debug, Serialize)]
pub struct ActionItemsPage {
    /// Open, past the due date.
    pub overdue: Vec<ActionItemView>,
    /// Open, not overdue.
    pub open: Vec<ActionItemView>,
    /// Every open item: `overdue` and `open` together.
    pub open_total: usize,
    /// Open items by owner: most overdue first.
    pub owners: Vec<OwnerGroup>,
    pub done: Vec<ActionItemView>,
    pub wont_do: Vec<ActionItemView>,
    pub total: usize,
    /// Done of all, in percent with one decimal; none without action items.
    pub completion_percent: Option<f64>,
    /// "Today" (`--now`), `YYYY-MM-DD`.
    pub now: String,
}

/// The open action items of one owner (or of nobody).
#[derive(Debug, Serialize)]
pub struct OwnerGroup {
    /// None: items nobody owns.
    pub owner: Option<String>,
    pub overdue: usize,
    /// Most urgent first.
    pub items: Vec<ActionItemView>,
}

/// An action item with the incident it belongs to.
pub type Owned<'a> = (&'a Incident, &'a ActionItem);

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
    let mut groups: Vec<OwnerGroup> = Vec::new();
    let mut index: HashMap<Option<String>, usize> = HashMap::new();
    for (incident, item) in items.iter().filter(|(_, a)| a.status.is_pending()) {
        let owner = item
            .owner
            .as_deref()
            .map(str::trim)
            .filter(|o| !o.is_empty());
        let n = *index
            .entry(owner.map(str::to_lowercase))
            .or_insert_with(|| {
                groups.push(OwnerGroup {
                    owner: owner.map(str::to_string),
                    overdue: 0,
                    items: Vec::new(),
                });
                groups.len() - 1
            });
        groups[n].overdue += usize::from(is_overdue(item, kb));
        groups[n]
            .items
            .push(action_item_view(item, kb, Some(incident)));
    }
    groups.sort_by(|a, b| {
        (
            a.owner.is_none(),
            std::cmp::Reverse(a.overdue),
            std::cmp::Reverse(a.items.len()),
        )
            .cmp(&(
                b.owner.is_none(),
                std::cmp::Reverse(b.overdue),
                std::cmp::Reverse(b.items.len()),
            ))
            .then_with(|| a.owner.cmp(&b.owner))
    });
    groups
}

pub fn page(kb: &Kb) -> ActionItemsPage {
    let mut items: Vec<Owned<'_>> = kb
        .incidents
        .iter()
        .flat_map(|i| i.action_items.iter().map(move |a| (i, a)))
        .collect();
    sort_by_urgency(&mut items, kb);
    let bucket = |keep: &dyn Fn(&ActionItem) -> bool| {
        let chosen: Vec<Owned<'_>> = items.iter().copied().filter(|(_, a)| keep(a)).collect();
        views(&chosen, kb)
    };
    let done = bucket(&|a| a.status == ActionStatus::Done);
    let total = items.len();
    let overdue = bucket(&|a| is_overdue(a, kb));
    let open = bucket(&|a| a.status.is_pending() && !is_overdue(a, kb));
    ActionItemsPage {
        open_total: overdue.len() + open.len(),
        owners: by_owner(&items, kb),
        overdue,
        open,
        completion_percent: (total > 0)
            .then(|| (done.len() as f64 * 1000.0 / total as f64).round() / 10.0),
        done,
        wont_do: bucket(&|a| a.status == ActionStatus::WontDo),
        total,
        now: kb.scope.now.to_string(),
    }
}

//! `action-items/index.html`, and the one order in which every page lists
//! action items.

use jiff::civil::Date;
use serde::Serialize;

use crate::incident::{ActionItem, ActionStatus, Incident};
use crate::link::Kb;
use crate::render::views::{ActionItemView, action_item_view, is_overdue};

/// The context of `action_items.html`.
#[derive(Debug, Serialize)]
pub struct ActionItemsPage {
    /// Open or in progress, past the due date.
    pub overdue: Vec<ActionItemView>,
    /// Open or in progress, not overdue.
    pub open: Vec<ActionItemView>,
    pub done: Vec<ActionItemView>,
    pub wont_do: Vec<ActionItemView>,
    pub total: usize,
    /// Done of all, in percent with one decimal; none without action items.
    pub completion_percent: Option<f64>,
    /// "Today" (`--now`), `YYYY-MM-DD`.
    pub now: String,
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
    ActionItemsPage {
        overdue: bucket(&|a| is_overdue(a, kb)),
        open: bucket(&|a| a.status.is_pending() && !is_overdue(a, kb)),
        completion_percent: (total > 0)
            .then(|| (done.len() as f64 * 1000.0 / total as f64).round() / 10.0),
        done,
        wont_do: bucket(&|a| a.status == ActionStatus::WontDo),
        total,
        now: kb.scope.now.to_string(),
    }
}

//! Action items as legacy reports state them beyond what `build` reads from
//! a body: done because their sub-heading says so ("Immediate Actions
//! (Completed)", "Done"), because the item says so ("(done)", "~~struck~~",
//! "DONE:"), in progress ("(in progress)", "WIP"), or due on a date written
//! in words ("by March 3, 2025"). `build` finds the items themselves under
//! any follow-up heading (action items, follow-ups, remediation, next
//! steps, corrective or preventive measures); import writes to the front
//! matter only the items whose state, owner or due date it reads better,
//! under the title `build` gives them, so nothing is listed twice.

use std::sync::LazyLock;

use regex::Regex;

use super::Imported;
use super::blocks::{self, Kind};
use super::clock::{Order, resolve_day, stamps_in};
use crate::incident::body::extract;
use crate::incident::{ActionStatus, ItemSource};

static DONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:done|completed?|finished|fixed|resolved|shipped|implemented|closed)\b|✅|✔|☑",
    )
    .expect("valid regex")
});
static IN_PROGRESS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:in[- ]progress|ongoing|wip|underway|started)\b").expect("valid regex")
});
/// A state the item's own text gives: `(done)`, `[Completed]`, `DONE:`, `- Status: done`.
static STATE_MARK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)[(\[]\s*(?P<a>[^()\[\]]{1,25})\s*[)\]]\s*$|^(?P<b>done|completed|wip|in progress)\s*[:\-–]|\bstatus:\s*(?P<c>[\w -]{1,20})$")
        .expect("valid regex")
});
/// A cell that ends with a state: `Done`, `n/a DONE`, `In progress`.
static STATE_CELL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:^|\s)(done|completed?|fixed|closed|in[- ]progress|wip)\W*$")
        .expect("valid regex")
});
/// `due March 3, 2025`, `by 3/1/2025`, `(ETA: 2025-03-01)`.
static DUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:due|by|eta|deadline|target)\b:?\s*").expect("valid regex")
});

fn state_of(text: &str) -> Option<ActionStatus> {
    if IN_PROGRESS.is_match(text) {
        Some(ActionStatus::InProgress)
    } else if DONE.is_match(text) {
        Some(ActionStatus::Done)
    } else {
        None
    }
}

/// Adds to `incident.action_items` the items whose state or due date the
/// text gives but `build` would not read from the body.
pub fn enrich(incident: &mut Imported, order: Order) {
    let body = &incident.body;
    let structure = extract(body, 1);
    let blocks = blocks::blocks(body);
    for item in structure.action_items {
        let ItemSource::Body(line) = item.source else {
            continue;
        };
        let Some(block) = blocks
            .iter()
            .find(|b| b.line == line && matches!(b.kind, Kind::Item { .. } | Kind::Row { .. }))
        else {
            continue;
        };
        let mut better = item.clone();
        let own_text = block.text.lines().next().unwrap_or("");
        let struck = body
            .lines()
            .nth(line - 1)
            .is_some_and(|l| l.contains("~~") && l.matches("~~").count() >= 2);
        let marked = STATE_MARK.captures(own_text.trim()).and_then(|c| {
            let mark = c.name("a").or(c.name("b")).or(c.name("c"))?.as_str();
            state_of(mark)
        });
        // The nearest sub-heading that states a state: "Immediate Actions (Completed)".
        let heading_state = block
            .headings
            .iter()
            .rev()
            .find_map(|&h| state_of(&blocks[h].text));
        if better.status == ActionStatus::Open
            && matches!(block.kind, Kind::Item { checked: None, .. })
            && let Some(state) = struck
                .then_some(ActionStatus::Done)
                .or(marked)
                .or(heading_state)
        {
            better.status = state;
        }
        // A table without a status column may say so in another cell: `n/a **DONE**`.
        if better.status == ActionStatus::Open
            && let Kind::Row { .. } = block.kind
            && let Some(state) = block
                .cells
                .iter()
                .filter(|c| **c != better.title)
                .find_map(|c| STATE_CELL.captures(c).and_then(|m| state_of(&m[1])))
        {
            better.status = state;
        }
        if better.due.is_none()
            && let Some(m) = DUE.find(own_text)
            && let Some(stamp) = stamps_in(&own_text[m.end()..], order)
                .into_iter()
                .find(|s| s.range.start == 0 && s.day.is_some())
        {
            better.due = stamp.day.and_then(|d| resolve_day(d, None));
        }
        if better != item {
            incident.action_items.push(better);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn items(body: &str) -> Vec<(String, ActionStatus, Option<String>)> {
        let mut incident = super::super::convert("a.md", body, &Config::default())
            .incidents
            .remove(0);
        incident.action_items.clear();
        enrich(&mut incident, Order::MonthFirst);
        incident
            .action_items
            .iter()
            .map(|a| (a.title.clone(), a.status, a.due.map(|d| d.to_string())))
            .collect()
    }

    #[test]
    fn states_and_due_dates_the_body_does_not_show() {
        let body = "# Outage\n\n**Severity:** SEV2\n\n## Remediation\n\n### Immediate Actions (Completed)\n\n- Rolled back the deploy\n\n### Planned\n\n- Add alerts (in progress)\n- Write a runbook by March 3, 2025\n- ~~Drop the old pool~~\n- Plain item\n";
        assert_eq!(
            items(body),
            [
                (
                    "Rolled back the deploy".to_string(),
                    ActionStatus::Done,
                    None
                ),
                (
                    "Add alerts (in progress)".to_string(),
                    ActionStatus::InProgress,
                    None
                ),
                (
                    "Write a runbook by March 3, 2025".to_string(),
                    ActionStatus::Open,
                    Some("2025-03-03".to_string())
                ),
                ("Drop the old pool".to_string(), ActionStatus::Done, None),
            ]
        );
    }
}

//! The corpus model: N postmortems drawn from a seeded generator, each with
//! its metadata and its Markdown body. Writers for hindsight and Hugo turn
//! the same postmortems into their sites.

use fastrand::Rng;
use jiff::civil::{Date, DateTime};
use jiff::{SignedDuration, Timestamp, tz::Offset};

use crate::code::{self, pick};
use crate::vocab::{
    ACTIONS, CAUSES, COMPONENTS, CONTRIBUTING, FAILURES, LESSONS, PEOPLE, SENTENCES, SERVICES, TAGS,
};

/// Postmortems span these years, with more incidents in later years.
const FIRST_YEAR: i16 = 2019;
const YEARS: i16 = 7;
/// Target file size range in bytes (front matter and body).
const MIN_BYTES: usize = 4 * 1024;
const MAX_BYTES: usize = 8 * 1024 - 256;

/// Canonical severity, the weight of its level, and the other ways people write it.
const SEVERITIES: &[(&str, u32, &[&str])] = &[
    ("SEV1", 6, &["SEV-1", "P1", "Critical"]),
    ("SEV2", 22, &["SEV-2", "P2", "High"]),
    ("SEV3", 42, &["SEV-3", "P3", "Medium"]),
    ("SEV4", 30, &["SEV-4", "P4", "Low"]),
];

pub struct ActionItem {
    pub title: String,
    pub owner: &'static str,
    pub due: Date,
    /// `open`, `in-progress` or `done`.
    pub status: &'static str,
}

pub struct Postmortem {
    pub id: String,
    /// File stem: the id and a slug of the title.
    pub stem: String,
    pub title: String,
    /// As written in the front matter (sometimes an alias).
    pub severity: &'static str,
    /// The canonical level, for the Hugo taxonomy.
    pub level: &'static str,
    pub status: &'static str,
    pub started: Timestamp,
    pub detected: Timestamp,
    pub mitigated: Timestamp,
    pub resolved: Option<Timestamp>,
    pub services: Vec<&'static str>,
    pub tags: Vec<&'static str>,
    pub commander: &'static str,
    pub responders: Vec<&'static str>,
    pub impact: String,
    pub trigger: String,
    /// Set in the front matter for some postmortems; the others list them in the body only.
    pub contributing_factors: Vec<String>,
    pub related: Vec<String>,
    pub repeat_of: Option<String>,
    /// Front-matter action items (the body has its own table or task list).
    pub action_items: Vec<ActionItem>,
    pub body: String,
}

impl Postmortem {
    pub fn year(&self) -> i16 {
        utc(self.started).year()
    }
}

/// `count` postmortems, oldest first, the same for the same seed.
pub fn generate(count: usize, seed: u64) -> Vec<Postmortem> {
    let mut rng = Rng::with_seed(seed);
    let mut starts: Vec<Timestamp> = (0..count).map(|_| random_start(&mut rng)).collect();
    starts.sort();
    let mut per_year = std::collections::BTreeMap::<i16, u32>::new();
    let mut out: Vec<Postmortem> = Vec::with_capacity(count);
    for started in starts {
        let counter = per_year.entry(utc(started).year()).or_default();
        *counter += 1;
        let id = format!("INC-{}-{:04}", utc(started).year(), counter);
        let postmortem = Draft::new(&mut rng, id, started, &out).finish(&mut rng);
        out.push(postmortem);
    }
    out
}

fn utc(ts: Timestamp) -> DateTime {
    Offset::UTC.to_datetime(ts)
}

fn random_start(rng: &mut Rng) -> Timestamp {
    // Year i has weight 2 + i: teams write more postmortems as they grow.
    let weights: Vec<u32> = (0..YEARS).map(|i| 2 + i as u32).collect();
    let year = FIRST_YEAR + weighted(rng, &weights) as i16;
    let day = rng.i64(0..365);
    let first = Date::new(year, 1, 1)
        .expect("valid date")
        .to_datetime(jiff::civil::Time::midnight());
    let start = first
        .checked_add(SignedDuration::from_secs(
            day * 86_400 + rng.i64(0..1440) * 60,
        ))
        .expect("in range");
    Offset::UTC.to_timestamp(start).expect("in range")
}

/// An index drawn with the given weights.
fn weighted(rng: &mut Rng, weights: &[u32]) -> usize {
    let total: u32 = weights.iter().sum();
    let mut roll = rng.u32(0..total);
    for (i, w) in weights.iter().enumerate() {
        if roll < *w {
            return i;
        }
        roll -= w;
    }
    weights.len() - 1
}

/// Zipf-like rank weights (1/rank), scaled to integers.
fn zipf(len: usize) -> Vec<u32> {
    (1..=len).map(|rank| (10_000 / rank) as u32).collect()
}

/// `n` distinct items, drawn by rank with Zipf-like weights.
fn distinct_skewed(rng: &mut Rng, items: &'static [&'static str], n: usize) -> Vec<&'static str> {
    let weights = zipf(items.len());
    let mut chosen = Vec::with_capacity(n);
    while chosen.len() < n {
        let item = items[weighted(rng, &weights)];
        if !chosen.contains(&item) {
            chosen.push(item);
        }
    }
    chosen
}

fn minutes(m: i64) -> SignedDuration {
    SignedDuration::from_secs(m * 60)
}

/// The facts of one postmortem before its body is written.
struct Draft {
    pm: Postmortem,
    component: &'static str,
    /// An earlier incident the root cause refers to with `[[ID]]`.
    mention: Option<String>,
}

impl Draft {
    fn new(rng: &mut Rng, id: String, started: Timestamp, earlier: &[Postmortem]) -> Draft {
        let (level, weight_alias) = {
            let weights: Vec<u32> = SEVERITIES.iter().map(|s| s.1).collect();
            let (name, _, aliases) = SEVERITIES[weighted(rng, &weights)];
            (
                name,
                if rng.u8(0..5) == 0 {
                    pick(rng, aliases)
                } else {
                    name
                },
            )
        };
        let (service_count, tag_count) = (rng.usize(1..=3), rng.usize(2..=5));
        let services = distinct_skewed(rng, SERVICES, service_count);
        let tags = distinct_skewed(rng, TAGS, tag_count);
        let component = pick(rng, COMPONENTS);
        let title = title(rng, component, services[0]);
        let detected = started + minutes(rng.i64(1..30));
        let mitigated = detected + minutes(rng.i64(5..240));
        let status = match rng.u8(0..100) {
            0..3 => "mitigated",
            3..15 => "closed",
            _ => "resolved",
        };
        let resolved = (status != "mitigated").then(|| mitigated + minutes(rng.i64(0..720)));
        let commander = pick(rng, PEOPLE);
        let responders: Vec<&str> = (0..rng.usize(1..=4))
            .map(|_| pick(rng, PEOPLE))
            .filter(|p| *p != commander)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let recent = &earlier[earlier.len().saturating_sub(400)..];
        let related = if !recent.is_empty() && rng.u8(0..5) == 0 {
            let mut ids: Vec<String> = (0..rng.usize(1..=2))
                .map(|_| recent[rng.usize(..recent.len())].id.clone())
                .collect();
            ids.dedup();
            ids
        } else {
            Vec::new()
        };
        let repeat_of = recent
            .iter()
            .rev()
            .find(|p| p.services[0] == services[0])
            .filter(|_| rng.u8(0..20) == 0)
            .map(|p| p.id.clone());
        let mention = (!recent.is_empty() && rng.u8(0..4) == 0)
            .then(|| recent[rng.usize(..recent.len())].id.clone());
        let mut pm = Postmortem {
            stem: format!("{id}-{}", slug(&title)),
            id,
            title,
            severity: weight_alias,
            level,
            status,
            started,
            detected,
            mitigated,
            resolved,
            services,
            tags,
            commander,
            responders,
            impact: String::new(),
            trigger: String::new(),
            contributing_factors: Vec::new(),
            related,
            repeat_of,
            action_items: Vec::new(),
            body: String::new(),
        };
        pm.impact = fill(rng, SENTENCES, &pm, component);
        pm.trigger = format!("{} on the {component}.", capitalise(pick(rng, CAUSES)));
        Draft {
            pm,
            component,
            mention,
        }
    }

    fn fill(&self, rng: &mut Rng, templates: &[&str]) -> String {
        fill(rng, templates, &self.pm, self.component)
    }

    fn paragraph(&self, rng: &mut Rng, sentences: usize) -> String {
        let mut text: Vec<String> = (0..sentences).map(|_| self.fill(rng, SENTENCES)).collect();
        text.dedup();
        text.join(" ")
    }

    fn finish(mut self, rng: &mut Rng) -> Postmortem {
        let factors: Vec<String> = (0..rng.usize(2..=4))
            .map(|_| self.fill(rng, CONTRIBUTING))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        if rng.u8(0..5) < 2 {
            self.pm.contributing_factors = factors.clone();
        }
        let items: Vec<ActionItem> = (0..rng.usize(2..=5))
            .map(|_| self.action_item(rng))
            .collect();
        let in_front_matter = rng.u8(0..5) == 0;

        let summary = self.paragraph(rng, 3);
        let timeline = self.timeline(rng);
        let impact = format!(
            "{}\n\n- {}\n- {}\n",
            self.paragraph(rng, 2),
            self.fill(rng, SENTENCES),
            self.fill(rng, SENTENCES),
        );
        let mut root_cause = vec![self.paragraph(rng, 3)];
        if let Some(id) = &self.mention {
            root_cause.push(format!(
                "This is the same family of problem as [[{id}]], which we fixed only for one service."
            ));
        }
        let service_slug = slug(self.pm.services[0]);
        let blocks: Vec<String> = (0..rng.usize(1..=3))
            .map(|_| code::block(rng, &service_slug))
            .collect();
        let resolution = self.paragraph(rng, 3);
        let lessons: Vec<String> = (0..rng.usize(2..=5))
            .map(|_| self.fill(rng, LESSONS))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let action_section = if in_front_matter {
            "The action items are tracked in the front matter of this postmortem.\n".to_string()
        } else if rng.u8(0..10) < 7 {
            action_table(&items)
        } else {
            task_list(&items)
        };
        if in_front_matter {
            self.pm.action_items = items;
        }

        let target = rng.usize(MIN_BYTES..MAX_BYTES);
        let front_matter = crate::sites::hindsight_front_matter(&self.pm).len();
        loop {
            let body = assemble(&Sections {
                summary: &summary,
                timeline: &timeline,
                impact: &impact,
                root_cause: &root_cause,
                blocks: &blocks,
                factors: &factors,
                resolution: &resolution,
                lessons: &lessons,
                actions: &action_section,
            });
            let missing = target.saturating_sub(front_matter + body.len());
            if missing == 0 {
                self.pm.body = body;
                return self.pm;
            }
            // Short paragraphs near the end keep files under the maximum.
            let sentences = if missing < 400 { 1 } else { rng.usize(3..=5) };
            root_cause.push(self.paragraph(rng, sentences));
        }
    }

    fn action_item(&self, rng: &mut Rng) -> ActionItem {
        let due = utc(self.pm.started).date() + jiff::Span::new().days(rng.i64(7..120));
        ActionItem {
            title: self.fill(rng, ACTIONS),
            owner: pick(rng, PEOPLE),
            due,
            // Teams close old follow-ups: only recent ones are still open.
            status: match rng.u8(0..10) {
                _ if due
                    < Date::new(FIRST_YEAR + YEARS, 1, 1).expect("valid")
                        - jiff::Span::new().days(90) =>
                {
                    "done"
                }
                0..6 => "done",
                6..8 => "in-progress",
                _ => "open",
            },
        }
    }

    fn timeline(&self, rng: &mut Rng) -> String {
        let pm = &self.pm;
        let mut events = vec![
            (pm.started, format!("{} starts failing", pm.services[0])),
            (
                pm.detected,
                format!("Alert fires; {} acknowledges the page", pick(rng, PEOPLE)),
            ),
        ];
        let mut at = pm.detected;
        for _ in 0..rng.usize(3..=8) {
            at += minutes(rng.i64(2..25));
            events.push((at, self.fill(rng, SENTENCES)));
        }
        events.push((
            pm.mitigated.max(at),
            format!("Mitigated: {} error rate back to baseline", pm.services[0]),
        ));
        if let Some(resolved) = pm.resolved {
            events.push((resolved.max(at), "Incident resolved".to_string()));
        }
        let hhmm = |ts: Timestamp| utc(ts).strftime("%H:%M").to_string();
        let mut out = String::from("All times UTC.\n\n");
        if rng.bool() {
            out.push_str("| Time | Event |\n|------|-------|\n");
            for (ts, text) in events {
                out.push_str(&format!("| {} | {} |\n", hhmm(ts), text));
            }
        } else {
            for (ts, text) in events {
                out.push_str(&format!("- **{}** - {}\n", hhmm(ts), text));
            }
        }
        out
    }
}

struct Sections<'a> {
    summary: &'a str,
    timeline: &'a str,
    impact: &'a str,
    root_cause: &'a [String],
    blocks: &'a [String],
    factors: &'a [String],
    resolution: &'a str,
    lessons: &'a [String],
    actions: &'a str,
}

/// The Markdown body; code blocks are spread through the root-cause section.
fn assemble(s: &Sections<'_>) -> String {
    let mut root = String::new();
    for (i, paragraph) in s.root_cause.iter().enumerate() {
        root.push_str(paragraph);
        root.push_str("\n\n");
        if let Some(block) = s.blocks.get(i) {
            root.push_str(block);
            root.push('\n');
        }
    }
    for block in s.blocks.iter().skip(s.root_cause.len()) {
        root.push_str(block);
        root.push('\n');
    }
    let bullets = |items: &[String]| items.iter().map(|i| format!("- {i}\n")).collect::<String>();
    format!(
        "## Summary\n\n{}\n\n## Timeline\n\n{}\n## Impact\n\n{}\n## Root Cause\n\n{}\
         ## Contributing Factors\n\n{}\n## Resolution\n\n{}\n\n## Lessons Learned\n\n{}\n\
         ## Action Items\n\n{}",
        s.summary,
        s.timeline,
        s.impact,
        root,
        bullets(s.factors),
        s.resolution,
        bullets(s.lessons),
        s.actions,
    )
}

fn action_table(items: &[ActionItem]) -> String {
    let mut out =
        String::from("| Action | Owner | Due | Status |\n|--------|-------|-----|--------|\n");
    for item in items {
        let status = match item.status {
            "done" => "✅ Done",
            "in-progress" => "⏳ In Progress",
            _ => "TODO",
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            item.title, item.owner, item.due, status
        ));
    }
    out
}

fn task_list(items: &[ActionItem]) -> String {
    items
        .iter()
        .map(|item| {
            let mark = if item.status == "done" { 'x' } else { ' ' };
            format!(
                "- [{mark}] {} (owner: {}, due {})\n",
                item.title, item.owner, item.due
            )
        })
        .collect()
}

fn title(rng: &mut Rng, component: &str, service: &str) -> String {
    let failure = pick(rng, FAILURES);
    let text = match rng.u8(0..3) {
        0 => format!(
            "{component} {failure} in {service} after {}",
            pick(rng, CAUSES)
        ),
        1 => format!("{service} {failure} caused by the {component}"),
        _ => format!("{component} {failure} takes down {service}"),
    };
    capitalise(&text)
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// One of `templates` with `{svc}`, `{comp}`, `{who}`, `{n}`, `{pct}` and
/// `{mins}` filled in.
fn fill(rng: &mut Rng, templates: &[&str], pm: &Postmortem, component: &str) -> String {
    let template = pick(rng, templates);
    let service = pm.services[rng.usize(..pm.services.len())];
    template
        .replace("{svc}", service)
        .replace("{comp}", component)
        .replace("{who}", pick(rng, PEOPLE))
        .replace("{n}", &rng.u32(3..5000).to_string())
        .replace("{pct}", &rng.u32(5..95).to_string())
        .replace("{mins}", &rng.u32(3..90).to_string())
}

/// Lowercase ASCII words joined by `-`.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for word in text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&word.to_ascii_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_corpus_other_seed_other_corpus() {
        let a = generate(30, 7);
        let b = generate(30, 7);
        let c = generate(30, 8);
        let bodies = |c: &[Postmortem]| c.iter().map(|p| p.body.clone()).collect::<Vec<_>>();
        assert_eq!(bodies(&a), bodies(&b));
        assert_ne!(bodies(&a), bodies(&c));
    }

    #[test]
    fn ids_are_unique_and_references_point_backwards() {
        let corpus = generate(500, 1);
        let mut ids: Vec<&str> = corpus.iter().map(|p| p.id.as_str()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), corpus.len());
        for (n, pm) in corpus.iter().enumerate() {
            for target in pm.related.iter().chain(&pm.repeat_of) {
                assert!(corpus[..n].iter().any(|p| &p.id == target), "{target}");
            }
        }
        assert!(corpus.iter().any(|p| !p.related.is_empty()));
        assert!(corpus.iter().any(|p| p.body.contains("[[INC-")));
    }

    #[test]
    fn tags_are_skewed_and_code_blocks_present() {
        let corpus = generate(2000, 3);
        let count = |tag: &str| corpus.iter().filter(|p| p.tags.contains(&tag)).count();
        assert!(count(TAGS[0]) > 10 * count(TAGS[TAGS.len() - 1]).max(1) / 2);
        let used = TAGS.iter().filter(|t| count(t) > 0).count();
        assert!(used >= 55, "{used} tags used");
        for pm in &corpus {
            let fences = pm.body.matches("\n```").count() / 2;
            assert!((1..=3).contains(&fences), "{} has {fences} blocks", pm.id);
        }
    }
}

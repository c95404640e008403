//! Machine-readable outputs: `incidents.json`, `lessons.json`, `feed.xml` (Atom) and `sitemap.xml`.

use serde::Serialize;

use super::pages::pretty_path;
use super::views::{incident_path, round1};
use crate::incident::Incident;
use crate::link::{Kb, RelationReason, start_instant};

/// Entries in the Atom feed: the most recent incidents.
const FEED_ENTRIES: usize = 50;

#[derive(Serialize)]
struct ActionItemJson<'a> {
    title: &'a str,
    owner: Option<&'a str>,
    due: Option<String>,
    status: &'static str,
}

#[derive(Serialize)]
struct IncidentJson<'a> {
    id: &'a str,
    title: &'a str,
    url: String,
    date: Option<String>,
    quarter: Option<String>,
    severity: Option<&'a str>,
    severity_rank: Option<usize>,
    status: &'static str,
    started: Option<String>,
    detected: Option<String>,
    mitigated: Option<String>,
    resolved: Option<String>,
    duration_minutes: Option<f64>,
    time_to_detect_minutes: Option<f64>,
    services: Vec<&'a str>,
    tags: Vec<&'a str>,
    related: Vec<&'a str>,
    repeat_of: Option<&'a str>,
    /// `declared` (front matter) or `detected` (the rule of docs/metrics.md); null when not a repeat.
    repeat: Option<&'static str>,
    commander: Option<&'a str>,
    responders: &'a [String],
    impact: Option<&'a str>,
    trigger: Option<&'a str>,
    contributing_factors: &'a [String],
    summary: Option<&'a str>,
    lessons: Vec<&'a str>,
    action_items: Vec<ActionItemJson<'a>>,
    /// Similar incidents by content, best first (docs/output.md).
    similar: Vec<SimilarJson<'a>>,
}

#[derive(Serialize)]
struct SimilarJson<'a> {
    id: &'a str,
    /// Cosine similarity, 0–1, to three decimals.
    score: f64,
    /// The distinctive words both share.
    words: &'a [String],
}

/// `incidents.json`: one object per published incident (docs/output.md). Missing values are null.
pub fn incidents_json(kb: &Kb) -> Vec<u8> {
    let records: Vec<IncidentJson> = kb
        .incidents
        .iter()
        .enumerate()
        .map(|(n, i)| IncidentJson {
            id: &i.id,
            title: &i.title,
            url: pretty_path(&incident_path(&i.slug)).to_string(),
            date: crate::link::incident_day(i, &kb.config).map(|d| d.to_string()),
            quarter: kb.quarters[n].map(|q| q.label()),
            severity: i.severity.as_ref().map(|s| s.name.as_str()),
            severity_rank: i.severity.as_ref().map(|s| s.rank),
            status: i.status.as_str(),
            started: i.started.map(|t| t.to_string()),
            detected: i.detected.map(|t| t.to_string()),
            mitigated: i.mitigated.map(|t| t.to_string()),
            resolved: i.resolved.map(|t| t.to_string()),
            duration_minutes: i.time_to_resolve().map(round1),
            time_to_detect_minutes: i.time_to_detect().map(round1),
            services: i.services.iter().map(|l| l.name.as_str()).collect(),
            tags: i.tags.iter().map(|l| l.name.as_str()).collect(),
            related: kb.related[n]
                .iter()
                .filter(|r| r.reason == RelationReason::Explicit)
                .map(|r| kb.incidents[r.target].id.as_str())
                .collect(),
            repeat_of: kb.repeats[n].map(|r| kb.incidents[r.of].id.as_str()),
            repeat: kb.repeats[n].map(|r| match r.kind {
                crate::link::RepeatKind::Declared => "declared",
                crate::link::RepeatKind::Detected => "detected",
            }),
            commander: i.commander.as_deref(),
            responders: &i.responders,
            impact: i.impact.as_deref(),
            trigger: i.trigger.as_deref(),
            contributing_factors: &i.contributing_factors,
            summary: i.summary.as_deref(),
            lessons: i.lessons.iter().map(|l| l.text.as_str()).collect(),
            action_items: i
                .action_items
                .iter()
                .map(|a| ActionItemJson {
                    title: &a.title,
                    owner: a.owner.as_deref(),
                    due: a.due.map(|d| d.to_string()),
                    status: a.status.as_str(),
                })
                .collect(),
            similar: kb.meaning.similar[n]
                .iter()
                .map(|s| SimilarJson {
                    id: &kb.incidents[s.target].id,
                    score: (f64::from(s.score) * 1000.0).round() / 1000.0,
                    words: &s.words,
                })
                .collect(),
        })
        .collect();
    let mut bytes = serde_json::to_vec_pretty(&records).expect("incidents serialise");
    bytes.push(b'\n');
    bytes
}

#[derive(Serialize)]
struct LessonsJson<'a> {
    /// Lessons learned in more than one incident, the most incidents first.
    recurring: Vec<RecurringJson<'a>>,
    /// Every lesson, newest incident first.
    lessons: Vec<LessonJson<'a>>,
}

#[derive(Serialize)]
struct RecurringJson<'a> {
    /// The most central wording.
    lesson: &'a str,
    /// How many incidents learned it.
    incidents: usize,
    first: Option<String>,
    last: Option<String>,
    /// Every wording, oldest incident first.
    members: Vec<LessonJson<'a>>,
}

#[derive(Serialize)]
struct LessonJson<'a> {
    incident: &'a str,
    text: &'a str,
    url: String,
    date: Option<String>,
    /// Index of its group in `recurring`, null when learned once.
    group: Option<usize>,
}

/// `lessons.json` (docs/output.md): every lesson, and the groups of lessons
/// learned in more than one incident.
pub fn lessons_json(kb: &Kb) -> Vec<u8> {
    let lesson = |n: usize, l: usize| {
        let incident = &kb.incidents[n];
        let lesson = &incident.lessons[l];
        LessonJson {
            incident: &incident.id,
            text: &lesson.text,
            url: format!(
                "{}#{}",
                pretty_path(&incident_path(&incident.slug)),
                lesson.anchor
            ),
            date: crate::link::incident_day(incident, &kb.config).map(|d| d.to_string()),
            group: kb.meaning.group_of[n][l],
        }
    };
    let recurring = kb
        .meaning
        .lesson_groups
        .iter()
        .map(|g| {
            let members: Vec<LessonJson> = g
                .members
                .iter()
                .map(|m| lesson(m.incident, m.lesson))
                .collect();
            RecurringJson {
                lesson: &kb.incidents[g.best.incident].lessons[g.best.lesson].text,
                incidents: g.incidents.len(),
                first: members.iter().find_map(|m| m.date.clone()),
                last: members.iter().rev().find_map(|m| m.date.clone()),
                members,
            }
        })
        .collect();
    let lessons = (0..kb.incidents.len())
        .flat_map(|n| (0..kb.incidents[n].lessons.len()).map(move |l| (n, l)))
        .map(|(n, l)| lesson(n, l))
        .collect();
    let mut bytes =
        serde_json::to_vec_pretty(&LessonsJson { recurring, lessons }).expect("lessons serialise");
    bytes.push(b'\n');
    bytes
}

/// `metrics.json` (docs/output.md): the metrics stage's figures as they are.
pub fn metrics_json(metrics: &crate::metrics::Metrics) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(metrics).expect("metrics serialise");
    bytes.push(b'\n');
    bytes
}

/// `metrics.csv`: the quarter table for spreadsheets, one row per listed
/// quarter (oldest first), the columns of `metrics.json`'s quarters;
/// durations in minutes, an unknown figure empty.
pub fn metrics_csv(metrics: &crate::metrics::Metrics) -> Vec<u8> {
    let levels: Vec<&str> = metrics.quarters.first().map_or(Vec::new(), |q| {
        q.figures
            .by_severity
            .0
            .iter()
            .map(|(l, _)| l.as_str())
            .collect()
    });
    let mut header: Vec<String> = ["quarter", "start", "end", "incidents"]
        .map(String::from)
        .to_vec();
    header.extend(levels.iter().map(|l| l.to_string()));
    header.extend(
        [
            "unrated",
            "ttr_median_minutes",
            "ttr_p90_minutes",
            "ttr_mean_minutes",
            "ttr_known",
            "ttd_median_minutes",
            "ttd_p90_minutes",
            "ttd_mean_minutes",
            "ttd_known",
            "action_items",
            "action_items_done",
            "action_items_open",
            "action_items_completion_rate",
            "repeat_incidents",
            "lessons_learned_again",
        ]
        .map(String::from),
    );
    let mut out = csv_line(&header);
    for q in &metrics.quarters {
        let f = &q.figures;
        let mut row = vec![
            q.quarter.to_string(),
            q.start.to_string(),
            q.end.to_string(),
            f.incidents.to_string(),
        ];
        row.extend(f.by_severity.0.iter().map(|(_, c)| c.to_string()));
        row.push(f.unrated.to_string());
        for stats in [&f.mttr_minutes, &f.mttd_minutes] {
            match stats {
                Some(s) => row.extend([
                    s.median.get().to_string(),
                    s.p90.get().to_string(),
                    s.mean.get().to_string(),
                    s.n.to_string(),
                ]),
                None => row.extend([String::new(), String::new(), String::new(), "0".into()]),
            }
        }
        let a = &f.action_items;
        row.extend([
            a.total.to_string(),
            a.done.to_string(),
            a.open.to_string(),
            a.completion_rate.map(|r| r.to_string()).unwrap_or_default(),
            f.repeat_incidents.to_string(),
            f.lessons_learned_again.to_string(),
        ]);
        out.push_str(&csv_line(&row));
    }
    out.into_bytes()
}

/// One CSV record (RFC 4180): fields with a comma, quote or line break are quoted.
fn csv_line(fields: &[String]) -> String {
    let quoted: Vec<String> = fields
        .iter()
        .map(|f| {
            if f.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", f.replace('"', "\"\""))
            } else {
                f.clone()
            }
        })
        .collect();
    format!("{}\r\n", quoted.join(","))
}

fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// The site's absolute base, or `/` when no `base_url` is configured.
fn base(kb: &Kb) -> &str {
    kb.config.base_url.as_deref().unwrap_or("/")
}

fn updated(incident: &Incident, kb: &Kb) -> Option<jiff::Timestamp> {
    incident
        .resolved
        .or(incident.mitigated)
        .or_else(|| start_instant(incident, &kb.config))
}

/// `feed.xml`: an Atom feed of the most recent incidents.
pub fn atom_feed(kb: &Kb) -> Vec<u8> {
    let base = base(kb);
    let entries: Vec<&Incident> = kb.incidents.iter().take(FEED_ENTRIES).collect();
    let feed_updated = entries
        .iter()
        .filter_map(|i| updated(i, kb))
        .max()
        .map_or_else(|| "1970-01-01T00:00:00Z".to_string(), |t| t.to_string());
    let mut xml = String::new();
    xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    xml.push_str(&format!(
        "  <title>{}</title>\n",
        xml_escape(&kb.config.title)
    ));
    xml.push_str(&format!(
        "  <link href=\"{}\"/>\n  <link rel=\"self\" href=\"{}feed.xml\"/>\n",
        xml_escape(base),
        xml_escape(base)
    ));
    xml.push_str(&format!(
        "  <id>{}</id>\n  <updated>{feed_updated}</updated>\n  <generator>hindsight</generator>\n",
        xml_escape(base)
    ));
    for incident in entries {
        let url = format!("{base}{}", pretty_path(&incident_path(&incident.slug)));
        xml.push_str("  <entry>\n");
        xml.push_str(&format!(
            "    <title>{}</title>\n",
            xml_escape(&format!("{}: {}", incident.id, incident.title))
        ));
        xml.push_str(&format!(
            "    <link href=\"{}\"/>\n    <id>{}</id>\n",
            xml_escape(&url),
            xml_escape(&url)
        ));
        xml.push_str(&format!(
            "    <updated>{}</updated>\n",
            updated(incident, kb).map_or_else(|| feed_updated.clone(), |t| t.to_string())
        ));
        if let Some(summary) = &incident.summary {
            xml.push_str(&format!("    <summary>{}</summary>\n", xml_escape(summary)));
        }
        if let Some(severity) = &incident.severity {
            xml.push_str(&format!(
                "    <category term=\"{}\" label=\"severity\"/>\n",
                xml_escape(&severity.name)
            ));
        }
        for tag in &incident.tags {
            xml.push_str(&format!(
                "    <category term=\"{}\"/>\n",
                xml_escape(&tag.name)
            ));
        }
        xml.push_str("  </entry>\n");
    }
    xml.push_str("</feed>\n");
    xml.into_bytes()
}

/// `sitemap.xml` for every HTML page except the 404 page.
pub fn sitemap(kb: &Kb, pages: &[String]) -> Vec<u8> {
    let base = base(kb);
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for path in pages
        .iter()
        .filter(|p| p.ends_with(".html") && p.as_str() != "404.html")
    {
        xml.push_str(&format!(
            "  <url><loc>{}</loc></url>\n",
            xml_escape(&format!("{base}{}", pretty_path(path)))
        ));
    }
    xml.push_str("</urlset>\n");
    xml.into_bytes()
}

//! The knowledge base: published incidents with every cross-reference
//! resolved — groups by tag, service and severity; related incidents;
//! backlinks; repeats; quarters. Cross-incident work goes through maps by
//! label, never over all pairs.

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;
use jiff::civil::Date;
use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostics::{Diagnostic, LineIndex, Location, codes};
use crate::field;
use crate::incident::{Incident, Label};
use crate::quarter::Quarter;
use crate::similar::Meaning;

/// How many inferred related incidents a page shows (explicit ones are all shown).
const MAX_INFERRED_RELATED: usize = 5;
/// Shared services say more about a relation than shared tags.
const SERVICE_WEIGHT: f32 = 1.5;

/// What the build includes and what "today" is.
#[derive(Debug, Clone)]
pub struct Scope {
    pub drafts: bool,
    pub include_internal: bool,
    /// Reference date for overdue action items (`--now`).
    pub now: Date,
}

/// Incidents sharing a tag or a service.
#[derive(Debug, Clone)]
pub struct Group {
    pub label: Label,
    /// Indexes into `Kb::incidents`, newest first.
    pub incidents: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RelationReason {
    /// Listed in `related` (by either incident).
    Explicit,
    /// Shares these tags/services (display names), strongest first.
    Shared(Vec<String>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Relation {
    pub target: usize,
    pub reason: RelationReason,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepeatKind {
    /// `repeat_of` in the front matter.
    Declared,
    /// Shares a service and a tag with an incident shortly before it.
    Detected,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Repeat {
    pub of: usize,
    pub kind: RepeatKind,
}

/// The linked knowledge base.
#[derive(Debug)]
pub struct Kb {
    pub config: Config,
    pub scope: Scope,
    /// Published incidents, newest first; incidents without any date last.
    pub incidents: Vec<Incident>,
    /// Quarter of each incident (by `started`, else `date`).
    pub quarters: Vec<Option<Quarter>>,
    /// Tags and services, most used first.
    pub tags: Vec<Group>,
    pub services: Vec<Group>,
    /// Per incident: explicit relations first, then inferred ones, best first.
    pub related: Vec<Vec<Relation>>,
    /// Per incident: a key of everything its `related` list is made from;
    /// the next rebuild reuses the lists whose keys are unchanged.
    pub related_keys: Vec<u64>,
    /// Per incident: incidents whose body links to it with `[[ID]]`, except
    /// those that repeat it (listed once, in `repeated_by`).
    pub backlinks: Vec<Vec<usize>>,
    /// Per incident: the earlier incident it repeats, if any.
    pub repeats: Vec<Option<Repeat>>,
    /// Per incident: the later incidents that repeat it, oldest first.
    pub repeated_by: Vec<Vec<usize>>,
    /// Per incident: resolved `[[ID]]` targets of its body, by the id as written.
    pub references: Vec<BTreeMap<String, usize>>,
    /// Similar incidents and recurring lessons.
    pub meaning: Meaning,
    by_key: HashMap<String, usize>,
}

impl Kb {
    /// Finds a published incident by id, case-insensitively.
    pub fn find(&self, id: &str) -> Option<usize> {
        self.by_key.get(&lookup_key(id)).copied()
    }

    pub fn severity_groups(&self) -> Vec<(usize, String, Vec<usize>)> {
        self.config
            .severities
            .levels()
            .iter()
            .enumerate()
            .map(|(i, level)| {
                let members = (0..self.incidents.len())
                    .filter(|&n| {
                        self.incidents[n]
                            .severity
                            .as_ref()
                            .is_some_and(|s| s.rank == i + 1)
                    })
                    .collect();
                (i + 1, level.name.clone(), members)
            })
            .collect()
    }
}

fn lookup_key(id: &str) -> String {
    crate::slug::id_slug(id)
}

/// When an incident happened: `started`, else midnight of `date` in the configured zone.
pub fn start_instant(incident: &Incident, config: &Config) -> Option<Timestamp> {
    incident.started.or_else(|| {
        incident
            .date
            .and_then(|d| d.to_zoned_datetime(config.timezone.clone()).ok())
            .map(|z| z.timestamp())
    })
}

/// The calendar day of the incident in the configured zone.
pub fn incident_day(incident: &Incident, config: &Config) -> Option<Date> {
    incident
        .started
        .map(|s| s.to_zoned_datetime(config.timezone.clone()).date())
        .or(incident.date)
}

/// Gives the linked incidents (in their final order) an earlier build's meaning.
pub type CarryMeaning<'a> = dyn Fn(&[Incident]) -> Meaning + 'a;

/// An earlier build's related incidents, with the key of each list
/// ([`Kb::related_keys`]): `serve`'s rebuilds link again incrementally,
/// computing only the lists whose inputs changed.
#[derive(Debug, Clone, Default)]
pub struct Related {
    pub lists: Vec<Vec<Relation>>,
    pub keys: Vec<u64>,
}

impl Related {
    /// The list of incident `n` if it was made from inputs with this key.
    fn reusable(&self, n: usize, key: u64) -> Option<&Vec<Relation>> {
        (self.keys.get(n) == Some(&key))
            .then(|| self.lists.get(n))
            .flatten()
    }
}

/// What a rebuild takes over from earlier builds instead of computing it.
#[derive(Default)]
pub struct Earlier<'a> {
    /// The meaning (similar incidents, recurring lessons), carried over
    /// from the last complete build: `serve`'s quick rebuild, which a
    /// complete one follows.
    pub meaning: Option<&'a CarryMeaning<'a>>,
    /// The last build's related incidents: lists whose key is unchanged
    /// are reused.
    pub related: Option<&'a Related>,
}

/// Links parsed incidents into a knowledge base. Duplicate ids are errors;
/// references to unknown incidents are warnings (errors under `--strict`).
/// What `earlier` holds is reused rather than computed (see [`Earlier`]).
pub fn link(
    all: Vec<Incident>,
    config: Config,
    scope: Scope,
    earlier: Option<&Earlier<'_>>,
) -> (Kb, Vec<Diagnostic>) {
    let nothing_earlier = Earlier::default();
    let earlier = earlier.unwrap_or(&nothing_earlier);
    let mut diagnostics = Vec::new();

    // Ids are unique across every file, published or not.
    let mut first_by_key: HashMap<String, &Incident> = HashMap::new();
    for incident in &all {
        match first_by_key.get(&lookup_key(&incident.id)) {
            Some(first) => diagnostics.push(
                Diagnostic::error(
                    codes::DUPLICATE_ID,
                    &incident.source_path,
                    format!(
                        "id `{}` is already used by {}",
                        incident.id, first.source_path
                    ),
                )
                .at(field_location(incident, field::ID))
                .hint("give each postmortem its own `id:` (ids compare case-insensitively)"),
            ),
            None => {
                first_by_key.insert(lookup_key(&incident.id), incident);
            }
        }
    }
    let unpublished: HashMap<String, bool> = all
        .iter()
        .filter(|i| !i.is_published(scope.drafts, scope.include_internal))
        .map(|i| (lookup_key(&i.id), i.draft))
        .collect();
    let known_everywhere: std::collections::HashSet<String> =
        first_by_key.keys().cloned().collect();
    drop(first_by_key);

    let mut incidents: Vec<Incident> = all
        .into_iter()
        .filter(|i| i.is_published(scope.drafts, scope.include_internal))
        .collect();
    // Newest first; undated last; ties by id for a stable order.
    let starts: HashMap<String, Option<Timestamp>> = incidents
        .iter()
        .map(|i| (i.source_path.clone(), start_instant(i, &config)))
        .collect();
    incidents.sort_by(|a, b| {
        let (sa, sb) = (starts[&a.source_path], starts[&b.source_path]);
        sb.is_some()
            .cmp(&sa.is_some())
            .then(sb.cmp(&sa))
            .then_with(|| a.id.cmp(&b.id))
    });
    let mut by_key = HashMap::with_capacity(incidents.len());
    for (n, incident) in incidents.iter().enumerate() {
        by_key.entry(lookup_key(&incident.id)).or_insert(n);
    }

    // The location is made only for a diagnostic: most references resolve.
    let resolve = |from: &Incident,
                   target: &str,
                   location: &dyn Fn() -> Location,
                   what: &str,
                   diagnostics: &mut Vec<Diagnostic>|
     -> Option<usize> {
        let key = lookup_key(target);
        if let Some(&n) = by_key.get(&key) {
            return Some(n);
        }
        let diagnostic = if let Some(&draft) = unpublished.get(&key) {
            let kind = if draft {
                "a draft"
            } else {
                "an internal incident"
            };
            Diagnostic::warning(
                codes::REFERENCE_UNPUBLISHED,
                &from.source_path,
                format!("{what} `{target}` is {kind}; it is shown without a link"),
            )
            .hint("publish the target, or build with --drafts / --include-internal")
        } else if known_everywhere.contains(&key) {
            return None;
        } else {
            Diagnostic::warning(codes::UNKNOWN_REFERENCE, &from.source_path, format!("{what} `{target}` matches no incident"))
                .hint("check the id (ids are listed on the incidents page); this is an error under --strict")
        };
        diagnostics.push(diagnostic.at(location()));
        None
    };

    let count = incidents.len();
    let mut explicit: Vec<Vec<usize>> = vec![Vec::new(); count];
    let mut repeats: Vec<Option<Repeat>> = vec![None; count];
    let mut backlinks: Vec<Vec<usize>> = vec![Vec::new(); count];
    let mut references: Vec<BTreeMap<String, usize>> = vec![BTreeMap::new(); count];
    for (n, incident) in incidents.iter().enumerate() {
        for target in &incident.related {
            if let Some(t) = resolve(
                incident,
                target,
                &|| field_location(incident, field::RELATED),
                "related incident",
                &mut diagnostics,
            ) && t != n
            {
                explicit[n].push(t);
                explicit[t].push(n);
            }
        }
        if let Some(target) = &incident.repeat_of
            && let Some(t) = resolve(
                incident,
                target,
                &|| field_location(incident, field::REPEAT_OF),
                field::REPEAT_OF,
                &mut diagnostics,
            )
            && t != n
        {
            repeats[n] = Some(Repeat {
                of: t,
                kind: RepeatKind::Declared,
            });
        }
        let body_lines = std::cell::OnceCell::new();
        for reference in &incident.references {
            let location = || {
                let lines = body_lines.get_or_init(|| LineIndex::new(&incident.body));
                let mut location =
                    lines.location(reference.offset, reference.target.chars().count() + 4);
                location.line += incident.body_line - 1;
                location
            };
            if let Some(t) = resolve(
                incident,
                &reference.target,
                &location,
                "reference",
                &mut diagnostics,
            ) {
                references[n].insert(reference.target.clone(), t);
                if t != n && !backlinks[t].contains(&n) {
                    backlinks[t].push(n);
                }
            }
        }
    }
    for list in &mut explicit {
        list.sort_unstable();
        list.dedup();
    }
    for list in &mut backlinks {
        list.sort_unstable();
    }

    let tags = groups(&incidents, |i| &i.tags);
    let services = groups(&incidents, |i| &i.services);
    let related_keys = related_keys(&incidents, &tags, &services, &explicit);
    let related = crate::profile::stage("  related", || {
        related_incidents(
            &incidents,
            &tags,
            &services,
            &explicit,
            &related_keys,
            earlier.related,
        )
    });
    detect_repeats(&incidents, &config, &mut repeats);
    let days: Vec<Option<Date>> = incidents.iter().map(|i| incident_day(i, &config)).collect();
    let quarters: Vec<Option<Quarter>> = days
        .iter()
        .map(|d| d.map(|d| Quarter::of(d, config.fiscal_year_start_month)))
        .collect();
    let meaning = match earlier.meaning {
        Some(carry) => crate::profile::stage("  carry over", || carry(&incidents)),
        None => crate::profile::stage("  similar", || {
            Meaning::compute(
                &incidents,
                &explicit,
                &days,
                &quarters,
                &config.search_synonyms,
                &config.similar,
            )
        }),
    };

    let mut repeated_by = vec![Vec::new(); incidents.len()];
    // Incidents are newest first: walking backwards lists the oldest repeat first.
    for (n, repeat) in repeats.iter().enumerate().rev() {
        if let Some(repeat) = repeat {
            repeated_by[repeat.of].push(n);
        }
    }
    // "Referenced by" names each incident once: a repeat usually links to
    // the incident it repeats, and is listed as a repeat.
    for (list, repeaters) in backlinks.iter_mut().zip(&repeated_by) {
        list.retain(|n| !repeaters.contains(n));
    }
    let kb = Kb {
        config,
        scope,
        incidents,
        quarters,
        tags,
        services,
        related,
        related_keys,
        backlinks,
        repeats,
        repeated_by,
        references,
        meaning,
        by_key,
    };
    (kb, diagnostics)
}

fn field_location(incident: &Incident, key: &str) -> Location {
    incident
        .field_locations
        .get(key)
        .cloned()
        .unwrap_or_default()
}

fn groups(incidents: &[Incident], labels: impl Fn(&Incident) -> &Vec<Label>) -> Vec<Group> {
    let mut map: BTreeMap<String, Group> = BTreeMap::new();
    for (n, incident) in incidents.iter().enumerate() {
        for label in labels(incident) {
            map.entry(label.slug.clone())
                .or_insert_with(|| Group {
                    label: label.clone(),
                    incidents: Vec::new(),
                })
                .incidents
                .push(n);
        }
    }
    let mut groups: Vec<Group> = map.into_values().collect();
    groups.sort_by(|a, b| {
        b.incidents
            .len()
            .cmp(&a.incidents.len())
            .then_with(|| a.label.slug.cmp(&b.label.slug))
    });
    groups
}

/// Per incident, a key of what [`related_incidents`] makes its list from:
/// its position and the number of incidents (the weights depend on it),
/// its explicit relations, and each of its labels (kind, slug, name) with
/// the members of the label's group (their number is the label's weight;
/// membership decides scores and shared labels). Equal keys, equal lists.
fn related_keys(
    incidents: &[Incident],
    tags: &[Group],
    services: &[Group],
    explicit: &[Vec<usize>],
) -> Vec<u64> {
    use std::hash::{DefaultHasher, Hash, Hasher};
    fn members(groups: &[Group]) -> HashMap<&str, u64> {
        groups
            .iter()
            .map(|g| {
                let mut hasher = DefaultHasher::new();
                g.incidents.hash(&mut hasher);
                (g.label.slug.as_str(), hasher.finish())
            })
            .collect()
    }
    let (tag_members, service_members) = (members(tags), members(services));
    let count = incidents.len();
    incidents
        .par_iter()
        .enumerate()
        .map(|(n, incident)| {
            let mut hasher = DefaultHasher::new();
            (n, count, &explicit[n]).hash(&mut hasher);
            for (kind, labels, groups) in [
                (0u8, &incident.tags, &tag_members),
                (1u8, &incident.services, &service_members),
            ] {
                labels.len().hash(&mut hasher);
                for label in labels {
                    (
                        kind,
                        &label.slug,
                        &label.name,
                        groups.get(label.slug.as_str()),
                    )
                        .hash(&mut hasher);
                }
            }
            hasher.finish()
        })
        .collect()
}

/// Explicit relations first; then the incidents sharing the most specific
/// tags and services (weighted by rarity), best first. A list whose key is
/// unchanged since `earlier` is taken from it.
fn related_incidents(
    incidents: &[Incident],
    tags: &[Group],
    services: &[Group],
    explicit: &[Vec<usize>],
    keys: &[u64],
    earlier: Option<&Related>,
) -> Vec<Vec<Relation>> {
    let count = incidents.len();
    // Labels on most incidents say little and cost the most; skip them for
    // inference. Past 10,000 incidents the cap stays at 2,500: a quarter of
    // 100,000 made each incident visit tens of thousands of others, and
    // linking took minutes (BENCHMARKS.md, 100,000 postmortems).
    let cap = (count / 4).clamp(50, 2_500);
    let weight = |df: usize| ((count as f32 + 1.0) / df as f32).ln().max(0.05);
    let tag_index: HashMap<&str, (&[usize], f32)> = tags
        .iter()
        .filter(|g| g.incidents.len() <= cap)
        .map(|g| {
            (
                g.label.slug.as_str(),
                (g.incidents.as_slice(), weight(g.incidents.len())),
            )
        })
        .collect();
    let service_index: HashMap<&str, (&[usize], f32)> = services
        .iter()
        .filter(|g| g.incidents.len() <= cap)
        .map(|g| {
            (
                g.label.slug.as_str(),
                (
                    g.incidents.as_slice(),
                    weight(g.incidents.len()) * SERVICE_WEIGHT,
                ),
            )
        })
        .collect();

    (0..count)
        .into_par_iter()
        .map_init(
            // Scores are allocated only where a list is computed.
            || (Vec::new(), Vec::new()),
            |(scores, touched), n| {
                if let Some(list) = earlier.and_then(|e| e.reusable(n, keys[n])) {
                    return list.clone();
                }
                scores.resize(count, 0f32);
                let incident = &incidents[n];
                let postings = incident
                    .tags
                    .iter()
                    .filter_map(|l| tag_index.get(l.slug.as_str()))
                    .chain(
                        incident
                            .services
                            .iter()
                            .filter_map(|l| service_index.get(l.slug.as_str())),
                    );
                for (members, w) in postings {
                    for &m in *members {
                        if scores[m] == 0.0 {
                            touched.push(m);
                        }
                        scores[m] += w;
                    }
                }
                let mut inferred: Vec<(usize, f32)> = touched
                    .iter()
                    .map(|&m| (m, scores[m]))
                    .filter(|&(m, _)| m != n && !explicit[n].contains(&m))
                    .collect();
                for &m in touched.iter() {
                    scores[m] = 0.0;
                }
                touched.clear();
                // Best score first; among equals the newer incident (lower index).
                inferred.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                inferred.truncate(MAX_INFERRED_RELATED);
                let mut relations: Vec<Relation> = explicit[n]
                    .iter()
                    .map(|&t| Relation {
                        target: t,
                        reason: RelationReason::Explicit,
                    })
                    .collect();
                relations.extend(inferred.into_iter().map(|(m, _)| Relation {
                    target: m,
                    reason: RelationReason::Shared(shared_labels(incident, &incidents[m])),
                }));
                relations
            },
        )
        .collect()
}

fn shared_labels(a: &Incident, b: &Incident) -> Vec<String> {
    let services = a
        .services
        .iter()
        .filter(|l| b.services.iter().any(|o| o.slug == l.slug))
        .map(|l| l.name.clone());
    let tags = a
        .tags
        .iter()
        .filter(|l| b.tags.iter().any(|o| o.slug == l.slug))
        .map(|l| l.name.clone());
    services.chain(tags).collect()
}

/// docs/metrics.md: a repeat shares at least one service and one tag with an earlier
/// incident that started at most `repeat_window_days` before it. Declared
/// repeats (`repeat_of`) take precedence.
fn detect_repeats(incidents: &[Incident], config: &Config, repeats: &mut [Option<Repeat>]) {
    let window = i64::from(config.repeat_window_days) * 86_400;
    let starts: Vec<Option<i64>> = incidents
        .iter()
        .map(|i| start_instant(i, config).map(|t| t.as_second()))
        .collect();
    // Per service: (start, index), oldest first.
    let mut by_service: HashMap<&str, Vec<(i64, usize)>> = HashMap::new();
    for (n, incident) in incidents.iter().enumerate() {
        if let Some(start) = starts[n] {
            for service in &incident.services {
                by_service
                    .entry(service.slug.as_str())
                    .or_default()
                    .push((start, n));
            }
        }
    }
    for list in by_service.values_mut() {
        list.sort_unstable();
    }
    let detected: Vec<Option<usize>> = (0..incidents.len())
        .into_par_iter()
        .map(|n| {
            let start = starts[n]?;
            let incident = &incidents[n];
            let mut best: Option<(i64, usize)> = None;
            for service in &incident.services {
                let list = &by_service[service.slug.as_str()];
                let from = list.partition_point(|&(s, _)| s < start - window);
                for &(s, m) in &list[from..] {
                    if s > start || (s == start && m >= n) {
                        break;
                    }
                    let shares_tag = incidents[m]
                        .tags
                        .iter()
                        .any(|t| incident.tags.iter().any(|o| o.slug == t.slug));
                    if m != n && shares_tag && best.is_none_or(|(bs, _)| s > bs) {
                        best = Some((s, m));
                    }
                }
            }
            best.map(|(_, m)| m)
        })
        .collect();
    for (slot, found) in repeats.iter_mut().zip(detected) {
        if slot.is_none() {
            *slot = found.map(|of| Repeat {
                of,
                kind: RepeatKind::Detected,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::SourceFile;

    fn incident(path: &str, front_matter: &str, body: &str) -> Incident {
        let text = format!("---\n{front_matter}\n---\n{body}");
        crate::incident::parse_incident(
            &SourceFile {
                path: path.into(),
                text,
            },
            &Config::default(),
        )
        .0
        .expect("valid incident")
    }

    fn scope() -> Scope {
        Scope {
            drafts: false,
            include_internal: false,
            now: jiff::civil::date(2026, 1, 1),
        }
    }

    #[test]
    fn sorts_groups_and_resolves_references() {
        let all = vec![
            incident(
                "content/a.md",
                "id: A\ntitle: A\nstarted: 2024-01-01 10:00\ntags: [Database, Connection Pool]\nservices: [Checkout API]",
                "See [[B]] and [[nope]].",
            ),
            incident(
                "content/b.md",
                "id: B\ntitle: B\nstarted: 2024-03-01 10:00\ntags: [database]\nservices: [Checkout API]\nrelated: [C]",
                "",
            ),
            incident(
                "content/c.md",
                "id: C\ntitle: C\ndate: 2023-05-01\ntags: [dns]",
                "",
            ),
            incident("content/d.md", "id: D\ntitle: D\ndraft: true", "secret"),
            incident("content/e.md", "id: E\ntitle: E", ""),
        ];
        let (kb, diags) = link(all, Config::default(), scope(), None);
        let ids: Vec<_> = kb.incidents.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(
            ids,
            ["B", "A", "C", "E"],
            "newest first, undated last, drafts out"
        );
        assert_eq!(diags.len(), 1);
        assert_eq!(
            (
                diags[0].code,
                diags[0].path.as_str(),
                diags[0].location.line
            ),
            ("unknown-reference", "content/a.md", 8)
        );
        let a = kb.find("a").unwrap();
        let b = kb.find("B").unwrap();
        let c = kb.find("c").unwrap();
        assert_eq!(kb.backlinks[b], vec![a]);
        assert_eq!(
            kb.related[b][0],
            Relation {
                target: c,
                reason: RelationReason::Explicit
            }
        );
        assert_eq!(
            kb.related[c][0],
            Relation {
                target: b,
                reason: RelationReason::Explicit
            },
            "explicit links go both ways"
        );
        assert_eq!(
            kb.related[b][1],
            Relation {
                target: a,
                reason: RelationReason::Shared(vec!["Checkout API".into(), "database".into()])
            }
        );
        assert_eq!(kb.tags[0].label.slug, "database");
        assert_eq!(kb.tags[0].incidents, vec![b, a]);
        assert_eq!(
            kb.repeats[b],
            Some(Repeat {
                of: a,
                kind: RepeatKind::Detected
            }),
            "same service and tag within 90 days"
        );
        assert_eq!(kb.repeats[a], None);
        assert_eq!(kb.quarters[b].unwrap().label(), "2024-Q1");
        assert_eq!(kb.quarters[kb.find("E").unwrap()], None);
    }

    #[test]
    fn a_repeat_that_links_to_what_it_repeats_is_referenced_once() {
        let all = vec![
            incident("content/a.md", "id: A\ntitle: A\ndate: 2024-01-01", ""),
            incident(
                "content/b.md",
                "id: B\ntitle: B\ndate: 2024-02-01\nrepeat_of: A",
                "Like [[A]].",
            ),
            incident(
                "content/c.md",
                "id: C\ntitle: C\ndate: 2024-03-01",
                "See [[A]].",
            ),
        ];
        let (kb, diags) = link(all, Config::default(), scope(), None);
        assert!(diags.is_empty(), "{diags:?}");
        let [a, b, c] = ["A", "B", "C"].map(|id| kb.find(id).unwrap());
        assert_eq!(kb.repeated_by[a], vec![b]);
        assert_eq!(kb.backlinks[a], vec![c]);
    }

    #[test]
    fn duplicate_ids_are_errors_and_drafts_are_never_linked() {
        let all = vec![
            incident("content/a.md", "id: A\ntitle: A", "[[D]]"),
            incident("content/a2.md", "id: a\ntitle: A again", ""),
            incident("content/d.md", "id: D\ntitle: D\nvisibility: internal", ""),
        ];
        let (kb, diags) = link(all, Config::default(), scope(), None);
        let codes: Vec<_> = diags.iter().map(|d| d.code).collect();
        assert!(codes.contains(&"duplicate-id"), "{codes:?}");
        assert!(codes.contains(&"reference-unpublished"), "{codes:?}");
        assert!(kb.find("D").is_none());
    }

    #[test]
    fn repeats_need_a_shared_service_and_tag_within_the_window() {
        let all = vec![
            incident(
                "content/a.md",
                "id: A\ntitle: A\nstarted: 2024-01-01 10:00\ntags: [db]\nservices: [api]",
                "",
            ),
            incident(
                "content/b.md",
                "id: B\ntitle: B\nstarted: 2024-06-01 10:00\ntags: [db]\nservices: [api]",
                "",
            ),
            incident(
                "content/c.md",
                "id: C\ntitle: C\nstarted: 2024-06-15 10:00\ntags: [dns]\nservices: [api]",
                "",
            ),
            incident(
                "content/d.md",
                "id: D\ntitle: D\nstarted: 2024-06-20 10:00\ntags: [db]\nservices: [web]\nrepeat_of: A",
                "",
            ),
        ];
        let (kb, _) = link(all, Config::default(), scope(), None);
        let at = |id: &str| kb.find(id).unwrap();
        assert_eq!(kb.repeats[at("B")], None, "more than 90 days after A");
        assert_eq!(kb.repeats[at("C")], None, "no shared tag");
        assert_eq!(
            kb.repeats[at("D")],
            Some(Repeat {
                of: at("A"),
                kind: RepeatKind::Declared
            })
        );
    }
}

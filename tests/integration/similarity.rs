//! Similar incidents and recurring lessons, measured against the judged
//! suite (`tests/similarity/`): top-3 precision of similar incidents and
//! precision of lesson groups, against floors (issue 19); and what the
//! bundled content must show (docs/configuration.md#similar-incidents-and-recurring-lessons).

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use serde_json::Value;

use crate::findability::built_site;
use crate::support::{Site, repo};

/// Floors (issue 19).
const MIN_TOP3_PRECISION: f64 = 0.6;
const MIN_LESSON_PRECISION: f64 = 0.8;
/// Similar incidents a reader looks at first.
const TOP: usize = 3;

#[derive(Debug, Deserialize)]
struct Judgements {
    incidents: Vec<IncidentGroup>,
    lessons: Vec<LessonGroup>,
}

#[derive(Debug, Deserialize)]
struct IncidentGroup {
    corpus: String,
    members: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct LessonGroup {
    members: Vec<String>,
}

fn judgements() -> Judgements {
    let path = repo().join("tests/similarity/judgements.yaml");
    let text = std::fs::read_to_string(&path).expect("tests/similarity/judgements.yaml");
    yaml_serde::from_str(&text).expect("judgements.yaml parses")
}

fn json(site: &Site, file: &str) -> Value {
    serde_json::from_str(&site.read(&format!("public/{file}"))).expect("valid JSON")
}

/// Per incident id: the ids of its similar incidents, best first.
fn similar_of(site: &Site) -> BTreeMap<String, Vec<String>> {
    json(site, "incidents.json")
        .as_array()
        .expect("an array")
        .iter()
        .map(|i| {
            let similar = i["similar"].as_array().expect("similar");
            (
                i["id"].as_str().unwrap().to_string(),
                similar
                    .iter()
                    .map(|s| s["id"].as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect()
}

/// (similar shown in the top 3 that the judgements hold similar, shown).
fn top3_hits(judged: &Judgements, corpus: &str, site: &Site) -> (usize, usize) {
    let similar = similar_of(site);
    let mut alike: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for group in judged.incidents.iter().filter(|g| g.corpus == corpus) {
        for m in &group.members {
            assert!(
                similar.contains_key(m),
                "judged incident {m} is not in {corpus}"
            );
            alike
                .entry(m)
                .or_default()
                .extend(group.members.iter().map(String::as_str).filter(|o| o != m));
        }
    }
    let (mut hits, mut shown) = (0, 0);
    for (id, good) in &alike {
        for other in similar[*id].iter().take(TOP) {
            shown += 1;
            hits += usize::from(good.contains(other.as_str()));
        }
    }
    (hits, shown)
}

/// Every group of `lessons.json` as `<incident>#<anchor>` ids.
fn lesson_groups(site: &Site) -> Vec<Vec<String>> {
    json(site, "lessons.json")["recurring"]
        .as_array()
        .expect("recurring")
        .iter()
        .map(|g| {
            g["members"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| {
                    let anchor = m["url"].as_str().unwrap().rsplit('#').next().unwrap();
                    format!("{}#{anchor}", m["incident"].as_str().unwrap())
                })
                .collect()
        })
        .collect()
}

#[test]
fn similar_incidents_and_lesson_groups_meet_the_judged_precision() {
    let judged = judgements();
    let mut total = (0, 0);
    let mut report = Vec::new();
    for corpus in ["postmortems-app", "bundled"] {
        let Some(site) = built_site(corpus) else {
            eprintln!("note: {corpus} not available; similarity measured without it");
            continue;
        };
        let (hits, shown) = top3_hits(&judged, corpus, &site);
        report.push(format!("{corpus}: {hits}/{shown}"));
        total = (total.0 + hits, total.1 + shown);
        if corpus == "bundled" {
            let groups = lesson_groups(&site);
            let (mut right, mut pairs) = (0, 0);
            for group in &groups {
                for (i, a) in group.iter().enumerate() {
                    for b in &group[i + 1..] {
                        pairs += 1;
                        right += usize::from(
                            judged
                                .lessons
                                .iter()
                                .any(|j| j.members.contains(a) && j.members.contains(b)),
                        );
                    }
                }
            }
            let precision = right as f64 / pairs.max(1) as f64;
            eprintln!("lesson-group precision: {right}/{pairs} = {precision:.2}");
            assert!(pairs > 0, "no lesson grouped: {groups:?}");
            assert!(
                precision >= MIN_LESSON_PRECISION,
                "lesson-group precision {precision:.2} < {MIN_LESSON_PRECISION}: {groups:?}"
            );
        }
    }
    let precision = total.0 as f64 / total.1.max(1) as f64;
    eprintln!("top-3 precision: {} = {precision:.2}", report.join(", "));
    assert!(total.1 >= 5, "too few similar incidents shown: {report:?}");
    assert!(
        precision >= MIN_TOP3_PRECISION,
        "top-3 precision {precision:.2} < {MIN_TOP3_PRECISION} ({report:?})"
    );
}

#[test]
fn bundled_repeats_are_similar_both_ways_and_a_lesson_recurs_three_times() {
    let site = built_site("bundled").expect("the bundled content");
    let similar = similar_of(&site);
    let incidents = json(&site, "incidents.json");
    let mut declared = 0;
    for incident in incidents.as_array().unwrap() {
        let id = incident["id"].as_str().unwrap();
        if incident["repeat"] != "declared" {
            continue;
        }
        declared += 1;
        let of = incident["repeat_of"].as_str().unwrap();
        assert!(
            similar[id].iter().any(|s| s == of),
            "{id} repeats {of}: {:?}",
            similar[id]
        );
        assert!(
            similar[of].iter().any(|s| s == id),
            "{of} is repeated by {id}: {:?}",
            similar[of]
        );
    }
    assert_eq!(declared, 3, "the bundled content declares three repeats");

    let lessons = json(&site, "lessons.json");
    let three = lessons["recurring"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["incidents"] == 3)
        .expect("a lesson learned by three incidents");
    let members = three["members"].as_array().unwrap();
    let texts: BTreeSet<&str> = members
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts.len(), 3, "in three different wordings: {texts:?}");
    assert!(three["first"].as_str() < three["last"].as_str());
    let best = three["lesson"].as_str().unwrap();
    assert!(texts.contains(best), "the best wording is one of them");
    // Every lesson says which group it is in.
    let grouped = lessons["lessons"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["group"].is_u64())
        .count();
    let in_groups: usize = lessons["recurring"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["members"].as_array().unwrap().len())
        .sum();
    assert_eq!(grouped, in_groups);
}

#[test]
fn similar_false_turns_it_off_and_similarity_is_deterministic() {
    let site = Site::bundled();
    assert_eq!(site.build(&[]).code, 0);
    let first = (
        site.read("public/incidents.json"),
        site.read("public/lessons.json"),
    );
    assert_eq!(site.build(&[]).code, 0);
    assert_eq!(
        first,
        (
            site.read("public/incidents.json"),
            site.read("public/lessons.json")
        ),
        "the same content gives the same similarities"
    );

    let config = site.read("hindsight.yaml");
    site.write("hindsight.yaml", format!("{config}\nsimilar: false\n"));
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(similar_of(&site).values().all(Vec::is_empty));
    assert_eq!(
        json(&site, "lessons.json")["recurring"],
        Value::Array(vec![])
    );

    site.write(
        "hindsight.yaml",
        format!("{config}\nsimilar:\n  incidents: 1\n  min_score: 1.5\n"),
    );
    let run = site.build(&[]);
    assert_eq!(run.code, 2, "an invalid threshold is a configuration error");
    assert!(run.stderr.contains("similar.min_score"), "{}", run.stderr);
}

#[test]
fn pages_show_similar_incidents_recurring_lessons_and_their_count_per_quarter() {
    let site = built_site("bundled").expect("the bundled content");
    let page = site.read("public/incidents/inc-2024-011/index.html");
    let similar = &page[page
        .find("<h2 id=\"similar-title\">Similar incidents</h2>")
        .expect("a Similar incidents section")..];
    let similar = &similar[..similar.find("</section>").unwrap()];
    assert!(similar.contains("INC-2024-002"), "{similar}");
    assert!(
        similar.contains("Shares the words <q>pool</q>"),
        "the reason, as written: {similar}"
    );
    let related = &page[page.find("id=\"related-title\"").unwrap()..];
    let related = &related[..related.find("</section>").unwrap()];
    assert!(
        !related.contains("INC-2024-002"),
        "listed once, under Similar: {related}"
    );

    let recurring = &page[page
        .find("<h2 id=\"recurring-title\">Lessons learned more than once</h2>")
        .expect("recurring lessons marked")..];
    let recurring = &recurring[..recurring.find("</section>").unwrap()];
    assert!(recurring.contains("href=\"#lesson-5\""), "{recurring}");
    assert!(recurring.contains("Learned in 3 incidents"), "{recurring}");
    assert!(recurring.contains("INC-2026-001") && recurring.contains("INC-2024-002"));
    assert!(
        page.contains("<li id=\"lesson-5\" class=\"lesson recurring\"><a class=\"flag flag-recurring\" href=\"#recurring-lesson-5\">Learned in 3 incidents</a> Alerting on pool saturation"),
        "the lesson itself is flagged where the body states it"
    );
    assert_eq!(
        page.matches("class=\"lesson recurring\"").count(),
        1,
        "only the recurring lesson is flagged"
    );

    let lessons = site.read("public/lessons/index.html");
    let lead = lessons
        .find("Learned more than once")
        .expect("the lead section");
    let first_tag = lessons
        .find("class=\"lesson-group\"")
        .expect("the lessons by tag");
    assert!(
        lead < first_tag,
        "the lessons page leads with recurring lessons"
    );
    assert!(lessons[lead..first_tag].contains("3 incidents, 2024-02-27 to 2026-02-10"));

    let metrics = json(&site, "metrics.json");
    let learned_again = |quarter: &str| {
        metrics["quarters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["quarter"] == quarter)
            .map(|q| q["lessons_learned_again"].as_u64().unwrap())
    };
    // The pool-saturation lesson (first learned 2024-Q1) again in 2024-Q4
    // and 2026-Q1; none in the quarter that first learned it.
    assert_eq!(learned_again("2024-Q1"), Some(0));
    assert_eq!(learned_again("2024-Q4"), Some(1));
    assert_eq!(learned_again("2026-Q1"), Some(1));
    assert!(
        site.read("public/metrics/index.html")
            .contains("Lessons learned again")
    );
}

#[test]
fn a_recurring_lesson_shows_each_wording_once_with_the_incidents_that_used_it() {
    let site = Site::empty();
    let same = "Alert on connection pool saturation, not only on errors.";
    let other = "Alert on saturation of the connection pool, not only on errors.";
    for (n, lesson) in [(1, same), (2, same), (3, other), (4, same), (5, other)] {
        site.write(
            &format!("content/INC-{n}.md"),
            format!(
                "---\nid: INC-{n}\ntitle: Incident {n}\nstarted: 2024-0{n}-01T10:00:00Z\n---\n\n\
                 ## Lessons Learned\n\n- {lesson}\n"
            ),
        );
    }
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = site.read("public/incidents/inc-1/index.html");
    let recurring = &page[page.find("id=\"recurring-title\"").expect("recurring")..];
    let recurring = &recurring[..recurring.find("</section>").unwrap()];
    assert!(recurring.contains("Learned in 5 incidents"), "{recurring}");
    // Its own wording as "the same words", listed once with INC-2 and INC-4;
    // the other wording once with INC-3 and INC-5; never INC-1 itself.
    assert_eq!(recurring.matches(same).count(), 1, "{recurring}");
    assert_eq!(recurring.matches(other).count(), 1, "{recurring}");
    let same_words = recurring.find("In the same words").expect("{recurring}");
    let other_at = recurring.find(other).unwrap();
    assert!(same_words < other_at, "the same words first: {recurring}");
    let ids = |text: &str| {
        ["INC-1<", "INC-2<", "INC-3<", "INC-4<", "INC-5<"]
            .into_iter()
            .filter(|id| text.contains(id))
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&recurring[same_words..other_at]), ["INC-2<", "INC-4<"]);
    assert_eq!(ids(&recurring[other_at..]), ["INC-3<", "INC-5<"]);
    assert!(
        recurring.contains("href=\"../../lessons/index.html#learned-1\""),
        "links to the lesson's entry on the lessons page: {recurring}"
    );

    let lessons = site.read("public/lessons/index.html");
    let entry = &lessons[lessons.find("<li id=\"learned-1\">").expect("the entry")..];
    let entry = &entry[..entry.find("</ul>").unwrap()];
    assert_eq!(entry.matches(other).count(), 1, "{entry}");
    assert_eq!(
        ids(entry),
        ["INC-1<", "INC-2<", "INC-3<", "INC-4<", "INC-5<"]
    );
}

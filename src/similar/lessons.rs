//! Recurring lessons: lessons of different incidents that say the same
//! thing. Lessons become TF-IDF vectors over all lessons; identical ones
//! (the same terms) are one form; forms whose cosine reaches the threshold
//! are joined, closest first, as long as the two groups' average similarity
//! stays at or above it (average linkage: a chain of near-neighbours does
//! not make one group of lessons that have nothing in common).

use std::collections::HashMap;

use jiff::civil::Date;
use rayon::prelude::*;

use super::terms::{Bag, InvertedIndex, Seen, Vector, Vocabulary, shared};
use super::{LessonGroup, LessonRef, Settings};
use crate::incident::Incident;

/// Closest forms each form is compared with.
const NEIGHBOURS: usize = 20;
/// Forms in one group at most: what keeps joining groups cheap.
const MAX_FORMS: usize = 64;

/// Lessons that share their terms.
struct Form<'a> {
    vector: Vector<'a>,
    /// Oldest first.
    members: Vec<LessonRef>,
}

/// Groups of lessons learned in more than one incident, the most
/// incidents first. `days[n]` orders members (oldest first, undated last).
pub fn lesson_groups(
    incidents: &[Incident],
    days: &[Option<Date>],
    synonyms: &[Vec<String>],
    settings: &Settings,
) -> Vec<LessonGroup> {
    let lessons: Vec<LessonRef> = (0..incidents.len())
        .rev()
        .flat_map(|n| {
            (0..incidents[n].lessons.len()).map(move |lesson| LessonRef {
                incident: n,
                lesson,
            })
        })
        .collect();
    let order = |r: &LessonRef| {
        (
            days[r.incident].is_none(),
            days[r.incident],
            usize::MAX - r.incident,
            r.lesson,
        )
    };
    let mut lessons = lessons;
    lessons.sort_by_key(order);
    if lessons.len() < 2 {
        return Vec::new();
    }
    let bags: Vec<Bag> = lessons
        .par_iter()
        .map_init(Seen::default, |seen, r| {
            let mut bag = Bag::default();
            bag.add(seen, &incidents[r.incident].lessons[r.lesson].text, 1);
            bag.done(seen)
        })
        .collect();
    let mut vocabulary = Vocabulary::new(synonyms);
    let numbered = vocabulary.number(bags);

    // Identical lessons (the same terms, however often) are one form.
    let mut forms: Vec<Form> = Vec::new();
    let mut form_of_terms: HashMap<Vec<u32>, usize> = HashMap::new();
    for (r, terms) in lessons.iter().zip(&numbered) {
        let mut key: Vec<u32> = terms.iter().map(|t| t.0).collect();
        key.sort_unstable();
        if key.is_empty() {
            continue;
        }
        match form_of_terms.get(&key) {
            Some(&f) => forms[f].members.push(*r),
            None => {
                form_of_terms.insert(key, forms.len());
                forms.push(Form {
                    vector: vocabulary.vector(terms, lessons.len()),
                    members: vec![*r],
                });
            }
        }
    }
    let vectors: Vec<Vector> = forms.iter().map(|f| f.vector.clone()).collect();
    let index = InvertedIndex::new(
        &vectors,
        vocabulary.document_frequency.len(),
        (forms.len() / 10).max(50),
    );
    let count = forms.len();
    let edges: Vec<Vec<(u32, u32, f32)>> = (0..count)
        .into_par_iter()
        .map_init(
            || (vec![0f32; count], Vec::new()),
            |(scores, touched), f| {
                let mut found: Vec<(u32, f32)> = index
                    .neighbours(&vectors[f], scores, touched)
                    .into_iter()
                    .filter(|&(g, _)| g as usize > f)
                    .map(|(g, _)| (g, cosine(&vectors[f], &vectors[g as usize])))
                    .filter(|&(_, s)| s >= settings.lesson_threshold)
                    .collect();
                found.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                found.truncate(NEIGHBOURS);
                found.into_iter().map(|(g, s)| (f as u32, g, s)).collect()
            },
        )
        .collect();
    let mut edges: Vec<(u32, u32, f32)> = edges.into_iter().flatten().collect();
    edges.sort_by(|a, b| b.2.total_cmp(&a.2).then((a.0, a.1).cmp(&(b.0, b.1))));
    let similarity: HashMap<(u32, u32), f32> = edges.iter().map(|&(a, b, s)| ((a, b), s)).collect();
    let sim = |a: usize, b: usize| -> f32 {
        let key = if a < b {
            (a as u32, b as u32)
        } else {
            (b as u32, a as u32)
        };
        similarity.get(&key).copied().unwrap_or(0.0)
    };

    let mut cluster_of: Vec<usize> = (0..count).collect();
    let mut clusters: Vec<Vec<usize>> = (0..count).map(|f| vec![f]).collect();
    for &(a, b, _) in &edges {
        let (ca, cb) = (cluster_of[a as usize], cluster_of[b as usize]);
        if ca == cb || clusters[ca].len() + clusters[cb].len() > MAX_FORMS {
            continue;
        }
        let total: f32 = clusters[ca]
            .iter()
            .flat_map(|&x| clusters[cb].iter().map(move |&y| (x, y)))
            .map(|(x, y)| sim(x, y))
            .sum();
        let average = total / (clusters[ca].len() * clusters[cb].len()) as f32;
        if average < settings.lesson_threshold {
            continue;
        }
        let (keep, gone) = (ca.min(cb), ca.max(cb));
        let moved = std::mem::take(&mut clusters[gone]);
        for &f in &moved {
            cluster_of[f] = keep;
        }
        clusters[keep].extend(moved);
    }

    let mut groups: Vec<LessonGroup> = clusters
        .into_iter()
        .filter(|c| !c.is_empty())
        .filter_map(|forms_in| {
            let mut members: Vec<LessonRef> = forms_in
                .iter()
                .flat_map(|&f| forms[f].members.iter().copied())
                .collect();
            members.sort_by_key(order);
            let mut incidents_in: Vec<usize> = Vec::new();
            for m in &members {
                if !incidents_in.contains(&m.incident) {
                    incidents_in.push(m.incident);
                }
            }
            if incidents_in.len() < 2 {
                return None;
            }
            // The most central form: the most similar to the group's other
            // lessons (an identical lesson counts 1); ties to the oldest.
            let centrality = |f: usize| -> f32 {
                (forms[f].members.len() - 1) as f32
                    + forms_in
                        .iter()
                        .filter(|&&g| g != f)
                        .map(|&g| forms[g].members.len() as f32 * sim(f, g))
                        .sum::<f32>()
            };
            let best_form = forms_in
                .iter()
                .copied()
                .max_by(|&f, &g| {
                    centrality(f)
                        .total_cmp(&centrality(g))
                        .then_with(|| order(&forms[g].members[0]).cmp(&order(&forms[f].members[0])))
                })
                .expect("a group has forms");
            Some(LessonGroup {
                best: forms[best_form].members[0],
                wordings: super::wordings(incidents, &members),
                members,
                incidents: incidents_in,
            })
        })
        .collect();
    groups.sort_by(|a, b| {
        b.incidents
            .len()
            .cmp(&a.incidents.len())
            .then_with(|| {
                order(b.members.last().expect("members"))
                    .cmp(&order(a.members.last().expect("members")))
            })
            .then_with(|| order(&a.best).cmp(&order(&b.best)))
    });
    groups
}

fn cosine(a: &Vector, b: &Vector) -> f32 {
    shared(a, b).iter().map(|s| s.1).sum()
}

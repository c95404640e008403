//! Similar incidents: for each incident, the few others whose content
//! (title, summary, impact, trigger, root cause and the rest of the body,
//! contributing factors, lessons, tags and services) is closest by TF-IDF
//! cosine. Candidates come from an inverted index, so no pair of incidents
//! that share no distinctive word is ever compared.

use rayon::prelude::*;

use super::terms::{Bag, InvertedIndex, Seen, Vector, Vocabulary, shared, surface};
use super::{Settings, Similar};
use crate::incident::{Incident, SectionKind};

/// The title says what an incident is about more than any sentence of its body.
const TITLE_WEIGHT: u32 = 5;
/// Tags and services are chosen words.
const LABEL_WEIGHT: u32 = 3;
/// Words shown as the reason for a similarity.
const REASON_WORDS: usize = 4;
/// Distinctive words two similar incidents share at least: one word in
/// common (a company's name, a product) is a coincidence, not a likeness.
const MIN_SHARED_WORDS: usize = 3;
/// The sections that say what happened and why; the timeline, the
/// resolution and action items are mostly incidental detail (times, names,
/// commands) that would make any two long postmortems look alike.
const KEY_SECTIONS: [SectionKind; 5] = [
    SectionKind::Summary,
    SectionKind::Impact,
    SectionKind::RootCause,
    SectionKind::ContributingFactors,
    SectionKind::Lessons,
];

/// The words an incident is compared by: title, tags, services, the
/// summary, impact, trigger and contributing factors of its front matter,
/// and its key sections; a body without any key section counts whole.
fn bag<'a>(words: &mut Seen<'a>, incident: &'a Incident) -> Bag<'a> {
    let mut bag = Bag::default();
    bag.add(words, &incident.title, TITLE_WEIGHT);
    for label in incident.tags.iter().chain(&incident.services) {
        bag.add(words, &label.name, LABEL_WEIGHT);
    }
    let fields = [
        incident.summary.as_deref(),
        incident.impact.as_deref(),
        incident.trigger.as_deref(),
    ];
    for text in fields
        .into_iter()
        .flatten()
        .chain(incident.contributing_factors.iter().map(String::as_str))
    {
        bag.add(words, text, 1);
    }
    let mut key_sections = incident
        .sections
        .iter()
        .filter(|s| KEY_SECTIONS.contains(&s.kind))
        .peekable();
    if key_sections.peek().is_none() {
        bag.add(words, &incident.body_text, 1);
    }
    for section in key_sections {
        bag.add(words, &section.text, 1);
    }
    bag.done(words)
}

/// Per incident, its most similar incidents, best first: at most
/// `settings.incidents`, with a cosine of at least `settings.min_score`,
/// never itself nor one in `excluded[n]`. Equal scores keep the newer
/// incident (lower index) first.
pub fn similar_incidents(
    incidents: &[Incident],
    excluded: &[Vec<usize>],
    synonyms: &[Vec<String>],
    settings: &Settings,
) -> Vec<Vec<Similar>> {
    let count = incidents.len();
    if settings.incidents == 0 || count < 2 {
        return vec![Vec::new(); count];
    }
    let bags: Vec<Bag> = crate::profile::stage("    incident words", || {
        incidents.par_iter().map_init(Seen::default, bag).collect()
    });
    let mut vocabulary = Vocabulary::new(synonyms);
    let numbered = crate::profile::stage("    numbering", || vocabulary.number(bags));
    let vectors: Vec<Vector> = crate::profile::stage("    vectors", || {
        numbered
            .into_par_iter()
            .map(|terms| vocabulary.vector(&terms, count))
            .collect()
    });
    // A word in more than a tenth of the incidents is not what makes two
    // of them alike; leaving it out of candidate generation bounds the cost.
    // Past 10,000 incidents the bound stays at 1,000: a tenth of 100,000
    // made every incident visit thousands of others per word (34 s of CPU).
    let index = InvertedIndex::new(
        &vectors,
        vocabulary.document_frequency.len(),
        (count / 10).clamp(50, 1_000),
    );
    crate::profile::stage("    neighbours", || {
        (0..count)
            .into_par_iter()
            .map_init(
                || (vec![0f32; count], Vec::new()),
                |(scores, touched), n| {
                    let mut found: Vec<(u32, f32)> = index
                        .neighbours(&vectors[n], scores, touched)
                        .into_iter()
                        .filter(|&(m, score)| {
                            let m = m as usize;
                            m != n && score >= settings.min_score && !excluded[n].contains(&m)
                        })
                        .collect();
                    found.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                    found
                        .into_iter()
                        .map(|(m, score)| Similar {
                            target: m as usize,
                            score,
                            words: reason(&vectors[n], &vectors[m as usize]),
                        })
                        .filter(|s| s.words.len() >= MIN_SHARED_WORDS)
                        .take(settings.incidents)
                        .collect()
                },
            )
            .collect()
    })
}

/// The distinctive words two incidents share, as the first one writes them.
fn reason(a: &Vector, b: &Vector) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for (written, _) in shared(a, b) {
        let word = surface(written);
        if !words.iter().any(|w| w.eq_ignore_ascii_case(&word)) {
            words.push(word);
        }
        if words.len() == REASON_WORDS {
            break;
        }
    }
    words
}

//! Which timeline entry is which moment of an incident, by what its text
//! says: "outage begins" starts it, "alerted"/"reported"/"noticed" detect
//! it, "rolled back"/"mitigated" mitigate it, "resolved"/"recovered"/"all
//! clear"/"back to normal" resolve it.

use std::sync::LazyLock;

use jiff::ZonedDateTime;
use regex::Regex;

use super::timeline::{Dated, Entry};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moment {
    Started,
    Detected,
    Mitigated,
    Resolved,
}

fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).expect("valid regex")
}

const TROUBLE: &str = r"(?:outage|incident|issue|problem|impact|degradation|downtime|disruption|errors?|failures?|attack|breach|storm|crash(?:es)?|slowdown)";

static STARTS: LazyLock<Regex> = LazyLock::new(|| {
    // "Outage begins.", "(**outage starts**)", "Problem starts", "Start of the outage";
    // not "began investigating" nor "engaged … to start remediation".
    regex(&format!(
        r"(?i)\b{TROUBLE}(?:\s+[\w'-]+){{0,2}}?\s+(?:begins?|began|begun|starts?|started|commence[sd]?|occurs|occurred)\s*(?:$|[.:;,)*!\-–—]|\s+(?:at|on|in|with|when|as|after|here|now|again)\b)|^\W*(?:start|beginning|onset) of (?:the )?{TROUBLE}\b"
    ))
});
static DETECTS: LazyLock<Regex> = LazyLock::new(|| {
    regex(&format!(
        r"(?i)\b(?:detect(?:ed|s|ion)?|alert(?:ed|s)?|alarms?|alarmed|paged|pinged|notif(?:y|ies|ied|ying)|notic(?:ed|es)|reported|reports|aware|declared|escalat(?:ed|es)|first (?:report|sign|noticed))\b|\b(?:discover|realiz|realis|identif|find|found|determin|confirm)\w*\b[^.;]{{0,50}}\b(?:down|failing|fails|broken|unavailable|unresponsive|stuck|slow|wrong|{TROUBLE})\b"
    ))
});
static MITIGATES: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:mitigat(?:ed|es|ion)|rolled back|rolls back|roll(?:-| )?back\b[^.;]{0,25}\b(?:complete[ds]?|finished|done|succeeded)|reverted|reverts? (?:the|it|is|are|was|were|deployed|merged|completed|applied)|workaround|stabili[sz](?:ed|es)|hot-?fix (?:is |was )?(?:deployed|released|applied)|fix (?:is |was )?(?:deployed|released|rolled out|applied)|failed over|fails over|fail-?over (?:complete[ds]?|succeeded)|scaled (?:up|out))\b",
    )
});
static RESOLVES: LazyLock<Regex> = LazyLock::new(|| {
    regex(&format!(
        r"(?i)\b(?:resolved|recovered|recovery (?:is )?complete[ds]?|resolution (?:is )?(?:confirmed|complete[ds]?)|restored|all[- ]clear|back to normal|returned to normal|fully (?:operational|functional|recovered|restored)|healthy|{TROUBLE} (?:is |was |has )?(?:over|ended|ends|end|gone|goes away)|(?:end|ending) (?:of|to) the {TROUBLE}|to an end|working again|functional again|back (?:up|online|to (?:a )?(?:functional|healthy|normal))|confirmed (?:to be )?(?:fixed|functional|resolved|healthy|clean|working))\b"
    ))
});
/// Closing an incident resolves it when nothing said so earlier.
static CLOSES: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:incident|ticket|case|issue) (?:is |was |has been )?closed\b|\bclosed the incident\b",
    )
});
/// "attempted", "failed", "not yet", "begins to": the text says the moment
/// did not (yet) happen.
static NOT_YET: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:attempt(?:s|ed)?|tried|trying|fail(?:s|ed)? (?:to|due)|fails|unsuccessful|not (?:yet )?|didn't|did not|does not|doesn't|despite|partial(?:ly)?|still|un(?:healthy|resolved)|begins? to|began to|starting to|why)\b",
    )
});

fn says(regex: &Regex, text: &str) -> bool {
    regex.is_match(text)
}

/// A moment read from the timeline, with the entry that gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub at: ZonedDateTime,
    pub line: usize,
    /// How it was chosen: "first entry", "says the outage begins", …
    pub why: &'static str,
}

/// Started, detected, mitigated and resolved from dated entries. The start
/// is the entry that says so, else the earliest; the end is the first entry
/// after it that says the incident is over; detection and mitigation lie
/// between the two. A start is only taken when no undated-time entry (a day
/// alone, such as `### 2018-01-11`) comes before it: then the incident began
/// that day at a time the timeline does not give.
pub fn moments(entries: &[Entry], dated: &[Dated]) -> [(Moment, Option<Found>); 4] {
    let timed: Vec<(&Entry, &ZonedDateTime)> = dated
        .iter()
        .filter_map(|d| Some((&entries[d.index], d.at.as_ref()?)))
        .filter(|(e, _)| !e.marker)
        .collect();
    let found = |entry: &Entry, at: &ZonedDateTime, why| Found {
        at: at.clone(),
        line: entry.line,
        why,
    };
    let earliest_day_only = dated
        .iter()
        .filter(|d| d.at.is_none() && !entries[d.index].marker)
        .filter_map(|d| d.date)
        .min();
    let said_start = timed
        .iter()
        .find(|(e, _)| says(&STARTS, &e.text) && !says(&NOT_YET, &e.text))
        .map(|(e, at)| found(e, at, "says the incident starts"));
    let started = said_start.or_else(|| {
        timed
            .iter()
            .min_by_key(|(_, at)| at.timestamp())
            .filter(|(_, at)| earliest_day_only.is_none_or(|day| at.date() <= day))
            .map(|(e, at)| found(e, at, "earliest entry"))
    });
    let between =
        |from: Option<&Found>, to: Option<&Found>, regex: &Regex, negations: bool, why| {
            timed
                .iter()
                .filter(|(_, at)| from.is_none_or(|f| at.timestamp() >= f.at.timestamp()))
                .filter(|(_, at)| to.is_none_or(|t| at.timestamp() <= t.at.timestamp()))
                .find(|(e, _)| says(regex, &e.text) && !(negations && says(&NOT_YET, &e.text)))
                .map(|(e, at)| found(e, at, why))
        };
    let resolved = between(
        started.as_ref(),
        None,
        &RESOLVES,
        true,
        "says it was resolved",
    )
    .or_else(|| {
        between(
            started.as_ref(),
            None,
            &CLOSES,
            true,
            "says the incident was closed",
        )
    });
    let detected = between(
        started.as_ref(),
        resolved.as_ref(),
        &DETECTS,
        false,
        "says it was noticed or alerted",
    );
    let mitigated = between(
        detected.as_ref().or(started.as_ref()),
        resolved.as_ref(),
        &MITIGATES,
        true,
        "says it was mitigated",
    );
    [
        (Moment::Started, started),
        (Moment::Detected, detected),
        (Moment::Mitigated, mitigated),
        (Moment::Resolved, resolved),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_name_moments() {
        assert!(says(&STARTS, "The node is drained. (**outage starts**)"));
        assert!(says(&STARTS, "Problem starts"));
        assert!(says(
            &STARTS,
            "Prow's bump PR is merged. **Outage begins.**"
        ));
        assert!(!says(&STARTS, "Devops engineers began investigating"));
        assert!(!says(
            &STARTS,
            "A zoom call with the AWS Incident Response Support team was started."
        ));
        assert!(!says(
            &STARTS,
            "confirmed the issue and engaged to evaluate its impact and start remediation"
        ));
        assert!(!says(&STARTS, "Incident closed, post-mortem phase begins"));
        assert!(!says(
            &STARTS,
            "the logs around the start of the outage (~13:30) are investigated"
        ));
        assert!(says(&DETECTS, "PagerDuty alert: memory > 90%"));
        assert!(says(
            &DETECTS,
            "@cblecker reports on Slack that something is wrong"
        ));
        assert!(says(
            &DETECTS,
            "We realize that many other services are down"
        ));
        assert!(!says(&DETECTS, "Discovered that we can force-delete pods"));
        assert!(says(
            &MITIGATES,
            "Immediate rollback initiated and completed"
        ));
        assert!(says(&MITIGATES, "Reverts deployed, issue mitigated"));
        assert!(says(&MITIGATES, "@Katharine manually rolls back prow."));
        assert!(!says(
            &MITIGATES,
            "Rollback fails due to ArgoCD configuration issues"
        ));
        assert!(says(&RESOLVES, "Site is fully recovered"));
        assert!(says(
            &RESOLVES,
            "The PR has been merged and deployed, bringing the outage to an end."
        ));
        assert!(says(
            &RESOLVES,
            "Member queue is back to a functional state"
        ));
        assert!(says(&RESOLVES, "Delete the quota and issue goes away"));
        assert!(says(
            &RESOLVES,
            "All services healthy, monitoring continued"
        ));
        assert!(says(
            &RESOLVES,
            "Prow is confirmed to be functional. **Outage ends.**"
        ));
        assert!(!says(&RESOLVES, "Connection pools recovering"));
        assert!(says(
            &NOT_YET,
            "Error rates remain elevated despite rollback"
        ));
        assert!(says(&NOT_YET, "Rollback fails due to ArgoCD"));
        assert!(says(&CLOSES, "Incident closed, post-mortem phase begins"));
    }
}

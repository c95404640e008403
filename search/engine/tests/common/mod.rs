//! Shared fixtures for the engine's tests.
#![allow(dead_code)]

use std::sync::Arc;

use hindsight_search::pack::{BOOT_FILE, MemorySource};
use hindsight_search::{DocKind, Engine, IndexFiles, SearchDoc};

pub struct Incident {
    pub id: &'static str,
    pub title: &'static str,
    pub severity: &'static str,
    pub date: &'static str,
    pub services: &'static [&'static str],
    pub tags: &'static [&'static str],
    pub summary: &'static str,
    pub root_cause: &'static str,
    pub lessons: &'static [&'static str],
    pub body: &'static str,
}

pub const INCIDENTS: &[Incident] = &[
    Incident {
        id: "INC-2024-001",
        title: "Checkout database connection pool exhausted",
        severity: "SEV1",
        date: "2024-02-10",
        services: &["checkout", "orders-db"],
        tags: &["database", "connection-pool"],
        summary: "Checkout requests failed for 42 minutes because the orders database connection pool was exhausted by long-running report queries.",
        root_cause: "A nightly report ran on the primary and held connections open; the pool had no per-client limit.",
        lessons: &[
            "Set connection pool limits per client so one caller cannot starve the others.",
            "Alert on pool saturation before it reaches 100%.",
        ],
        body: "## Timeline\n14:02 alerts fired for checkout latency. 14:10 the on-call engineer found the connection pool at its maximum. 14:44 the report job was killed and the pool drained.",
    },
    Incident {
        id: "INC-2024-002",
        title: "Rollback blocked by a leftover debug flag",
        severity: "SEV2",
        date: "2024-05-03",
        services: &["deploy"],
        tags: &["release", "feature-flags"],
        summary: "A bad release could not be rolled back for 55 minutes because a debug flag left enabled in production changed the migration path.",
        root_cause: "The debug flag was never removed after testing and made the rollback script skip the down migration.",
        lessons: &["Remove debug flags before a release is promoted."],
        body: "The deploy pipeline started the rollback at 09:12. The rollback stalled on the schema migration. Engineers disabled the flag by hand.",
    },
    Incident {
        id: "INC-2023-010",
        title: "DNS resolution outage in eu-west",
        severity: "SEV1",
        date: "2023-11-20",
        services: &["edge"],
        tags: &["dns", "network"],
        summary: "Customers in Europe could not resolve our domains for 25 minutes after a resolver configuration push.",
        root_cause: "A configuration push removed the upstream forwarders from every resolver at once.",
        lessons: &["Roll out resolver configuration one region at a time."],
        body: "Monitoring showed SERVFAIL responses from all eu-west resolvers. The change was reverted at 03:25.",
    },
    Incident {
        id: "INC-2023-011",
        title: "Cache stampede on product pages",
        severity: "SEV3",
        date: "2023-12-01",
        services: &["catalog"],
        tags: &["cache", "performance"],
        summary: "Product pages were slow for two hours when many cache entries expired together and every request went to the database.",
        root_cause: "Cache entries were written with the same expiry time during a bulk import.",
        lessons: &["Add jitter to cache expiry times."],
        body: "Latency rose at 10:00 as cache hit rates fell. Request coalescing was enabled as a mitigation.",
    },
    Incident {
        id: "INC-2022-003",
        title: "Expired certificate on the payments API",
        severity: "SEV2",
        date: "2022-08-15",
        services: &["payments"],
        tags: &["tls", "certificates"],
        summary: "Card payments failed for 18 minutes when the TLS certificate of the payments API expired.",
        root_cause: "Certificate renewal depended on a cron job on a host that had been decommissioned.",
        lessons: &["Monitor certificate expiry from outside the service."],
        body: "Clients reported handshake failures. A new certificate was issued and deployed manually.",
    },
];

fn quarter(date: &str) -> (i64, String) {
    let year: i64 = date[..4].parse().unwrap();
    let month: u32 = date[5..7].parse().unwrap();
    (year, format!("{year}-Q{}", (month - 1) / 3 + 1))
}

/// The fixture incidents and their lessons as search documents.
pub fn docs() -> Vec<SearchDoc> {
    let mut out = Vec::new();
    for inc in INCIDENTS {
        let slug = inc.id.to_lowercase();
        let (year, q) = quarter(inc.date);
        let base = SearchDoc {
            kind: DocKind::Incident,
            id: inc.id.to_string(),
            title: inc.title.to_string(),
            url: format!("incidents/{slug}/index.html"),
            parent_title: None,
            severity: Some(inc.severity.to_string()),
            severity_rank: inc.severity[3..].parse().ok(),
            date: Some(inc.date.to_string()),
            year: Some(year),
            quarter: Some(q),
            summary: inc.summary.to_string(),
            body: format!("{}\n{}", inc.summary, inc.body),
            lessons: inc.lessons.iter().map(|s| s.to_string()).collect(),
            root_cause: inc.root_cause.to_string(),
            services: inc.services.iter().map(|s| s.to_string()).collect(),
            tags: inc.tags.iter().map(|s| s.to_string()).collect(),
        };
        out.push(base.clone());
        for (i, lesson) in inc.lessons.iter().enumerate() {
            out.push(SearchDoc {
                kind: DocKind::Lesson,
                id: format!("{}#lesson-{}", inc.id, i + 1),
                title: lesson.to_string(),
                url: format!("incidents/{slug}/index.html#lesson-{}", i + 1),
                parent_title: Some(inc.title.to_string()),
                summary: String::new(),
                body: String::new(),
                lessons: vec![lesson.to_string()],
                root_cause: String::new(),
                ..base.clone()
            });
        }
    }
    out
}

pub fn pack_of(files: &IndexFiles) -> Vec<u8> {
    files
        .files
        .iter()
        .find(|(p, _)| p.ends_with(".pack"))
        .unwrap()
        .1
        .clone()
}

/// Opens built files the way the browser does: boot bytes, and a pack that
/// is only read by range.
pub fn open(files: &IndexFiles) -> Engine {
    let boot = files.get(BOOT_FILE).unwrap();
    Engine::open(boot, Box::new(MemorySource(Arc::new(pack_of(files))))).unwrap()
}

/// A scratch directory under the system temp dir.
pub fn scratch_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("hindsight-search-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

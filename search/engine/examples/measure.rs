//! Index sizes and bytes per first query, measured natively through the same
//! step loop the browser worker runs.
//!
//! ```text
//! cargo run --release -p hindsight-search --example measure -- [--synthetic N | --corpus DIR] [--out DIR]
//! ```
//!
//! `--synthetic N` generates N incidents (about 6 KB of text each, three
//! lessons each) from the sentences of the postmortems-app corpus, with
//! random services, tags, severities, dates and identifiers; `--corpus DIR`
//! indexes a folder of postmortems-app style Markdown files (default:
//! `$HINDSIGHT_CORPORA/postmortems-app`). `--out DIR`
//! also writes the index files to `DIR/search/`.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use hindsight_search::pack::{BOOT_FILE, MemorySource};
use hindsight_search::{
    DocKind, Engine, IndexOptions, SearchDoc, SearchRequest, build_index, runtime_files,
};

const QUERIES: &[&str] = &[
    "connection pool",
    "rollback debug flag",
    "database timeout",
    "\"power loss\"",
    "certficate expiry",
    "dns severity:SEV1",
    "latency tag:network",
    "configuraton change",
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let corpus = match arg("--corpus") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(
            std::env::var_os("HINDSIGHT_CORPORA")
                .expect("--corpus DIR, or HINDSIGHT_CORPORA (the folder holding postmortems-app/)"),
        )
        .join("postmortems-app"),
    };
    let docs = match arg("--synthetic") {
        Some(n) => synthetic(n.parse().expect("--synthetic N"), &corpus),
        None => read_corpus(&corpus),
    };
    let incidents = docs.iter().filter(|d| d.kind == DocKind::Incident).count();
    let count = docs.len();
    // `--out` writes the documents too.
    let kept = arg("--out").map(|_| docs.clone());
    let t = Instant::now();
    let files = build_index(docs, &IndexOptions::default()).unwrap();
    let build_ms = t.elapsed().as_millis();
    println!("docs: {count} ({incidents} incidents), indexed in {build_ms} ms");
    let mut runtime_gz = 0;
    for (name, bytes) in runtime_files() {
        let gz = gzip_len(&bytes);
        runtime_gz += gz;
        println!("  {name:<24} raw {:>9}  gzip {:>9}", bytes.len(), gz);
    }
    for (name, bytes) in &files.files {
        println!(
            "  {name:<24} raw {:>9}  gzip {:>9}",
            bytes.len(),
            gzip_len(bytes)
        );
    }
    let boot = files.get(BOOT_FILE).unwrap();
    let pack = Arc::new(
        files
            .files
            .iter()
            .find(|(p, _)| p.ends_with(".pack"))
            .unwrap()
            .1
            .clone(),
    );
    if let Some(out) = arg("--out") {
        let dir = PathBuf::from(out).join("search");
        std::fs::create_dir_all(&dir).unwrap();
        for (name, bytes) in &files.files {
            std::fs::write(dir.join(name), bytes).unwrap();
        }
        for (name, bytes) in runtime_files() {
            std::fs::write(dir.join(name), bytes).unwrap();
        }
        for (name, bytes) in hindsight_search::offline_bundle(&files) {
            let p = dir.join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, bytes).unwrap();
        }
        let docs_json = serde_json::to_vec(&kept).unwrap();
        std::fs::write(dir.join("../docs.json"), docs_json).unwrap();
    }

    println!(
        "first query (cold), bytes of index ranges; total = runtime gzip {runtime_gz} + boot {} + ranges + 400 B per request",
        boot.len()
    );
    println!(
        "  {:<24} {:>6} {:>8} {:>9} {:>9} {:>6}",
        "query", "rounds", "requests", "ranges", "total", "hits"
    );
    for q in QUERIES {
        let engine = Engine::open(boot, Box::new(MemorySource(pack.clone()))).unwrap();
        let t = Instant::now();
        let facets = std::env::var_os("MEASURE_NO_FACETS").is_none();
        let req = SearchRequest {
            facets,
            ..SearchRequest::new(*q)
        };
        let (r, rounds) = engine.search_counting(&req).unwrap();
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        let s = engine.fetch_stats();
        let requests = s.supplied_requests + s.sync_requests;
        let bytes = s.supplied_bytes + s.sync_bytes;
        let total = runtime_gz as u64 + boot.len() as u64 + bytes + 400 * (requests + 1);
        println!(
            "  {:<24} {rounds:>6} {requests:>8} {bytes:>9} {total:>9} {:>6}  ({ms:.1} ms{})",
            q,
            r.total,
            if r.fuzzy { ", fuzzy" } else { "" }
        );
        if std::env::var_os("MEASURE_DETAIL").is_some() {
            detail(boot, &pack, q);
        }
        // A warm repeat reads nothing.
        let (_, again) = engine.search_counting(&req).unwrap();
        assert_eq!(again, 0);
    }
    std::io::stdout().flush().unwrap();
}

fn gzip_len(bytes: &[u8]) -> usize {
    let mut child = std::process::Command::new("gzip")
        .arg("-9")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("gzip");
    let mut stdin = child.stdin.take().unwrap();
    let data = bytes.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&data));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    out.stdout.len()
}

/// Scalars, lists and body of a front-matter file.
type FrontMatter = (Vec<(String, String)>, Vec<(String, Vec<String>)>, String);

fn front_matter(text: &str) -> Option<FrontMatter> {
    let rest = text.strip_prefix("---\n")?;
    let end = rest.find("\n---")?;
    let mut scalars = Vec::new();
    let mut lists: Vec<(String, Vec<String>)> = Vec::new();
    for line in rest[..end].lines() {
        if let Some(item) = line.strip_prefix("- ") {
            if let Some(l) = lists.last_mut() {
                l.1.push(item.trim().to_string());
            }
        } else if let Some((k, v)) = line.split_once(':') {
            let v = v.trim().trim_matches('"');
            if v.is_empty() {
                lists.push((k.trim().to_string(), Vec::new()));
            } else {
                scalars.push((k.trim().to_string(), v.to_string()));
            }
        }
    }
    Some((scalars, lists, rest[end + 4..].to_string()))
}

fn slug(s: &str) -> String {
    s.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

fn corpus_files(dir: &std::path::Path) -> Vec<String> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

fn read_corpus(dir: &std::path::Path) -> Vec<SearchDoc> {
    let mut out = Vec::new();
    for (i, text) in corpus_files(dir).iter().enumerate() {
        let Some((scalars, lists, body)) = front_matter(text) else {
            continue;
        };
        let get = |k: &str| scalars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let list = |k: &str| {
            lists
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let id = get("uuid").unwrap_or_else(|| format!("doc-{i}"));
        let date = get("start_time").map(|s| s[..10.min(s.len())].to_string());
        let year = date.as_ref().and_then(|d| d[..4.min(d.len())].parse().ok());
        out.push(SearchDoc {
            kind: DocKind::Incident,
            url: format!("incidents/{id}/index.html"),
            id,
            title: get("title").unwrap_or_default(),
            parent_title: None,
            severity: None,
            severity_rank: None,
            date,
            year,
            quarter: None,
            summary: get("summary").unwrap_or_default(),
            body,
            lessons: Vec::new(),
            root_cause: String::new(),
            services: get("product").map(|p| vec![slug(&p)]).unwrap_or_default(),
            tags: list("keywords")
                .iter()
                .chain(list("categories").iter())
                .map(|t| slug(t))
                .collect(),
        });
    }
    out
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn synthetic(n: usize, corpus: &std::path::Path) -> Vec<SearchDoc> {
    let mut sentences: Vec<String> = Vec::new();
    for text in corpus_files(corpus) {
        let Some((_, _, body)) = front_matter(&text) else {
            continue;
        };
        for s in body.split(['.', '\n']) {
            let s = s.trim();
            if s.split_whitespace().count() >= 6 {
                sentences.push(format!("{s}."));
            }
        }
    }
    assert!(
        !sentences.is_empty(),
        "no sentences in {}",
        corpus.display()
    );
    let services: Vec<String> = (0..40)
        .map(|i| {
            format!(
                "{}-{}",
                [
                    "api", "db", "queue", "web", "auth", "billing", "search", "edge"
                ][i % 8],
                i
            )
        })
        .collect();
    let tags = [
        "database",
        "network",
        "dns",
        "deploy",
        "config",
        "capacity",
        "cache",
        "tls",
        "storage",
        "kubernetes",
        "monitoring",
        "third-party",
        "power",
        "security",
        "latency",
        "release",
        "rollback",
        "feature-flags",
        "connection-pool",
        "queue",
        "memory",
        "disk",
        "cpu",
        "load-balancer",
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut out = Vec::new();
    for i in 0..n {
        let pick = |rng: &mut Rng| sentences[rng.below(sentences.len())].clone();
        let title: String = pick(&mut rng)
            .split_whitespace()
            .take(8)
            .collect::<Vec<_>>()
            .join(" ");
        let summary = format!("{} {}", pick(&mut rng), pick(&mut rng));
        let root_cause = pick(&mut rng);
        let lessons: Vec<String> = (0..3).map(|_| pick(&mut rng)).collect();
        let mut body = String::new();
        while body.len() < 5200 {
            body.push_str(&pick(&mut rng));
            body.push(' ');
            if rng.below(6) == 0 {
                // Hosts, error codes, versions: the long tail real postmortems have.
                body.push_str(&format!(
                    "host-{:x} err-{} v{}.{}.{} ",
                    rng.next() % 0xfffff,
                    rng.below(99999),
                    rng.below(9),
                    rng.below(40),
                    rng.below(200)
                ));
            }
        }
        let year = 2019 + rng.below(7) as i64;
        let month = 1 + rng.below(12);
        let day = 1 + rng.below(28);
        let id = format!("INC-{year}-{:05}", i);
        let sev = format!("SEV{}", 1 + rng.below(4));
        let svc: Vec<String> = (0..1 + rng.below(2))
            .map(|_| services[rng.below(services.len())].clone())
            .collect();
        let tg: Vec<String> = (0..1 + rng.below(3))
            .map(|_| tags[rng.below(tags.len())].to_string())
            .collect();
        let base = SearchDoc {
            kind: DocKind::Incident,
            id: id.clone(),
            title: title.clone(),
            url: format!("incidents/{}/index.html", id.to_lowercase()),
            parent_title: None,
            severity: Some(sev),
            severity_rank: None,
            date: Some(format!("{year}-{month:02}-{day:02}")),
            year: Some(year),
            quarter: Some(format!("{year}-Q{}", (month - 1) / 3 + 1)),
            summary: summary.clone(),
            body: format!("{summary} {root_cause} {} {body}", lessons.join(" ")),
            lessons: lessons.clone(),
            root_cause,
            services: svc,
            tags: tg,
        };
        out.push(base.clone());
        for (j, l) in lessons.iter().enumerate() {
            out.push(SearchDoc {
                kind: DocKind::Lesson,
                id: format!("{id}#lesson-{}", j + 1),
                title: l.chars().take(100).collect(),
                url: format!("{}#lesson-{}", base.url, j + 1),
                parent_title: Some(title.clone()),
                summary: String::new(),
                body: String::new(),
                lessons: vec![l.clone()],
                root_cause: String::new(),
                ..base.clone()
            });
        }
    }
    out
}

/// Which files (by extension) and stages a cold query reads.
fn detail(boot: &[u8], pack: &Arc<Vec<u8>>, q: &str) {
    use hindsight_search::Step;
    let header = hindsight_search::pack::Boot::decode(boot).unwrap().header;
    let engine = Engine::open(boot, Box::new(MemorySource(pack.clone()))).unwrap();
    println!("      columns: {:?}", engine.debug_column_sizes());
    let req = SearchRequest {
        facets: std::env::var_os("MEASURE_NO_FACETS").is_none(),
        ..SearchRequest::new(q)
    };
    let mut round = 0;
    while let Step::Need(ranges) = engine.search_step(&req).unwrap() {
        round += 1;
        let mut by_ext: std::collections::BTreeMap<String, (usize, u64)> = Default::default();
        for r in &ranges {
            // Past the tantivy files: the bundles.
            let ext = header
                .files
                .iter()
                .find(|(_, off, len)| r.start >= *off && r.start < off + len)
                .map_or("bundle", |(name, ..)| name.rsplit('.').next().unwrap())
                .to_string();
            let e = by_ext.entry(ext).or_default();
            e.0 += 1;
            e.1 += r.end - r.start;
            engine.supply(r.start, &pack[r.start as usize..r.end as usize]);
        }
        println!("      round {round}: {by_ext:?}");
        if std::env::var_os("MEASURE_RANGES").is_some() {
            println!(
                "        {:?}",
                ranges.iter().map(|r| r.end - r.start).collect::<Vec<_>>()
            );
        }
    }
    let mut by_ext: std::collections::BTreeMap<String, (usize, u64)> = Default::default();
    for (off, len) in &header.preload {
        let (name, ..) = header
            .files
            .iter()
            .find(|(_, o, l)| *off >= *o && *off < o + l)
            .unwrap();
        let e = by_ext
            .entry(name.rsplit('.').next().unwrap().to_string())
            .or_default();
        e.0 += 1;
        e.1 += len;
    }
    println!("      boot preload: {by_ext:?}");
}

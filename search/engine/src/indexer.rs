//! Building the index (native only).

use std::collections::BTreeMap;
use std::sync::Arc;

use tantivy::directory::{OwnedBytes, RamDirectory};
use tantivy::index::SegmentId;
use tantivy::store::Compressor;
use tantivy::tokenizer::TokenizerManager;
use tantivy::{Directory, Index, IndexSettings, SingleSegmentIndexWriter, TantivyDocument};

use crate::bundle::bundle_bytes;
use crate::engine::Engine;
use crate::hash::Hasher;
use crate::pack::{BOOT_FILE, Boot, BootHeader, FORMAT_VERSION, MemorySource};
use crate::schema::{Fields, FilterField, TextField, keyword, register_on, schema};
use crate::{DocKind, IndexFiles, IndexOptions, SearchDoc, SearchError};

/// Uncompressed size of a doc-store block: a hit reads one block.
const DOCSTORE_BLOCK: usize = 4096;
/// Longest stored snippet source, in characters.
const SNIPPET_SOURCE_CHARS: usize = 1200;
const WRITER_MEMORY: usize = 15_000_000;

/// Indexes `docs` (in this order) and returns the files to write under
/// `public/search/`: `index.boot` and `index-<hash>.pack`. Deterministic.
/// Each document is dropped once indexed, and each copy of the index's
/// bytes as soon as the next one is made: at 10,000 postmortems the
/// documents are ~100 MB and the index ~95 MB, held beside the pages
/// being rendered.
pub fn build_index(
    docs: Vec<SearchDoc>,
    options: &IndexOptions,
) -> Result<IndexFiles, SearchError> {
    let schema = schema();
    let fields = Fields::from_schema(schema.clone())?;
    let tokenizers = TokenizerManager::default();
    register_on(&tokenizers);
    let settings = IndexSettings {
        docstore_compression: Compressor::Lz4,
        docstore_blocksize: DOCSTORE_BLOCK,
        docstore_compress_dedicated_thread: false,
        ..IndexSettings::default()
    };
    let ram = RamDirectory::create();
    let mut writer: SingleSegmentIndexWriter<TantivyDocument> = Index::builder()
        .schema(schema)
        .settings(settings)
        .tokenizers(tokenizers)
        .single_segment_index_writer(ram.clone(), WRITER_MEMORY)?;
    let doc_count = docs.len() as u64;
    let incidents = docs.iter().filter(|d| d.kind == DocKind::Incident).count() as u64;
    let labels = labels(&docs);
    let order = doc_order(&docs);
    let mut docs: Vec<Option<SearchDoc>> = docs.into_iter().map(Some).collect();
    for (d, owner) in order {
        let doc = docs[d].take().expect("each document once");
        writer.add_document(to_document(&fields, &doc, owner))?;
    }
    drop(docs);
    let index = writer.finalize()?;

    // The segment's files, renamed from its random id to one derived from
    // their content, and meta.json rewritten to match. (Read from the RAM
    // directory itself: the index's managed directory strips footers.)
    let dir = &ram;
    let mut meta: serde_json::Value =
        serde_json::from_slice(&dir.atomic_read("meta.json".as_ref())?)
            .map_err(|e| SearchError::Index(e.to_string()))?;
    // The files' bytes are shared with the RAM directory, not copied.
    let mut files: Vec<(String, OwnedBytes)> = Vec::new();
    let metas = index.load_metas()?;
    let candidates = metas.list_segment_files();
    for (i, seg) in metas.segments.iter().enumerate() {
        let old = seg.id().uuid_string();
        let mut seg_files: Vec<(String, OwnedBytes)> = Vec::new();
        for path in &candidates {
            let name = path.to_string_lossy().to_string();
            if !name.starts_with(&old) || !dir.exists(path)? {
                continue;
            }
            let bytes = dir.open_read(path)?.read_bytes()?;
            seg_files.push((name, bytes));
        }
        seg_files.sort_by(|a, b| a.0.cmp(&b.0));
        let mut h = Hasher::new();
        for (name, bytes) in &seg_files {
            h.write(name.strip_prefix(&old).unwrap_or(name).as_bytes());
            h.write(bytes);
        }
        h.write(&(i as u64).to_le_bytes());
        let new = format!("{:032x}", h.finish128());
        let new_id =
            SegmentId::from_uuid_string(&new).map_err(|e| SearchError::Index(e.to_string()))?;
        let seg_json = meta
            .get_mut("segments")
            .and_then(|s| s.as_array_mut())
            .and_then(|s| s.iter_mut().find(|s| segment_id_matches(s, &old)))
            .ok_or_else(|| SearchError::Index("segment missing from meta.json".into()))?;
        seg_json["segment_id"] =
            serde_json::to_value(new_id).map_err(|e| SearchError::Index(e.to_string()))?;
        for (name, bytes) in seg_files {
            files.push((name.replacen(&old, &new, 1), bytes));
        }
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let meta = serde_json::to_string(&meta).map_err(|e| SearchError::Index(e.to_string()))?;

    let mut pack = Vec::with_capacity(files.iter().map(|(_, bytes)| bytes.len()).sum());
    let mut table = Vec::new();
    for (name, bytes) in files {
        table.push((name, pack.len() as u64, bytes.len() as u64));
        pack.extend_from_slice(&bytes);
    }
    // The pack is the index now.
    drop(index);
    drop(ram);

    let mut header = BootHeader {
        format: FORMAT_VERSION,
        pack: String::new(),
        pack_len: pack.len() as u64,
        docs: doc_count,
        incidents,
        files: table,
        meta,
        labels,
        synonyms: options.synonyms.clone(),
        preload: Vec::new(),
        facet_ranges: Vec::new(),
        bundles: Vec::new(),
    };
    // Record what opening a searcher reads, and ship exactly that.
    let pack = Arc::new(pack);
    let (engine, (ranges, facet_ranges)) = Engine::open_recording(
        Boot {
            header: header.clone(),
            preload: Vec::new(),
        },
        Box::new(MemorySource(pack.clone())),
    )?;
    let preload: Vec<(u64, Vec<u8>)> = ranges
        .iter()
        .map(|r| (r.start, pack[r.start as usize..r.end as usize].to_vec()))
        .collect();
    header.preload = ranges.iter().map(|r| (r.start, r.end - r.start)).collect();
    header.facet_ranges = facet_ranges
        .iter()
        .map(|r| (r.start, r.end - r.start))
        .collect();
    header.bundles = engine.plan_bundles(pack.len() as u64)?;
    drop(engine);
    let bundles = bundle_bytes(&header.bundles, &fields.schema, &pack);
    let mut pack = Arc::try_unwrap(pack).unwrap_or_else(|p| (*p).clone());
    pack.extend_from_slice(&bundles);
    header.pack_len = pack.len() as u64;

    let mut h = Hasher::new();
    h.write(&pack);
    h.write(header.meta.as_bytes());
    let pack_name = format!("index-{:016x}.pack", h.finish128() as u64);
    header.pack = pack_name.clone();
    let boot = Boot { header, preload }.encode_gzip();

    let mut out = vec![(BOOT_FILE.to_string(), boot), (pack_name, pack)];
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(IndexFiles { files: out })
}

fn segment_id_matches(seg: &serde_json::Value, uuid_simple: &str) -> bool {
    seg.get("segment_id")
        .and_then(|v| v.as_str())
        .is_some_and(|s| s.replace('-', "") == uuid_simple)
}

/// Documents in index order: incidents as given, each followed by its
/// lessons (id `<incident-id>#...`); lessons whose incident is not there
/// come first. The flag says whether the document carries facet values
/// (incidents and those orphan lessons do; see `FilterField::facet_name`).
fn doc_order(docs: &[SearchDoc]) -> Vec<(usize, bool)> {
    let incident_ids: std::collections::HashSet<&str> = docs
        .iter()
        .filter(|d| d.kind == DocKind::Incident)
        .map(|d| d.id.as_str())
        .collect();
    fn parent<'a>(d: &'a SearchDoc, ids: &std::collections::HashSet<&str>) -> Option<&'a str> {
        d.id.split_once('#')
            .map(|(p, _)| p)
            .filter(|p| ids.contains(p))
    }
    let mut lessons: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut out = Vec::with_capacity(docs.len());
    for (n, d) in docs.iter().enumerate() {
        if d.kind == DocKind::Lesson {
            match parent(d, &incident_ids) {
                Some(p) => lessons.entry(p).or_default().push(n),
                None => out.push((n, true)),
            }
        }
    }
    for (n, d) in docs.iter().enumerate() {
        if d.kind == DocKind::Incident {
            out.push((n, true));
            for l in lessons.remove(d.id.as_str()).unwrap_or_default() {
                out.push((l, false));
            }
        }
    }
    out
}

fn to_document(fields: &Fields, d: &SearchDoc, owner: bool) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    let mut text = |f: TextField, value: &str| {
        if !value.trim().is_empty() {
            doc.add_text(fields.text(f), value);
        }
    };
    match d.kind {
        DocKind::Incident => {
            text(TextField::Title, &d.title);
            text(TextField::Title, &d.id);
            text(TextField::Ident, &d.id);
            for key in [&d.summary, &d.root_cause].into_iter().chain(&d.lessons) {
                text(TextField::Key, key);
            }
            text(TextField::Body, &d.body);
            text(TextField::Summary, &d.summary);
            for l in &d.lessons {
                text(TextField::Lessons, l);
            }
            text(TextField::RootCause, &d.root_cause);
        }
        DocKind::Lesson => {
            // Only the lesson's own words: a lesson is found for what it
            // says, and it does not crowd its incident's results.
            let own: Vec<&String> = if d.lessons.is_empty() {
                vec![&d.title]
            } else {
                d.lessons.iter().collect()
            };
            for l in own {
                text(TextField::Key, l);
                text(TextField::Lessons, l);
            }
        }
    }
    let mut filter = |f: FilterField, value: &str| {
        let v = keyword(value);
        if !v.is_empty() {
            doc.add_text(fields.filter(f), &v);
            if owner && f != FilterField::Kind && f.has_facet() {
                doc.add_text(fields.facet(f), &v);
            }
        }
    };
    if let Some(s) = &d.severity {
        filter(FilterField::Severity, s);
    }
    for s in &d.services {
        filter(FilterField::Service, s);
    }
    for t in &d.tags {
        filter(FilterField::Tag, t);
    }
    if let Some(q) = &d.quarter {
        filter(FilterField::Quarter, q);
    }
    filter(FilterField::Kind, d.kind.as_str());
    if let Some(y) = d.year {
        doc.add_i64(fields.filter(FilterField::Year), y);
        if owner {
            doc.add_i64(fields.facet(FilterField::Year), y);
        }
    }
    doc.add_text(fields.id, &d.id);
    doc.add_text(fields.name, &d.title);
    doc.add_text(fields.url, &d.url);
    if let Some(s) = &d.severity {
        doc.add_text(fields.severity_label, s);
    }
    if let Some(rank) = d.severity_rank {
        doc.add_u64(fields.severity_rank, u64::from(rank));
    }
    if let Some(s) = &d.date {
        doc.add_text(fields.date, s);
    }
    if let Some(s) = &d.parent_title {
        doc.add_text(fields.parent, s);
    }
    doc.add_text(fields.snippet, snippet_source(d));
    doc
}

/// What snippets are cut from: summary, root cause and lessons (the body
/// only when those are empty), whitespace collapsed, at most
/// [`SNIPPET_SOURCE_CHARS`] characters.
fn snippet_source(d: &SearchDoc) -> String {
    let parts: Vec<&str> = match d.kind {
        DocKind::Lesson if !d.lessons.is_empty() => d.lessons.iter().map(String::as_str).collect(),
        DocKind::Lesson => vec![d.title.as_str()],
        DocKind::Incident => std::iter::once(d.summary.as_str())
            .chain(std::iter::once(d.root_cause.as_str()))
            .chain(d.lessons.iter().map(String::as_str))
            .filter(|s| !s.trim().is_empty())
            .collect(),
    };
    let joined = if parts.is_empty() {
        d.body.clone()
    } else {
        parts.join(" · ")
    };
    let collapsed = joined.split_whitespace().collect::<Vec<_>>().join(" ");
    shorten(&collapsed, SNIPPET_SOURCE_CHARS)
}

/// Cuts `s` to at most `max` characters, at a word boundary, with "…".
pub(crate) fn shorten(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        None => s.to_string(),
        Some((cut, _)) => {
            let head = &s[..cut];
            let head = head.rfind(' ').map_or(head, |i| &head[..i]);
            format!("{}…", head.trim_end())
        }
    }
}

fn labels(docs: &[SearchDoc]) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut out: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut add = |f: FilterField, value: &str| {
        let key = keyword(value);
        if !key.is_empty() {
            out.entry(f.name().to_string())
                .or_default()
                .entry(key)
                .or_insert_with(|| value.trim().to_string());
        }
    };
    for d in docs {
        if let Some(s) = &d.severity {
            add(FilterField::Severity, s);
        }
        for s in &d.services {
            add(FilterField::Service, s);
        }
        for t in &d.tags {
            add(FilterField::Tag, t);
        }
        if let Some(q) = &d.quarter {
            add(FilterField::Quarter, q);
        }
    }
    let kinds = out.entry(FilterField::Kind.name().to_string()).or_default();
    kinds.insert("incident".into(), "Incidents".into());
    kinds.insert("lesson".into(), "Lessons".into());
    out
}

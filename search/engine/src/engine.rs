//! Opening an index and answering queries, natively and in WebAssembly.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;
use std::sync::{Arc, Mutex, OnceLock};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, EmptyQuery,
    FuzzyTermQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{
    DocAddress, DocId, Index, IndexReader, ReloadPolicy, Score, Searcher, SegmentReader,
    TantivyDocument, Term,
};

use crate::pack::{Boot, FetchStats, Mode, PackDirectory, PackStore, RangeSource};
use crate::query::{Expr, TextExpr, parse};
use crate::schema::{Fields, FilterField, TextField, keyword, register_tokenizers};
use crate::snippet::snippet_html;
use crate::{
    DocKind, FEW_RESULTS, FacetCount, Facets, Hit, SearchError, SearchRequest, SearchResponse,
};

/// Tie breaker of the per-field disjunction of a word.
const TIE_BREAKER: f32 = 0.1;
/// Characters of snippet shown per hit.
const SNIPPET_CHARS: usize = 200;
/// Most candidate terms a misspelt word expands to.
const MAX_FUZZY: usize = 4;
/// Most completions of an unfinished last word.
const MAX_PREFIX: usize = 6;
/// Leading characters a fuzzy candidate must share with the typed word
/// (keeps the dictionary ranges read small).
const FUZZY_PREFIX_CHARS: usize = 1;
/// Largest `limit` honoured.
const MAX_LIMIT: usize = 200;

/// The outcome of [`Engine::search_step`].
#[derive(Debug)]
pub enum Step {
    /// Fetch these byte ranges of the pack, [`Engine::supply`] them, and call
    /// again. Ranges are sorted and do not overlap.
    Need(Vec<Range<u64>>),
    Done(SearchResponse),
}

/// An index opened read-only over a pack.
pub struct Engine {
    searcher: Searcher,
    _reader: IndexReader,
    fields: Fields,
    store: Arc<PackStore>,
    labels: BTreeMap<String, BTreeMap<String, String>>,
    busy: Mutex<()>,
    /// Doc → doc that holds its facet values (see `collector`).
    owners: OnceLock<Arc<Vec<DocId>>>,
    /// What facet counting reads (from the boot file).
    facet_ranges: Vec<Range<u64>>,
}

/// Ranges read while opening, and ranges facet counting reads.
type Recorded = (Vec<Range<u64>>, Vec<Range<u64>>);

/// Terms a query reads: `(term, needs positions)`.
type TermNeeds = BTreeMap<Term, bool>;

/// Candidate terms per misspelt/unfinished word (keyed by its analyzed
/// term): `(term, weight)`.
type Expansions = HashMap<String, Vec<(String, f32)>>;

struct Matches {
    docs: Vec<(Score, DocId)>,
    facets: FacetFruit,
}

impl Engine {
    /// Opens the index described by the bytes of `index.boot`; missing pack
    /// bytes are read from `source`.
    pub fn open(boot: &[u8], source: Box<dyn RangeSource>) -> Result<Engine, SearchError> {
        Engine::open_boot(Boot::decode(boot)?, source)
    }

    pub fn open_boot(boot: Boot, source: Box<dyn RangeSource>) -> Result<Engine, SearchError> {
        Engine::open_inner(boot, source, false).map(|(e, _)| e)
    }

    /// Opens and returns the pack ranges that opening read, and those that
    /// facet counting reads (build time).
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    pub(crate) fn open_recording(
        boot: Boot,
        source: Box<dyn RangeSource>,
    ) -> Result<(Engine, Recorded), SearchError> {
        Engine::open_inner(boot, source, true)
    }

    fn open_inner(
        boot: Boot,
        source: Box<dyn RangeSource>,
        record: bool,
    ) -> Result<(Engine, Recorded), SearchError> {
        let store = PackStore::new(boot.header.pack_len, source);
        for (offset, bytes) in &boot.preload {
            store.preload(*offset, bytes);
        }
        if record {
            store.start_recording();
        }
        let dir = PackDirectory::new(&boot.header, store.clone());
        let index = Index::open(dir)?;
        register_tokenizers(&index);
        let fields = Fields::from_schema(index.schema())?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let searcher = reader.searcher();
        static_warm(&searcher, &fields)?;
        let recorded = if record {
            let boot_ranges = store.stop_recording();
            // Then what facet counting reads, recorded apart.
            store.start_recording();
            if let Some(seg) = searcher.segment_readers().first() {
                warm_facets(seg);
            }
            let facet_ranges = store.stop_recording();
            (boot_ranges, facet_ranges)
        } else {
            Default::default()
        };
        let facet_ranges = if record {
            recorded.1.clone()
        } else {
            boot.header
                .facet_ranges
                .iter()
                .map(|&(o, l)| o..o + l)
                .collect()
        };
        let engine = Engine {
            searcher,
            _reader: reader,
            fields,
            store,
            labels: boot.header.labels,
            busy: Mutex::new(()),
            owners: OnceLock::new(),
            facet_ranges,
        };
        Ok((engine, recorded))
    }

    /// Opens the index of a built site: `<dir>/search/index.boot` (or
    /// `<dir>/index.boot`) and its pack, read from disk as needed.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn open_dir(dir: &std::path::Path) -> Result<Engine, SearchError> {
        use crate::pack::{BOOT_FILE, FileSource};
        let search_dir = if dir.join("search").join(BOOT_FILE).is_file() {
            dir.join("search")
        } else {
            dir.to_path_buf()
        };
        let boot_path = search_dir.join(BOOT_FILE);
        let boot_bytes = std::fs::read(&boot_path).map_err(|e| {
            SearchError::NotFound(format!(
                "{}: {e} (build the site first)",
                boot_path.display()
            ))
        })?;
        let boot = Boot::decode(&boot_bytes)?;
        let pack_path = search_dir.join(&boot.header.pack);
        let source = FileSource::open(&pack_path)
            .map_err(|e| SearchError::NotFound(format!("{}: {e}", pack_path.display())))?;
        Engine::open_boot(boot, Box::new(source))
    }

    /// Adds fetched bytes of the pack (for [`Step::Need`]).
    pub fn supply(&self, offset: u64, bytes: &[u8]) {
        self.store.supply(offset, bytes);
    }

    /// Bytes fetched so far (supplied, and read synchronously).
    pub fn fetch_stats(&self) -> FetchStats {
        self.store.stats()
    }

    /// Bytes of the pack held in memory.
    pub fn cached_bytes(&self) -> u64 {
        self.store.cached_bytes()
    }

    /// Bytes of each facet column (for size investigations).
    #[doc(hidden)]
    pub fn debug_column_sizes(&self) -> Vec<(String, u64)> {
        let Some(seg) = self.searcher.segment_readers().first() else {
            return Vec::new();
        };
        FilterField::ALL
            .iter()
            .map(|f| {
                let n = seg
                    .fast_fields()
                    .column_num_bytes(f.name())
                    .map_or(0, |b| b.get_bytes());
                (f.name().to_string(), n)
            })
            .collect()
    }

    /// Number of documents (incidents + lessons).
    pub fn num_docs(&self) -> u64 {
        self.searcher.num_docs()
    }

    /// Answers a query, reading whatever it needs from the source.
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResponse, SearchError> {
        self.search_counting(req).map(|(r, _)| r)
    }

    /// Like [`Engine::search`], and says how many rounds of fetches it took.
    pub fn search_counting(
        &self,
        req: &SearchRequest,
    ) -> Result<(SearchResponse, usize), SearchError> {
        let mut rounds = 0;
        loop {
            match self.search_step(req)? {
                Step::Done(r) => return Ok((r, rounds)),
                Step::Need(ranges) => {
                    rounds += 1;
                    if rounds > 32 {
                        return Err(SearchError::Index("query did not settle".into()));
                    }
                    self.store.fetch_into_cache(&ranges)?;
                }
            }
        }
    }

    /// One step of a query: either the response, or the ranges to fetch
    /// before calling again. Every data-dependent stage (term dictionary,
    /// postings, expansion, stored documents) first runs in discovery mode,
    /// so all of a stage's ranges are asked for at once.
    pub fn search_step(&self, req: &SearchRequest) -> Result<Step, SearchError> {
        let _busy = self.busy.lock().unwrap_or_else(|e| e.into_inner());
        if self.searcher.segment_readers().is_empty() {
            return Ok(Step::Done(SearchResponse::default()));
        }
        let Some(expr) = self.request_expr(req)? else {
            return Ok(Step::Done(SearchResponse::default()));
        };

        // Round 1: the dictionary entries of the query's terms (and, if
        // wanted, the facet columns).
        let needs = self.term_needs(&expr, &Expansions::new());
        let (_, misses) = self.discover(|| self.warm_dict(&needs, req.facets));
        if !misses.is_empty() {
            return Ok(Step::Need(misses));
        }
        // Round 2: their postings, and for words no field knows (the exact
        // query will find little) the dictionary ranges of similar terms.
        let unknown = self.unknown_words(&expr);
        let (exp, misses) = self.discover(|| {
            self.warm_postings(&needs);
            self.expand(&unknown)
        });
        if !misses.is_empty() {
            return Ok(Step::Need(misses));
        }
        let exp = exp?;
        let no_expansions = Expansions::new();
        let collector = self.collector(req.facets)?;
        let mut matches = self.execute(&expr, &no_expansions, &collector)?;
        let mut expansions = no_expansions;
        let mut fuzzy = false;
        let mut relaxed = false;
        let mut suggestion = None;

        if matches.docs.len() < FEW_RESULTS && !exp.is_empty() {
            // Round 3: postings of the expansions.
            let needs = self.term_needs(&expr, &exp);
            let (_, misses) = self.discover(|| {
                self.warm_dict(&needs, false);
                self.warm_postings(&needs);
            });
            if !misses.is_empty() {
                return Ok(Step::Need(misses));
            }
            let expanded = self.execute(&expr, &exp, &collector)?;
            if expanded.docs.len() > matches.docs.len() {
                suggestion = Some(suggest(&req.query, &unknown, &exp));
                matches = expanded;
                expansions = exp;
                fuzzy = true;
            }
        }
        if let Some(relaxed_expr) = expr.relaxed().filter(|_| matches.docs.is_empty()) {
            let r = self.execute(&relaxed_expr, &expansions, &collector)?;
            if !r.docs.is_empty() {
                matches = r;
                relaxed = true;
            }
        }

        let total = matches.docs.len();
        let mut ranked = matches.docs;
        // Scores are compared at a fixed precision, then by document order,
        // so native and WASM builds rank identically.
        ranked.sort_by_key(|&(score, doc)| (std::cmp::Reverse(quantize(score)), doc));
        let limit = req.limit.min(MAX_LIMIT);
        let page: Vec<(Score, DocId)> = ranked.into_iter().skip(req.offset).take(limit).collect();

        let (_, misses) = self.discover(|| {
            for &(_, doc) in &page {
                let _ = self
                    .searcher
                    .doc::<TantivyDocument>(DocAddress::new(0, doc));
            }
        });
        if !misses.is_empty() {
            return Ok(Step::Need(misses));
        }

        let highlight = highlight_terms(&expr, &expansions);
        let hits = page
            .iter()
            .map(|&(score, doc)| self.hit(doc, score, &highlight))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Step::Done(SearchResponse {
            hits,
            total,
            facets: self.facets(matches.facets),
            fuzzy,
            relaxed,
            suggestion,
        }))
    }

    fn request_expr(&self, req: &SearchRequest) -> Result<Option<Expr>, SearchError> {
        let mut items: Vec<Expr> = Vec::new();
        if let Some(e) = parse(&req.query) {
            match e {
                Expr::And(v) => items.extend(v),
                e => items.push(e),
            }
        }
        for (name, values) in &req.filters {
            let field = FilterField::from_query_name(name)
                .ok_or_else(|| SearchError::Invalid(format!("unknown filter `{name}`")))?;
            let alts: Vec<Expr> = values
                .iter()
                .map(|v| keyword(v))
                .filter(|v| !v.is_empty())
                .map(|v| Expr::Filter(field, v))
                .collect();
            match alts.len() {
                0 => {}
                1 => items.extend(alts),
                _ => items.push(Expr::Or(alts)),
            }
        }
        Ok(match items.len() {
            0 => None,
            1 => items.pop(),
            _ => Some(Expr::And(items)),
        })
    }

    /// Runs `f` with cache misses recorded instead of fetched; returns what
    /// `f` returned and the ranges that missed.
    fn discover<T>(&self, f: impl FnOnce() -> T) -> (T, Vec<Range<u64>>) {
        self.store.set_mode(Mode::Discover);
        let out = f();
        self.store.set_mode(Mode::Fetch);
        (out, self.store.take_misses())
    }

    /// Looks up every term of `needs` (run in discovery mode).
    fn warm_dict(&self, needs: &TermNeeds, facets: bool) {
        let seg = self.searcher.segment_reader(0);
        if facets {
            for r in &self.facet_ranges {
                self.store.touch(r.clone());
            }
            warm_facets(seg);
        }
        for term in needs.keys() {
            if let Ok(inv) = seg.inverted_index(term.field()) {
                let _ = inv.get_term_info(term);
            }
        }
    }

    /// Reads the postings (and positions, for phrases) of every known term
    /// of `needs` (run in discovery mode, after [`Engine::warm_dict`]).
    fn warm_postings(&self, needs: &TermNeeds) {
        let seg = self.searcher.segment_reader(0);
        for (term, &positions) in needs {
            let Ok(inv) = seg.inverted_index(term.field()) else {
                continue;
            };
            if let Ok(Some(info)) = inv.get_term_info(term) {
                let option = if positions {
                    IndexRecordOption::WithFreqsAndPositions
                } else {
                    IndexRecordOption::WithFreqs
                };
                let _ = inv.read_postings_from_terminfo(&info, option);
            }
        }
    }

    fn targets(&self, t: &TextExpr) -> Vec<TextField> {
        match t.field {
            Some(f) => vec![f],
            None => TextField::DEFAULT.to_vec(),
        }
    }

    /// Every term the query reads, with expansions.
    fn term_needs(&self, expr: &Expr, exp: &Expansions) -> TermNeeds {
        let mut needs = TermNeeds::new();
        expr.walk(false, &mut |e, _| match e {
            Expr::Text(t) => {
                for f in self.targets(t) {
                    let field = self.fields.text(f);
                    let phrase = t.terms.len() > 1;
                    for term in &t.terms {
                        let e = needs
                            .entry(Term::from_field_text(field, term))
                            .or_insert(false);
                        *e |= phrase;
                    }
                    if let Some(cands) = t.is_word().then(|| exp.get(&t.terms[0])).flatten() {
                        for (c, _) in cands {
                            needs
                                .entry(Term::from_field_text(field, c))
                                .or_insert(false);
                        }
                    }
                }
            }
            Expr::Filter(f, v) => {
                if let Some(term) = self.filter_term(*f, v) {
                    needs.insert(term, false);
                }
            }
            _ => {}
        });
        needs
    }

    fn filter_term(&self, f: FilterField, value: &str) -> Option<Term> {
        let field = self.fields.filter(f);
        if f == FilterField::Year {
            value
                .parse::<i64>()
                .ok()
                .map(|y| Term::from_field_i64(field, y))
        } else {
            Some(Term::from_field_text(field, value))
        }
    }

    fn doc_freq(&self, field: Field, term: &str) -> u32 {
        let seg = self.searcher.segment_reader(0);
        seg.inverted_index(field)
            .ok()
            .and_then(|inv| {
                inv.get_term_info(&Term::from_field_text(field, term))
                    .ok()
                    .flatten()
            })
            .map_or(0, |ti| ti.doc_freq)
    }

    /// Single words (not excluded) that no target field knows.
    fn unknown_words<'a>(&self, expr: &'a Expr) -> Vec<&'a TextExpr> {
        let mut out: Vec<&TextExpr> = Vec::new();
        expr.walk(false, &mut |e, negated| {
            if let Expr::Text(t) = e
                && !negated
                && t.is_word()
                && self
                    .targets(t)
                    .iter()
                    .all(|f| self.doc_freq(self.fields.text(*f), &t.terms[0]) == 0)
                && !out.iter().any(|o| o.terms == t.terms)
            {
                out.push(t);
            }
        });
        out
    }

    /// Dictionary terms close to each unknown word (and completions of an
    /// unfinished last word).
    fn expand(&self, words: &[&TextExpr]) -> Result<Expansions, SearchError> {
        let seg = self.searcher.segment_reader(0);
        let mut out = Expansions::new();
        let mut failure: Option<SearchError> = None;
        for w in words {
            let word = &w.terms[0];
            // candidate -> (distance or 0 for a completion, summed doc freq, is completion)
            let mut found: BTreeMap<String, (u8, u64, bool)> = BTreeMap::new();
            for f in self.targets(w) {
                // Go on after a failure, so that one discovery pass asks for
                // the ranges of every field and word at once.
                if let Err(e) = scan_dictionary(seg, self.fields.text(f), word, w.open, &mut found)
                {
                    failure.get_or_insert(e);
                }
            }
            found.remove(word);
            let mut completions: Vec<(&String, u64)> = found
                .iter()
                .filter(|(_, v)| v.2)
                .map(|(k, v)| (k, v.1))
                .collect();
            completions.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            let mut fuzzy: Vec<(&String, u8, u64)> = found
                .iter()
                .filter(|(_, v)| !v.2)
                .map(|(k, v)| (k, v.0, v.1))
                .collect();
            fuzzy.sort_by(|a, b| a.1.cmp(&b.1).then(b.2.cmp(&a.2)).then(a.0.cmp(b.0)));
            let best = fuzzy.first().map(|c| c.1);
            let mut cands: Vec<(String, f32)> = Vec::new();
            for (c, _) in completions.into_iter().take(MAX_PREFIX) {
                cands.push((c.clone(), 0.9));
            }
            for (c, d, _) in fuzzy
                .into_iter()
                .filter(|c| Some(c.1) == best)
                .take(MAX_FUZZY)
            {
                cands.push((c.clone(), if d <= 1 { 0.8 } else { 0.6 }));
            }
            if !cands.is_empty() {
                out.insert(word.clone(), cands);
            }
        }
        match failure {
            Some(e) => Err(e),
            None => Ok(out),
        }
    }

    fn compile(&self, expr: &Expr, exp: &Expansions) -> Box<dyn Query> {
        match expr {
            Expr::Text(t) => self.compile_text(t, exp),
            Expr::Filter(f, v) => match self.filter_term(*f, v) {
                Some(term) => Box::new(ConstScoreQuery::new(
                    Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
                    0.0,
                )),
                None => Box::new(EmptyQuery),
            },
            Expr::And(items) => {
                let mut clauses: Vec<(Occur, Box<dyn Query>)> = items
                    .iter()
                    .map(|e| match e {
                        Expr::Not(inner) => (Occur::MustNot, self.compile(inner, exp)),
                        e => (Occur::Must, self.compile(e, exp)),
                    })
                    .collect();
                if clauses.iter().all(|(o, _)| *o == Occur::MustNot) {
                    clauses.push((
                        Occur::Must,
                        Box::new(ConstScoreQuery::new(Box::new(AllQuery), 0.0)),
                    ));
                }
                Box::new(BooleanQuery::new(clauses))
            }
            Expr::Or(items) => Box::new(BooleanQuery::new(
                items
                    .iter()
                    .map(|e| (Occur::Should, self.compile(e, exp)))
                    .collect(),
            )),
            Expr::Not(inner) => Box::new(BooleanQuery::new(vec![
                (
                    Occur::Must,
                    Box::new(ConstScoreQuery::new(Box::new(AllQuery), 0.0)),
                ),
                (Occur::MustNot, self.compile(inner, exp)),
            ])),
        }
    }

    fn compile_text(&self, t: &TextExpr, exp: &Expansions) -> Box<dyn Query> {
        let expansion = t.is_word().then(|| exp.get(&t.terms[0])).flatten();
        let mut per_field: Vec<Box<dyn Query>> = Vec::new();
        for f in self.targets(t) {
            let field = self.fields.text(f);
            let q: Box<dyn Query> = if t.terms.len() > 1 {
                Box::new(PhraseQuery::new(
                    t.terms
                        .iter()
                        .map(|x| Term::from_field_text(field, x))
                        .collect(),
                ))
            } else if let Some(cands) = expansion {
                let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(
                    Occur::Should,
                    Box::new(TermQuery::new(
                        Term::from_field_text(field, &t.terms[0]),
                        IndexRecordOption::WithFreqs,
                    )),
                )];
                for (c, w) in cands {
                    let tq = TermQuery::new(
                        Term::from_field_text(field, c),
                        IndexRecordOption::WithFreqs,
                    );
                    clauses.push((Occur::Should, Box::new(BoostQuery::new(Box::new(tq), *w))));
                }
                Box::new(BooleanQuery::new(clauses))
            } else {
                Box::new(TermQuery::new(
                    Term::from_field_text(field, &t.terms[0]),
                    IndexRecordOption::WithFreqs,
                ))
            };
            per_field.push(Box::new(BoostQuery::new(q, f.boost())));
        }
        if per_field.len() == 1 {
            per_field.pop().unwrap()
        } else {
            Box::new(DisjunctionMaxQuery::with_tie_breaker(
                per_field,
                TIE_BREAKER,
            ))
        }
    }

    fn execute(
        &self,
        expr: &Expr,
        exp: &Expansions,
        collector: &MatchCollector,
    ) -> Result<Matches, SearchError> {
        let query = self.compile(expr, exp);
        let (docs, facets) = self.searcher.search(query.as_ref(), collector)?;
        Ok(Matches { docs, facets })
    }

    /// The collector; with facets, it needs the map from each document to
    /// the document holding its facet values (built once).
    fn collector(&self, facets: bool) -> Result<MatchCollector, SearchError> {
        if !facets {
            return Ok(MatchCollector { owners: None });
        }
        if let Some(o) = self.owners.get() {
            return Ok(MatchCollector {
                owners: Some(o.clone()),
            });
        }
        let mut owners = Vec::new();
        if let Some(seg) = self.searcher.segment_readers().first() {
            let kind = seg.fast_fields().str(FilterField::Kind.facet_name())?;
            let lesson = match &kind {
                Some(k) => k.dictionary().term_ord(DocKind::Lesson.as_str())?,
                None => None,
            };
            let mut last_incident = None;
            for doc in 0..seg.max_doc() {
                let is_lesson = lesson.is_some()
                    && kind
                        .as_ref()
                        .is_some_and(|k| k.term_ords(doc).next() == lesson);
                if is_lesson {
                    owners.push(last_incident.unwrap_or(doc));
                } else {
                    last_incident = Some(doc);
                    owners.push(doc);
                }
            }
        }
        let owners = Arc::new(owners);
        let _ = self.owners.set(owners.clone());
        Ok(MatchCollector {
            owners: Some(owners),
        })
    }

    fn hit(
        &self,
        doc: DocId,
        score: Score,
        highlight: &BTreeSet<String>,
    ) -> Result<Hit, SearchError> {
        let d: TantivyDocument = self.searcher.doc(DocAddress::new(0, doc))?;
        let get = |f: Field| d.get_first(f).and_then(|v| v.as_str()).map(str::to_string);
        let kind = match get(self.fields.filter(FilterField::Kind)).as_deref() {
            Some("lesson") => DocKind::Lesson,
            _ => DocKind::Incident,
        };
        Ok(Hit {
            id: get(self.fields.id).unwrap_or_default(),
            kind,
            title: get(self.fields.name).unwrap_or_default(),
            url: get(self.fields.url).unwrap_or_default(),
            score,
            snippet_html: snippet_html(
                &get(self.fields.snippet).unwrap_or_default(),
                highlight,
                SNIPPET_CHARS,
            ),
            severity: get(self.fields.severity_label),
            date: get(self.fields.date),
            parent_title: get(self.fields.parent),
        })
    }

    fn facets(&self, fruit: FacetFruit) -> Facets {
        let label = |facet: FilterField, key: &str| -> String {
            self.labels
                .get(facet.name())
                .and_then(|m| m.get(key))
                .cloned()
                .unwrap_or_else(|| key.to_string())
        };
        let list = |facet: FilterField, counts: &BTreeMap<String, usize>| -> Vec<FacetCount> {
            counts
                .iter()
                .map(|(k, &count)| FacetCount {
                    value: k.clone(),
                    label: label(facet, k),
                    count,
                })
                .collect()
        };
        let by_count = |mut v: Vec<FacetCount>| {
            v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));
            v
        };
        let mut severity = list(FilterField::Severity, &fruit.severity);
        severity.sort_by(|a, b| a.label.cmp(&b.label));
        let mut kind = list(FilterField::Kind, &fruit.kind);
        kind.sort_by_key(|k| k.value != "incident");
        Facets {
            severity,
            service: by_count(list(FilterField::Service, &fruit.service)),
            tag: by_count(list(FilterField::Tag, &fruit.tag)),
            year: fruit
                .year
                .iter()
                .rev()
                .map(|(y, &count)| FacetCount {
                    value: y.to_string(),
                    label: y.to_string(),
                    count,
                })
                .collect(),
            kind,
        }
    }
}

impl PackStore {
    /// Reads `ranges` from the source into the cache (native search loop).
    pub(crate) fn fetch_into_cache(&self, ranges: &[Range<u64>]) -> Result<(), SearchError> {
        for r in ranges {
            let bytes = self.source_read(r.clone())?;
            self.supply(r.start, &bytes);
        }
        Ok(())
    }
}

/// Reads everything a query needs regardless of its words, so it can be
/// recorded at build time and shipped in `index.boot`: every inverted
/// index's dictionary block index, the field norms of scored fields, and the
/// facet columns with their dictionaries.
fn static_warm(searcher: &Searcher, fields: &Fields) -> Result<(), SearchError> {
    let Some(seg) = searcher.segment_readers().first() else {
        return Ok(());
    };
    for f in TextField::ALL {
        seg.inverted_index(fields.text(f))?;
        seg.fieldnorms_readers().get_field(fields.text(f))?;
    }
    for f in FilterField::ALL {
        seg.inverted_index(fields.filter(f))?;
    }
    Ok(())
}

/// Opens the facet columns and reads their dictionaries (what facet
/// counting reads), so that a discovery pass asks for all of it at once.
fn warm_facets(seg: &SegmentReader) {
    if let Ok(cols) = FacetColumns::open(seg) {
        let mut s = String::new();
        for col in [&cols.severity, &cols.service, &cols.tag, &cols.kind]
            .into_iter()
            .flatten()
        {
            for ord in 0..col.num_terms() as u64 {
                let _ = col.ord_to_str(ord, &mut s);
            }
        }
    }
}

/// Adds to `found` the terms of `field` within edit distance of `word` (1
/// for words of up to 5 letters, 2 for longer; sharing the first
/// [`FUZZY_PREFIX_CHARS`]), and with `open`, the terms it is a prefix of.
/// Values: (distance, or 0 for a completion; summed doc freq; completion).
fn scan_dictionary(
    seg: &SegmentReader,
    field: Field,
    word: &str,
    open: bool,
    found: &mut BTreeMap<String, (u8, u64, bool)>,
) -> Result<(), SearchError> {
    let inv = seg.inverted_index(field)?;
    let len = word.chars().count();
    if len >= 3 {
        let distance = if len <= 5 { 1 } else { 2 };
        let automaton =
            FuzzyTermQuery::new(Term::from_field_text(field, word), distance, true).automaton()?;
        let prefix: String = word.chars().take(FUZZY_PREFIX_CHARS).collect();
        let mut stream = inv
            .terms()
            .search(automaton)
            .ge(prefix.as_bytes())
            .lt(prefix_end(prefix.as_bytes()))
            .into_stream()?;
        while stream.advance() {
            let Ok(cand) = std::str::from_utf8(stream.key()) else {
                continue;
            };
            let d = osa_distance(word, cand).min(255) as u8;
            let e = found.entry(cand.to_string()).or_insert((d, 0, false));
            e.1 += u64::from(stream.value().doc_freq);
        }
    }
    if open && len >= 2 {
        let mut stream = inv
            .terms()
            .range()
            .ge(word.as_bytes())
            .lt(prefix_end(word.as_bytes()))
            .into_stream()?;
        while stream.advance() {
            let Ok(cand) = std::str::from_utf8(stream.key()) else {
                continue;
            };
            let e = found.entry(cand.to_string()).or_insert((0, 0, true));
            e.2 = true;
            e.0 = 0;
            e.1 += u64::from(stream.value().doc_freq);
        }
    }
    Ok(())
}

fn quantize(score: Score) -> i64 {
    (f64::from(score) * 1024.0).round() as i64
}

/// The smallest byte string greater than every string starting with `p`.
fn prefix_end(p: &[u8]) -> Vec<u8> {
    let mut end = p.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return end;
        }
    }
    vec![0xff; p.len() + 1]
}

/// Optimal-string-alignment edit distance (adjacent transpositions count 1).
fn osa_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
}

/// Analyzed terms to highlight: every non-excluded query term and expansion.
fn highlight_terms(expr: &Expr, exp: &Expansions) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    expr.walk(false, &mut |e, negated| {
        if let (Expr::Text(t), false) = (e, negated) {
            for term in &t.terms {
                out.insert(term.clone());
                if let Some(c) = exp.get(term) {
                    out.extend(c.iter().map(|(x, _)| x.clone()));
                }
            }
        }
    });
    out
}

/// The query with each expanded word replaced by its best candidate.
fn suggest(query: &str, words: &[&TextExpr], exp: &Expansions) -> String {
    let mut out = query.to_string();
    for w in words {
        if let (Some((best, _)), Some(pos)) = (
            exp.get(&w.terms[0]).and_then(|c| c.first()),
            out.rfind(&w.raw),
        ) {
            out.replace_range(pos..pos + w.raw.len(), best);
        }
    }
    out.trim().to_string()
}

/// Facet columns of a segment.
struct FacetColumns {
    severity: Option<StrColumn>,
    service: Option<StrColumn>,
    tag: Option<StrColumn>,
    kind: Option<StrColumn>,
    year: Option<Column<i64>>,
}

impl FacetColumns {
    fn open(seg: &SegmentReader) -> tantivy::Result<FacetColumns> {
        let ff = seg.fast_fields();
        Ok(FacetColumns {
            severity: ff.str(FilterField::Severity.facet_name())?,
            service: ff.str(FilterField::Service.facet_name())?,
            tag: ff.str(FilterField::Tag.facet_name())?,
            kind: ff.str(FilterField::Kind.facet_name())?,
            year: ff.column_opt::<i64>(FilterField::Year.facet_name())?,
        })
    }
}

/// Collects every match with its score, and (with `owners`) counts facet
/// values.
struct MatchCollector {
    owners: Option<Arc<Vec<DocId>>>,
}

#[derive(Default)]
struct FacetFruit {
    severity: BTreeMap<String, usize>,
    service: BTreeMap<String, usize>,
    tag: BTreeMap<String, usize>,
    kind: BTreeMap<String, usize>,
    year: BTreeMap<i64, usize>,
}

struct MatchSegmentCollector {
    facets: Option<(FacetColumns, Arc<Vec<DocId>>)>,
    docs: Vec<(Score, DocId)>,
    /// Counts by term ordinal, per string column.
    ords: [Vec<usize>; 4],
    year: BTreeMap<i64, usize>,
}

impl Collector for MatchCollector {
    type Fruit = (Vec<(Score, DocId)>, FacetFruit);
    type Child = MatchSegmentCollector;

    fn for_segment(
        &self,
        _ord: u32,
        seg: &SegmentReader,
    ) -> tantivy::Result<MatchSegmentCollector> {
        let mut ords: [Vec<usize>; 4] = Default::default();
        let facets = match &self.owners {
            Some(owners) => {
                let cols = FacetColumns::open(seg)?;
                let size =
                    |c: &Option<StrColumn>| vec![0usize; c.as_ref().map_or(0, |c| c.num_terms())];
                ords = [
                    size(&cols.severity),
                    size(&cols.service),
                    size(&cols.tag),
                    size(&cols.kind),
                ];
                Some((cols, owners.clone()))
            }
            None => None,
        };
        Ok(MatchSegmentCollector {
            facets,
            docs: Vec::new(),
            ords,
            year: BTreeMap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(
        &self,
        fruits: Vec<(Vec<(Score, DocId)>, FacetFruit)>,
    ) -> tantivy::Result<Self::Fruit> {
        // One segment by construction; merge anyway.
        let mut docs = Vec::new();
        let mut facets = FacetFruit::default();
        for (d, f) in fruits {
            docs.extend(d);
            for (into, from) in [
                (&mut facets.severity, f.severity),
                (&mut facets.service, f.service),
                (&mut facets.tag, f.tag),
                (&mut facets.kind, f.kind),
            ] {
                for (k, v) in from {
                    *into.entry(k).or_default() += v;
                }
            }
            for (k, v) in f.year {
                *facets.year.entry(k).or_default() += v;
            }
        }
        Ok((docs, facets))
    }
}

impl SegmentCollector for MatchSegmentCollector {
    type Fruit = (Vec<(Score, DocId)>, FacetFruit);

    fn collect(&mut self, doc: DocId, score: Score) {
        self.docs.push((score, doc));
        let Some((cols, owners)) = &self.facets else {
            return;
        };
        let owner = owners.get(doc as usize).copied().unwrap_or(doc);
        let per_col = [
            (&cols.severity, owner),
            (&cols.service, owner),
            (&cols.tag, owner),
            (&cols.kind, doc),
        ];
        for ((col, d), counts) in per_col.into_iter().zip(self.ords.iter_mut()) {
            if let Some(col) = col {
                for ord in col.term_ords(d) {
                    if let Some(c) = counts.get_mut(ord as usize) {
                        *c += 1;
                    }
                }
            }
        }
        if let Some(y) = cols.year.as_ref().and_then(|year| year.first(owner)) {
            *self.year.entry(y).or_default() += 1;
        }
    }

    fn harvest(self) -> Self::Fruit {
        let mut maps: [BTreeMap<String, usize>; 4] = Default::default();
        if let Some((cols, _)) = &self.facets {
            let cols = [&cols.severity, &cols.service, &cols.tag, &cols.kind];
            for ((col, counts), out) in cols.into_iter().zip(self.ords.iter()).zip(maps.iter_mut())
            {
                let Some(col) = col else { continue };
                for (ord, &count) in counts.iter().enumerate() {
                    let mut s = String::new();
                    if count > 0 && col.ord_to_str(ord as u64, &mut s).unwrap_or(false) {
                        out.insert(s, count);
                    }
                }
            }
        }
        let [severity, service, tag, kind] = maps;
        (
            self.docs,
            FacetFruit {
                severity,
                service,
                tag,
                kind,
                year: self.year,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance() {
        assert_eq!(osa_distance("conection", "connection"), 1);
        assert_eq!(osa_distance("rollbakc", "rollback"), 1);
        assert_eq!(osa_distance("flga", "flag"), 1);
        assert_eq!(osa_distance("abc", "xyz"), 3);
        assert_eq!(prefix_end(b"ab"), b"ac");
        assert_eq!(prefix_end(b"a\xff"), b"b");
    }
}

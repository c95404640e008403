//! Opening an index and answering queries, natively and in WebAssembly.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::sync::{Arc, Mutex, OnceLock};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{
    DocAddress, DocId, Index, IndexReader, ReloadPolicy, Score, Searcher, SegmentReader,
    TantivyDocument, Term,
};

use crate::bundle::Bundles;
use crate::facets::{FacetColumns, warm_facets};
use crate::fuzzy::{Found, candidates, scan_dictionary, suggest};
use crate::pack::{
    Boot, COALESCE_GAP, FetchStats, Mode, PackDirectory, PackStore, RangeSource, coalesce,
};
use crate::query::{Expr, TextExpr, parse};
use crate::rank::{
    COMMON_SHARE, Compiler, Expansions, FacetWords, Plan, TIER, filter_term, plain_word, slug,
    targets,
};
use crate::schema::{Fields, FilterField, TextField, keyword, register_tokenizers};
use crate::snippet::snippet_html;
use crate::words::{Synonyms, is_common};
use crate::{DocKind, Facets, Hit, SearchError, SearchRequest, SearchResponse};

/// Characters of snippet shown per hit.
const SNIPPET_CHARS: usize = 200;
/// Largest `limit` honoured.
const MAX_LIMIT: usize = 200;
/// Most rounds of fetches a query may take (natively, or in the browser's
/// worker), so that a bug cannot loop forever.
pub const MAX_ROUNDS: usize = 16;

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
    synonyms: Synonyms,
    /// Tags and services by the words they equal.
    facet_words: FacetWords,
    incidents: u64,
    busy: Mutex<()>,
    /// Doc → doc that holds its facet values (see `FacetColumns::owners`).
    owners: OnceLock<Arc<Vec<DocId>>>,
    /// What facet counting reads (from the boot file).
    facet_ranges: Vec<Range<u64>>,
    /// Dictionary blocks with their postings, by term.
    bundles: Bundles,
    /// Document frequencies looked up so far (see [`Engine::doc_freq`]).
    doc_freqs: Mutex<HashMap<Term, u32>>,
    /// The ranking of the request whose hits' stored documents are being
    /// fetched: the step after they come does not rank again.
    ranked: Mutex<Option<(SearchRequest, Ranked)>>,
    /// Spelling expansions of the unknown words met so far: scanning the
    /// dictionary for them is most of a misspelt query's time, and every
    /// step of a query would do it again.
    expanded: Mutex<HashMap<ExpansionKey, Vec<(String, Score)>>>,
}

/// What a word's expansions depend on: the field it searches (`None`: the
/// default fields), the word, and whether it may be unfinished.
type ExpansionKey = (Option<TextField>, String, bool);

fn expansion_key(w: &TextExpr) -> ExpansionKey {
    (w.field, w.terms[0].clone(), w.open)
}

/// Most words whose expansions are remembered (then they are forgotten).
const MAX_REMEMBERED_EXPANSIONS: usize = 4096;

/// Ranges read while opening, and ranges facet counting reads.
type Recorded = (Vec<Range<u64>>, Vec<Range<u64>>);

/// Terms a query reads: `(term, needs positions)`.
type TermNeeds = BTreeMap<Term, bool>;

/// A ranked query: its results, facet counts and word expansions.
struct Ranked {
    results: Results,
    facets: Facets,
    exp: Expansions,
}

/// The ranked results of a query.
struct Results {
    docs: Vec<(Score, DocId)>,
    plan: Plan,
    /// How many match every counting word (they come first).
    complete: usize,
    /// Whether partial matches follow them.
    relaxed: bool,
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
        let bundles = Bundles::new(&boot.header.bundles, &index.schema());
        let engine = Engine {
            bundles,
            searcher,
            _reader: reader,
            fields,
            store,
            synonyms: Synonyms::new(&boot.header.synonyms),
            facet_words: facet_words(&boot.header.labels),
            labels: boot.header.labels,
            incidents: boot.header.incidents,
            busy: Mutex::new(()),
            owners: OnceLock::new(),
            facet_ranges,
            doc_freqs: Mutex::default(),
            ranked: Mutex::default(),
            expanded: Mutex::default(),
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
        // Bundles hold copies: file them where tantivy reads them.
        self.bundles
            .unpack(offset, bytes, |at, part| self.store.preload(at, part));
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
                    if rounds > MAX_ROUNDS {
                        return Err(SearchError::Index("query did not settle".into()));
                    }
                    for r in ranges {
                        let bytes = self.store.source_read(r.clone())?;
                        self.supply(r.start, &bytes);
                    }
                }
            }
        }
    }

    /// One step of a query: either the response, or the ranges to fetch
    /// before calling again. Every data-dependent stage (term dictionary,
    /// postings, expansion, stored documents) first runs in discovery mode,
    /// so all of a stage's ranges are asked for at once, and the dictionary
    /// entries come bundled with their postings (see `bundle`): a query
    /// takes two rounds of fetches (dictionary with postings, stored
    /// documents), four when a word must be expanded (its neighbours in the
    /// dictionary, and their postings, come between).
    ///
    /// Ranking is described in `rank` (the module): documents that match
    /// more of the counting words first, then by BM25. When fewer documents
    /// than the page (`offset + limit`) match every counting word, those
    /// that match some of them follow ([`SearchResponse::relaxed`]).
    pub fn search_step(&self, req: &SearchRequest) -> Result<Step, SearchError> {
        let _busy = self.busy.lock().unwrap_or_else(|e| e.into_inner());
        if self.searcher.segment_readers().is_empty() {
            return Ok(Step::Done(SearchResponse::default()));
        }
        let Some(expr) = self.request_expr(req, None)? else {
            return Ok(Step::Done(SearchResponse::default()));
        };

        // A query whose ranking is done and whose hits' stored documents
        // were just fetched does not rank again.
        let ranked = match self.take_ranked(req) {
            Some(ranked) => ranked,
            None => match self.rank(req, &expr)? {
                Ok(ranked) => ranked,
                Err(need) => return Ok(Step::Need(need)),
            },
        };
        let total = ranked.results.docs.len();
        let page: Vec<(Score, DocId)> = ranked
            .results
            .docs
            .iter()
            .skip(req.offset)
            .take(req.limit.min(MAX_LIMIT))
            .copied()
            .collect();
        // Round 4 (or 3): the stored fields of the page's hits.
        let (_, misses) = self.discover(|| {
            for &(_, doc) in &page {
                let _ = self
                    .searcher
                    .doc::<TantivyDocument>(DocAddress::new(0, doc));
            }
        });
        if !misses.is_empty() {
            *self.ranked.lock().unwrap_or_else(|e| e.into_inner()) = Some((req.clone(), ranked));
            return Ok(Step::Need(misses));
        }
        let Ranked {
            results:
                Results {
                    plan,
                    complete,
                    relaxed,
                    ..
                },
            facets,
            exp,
        } = ranked;
        let unknown = self.unknown_words(&expr);

        let highlight = self.highlight_terms(&plan, &exp);
        let stored = page
            .iter()
            .map(|&(score, doc)| self.stored(doc, score))
            .collect::<Result<Vec<_>, _>>()?;
        let suggestion = if exp.is_empty() {
            None
        } else {
            let texts: Vec<&str> = stored
                .iter()
                .flat_map(|(hit, snippet)| [hit.title.as_str(), snippet.as_str()])
                .collect();
            suggest(&req.query, &unknown, &exp, &texts)
        };
        let hits = stored
            .into_iter()
            .map(|(mut hit, snippet)| {
                hit.snippet_html = snippet_html(&snippet, &highlight, SNIPPET_CHARS);
                hit
            })
            .collect();
        Ok(Step::Done(SearchResponse {
            hits,
            total,
            complete: complete.min(total),
            facets,
            fuzzy: !exp.is_empty(),
            relaxed,
            suggestion,
        }))
    }

    /// The ranked results of a query and its facet counts, or the ranges
    /// to fetch first (rounds 1 to 3 of [`Engine::search_step`]).
    fn rank(
        &self,
        req: &SearchRequest,
        expr: &Expr,
    ) -> Result<Result<Ranked, Vec<Range<u64>>>, SearchError> {
        // Round 1: the dictionary entries of the query's terms, synonyms and
        // facet values (and, if wanted, the facet columns).
        let no_expansions = Expansions::new();
        let needs = self.term_needs(expr, &no_expansions);
        let (_, misses) = self.discover(|| self.warm_dict(&needs, req.facets));
        if !misses.is_empty() {
            return Ok(Err(self.bundled(&needs, misses)));
        }
        // Round 2 (when the bundles did not bring them): their postings, and for words the index does not know,
        // the dictionary ranges of similar terms.
        let unknown = self.unknown_words(expr);
        let (exp, misses) = self.discover(|| {
            self.warm_postings(&needs);
            self.expand(&unknown)
        });
        if !misses.is_empty() {
            return Ok(Err(misses));
        }
        let exp = exp?;
        self.remember_expansions(&unknown, &exp);
        if !exp.is_empty() {
            // Round 3: postings of the expansions.
            let needs = self.term_needs(expr, &exp);
            let (_, misses) = self.discover(|| {
                self.warm_dict(&needs, false);
                self.warm_postings(&needs);
            });
            if !misses.is_empty() {
                return Ok(Err(misses));
            }
        }

        let page_end = req.offset + req.limit.min(MAX_LIMIT);
        let results = self.results(expr, &exp, page_end)?;
        let facets = if req.facets {
            let mut facets = self.count_facets(&results.docs)?;
            // A filter chosen in the UI narrows the other facets' counts,
            // not its own: its values keep the counts they would have
            // without it, so choosing SEV1 still shows how many are SEV2.
            for name in req.filters.keys() {
                let Some(field) = FilterField::from_query_name(name) else {
                    continue;
                };
                let Some(expr) = self.request_expr(req, Some(field))? else {
                    continue;
                };
                let without = self.results(&expr, &exp, page_end)?;
                facets.take(field, self.count_facets(&without.docs)?);
            }
            facets
        } else {
            Default::default()
        };
        Ok(Ok(Ranked {
            results,
            facets,
            exp,
        }))
    }

    /// The ranking kept for this very request while its hits' stored
    /// documents were fetched.
    fn take_ranked(&self, req: &SearchRequest) -> Option<Ranked> {
        let mut kept = self.ranked.lock().unwrap_or_else(|e| e.into_inner());
        match kept.as_ref() {
            Some((r, _)) if r == req => kept.take().map(|(_, ranked)| ranked),
            _ => None,
        }
    }

    /// Every result of `expr` in rank order (see `search_step`): those that
    /// match every counting word, then, when they are fewer than
    /// `page_end`, those that match some of them.
    fn results(
        &self,
        expr: &Expr,
        exp: &Expansions,
        page_end: usize,
    ) -> Result<Results, SearchError> {
        let plan = Plan::new(expr, &self.facet_words, |t| self.is_common(t));
        let query = Compiler {
            fields: &self.fields,
            expansions: exp,
            synonyms: &self.synonyms,
            facets: &self.facet_words,
        }
        .plan(&plan);
        let mut ranked = self.searcher.search(query.as_ref(), &MatchCollector)?;
        let every_word = plan.counted.len() as f32 * TIER;
        let complete = ranked
            .iter()
            .filter(|(score, _)| *score >= every_word)
            .count();
        let relaxed = complete < page_end && complete < ranked.len();
        if !relaxed {
            ranked.retain(|(score, _)| *score >= every_word);
        }
        rank_page(&mut ranked, page_end);
        Ok(Results {
            docs: ranked,
            plan,
            complete,
            relaxed,
        })
    }

    /// The query and the UI's filters as one expression (without the
    /// filters of `skip`).
    fn request_expr(
        &self,
        req: &SearchRequest,
        skip: Option<FilterField>,
    ) -> Result<Option<Expr>, SearchError> {
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
            if Some(field) == skip {
                continue;
            }
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

    /// The ranges to fetch for the dictionary `misses` of `needs`: each
    /// term's bundle (its dictionary block with the postings of its group,
    /// and their positions for a phrase) instead of its block alone.
    fn bundled(&self, needs: &TermNeeds, misses: Vec<Range<u64>>) -> Vec<Range<u64>> {
        let mut need: Vec<Range<u64>> = Vec::new();
        let mut brought: Vec<Range<u64>> = Vec::new();
        for (term, &positions) in needs {
            let Some(bundle) = self.bundles.find(term) else {
                continue;
            };
            let parts = bundle.parts(positions);
            if parts.iter().all(|p| self.store.has(p)) {
                continue;
            }
            need.push(bundle.request(positions));
            brought.extend(parts);
        }
        // What the bundles bring is not fetched again (misses were merged
        // when close, so a miss may be partly brought).
        coalesce(&mut brought, 0);
        for miss in misses {
            let mut start = miss.start;
            for b in &brought {
                if b.end <= start || b.start >= miss.end {
                    continue;
                }
                if b.start > start {
                    need.push(start..b.start);
                }
                start = start.max(b.end);
            }
            if start < miss.end {
                need.push(start..miss.end);
            }
        }
        coalesce(&mut need, COALESCE_GAP);
        need
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

    /// Every term the query reads: its words and phrases in their fields,
    /// their synonyms and expansions, and the tags and services equal to a
    /// word or to two consecutive words.
    fn term_needs(&self, expr: &Expr, exp: &Expansions) -> TermNeeds {
        let mut needs = TermNeeds::new();
        let mut add = |field: Field, terms: &[String]| {
            for term in terms {
                *needs
                    .entry(Term::from_field_text(field, term))
                    .or_insert(false) |= terms.len() > 1;
            }
        };
        let mut facet_values: Vec<(FilterField, String)> = Vec::new();
        expr.walk(false, &mut |e, _| match e {
            Expr::Text(t) => {
                let word = t.is_word().then(|| t.terms[0].as_str());
                for f in targets(t) {
                    let field = self.fields.text(f);
                    add(field, &t.terms);
                    for s in word.map_or(&[][..], |w| self.synonyms.of(w)) {
                        add(field, s);
                    }
                    for (c, _) in word.and_then(|w| exp.get(w)).into_iter().flatten() {
                        add(field, std::slice::from_ref(c));
                    }
                }
                if plain_word(t) {
                    facet_values.extend(
                        self.facet_words
                            .get(&slug(&t.raw))
                            .into_iter()
                            .flatten()
                            .cloned(),
                    );
                }
            }
            Expr::Filter(f, v) => facet_values.push((*f, v.clone())),
            _ => {}
        });
        let plan = Plan::new(expr, &self.facet_words, |_| false);
        facet_values.extend(plan.pair_facets);
        for (f, v) in facet_values {
            if let Some(term) = filter_term(&self.fields, f, &v) {
                needs.entry(term).or_insert(false);
            }
        }
        needs
    }

    /// Documents whose `field` contains `term` (0 while its dictionary
    /// block is not fetched yet). Remembered: a query asks for the same
    /// few terms many times (common words, unknown words, highlighting),
    /// and each lookup decodes a dictionary block.
    fn doc_freq(&self, field: Field, term: &str) -> u32 {
        let term = Term::from_field_text(field, term);
        let mut known = self.doc_freqs.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(&n) = known.get(&term) {
            return n;
        }
        let seg = self.searcher.segment_reader(0);
        match seg
            .inverted_index(field)
            .map(|inv| inv.get_term_info(&term))
        {
            Ok(Ok(info)) => {
                let n = info.map_or(0, |ti| ti.doc_freq);
                known.insert(term, n);
                n
            }
            _ => 0,
        }
    }

    /// Whether a plain word is common: a common English word, or in more
    /// than [`COMMON_SHARE`] of the incidents' bodies.
    fn is_common(&self, t: &TextExpr) -> bool {
        let raw = t.raw.trim_matches(|c: char| !c.is_alphanumeric());
        if is_common(raw) {
            return true;
        }
        let in_bodies = self.doc_freq(self.fields.text(TextField::Body), &t.terms[0]);
        self.incidents > 0 && f64::from(in_bodies) > COMMON_SHARE * self.incidents as f64
    }

    /// Single words (not excluded) that no target field knows, that have no
    /// synonym and equal no tag or service: misspelt or unfinished.
    fn unknown_words<'a>(&self, expr: &'a Expr) -> Vec<&'a TextExpr> {
        let mut out: Vec<&TextExpr> = Vec::new();
        expr.walk(false, &mut |e, negated| {
            if let Expr::Text(t) = e
                && !negated
                && t.is_word()
                && self.synonyms.of(&t.terms[0]).is_empty()
                && !(plain_word(t) && self.facet_words.contains_key(&slug(&t.raw)))
                && targets(t)
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
    /// Words expanded before come from [`Engine::expanded`].
    fn expand(&self, words: &[&TextExpr]) -> Result<Expansions, SearchError> {
        let seg = self.searcher.segment_reader(0);
        let mut out = Expansions::new();
        let mut failure: Option<SearchError> = None;
        let memo = self.expanded.lock().unwrap_or_else(|e| e.into_inner());
        for w in words {
            let word = &w.terms[0];
            let cands = match memo.get(&expansion_key(w)) {
                Some(cands) => cands.clone(),
                None => {
                    let fields: Vec<Field> = targets(w)
                        .into_iter()
                        .map(|f| self.fields.text(f))
                        .collect();
                    let mut found = Found::new();
                    // Go on after a failure, so that one discovery pass asks
                    // for the ranges of every word at once.
                    if let Err(e) = scan_dictionary(seg, &fields, word, w.open, &mut found) {
                        failure.get_or_insert(e);
                    }
                    candidates(word, found)
                }
            };
            if !cands.is_empty() {
                out.insert(word.clone(), cands);
            }
        }
        match failure {
            Some(e) => Err(e),
            None => Ok(out),
        }
    }

    /// Remembers the expansions of `words`, once every range their scan
    /// read was there (a later step or query does not scan again).
    fn remember_expansions(&self, words: &[&TextExpr], exp: &Expansions) {
        let mut memo = self.expanded.lock().unwrap_or_else(|e| e.into_inner());
        if memo.len() + words.len() > MAX_REMEMBERED_EXPANSIONS {
            memo.clear();
        }
        for w in words {
            let cands = exp.get(&w.terms[0]).cloned().unwrap_or_default();
            memo.insert(expansion_key(w), cands);
        }
    }

    /// Facet counts of `docs` (the columns were read with the dictionary).
    fn count_facets(&self, docs: &[(Score, DocId)]) -> Result<Facets, SearchError> {
        let docs: Vec<DocId> = docs.iter().map(|&(_, d)| d).collect();
        let seg = self.searcher.segment_reader(0);
        let columns = FacetColumns::open(seg)?;
        let owners = match self.owners.get() {
            Some(o) => o.clone(),
            None => {
                let o = Arc::new(columns.owners(seg.max_doc())?);
                let _ = self.owners.set(o.clone());
                o
            }
        };
        Ok(columns.count(&docs, &owners).into_facets(&self.labels))
    }

    /// Analyzed terms to highlight, weighted by rarity (inverse document
    /// frequency): the counting words with their synonyms and expansions;
    /// common words only inside phrases, or when they count.
    fn highlight_terms(&self, plan: &Plan, exp: &Expansions) -> HashMap<String, f32> {
        let mut terms: Vec<String> = Vec::new();
        for e in plan.counted.iter().chain(&plan.required) {
            e.walk(false, &mut |e, negated| {
                if let (Expr::Text(t), false) = (e, negated) {
                    terms.extend(t.terms.iter().cloned());
                    if t.is_word() {
                        for s in self.synonyms.of(&t.terms[0]) {
                            terms.extend(s.iter().cloned());
                        }
                        for (c, _) in exp.get(&t.terms[0]).into_iter().flatten() {
                            terms.push(c.clone());
                        }
                    }
                }
            });
        }
        let docs = self.searcher.num_docs().max(1) as f32;
        terms
            .into_iter()
            .map(|term| {
                let df = TextField::DEFAULT
                    .iter()
                    .map(|f| self.doc_freq(self.fields.text(*f), &term))
                    .max()
                    .unwrap_or(0) as f32;
                let idf = (1.0 + (docs - df + 0.5) / (df + 0.5)).ln();
                (term, idf)
            })
            .collect()
    }

    /// A hit without its snippet, and the text its snippet is cut from.
    fn stored(&self, doc: DocId, score: Score) -> Result<(Hit, String), SearchError> {
        let d: TantivyDocument = self.searcher.doc(DocAddress::new(0, doc))?;
        let get = |f: Field| d.get_first(f).and_then(|v| v.as_str()).map(str::to_string);
        let kind = match get(self.fields.filter(FilterField::Kind)).as_deref() {
            Some("lesson") => DocKind::Lesson,
            _ => DocKind::Incident,
        };
        let hit = Hit {
            id: get(self.fields.id).unwrap_or_default(),
            kind,
            title: get(self.fields.name).unwrap_or_default(),
            url: get(self.fields.url).unwrap_or_default(),
            score,
            snippet_html: String::new(),
            severity: get(self.fields.severity_label),
            severity_rank: d
                .get_first(self.fields.severity_rank)
                .and_then(|v| v.as_u64())
                .and_then(|r| u32::try_from(r).ok()),
            date: get(self.fields.date),
            parent_title: get(self.fields.parent),
        };
        Ok((hit, get(self.fields.snippet).unwrap_or_default()))
    }

    /// Plans the bundles of every searched field (build time; see `bundle`),
    /// to be appended to the pack at `at`.
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn plan_bundles(
        &self,
        at: u64,
    ) -> Result<Vec<crate::bundle::FieldBundles>, SearchError> {
        let Some(seg) = self.searcher.segment_readers().first() else {
            return Ok(Vec::new());
        };
        let mut fields: Vec<(Field, &str)> = TextField::ALL
            .iter()
            .map(|f| (self.fields.text(*f), f.name()))
            .collect();
        // Year is a number: its filter reads its dictionary as before.
        fields.extend(
            FilterField::ALL
                .iter()
                .filter(|f| **f != FilterField::Year)
                .map(|f| (self.fields.filter(*f), f.name())),
        );
        Ok(crate::bundle::plan(seg, &self.store, &fields, at)?)
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

fn quantize(score: Score) -> i64 {
    (f64::from(score) * 1024.0).round() as i64
}

/// Puts the best `page_end` of `docs` first, in rank order; the rest
/// follow in no particular order (only counted, for facets and totals).
/// Scores are compared at a fixed precision, then by document order, so
/// native and WASM builds rank identically. Each key is computed once,
/// and only the page is sorted: a common word matches thousands of
/// documents, and a warm query's time went mostly to sorting them all.
fn rank_page(docs: &mut [(Score, DocId)], page_end: usize) {
    let mut keyed: Vec<(std::cmp::Reverse<i64>, DocId, Score)> = docs
        .iter()
        .map(|&(score, doc)| (std::cmp::Reverse(quantize(score)), doc, score))
        .collect();
    // (key, doc) is unique: the order is total.
    let order = |k: &(std::cmp::Reverse<i64>, DocId, Score)| (k.0, k.1);
    if page_end < keyed.len() {
        keyed.select_nth_unstable_by_key(page_end, order);
        keyed[..page_end].sort_unstable_by_key(order);
    } else {
        keyed.sort_unstable_by_key(order);
    }
    for (slot, (_, doc, score)) in docs.iter_mut().zip(keyed) {
        *slot = (score, doc);
    }
}

/// Tags and services by their value, and by the words of a hyphenated
/// value joined with `-` (`power-loss`): what a query word is compared with.
fn facet_words(labels: &BTreeMap<String, BTreeMap<String, String>>) -> FacetWords {
    let mut out = FacetWords::new();
    for field in [FilterField::Tag, FilterField::Service] {
        for key in labels.get(field.name()).into_iter().flat_map(|m| m.keys()) {
            out.entry(slug(key)).or_default().push((field, key.clone()));
        }
    }
    out
}

/// Collects every match with its score.
struct MatchCollector;

struct MatchSegmentCollector(Vec<(Score, DocId)>);

impl Collector for MatchCollector {
    type Fruit = Vec<(Score, DocId)>;
    type Child = MatchSegmentCollector;

    fn for_segment(
        &self,
        _ord: u32,
        _seg: &SegmentReader,
    ) -> tantivy::Result<MatchSegmentCollector> {
        Ok(MatchSegmentCollector(Vec::new()))
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Vec<(Score, DocId)>>) -> tantivy::Result<Self::Fruit> {
        // One segment by construction; merge anyway.
        Ok(fruits.into_iter().flatten().collect())
    }
}

impl SegmentCollector for MatchSegmentCollector {
    type Fruit = Vec<(Score, DocId)>;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.0.push((score, doc));
    }

    fn harvest(self) -> Self::Fruit {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facet_words_match_values_and_hyphenated_pairs() {
        let mut labels = BTreeMap::new();
        labels.insert(
            "tag".to_string(),
            BTreeMap::from([("power-loss".to_string(), "power loss".to_string())]),
        );
        labels.insert(
            "service".to_string(),
            BTreeMap::from([("mysql".to_string(), "MySQL".to_string())]),
        );
        let words = facet_words(&labels);
        assert_eq!(
            words["power-loss"],
            [(FilterField::Tag, "power-loss".to_string())]
        );
        assert_eq!(
            words["mysql"],
            [(FilterField::Service, "mysql".to_string())]
        );
    }
}

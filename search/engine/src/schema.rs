//! The one index schema and the one text analyzer, shared by the indexer and
//! every reader (native `hindsight search`, the WASM runtime), so index and
//! query can never disagree.

use std::collections::HashMap;

use tantivy::Index;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, NumericOptions, STORED, Schema, TextFieldIndexing,
    TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer, Token,
    TokenFilter, TokenStream, Tokenizer, TokenizerManager,
};

/// Name under which [`text_analyzer`] is registered.
pub const TOKENIZER: &str = "hindsight";
/// Keyword fields are indexed verbatim (values are normalised by this crate
/// before indexing and before querying, see [`keyword`]).
const RAW: &str = "raw";
/// Tokens longer than this are dropped (base64 blobs, hashes).
const MAX_TOKEN_LEN: usize = 40;

/// A free-text field.
///
/// A plain word or phrase searches the three [`TextField::DEFAULT`] fields:
/// `title` (the title and the id), `key` (summary, root cause and lessons:
/// what a postmortem is about) and `body`. Every term costs one
/// term-dictionary block (about 4 KB) per field on a first query, so the
/// default set is kept small. The other fields exist for queries restricted
/// to one of them (`lessons:retry`, `cause:certificate`). Services and tags
/// are not free text: they are exact filters ([`FilterField`]), and a query
/// word equal to a whole tag or service boosts the documents that have it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TextField {
    Title,
    Key,
    Body,
    Summary,
    Lessons,
    RootCause,
    Ident,
}

impl TextField {
    /// Every text field, in schema order.
    pub const ALL: [TextField; 7] = [
        TextField::Title,
        TextField::Key,
        TextField::Body,
        TextField::Summary,
        TextField::Lessons,
        TextField::RootCause,
        TextField::Ident,
    ];

    /// The fields a word without `field:` searches.
    pub const DEFAULT: [TextField; 3] = [TextField::Title, TextField::Key, TextField::Body];

    pub fn name(self) -> &'static str {
        match self {
            TextField::Title => "title",
            TextField::Key => "key",
            TextField::Body => "body",
            TextField::Summary => "summary",
            TextField::Lessons => "lessons",
            TextField::RootCause => "root_cause",
            TextField::Ident => "id",
        }
    }

    /// The name a user types before `:` (a few aliases accepted).
    pub fn from_query_name(name: &str) -> Option<TextField> {
        Some(match name {
            "title" => TextField::Title,
            "key" => TextField::Key,
            "body" | "text" => TextField::Body,
            "summary" => TextField::Summary,
            "lessons" | "lesson" => TextField::Lessons,
            "root_cause" | "rootcause" | "cause" => TextField::RootCause,
            "id" => TextField::Ident,
            _ => return None,
        })
    }

    /// Score multiplier of a match in this field.
    pub fn boost(self) -> f32 {
        match self {
            TextField::Title => 2.0,
            TextField::Key => 1.5,
            _ => 1.0,
        }
    }

    /// Whether BM25 length normalisation applies. It costs one byte per
    /// document, shipped in `index.boot`, so only the two long fields of the
    /// default set have it.
    fn fieldnorms(self) -> bool {
        matches!(self, TextField::Key | TextField::Body)
    }
}

/// A filter (facet) field: exact keyword match, `field:value`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FilterField {
    Severity,
    Service,
    Tag,
    Year,
    Quarter,
    Kind,
}

impl FilterField {
    pub const ALL: [FilterField; 6] = [
        FilterField::Severity,
        FilterField::Service,
        FilterField::Tag,
        FilterField::Year,
        FilterField::Quarter,
        FilterField::Kind,
    ];

    pub fn name(self) -> &'static str {
        match self {
            FilterField::Severity => "severity",
            FilterField::Service => "service",
            FilterField::Tag => "tag",
            FilterField::Year => "year",
            FilterField::Quarter => "quarter",
            FilterField::Kind => "kind",
        }
    }

    pub fn from_query_name(name: &str) -> Option<FilterField> {
        Some(match name {
            "severity" | "sev" => FilterField::Severity,
            "service" | "services" => FilterField::Service,
            "tag" | "tags" => FilterField::Tag,
            "year" => FilterField::Year,
            "quarter" => FilterField::Quarter,
            "kind" | "type" => FilterField::Kind,
            _ => return None,
        })
    }

    /// Whether facet counts are reported for this field.
    pub fn has_facet(self) -> bool {
        !matches!(self, FilterField::Quarter)
    }

    /// The fast (columnar) field the facet counts read. Only incidents have
    /// values there (a lesson counts with its incident's values), which
    /// keeps the columns a quarter of the size; `kind` is on every document.
    pub(crate) fn facet_name(self) -> &'static str {
        match self {
            FilterField::Severity => "facet_severity",
            FilterField::Service => "facet_service",
            FilterField::Tag => "facet_tag",
            FilterField::Year => "facet_year",
            FilterField::Quarter => "facet_quarter",
            FilterField::Kind => "kind",
        }
    }
}

/// Stored-only fields (what a hit shows).
pub(crate) mod stored {
    pub const ID: &str = "doc_id";
    pub const NAME: &str = "name";
    pub const URL: &str = "url";
    pub const SEVERITY: &str = "severity_label";
    pub const SEVERITY_RANK: &str = "severity_rank";
    pub const DATE: &str = "date";
    pub const PARENT: &str = "parent";
    pub const SNIPPET: &str = "snippet";
}

/// The schema's fields, resolved once.
#[derive(Clone, Debug)]
pub struct Fields {
    pub schema: Schema,
    text: Vec<Field>,
    filter: Vec<Field>,
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    facet: Vec<Option<Field>>,
    pub(crate) id: Field,
    pub(crate) name: Field,
    pub(crate) url: Field,
    pub(crate) severity_label: Field,
    pub(crate) severity_rank: Field,
    pub(crate) date: Field,
    pub(crate) parent: Field,
    pub(crate) snippet: Field,
}

impl Fields {
    pub fn text(&self, f: TextField) -> Field {
        self.text[f as usize]
    }
    pub fn filter(&self, f: FilterField) -> Field {
        self.filter[f as usize]
    }
    /// The fast field facet counts read (see [`FilterField::facet_name`]).
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    pub(crate) fn facet(&self, f: FilterField) -> Field {
        self.facet[f as usize].unwrap_or(self.filter[f as usize])
    }

    pub fn from_schema(schema: Schema) -> Result<Fields, tantivy::TantivyError> {
        let get = |name: &str| schema.get_field(name);
        Ok(Fields {
            text: TextField::ALL
                .iter()
                .map(|f| get(f.name()))
                .collect::<Result<_, _>>()?,
            filter: FilterField::ALL
                .iter()
                .map(|f| get(f.name()))
                .collect::<Result<_, _>>()?,
            facet: FilterField::ALL
                .iter()
                .map(|f| get(f.facet_name()).ok())
                .collect(),
            id: get(stored::ID)?,
            name: get(stored::NAME)?,
            url: get(stored::URL)?,
            severity_label: get(stored::SEVERITY)?,
            severity_rank: get(stored::SEVERITY_RANK)?,
            date: get(stored::DATE)?,
            parent: get(stored::PARENT)?,
            snippet: get(stored::SNIPPET)?,
            schema,
        })
    }
}

/// Builds the index schema. Text fields keep positions (for phrases); only
/// the fields a hit displays are stored; the body is indexed, not stored.
pub fn schema() -> Schema {
    let mut b = Schema::builder();
    for f in TextField::ALL {
        let indexing = TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions)
            .set_fieldnorms(f.fieldnorms());
        b.add_text_field(
            f.name(),
            TextOptions::default().set_indexing_options(indexing),
        );
    }
    for f in FilterField::ALL {
        if f == FilterField::Year {
            b.add_i64_field(f.name(), NumericOptions::default() | INDEXED);
            b.add_i64_field(f.facet_name(), NumericOptions::default() | FAST);
            continue;
        }
        let indexing = TextFieldIndexing::default()
            .set_tokenizer(RAW)
            .set_index_option(IndexRecordOption::Basic)
            .set_fieldnorms(false);
        let mut opts = TextOptions::default().set_indexing_options(indexing);
        if f == FilterField::Kind {
            opts = opts.set_stored().set_fast(RAW);
        } else if f.has_facet() {
            b.add_text_field(f.facet_name(), TextOptions::default().set_fast(RAW));
        }
        b.add_text_field(f.name(), opts);
    }
    for name in [
        stored::ID,
        stored::NAME,
        stored::URL,
        stored::SEVERITY,
        stored::DATE,
        stored::PARENT,
        stored::SNIPPET,
    ] {
        b.add_text_field(name, STORED);
    }
    b.add_u64_field(stored::SEVERITY_RANK, STORED);
    b.build()
}

/// The analyzer of every text field: split on non-alphanumerics, drop very
/// long tokens, lowercase, fold accents to ASCII, English stemming
/// ([`EnglishStemmer`]).
pub fn text_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_LEN + 1))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(EnglishStemmer)
        .build()
}

/// Registers the analyzers on an index. The indexer and every reader call
/// this one function.
pub fn register_tokenizers(index: &Index) {
    register_on(index.tokenizers());
}

/// The same, on a tokenizer manager (for an index being created).
pub fn register_on(manager: &TokenizerManager) {
    manager.register(TOKENIZER, text_analyzer());
}

/// Runs `text` through the analyzer; returns the terms in order.
pub fn analyze(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    analyze_with_offsets(text, |t| out.push(t.text.clone()));
    out
}

/// Runs `text` through the analyzer, with the byte offsets of every token.
pub fn analyze_with_offsets(text: &str, mut f: impl FnMut(&Token)) {
    let mut analyzer = text_analyzer();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        f(stream.token());
    }
}

/// Normalises a filter value the way it is indexed: trimmed, lowercase.
pub fn keyword(value: &str) -> String {
    value.trim().to_lowercase()
}

/// English stemming (the Snowball "English", or Porter 2, algorithm), so
/// that `fill`, `fills` and `filled`, or `expire`, `expired` and
/// `expiration`, are one term. Words with digits (`k8s`, `ipv6`, `5xx`) are
/// left alone. Single letters are dropped: they are what the tokenizer
/// leaves of `what's` or `don't`, and find nothing worth finding.
#[derive(Clone, Copy, Debug, Default)]
pub struct EnglishStemmer;

/// Stems one lowercase word in place (see [`EnglishStemmer`]).
fn stem(word: &mut String) {
    if word.bytes().any(|b| b.is_ascii_digit()) {
        return;
    }
    let stemmer = frostem::Stemmer::new(frostem::Algorithm::English);
    if let std::borrow::Cow::Owned(stemmed) = stemmer.stem(word) {
        *word = stemmed;
    }
}

/// Words a stemming filter remembers the stems of before it starts afresh
/// (a few MB): a corpus repeats its words, and stemming each occurrence
/// again was a seventh of a large build.
const STEM_MEMO_WORDS: usize = 100_000;

/// Stems of the words seen: word → stem, `None` when the stem is the word.
#[derive(Clone, Default)]
struct StemMemo(HashMap<String, Option<String>>);

impl StemMemo {
    fn stem(&mut self, word: &mut String) {
        if let Some(known) = self.0.get(word.as_str()) {
            if let Some(stemmed) = known {
                word.clone_from(stemmed);
            }
            return;
        }
        let typed = word.clone();
        stem(word);
        if self.0.len() >= STEM_MEMO_WORDS {
            self.0.clear();
        }
        let known = (*word != typed).then(|| word.clone());
        self.0.insert(typed, known);
    }
}

impl TokenFilter for EnglishStemmer {
    type Tokenizer<T: Tokenizer> = EnglishStemmerFilter<T>;
    fn transform<T: Tokenizer>(self, tokenizer: T) -> EnglishStemmerFilter<T> {
        EnglishStemmerFilter(tokenizer, StemMemo::default())
    }
}

#[derive(Clone)]
pub struct EnglishStemmerFilter<T>(T, StemMemo);

impl<T: Tokenizer> Tokenizer for EnglishStemmerFilter<T> {
    type TokenStream<'a> = EnglishStemmerStream<'a, T::TokenStream<'a>>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        EnglishStemmerStream(self.0.token_stream(text), &mut self.1)
    }
}

pub struct EnglishStemmerStream<'m, T>(T, &'m mut StemMemo);

impl<T: TokenStream> TokenStream for EnglishStemmerStream<'_, T> {
    fn advance(&mut self) -> bool {
        while self.0.advance() {
            let text = &mut self.0.token_mut().text;
            if text.len() == 1 && text.as_bytes()[0].is_ascii_alphabetic() {
                continue;
            }
            self.1.stem(text);
            return true;
        }
        false
    }
    fn token(&self) -> &Token {
        self.0.token()
    }
    fn token_mut(&mut self) -> &mut Token {
        self.0.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembered_stems_are_the_stems() {
        let mut memo = StemMemo::default();
        for _ in 0..2 {
            for (word, stemmed) in [("filled", "fill"), ("fill", "fill"), ("k8s", "k8s")] {
                let mut w = word.to_string();
                memo.stem(&mut w);
                assert_eq!(w, stemmed);
            }
        }
        assert_eq!(memo.0.len(), 3);
    }

    #[test]
    fn analyzer_lowercases_folds_and_stems() {
        assert_eq!(
            analyze("Connection Pools exhausted; Café queries DNS caches status"),
            [
                "connect", "pool", "exhaust", "cafe", "queri", "dns", "cach", "status"
            ]
        );
        assert_eq!(analyze("INC-2024-003"), ["inc", "2024", "003"]);
        assert_eq!(
            analyze("rollback_debug-flag"),
            ["rollback", "debug", "flag"]
        );
        // Very long tokens are dropped.
        assert_eq!(analyze(&format!("aa {} bb", "x".repeat(60))), ["aa", "bb"]);
    }

    #[test]
    fn stemming_conflates_inflections() {
        for group in [
            &["fill", "fills", "filled", "filling"][..],
            &["expire", "expired", "expiration", "expires"],
            &["retry", "retries", "retried"],
            &["certificate", "certificates"],
        ] {
            let stems: Vec<String> = group.iter().map(|w| analyze(w).concat()).collect();
            assert!(stems.iter().all(|s| *s == stems[0]), "{group:?}: {stems:?}");
        }
        // Words with digits are kept whole; single letters are dropped.
        assert_eq!(analyze("k8s ipv6 5xx"), ["k8s", "ipv6", "5xx"]);
        assert_eq!(analyze("what's HTTP/3"), ["what", "http", "3"]);
    }

    #[test]
    fn schema_has_every_field() {
        let fields = Fields::from_schema(schema()).unwrap();
        for f in TextField::ALL {
            assert_eq!(fields.schema.get_field_name(fields.text(f)), f.name());
        }
        for f in FilterField::ALL {
            assert_eq!(fields.schema.get_field_name(fields.filter(f)), f.name());
        }
    }
}

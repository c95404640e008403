//! The query language, parsed without tantivy's `QueryParser` (which pulls
//! the regex crate into the WASM runtime).
//!
//! ```text
//! connection pool            every word must match (in any text field)
//! "connection pool"          a phrase
//! pool OR pooling            either (OR binds tighter than the implicit AND)
//! pool -redis, NOT redis     exclusion
//! (pool OR queue) timeout    grouping
//! title:pool  lessons:"retry budget"   a word or phrase in one field
//! severity:SEV1 service:checkout tag:database year:2024 quarter:2024-Q1 kind:lesson
//!                            filters (exact, case-insensitive)
//! ```
//!
//! A word that the analyzer splits into several terms (`INC-2024-003`,
//! `connection-pool`) is matched as a phrase. `AND` is accepted and ignored;
//! lowercase `and`/`or`/`not` are ordinary words.

use crate::schema::{FilterField, TextField, analyze, keyword};

/// A parsed query.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// Words or a phrase, in one field or in all text fields.
    Text(TextExpr),
    /// `field:value` on a filter field (value normalised by [`keyword`]).
    Filter(FilterField, String),
    /// All must match (`Not` children exclude).
    And(Vec<Expr>),
    /// Any may match.
    Or(Vec<Expr>),
    Not(Box<Expr>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct TextExpr {
    pub field: Option<TextField>,
    /// Analyzed terms; more than one means a phrase.
    pub terms: Vec<String>,
    /// As typed (for suggestions).
    pub raw: String,
    /// A bare word at the very end of the input with nothing typed after
    /// it: it may still be being typed, so it may complete as a prefix.
    pub open: bool,
}

impl TextExpr {
    /// A single term outside quotes: a candidate for fuzzy/prefix expansion.
    pub fn is_word(&self) -> bool {
        self.terms.len() == 1
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    LParen,
    RParen,
    Or,
    And,
    Not,
    Minus,
    Plus,
    /// `field:` immediately followed by its value.
    Field(String),
    Word {
        text: String,
        open: bool,
    },
    Phrase(String),
}

fn lex(input: &str) -> Vec<Tok> {
    let chars: Vec<char> = input.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    // True when the previous token ends where the next starts (a field value).
    let mut attached = false;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            attached = false;
            continue;
        }
        let was_attached = std::mem::replace(&mut attached, false);
        match c {
            '(' => {
                toks.push(Tok::LParen);
                i += 1;
            }
            ')' => {
                toks.push(Tok::RParen);
                i += 1;
            }
            '"' => {
                let start = i + 1;
                let mut j = start;
                while j < chars.len() && chars[j] != '"' {
                    j += 1;
                }
                toks.push(Tok::Phrase(chars[start..j].iter().collect()));
                i = (j + 1).min(chars.len());
            }
            '-' | '+' if !was_attached && chars.get(i + 1).is_some_and(|n| !n.is_whitespace()) => {
                toks.push(if c == '-' { Tok::Minus } else { Tok::Plus });
                i += 1;
            }
            _ => {
                let start = i;
                let mut j = i;
                while j < chars.len()
                    && !chars[j].is_whitespace()
                    && !matches!(chars[j], '(' | ')' | '"')
                {
                    if chars[j] == ':' && !was_attached {
                        let name: String =
                            chars[start..j].iter().collect::<String>().to_lowercase();
                        let known = TextField::from_query_name(&name).is_some()
                            || FilterField::from_query_name(&name).is_some();
                        if known && chars.get(j + 1).is_some_and(|n| !n.is_whitespace()) {
                            break;
                        }
                    }
                    j += 1;
                }
                if j < chars.len() && chars[j] == ':' {
                    let name: String = chars[start..j].iter().collect();
                    toks.push(Tok::Field(name.to_lowercase()));
                    i = j + 1;
                    attached = true;
                    continue;
                }
                let text: String = chars[start..j].iter().collect();
                i = j;
                if let Some(name) = text.strip_suffix(':') {
                    let name = name.to_lowercase();
                    if TextField::from_query_name(&name).is_some()
                        || FilterField::from_query_name(&name).is_some()
                    {
                        // `tag:` with nothing after it (yet).
                        continue;
                    }
                }
                let tok = match text.as_str() {
                    "OR" | "||" if !was_attached => Tok::Or,
                    "AND" | "&&" if !was_attached => Tok::And,
                    "NOT" if !was_attached => Tok::Not,
                    _ => Tok::Word {
                        text,
                        open: j == chars.len(),
                    },
                };
                toks.push(tok);
            }
        }
    }
    toks
}

/// Groups nested deeper than this are flattened into the enclosing one, so a
/// hostile query (`((((…`) cannot exhaust the stack, in the browser least of all.
const MAX_GROUP_DEPTH: usize = 16;

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
    /// `(` past [`MAX_GROUP_DEPTH`] that were flattened; their `)` are skipped.
    flattened: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    /// and_expr := or_expr* (until `)` or end)
    fn and_expr(&mut self, depth: usize) -> Vec<Expr> {
        let mut items = Vec::new();
        while let Some(t) = self.peek() {
            match t {
                Tok::RParen if self.flattened > 0 => {
                    self.flattened -= 1;
                    self.pos += 1;
                }
                Tok::RParen if depth > 0 => break,
                Tok::RParen | Tok::And | Tok::Or => {
                    self.pos += 1;
                }
                _ => {
                    if let Some(e) = self.or_expr(depth) {
                        items.push(e);
                    }
                }
            }
        }
        items
    }

    /// or_expr := unary ("OR" unary)*
    fn or_expr(&mut self, depth: usize) -> Option<Expr> {
        let mut alts: Vec<Expr> = self.unary(depth).into_iter().collect();
        while self.peek() == Some(&Tok::Or) {
            self.pos += 1;
            if let Some(e) = self.unary(depth) {
                alts.push(e);
            }
        }
        match alts.len() {
            0 => None,
            1 => alts.pop(),
            _ => Some(Expr::Or(alts)),
        }
    }

    /// unary := ("-" | "NOT" | "+")* primary; a double negation cancels out
    /// (a loop, not recursion: `------…x` must not exhaust the stack).
    fn unary(&mut self, depth: usize) -> Option<Expr> {
        let mut negated = false;
        loop {
            match self.peek()? {
                Tok::Minus | Tok::Not => negated = !negated,
                Tok::Plus => {}
                _ => break,
            }
            self.pos += 1;
        }
        let e = self.primary(depth)?;
        Some(if negated { Expr::Not(Box::new(e)) } else { e })
    }

    fn primary(&mut self, depth: usize) -> Option<Expr> {
        while depth >= MAX_GROUP_DEPTH && self.peek() == Some(&Tok::LParen) {
            self.flattened += 1;
            self.pos += 1;
        }
        match self.next()? {
            Tok::LParen => {
                let items = self.and_expr(depth + 1);
                if self.peek() == Some(&Tok::RParen) {
                    self.pos += 1;
                }
                group(items)
            }
            Tok::Field(name) => {
                let value = match self.peek() {
                    Some(Tok::Word { text, .. }) => Some((text.clone(), false)),
                    Some(Tok::Phrase(text)) => Some((text.clone(), true)),
                    _ => None,
                };
                let (value, quoted) = value?;
                let open = matches!(self.peek(), Some(Tok::Word { open: true, .. }));
                self.pos += 1;
                if let Some(f) = FilterField::from_query_name(&name) {
                    let v = keyword(&value);
                    return (!v.is_empty()).then_some(Expr::Filter(f, v));
                }
                let field = TextField::from_query_name(&name);
                text(field, &value, open && !quoted)
            }
            Tok::Word { text: w, open } => text(None, &w, open),
            Tok::Phrase(p) => text(None, &p, false),
            // Operators in odd places are ignored.
            _ => None,
        }
    }
}

fn text(field: Option<TextField>, raw: &str, open: bool) -> Option<Expr> {
    let terms = analyze(raw);
    if terms.is_empty() {
        return None;
    }
    Some(Expr::Text(TextExpr {
        field,
        terms,
        raw: raw.to_string(),
        open,
    }))
}

fn group(mut items: Vec<Expr>) -> Option<Expr> {
    match items.len() {
        0 => None,
        1 => items.pop(),
        _ => Some(Expr::And(items)),
    }
}

/// Parses a query; `None` when it has nothing to search for.
pub fn parse(input: &str) -> Option<Expr> {
    let mut p = Parser {
        toks: lex(input),
        pos: 0,
        flattened: 0,
    };
    let items = p.and_expr(0);
    group(items)
}

impl Expr {
    /// Visits every node, depth first; `negated` tells whether the node is
    /// under a `Not`.
    pub fn walk<'a>(&'a self, negated: bool, f: &mut impl FnMut(&'a Expr, bool)) {
        f(self, negated);
        match self {
            Expr::And(items) | Expr::Or(items) => items.iter().for_each(|e| e.walk(negated, f)),
            Expr::Not(e) => e.walk(!negated, f),
            Expr::Text(_) | Expr::Filter(..) => {}
        }
    }

    /// Whether the query has free-text parts at all (filters only otherwise).
    pub fn has_text(&self) -> bool {
        let mut any = false;
        self.walk(false, &mut |e, neg| {
            any |= !neg && matches!(e, Expr::Text(_))
        });
        any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Words as the analyzer makes them terms.
    fn t(words: &[&str]) -> Expr {
        Expr::Text(TextExpr {
            field: None,
            terms: words.iter().flat_map(|w| analyze(w)).collect(),
            raw: String::new(),
            open: false,
        })
    }

    /// Compares ignoring `raw` and `open`.
    fn shape(e: &Expr) -> Expr {
        match e {
            Expr::Text(x) => Expr::Text(TextExpr {
                raw: String::new(),
                open: false,
                ..x.clone()
            }),
            Expr::And(v) => Expr::And(v.iter().map(shape).collect()),
            Expr::Or(v) => Expr::Or(v.iter().map(shape).collect()),
            Expr::Not(x) => Expr::Not(Box::new(shape(x))),
            other => other.clone(),
        }
    }

    fn p(q: &str) -> Expr {
        shape(&parse(q).unwrap())
    }

    #[test]
    fn words_and_phrases() {
        assert_eq!(
            p("connection pool"),
            Expr::And(vec![t(&["connection"]), t(&["pool"])])
        );
        assert_eq!(p("\"Connection Pools\""), t(&["connection", "pool"]));
        assert_eq!(p("INC-2024-003"), t(&["inc", "2024", "003"]));
        assert_eq!(p("  \"unterminated phrase"), t(&["unterminated", "phrase"]));
        assert!(parse("  ").is_none());
        assert!(parse("-- ( ) \"\"").is_none());
    }

    #[test]
    fn hostile_nesting_is_bounded() {
        let n = 100_000;
        let deep = format!("{}xx{}", "(".repeat(n), ")".repeat(n));
        assert_eq!(p(&deep), t(&["xx"]));
        assert_eq!(
            p(&format!("{}xx", "-".repeat(n + 1))),
            Expr::Not(Box::new(t(&["xx"])))
        );
        assert_eq!(p(&format!("{}xx", "NOT ".repeat(n))), t(&["xx"]));
        // Groups past the limit are flattened into the deepest kept one.
        let nested = format!("{}(aa OR bb) cc{}  dd", "(".repeat(40), ")".repeat(40));
        assert_eq!(
            p(&nested),
            Expr::And(vec![
                Expr::And(vec![Expr::Or(vec![t(&["aa"]), t(&["bb"])]), t(&["cc"])]),
                t(&["dd"]),
            ])
        );
    }

    #[test]
    fn operators() {
        assert_eq!(
            p("rollback debug OR trace -flag"),
            Expr::And(vec![
                t(&["rollback"]),
                Expr::Or(vec![t(&["debug"]), t(&["trace"])]),
                Expr::Not(Box::new(t(&["flag"]))),
            ])
        );
        assert_eq!(
            p("NOT redis AND (pool OR queue)"),
            Expr::And(vec![
                Expr::Not(Box::new(t(&["redis"]))),
                Expr::Or(vec![t(&["pool"]), t(&["queue"])]),
            ])
        );
        // Lowercase operators are words; a lone dash is nothing.
        assert_eq!(
            p("aa or bb -"),
            Expr::And(vec![t(&["aa"]), t(&["or"]), t(&["bb"])])
        );
        assert_eq!(p("+pool"), t(&["pool"]));
    }

    #[test]
    fn fields_and_filters() {
        assert_eq!(
            p("severity:SEV1 Tag:Database pool year:2024 quarter:2024-Q1"),
            Expr::And(vec![
                Expr::Filter(FilterField::Severity, "sev1".into()),
                Expr::Filter(FilterField::Tag, "database".into()),
                t(&["pool"]),
                Expr::Filter(FilterField::Year, "2024".into()),
                Expr::Filter(FilterField::Quarter, "2024-q1".into()),
            ])
        );
        assert_eq!(
            p("lessons:\"retry budget\" -service:checkout"),
            Expr::And(vec![
                Expr::Text(TextExpr {
                    field: Some(TextField::Lessons),
                    terms: analyze("retry budget"),
                    raw: String::new(),
                    open: false
                }),
                Expr::Not(Box::new(Expr::Filter(
                    FilterField::Service,
                    "checkout".into()
                ))),
            ])
        );
        // Unknown field names and URLs are just text.
        assert_eq!(p("foo:bar"), t(&["foo", "bar"]));
        assert_eq!(p("https://x.io"), t(&["https", "x", "io"]));
        // A field with nothing after it is dropped.
        assert_eq!(p("tag: pool"), t(&["pool"]));
    }

    #[test]
    fn open_last_word() {
        let Some(Expr::And(items)) = parse("connection poo") else {
            panic!()
        };
        let Expr::Text(last) = &items[1] else {
            panic!()
        };
        assert!(last.open);
        let Expr::Text(first) = &items[0] else {
            panic!()
        };
        assert!(!first.open);
        let Some(Expr::Text(x)) = parse("pool ") else {
            panic!()
        };
        assert!(!x.open);
    }
}

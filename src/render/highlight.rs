//! Code highlighting with syntect, emitting CSS classes (`hl-keyword`, …) so
//! one stylesheet covers light, dark and print.
//!
//! Highlighting is most of a build's CPU time, and postmortems quote the same
//! lines again and again (the same queries, commands and configuration
//! keys). A line's HTML depends only on the line and on the grammar state it
//! starts in, so each thread memoises it by both ([`LineMemo`]): the output
//! is byte for byte what syntect writes line by line.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::LazyLock;

use syntect::html::{ClassStyle, line_tokens_to_classed_spans};
use syntect::parsing::{ParseState, ScopeStack, SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

/// Loaded once per process: parsing the bundled syntax definitions is the expensive part.
static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(SyntaxSet::load_defaults_newlines);

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// Code blocks longer than this are shown plain: highlighting is linear but slow per byte.
const MAX_HIGHLIGHT_BYTES: usize = 64 * 1024;

fn syntax_for(lang: &str) -> Option<&'static SyntaxReference> {
    let token = match lang.to_ascii_lowercase().as_str() {
        "" | "text" | "plain" | "plaintext" | "txt" | "console" | "output" | "log" => return None,
        "sh" | "shell" | "zsh" | "shell-session" => "bash".to_string(),
        "yml" => "yaml".to_string(),
        "py" | "python3" => "python".to_string(),
        "js" | "node" => "javascript".to_string(),
        "golang" => "go".to_string(),
        "rs" => "rust".to_string(),
        "postgres" | "postgresql" | "mysql" | "psql" => "sql".to_string(),
        other => other.to_string(),
    };
    SYNTAXES.find_syntax_by_token(&token)
}

/// HTML for the contents of a `<code>` element: highlighted spans when the
/// language is known, escaped text otherwise (e.g. `promql`).
pub fn highlight(code: &str, lang: &str) -> String {
    crate::profile::HIGHLIGHT.time(|| highlight_untimed(code, lang))
}

fn highlight_untimed(code: &str, lang: &str) -> String {
    let Some(syntax) = syntax_for(lang).filter(|_| code.len() <= MAX_HIGHLIGHT_BYTES) else {
        return escape(code);
    };
    MEMO.with_borrow_mut(|memo| memo.highlight(syntax, code))
        .unwrap_or_else(|| escape(code))
}

thread_local! {
    static MEMO: RefCell<LineMemo> = RefCell::new(LineMemo::default());
}

/// Grammar states a thread remembers; beyond this, lines starting in a new
/// state are highlighted without being remembered.
const MAX_STATES: usize = 4096;
/// Lines a thread remembers; the memo starts afresh when it is full.
const MAX_LINES: usize = 50_000;

/// The grammar state between two lines: what syntect's HTML generator
/// carries from one line to the next.
#[derive(Clone, PartialEq, Eq)]
struct State {
    parse: ParseState,
    scopes: ScopeStack,
}

/// One line highlighted from one state.
struct Line {
    html: Box<str>,
    /// Spans opened minus spans closed.
    delta: isize,
    /// The state the next line starts in.
    next: usize,
}

/// The lines a thread has highlighted, by start state and text.
#[derive(Default)]
struct LineMemo {
    /// Interned states; ids are indexes.
    states: Vec<State>,
    /// State ids by a hash of the state's `Debug` text (the grammar state
    /// types implement `Eq` but not `Hash`).
    by_hash: HashMap<u64, Vec<usize>>,
    hasher: RandomState,
    /// By text, then by start state (a line mostly starts in one state).
    lines: HashMap<Box<str>, Vec<(usize, Line)>>,
    line_count: usize,
}

impl LineMemo {
    /// The id of `state`, remembering it if there is room.
    fn intern(&mut self, state: State) -> Option<usize> {
        let hash = self
            .hasher
            .hash_one(format!("{:?}{:?}", state.parse, state.scopes));
        let ids = self.by_hash.entry(hash).or_default();
        if let Some(&id) = ids.iter().find(|&&id| self.states[id] == state) {
            return Some(id);
        }
        if self.states.len() >= MAX_STATES {
            return None;
        }
        ids.push(self.states.len());
        self.states.push(state);
        Some(self.states.len() - 1)
    }

    /// Highlighted HTML of `code`, or `None` when the grammar fails on it.
    fn highlight(&mut self, syntax: &SyntaxReference, code: &str) -> Option<String> {
        if self.line_count >= MAX_LINES {
            self.lines.clear();
            self.line_count = 0;
        }
        let mut html = String::with_capacity(code.len() * 3);
        let mut open_spans = 0isize;
        let start = State {
            parse: ParseState::new(syntax),
            scopes: ScopeStack::new(),
        };
        // The state the next line starts in: remembered (an id), or not.
        let mut current: Result<usize, State> = self.intern(start.clone()).ok_or(start);
        for text in LinesWithEndings::from(code) {
            if let Ok(id) = current
                && let Some((_, known)) = self
                    .lines
                    .get(text)
                    .and_then(|starts| starts.iter().find(|(start, _)| *start == id))
            {
                html.push_str(&known.html);
                open_spans += known.delta;
                current = Ok(known.next);
                continue;
            }
            let mut state = match &current {
                Ok(id) => self.states[*id].clone(),
                Err(state) => state.clone(),
            };
            let ops = state.parse.parse_line(text, &SYNTAXES).ok()?;
            let (line_html, delta) =
                line_tokens_to_classed_spans(text, &ops, CLASS_STYLE, &mut state.scopes).ok()?;
            html.push_str(&line_html);
            open_spans += delta;
            let next = self.intern(state.clone());
            if let (Ok(id), Some(next)) = (&current, next) {
                let line = Line {
                    html: line_html.into_boxed_str(),
                    delta,
                    next,
                };
                self.lines
                    .entry(Box::from(text))
                    .or_default()
                    .push((*id, line));
                self.line_count += 1;
            }
            current = next.ok_or(state);
        }
        for _ in 0..open_spans {
            html.push_str("</span>");
        }
        Some(html)
    }
}

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    pulldown_cmark_escape::escape_html(&mut out, text).expect("writing to a String cannot fail");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use syntect::html::ClassedHTMLGenerator;

    #[test]
    fn known_languages_get_classes_and_unknown_ones_are_escaped() {
        let sql = highlight("SELECT * FROM t WHERE a < 1;\n", "sql");
        assert!(sql.contains("hl-keyword"), "{sql}");
        assert!(sql.contains("&lt;"), "{sql}");
        let bash = highlight("echo \"hi\"\n", "sh");
        assert!(bash.contains("hl-string"), "{bash}");
        assert_eq!(highlight("rate(x[5m]) < 1", "promql"), "rate(x[5m]) &lt; 1");
        assert_eq!(highlight("<b>", ""), "&lt;b&gt;");
    }

    /// What syntect's own generator writes for `code`.
    fn syntect_html(code: &str, lang: &str) -> String {
        let syntax = syntax_for(lang).unwrap();
        let mut generator =
            ClassedHTMLGenerator::new_with_class_style(syntax, &SYNTAXES, CLASS_STYLE);
        for line in LinesWithEndings::from(code) {
            generator
                .parse_html_for_line_which_includes_newline(line)
                .unwrap();
        }
        generator.finalize()
    }

    #[test]
    fn remembered_lines_give_what_syntect_gives() {
        // Lines that recur in other states: inside a string, a comment, a
        // heredoc; and blocks that end with spans open.
        let blocks = [
            (
                "sql",
                "SELECT 1;\n/* SELECT 1;\n*/ SELECT 1;\nSELECT 'a\nSELECT 1;\n'",
            ),
            (
                "bash",
                "cat <<EOF\necho hi\nEOF\necho hi\ncat <<END\necho hi\nEOF\nEND\n",
            ),
            ("python", "x = \"\"\"\nx = 1\n\"\"\"\nx = 1\n"),
            ("yaml", "a: |\n  b: 1\nb: 1\n"),
            ("json", "{\"a\": [1,\n2]}\n{\"a\": [1,\n"),
        ];
        for round in 0..2 {
            for (lang, code) in blocks {
                assert_eq!(
                    highlight(code, lang),
                    syntect_html(code, lang),
                    "{lang}, round {round}"
                );
            }
        }
    }
}

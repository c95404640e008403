//! `hindsight search`: the built index, queried with the engine the browser
//! runs, so the terminal and the site give the same answers.

use std::io::IsTerminal;
use std::path::Path;

use hindsight_search::{Engine, Hit, SearchError, SearchRequest};
use serde::Serialize;

use super::Error;
use super::build::output_folder;
use crate::cli::SearchArgs;
use crate::terminal::printable;

/// One line of `--json` output (docs/cli.md: `{id, title, url, score, snippet}`).
#[derive(Serialize)]
struct JsonHit<'a> {
    id: &'a str,
    title: &'a str,
    url: &'a str,
    score: f32,
    /// HTML, with the matched words in `<mark>`, as the site shows it.
    snippet: &'a str,
}

pub fn run(root: &Path, args: &SearchArgs) -> Result<(), Error> {
    let out = output_folder(root, args.out.as_ref());
    let query = args.query.join(" ");
    let response = Engine::open_dir(&out)
        .and_then(|engine| engine.search(&SearchRequest::new(&query).limit(args.limit)))
        .map_err(|error| match error {
            SearchError::NotFound(_) => Error::usage(error.to_string())
                .hint("run `hindsight build` first, or pass the built site with --out DIR"),
            _ => Error::usage(error.to_string()),
        })?;
    if args.json {
        let hits: Vec<JsonHit> = response.hits.iter().map(json_hit).collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&hits).expect("hits serialise")
        );
        return Ok(());
    }
    let bold = std::io::stdout().is_terminal();
    for (n, hit) in response.hits.iter().enumerate() {
        print_hit(n + 1, hit, bold);
    }
    let note = if response.fuzzy {
        match &response.suggestion {
            Some(s) => format!(" (similar words: {s})"),
            None => " (similar words)".to_string(),
        }
    } else if response.relaxed {
        " (not every word matched)".to_string()
    } else {
        String::new()
    };
    println!(
        "{} of {} results for `{}`{}",
        response.hits.len(),
        response.total,
        printable(&query, false),
        printable(&note, false)
    );
    Ok(())
}

fn json_hit(hit: &Hit) -> JsonHit<'_> {
    JsonHit {
        id: &hit.id,
        title: &hit.title,
        url: &hit.url,
        score: hit.score,
        snippet: &hit.snippet_html,
    }
}

fn print_hit(rank: usize, hit: &Hit, bold: bool) {
    let facts: Vec<&str> = [
        Some(hit.id.as_str()),
        hit.severity.as_deref(),
        hit.date.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();
    // Titles, ids and snippets come from content: never raw control characters.
    let show = |text: &str| printable(text, false).into_owned();
    println!("{rank}. {} ({})", show(&hit.title), show(&facts.join(", ")));
    if let Some(parent) = &hit.parent_title {
        println!("   lesson of: {}", show(parent));
    }
    println!("   {}", show(&hit.url));
    println!("   {}", snippet_text(&hit.snippet_html, bold));
}

/// The snippet HTML as terminal text: matches in bold on a terminal,
/// `*between stars*` otherwise, entities decoded, control characters shown.
fn snippet_text(html: &str, bold: bool) -> String {
    let (open, close) = if bold {
        ("\x1b[1m", "\x1b[0m")
    } else {
        ("*", "*")
    };
    printable(html, false)
        .replace("<mark>", open)
        .replace("</mark>", close)
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::snippet_text;

    #[test]
    fn snippets_become_plain_text_with_marked_words() {
        assert_eq!(
            snippet_text("a <mark>pool</mark> &lt;x&gt; &amp;amp;", false),
            "a *pool* <x> &amp;"
        );
        assert_eq!(
            snippet_text("\x1b]0;x\x07 <mark>a</mark>", true),
            "␛]0;x␇ \x1b[1ma\x1b[0m"
        );
    }
}

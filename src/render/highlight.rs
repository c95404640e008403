//! Code highlighting with syntect, emitting CSS classes (`hl-keyword`, …) so
//! one stylesheet covers light, dark and print.

use std::sync::LazyLock;

use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::{SyntaxReference, SyntaxSet};
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
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, &SYNTAXES, CLASS_STYLE);
    for line in LinesWithEndings::from(code) {
        if generator
            .parse_html_for_line_which_includes_newline(line)
            .is_err()
        {
            return escape(code);
        }
    }
    generator.finalize()
}

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    pulldown_cmark_escape::escape_html(&mut out, text).expect("writing to a String cannot fail");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
}

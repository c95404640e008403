//! Text for terminals. Titles, ids, paths and values come from content that
//! merge requests carry: printed raw, an ESC or BEL could set the terminal's
//! title, move the cursor or hide text, and a bidi control could reorder what
//! a reviewer reads. Every terminal output passes them through [`printable`].

use std::borrow::Cow;

/// `text` with every control character made visible, one character for one
/// (so carets under a shown line still line up): C0 controls and DEL as
/// their Unicode control pictures (`␛`, `␇`, `␍`…), C1 controls and bidi
/// controls as `�`. Line feeds are kept when `newlines` is true; tabs always.
pub fn printable(text: &str, newlines: bool) -> Cow<'_, str> {
    let keep = |c: char| c == '\t' || (newlines && c == '\n');
    if !text.chars().any(|c| needs_escape(c) && !keep(c)) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| match c {
                c if keep(c) || !needs_escape(c) => c,
                '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('�'),
                '\u{7f}' => '␡',
                _ => '�',
            })
            .collect(),
    )
}

fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_visible() {
        assert_eq!(printable("plain text", false), "plain text");
        assert!(matches!(printable("plain", false), Cow::Borrowed(_)));
        assert_eq!(
            printable("a\x1b]0;owned\x07b\rc\u{9b}d\u{202e}e\u{7f}", false),
            "a␛]0;owned␇b␍c�d�e␡"
        );
        assert_eq!(printable("one\ntwo\tx", true), "one\ntwo\tx");
        assert_eq!(printable("one\ntwo", false), "one␊two");
        let text = "x\x1by\u{85}z";
        assert_eq!(printable(text, false).chars().count(), text.chars().count());
    }
}

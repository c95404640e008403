//! A line-level view of Markdown source: the lines outside fenced code
//! blocks, with their byte offsets. For scanners that look at what authors
//! wrote (placeholders, legacy metadata) and must not read code as prose.

/// Lines outside fenced code blocks, as (byte offset of the line, line
/// without its line ending). Fence lines themselves are left out.
pub fn lines_outside_code(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut fence: Option<(char, usize)> = None;
    let mut offset = 0;
    text.split_inclusive('\n').filter_map(move |raw| {
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        if let Some(marker) = fence_marker(line) {
            match fence {
                None => fence = Some(marker),
                Some((c, n)) if marker.0 == c && marker.1 >= n && is_bare_fence(line) => {
                    fence = None
                }
                Some(_) => {}
            }
            return None;
        }
        fence.is_none().then_some((start, line))
    })
}

/// The fence character and its length when `line` opens or closes a code fence.
fn fence_marker(line: &str) -> Option<(char, usize)> {
    let trimmed = line.trim_start_matches(' ');
    if line.len() - trimmed.len() > 3 {
        return None;
    }
    let c = trimmed.chars().next().filter(|c| matches!(c, '`' | '~'))?;
    let n = trimmed.chars().take_while(|&x| x == c).count();
    (n >= 3).then_some((c, n))
}

/// A closing fence has no info string.
fn is_bare_fence(line: &str) -> bool {
    line.trim().chars().all(|c| c == '`' || c == '~')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_fenced_code_with_offsets_into_the_text() {
        let text = "a\n```sql\nSELECT 1;\n```\nb\n~~~~\n```\n~~~~\nc";
        let lines: Vec<(usize, &str)> = lines_outside_code(text).collect();
        assert_eq!(lines, [(0, "a"), (23, "b"), (39, "c")]);
        assert_eq!(&text[23..24], "b");
    }
}

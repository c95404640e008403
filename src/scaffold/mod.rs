//! Writing new content: front matter, the next free id, the postmortem
//! template of `hindsight new`, and the files of `hindsight init`.

pub mod ids;
pub mod init;
pub mod postmortem;
pub mod yaml;

use crate::slug::slugify;

/// Longest slug part of a new file's name.
const FILE_SLUG_CHARS: usize = 60;

/// The slug of a title for a file name, cut at a word boundary:
/// `Payments pool starved` → `payments-pool-starved`.
pub fn file_slug(title: &str) -> String {
    let slug = slugify(title);
    if slug.len() <= FILE_SLUG_CHARS {
        return slug;
    }
    let cut = &slug[..FILE_SLUG_CHARS];
    cut.rfind('-').map_or(cut, |i| &cut[..i]).to_string()
}

//! `hindsight import`'s inference on a legacy document. Besides not
//! panicking, what it writes must be a file `build` can read: front matter
//! that is a YAML mapping, under a file name that is one plain path segment.
#![no_main]

use std::sync::LazyLock;

use hindsight::config::Config;
use hindsight::import::convert;
use hindsight::incident::frontmatter::{parse_yaml, split};
use libfuzzer_sys::fuzz_target;

static CONFIG: LazyLock<Config> = LazyLock::new(Config::default);

fuzz_target!(|text: &str| {
    for incident in convert("legacy.md", text, &CONFIG).incidents {
        let stem = incident.file_stem();
        assert!(
            !stem.is_empty() && !stem.starts_with('.') && !stem.contains(['/', '\\']),
            "unsafe file name {stem:?}"
        );
        let markdown = incident.to_markdown();
        let parts = split("imported.md", &markdown).expect("front matter is closed");
        if let Err(d) = parse_yaml("imported.md", &markdown, &parts) {
            panic!("import wrote front matter build cannot read: {d:?}\n{markdown}");
        }
    }
});

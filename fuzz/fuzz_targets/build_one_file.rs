//! The whole build on one content file (front matter + body), as CI runs it
//! on a merge request: load's decoding, parsing, linking, metrics, every
//! page, feeds, the search index and the secret scan of `build --strict`.
#![no_main]

use std::collections::BTreeMap;
use std::sync::LazyLock;

use hindsight::config::Config;
use hindsight::load::{SourceFile, Sources, decode};
use hindsight::{BuildOptions, build_in_memory};
use libfuzzer_sys::fuzz_target;

static CONFIG: LazyLock<Config> = LazyLock::new(|| {
    Config::parse("base_url: https://incidents.example.com/\n").expect("valid configuration")
});

fuzz_target!(|data: &[u8]| {
    let Ok(text) = decode("content/fuzz.md", data.to_vec()) else {
        return;
    };
    let sources = Sources {
        config: CONFIG.clone(),
        content: vec![SourceFile {
            path: "content/fuzz.md".into(),
            text,
        }],
        theme_overrides: BTreeMap::new(),
        diagnostics: Default::default(),
    };
    let options = BuildOptions {
        drafts: data.len() % 2 == 0,
        include_internal: data.len() % 3 == 0,
        strict: data.len() % 5 == 0,
        offline: false,
        base_url: None,
        now: jiff::civil::date(2026, 1, 15),
    };
    let Ok(site) = build_in_memory(sources, &options) else {
        return;
    };
    // Every file of the site stays inside it.
    for path in site.keys() {
        assert!(
            !path.starts_with('/')
                && !path.contains('\\')
                && path.split('/').all(|part| !part.is_empty() && part != "." && part != ".."),
            "{path}"
        );
    }
});

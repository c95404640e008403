//! A content file as `build` sees it: decoded, split into front matter and
//! body, fields read, body structure extracted, then rendered to HTML.
#![no_main]

use std::collections::BTreeMap;
use std::sync::LazyLock;

use hindsight::config::Config;
use hindsight::incident::parse_incident;
use hindsight::load::{SourceFile, decode};
use hindsight::render::markdown::{BodyInput, render_body};
use libfuzzer_sys::fuzz_target;

static CONFIG: LazyLock<Config> = LazyLock::new(Config::default);

fuzz_target!(|data: &[u8]| {
    let Ok(text) = decode("content/fuzz.md", data.to_vec()) else {
        return;
    };
    let file = SourceFile {
        path: "content/fuzz.md".into(),
        text,
    };
    let (incident, _diagnostics) = parse_incident(&file, &CONFIG);
    if let Some(incident) = incident {
        render_body(&BodyInput::new(&incident, BTreeMap::new(), data.len() % 2 == 0));
    }
});

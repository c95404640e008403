//! `hindsight check`'s content scan: secrets, personal data and placeholders,
//! turned into diagnostics with the secrets masked. A finding's range must be
//! a valid range of the text, and no diagnostic may print a secret back.
#![no_main]

use std::sync::LazyLock;

use hindsight::scan::{Scan, scan_file, secrets};
use hindsight::config::Config;
use hindsight::load::SourceFile;
use libfuzzer_sys::fuzz_target;

static CONFIG: LazyLock<Config> = LazyLock::new(|| {
    Config::parse("secrets: { extra_patterns: ['MRN-\\d{6}'] }\n").expect("valid config")
});

fuzz_target!(|text: &str| {
    for finding in secrets::scan(text, &CONFIG.secret_patterns) {
        assert!(text.get(finding.range.clone()).is_some(), "{finding:?}");
        if let Some(hidden) = &finding.redact {
            let secret = text.get(hidden.clone()).expect("redacted range is valid");
            assert!(!finding.message.contains(secret) || secret.len() < 8, "{finding:?}");
        }
    }
    let file = SourceFile {
        path: "content/fuzz.md".into(),
        text: text.to_string(),
    };
    scan_file(&file, &CONFIG, Scan::Everything);
});

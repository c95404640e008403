//! `hindsight import`'s inference on a legacy document. Besides not
//! panicking, what it would write must be a file `build` accepts with every
//! inferred field: a plain file name, front matter that reads back, no
//! error from the parser `build` uses (`Imported::finish`), and no field
//! dropped by finish's safety net.
#![no_main]

use std::sync::LazyLock;

use hindsight::config::Config;
use hindsight::import::{Rejected, convert};
use libfuzzer_sys::fuzz_target;

static CONFIG: LazyLock<Config> = LazyLock::new(Config::default);

fuzz_target!(|text: &str| {
    for mut incident in convert("legacy.md", text, &CONFIG).incidents {
        let stem = incident.file_stem();
        assert!(
            !stem.is_empty() && !stem.starts_with('.') && !stem.contains(['/', '\\']),
            "unsafe file name {stem:?}"
        );
        let path = format!("content/imported/{stem}.md");
        match incident.finish(&path, &CONFIG) {
            Ok(_) => assert!(
                !incident.notes.iter().any(|n| n.starts_with("build rejected")),
                "an inferred field was rejected: {:?}\n{}",
                incident.notes,
                incident.to_markdown()
            ),
            // A secret in the legacy text is refused, as `check` would refuse it.
            Err(Rejected::Sensitive(_)) => {}
            Err(why) => panic!("{why}\n{}", incident.to_markdown()),
        }
    }
});

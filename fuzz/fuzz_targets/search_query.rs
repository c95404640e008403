//! The search box's query parser (shared by `hindsight search` and the
//! browser runtime): any input parses to an expression or to nothing.
#![no_main]

use hindsight_search::query::parse;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    if let Some(expr) = parse(input) {
        let mut nodes = 0usize;
        expr.walk(false, &mut |_, _| nodes += 1);
        assert!(nodes <= input.len() + 1, "{nodes} nodes from {} bytes", input.len());
    }
});

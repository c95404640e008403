//! Fingerprints of pages. A page is a pure function of its template and its
//! context, so a rebuild whose theme is unchanged can keep the previous HTML
//! of every page whose fingerprint is unchanged (`hindsight serve`
//! re-renders only what an edit affected).

use std::cell::RefCell;
use std::hash::{DefaultHasher, Hash, Hasher};

use serde::Serialize;

thread_local! {
    /// The JSON text of the context being fingerprinted, kept between
    /// pages: serialised into it and hashed at once (serde writes a page in
    /// thousands of small pieces, and each write into a hasher has a cost).
    static JSON: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// The fingerprint of a page rendered by `template` from `context`, where
/// `costly` stands for what is added to the context only when the page does
/// render (an incident's body). `None` when the context cannot be
/// serialised: such a page always renders.
pub fn fingerprint(template: &str, context: &impl Serialize, costly: &impl Hash) -> Option<u64> {
    let mut hasher = DefaultHasher::new();
    hasher.write(template.as_bytes());
    hasher.write_u8(0xff);
    JSON.with_borrow_mut(|json| {
        json.clear();
        let written = serde_json::to_writer(&mut *json, context);
        hasher.write(json);
        written
    })
    .ok()?;
    hasher.write_u8(0xff);
    costly.hash(&mut hasher);
    Some(hasher.finish())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use serde_json::json;

    use super::*;

    #[test]
    fn same_inputs_same_fingerprint_and_any_change_differs() {
        let base = json!({"title": "A", "n": 1});
        let same = fingerprint("page.html", &base, &());
        assert!(same.is_some());
        assert_eq!(same, fingerprint("page.html", &base, &()));
        assert_ne!(same, fingerprint("other.html", &base, &()));
        assert_ne!(
            same,
            fingerprint("page.html", &json!({"title": "B", "n": 1}), &())
        );
        // Keys and values cannot run into each other.
        assert_ne!(
            fingerprint("p", &json!({"ab": "c"}), &()),
            fingerprint("p", &json!({"a": "bc"}), &())
        );
    }

    #[test]
    fn the_costly_part_counts() {
        let context = json!({"title": "A"});
        assert_ne!(
            fingerprint("p", &context, &42u64),
            fingerprint("p", &context, &43u64)
        );
    }

    #[test]
    fn unserialisable_contexts_have_no_fingerprint() {
        // JSON object keys must be strings.
        assert_eq!(
            fingerprint("p", &HashMap::from([(vec![1u8], 1)]), &()),
            None
        );
    }
}

//! Fingerprints of template contexts. A page is a pure function of its
//! template and its context, so a rebuild whose theme is unchanged can keep
//! the previous HTML of every page whose context fingerprint is unchanged
//! (`hindsight serve` re-renders only what an edit affected).

use std::borrow::Cow;
use std::hash::{DefaultHasher, Hasher};
use std::io::Write;

use serde::Serialize;
use tera::Context;

/// A tera context that also hashes every value put into it, when asked to:
/// hashing serialises each value a second time, which a one-off build need
/// not pay for.
pub struct PageContext {
    context: Context,
    /// `None` when the context is not fingerprinted.
    hasher: Option<DefaultHasher>,
    /// A value could not be serialised: the fingerprint is unknown, and the
    /// page is always rendered.
    broken: bool,
}

/// Feeds `io::Write` output to a hasher, so values are hashed as they are
/// serialised, without building the JSON text.
struct HashWriter<'a>(&'a mut DefaultHasher);

impl Write for HashWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.write(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl PageContext {
    /// An empty context for `template`, fingerprinted or not.
    pub fn new(template: &str, fingerprinted: bool) -> Self {
        let hasher = fingerprinted.then(|| {
            let mut hasher = DefaultHasher::new();
            hasher.write(template.as_bytes());
            hasher.write_u8(0xff);
            hasher
        });
        PageContext {
            context: Context::new(),
            hasher,
            broken: false,
        }
    }

    /// Inserts a value the template reads (same as [`Context::insert`]).
    pub fn insert<K: Into<Cow<'static, str>>, T: Serialize + ?Sized>(&mut self, key: K, value: &T) {
        let key = key.into();
        self.mark(&key, || value);
        self.context.insert(key, value);
    }

    /// Adds `value()` to the fingerprint only: a stand-in for an input whose
    /// costly result is put into the context later, when the page does render.
    /// `value` runs only when the context is fingerprinted.
    pub fn mark<T: Serialize>(&mut self, key: &str, value: impl FnOnce() -> T) {
        let Some(hasher) = &mut self.hasher else {
            return;
        };
        hasher.write(key.as_bytes());
        hasher.write_u8(0xfe);
        self.broken |= serde_json::to_writer(HashWriter(hasher), &value()).is_err();
        hasher.write_u8(0xff);
    }

    /// The fingerprint of everything inserted or marked so far; `None` when
    /// it is unknown or the context is not fingerprinted.
    pub fn fingerprint(&self) -> Option<u64> {
        let hasher = self.hasher.as_ref().filter(|_| !self.broken)?;
        Some(hasher.finish())
    }

    /// The context, to add values after the fingerprint was taken.
    pub fn context_mut(&mut self) -> &mut Context {
        &mut self.context
    }

    pub fn context(&self) -> &Context {
        &self.context
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn fingerprint(template: &str, values: &[(&'static str, serde_json::Value)]) -> Option<u64> {
        let mut ctx = PageContext::new(template, true);
        for (key, value) in values {
            ctx.insert(*key, value);
        }
        ctx.fingerprint()
    }

    #[test]
    fn same_inputs_same_fingerprint_and_any_change_differs() {
        let base = [
            ("title", serde_json::json!("A")),
            ("n", serde_json::json!(1)),
        ];
        let same = fingerprint("page.html", &base);
        assert!(same.is_some());
        assert_eq!(same, fingerprint("page.html", &base));
        assert_ne!(same, fingerprint("other.html", &base));
        assert_ne!(
            same,
            fingerprint(
                "page.html",
                &[
                    ("title", serde_json::json!("B")),
                    ("n", serde_json::json!(1))
                ]
            )
        );
        // Keys and values cannot run into each other.
        assert_ne!(
            fingerprint("p", &[("ab", serde_json::json!("c"))]),
            fingerprint("p", &[("a", serde_json::json!("bc"))])
        );
    }

    #[test]
    fn marked_values_count_but_stay_out_of_the_context() {
        let mut ctx = PageContext::new("p", true);
        ctx.mark("body", || 42u64);
        assert!(ctx.context().get("body").is_none());
        let mut other = PageContext::new("p", true);
        other.mark("body", || 43u64);
        assert_ne!(ctx.fingerprint(), other.fingerprint());
    }

    #[test]
    fn a_context_not_fingerprinted_hashes_nothing() {
        let mut ctx = PageContext::new("p", false);
        ctx.insert("title", "A");
        ctx.mark("body", || -> u64 { unreachable!("marks are not computed") });
        assert_eq!(ctx.fingerprint(), None);
        assert!(ctx.context().get("title").is_some());
    }

    #[test]
    fn unserialisable_values_have_no_fingerprint() {
        let mut ctx = PageContext::new("p", true);
        // JSON object keys must be strings.
        ctx.mark("map", || HashMap::from([(vec![1u8], 1)]));
        assert_eq!(ctx.fingerprint(), None);
    }
}

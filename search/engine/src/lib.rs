//! Shared search engine (schema, tokenizer, queries). Filled in by the search work.

//! Browser search runtime. Filled in by the search work.

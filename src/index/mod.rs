//! The index: its schema, its folder, and the incremental runs that update it.
//!
//! [`update()`] turns folders of articles into a tantivy commit; `schema`
//! is the only place that knows field names; `store` opens, creates and
//! locks the folder; `stats` gathers the facts `passim stats` shows.

pub(crate) mod bounds;
pub(crate) mod columns;
pub(crate) mod schema;
pub(crate) mod stats;
pub(crate) mod store;
mod update;

pub use stats::{RootStats, Stats};
pub use update::{
    remove_roots, run as update, IndexOptions, IndexReport, Notice, Progress, RemovedRoot, Reporter,
};

pub(crate) use schema::TextField;
pub(crate) use store::exists;

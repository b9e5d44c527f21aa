//! passim: full-text search for folders of articles.
//!
//! Data flows one way, one module per step:
//! files ([`corpus`]) → [`article::Article`] → tantivy document ([`schema`]) →
//! index ([`indexer`]) → query ([`query`]) → ranked hits ([`search`]) →
//! passages ([`passages`], [`highlight`]) → [`printer`].
//! The core never prints; [`app`] wires a command line to it.

pub mod app;
pub mod article;
pub mod cli;
pub mod config;
pub mod corpus;
pub mod highlight;
pub mod indexer;
pub mod passages;
pub mod printer;
pub mod query;
pub mod schema;
pub mod search;
pub mod server;
pub mod stem;
pub mod text;

/// The corpus indexed when no path is given.
pub const DEFAULT_CORPUS: &str = "seeds";
/// The index folder used when none is given.
pub const DEFAULT_INDEX: &str = "index";

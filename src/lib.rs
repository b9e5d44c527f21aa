//! passim: full-text search for folders of articles.
//!
//! Data flows one way, one module per step:
//!
//! ```text
//! files ─ ingest ─▶ Article ─ index ─▶ tantivy index
//! query text ─ query ─▶ compiled query ─ search ─▶ ranked hits ─ snippet ─▶ passages
//!                                                  └─▶ cli (terminal, JSON Lines) / server (HTTP API)
//! ```
//!
//! - [`ingest`] reads files of every format into [`Article`]s;
//! - [`index`] writes them to a tantivy index, incrementally ([`index::update`]);
//! - [`Engine`] (in [`search`]) opens an index and answers queries with
//!   [`SearchResults`]: ranked [`Hit`]s with their passages and highlights,
//!   whole articles ([`Engine::article`]) and [`index::Stats`];
//! - [`Error`] says what went wrong, for the command line and the server to
//!   word in their own way.
//!
//! `analysis` (text → terms), `query` (the query language and BM25F
//! scoring), `snippet` (highlights and passages) and `wire` (JSON shapes)
//! are internal. The library never prints.
//!
//! ```no_run
//! use passim::{Engine, SearchOptions};
//!
//! let engine = Engine::open(std::path::Path::new("index"))?;
//! let results = engine.search("strike ballot", &SearchOptions::default())?;
//! for hit in &results.hits {
//!     println!("{} {}", hit.score, hit.title);
//!     for p in &hit.passages {
//!         println!("  [{}] {}", p.paragraph, p.text);
//!     }
//! }
//! # Ok::<(), passim::Error>(())
//! ```

mod analysis;
mod error;
pub mod index;
pub mod ingest;
mod mcp;
mod opensearch;
mod query;
pub mod search;
mod server;
mod snippet;
mod wire;

#[doc(hidden)]
pub mod cli;

pub use error::{ClusterProblem, Error, Result, Stage};
pub use ingest::Article;
pub use query::{Feedback, RankSettings, Syntax};
pub use search::{ArticleView, Engine, Hit, HitPassage, SearchOptions, SearchResults};
pub use snippet::PassageOptions;

/// The corpus indexed when no path is given.
pub const DEFAULT_CORPUS: &str = "seeds";
/// The index folder used when none is given.
pub const DEFAULT_INDEX: &str = "index";

/// Text structure the fuzz targets check; not part of the API.
#[doc(hidden)]
pub mod fuzzing {
    pub use crate::snippet::sentences::{lead_sentence, paragraphs, sentences};
}

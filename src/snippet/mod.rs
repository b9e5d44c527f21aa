//! Matches → highlights → passages: where a query's words occur in an
//! article, and which sentences best show them.
//!
//! [`highlight`] finds the query's targets in a text with the index's own
//! analysis (so a highlight marks exactly what matched); [`abbrev`] counts
//! an abbreviation an article defines as the words it stands for;
//! [`sentences`] cuts paragraphs and sentences; [`passages`] picks and
//! widens the passages shown.

pub(crate) mod abbrev;
pub(crate) mod highlight;
pub(crate) mod passages;
pub(crate) mod sentences;

pub use passages::{check_weights_env, PassageOptions};

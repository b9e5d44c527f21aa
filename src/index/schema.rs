//! The tantivy schema: field names, the analyzer, and `Article` ↔ document.
//!
//! This is the only module that knows field names; everything else goes
//! through [`Fields`] and [`StoredArticle`].

use std::sync::OnceLock;

use tantivy::columnar::StrColumn;
use tantivy::schema::document::{DeserializeError, DocumentDeserialize, DocumentDeserializer};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, STORED, STRING,
};
use tantivy::{DocId, Index, TantivyDocument};

use crate::analysis::{self, ANALYZER};
use crate::ingest::{date, Article};

/// In ranking, a headline word counts like this many body words (BM25F:
/// headline and body are scored as one field in which the headline is
/// repeated).
pub const TITLE_REPEAT: usize = 3;

/// Bumped whenever the schema or analyzer changes incompatibly.
pub const SCHEMA_VERSION: u32 = 7;

/// Handles to every field of the passim schema.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub id: Field,
    pub path: Field,
    /// Absolute path of the source file: the key for incremental updates.
    pub source_file: Field,
    pub mtime: Field,
    pub size: Field,
    pub title: Field,
    pub body: Field,
    /// The date as shown: ISO 8601 where it parses.
    pub date: Field,
    /// The date as seconds since the epoch (UTC), for filters, sorting and facets.
    pub date_ts: Field,
    /// `"file"` when the date is the file's modification time (the article gave none).
    pub date_from: Field,
    pub url: Field,
    pub source: Field,
    pub author: Field,
    pub language: Field,
    pub extra: Field,
    /// [`body_hash`] of the body: articles with equal hashes are shown once.
    pub body_hash: Field,
    /// [`id_key`] of the id: orders tied hits by id without reading the ids.
    pub id_key: Field,
}

/// What the incremental indexer needs to know per document.
pub const SOURCE_FILE: &str = "source_file";
pub const MTIME: &str = "mtime";
pub const SIZE: &str = "size";
pub const BODY_HASH: &str = "body_hash";
/// Fast fields the filters, sort and facets read (see `search::filter`).
pub const DATE_TS: &str = "date_ts";
pub const SOURCE: &str = "source";
pub const PATH: &str = "path";
/// The article id: ranking breaks ties by it.
pub const ID: &str = "id";
/// The first bytes of the id as a number ([`id_key`]).
pub const ID_KEY: &str = "id_key";

/// What [`Fields::date_from`] holds for a date taken from the file's mtime.
pub const DATE_FROM_FILE: &str = "file";

/// Which text field a query term or highlight applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextField {
    Title,
    Body,
}

impl TextField {
    pub const ALL: [TextField; 2] = [TextField::Title, TextField::Body];

    /// Resolves a field name used in a query (`title:pay`).
    pub fn from_query_name(name: &str) -> Option<TextField> {
        match name.to_ascii_lowercase().as_str() {
            "title" | "headline" => Some(TextField::Title),
            "body" | "text" => Some(TextField::Body),
            _ => None,
        }
    }

    pub const QUERY_NAMES: &'static str = "title, body";
}

impl Fields {
    pub fn text(&self, which: TextField) -> Field {
        match which {
            TextField::Title => self.title,
            TextField::Body => self.body,
        }
    }
}

/// The schema passim writes, and handles to its fields.
pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_stored().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    // Metadata is stored (shown with hits) and a fast field (filters, facets).
    let meta = STORED | FAST;
    let fields = Fields {
        // A fast field too: ties in ranking are broken by article id.
        id: b.add_text_field(ID, STRING | STORED | FAST),
        path: b.add_text_field(PATH, meta.clone()),
        source_file: b.add_text_field(SOURCE_FILE, STRING | FAST),
        mtime: b.add_u64_field(MTIME, FAST),
        size: b.add_u64_field(SIZE, FAST),
        title: b.add_text_field("title", text.clone()),
        body: b.add_text_field("body", text),
        date: b.add_text_field("date", STORED),
        date_ts: b.add_i64_field(DATE_TS, FAST),
        date_from: b.add_text_field("date_from", STORED),
        url: b.add_text_field("url", meta.clone()),
        source: b.add_text_field(SOURCE, meta.clone()),
        author: b.add_text_field("author", meta.clone()),
        language: b.add_text_field("language", meta),
        extra: b.add_text_field("extra", STORED),
        body_hash: b.add_u64_field(BODY_HASH, FAST),
        id_key: b.add_u64_field(ID_KEY, FAST),
    };
    (b.build(), fields)
}

/// Bytes of stored articles compressed together. A hit's stored article is
/// read by decompressing its whole block, so smaller blocks make each fetch
/// cheaper (tantivy's default is 16 KB) at a small cost in index size: with
/// 1 KB blocks (about one news article each) the Reuters batch search runs
/// ~4% faster than with 4 KB blocks, for a ~10% larger index.
pub const DOCSTORE_BLOCK_BYTES: usize = 1024;

/// Settings of a new index.
pub fn index_settings() -> tantivy::IndexSettings {
    tantivy::IndexSettings {
        docstore_blocksize: DOCSTORE_BLOCK_BYTES,
        ..tantivy::IndexSettings::default()
    }
}

/// Checks that an opened index has passim's schema, returning its fields
/// (`None`: another schema) and registering the analyzer.
pub(crate) fn check(index: &Index) -> Option<Fields> {
    let (expected, fields) = build();
    let actual = index.schema();
    let same = expected.fields().count() == actual.fields().count()
        && expected
            .fields()
            .all(|(f, entry)| actual.get_field_entry(f) == entry);
    if !same {
        return None;
    }
    analysis::register(index);
    Some(fields)
}

/// Where an article came from, stored with it for incremental updates.
#[derive(Debug, Clone)]
pub struct Origin<'a> {
    pub path: &'a str,
    pub source_file: &'a str,
    pub mtime: u64,
    pub size: u64,
}

/// Turns an article into a tantivy document.
pub fn to_document(fields: &Fields, article: &Article, origin: &Origin) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(fields.id, &article.id);
    doc.add_text(fields.path, origin.path);
    doc.add_text(fields.source_file, origin.source_file);
    doc.add_u64(fields.mtime, origin.mtime);
    doc.add_u64(fields.size, origin.size);
    doc.add_text(fields.title, &article.title);
    doc.add_text(fields.body, &article.body);
    doc.add_u64(fields.body_hash, body_hash(&article.body));
    doc.add_u64(fields.id_key, id_key(&article.id));
    match &article.date {
        Some(date) => {
            doc.add_text(fields.date, date);
            if let Some(ts) = date::timestamp(date) {
                doc.add_i64(fields.date_ts, ts);
            }
        }
        // No date of its own: the file's modification time, flagged as such.
        None if origin.mtime > 0 => {
            let ts = i64::try_from(origin.mtime / 1_000_000_000).unwrap_or(i64::MAX);
            doc.add_text(fields.date, date::iso_from_timestamp(ts));
            doc.add_i64(fields.date_ts, ts);
            doc.add_text(fields.date_from, DATE_FROM_FILE);
        }
        None => {}
    }
    for (field, value) in [
        (fields.url, &article.url),
        (fields.source, &article.source),
        (fields.author, &article.author),
        (fields.language, &article.language),
        (fields.extra, &article.extra),
    ] {
        if let Some(value) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            doc.add_text(field, value);
        }
    }
    doc
}

/// The first eight bytes of `id`, big-endian, padded with zero bytes: two
/// ids whose keys differ are in the same order as their keys, so hits tied
/// on score in different segments are put in id order by comparing numbers
/// (a fast field) instead of reading the ids from their dictionaries (a
/// block decompressed per id). Only equal keys need the ids themselves.
pub fn id_key(id: &str) -> u64 {
    let mut bytes = [0u8; 8];
    for (slot, b) in bytes.iter_mut().zip(id.bytes()) {
        *slot = b;
    }
    u64::from_be_bytes(bytes)
}

/// The ordinal of `doc`'s id in its segment's id column (`u64::MAX` for an
/// article without one): within a segment, ordinals are in the ids' order.
#[inline]
pub fn id_ordinal(ids: Option<&StrColumn>, doc: DocId) -> u64 {
    ids.and_then(|c| c.ords().first(doc)).unwrap_or(u64::MAX)
}

/// The id with ordinal `ord` in a segment's id column (read from its
/// dictionary: a block decompressed); `None` for an article without one.
pub fn id_bytes(ids: Option<&StrColumn>, ord: u64) -> std::io::Result<Option<Vec<u8>>> {
    let Some(column) = ids.filter(|_| ord != u64::MAX) else {
        return Ok(None);
    };
    let mut bytes = Vec::new();
    Ok(column
        .dictionary()
        .ord_to_term(ord, &mut bytes)?
        .then_some(bytes))
}

/// Bodies shorter than this many bytes (white space folded) get no hash and
/// are never collapsed: short bodies such as Reuters' "Blah blah blah." or a
/// one-line "See below" are shared by articles that differ in their
/// headlines, and are not copies of one story.
pub const MIN_HASHED_BODY_BYTES: usize = 100;

/// A 64-bit FNV-1a hash of `body` with every run of white space folded to
/// one space and the ends trimmed, so that copies of an article that differ
/// only in line wrapping or trailing blank lines hash alike; 0 (never a
/// duplicate) for a body under [`MIN_HASHED_BODY_BYTES`]. FNV is written
/// out here rather than taken from a hasher crate so that the value stored
/// in an index cannot change with a dependency's version.
pub fn body_hash(body: &str) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut hash = OFFSET;
    let mut len = 0usize;
    let mut push = |b: u8| {
        hash = (hash ^ u64::from(b)).wrapping_mul(PRIME);
        len += 1;
    };
    let mut pending_space = false;
    for word in body.split_whitespace() {
        if pending_space {
            push(b' ');
        }
        word.bytes().for_each(&mut push);
        pending_space = true;
    }
    if len < MIN_HASHED_BODY_BYTES {
        return 0;
    }
    hash.max(1)
}

/// An article as stored in the index.
#[derive(Debug, Clone, Default)]
pub struct StoredArticle {
    pub id: String,
    pub path: String,
    pub title: String,
    pub body: String,
    pub meta: Meta,
    pub extra: Option<String>,
}

/// An article's metadata as stored: what hits, `passim show` and JSON show.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Meta {
    /// ISO 8601 where the article's date parses, else as given.
    pub date: Option<String>,
    /// True when `date` is the file's modification time (the article gave none).
    pub date_from_file: bool,
    pub url: Option<String>,
    pub source: Option<String>,
    pub author: Option<String>,
    pub language: Option<String>,
}

/// Reads an article straight from the doc store (`searcher.doc::<StoredArticle>`),
/// without building a generic `TantivyDocument` first. Each field keeps its
/// first value; every stored field of the schema is text.
/// (`date_ts` is a fast field only, not stored.)
impl DocumentDeserialize for StoredArticle {
    fn deserialize<'de, D>(mut doc: D) -> Result<Self, DeserializeError>
    where
        D: DocumentDeserializer<'de>,
    {
        static FIELDS: OnceLock<Fields> = OnceLock::new();
        let fields = FIELDS.get_or_init(|| build().1);
        let mut values: [Option<String>; 11] = Default::default();
        let slots = [
            fields.id,
            fields.path,
            fields.title,
            fields.body,
            fields.date,
            fields.date_from,
            fields.url,
            fields.source,
            fields.author,
            fields.language,
            fields.extra,
        ];
        while let Some((field, value)) = doc.next_field::<String>()? {
            if let Some(i) = slots.iter().position(|&f| f == field) {
                values[i].get_or_insert(value);
            }
        }
        let [id, path, title, body, date, date_from, url, source, author, language, extra] = values;
        Ok(StoredArticle {
            id: id.unwrap_or_default(),
            path: path.unwrap_or_default(),
            title: title.unwrap_or_default(),
            body: body.unwrap_or_default(),
            meta: Meta {
                date,
                date_from_file: date_from.as_deref() == Some(DATE_FROM_FILE),
                url,
                source,
                author,
                language,
            },
            extra,
        })
    }
}

/// An in-memory index of `(headline, body)` articles (ids "0", "1", …), for
/// unit tests.
#[cfg(test)]
pub fn in_memory(articles: &[(impl AsRef<str>, impl AsRef<str>)]) -> (tantivy::Searcher, Fields) {
    let numbered: Vec<(String, &str, &str)> = articles
        .iter()
        .enumerate()
        .map(|(i, (title, body))| (i.to_string(), title.as_ref(), body.as_ref()))
        .collect();
    in_segments(&[&numbered])
}

/// `article` as a document of a test index (from a file "a").
#[cfg(test)]
pub fn test_document(fields: &Fields, article: &Article) -> TantivyDocument {
    let origin = Origin {
        path: "a",
        source_file: "a",
        mtime: 0,
        size: 0,
    };
    to_document(fields, article, &origin)
}

/// An in-memory index of `(id, headline, body)` articles, one segment per
/// part, in order, for unit tests.
#[cfg(test)]
pub fn in_segments(
    parts: &[&[(impl AsRef<str>, impl AsRef<str>, impl AsRef<str>)]],
) -> (tantivy::Searcher, Fields) {
    let (schema, fields) = build();
    let index = Index::create_in_ram(schema);
    analysis::register(&index);
    let mut writer: tantivy::IndexWriter = index
        .writer_with_num_threads(1, 15_000_000)
        .expect("writer");
    writer.set_merge_policy(Box::new(tantivy::merge_policy::NoMergePolicy));
    for part in parts {
        for (id, title, body) in part.iter() {
            let article = Article {
                id: id.as_ref().into(),
                title: title.as_ref().into(),
                body: body.as_ref().into(),
                ..Article::default()
            };
            writer
                .add_document(test_document(&fields, &article))
                .expect("add");
        }
        writer.commit().expect("commit");
    }
    let reader = index.reader().expect("reader");
    (reader.searcher(), fields)
}

#[cfg(test)]
mod tests {
    #[test]
    fn id_keys_that_differ_order_as_the_ids_do() {
        let ids = [
            "", "1", "10", "100", "2", "ab", "ab\u{0}", "abc", "abcdefgh", "abcdefgi", "é",
        ];
        for a in ids {
            for b in ids {
                let (ka, kb) = (super::id_key(a), super::id_key(b));
                if ka != kb {
                    assert_eq!(ka.cmp(&kb), a.cmp(b), "{a:?} {b:?}");
                }
            }
        }
        // Ids that share their first eight bytes share a key: the ids decide.
        assert_eq!(super::id_key("abcdefgh1"), super::id_key("abcdefgh2"));
        assert_eq!(super::id_key("ab"), super::id_key("ab\u{0}"));
    }

    #[test]
    fn body_hash_folds_white_space_and_skips_short_bodies() {
        let body = "Apple has unveiled a new, low-cost Macintosh computer for the masses, \
                    billed as the Mac mini. It will sell for $499 in the US.";
        let rewrapped = body.replace(", ", ",\n  ").replace(". ", ".\n\n") + "\n";
        assert_ne!(super::body_hash(body), 0);
        assert_eq!(super::body_hash(body), super::body_hash(&rewrapped));
        assert_ne!(
            super::body_hash(body),
            super::body_hash(&body.replace("499", "599"))
        );
        assert_eq!(super::body_hash("Blah blah blah."), 0);
    }
}

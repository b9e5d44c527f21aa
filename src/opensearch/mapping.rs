//! The index template: passim's analysis chain, BM25 with passim's k1/b,
//! and the fields of a stored article.

use serde_json::{json, Value};

use crate::index::schema::TITLE_REPEAT;
use crate::query::RankSettings;

/// The analyzer's name in the template.
pub const ANALYZER: &str = "passim_english";

/// Longest token kept: passim's analyzer drops words of 40 bytes or more
/// (OpenSearch's `length` filter counts characters, the same for ASCII).
const MAX_TOKEN_CHARS: usize = 39;

/// An index template for indexes whose names match `pattern`:
/// `headline` and `body` as text with an analyzer equivalent to passim's
/// (Unicode word tokenizer, lower case, ASCII folding, tokens over 40
/// bytes dropped, Snowball English), positions and offsets; BM25 with
/// passim's k1 and b; the metadata as keyword and date fields.
pub fn template(pattern: &str) -> Value {
    let rank = RankSettings::default();
    // f32 → the decimal it was written as (0.6, not 0.6000000238418579).
    let decimal = |x: f32| (f64::from(x) * 1e4).round() / 1e4;
    let text = json!({
        "type": "text",
        "analyzer": ANALYZER,
        "index_options": "offsets",
        "similarity": "passim_bm25",
    });
    json!({
        "index_patterns": [pattern],
        "priority": 100,
        "_meta": { "created_by": "passim export --opensearch-mapping" },
        "template": {
            "settings": {
                "index": {
                    "number_of_shards": 1,
                    "number_of_replicas": 1,
                    "refresh_interval": "1s",
                    "similarity": {
                        "passim_bm25": { "type": "BM25", "k1": decimal(rank.k1), "b": decimal(rank.b) }
                    },
                    "analysis": {
                        "filter": {
                            "passim_long": { "type": "length", "max": MAX_TOKEN_CHARS },
                            "passim_stemmer": { "type": "snowball", "language": "English" }
                        },
                        "analyzer": {
                            ANALYZER: {
                                "type": "custom",
                                "tokenizer": "standard",
                                "filter": ["passim_long", "lowercase", "asciifolding", "passim_stemmer"]
                            },
                            "passim_source": {
                                "type": "custom",
                                "tokenizer": "standard",
                                "filter": ["lowercase"]
                            }
                        }
                    }
                }
            },
            "mappings": {
                "dynamic": "strict",
                "_meta": { "passim_headline_weight": TITLE_REPEAT },
                "properties": {
                    "id": { "type": "keyword" },
                    "path": { "type": "keyword" },
                    "headline": text,
                    "body": text,
                    "date": { "type": "keyword" },
                    "date_ts": { "type": "date", "format": "epoch_second" },
                    "date_from": { "type": "keyword" },
                    "source": {
                        "type": "keyword",
                        "fields": { "words": { "type": "text", "analyzer": "passim_source" } }
                    },
                    "author": { "type": "keyword" },
                    "url": { "type": "keyword" },
                    "language": { "type": "keyword" },
                    "extra": { "type": "keyword", "index": false, "doc_values": false },
                    "pushed": { "type": "long" }
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_carries_passims_bm25_and_analyzer() {
        let t = template("articles*");
        let settings = &t["template"]["settings"]["index"];
        assert_eq!(settings["similarity"]["passim_bm25"]["k1"], json!(1.2));
        assert_eq!(settings["similarity"]["passim_bm25"]["b"], json!(0.5));
        assert_eq!(
            settings["analysis"]["analyzer"][ANALYZER]["filter"],
            json!(["passim_long", "lowercase", "asciifolding", "passim_stemmer"])
        );
        let props = &t["template"]["mappings"]["properties"];
        assert_eq!(props["body"]["index_options"], "offsets");
        assert_eq!(props["date_ts"]["type"], "date");
        assert_eq!(props["id"]["type"], "keyword");
    }
}

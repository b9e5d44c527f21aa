//! E-mail: `.eml` files (one message) and mbox files (one article per
//! message), through Stalwart Labs' [`mail_parser`].
//!
//! - headline: `Subject` (RFC 2047 encoded words decoded);
//! - date: `Date`, normalised to ISO 8601 with its offset
//!   (`date::normalize`);
//! - author: the `From` name, else its address;
//! - source: the `List-Id` (`<news.example.com>` → `news.example.com`), else
//!   the sender's domain;
//! - language: `Content-Language`;
//! - body: the `text/plain` parts; a message with only an HTML part goes
//!   through the web-page extractor (`html::extract`). MIME charsets,
//!   quoted-printable and base64 are decoded; attachments are ignored.
//!
//! An mbox is streamed one message at a time (mail-parser's mbox reader,
//! `>From ` quoting undone), so a mailbox of any size needs the memory of
//! its largest message. Each message's id is the file's id, `#`, and its
//! 1-based position in the file: `mail/list.mbox#12`. Mailboxes are
//! appended to, so a message keeps its id as new ones arrive.

use std::io::BufRead;

use mail_parser::mailbox::mbox::MessageIterator;
use mail_parser::{Address, MessageParser, PartType};

use super::{html, Article, Problem};

/// Reads one `.eml` file.
pub(super) fn read_eml(bytes: &[u8], id: &str) -> Vec<Result<Article, Problem>> {
    vec![message(bytes, id).map_err(|m| Problem::skipped(None, m))]
}

/// The article of one message, or why it has none.
fn message(bytes: &[u8], id: &str) -> Result<Article, String> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err("empty message (no text to index)".into());
    }
    let msg = MessageParser::default()
        .parse(bytes)
        .ok_or("not an e-mail message (no headers could be read)")?;
    if msg.parts.first().is_none_or(|p| p.headers.is_empty()) {
        return Err("not an e-mail message (no headers could be read)".into());
    }
    let title = msg.subject().map(clean).unwrap_or_default();
    let date = msg
        .header_raw("Date")
        .map(super::date::normalize)
        .or_else(|| msg.date().map(|d| d.to_rfc3339()));
    let from = msg.from().and_then(Address::first);
    let author = from.and_then(|a| {
        a.name()
            .map(clean)
            .filter(|n| !n.is_empty())
            .or_else(|| a.address().map(str::to_owned))
    });
    let list = msg.header_raw("List-Id").and_then(|l| {
        let inner = l.rsplit_once('<').map_or(l, |(_, r)| r);
        let id = inner.trim_end().trim_end_matches('>').trim();
        (!id.is_empty()).then(|| id.to_owned())
    });
    let domain = from
        .and_then(|a| a.address())
        .and_then(|a| a.rsplit_once('@'))
        .map(|(_, d)| d.trim().to_ascii_lowercase())
        .filter(|d| !d.is_empty());
    let language = msg
        .header_raw("Content-Language")
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned);

    let mut texts = Vec::new();
    for i in 0..msg.text_body_count() {
        if let Some(part) = u32::try_from(i).ok().and_then(|i| msg.text_part(i)) {
            if let PartType::Text(text) = &part.body {
                let text = tidy(text);
                if !text.is_empty() {
                    texts.push(text);
                }
            }
        }
    }
    let mut body = texts.join("\n\n");
    let mut url = None;
    if body.is_empty() {
        for i in 0..msg.html_body_count() {
            if let Some(part) = u32::try_from(i).ok().and_then(|i| msg.html_part(i)) {
                if let PartType::Html(page) = &part.body {
                    if let Some(a) = html::extract(page, id) {
                        let mut text = a.body;
                        if title.is_empty() && !a.title.is_empty() {
                            text = format!("{}\n\n{text}", a.title);
                        }
                        url = url.or(a.url);
                        if !text.is_empty() {
                            texts.push(text);
                        }
                    }
                }
            }
        }
        body = texts.join("\n\n");
    }
    if body.is_empty() && title.is_empty() {
        return Err("message without text (no subject, no text or HTML part)".into());
    }
    Ok(Article {
        id: id.to_owned(),
        title,
        body,
        date,
        url,
        source: list.or(domain),
        author,
        language,
        extra: None,
    })
}

fn clean(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A text part with `\n` line endings, trailing spaces gone and runs of
/// blank lines made one.
fn tidy(text: &str) -> String {
    let text = super::normalize_newlines(text.to_owned());
    let mut out = String::with_capacity(text.len());
    let mut blank = false;
    for line in text.lines() {
        let line = line.trim_end();
        if line.trim().is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank { "\n\n" } else { "\n" });
        }
        blank = false;
        out.push_str(line);
    }
    out
}

/// The messages of an mbox, one at a time (see the module docs).
pub(crate) struct Mbox<R> {
    messages: MessageIterator<R>,
    id: String,
    n: usize,
    bytes_read: u64,
    done: bool,
}

impl<R> Mbox<R> {
    /// Bytes of the messages read so far.
    pub(super) fn bytes_read(&self) -> u64 {
        self.bytes_read
    }
}

impl<R: BufRead> Mbox<R> {
    pub(super) fn new(input: R, id: &str) -> Mbox<R> {
        Mbox {
            messages: MessageIterator::new(input),
            id: id.to_owned(),
            n: 0,
            bytes_read: 0,
            done: false,
        }
    }
}

impl<R: BufRead> Iterator for Mbox<R> {
    type Item = Result<Article, Problem>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.messages.next() {
            None => {
                self.done = true;
                (self.n == 0).then(|| {
                    Err(Problem::skipped(
                        None,
                        "no messages (an mbox starts each message with a \"From \" line)",
                    ))
                })
            }
            Some(Err(e)) => {
                self.done = true;
                Some(Err(Problem::skipped(
                    None,
                    format!(
                        "read error after message {}: {}",
                        self.n,
                        crate::error::describe_io(&e)
                    ),
                )))
            }
            Some(Ok(m)) => {
                self.n += 1;
                let contents = m.contents();
                self.bytes_read += contents.len() as u64;
                let id = format!("{}#{}", self.id, self.n);
                Some(
                    message(contents, &id)
                        .map_err(|e| Problem::skipped(None, format!("message {}: {e}", self.n))),
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_message_with_encoded_subject_and_list() {
        let eml = b"From: \"Ann Lee\" <ann@news.example.com>\r\n\
            To: reader@example.org\r\n\
            Subject: =?UTF-8?Q?Caf=C3=A9_prices_rise?=\r\n\
            Date: Tue, 1 Jul 2003 10:52:37 +0200\r\n\
            List-Id: Morning Briefing <briefing.news.example.com>\r\n\
            Content-Language: en-GB\r\n\
            Content-Type: text/plain; charset=utf-8\r\n\r\n\
            Coffee prices rose again.\r\n\r\n\r\nSecond paragraph.  \r\n";
        let a = message(eml, "a.eml").unwrap();
        assert_eq!(a.title, "Café prices rise");
        assert_eq!(a.date.as_deref(), Some("2003-07-01T10:52:37+02:00"));
        assert_eq!(a.author.as_deref(), Some("Ann Lee"));
        assert_eq!(a.source.as_deref(), Some("briefing.news.example.com"));
        assert_eq!(a.language.as_deref(), Some("en-GB"));
        assert_eq!(a.body, "Coffee prices rose again.\n\nSecond paragraph.");
    }

    #[test]
    fn quoted_printable_latin1_and_sender_domain() {
        let eml = b"From: desk@Wire.Example\n\
            Subject: Tarif\n\
            Date: 5 Mar 2024 08:00 GMT\n\
            MIME-Version: 1.0\n\
            Content-Type: text/plain; charset=iso-8859-1\n\
            Content-Transfer-Encoding: quoted-printable\n\n\
            Le caf=E9 co=FBte plus cher =E0 Paris, un long para=\n\
            graphe.\n";
        let a = message(eml, "b.eml").unwrap();
        assert_eq!(
            a.body,
            "Le café coûte plus cher à Paris, un long paragraphe."
        );
        assert_eq!(a.author.as_deref(), Some("desk@Wire.Example"));
        assert_eq!(a.source.as_deref(), Some("wire.example"));
        assert_eq!(a.date.as_deref(), Some("2024-03-05T08:00:00Z"));
    }

    #[test]
    fn html_only_message_goes_through_the_page_extractor() {
        let eml = b"From: News <n@letters.example>\n\
            Subject: Weekly digest\n\
            Content-Type: multipart/mixed; boundary=XX\n\n\
            --XX\n\
            Content-Type: text/html; charset=utf-8\n\
            Content-Transfer-Encoding: base64\n\n\
            PGh0bWw+PGJvZHk+PHN0eWxlPnB7Y29sb3I6cmVkfTwvc3R5bGU+PHA+VGhlIGhhcmJvdXIgcmVv\n\
            cGVuZWQgdG9kYXkuPC9wPjwvYm9keT48L2h0bWw+\n\
            --XX\n\
            Content-Type: text/plain; name=notes.txt\n\
            Content-Disposition: attachment; filename=notes.txt\n\n\
            ATTACHED TEXT\n\
            --XX--\n";
        let a = message(eml, "c.eml").unwrap();
        assert_eq!(a.title, "Weekly digest");
        assert_eq!(a.body, "The harbour reopened today.");
    }

    #[test]
    fn mbox_streams_messages_with_numbered_ids() {
        let mbox = "From a@x.example Mon Jan  1 00:00:00 2024\n\
            From: a@x.example\nSubject: One\n\nFirst body.\n>From the archive.\n\n\
            From b@y.example Mon Jan  1 00:00:00 2024\n\
            From: b@y.example\n\n\n\
            From c@z.example Mon Jan  1 00:00:00 2024\n\
            From: c@z.example\nSubject: Three\n\nThird body.\n";
        let items: Vec<_> = Mbox::new(mbox.as_bytes(), "box.mbox").collect();
        assert_eq!(items.len(), 3);
        let one = items[0].as_ref().unwrap();
        assert_eq!((one.id.as_str(), one.title.as_str()), ("box.mbox#1", "One"));
        assert_eq!(one.body, "First body.\nFrom the archive.");
        assert_eq!(
            items[1],
            Err(Problem::skipped(
                None,
                "message 2: message without text (no subject, no text or HTML part)"
            ))
        );
        assert_eq!(items[2].as_ref().unwrap().id, "box.mbox#3");
    }

    #[test]
    fn not_an_mbox() {
        let items: Vec<_> = Mbox::new(&b"just some text\n"[..], "x.mbox").collect();
        assert_eq!(
            items,
            [Err(Problem::skipped(
                None,
                "no messages (an mbox starts each message with a \"From \" line)"
            ))]
        );
    }
}

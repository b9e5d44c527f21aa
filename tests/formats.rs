//! Web pages, PDFs, e-mail and Markdown front matter (issue 13): the real
//! binary indexes a temp folder of files these tests write, and `--json`
//! shows the headline, date, source and url each format gives; bad files
//! are one warning line each and counted as skipped.

use std::fmt::Write as _;

use crate::util::*;
use serde_json::Value;

/// Writes `files` under `docs/`, indexes `docs`, returns the fixture and stderr.
fn index_files(files: &[(&str, Vec<u8>)]) -> (Fixture, String) {
    let fx = Fixture::empty();
    for (name, bytes) in files {
        fx.write(&format!("docs/{name}"), bytes);
    }
    let out = fx.run(&["index", "docs"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    (fx, err)
}

fn warnings(err: &str) -> Vec<&str> {
    err.lines()
        .filter(|l| l.starts_with("passim: warning: "))
        .collect()
}

/// The only hit of a search.
fn only_hit(fx: &Fixture, query: &str) -> Value {
    let hits = fx.hits(&[query]);
    assert_eq!(hits.len(), 1, "{query}: {:?}", ids(&hits));
    hits.into_iter().next().unwrap()
}

fn no_hits(fx: &Fixture, query: &str) {
    let (code, hits, _) = fx.search(&[query]);
    assert_eq!((code, ids(&hits)), (1, vec![]), "{query}");
}

const PARAS: &str = "<p>The council approved the new budget on Tuesday after a long debate \
    about the cost of road repairs across the district and the future of the library.</p>\n\
    <p>Opponents said the plan would raise local taxes for the third year running, while \
    supporters argued that the repairs could not wait another winter.</p>\n\
    <p>The final vote was seven to four, with two members absent from the chamber.</p>";

fn chrome(article: &str, head: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head>{head}<style>body {{ font: 16px serif }} \
         .stylesecret {{}}</style><script>var menu = 'scriptsecret';</script></head><body>\
         <header><nav><ul><li><a href=\"/\">Home</a></li><li><a href=\"/world\">World</a></li>\
         <li><a href=\"/sport\">Sport</a></li></ul></nav></header>\
         <div id=\"cookie-banner\" class=\"cookie-consent\">We use cookies (cookiebannerword) to \
         give you the best experience. <button>Accept all</button></div>\
         <div class=\"share-bar\"><a href=\"#\">Share on Facebook</a><a href=\"#\">Share on X</a></div>\
         {article}\
         <section class=\"related\"><h2>Related stories</h2><ul><li><a href=\"/a\">Relatedword one</a>\
         </li><li><a href=\"/b\">Relatedword two</a></li></ul></section>\
         <footer><p>Copyright footerword 2024</p><a href=\"/privacy\">Privacy</a></footer></body></html>"
    )
}

#[test]
fn web_pages_of_several_styles() {
    let json_ld = chrome(
        &format!("<article><h1>Council approves budget</h1>{PARAS}</article>"),
        r#"<title>Council approves budget | Daily Gazette</title>
        <script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle",
        "headline":"Council approves budget","datePublished":"2024-03-05T09:30:00+01:00",
        "author":{"@type":"Person","name":"Ann Lee"},
        "publisher":{"@type":"Organization","name":"Daily Gazette"},
        "url":"https://gazette.example/budget"}</script>"#,
    );
    let og = chrome(
        "<main><div class=\"story\"><p>Train drivers called off next week's strike after \
         talks with the operators produced a pay offer the union will put to its members.</p>\
         <script>document.write('inlinescriptword')</script>\
         <p>Services on every line will run as normal, a spokeswoman for the operators said, \
         and tickets already bought remain valid.</p><style>p { color: #333 } /* inlinestyleword */\
         </style></div></main>",
        r#"<title>Rail strike called off - The Courier</title>
        <meta property="og:title" content="Rail strike called off | The Courier">
        <meta property="og:site_name" content="The Courier">
        <meta property="article:published_time" content="2023-11-02T07:00:00Z">
        <link rel="canonical" href="https://courier.example/rail">"#,
    );
    let plain = chrome(
        "<div id=\"content\"><h1>Flood defences finished</h1><p class=\"byline\">By Priya Das, \
         <time datetime=\"2022-01-15\">15 January 2022</time></p><p>Workers finished the flood \
         wall along the river on Friday, two months ahead of the schedule set by the agency.</p>\
         <p>The wall protects four hundred homes that were flooded in the storms of the previous \
         winter, the agency said.</p></div>",
        "<title>Flood defences finished - Riverside News</title>",
    );
    let latin1 = b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; \
        charset=iso-8859-1\"><title>Caf\xe9 owners protest</title>\
        <meta name=\"date\" content=\"May 1, 2023\"></head><body><article>\
        <p>Caf\xe9 owners in the old town protested on Monday against the new terrace fees, \
        which they say will close a third of the caf\xe9s by the end of the summer.</p>\
        <p>The mayor\x92s office said the fees would pay for repairs to the square.</p>\
        </article></body></html>"
        .to_vec();
    let (fx, err) = index_files(&[
        ("gazette.html", json_ld.into_bytes()),
        ("courier.htm", og.into_bytes()),
        ("river.xhtml", plain.into_bytes()),
        ("cafe.html", latin1),
    ]);
    assert_index_summary(&err, 4, 4, 0, 0, 0);
    assert_eq!(warnings(&err), Vec::<&str>::new());

    let h = only_hit(&fx, "budget");
    assert_eq!(h["id"], "gazette.html");
    assert_eq!(h["title"], "Council approves budget");
    assert_eq!(h["date"], "2024-03-05T09:30:00+01:00");
    assert_eq!(h["source"], "Daily Gazette");
    assert_eq!(h["url"], "https://gazette.example/budget");

    let h = only_hit(&fx, "strike");
    assert_eq!(h["id"], "courier.htm");
    assert_eq!(h["title"], "Rail strike called off");
    assert_eq!(h["date"], "2023-11-02T07:00:00Z");
    assert_eq!(h["source"], "The Courier");
    assert_eq!(h["url"], "https://courier.example/rail");

    let h = only_hit(&fx, "flood");
    assert_eq!(h["id"], "river.xhtml");
    assert_eq!(h["title"], "Flood defences finished");
    assert_eq!(h["date"], "2022-01-15");

    let h = only_hit(&fx, "terrace");
    assert_eq!(h["id"], "cafe.html");
    assert_eq!(h["title"], "Café owners protest");
    assert_eq!(h["date"], "2023-05-01");
    let text: Vec<&str> = passages(&h).iter().map(ptext).collect();
    assert!(text.iter().any(|t| t.contains("caf")), "{text:?}");
    assert_eq!(only_hit(&fx, "mayor’s")["id"], "cafe.html");

    // Page chrome and code are not the article.
    for word in [
        "scriptsecret",
        "stylesecret",
        "inlinescriptword",
        "inlinestyleword",
        "cookiebannerword",
        "relatedword",
        "footerword",
        "facebook",
    ] {
        no_hits(&fx, word);
    }
}

#[test]
fn a_50_mb_page_is_indexed() {
    let mut page = String::from(
        "<html><head><title>Huge page - Site</title></head><body><nav>Home</nav><article>\
         <h1>Huge page</h1>",
    );
    let mut i = 0;
    while page.len() < 50_000_000 {
        let _ = write!(
            page,
            "<p>Paragraph {i} of a very long page about markets, prices and the weather in \
             the region, repeated to make the file large.</p>\n<div class=\"ad\"><a href=\"/x\">\
             Advert</a></div>\n"
        );
        i += 1;
    }
    page.push_str("<p>The zanzibarian closing line.</p></article></body></html>");
    let (fx, err) = index_files(&[("huge.html", page.into_bytes())]);
    assert_index_summary(&err, 1, 1, 0, 0, 0);
    let h = only_hit(&fx, "zanzibarian");
    assert_eq!(h["id"], "huge.html");
    assert_eq!(h["title"], "Huge page");
}

/// A one-page PDF: `lines` as text in Helvetica (none: a page with only a
/// drawing), `info` as the document information dictionary's entries,
/// `encrypt` adding an /Encrypt dictionary no empty password opens.
fn pdf(lines: &[&str], info: &[(&str, &str)], encrypt: bool) -> Vec<u8> {
    let mut content = String::new();
    if lines.is_empty() {
        content.push_str("0.5 g 72 600 200 100 re f\n");
    } else {
        content.push_str("BT /F1 12 Tf 14 TL 72 720 Td\n");
        for l in lines {
            let _ = writeln!(
                content,
                "({}) Tj T*",
                l.replace('(', "\\(").replace(')', "\\)")
            );
        }
        content.push_str("ET\n");
    }
    let info_dict: String = info.iter().map(|(k, v)| format!("/{k} ({v}) ")).collect();
    let mut objects = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R \
         >> >> /Contents 5 0 R >>"
            .to_string(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_string(),
        format!(
            "<< /Length {} >>\nstream\n{content}endstream",
            content.len()
        ),
        format!("<< {info_dict}>>"),
    ];
    if encrypt {
        objects.push(format!(
            "<< /Filter /Standard /V 1 /R 2 /O <{}> /U <{}> /P -44 >>",
            "ab".repeat(32),
            "cd".repeat(32)
        ));
    }
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    let mut tail = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for o in offsets {
        let _ = writeln!(tail, "{o:010} 00000 n ");
    }
    let encrypt_ref = if encrypt {
        " /Encrypt 7 0 R /ID [<00112233445566778899aabbccddeeff> <00112233445566778899aabbccddeeff>]"
    } else {
        ""
    };
    let _ = write!(
        tail,
        "trailer\n<< /Size {} /Root 1 0 R /Info 6 0 R{encrypt_ref} >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    );
    out.extend_from_slice(tail.as_bytes());
    out
}

#[test]
fn pdfs_good_and_bad() {
    let report = pdf(
        &[
            "The harbour authority reported record cargo volumes for the year, with",
            "container traffic up by a fifth and bulk grain ship- ",
            "ments doubling.",
            "Dredging starts in May.",
            "A second paragraph follows here about the new quay and the cranes ordered.",
        ],
        &[
            ("Title", "Harbour annual report"),
            ("Author", "Port Authority"),
            ("CreationDate", "D:20230501103000+01'00'"),
        ],
        false,
    );
    let untitled = pdf(
        &[
            "Lighthouse keepers return",
            "The old lighthouse on the point will be staffed again from next spring.",
        ],
        &[],
        false,
    );
    let (fx, err) = index_files(&[
        ("report.pdf", report),
        ("keepers.pdf", untitled),
        ("scanned.pdf", pdf(&[], &[("Title", "Scan")], false)),
        ("locked.pdf", pdf(&["secret text"], &[], true)),
        (
            "broken.pdf",
            b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R\ntrailer\n".to_vec(),
        ),
    ]);
    assert_index_summary(&err, 2, 2, 0, 0, 3);
    let w = warnings(&err);
    assert_eq!(w.len(), 3, "{err}");
    let warning = |name: &str| {
        *w.iter()
            .find(|l| l.contains(&format!("docs/{name}")))
            .unwrap_or_else(|| panic!("no warning for {name}: {w:?}"))
    };
    assert!(warning("scanned.pdf").contains("no text layer"), "{w:?}");
    assert!(warning("locked.pdf").contains("encrypted PDF"), "{w:?}");
    assert!(warning("broken.pdf").contains("damaged PDF"), "{w:?}");

    let h = only_hit(&fx, "grain");
    assert_eq!(h["id"], "report.pdf");
    assert_eq!(h["title"], "Harbour annual report");
    assert_eq!(h["date"], "2023-05-01T10:30:00+01:00");
    // The hyphenated word is joined back.
    assert_eq!(only_hit(&fx, "shipments")["id"], "report.pdf");
    let h = only_hit(&fx, "lighthouse");
    assert_eq!(h["id"], "keepers.pdf");
    assert_eq!(h["title"], "Lighthouse keepers return");
    no_hits(&fx, "secret");
}

const QP_LATIN1: &str = "From: \"Le Desk\" <desk@wire.example>\n\
    Subject: =?ISO-8859-1?Q?Caf=E9_tarifs?=\n\
    Date: Tue, 5 Mar 2024 08:00:00 +0100\n\
    MIME-Version: 1.0\n\
    Content-Type: text/plain; charset=iso-8859-1\n\
    Content-Transfer-Encoding: quoted-printable\n\n\
    Le caf=E9 co=FBte plus cher =E0 Paris cette ann=E9e, selon une =E9tude publi=\n\
    =E9e mardi.\n";

const HTML_ONLY: &str = "From: Weekly <news@letters.example>\n\
    List-Id: The Weekly Letter <weekly.letters.example>\n\
    Subject: Harbour reopens\n\
    Date: Wed, 6 Mar 2024 09:15:00 -0500\n\
    MIME-Version: 1.0\n\
    Content-Type: multipart/mixed; boundary=\"XX\"\n\n\
    --XX\n\
    Content-Type: text/html; charset=utf-8\n\n\
    <html><head><style>.quayside { color: red }</style></head><body><table><tr><td>\
    <p>The harbour reopened today after the winter repairs to the quayside.</p>\
    <p>Ferries resume their summer timetable next week.</p></td></tr></table></body></html>\n\
    --XX\n\
    Content-Type: text/plain; name=\"list.txt\"\n\
    Content-Disposition: attachment; filename=\"list.txt\"\n\n\
    attachmentword\n\
    --XX--\n";

#[test]
fn email_messages() {
    let (fx, err) = index_files(&[
        ("cafe.eml", QP_LATIN1.as_bytes().to_vec()),
        ("harbour.eml", HTML_ONLY.as_bytes().to_vec()),
        ("empty.eml", b"\n\n".to_vec()),
    ]);
    assert_index_summary(&err, 2, 2, 0, 0, 1);
    let w = warnings(&err);
    assert_eq!(w.len(), 1, "{err}");
    assert!(
        w[0].contains("docs/empty.eml") && w[0].contains("empty message"),
        "{w:?}"
    );

    let h = only_hit(&fx, "étude");
    assert_eq!(h["id"], "cafe.eml");
    assert_eq!(h["title"], "Café tarifs");
    assert_eq!(h["date"], "2024-03-05T08:00:00+01:00");
    assert_eq!(h["source"], "wire.example");
    // The soft line break of quoted-printable is joined: "publiée" is one word.
    assert_eq!(only_hit(&fx, "publiée")["id"], "cafe.eml");

    let h = only_hit(&fx, "ferries");
    assert_eq!(h["id"], "harbour.eml");
    assert_eq!(h["title"], "Harbour reopens");
    assert_eq!(h["date"], "2024-03-06T09:15:00-05:00");
    assert_eq!(h["source"], "weekly.letters.example");
    no_hits(&fx, "attachmentword");
    no_hits(&fx, "red");
}

#[test]
fn mbox_of_10000_messages() {
    let mut mbox = String::new();
    for n in 1..=10_000 {
        let _ = write!(
            mbox,
            "From sender{n}@example.org Mon Jan  1 00:00:00 2024\n\
             From: Sender {n} <sender{n}@list{}.example.org>\n\
             Subject: Bulletin number {n}\n\
             Date: Mon, 1 Jan 2024 {:02}:{:02}:00 +0000\n\
             Message-ID: <{n}@example.org>\n\n\
             Item {n} of the bulletin: code word w{n}x, and a line\n\
             >From the archive of the list.\n\n",
            n % 3,
            n % 24,
            n % 60
        );
    }
    let (fx, err) = index_files(&[("list.mbox", mbox.into_bytes())]);
    assert_index_summary(&err, 10_000, 10_000, 0, 0, 0);
    let h = only_hit(&fx, "w7777x");
    assert_eq!(h["id"], "list.mbox#7777");
    assert_eq!(h["title"], "Bulletin number 7777");
    assert_eq!(h["date"], "2024-01-01T01:37:00Z");
    assert_eq!(h["source"], "list1.example.org");
    let h = only_hit(&fx, "w10000x");
    assert_eq!(h["id"], "list.mbox#10000");
    let out = fx.run(&["show", "list.mbox#1"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Bulletin number 1"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn markdown_front_matter_metadata() {
    let md = "---\ntitle: \"Rates held again\"\ndate: 2023-05-01 10:00\nauthor: Ann Lee\n\
              publisher: The Post\nurl: https://post.example/rates\nlang: en-GB\n---\n\
              The central bank held interest rates for a third month.\n";
    let (fx, _) = index_files(&[("rates.md", md.as_bytes().to_vec())]);
    let h = only_hit(&fx, "rates");
    assert_eq!(h["title"], "Rates held again");
    assert_eq!(h["date"], "2023-05-01T10:00:00");
    assert_eq!(h["source"], "The Post");
    assert_eq!(h["url"], "https://post.example/rates");
}

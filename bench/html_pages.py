#!/usr/bin/env python3
"""Wraps each article of a folder of .txt files in realistic news-page chrome.

    bench/html_pages.py SRC_DIR OUT_DIR [--seed N]

SRC_DIR holds articles as text (first line the headline, paragraphs separated
by blank lines), e.g. the BBC corpus (../shared/corpora/bbc). For each
SRC_DIR/a/b.txt it writes OUT_DIR/a/b.html: a page with a <head> full of
meta (og:, article:published_time, twitter:, JSON-LD NewsArticle), styles
and scripts, then a header with a navigation menu, a cookie banner, a share
bar, the article (headline, byline, <time>, paragraphs, a figure, an inline
"read more" aside), a related-stories list, a newsletter box, comments
teaser and a footer with many links. Pages vary by a seeded choice of
layout, so the extractor is not timed on one template. Deterministic: the
same input and seed give the same pages.
"""
import argparse
import datetime
import html
import json
import os
import random
import sys

SECTIONS = ["Home", "UK", "World", "Business", "Politics", "Tech", "Science",
            "Health", "Education", "Entertainment & Arts", "Sport", "Weather",
            "iPlayer", "Sounds", "Bitesize", "CBeebies", "Food", "Travel"]
FOOTER = ["Terms of Use", "About the BBC", "Privacy Policy", "Cookies",
          "Accessibility Help", "Parental Guidance", "Contact the BBC",
          "Get Personalised Newsletters", "Why you can trust the BBC",
          "Advertise with us", "Do not share or sell my info"]

STYLE = """
:root{--brand:#bb1919;--ink:#141414;--muted:#545658}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 Helvetica,Arial,sans-serif;color:var(--ink)}
.nav{display:flex;gap:1rem;background:#000;color:#fff;padding:.5rem 1rem;overflow-x:auto}
.nav a{color:#fff;text-decoration:none;white-space:nowrap}.nav a:hover{text-decoration:underline}
.cookie{position:fixed;bottom:0;left:0;right:0;background:#222;color:#eee;padding:1rem;z-index:9}
.story-body p{max-width:40rem;margin:0 0 1rem}.share{display:flex;gap:.5rem}
.related li{margin:.25rem 0}.footer{background:#111;color:#aaa;padding:2rem}
@media (max-width:600px){.nav{font-size:14px}.story-body p{font-size:15px}}
""" * 3

SCRIPT = """
window.dataLayer = window.dataLayer || [];
function gtag(){dataLayer.push(arguments);}
gtag('js', new Date()); gtag('config', 'UA-000000-1', {anonymize_ip: true});
(function(){var s=document.createElement('script');s.async=true;
s.src='https://static.example.com/bundle.'+Math.floor(Date.now()/3600000)+'.js';
document.head.appendChild(s);
document.addEventListener('click',function(e){if(e.target.matches('.share a')){
  window.open(e.target.href,'share','width=600,height=400');e.preventDefault();}});
var cookies=document.querySelector('.cookie');if(localStorage.getItem('ok')){cookies.remove();}
})();
"""


def read_article(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read().replace("\r\n", "\n")
    lines = text.strip().split("\n", 1)
    title = lines[0].strip()
    body = lines[1] if len(lines) > 1 else ""
    paras = [" ".join(p.split()) for p in body.split("\n\n") if p.strip()]
    if not paras:
        paras = [" ".join(body.split())] if body.strip() else []
    return title, paras


def page(title, paras, rel, rng):
    day = datetime.date(2004, 1, 1) + datetime.timedelta(days=rng.randrange(730))
    when = f"{day.isoformat()}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00Z"
    author = rng.choice(["Jane Smith", "Rahul Patel", "Olu Adeyemi", "Maria Garcia"])
    url = "https://www.bbc.co.uk/news/" + rel.replace(os.sep, "-").rsplit(".", 1)[0]
    e = html.escape
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
          "datePublished": when, "author": {"@type": "Person", "name": author},
          "publisher": {"@type": "Organization", "name": "BBC News"}, "url": url}
    nav = "".join(f'<li><a href="/{s.lower()}">{e(s)}</a></li>' for s in SECTIONS)
    share = "".join(f'<a href="https://share.example/{n}?u={e(url)}">Share on {n}</a>'
                    for n in ["Facebook", "X", "WhatsApp", "Email", "LinkedIn"])
    related = "".join(
        f'<li><a href="/news/story-{rng.randrange(10**6)}">'
        f'{e(rng.choice(SECTIONS))}: {e(rng.choice(["Markets rally", "Minister resigns", "New phone unveiled", "Club signs striker", "Storm warning issued"]))} '
        f'as {e(rng.choice(["talks stall", "prices rise", "fans react", "critics respond"]))}</a></li>'
        for _ in range(rng.randrange(5, 9)))
    body_parts = []
    for i, p in enumerate(paras):
        body_parts.append(f"<p>{e(p)}</p>")
        if i == 1 and rng.random() < 0.5:
            body_parts.append(
                '<figure><img src="/img/1.jpg" alt="Photo"><figcaption>'
                'Photo: Getty Images</figcaption></figure>')
        if i == 2 and rng.random() < 0.4:
            body_parts.append(
                f'<aside class="read-more"><a href="/news/x{rng.randrange(999)}">'
                'Read more: the story so far</a></aside>')
    story = "\n".join(body_parts)
    wrapper = rng.choice(["article", "div", "main"])
    byline = (f'<div class="byline"><span class="author">By {e(author)}</span> '
              f'<time datetime="{when}">{day.strftime("%d %B %Y")}</time></div>')
    return f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8">
<title>{e(title)} - BBC News</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="description" content="{e(paras[0][:150] if paras else title)}">
<meta property="og:title" content="{e(title)}"><meta property="og:type" content="article">
<meta property="og:site_name" content="BBC News"><meta property="og:url" content="{e(url)}">
<meta property="og:image" content="https://ichef.example/{rng.randrange(10**6)}.jpg">
<meta property="article:published_time" content="{when}">
<meta name="twitter:card" content="summary_large_image"><meta name="twitter:site" content="@BBCNews">
<link rel="canonical" href="{e(url)}"><link rel="stylesheet" href="/static/main.css">
<style>{STYLE}</style>
<script type="application/ld+json">{json.dumps(ld)}</script>
<script>{SCRIPT}</script>
</head><body>
<a class="skip" href="#main">Skip to content</a>
<header class="site-header"><div class="brand"><a href="/">BBC</a></div>
<nav class="nav" aria-label="Main"><ul>{nav}</ul></nav>
<form class="search" action="/search"><input name="q" placeholder="Search BBC"><button>Search</button></form>
</header>
<div class="cookie" id="cookie-banner"><p>Let us know you agree to cookies. We use cookies to give
you the best online experience. Please let us know if you agree to all of these cookies.</p>
<button>Yes, I agree</button> <a href="/cookies">No, take me to settings</a></div>
<{wrapper} id="main" class="story">
<h1 class="story-headline">{e(title)}</h1>
{byline}
<div class="share" aria-label="Share this page">{share}</div>
<div class="story-body">
{story}
</div>
</{wrapper}>
<section class="related"><h2>Related stories</h2><ul>{related}</ul></section>
<div class="newsletter"><h3>Get our morning newsletter</h3><p>Sign up for the top stories
in your inbox every weekday.</p><input type="email"><button>Sign up</button></div>
<section class="comments-teaser"><h2>Comments</h2><p>Join the conversation: {rng.randrange(900)} comments</p></section>
<footer class="footer"><ul>{"".join(f'<li><a href="/{i}">{e(f)}</a></li>' for i, f in enumerate(FOOTER))}</ul>
<p>Copyright 2025 BBC. The BBC is not responsible for the content of external sites.</p></footer>
<script src="/static/vendor.js" defer></script><script>window.__INITIAL_DATA__={json.dumps({"page": rel, "n": rng.randrange(10**9)})};</script>
</body></html>
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("src")
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    n = 0
    for dirpath, dirnames, filenames in os.walk(args.src):
        dirnames.sort()
        for name in sorted(filenames):
            if not name.endswith(".txt") or name.upper() == "README.TXT":
                continue
            src = os.path.join(dirpath, name)
            rel = os.path.relpath(src, args.src)
            title, paras = read_article(src)
            if not paras:
                continue
            dst = os.path.join(args.out, rel[:-4] + ".html")
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            with open(dst, "w", encoding="utf-8") as f:
                f.write(page(title, paras, rel, rng))
            n += 1
    print(f"{n} pages written to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()

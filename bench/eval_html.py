"""Score main-text extraction from news pages: token bag-of-words precision, recall and F1.

No public page collection can be downloaded here, so the pages are made: each real article text
of ../shared/data/news_clusters (307 articles of many outlets; read at run time, never copied
into the repository) is wrapped in one of five news-site templates with what real pages carry
around an article: navigation, breadcrumbs, a cookie banner, share buttons, a newsletter box
and a related-stories box inside the body, teasers of other stories (their real first
paragraphs), most-read lists, readers' comments, author boxes and footers. The reference is the
article text itself. Scoring follows the article-extraction-benchmark: per page, precision and
recall of the multiset of lower-cased word tokens; the means over pages, and F1 of the means.

    .venv/bin/python bench/eval_html.py [--limit N]

Each trafilatura setting of ``builder.ingest.html.SETTINGS`` is scored, and each again with
claimset's boilerplate marking (the passages ``builder.ingest.prepare`` excludes taken out),
against the baseline: claimset's reading before (trafilatura's default, the headline kept as the
text's first line). This measures template chrome around real text;
it says nothing about pages whose markup is stranger than these five templates.
"""

from __future__ import annotations

import argparse
import html
import json
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from builder.ingest import prepare  # noqa: E402
from builder.ingest.html import CHOSEN, SETTINGS, extract_page  # noqa: E402
from builder.ingest.readers import RawDocument  # noqa: E402

CORPUS = ROOT.parent / "shared" / "data" / "news_clusters" / "articles.jsonl"
TOKEN = re.compile(r"\w+")
COMMENTS = [
    "This is exactly what I have been saying for years, nobody listens.",
    "Great reporting, thank you for covering this story in such detail.",
    "I doubt the official figures; we will see what happens next week.",
    "Who is going to pay for all of this in the end? Us, as always.",
    "My brother lives there and says the situation is much worse than reported.",
]


def tokens(text: str) -> Counter[str]:
    return Counter(t.lower() for t in TOKEN.findall(text))


def score(extracted: str, reference: str) -> tuple[float, float]:
    got, want = tokens(extracted), tokens(reference)
    common = sum((got & want).values())
    precision = common / sum(got.values()) if got else 0.0
    recall = common / sum(want.values()) if want else 1.0
    return precision, recall


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def page(article: dict, others: list[dict], variant: int, rng: random.Random) -> str:
    """One article wrapped in news-site template ``variant`` (0-4)."""
    e = html.escape
    title = e(article["title"] or "")
    paras = [f"<p>{e(p)}</p>" for p in paragraphs(article["text"])]
    site = e(article["publisher"] or "news.example")
    teasers = rng.sample(others, 4)
    links = "".join(f'<li><a href="/story/{i}">{e(o["title"] or "")}</a></li>' for i, o in enumerate(teasers))
    nav = (
        '<nav class="main-nav"><ul>'
        + "".join(
            f'<li><a href="/{s.lower()}">{s}</a></li>' for s in ("Home", "World", "Business", "Tech", "Sport")
        )
        + "</ul></nav>"
    )
    cookie = (
        '<div id="cookie-consent" class="banner">We and our partners use cookies to personalise content '
        "and ads. By continuing you agree to our use of cookies. <a href='/privacy'>Learn more</a> "
        "<button>Accept</button></div>"
    )
    share = '<div class="share"><a href="#">Share on Facebook</a> <a href="#">Share on Twitter</a> <a href="#">Email</a></div>'
    newsletter = (
        '<div class="newsletter-signup"><h4>Get our morning briefing</h4><p>Sign up for the daily '
        "newsletter and never miss a story.</p><form><input type='email'><button>Subscribe</button></form></div>"
    )
    related = f'<aside class="related-inline"><h4>Related</h4><ul>{links}</ul></aside>'
    teaser_box = "".join(
        f'<div class="teaser"><h3><a href="/t/{i}">{e(o["title"] or "")}</a></h3>'
        f"<p>{e(paragraphs(o['text'])[0][:300])}</p></div>"
        for i, o in enumerate(teasers[:3])
    )
    comments = "".join(
        f'<div class="comment"><span class="user">reader{rng.randint(1, 999)}</span><p>{c}</p></div>'
        for c in rng.sample(COMMENTS, 3)
    )
    footer = (
        f"<footer><ul><li><a href='/about'>About us</a></li><li><a href='/contact'>Contact</a></li>"
        f"<li><a href='/terms'>Terms of use</a></li></ul><p>&copy; {site}. All rights reserved.</p></footer>"
    )
    head = f"<head><meta charset='utf-8'><title>{title} - {site}</title><meta property='og:title' content=\"{title}\"></head>"
    middle = len(paras) // 2
    if variant == 0:  # semantic markup, boxes inside the article
        body = paras[:middle] + [related] + paras[middle:]
        main = f"<article><h1>{title}</h1><p class='byline'>By Staff Reporter</p>{share}{''.join(body)}{newsletter}</article>"
        page_body = f"{cookie}<header>{nav}</header><main>{main}<section class='comments'><h3>Comments</h3>{comments}</section></main><aside class='most-read'><h3>Most read</h3><ol>{links}</ol></aside>{footer}"
    elif variant == 1:  # div soup, no article element
        body = paras[:middle] + [newsletter] + paras[middle:]
        main = f"<div class='story-body'><div class='headline'><h1>{title}</h1></div><div class='story-text'>{''.join(body)}</div></div>"
        page_body = f"<div id='top'>{nav}<div class='breadcrumb'><a href='/'>Home</a> &gt; <a href='/world'>World</a></div></div>{main}<div class='more-stories'><h2>More stories</h2>{teaser_box}</div>{footer}"
    elif variant == 2:  # teasers of other stories above and below
        main = f"<div class='content'><h1>{title}</h1><div class='meta'>Published today | 3 min read</div>{''.join(paras)}</div>"
        page_body = f"{nav}<div class='top-stories'>{teaser_box}</div><div class='wrapper'>{main}<div class='sidebar'><h3>Trending</h3><ul>{links}</ul></div></div><div class='recommended'><h2>Recommended for you</h2>{teaser_box}</div>{footer}{cookie}"
    elif variant == 3:  # long comment thread, author box
        author = "<div class='author-bio'><p>Our correspondent has covered politics and business for over ten years.</p></div>"
        main = f"<article class='post'><header><h1 class='entry-title'>{title}</h1></header><div class='entry-content'>{''.join(paras)}</div>{author}</article>"
        page_body = f"{nav}{main}<div id='comments'><h3>{rng.randint(5, 90)} comments</h3>{comments}{comments}</div>{footer}"
    else:  # sections per paragraph, ads and share bars between them
        ad = "<div class='ad-slot'>Advertisement</div>"
        body = []
        for i, p in enumerate(paras):
            body.append(f"<section class='paragraph-block'>{p}</section>")
            if i % 3 == 2:
                body.append(ad)
        main = f"<main role='main'><h1>{title}</h1>{share}{''.join(body)}{share}</main>"
        page_body = f"{cookie}{nav}{main}<div class='related'><h2>Related coverage</h2><ul>{links}</ul></div>{newsletter}{footer}"
    return f"<!DOCTYPE html><html lang='en'>{head}<body>{page_body}</body></html>"


def claimset_text(text: str) -> str:
    """The article text less the passages claimset's boilerplate marking excludes."""
    prepared = prepare(RawDocument("page.html", None, text, "html", "utf-8", {}))
    kept, at = [], 0
    for span in sorted(prepared.article.excluded, key=lambda s: s.char_start):
        kept.append(text[at : span.char_start])
        at = max(at, span.char_end)
    kept.append(text[at:])
    return "".join(kept)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="score only the first N articles")
    args = parser.parse_args()
    if not CORPUS.is_file():
        sys.exit(f"{CORPUS} not found: this benchmark reads ../shared/data/news_clusters")
    articles = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    articles = [a for a in articles if paragraphs(a["text"])][: args.limit]
    rng = random.Random(14)
    pages = [
        (page(a, [o for o in articles if o is not a], i % 5, rng), a["text"]) for i, a in enumerate(articles)
    ]

    import trafilatura

    def before(markup: str) -> str:  # claimset's HTML reading before this benchmark: headline kept
        extracted = trafilatura.bare_extraction(markup, with_metadata=True, include_comments=False)
        return (extracted.text or "") if extracted is not None else ""

    rows = []
    for name in ["before", *SETTINGS]:
        for marking in (False, True) if name != "before" else (False,):
            scores, seconds = [], 0.0
            for markup, reference in pages:
                start = time.perf_counter()
                if name == "before":
                    text = before(markup)
                else:
                    extracted = extract_page(markup, setting=name)
                    text = extracted.text if extracted else ""
                if marking and text:
                    text = claimset_text(text)
                seconds += time.perf_counter() - start
                scores.append(score(text, reference))
            p = sum(s[0] for s in scores) / len(scores)
            r = sum(s[1] for s in scores) / len(scores)
            f1 = 2 * p * r / (p + r) if p + r else 0.0
            label = "before: default, headline kept" if name == "before" else name
            label += " + claimset marking" if marking else ""
            rows.append((label, p, r, f1, 1000 * seconds / len(pages)))
    baseline = rows[0][3]
    print(f"{len(pages)} pages (news_clusters article texts in 5 news-site templates); chosen: {CHOSEN}")
    print(f"{'setting':<40} {'precision':>9} {'recall':>7} {'F1':>6} {'vs before':>10} {'ms/page':>8}")
    for label, p, r, f1, ms in rows:
        print(f"{label:<40} {p:9.3f} {r:7.3f} {f1:6.3f} {f1 / baseline:10.3f} {ms:8.1f}")


if __name__ == "__main__":
    main()

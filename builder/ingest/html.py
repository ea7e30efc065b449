"""Main text and metadata of an HTML page, with trafilatura.

The settings are chosen by measurement (``bench/eval_html.py``): each option set in
``SETTINGS`` is scored there on the same pages, and ``CHOSEN`` is the one the README reports.
"""

from __future__ import annotations

from dataclasses import dataclass

# trafilatura keyword arguments per named setting; "fast" skips its readability and jusText
# fallbacks (run, by default, when its own extraction looks too short)
SETTINGS: dict[str, dict[str, bool]] = {
    "default": {},
    "precision": {"favor_precision": True},
    "recall": {"favor_recall": True},
    "fast": {"fast": True},
    "precision_fast": {"favor_precision": True, "fast": True},
}
CHOSEN = "precision_fast"  # best F1 on bench/eval_html.py (README: HTML extraction)


@dataclass
class Page:
    """What was read from one HTML page: its main text (paragraphs split by newlines) and metadata."""

    text: str
    title: str | None = None
    author: str | None = None
    published: str | None = None
    publisher: str | None = None
    url: str | None = None


def extract_page(html: str, url: str | None = None, setting: str = CHOSEN) -> Page | None:
    """The page's main text and metadata; None when it has no main text."""
    import trafilatura

    extracted = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, **SETTINGS[setting]
    )
    body = (extracted.text or "") if extracted is not None else ""
    body = _without_headline(body, extracted.title if extracted is not None else None)
    if not body.strip():
        return None
    return Page(
        text=body,
        title=extracted.title,
        author=extracted.author,
        published=extracted.date,
        publisher=extracted.sitename,
        url=extracted.url,
    )


def _without_headline(body: str, title: str | None) -> str:
    """The main text less its first line when that line is the page's headline.

    trafilatura keeps the article's <h1> as the text's first line; the headline is the
    article's ``title``, not a sentence of its body (measured: it is most of the precision
    trafilatura loses on bench/eval_html.py's pages).
    """
    first, newline, rest = body.partition("\n")
    if title and newline and rest.strip() and _plain(first) and _plain(first) == _plain(title):
        return rest
    return body


def _plain(text: str) -> str:
    return " ".join(text.split()).casefold()

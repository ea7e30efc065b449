"""Main text and metadata of an HTML page, with trafilatura.

The settings are chosen by measurement (``bench/eval_html.py``): each option set in
``SETTINGS`` is scored there on the same pages, and ``CHOSEN`` is the one the README reports.
"""

from __future__ import annotations

from dataclasses import dataclass

# trafilatura keyword arguments per named setting; "fallback" runs its readability and jusText
# fallbacks when its own extraction looks too short (trafilatura's default)
SETTINGS: dict[str, dict[str, bool]] = {
    "default": {},
    "precision": {"favor_precision": True},
    "recall": {"favor_recall": True},
    "no_fallback": {"no_fallback": True},
    "precision_no_fallback": {"favor_precision": True, "no_fallback": True},
}
CHOSEN = "default"


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

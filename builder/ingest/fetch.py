"""Fetch a list of URLs politely into a WARC file beside the run.

``claimset extract --urls FILE`` fetches each URL of FILE (one a line; blank lines and lines
starting with ``#`` are ignored) with httpx: a timeout, retries with exponential backoff on
timeouts, connection errors, 429 and 5xx, claimset's user agent, robots.txt obeyed (fetched
once per host; unreachable means disallowed, a 4xx means allowed, as RFC 9309 says) and at
most one request per ``delay`` seconds to a host (longer when robots.txt asks for a
Crawl-delay). Every URL leaves exactly one record in the archive, in list order: the HTML
response (a redirect followed: the record's target URI is where it ended), or a record of why
there is none (a failure, robots.txt, a page that is not HTML), which the WARC reader turns
into a reject. The archive is then read like any WARC, so a rebuild never fetches again; a
URL already in the archive is not fetched again either.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

from builder import __version__
from builder.errors import ClaimsetError, Errors
from builder.ingest.warc import FETCH_ERROR_TYPE, HTML_TYPES

ARCHIVE_NAME = "fetched.warc.gz"
REQUESTED = "Claimset-Requested-URI"  # WARC header: the URL as listed, before any redirect
USER_AGENT = f"claimset/{__version__} (fact-check dataset builder; +https://pypi.org/project/claimset/)"
RETRY_STATUS = {429, 500, 502, 503, 504}
MAX_REDIRECTS = 5
KEPT_HEADERS = ("content-type", "content-language", "date", "last-modified")


@dataclass
class FetchOptions:
    timeout: float = 20.0  # seconds per request
    retries: int = 2  # further tries after a failed one
    delay: float = 1.0  # seconds between two requests to one host
    backoff: float = 0.5  # seconds before the first retry, doubling
    user_agent: str = USER_AGENT


@dataclass
class FetchSummary:
    archive: Path
    fetched: int = 0  # URLs fetched this time with an HTML page
    failed: int = 0  # URLs that gave no HTML page this time (recorded as failures)
    kept: int = 0  # URLs already in the archive, not fetched again
    failures: list[tuple[str, str]] = field(default_factory=list)


def read_url_list(path: Path) -> list[str]:
    """The URLs of a list file, in order, each once."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        detail = getattr(exc, "strerror", None) or type(exc).__name__
        raise ClaimsetError(Errors.E221, path=path, detail=detail) from None
    urls = list(
        dict.fromkeys(line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#"))
    )
    if not urls:
        raise ClaimsetError(Errors.E221, path=path, detail="no URLs in it")
    return urls


def fetch_urls(
    url_list: Path,
    archive: Path,
    options: FetchOptions | None = None,
    on_url: Callable[[str, str | None], None] | None = None,
) -> FetchSummary:
    """Fetch the URLs of ``url_list`` not yet in ``archive`` and append them to it.

    ``on_url`` hears of each URL fetched, with None or the reason it gave no page.
    """
    import httpx

    options = options or FetchOptions()
    urls = read_url_list(url_list)
    done = archived_urls(archive)
    summary = FetchSummary(archive)
    archive.parent.mkdir(parents=True, exist_ok=True)
    limiter = HostLimiter(options.delay)
    robots: dict[str, RobotFileParser | str] = {}
    headers = {"User-Agent": options.user_agent}
    with httpx.Client(headers=headers, timeout=options.timeout, follow_redirects=False) as client:
        for url in urls:
            if url in done:
                summary.kept += 1
                continue
            response, failure = _fetch_page(client, url, options, limiter, robots)
            if failure is None:
                _append(archive, _response_record(url, response))
                summary.fetched += 1
            else:
                _append(archive, _failure_record(url, failure))
                summary.failed += 1
                summary.failures.append((url, failure))
            if on_url:
                on_url(url, failure)
    return summary


def archived_urls(archive: Path) -> set[str]:
    """The listed URLs an archive already holds a record of."""
    if not archive.is_file():
        return set()
    from warcio.archiveiterator import ArchiveIterator

    found: set[str] = set()
    with open(archive, "rb") as handle:
        try:
            for record in ArchiveIterator(handle):
                url = record.rec_headers.get_header(REQUESTED)
                if url:
                    found.add(url)
        except Exception:  # a damaged tail: its URLs are fetched again, the reader reports it
            pass
    return found


class HostLimiter:
    """At most one request per ``delay`` seconds (or the host's Crawl-delay) to each host."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.last: dict[str, float] = {}
        self.crawl_delay: dict[str, float] = {}

    def wait(self, host: str) -> None:
        gap = max(self.delay, self.crawl_delay.get(host, 0.0))
        if host in self.last:
            pause = self.last[host] + gap - time.monotonic()
            if pause > 0:
                time.sleep(pause)
        self.last[host] = time.monotonic()


def _fetch_page(client, url: str, options: FetchOptions, limiter: HostLimiter, robots: dict):
    """(response, None) for an HTML page, else (None, why not). Redirects are followed one hop
    at a time, so each hop waits its turn for the host and is checked against its robots.txt."""
    for _ in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return None, "not an http(s) URL"
        host = f"{parts.scheme}://{parts.netloc}"
        rules = robots.get(host)
        if rules is None:
            rules = robots[host] = _robots(client, host, options, limiter)
            if isinstance(rules, RobotFileParser) and rules.crawl_delay(options.user_agent):
                limiter.crawl_delay[parts.netloc] = float(rules.crawl_delay(options.user_agent))
        if isinstance(rules, str):
            return None, rules
        if not rules.can_fetch(options.user_agent, url):
            return None, "disallowed by robots.txt"
        response, failure = _get(client, url, options, limiter)
        if failure:
            return None, failure
        location = response.headers.get("location")
        if not (response.is_redirect and location):
            break
        url = urljoin(str(response.url), location)
    else:
        return None, f"more than {MAX_REDIRECTS} redirects"
    media = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if response.status_code >= 400 and media not in HTML_TYPES:
        return None, f"HTTP {response.status_code}"
    if media not in HTML_TYPES:
        return None, f"not an HTML page ({media or 'no content type'})"
    return response, None  # an HTML error page is kept: the reader rejects it with its status


def _robots(client, host: str, options: FetchOptions, limiter: HostLimiter) -> RobotFileParser | str:
    response, failure = _get(client, f"{host}/robots.txt", options, limiter)
    rules = RobotFileParser()
    if failure:
        return f"robots.txt unreachable ({failure}), so nothing may be fetched"
    if response.status_code >= 500:
        return f"robots.txt unreachable (HTTP {response.status_code}), so nothing may be fetched"
    rules.parse(response.text.splitlines() if response.status_code < 400 else [])
    return rules


def _get(client, url: str, options: FetchOptions, limiter: HostLimiter):
    """(response, None), or (None, the last failure) after the retries."""
    import httpx

    host = urlsplit(url).netloc
    failure = ""
    for attempt in range(options.retries + 1):
        if attempt:
            time.sleep(options.backoff * 2 ** (attempt - 1))
        limiter.wait(host)
        try:
            response = client.get(url)
        except httpx.TimeoutException:
            failure = f"timed out after {options.timeout:g} s"
            continue
        except httpx.HTTPError as exc:
            failure = f"{type(exc).__name__}: {str(exc)[:120]}" if str(exc) else type(exc).__name__
            continue
        if response.status_code in RETRY_STATUS:
            failure = f"HTTP {response.status_code}"
            continue
        return response, None
    tries = options.retries + 1
    return None, f"{failure}, {tries} tr{'y' if tries == 1 else 'ies'}"


def _response_record(requested: str, response) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders

    kept = [(k, v) for k, v in response.headers.items() if k.lower() in KEPT_HEADERS]
    status = f"{response.status_code} {response.reason_phrase or ''}".strip()
    http = StatusAndHeaders(status, kept, protocol="HTTP/1.1")
    return _record(str(response.url), "response", response.content, requested, http_headers=http)


def _failure_record(requested: str, failure: str) -> bytes:
    body = json.dumps({"url": requested, "error": failure}, ensure_ascii=False).encode("utf-8")
    return _record(requested, "metadata", body, requested, content_type=FETCH_ERROR_TYPE)


def _record(
    target: str, kind: str, payload: bytes, requested: str, content_type: str = "", **kwargs
) -> bytes:
    from warcio.warcwriter import WARCWriter

    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    record = writer.create_warc_record(
        target,
        kind,
        payload=io.BytesIO(payload),
        warc_content_type=content_type,
        warc_headers_dict={REQUESTED: requested},
        **kwargs,
    )
    writer.write_record(record)
    return buffer.getvalue()


def _append(archive: Path, record: bytes) -> None:
    """One whole gzip member per record, written at once: a crash leaves whole records behind."""
    with open(archive, "ab") as handle:
        handle.write(record)
        handle.flush()

"""Readers of what newsrooms and crawls hold: WARC, Parquet, CSV, URL lists.

The pages and rows are made here (invented towns and figures), small enough for a 2-core machine.
"""

from __future__ import annotations

import contextlib
import io
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from builder.ingest import ingest
from builder.ingest.fetch import ARCHIVE_NAME, FetchOptions
from builder.run import rerun_extract, run_extract
from tests.conftest import read_jsonl, run_cli

TOWNS = ["Aldmere", "Brackwater", "Corrin", "Dunhollow", "Eastvale", "Fernby", "Gorsefield", "Harrowgate"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def paragraphs(i: int) -> list[str]:
    town, other = TOWNS[i % len(TOWNS)], TOWNS[(i + 3) % len(TOWNS)]
    day = WEEKDAYS[i % len(WEEKDAYS)]
    return [
        f"The {town} council approved a budget of {12 + i} million euros on {day}, its finance officer said.",
        f"Mayor Elena Marsh told reporters that {40 + 2 * i} new teachers would be hired in {town} by 2027.",
        f"The plan was criticised by the opposition in {other}, which said road repairs had been cut by {5 + i} percent.",
        f"About {300 + 10 * i} residents attended the public hearing at the town hall, according to the organisers.",
    ]


def page_html(i: int) -> str:
    """A news page: navigation, a cookie banner, the article, related links, comments, a footer."""
    body = "".join(f"<p>{p}</p>" for p in paragraphs(i))
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Budget vote in {TOWNS[i % len(TOWNS)]} | The Valley Courier</title>
<meta property="og:title" content="Budget vote in {TOWNS[i % len(TOWNS)]}">
<meta name="author" content="Sam Ortega"><meta property="article:published_time" content="2024-03-{1 + i:02d}T09:00:00Z">
</head><body>
<div class="cookie-banner">We use cookies to improve your experience. <button>Accept all</button></div>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/local">Local</a></li><li><a href="/sport">Sport</a></li></ul></nav></header>
<main><article><h1>Budget vote in {TOWNS[i % len(TOWNS)]}</h1><div class="byline">By Sam Ortega</div>{body}</article>
<aside class="related"><h3>Related stories</h3><ul><li><a href="/a">Bridge reopens after repairs</a></li><li><a href="/b">School league results</a></li></ul></aside>
<section class="comments"><h3>Comments</h3><div class="comment">Great news for the town!</div></section></main>
<footer><p>&copy; 2024 The Valley Courier. All rights reserved.</p><a href="/privacy">Privacy</a></footer>
</body></html>"""


def write_warc(path: Path, pages: dict[str, str]) -> None:
    """A crawl as a crawler writes it: warcinfo, and per page a request then its response; plus an image."""
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        writer.write_record(writer.create_warcinfo_record("crawl.warc.gz", {"software": "test-crawler"}))
        for url, html in pages.items():
            request = io.BytesIO(f"GET {url} HTTP/1.1\r\nHost: courier.test\r\n\r\n".encode())
            writer.write_record(writer.create_warc_record(url, "request", payload=request))
            http = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
            )
            record = writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(html.encode("utf-8")),
                http_headers=http,
                warc_headers_dict={"WARC-Date": "2024-04-01T12:00:00Z"},
            )
            writer.write_record(record)
        image = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(
                "http://courier.test/logo.png", "response", payload=io.BytesIO(b"\x89PNG"), http_headers=image
            )
        )


def test_the_same_20_pages_as_files_and_inside_one_warc_give_the_same_article_texts(tmp_path):
    files, crawl = tmp_path / "files", tmp_path / "crawl"
    files.mkdir()
    crawl.mkdir()
    pages = {f"http://courier.test/news/{i}.html": page_html(i) for i in range(20)}
    for i, html in enumerate(pages.values()):
        (files / f"page-{i:02d}.html").write_text(html, encoding="utf-8")
    write_warc(crawl / "crawl.warc.gz", pages)

    from_files = ingest([files])
    from_warc = ingest([crawl])
    texts = [p.article.text for p in from_files.articles]
    assert len(texts) == 20 and not from_files.rejects
    assert [p.article.text for p in from_warc.articles] == texts
    assert not from_warc.rejects and from_warc.read == 20
    # other records are counted, not read
    assert from_warc.skipped == {"warc:request": 20, "warc:response:image/png": 1, "warc:warcinfo": 1}
    for text in texts:  # the page's chrome stays out
        for chrome in ("cookies", "Related stories", "Great news", "All rights reserved", "Sport"):
            assert chrome not in text
    first = from_warc.articles[0].article
    assert first.format == "warc" and first.source.line == 3  # records numbered in file order
    assert first.source.url == "http://courier.test/news/0.html"
    assert first.source.published == "2024-03-01"  # the page's own date before the WARC-Date
    assert first.source.title == "Budget vote in Aldmere"


def test_a_damaged_warc_record_is_rejected_with_its_offset_and_the_records_before_it_kept(tmp_path):
    good = tmp_path / "good.warc"
    pages = {f"http://courier.test/news/{i}.html": page_html(i) for i in range(3)}
    with open(good, "wb") as handle:  # uncompressed, so one byte can be damaged in place
        writer = WARCWriter(handle, gzip=False)
        for url, html in pages.items():
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(
                    url, "response", payload=io.BytesIO(html.encode()), http_headers=http
                )
            )
    data = good.read_bytes()
    third = data.index(b"WARC/1.0", data.index(b"WARC/1.0", 1) + 1)
    damaged = tmp_path / "damaged.warc"
    damaged.write_bytes(data[:third] + b"WARX" + data[third + 4 :])

    result = ingest([damaged])
    assert len(result.articles) == 2
    [reject] = result.rejects
    assert reject.code == "E113" and reject.line == 3
    assert f"at byte offset {third}" in reject.reason
    assert result.read == 3  # read == accepted + rejected


def rows(n: int = 50) -> list[dict]:
    out = []
    for i in range(n):
        row = {
            "id": f"cms-{i:03d}",
            "title": f"Budget story {i}",
            "body": " ".join(paragraphs(i)[: 1 + i % 3])
            + f" Story number {i} was filed from {TOWNS[i % 8]}.",
            "publisher": "The Valley Courier",
            "author": "Sam Ortega" if i % 2 else None,
            "published": f"2024-05-{1 + i % 28:02d}",
        }
        out.append(row)
    return out


def test_the_same_50_rows_as_json_lines_parquet_and_csv_give_the_same_claims(tmp_path):
    import csv

    data = rows()
    for fmt in ("jsonl", "parquet", "csv"):
        (tmp_path / fmt).mkdir()
    with open(tmp_path / "jsonl" / "cms.jsonl", "w", encoding="utf-8") as handle:
        for row in data:
            handle.write(json.dumps(row) + "\n")
    pq.write_table(pa.Table.from_pylist(data), tmp_path / "parquet" / "cms.parquet", row_group_size=16)
    with open(tmp_path / "csv" / "cms.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(data[0]))
        writer.writeheader()
        writer.writerows(data)

    claims = {}
    for fmt in ("jsonl", "parquet", "csv"):
        out = tmp_path / f"out-{fmt}"
        summary = run_extract(  # CSV on two processes: the output does not depend on the count
            [tmp_path / fmt],
            out,
            columns={"text": "body"},
            group=False,
            processes=2 if fmt == "csv" else 1,
            shard_articles=25,
        )
        assert summary.counts["read"] == summary.counts["accepted"] == 50
        claims[fmt] = [
            {k: v for k, v in c.items() if k != "source"}
            | {"source": {k: v for k, v in c["source"].items() if k != "path"}}
            for c in read_jsonl(out / "claims.jsonl")
        ]
        articles = read_jsonl(out / "articles.jsonl")
        assert [a["source"]["line"] for a in articles] == list(range(1, 51))  # row numbers, as JSON lines
        assert {a["format"] for a in articles} == {fmt}
        assert json.loads((out / "run.json").read_text())["options"]["columns"] == {"text": "body"}
    assert claims["jsonl"] and claims["parquet"] == claims["jsonl"] and claims["csv"] == claims["jsonl"]
    assert claims["csv"][0]["source"]["publisher"] == "The Valley Courier"


def test_bad_rows_are_rejected_with_their_row_number(tmp_path):
    table = pa.table(
        {
            "text": [
                "The Aldmere council approved 12 million euros on Monday.",
                None,
                "  ",
                "Fine row, 4 votes.",
            ],
            "title": ["a", "b", "c", "d"],
            "published": pa.array([None, None, None, "2024-01-02"]),
        }
    )
    pq.write_table(table, tmp_path / "rows.parquet")
    (tmp_path / "rows.csv").write_text(
        'text,title\n"The Corrin council met on Friday, 9 members present.",x\n,empty\nno,closing,"quote\n',
        encoding="utf-8",
    )
    result = ingest([tmp_path])
    where = {(Path(r.path).name, r.line): r.code for r in result.rejects}
    assert where == {
        ("rows.parquet", 2): "E105",
        ("rows.parquet", 3): "E105",
        ("rows.csv", 2): "E105",
        ("rows.csv", 3): "E111",
    }
    assert all(f"row {line}" in r.reason for r in result.rejects for line in [r.line])
    assert result.read == len(result.articles) + len(result.rejects) == 7


class Site(BaseHTTPRequestHandler):
    """A news site on 127.0.0.1: robots.txt, pages, a slow page, a slower one, a 404, a redirect."""

    requests: list[tuple[float, str]] = []

    def do_GET(self) -> None:  # noqa: N802 (the http.server name)
        Site.requests.append((time.monotonic(), self.path))
        if self.path == "/robots.txt":
            return self._send(200, "User-agent: *\nDisallow: /private/\n", "text/plain")
        if self.path.startswith("/news/"):
            number = int(self.path.split("/")[-1].split(".")[0])
            if number == 7:
                time.sleep(0.3)  # slow, but within the timeout
            return self._send(200, page_html(number))
        if self.path == "/very-slow.html":
            time.sleep(1.5)  # past the timeout, every time
            return self._send(200, page_html(9))
        if self.path == "/old-address.html":
            self.send_response(301)
            self.send_header("Location", "/news/8.html")
            self.end_headers()
            return None
        if self.path == "/logo.png":
            return self._send(200, "PNG", "image/png")
        return self._send(404, "<html><body><h1>Not found</h1></body></html>")

    def _send(self, status: int, body: str, kind: str = "text/html; charset=utf-8") -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError):  # the client gave up waiting (past the timeout)
            self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Site.requests = []
    yield server
    server.shutdown()
    server.server_close()


def test_a_url_list_is_fetched_politely_with_failures_in_rejects_and_rebuilds_with_the_server_stopped(
    tmp_path, site, monkeypatch
):
    base = f"http://127.0.0.1:{site.server_address[1]}"
    listed = [
        *(f"{base}/news/{i}.html" for i in (1, 2, 7)),
        f"{base}/missing.html",
        f"{base}/very-slow.html",
        f"{base}/old-address.html",
        f"{base}/private/leak.html",
        f"{base}/logo.png",
        "ftp://example.test/file.html",
        f"{base}/news/1.html",  # listed twice, fetched once
    ]
    url_list = tmp_path / "urls.txt"
    url_list.write_text("# today's pages\n" + "\n".join(listed) + "\n\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    out = Path("out")
    fetch = FetchOptions(timeout=0.8, retries=1, delay=0.2, backoff=0.05)
    heard = []
    summary = run_extract(
        [],
        out,
        urls=url_list,
        fetch=fetch,
        on_url=lambda u, f: heard.append((u, f)),
        group=False,
        processes=1,
    )

    assert summary.fetch.fetched == 5 and summary.fetch.failed == 4  # a 404 page is kept, then rejected
    assert len(heard) == 9
    counts = summary.counts
    assert counts["read"] == counts["accepted"] + counts["rejected"] == 9
    articles = read_jsonl(out / "articles.jsonl")
    assert [a["source"]["url"] for a in articles] == [
        f"{base}/news/1.html",
        f"{base}/news/2.html",
        f"{base}/news/7.html",
        f"{base}/news/8.html",  # the redirect's target
    ]
    assert articles[0]["text"] == "\n".join(paragraphs(1))  # the headline is the title, not the text
    rejects = {r["reason"].split(";")[0]: r["code"] for r in read_jsonl(out / "rejects.jsonl")}
    assert rejects == {
        f"HTML page answered HTTP 404 ({base}/missing.html)": "E115",
        f"could not fetch {base}/very-slow.html (timed out after 0.8 s, 2 tries)": "E114",
        f"could not fetch {base}/private/leak.html (disallowed by robots.txt)": "E114",
        f"could not fetch {base}/logo.png (not an HTML page (image/png))": "E114",
        "could not fetch ftp://example.test/file.html (not an http(s) URL)": "E114",
    }
    assert not any(path == "/private/leak.html" for _, path in Site.requests)
    times = [t for t, _ in Site.requests]
    assert all(b - a >= 0.18 for a, b in zip(times, times[1:], strict=False))  # one host: 0.2 s apart
    run = json.loads((out / "run.json").read_text())
    assert [i["path"] for i in run["inputs"]] == [f"out/{ARCHIVE_NAME}"]

    site.shutdown()
    site.server_close()
    rebuilt = Path("rebuilt")
    rerun_extract(run, rebuilt)
    for name in ("articles.jsonl", "claims.jsonl", "rejects.jsonl", "run.json"):
        assert (rebuilt / name).read_bytes() == (out / name).read_bytes(), name

    # the same --urls run again fetches nothing: every URL is in the archive already
    again = run_extract([], out, urls=url_list, fetch=fetch, group=False, processes=1)
    assert (again.fetch.fetched, again.fetch.failed, again.fetch.kept) == (0, 0, 9)
    assert (out / "claims.jsonl").read_bytes() == (rebuilt / "claims.jsonl").read_bytes()


def test_extract_help_names_the_new_inputs_and_usage_mistakes_stop_on_one_line(tmp_path):
    result = run_cli("extract", "--help")
    assert result.returncode == 0
    for option in ("--urls", "--column", "--fetch-delay", ".parquet", ".warc.gz"):
        assert option in result.stdout
    bad = run_cli("extract", str(tmp_path), "--out", str(tmp_path / "out"), "--column", "body")
    assert bad.returncode == 1 and "E220" in bad.stderr and "Traceback" not in bad.stderr
    nothing = run_cli("extract", "--out", str(tmp_path / "out"))
    assert nothing.returncode == 1 and "E203" in nothing.stderr
    missing = run_cli("extract", "--urls", str(tmp_path / "none.txt"), "--out", str(tmp_path / "out"))
    assert missing.returncode == 1 and "E221" in missing.stderr and "Traceback" not in missing.stderr

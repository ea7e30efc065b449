"""Ingest: metadata, boilerplate, repeats, identity and bad input, on real files."""

from __future__ import annotations

import json
from pathlib import Path

from builder.ingest import ingest
from builder.run import run_extract
from tests.conftest import EXAMPLES, read_jsonl, run_cli


def _by_name(run_dir: Path) -> dict[str, dict]:
    return {Path(a["source"]["path"]).name: a for a in read_jsonl(run_dir / "articles.jsonl")}


def test_every_example_article_has_title_and_publication_date(example_run):
    articles = _by_name(example_run)
    assert len(articles) == 5
    for article in articles.values():
        assert article["source"]["title"], article["source"]["path"]
        assert article["source"]["published"], article["source"]["path"]
    assert articles["003_b3a7e9bd34d680d5.txt"]["source"]["published"] == "2026-02-04"
    assert articles["000_6f0c6eadb9426ea5.txt"]["source"]["published"] == "2026-02-05"
    assert articles["000_6f0c6eadb9426ea5.txt"]["source"]["title"].startswith("Landmark Prisoner Exchange")


def test_byline_and_wire_dateline_are_parsed(example_run):
    articles = _by_name(example_run)
    reuters = articles["001_60dea0252a985681.txt"]["source"]
    assert reuters["author"] == "Sophia Reynolds"
    assert reuters["publisher"] == "Reuters"
    assert reuters["published"] == "2026-02-05"  # "Feb 5" in the dateline, year from the run
    assert articles["004_0a3bbc65d504c117.txt"]["source"]["author"] == "Anand Kumar"


def test_plain_text_article_is_the_file_content_unchanged(example_run):
    for article in read_jsonl(example_run / "articles.jsonl"):
        assert article["text"] == Path(article["source"]["path"]).read_text(encoding="utf-8")


def test_boilerplate_is_excluded_with_reasons(example_run):
    articles = _by_name(example_run)
    reasons = {s["reason"] for s in articles["002_47fa7499615b6b1b.txt"]["excluded"]}
    assert {"boilerplate:faq", "boilerplate:tip", "boilerplate:related", "boilerplate:comments"} <= reasons
    bio = [
        s for s in articles["004_0a3bbc65d504c117.txt"]["excluded"] if s["reason"] == "boilerplate:author_bio"
    ]
    assert bio, "the author bio is excluded"
    claims = read_jsonl(example_run / "claims.jsonl")
    texts = " ".join(c["text"] for c in claims)
    for boilerplate in (
        "Q:",
        "A: The main outcome",
        "Stay informed",
        "Senior Journalist at Global India",
        "Reporting by",
    ):
        assert boilerplate not in texts


def test_body_pasted_twice_is_marked_and_yields_no_duplicate_candidates(example_run):
    article = _by_name(example_run)["003_b3a7e9bd34d680d5.txt"]
    repeats = [s for s in article["excluded"] if s["reason"] == "repeated_passage"]
    assert repeats and repeats[0]["detail"].startswith("repeats paragraph")
    passage = article["text"][repeats[0]["char_start"] : repeats[0]["char_end"]]
    assert passage.startswith("In a rare moment of cooperation") and len(passage) > 1000
    claims = [c for c in read_jsonl(example_run / "claims.jsonl") if c["article_id"] == article["article_id"]]
    assert len({c["text"] for c in claims}) == len(claims)
    assert not any(repeats[0]["char_start"] <= c["char_start"] < repeats[0]["char_end"] for c in claims)


def test_same_article_under_two_names_is_one_article(tmp_path):
    text = (EXAMPLES / "000_6f0c6eadb9426ea5.txt").read_bytes()
    (tmp_path / "a.txt").write_bytes(text)
    (tmp_path / "copy-of-a.txt").write_bytes(text)
    result = ingest([tmp_path])
    assert result.read == 2 and result.duplicates == 1
    assert len(result.articles) == 1
    article = result.articles[0].article
    assert article.source.path.endswith("/a.txt")
    assert article.also_seen_at == [(tmp_path / "copy-of-a.txt").as_posix()]


def test_html_main_text_is_extracted_and_scripts_never_reach_the_text(tmp_path):
    (tmp_path / "story.html").write_text(
        """<html><head><title>Swap agreed</title><meta name="author" content="Jane Roe">
        <meta property="article:published_time" content="2026-02-05"></head><body>
        <nav>Home | World | Sport</nav><article><h1>Swap agreed</h1>
        <p>Ukraine and Russia exchanged 157 prisoners each on Thursday, officials said in Abu Dhabi.</p>
        <script>document.write('steal cookies')</script>
        <p>The talks will resume next week in Washington, according to envoy Steve Witkoff.</p></article>
        <footer>Share this story</footer></body></html>""",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    run_extract([tmp_path / "story.html"], out)
    (article,) = read_jsonl(out / "articles.jsonl")
    assert "157 prisoners" in article["text"] and "steal cookies" not in article["text"]
    assert article["format"] == "html"
    assert article["source"]["author"] == "Jane Roe" and article["source"]["published"] == "2026-02-05"
    claims = read_jsonl(out / "claims.jsonl")
    assert any("157 prisoners" in c["text"] for c in claims)


def test_jsonl_metadata_is_kept_per_line(tmp_path):
    rows = [
        {"id": "x1", "text": "Russia and Ukraine exchanged 157 prisoners each on 5 February 2026.", "publisher": "AP",
         "author": "A. Writer", "published": "2026-02-05T10:00:00Z", "url": "https://example.org/x1", "title": "Swap"},
        {"text": "Kyiv said at least 55,000 soldiers had been killed since 2022."},
    ]  # fmt: skip
    (tmp_path / "feed.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    run_extract([tmp_path / "feed.jsonl"], out)
    articles = read_jsonl(out / "articles.jsonl")
    assert [a["source"]["line"] for a in articles] == [1, 2]
    first = articles[0]["source"]
    assert (first["publisher"], first["author"], first["url"], first["published"]) == (
        "AP", "A. Writer", "https://example.org/x1", "2026-02-05",
    )  # fmt: skip


def test_windows_line_endings_keep_offsets_exact(tmp_path):
    body = "Talks in Abu Dhabi\r\n\r\nRussia and Ukraine exchanged 157 prisoners each on Thursday.\r\nThe envoy Steve Witkoff said 314 people would return home.\r\n"
    (tmp_path / "crlf.txt").write_bytes(body.encode("utf-8"))
    out = tmp_path / "out"
    run_extract([tmp_path / "crlf.txt"], out)
    claims = read_jsonl(out / "claims.jsonl")
    assert len(claims) == 2
    for claim in claims:
        assert body[claim["char_start"] : claim["char_end"]] == claim["text"]
        assert "\r" not in claim["text"]


def test_bad_inputs_are_rejected_with_file_and_line_and_the_run_completes(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (corpus / "garbage.txt").write_bytes(b"\xff\xfe\xfa\x00\x81" * 300)
    (corpus / "notes.docx").write_bytes(b"PK\x03\x04")
    (corpus / "feed.jsonl").write_text(
        '{"text": "Russia and Ukraine exchanged 157 prisoners each on Thursday."}\n'
        '{"text": "truncated\n'
        '{"title": "no text field"}\n'
        "[1, 2, 3]\n",
        encoding="utf-8",
    )
    (corpus / "good.txt").write_text(
        "Kyiv said at least 55,000 soldiers had been killed since 2022.\n", encoding="utf-8"
    )
    out = tmp_path / "out"
    result = run_cli("extract", str(corpus), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    rejects = read_jsonl(out / "rejects.jsonl")
    where = {(Path(r["path"]).name, r["line"]): r["code"] for r in rejects}
    assert where == {
        ("binary.txt", None): "E102",
        ("empty.txt", None): "E101",
        ("garbage.txt", None): "E103",
        ("notes.docx", None): "E106",
        ("feed.jsonl", 2): "E104",
        ("feed.jsonl", 3): "E105",
        ("feed.jsonl", 4): "E104",
    }
    for reject in rejects:
        name = Path(reject["path"]).name
        shown = f"{name}:{reject['line']}" if reject["line"] else name
        assert shown in result.stderr  # each skip is named on its own line
    counts = json.loads((out / "run.json").read_text())["counts"]
    assert counts["read"] == counts["accepted"] + counts["rejected"] == 9
    assert counts["articles"] == 2
    assert len(read_jsonl(out / "claims.jsonl")) == 2


def test_text_in_a_legacy_encoding_is_decoded_and_the_encoding_recorded(tmp_path):
    text = "Le président Zelensky a déclaré que 55 000 soldats ukrainiens ont été tués depuis février 2022, à Kyiv."
    (tmp_path / "latin.txt").write_bytes(("Échange de prisonniers\n\n" + text + "\n").encode("cp1252"))
    result = ingest([tmp_path])
    (prepared,) = result.articles
    assert prepared.article.encoding.replace("_", "").lower() in {
        "cp1252",
        "windows1252",
        "latin1",
        "iso88591",
    }
    assert text in prepared.article.text


def test_missing_path_is_a_one_line_error_with_non_zero_exit(tmp_path):
    result = run_cli("extract", str(tmp_path / "nope"), "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "E201" in result.stderr and "nope" in result.stderr and "Traceback" not in result.stderr

"""A corpus of many kinds of bad input through the real CLI: everything accounted for, nothing lost."""

from __future__ import annotations

import json
import os
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from builder.ingest import ingest
from builder.ingest.readers import InputFile, read_file
from builder.run import run_extract
from tests.conftest import read_jsonl, run_cli

GOOD = "Ukraine and Russia exchanged 157 prisoners each in Abu Dhabi on 5 February 2026, officials said."


def _jsonl(*rows: object) -> bytes:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows).encode("utf-8")


# name -> (bytes, expected reject codes by line; {} means the input is accepted)
BAD_FILES: dict[str, tuple[bytes, dict[int | None, str]]] = {
    "empty.txt": (b"", {None: "E101"}),
    "whitespace-only.txt": (b"  \n\n\t \n", {None: "E101"}),
    "empty.jsonl": (b"", {None: "E101"}),
    "blank-lines.jsonl": (b"\n\n\n", {None: "E101"}),
    "binary.txt": (bytes(range(256)) * 16, {None: "E102"}),
    "png-as-txt.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), {None: "E102"}),
    "nul-in-html.html": (b"<html>\x00\x00\x00<p>hi</p>" * 20, {None: "E102"}),
    "garbage.md": (b"\xff\xfe\xfa\x00\x81" * 300, {None: "E103"}),
    "truncated.jsonl": (b'{"text": "cut off', {1: "E104"}),
    "not-json.jsonl": (b"this is not json\n", {1: "E104"}),
    "array-line.jsonl": (b"[1, 2, 3]\n", {1: "E104"}),
    "string-line.jsonl": (b'"just a string"\n', {1: "E104"}),
    "null-line.jsonl": (b"null\n", {1: "E104"}),
    "trailing-comma.jsonl": (b'{"text": "a b c d e",}\n', {1: "E104"}),
    "no-text.jsonl": (_jsonl({"title": "no text"}), {1: "E105"}),
    "text-number.jsonl": (_jsonl({"text": 5}), {1: "E105"}),
    "text-empty.jsonl": (_jsonl({"text": "   "}), {1: "E105"}),
    "text-list.jsonl": (_jsonl({"text": ["a", "b"]}), {1: "E105"}),
    "title-object.jsonl": (_jsonl({"text": GOOD, "title": {"x": 1}}), {1: "E105"}),
    "invalid-utf8-line.jsonl": (b'{"text": "\xff\xfe bad"}\n', {1: "E103"}),
    "mixed-good-bad.jsonl": (
        _jsonl({"text": GOOD.replace("157", "162")}, "{broken", {"text": None}),
        {2: "E104", 3: "E105"},
    ),
    "word.docx": (b"PK\x03\x04" + bytes(50), {None: "E106"}),
    "noextension": (GOOD.encode(), {None: "E106"}),
    "data.xlsx": (b"PK\x03\x04" + bytes(50), {None: "E106"}),
    "no-text-column.csv": (b"a,b\n1,2\n", {None: "E105"}),
    "short-row.csv": (
        b'text,title\n"' + GOOD.replace("157", "159").encode() + b'",T\nonly one field\n',
        {2: "E111"},
    ),
    "damaged.parquet": (b"PAR1" + bytes(40), {None: "E112"}),
    "damaged.warc": (b"WARX/1.0\r\nWARC-Type: response\r\n\r\n", {1: "E113"}),
    "script-only.html": (b"<html><body><script>alert(1)</script></body></html>", {None: "E108"}),
    "empty-body.html": (b"<html><head><title>x</title></head><body></body></html>", {None: "E108"}),
    "huge.txt": (b"a" * 2_000_001, {None: "E109"}),
    # accepted, with care:
    "bom.txt": (b"\xef\xbb\xbf" + GOOD.encode(), {}),
    "bom.jsonl": (b"\xef\xbb\xbf" + _jsonl({"text": GOOD + " Again."}), {}),
    "cp1252.txt": (("Échange à Kyiv. " + GOOD.replace("157", "158")).encode("cp1252"), {}),
    "mixed-endings.txt": (
        ("Talks\r\n\r\n" + GOOD.replace("157", "159") + "\nKyiv said 55,000 died.\r\n").encode(),
        {},
    ),
    "id-with-dots.jsonl": (_jsonl({"id": "../../etc/passwd", "text": GOOD.replace("157", "160")}), {}),
    "script-in-html.html": (
        f"<html><body><article><p>{GOOD.replace('157', '161')}</p><script>alert('x')</script>"
        f"<p>The envoy Steve Witkoff said 314 people would return home.</p></article></body></html>".encode(),
        {},
    ),
}


def _write_corpus(root: Path) -> None:
    for name, (data, _) in BAD_FILES.items():
        (root / name).write_bytes(data)
    (root / "sub").mkdir()
    (root / "sub" / "loop").symlink_to(root)  # a symbolic link loop
    (root / "dangling.txt").symlink_to(root / "does-not-exist.txt")


def test_bad_input_corpus_is_accounted_for_and_the_good_ones_match_a_clean_run(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _write_corpus(corpus)
    out = tmp_path / "out"
    result = run_cli("extract", str(corpus), "--out", str(out), "--max-bytes", "2000000")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr

    rejects = read_jsonl(out / "rejects.jsonl")
    got = {(Path(r["path"]).name, r["line"]): r["code"] for r in rejects}
    expected = {(name, line): code for name, (_, codes) in BAD_FILES.items() for line, code in codes.items()}
    expected[("loop", None)] = "E110"
    expected[("dangling.txt", None)] = "E107"
    assert got == expected
    assert len(expected) >= 30
    for reject in rejects:
        assert Path(reject["path"]).name in result.stderr

    run = json.loads((out / "run.json").read_text())
    counts = run["counts"]
    assert counts["read"] == counts["accepted"] + counts["rejected"]
    assert counts["rejected"] == len(rejects)
    accepted_names = {name for name, (_, codes) in BAD_FILES.items() if not codes} | {
        "mixed-good-bad.jsonl",
        "short-row.csv",
    }
    articles = read_jsonl(out / "articles.jsonl")
    assert {Path(a["source"]["path"]).name for a in articles} == accepted_names
    assert not any("alert" in a["text"] for a in articles)

    # the good files alone give exactly the same claims
    alone = tmp_path / "alone"
    alone.mkdir()
    for name in accepted_names:
        (alone / name).write_bytes(BAD_FILES[name][0])
    run_extract([alone], tmp_path / "alone-out")

    def claim_texts(folder: Path) -> list[tuple[str, str]]:
        return sorted(
            (Path(c["source"]["path"]).name, c["text"]) for c in read_jsonl(folder / "claims.jsonl")
        )

    assert claim_texts(out) == claim_texts(tmp_path / "alone-out")


def test_output_never_written_outside_the_output_folder(tmp_path):
    (tmp_path / "in.jsonl").write_bytes(_jsonl({"id": "../../escape", "text": GOOD}))
    out = tmp_path / "nested" / "out"
    run_extract([tmp_path / "in.jsonl"], out)
    assert sorted(p.name for p in out.iterdir()) == [
        "articles.jsonl",
        "claim_groups.jsonl",
        "claims.jsonl",
        "clusters.jsonl",
        "conflicts.jsonl",
        "rejects.jsonl",
        "run.json",
        "stories.jsonl",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "nested"]


def test_output_folder_with_other_files_is_refused(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "thesis.docx").write_bytes(b"precious")
    (tmp_path / "a.txt").write_text(GOOD)
    result = run_cli("extract", str(tmp_path / "a.txt"), "--out", str(out))
    assert result.returncode == 1 and "E202" in result.stderr
    assert (out / "thesis.docx").read_bytes() == b"precious"


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=400))
def test_readers_never_raise_on_arbitrary_bytes(data):
    """Fuzz: any bytes under any extension give documents or rejects, never an exception."""
    folder = Path(os.environ.get("TMPDIR", "/tmp")) / f"claimset-fuzz-{os.getpid()}"
    folder.mkdir(exist_ok=True)
    for suffix in (".txt", ".html", ".jsonl"):
        path = folder / f"fuzz{suffix}"
        path.write_bytes(data)
        for document in read_file(InputFile(path.as_posix(), path)):
            assert document is not None


@settings(max_examples=40, deadline=None)
@given(st.text(min_size=1, max_size=300))
def test_any_text_keeps_exact_offsets(text):
    """Property: whatever the text, every excluded span and block points into the text as read."""
    folder = Path(os.environ.get("TMPDIR", "/tmp")) / f"claimset-prop-{os.getpid()}"
    folder.mkdir(exist_ok=True)
    path = folder / "article.txt"
    path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
    try:
        result = ingest([path])
    finally:
        path.unlink()
    for prepared in result.articles:
        article = prepared.article
        assert article.text == text.lstrip("\ufeff") or article.encoding != "utf-8"
        for block in prepared.blocks:
            assert 0 <= block.start <= block.end <= len(article.text)
            assert article.text[block.start : block.end].strip() == article.text[block.start : block.end]

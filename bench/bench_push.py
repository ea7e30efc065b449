"""What `claimset push` costs over a bare label-studio-sdk import of the same tasks.

For each size (5,000 and 20,000 claims by default), against one real Label Studio server:

1. baseline: a new project with the same labeling interface, then one bare
   ``projects.import_tasks`` call with the exact tasks claimset would send;
2. ``push``: a new project, the whole `claimset push` (read the folder, build the tasks, list
   existing tasks, import in batches);
3. re-push of the same, unchanged folder (must import nothing).

Prints the times and the ratios push/baseline (aim <= 1.25) and re-push/baseline (aim <= 0.1).
Claims are synthetic but shaped like real ones: news-sized articles (about 600 characters, four
claims each, some emoji) built from the example corpus's claims.

Usage: .venv/bin/python bench/bench_push.py [--sizes 5000 20000] [--repeats 2]
Uses LABEL_STUDIO_URL/LABEL_STUDIO_API_KEY when set, else starts a throwaway local server.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from builder.records import article_id_for, claim_id_for, dumps  # noqa: E402
from builder.studio.config import label_config  # noqa: E402
from builder.studio.push import push  # noqa: E402
from builder.studio.server import LocalStudio, free_port  # noqa: E402
from builder.studio.sync import Connection, Studio  # noqa: E402
from builder.studio.tasks import build_task, claims_and_articles  # noqa: E402

SENTENCES = [
    "Ukraine and Russia exchanged 314 prisoners after talks in Abu Dhabi on Thursday.",
    "The central bank raised its key rate to 4.5% in March 2024, the highest in 16 years 📈.",
    "Officials said 1,200 homes were damaged by the storm in Galicia, Spain.",
    "Zürich’s café chain Sprüngli 🍫 served 1.2 million customers in 2023.",
    "The ministry reported that unemployment fell to 6.1% in the third quarter.",
    "Nestlé announced it would cut 1,500 jobs in Vevey by 2026, the company said.",
]


def make_folder(folder: Path, n_claims: int) -> None:
    """A claimset run folder with ``n_claims`` claims in articles of four claims each."""
    articles, claims = [], []
    for i in range((n_claims + 3) // 4):
        picked = [SENTENCES[(i + k) % len(SENTENCES)] for k in range(4)]
        text = f"Report {i} 🗞️\n\n" + "\n\n".join(picked) + "\n"
        article_id = article_id_for(text)
        source = {"path": f"synthetic/{i}.txt", "publisher": "Bench Daily", "published": "2024-03-01"}
        articles.append({"article_id": article_id, "text": text, "source": source})
        for k, sentence in enumerate(picked):
            if len(claims) == n_claims:
                break
            start = text.index(sentence)
            end = start + len(sentence)
            claims.append(
                {
                    "claim_id": claim_id_for(article_id, start, end),
                    "text": sentence,
                    "article_id": article_id,
                    "char_start": start,
                    "char_end": end,
                    "checkworthy": round(0.5 + ((i * 7 + k * 13) % 50) / 100, 4),
                    "source": source,
                }
            )
    (folder / "articles.jsonl").write_text("".join(dumps(a) + "\n" for a in articles), encoding="utf-8")
    (folder / "claims.jsonl").write_text("".join(dumps(c) + "\n" for c in claims), encoding="utf-8")


def bare_import(studio: Studio, folder: Path, title: str) -> float:
    claims, articles = claims_and_articles(folder)
    tasks = [build_task(c, articles[c["article_id"]]) for c in claims]  # prepared outside the timing
    payload = json.loads(json.dumps(tasks))
    start = time.perf_counter()
    project = studio.sdk.projects.create(title=title, label_config=label_config())
    studio.sdk.projects.import_tasks(id=project.id, request=payload)
    return time.perf_counter() - start


def timed_push(studio: Studio, folder: Path, title: str) -> tuple[float, int]:
    start = time.perf_counter()
    report = push(folder, title, studio=studio)
    return time.perf_counter() - start, report.imported


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 20000])
    parser.add_argument("--repeats", type=int, default=1, help="alternate the order, keep the best of each")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        local = None
        if os.environ.get("LABEL_STUDIO_URL") and os.environ.get("LABEL_STUDIO_API_KEY"):
            connection = Connection.resolve()
        else:
            local = LocalStudio(home=Path(tmp) / "studio", venv=ROOT / ".studio" / "venv")
            print("starting a throwaway Label Studio...", flush=True)
            url, creds = local.up(port=free_port(0))
            connection = Connection(url, creds.api_key)
        try:
            studio = Studio(connection)
            stamp = time.strftime("%H%M%S")
            print(f"{'claims':>8} {'bare import':>12} {'push':>8} {'ratio':>6} {'re-push':>8} {'ratio':>6}")
            for n in args.sizes:
                folder = Path(tmp) / f"run-{n}"
                folder.mkdir()
                make_folder(folder, n)
                baseline = pushed = repushed = float("inf")
                for r in range(args.repeats):
                    # the server slows as its database grows: alternate which goes first
                    if r % 2:
                        seconds, imported = timed_push(studio, folder, f"bench push {n} {stamp} {r}")
                        baseline = min(baseline, bare_import(studio, folder, f"bench bare {n} {stamp} {r}"))
                    else:
                        baseline = min(baseline, bare_import(studio, folder, f"bench bare {n} {stamp} {r}"))
                        seconds, imported = timed_push(studio, folder, f"bench push {n} {stamp} {r}")
                    again_seconds, again = timed_push(studio, folder, f"bench push {n} {stamp} {r}")
                    assert imported == n and again == 0, (imported, again)
                    pushed, repushed = min(pushed, seconds), min(repushed, again_seconds)
                print(
                    f"{n:>8} {baseline:>11.2f}s {pushed:>7.2f}s {pushed / baseline:>6.2f}"
                    f" {repushed:>7.2f}s {repushed / baseline:>6.2f}",
                    flush=True,
                )
        finally:
            if local:
                local.down()


if __name__ == "__main__":
    main()

